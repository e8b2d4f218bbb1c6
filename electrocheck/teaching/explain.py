"""What the reference file knows about an analyte, gathered for reading or for JSON
(``electrocheck explain``)."""

from __future__ import annotations

from typing import Any

from electrocheck.clinical.shown import cuts_in, limits_in
from electrocheck.reference import (
    Analyte,
    Criterion,
    Direction,
    GradeScale,
    Limits,
    Reference,
    unit_system,
)
from electrocheck.units.resolve import Unit, resolve_unit


def explain(reference: Reference, name: str, units: str | None = None) -> dict[str, Any]:
    """Everything about one analyte (name, alias or LOINC code): role in muscle, what a low
    and a high level do and what is done about them, limits, grades, care for spasms, and
    the sources of all of it.

    ``units`` (``si`` or ``conventional``) shows the limits and cut-points in that system's
    display unit only (see :func:`in_system`); None lists every entry as written."""
    analyte = reference.analyte(name)
    used = {
        analyte.molar_mass.source,
        analyte.valence.source,
        *(limits.source for limits in (*analyte.reference, *analyte.critical)),
        *analyte.low.sources,
        *analyte.high.sources,
        *reference.spasm_care_sources,
    }
    used |= set(analyte.caveat_sources)
    for correction in reference.corrections.values():
        if correction.corrects == analyte.key:
            used |= {*correction.caveat_sources, *(f.source for f in correction.formulas)}
    grades = {side: _grades(analyte, analyte.grades(side), units) for side in ("low", "high")}
    used |= {c["source"] for scale in grades.values() if scale for c in scale["criteria"]}
    corrections = [
        {"analyte": c.key, "label": c.label, "covariate": c.covariate, "caveats": list(c.caveats)}
        for c in reference.corrections.values()
        if c.corrects == analyte.key
    ]
    medicines = medicines_of(reference, analyte.key)
    used |= {effect["source"] for effect in medicines}
    found = {
        "analyte": analyte.key,
        "label": analyte.label,
        "names": list(analyte.aliases),
        "loinc": list(analyte.loinc),
        "units": list(analyte.units),
        "default_unit": analyte.default_unit,
        "muscle_role": analyte.muscle_role,
        "low": _direction(analyte.low),
        "high": _direction(analyte.high),
        "caveats": list(analyte.caveats),
        "reference": _limits_list(analyte, analyte.reference, units),
        "critical": _limits_list(analyte, analyte.critical, units),
        "grades": grades,
        "corrections": corrections,
        "spasm_care": [{"name": n, "text": t} for n, t in reference.spasm_care],
        "medications": medicines,
        "sources": {key: source_text(reference, key) for key in sorted(used)},
    }
    if units is not None:
        found["shown_in"] = {"system": units, "unit": analyte.display_units.of(units)}
    return found


def overview(reference: Reference, units: str | None = None) -> list[dict[str, Any]]:
    """One line's worth about each analyte, for reading side by side; ``units`` as for
    :func:`explain`."""
    return [_summary(analyte, units) for analyte in reference.analytes.values()]


def _summary(analyte: Analyte, units: str | None = None) -> dict[str, Any]:
    adult = tuple(item for item in analyte.reference if item.age is None and item.sex is None)
    critical = tuple(item for item in analyte.critical if item.age is None and item.sex is None)
    return {
        "analyte": analyte.key,
        "label": analyte.label,
        "muscle_role": analyte.muscle_role,
        "reference": _limits_list(analyte, adult, units),
        "critical": _limits_list(analyte, critical, units),
        "low": {"spasm_risk": analyte.low.spasm_risk, "causes": list(analyte.low.causes)},
        "high": {"spasm_risk": analyte.high.spasm_risk, "causes": list(analyte.high.causes)},
    }


def _direction(direction: Direction) -> dict[str, Any]:
    return {
        "effect": direction.effect,
        "spasm_risk": direction.spasm_risk,
        "causes": list(direction.causes),
        "treatment": direction.treatment,
        "sources": list(direction.sources),
    }


def limits_dict(limits: Limits) -> dict[str, Any]:
    return {
        "population": limits.population(),
        "low": limits.low,
        "high": limits.high,
        "unit": limits.unit,
        "source": limits.source,
    }


def in_system(analyte: Analyte, items: tuple[Limits, ...], system: str) -> list[dict[str, Any]]:
    """One entry per population (age band and sex) in the display unit of ``system``: the
    entry written in that unit where the population has one, else the entry that judges a
    value in that unit (of the same mass or substance system, else the first), converted,
    with ``converted_from`` naming the unit it is written in (None when as written)."""
    target = resolve_unit(analyte.display_units.of(system))
    groups: dict[tuple[str | None, str | None], list[Limits]] = {}
    for item in items:
        groups.setdefault((item.age.text if item.age else None, item.sex), []).append(item)
    shown = []
    for group in groups.values():
        chosen = _written_in(group, target)
        low, high = limits_in(analyte, chosen, target)
        converted = None if chosen.unit == target.spelling else chosen.unit
        entry = {**limits_dict(chosen), "low": low, "high": high, "unit": target.spelling}
        shown.append({**entry, "converted_from": converted})
    return shown


def _written_in(group: list[Limits], target: Unit) -> Limits:
    system = unit_system(target)
    return next(
        (i for i in group if i.unit == target.spelling),
        next((i for i in group if i.system == system), group[0]),
    )


def _limits_list(
    analyte: Analyte, items: tuple[Limits, ...], units: str | None
) -> list[dict[str, Any]]:
    if units is None:
        return [limits_dict(item) for item in items]
    return in_system(analyte, items, units)


def _grades(analyte: Analyte, scale: GradeScale | None, units: str | None) -> dict[str, Any] | None:
    if scale is None:
        return None
    if units is None:
        criteria = [_criterion(c) for c in scale.criteria]
    else:  # the criterion that grades a value in the display unit, in that unit
        target = resolve_unit(analyte.display_units.of(units))
        chosen = scale.criterion_for(target)
        criteria = [
            {
                **_criterion(chosen),
                "unit": target.spelling,
                "cut_points": {str(g): v for g, v in cuts_in(analyte, chosen, target)},
                "converted_from": None if chosen.unit == target.spelling else chosen.unit,
            }
        ]
    return {"term": scale.term, "criteria": criteria}


def _criterion(c: Criterion) -> dict[str, Any]:
    return {
        "unit": c.unit,
        "cut_points": {str(grade): value for grade, value, _ in c.cuts},
        "symptomatic": None
        if c.symptomatic is None
        else {"grade": c.symptomatic[0], "becomes": c.symptomatic[1]},
        "source": c.source,
    }


def source_text(reference: Reference, key: str) -> str:
    """The text of a source: the file's, or one its medications section cites."""
    found = reference.sources.get(key)
    return reference.medications.sources[key] if found is None else found


def medicines_of(reference: Reference, analyte: str) -> list[dict[str, Any]]:
    """The medicines of the reference file that move ``analyte`` (a key), low side first."""
    return [
        {
            "drug": drug.key,
            "brands": list(drug.brands),
            "direction": effect.direction,
            "mechanism": effect.mechanism,
            "onset": effect.onset,
            "source": effect.source,
        }
        for direction in ("low", "high")
        for drug in reference.medications.drugs.values()
        if (effect := drug.effect_on(analyte, direction)) is not None
    ]


def medications_listing(reference: Reference) -> dict[str, Any]:
    """Every medicine of the reference file with its names, codes and effects, as
    ``ranges show`` lists them."""
    return {
        key: {
            "also": list(drug.also),
            "brands": list(drug.brands),
            "atc": drug.atc,
            "rxnorm": drug.rxnorm,
            "omop": drug.omop,
            "source": drug.source,
            "codes_source": drug.codes_source,
            "rxnorm_source": drug.rxnorm_source,
            "effects": [
                {
                    "analyte": e.analyte,
                    "direction": e.direction,
                    "mechanism": e.mechanism,
                    "onset": e.onset,
                    "source": e.source,
                }
                for e in drug.effects
            ],
        }
        for key, drug in reference.medications.drugs.items()
    }


def ranges_listing(reference: Reference) -> dict[str, Any]:
    """Every analyte's reference intervals and critical limits, as ``ranges show`` lists them."""
    return {
        key: {
            "reference": [limits_dict(item) for item in analyte.reference],
            "critical": [limits_dict(item) for item in analyte.critical],
        }
        for key, analyte in reference.analytes.items()
    }
