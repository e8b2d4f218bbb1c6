"""Checks of one entry of ``analytes``: its names, molar mass and valence, units and display
units, limits
(:mod:`~electrocheck.reference.check_limits`), texts, the ``low`` and ``high`` directions
(effect, spasm risk, causes, treatment), caveats and grades
(:mod:`~electrocheck.reference.check_grades`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from electrocheck.errors import quote
from electrocheck.reference.check_base import _CAVEAT_KEYS, Checker, _Invalid, _kind, _line
from electrocheck.reference.check_grades import read_grade_scales
from electrocheck.reference.check_limits import (
    _Converter,
    check_order,
    read_intervals,
    read_limits,
)
from electrocheck.reference.check_names import read_loinc
from electrocheck.reference.model import (
    SPASM_RISKS,
    UNIT_SYSTEMS,
    Analyte,
    Direction,
    DisplayUnits,
    Sourced,
)

_ANALYTE_KEYS = {
    "units",
    "label",
    "aliases",
    "loinc",
    "molar_mass",
    "valence",
    "default_unit",
    "plausible",
    "reference",
    "critical",
    "muscle_role",
    "low",
    "high",
}
_ANALYTE_OPTIONAL = _CAVEAT_KEYS | {"grades", "display_units"}
_DIRECTION_KEYS = {"effect", "spasm_risk", "causes", "sources"}


def read_analytes(c: Checker, top: Any) -> dict[str, Analyte]:
    analytes: dict[str, Analyte] = {}
    node = top["analytes"]
    if not isinstance(node, dict) or not node:
        c.fail(
            "analytes",
            f"must be a non-empty mapping, not {_kind(node)}",
            _line(top, "analytes"),
        )
    else:
        for key, value in node.items():
            analyte = c.attempt(partial(read_analyte, c, key, value, _line(node, key)))
            if analyte is not None:
                analytes[analyte.key] = analyte
    return analytes


def read_analyte(c: Checker, key: Any, node: Any, line: int | None) -> Analyte:
    path = f"analytes.{key}"
    if not isinstance(key, str) or not key.isidentifier() or key != key.lower():
        raise c.fail(path, "analyte keys are lower-case names such as potassium", line)
    m = c.mapping(node, path, line, _ANALYTE_KEYS, _ANALYTE_OPTIONAL)

    def at(k: str) -> tuple[Any, str, int | None]:
        return m[k], f"{path}.{k}", _line(m, k)

    fields: dict[str, Any] = {
        "label": c.attempt(lambda: c.text(*at("label"))),
        "aliases": c.attempt(lambda: c.texts(*at("aliases"))),
        "loinc_codes": c.attempt(lambda: read_loinc(c, *at("loinc"))),
        "molar_mass": c.attempt(lambda: c.sourced(*at("molar_mass"), positive=True)),
        "valence": c.attempt(lambda: read_valence(c, *at("valence"))),
        "default_unit": c.attempt(lambda: c.unit(*at("default_unit")).spelling),
        "units": c.attempt(lambda: c.units(*at("units"))),
        "caveats": c.attempt(lambda: c.caveats(m, path)),
        "caveat_brief": c.attempt(lambda: c.caveat_brief(m, path)),
        "muscle_role": c.attempt(lambda: c.text(*at("muscle_role"))),
        "low": c.attempt(lambda: read_direction(c, *at("low"))),
        "high": c.attempt(lambda: read_direction(c, *at("high"))),
    }
    if "display_units" in m:
        fields["display_units"] = c.attempt(
            lambda: read_display_units(c, *at("display_units"), fields["units"])
        )
    if fields["molar_mass"] is None or fields["valence"] is None:
        raise _Invalid()  # limits cannot be converted without them
    convert = _Converter(fields["molar_mass"].value, int(fields["valence"].value))
    fields["plausible"] = c.attempt(lambda: read_limits(c, *at("plausible"), convert))
    fields["critical"] = c.attempt(lambda: read_intervals(c, *at("critical"), convert))
    fields["reference"] = c.attempt(lambda: read_intervals(c, *at("reference"), convert))
    grades = c.attempt(lambda: read_grade_scales(c, m, path, convert))
    if any(value is None for value in fields.values()) or grades is None:
        raise _Invalid()
    fields["grade_low"], fields["grade_high"] = grades
    fields["caveat_sources"] = c.caveat_sources(m)
    fields["caveat_brief"] = fields["caveat_brief"] or None
    fields["loinc"] = tuple(term.code for term in fields["loinc_codes"])
    check_order(c, path, m, fields)
    return Analyte(key=key, **fields)


def read_valence(c: Checker, node: Any, path: str, line: int | None) -> Sourced:
    sourced = c.sourced(node, path, line, positive=True)
    if sourced.value != int(sourced.value):
        raise c.fail(f"{path}.value", "must be a whole number (the ion's charge)", line)
    return sourced


def read_display_units(
    c: Checker, node: Any, path: str, line: int | None, units: tuple[str, ...] | None
) -> DisplayUnits:
    """``{si: UNIT, conventional: UNIT}``: an SI unit of substance (mmol/L), a conventional
    unit of another kind (mg/dL, mEq/L), each one of the analyte's ``units`` (``None`` when
    those did not validate: not compared then)."""
    m = c.mapping(node, path, line, set(UNIT_SYSTEMS))
    found: dict[str, str] = {}
    for system in UNIT_SYSTEMS:
        spath, sline = f"{path}.{system}", _line(m, system)
        unit = c.attempt(partial(c.unit, m[system], spath, sline))
        if unit is None:
            continue
        if system == "si" and unit.kind != "substance":
            c.fail(
                spath, f"must be a substance unit such as mmol/L, not {quote(unit.spelling)}", sline
            )
        elif system == "conventional" and unit.kind == "substance":
            c.fail(
                spath,
                f"must be a mass or equivalent unit such as mg/dL or mEq/L, not "
                f"{quote(unit.spelling)}: a substance unit is the SI system",
                sline,
            )
        elif units is not None and unit.spelling not in units:
            c.fail(
                spath,
                f"must be one of the analyte's units ({', '.join(units)}), not "
                f"{quote(unit.spelling)}",
                sline,
            )
        else:
            found[system] = unit.spelling
    if len(found) < len(UNIT_SYSTEMS):
        raise _Invalid()
    return DisplayUnits(**found)


def read_direction(c: Checker, node: Any, path: str, line: int | None) -> Direction:
    m = c.mapping(node, path, line, _DIRECTION_KEYS, frozenset({"treatment"}))
    risk = m["spasm_risk"]
    if risk not in SPASM_RISKS:
        raise c.fail(
            f"{path}.spasm_risk",
            f"must be one of {', '.join(SPASM_RISKS)}, not {quote(risk)}",
            _line(m, "spasm_risk"),
        )
    effect = c.attempt(lambda: c.text(m["effect"], f"{path}.effect", _line(m, "effect")))
    causes = c.attempt(lambda: c.texts(m["causes"], f"{path}.causes", _line(m, "causes")))
    sources = c.attempt(lambda: c.source_list(m["sources"], f"{path}.sources", _line(m, "sources")))
    treatment = (
        c.attempt(lambda: c.text(m["treatment"], f"{path}.treatment", _line(m, "treatment")))
        if "treatment" in m
        else None
    )
    if effect is None or causes is None or sources is None:
        raise _Invalid()
    if "treatment" in m and treatment is None:
        raise _Invalid()
    return Direction(effect, risk, causes, sources, treatment)
