"""What the reference file knows about an analyte, gathered for reading or for JSON
(``electrocheck explain``)."""

from __future__ import annotations

from typing import Any

from electrocheck.reference import Analyte, Direction, GradeScale, Limits, Reference


def explain(reference: Reference, name: str) -> dict[str, Any]:
    """Everything about one analyte (name, alias or LOINC code): role in muscle, what a low
    and a high level do and what is done about them, limits, grades, care for spasms, and
    the sources of all of it."""
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
    grades = {side: _grades(analyte.grades(side)) for side in ("low", "high")}
    used |= {c["source"] for scale in grades.values() if scale for c in scale["criteria"]}
    corrections = [
        {"analyte": c.key, "label": c.label, "covariate": c.covariate, "caveats": list(c.caveats)}
        for c in reference.corrections.values()
        if c.corrects == analyte.key
    ]
    return {
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
        "reference": [limits_dict(item) for item in analyte.reference],
        "critical": [limits_dict(item) for item in analyte.critical],
        "grades": grades,
        "corrections": corrections,
        "spasm_care": [{"name": n, "text": t} for n, t in reference.spasm_care],
        "sources": {key: reference.sources[key] for key in sorted(used)},
    }


def overview(reference: Reference) -> list[dict[str, Any]]:
    """One line's worth about each analyte, for reading side by side."""
    return [_summary(analyte) for analyte in reference.analytes.values()]


def _summary(analyte: Analyte) -> dict[str, Any]:
    adult = [item for item in analyte.reference if item.age is None and item.sex is None]
    critical = [item for item in analyte.critical if item.age is None and item.sex is None]
    return {
        "analyte": analyte.key,
        "label": analyte.label,
        "muscle_role": analyte.muscle_role,
        "reference": [limits_dict(item) for item in adult],
        "critical": [limits_dict(item) for item in critical],
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


def _grades(scale: GradeScale | None) -> dict[str, Any] | None:
    if scale is None:
        return None
    return {
        "term": scale.term,
        "criteria": [
            {
                "unit": c.unit,
                "cut_points": {str(grade): value for grade, value, _ in c.cuts},
                "symptomatic": None
                if c.symptomatic is None
                else {"grade": c.symptomatic[0], "becomes": c.symptomatic[1]},
                "source": c.source,
            }
            for c in scale.criteria
        ],
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
