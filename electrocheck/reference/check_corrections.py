"""Checks of ``covariates`` (values that correct an analyte, such as albumin) and of
``corrections`` (an analyte corrected by a covariate, by one linear formula per unit system).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from electrocheck.errors import UnitError, quote
from electrocheck.reference.check_base import _CAVEAT_KEYS, Checker, _Invalid, _kind, _line
from electrocheck.reference.check_limits import _unconverted, read_limits
from electrocheck.reference.check_names import read_loinc
from electrocheck.reference.model import Analyte, Correction, Covariate, Formula, unit_system
from electrocheck.units.resolve import resolve_unit

_COVARIATE_KEYS = {"label", "aliases", "loinc", "default_unit", "units", "plausible"}
_CORRECTION_KEYS = {"label", "corrects", "covariate", "graded", "formulas"}
_FORMULA_KEYS = {
    "unit",
    "add",
    "per",
    "covariate_unit",
    "pivot",
    "direction",
    "one_sided",
    "source",
}


def read_covariates(c: Checker, top: Any) -> dict[str, Covariate]:
    node = top.get("covariates")
    if node is None:
        return {}
    if not isinstance(node, dict):
        c.fail("covariates", f"must be a mapping, not {_kind(node)}", _line(top, "covariates"))
        return {}
    found: dict[str, Covariate] = {}
    for key, value in node.items():
        covariate = c.attempt(partial(read_covariate, c, key, value, _line(node, key)))
        if covariate is not None:
            found[key] = covariate
    return found


def read_covariate(c: Checker, key: Any, node: Any, line: int | None) -> Covariate:
    path = f"covariates.{key}"
    if not isinstance(key, str) or not key.isidentifier() or key != key.lower():
        raise c.fail(path, "covariate keys are lower-case names such as albumin", line)
    m = c.mapping(node, path, line, _COVARIATE_KEYS, frozenset({"molar_mass"}))

    def at(k: str) -> tuple[Any, str, int | None]:
        return m[k], f"{path}.{k}", _line(m, k)

    label = c.attempt(lambda: c.text(*at("label")))
    aliases = c.attempt(lambda: c.texts(*at("aliases")))
    loinc = c.attempt(lambda: read_loinc(c, *at("loinc")))
    molar_mass = (
        c.attempt(lambda: c.sourced(*at("molar_mass"), positive=True))
        if "molar_mass" in m
        else None
    )
    default = c.attempt(lambda: c.unit(*at("default_unit")))
    units = c.attempt(lambda: c.units(*at("units")))
    # The bounds stay in their own unit (low_mmol is low): see Covariate.plausible.
    plausible = c.attempt(lambda: read_limits(c, *at("plausible"), _unconverted))
    if None in (label, aliases, loinc, default, units, plausible) or (
        "molar_mass" in m and molar_mass is None
    ):
        raise _Invalid()
    kinds = {resolve_unit(u).kind for u in (*units, default.spelling, plausible.unit)}
    if "equivalent" in kinds or (len(kinds) > 1 and molar_mass is None):
        raise c.fail(
            f"{path}.units",
            "covariate units must be mass or substance units; mixing the two needs a molar_mass",
            _line(m, "units"),
        )
    codes = tuple(term.code for term in loinc)
    return Covariate(
        key, label, aliases, codes, molar_mass, default.spelling, units, plausible, loinc
    )


def read_corrections(
    c: Checker,
    top: Any,
    analytes: dict[str, Analyte],
    covariates: dict[str, Covariate],
    written: set[str],
) -> dict[str, Correction]:
    node = top.get("corrections")
    if node is None:
        return {}
    if not isinstance(node, dict):
        c.fail("corrections", f"must be a mapping, not {_kind(node)}", _line(top, "corrections"))
        return {}
    found: dict[str, Correction] = {}
    for key, value in node.items():
        correction = c.attempt(
            partial(read_correction, c, key, value, _line(node, key), analytes, covariates, written)
        )
        if correction is None:
            continue
        if key in analytes or any(
            other.corrects == correction.corrects for other in found.values()
        ):
            c.fail(
                f"corrections.{key}",
                "its key is an analyte's, or its analyte already has a correction",
                _line(node, key),
            )
            continue
        found[key] = correction
    return found


def read_correction(
    c: Checker,
    key: Any,
    node: Any,
    line: int | None,
    analytes: dict[str, Analyte],
    covariates: dict[str, Covariate],
    written: set[str],
) -> Correction:
    path = f"corrections.{key}"
    if not isinstance(key, str) or not key.isidentifier() or key != key.lower():
        raise c.fail(path, "correction keys are lower-case names", line)
    m = c.mapping(node, path, line, _CORRECTION_KEYS, _CAVEAT_KEYS)
    label = c.attempt(lambda: c.text(m["label"], f"{path}.label", _line(m, "label")))
    caveats = c.attempt(lambda: c.caveats(m, path))
    caveat_brief = c.attempt(lambda: c.caveat_brief(m, path))
    corrects, covariate = m["corrects"], m["covariate"]
    # A list or mapping here is a mistake to report, not a key to look up (it is unhashable).
    if not isinstance(corrects, str) or corrects not in written:
        c.fail(f"{path}.corrects", f"no analyte {quote(str(corrects))}", _line(m, "corrects"))
    if not isinstance(covariate, str) or covariate not in covariates:
        message = f"no covariate {quote(str(covariate))}"
        c.fail(f"{path}.covariate", message, _line(m, "covariate"))
    if not isinstance(m["graded"], bool):
        c.fail(f"{path}.graded", "must be true or false", _line(m, "graded"))
    items = m["formulas"]
    if not isinstance(items, list) or not items:
        raise c.fail(f"{path}.formulas", "must be a non-empty list", _line(m, "formulas"))
    formulas = [
        c.attempt(partial(read_formula, c, item, f"{path}.formulas[{i}]", _line(items, i)))
        for i, item in enumerate(items)
    ]
    if (
        label is None
        or caveats is None
        or caveat_brief is None
        or None in formulas
        or not isinstance(corrects, str)
        or corrects not in analytes
        or not isinstance(covariate, str)
        or covariate not in covariates
        or not isinstance(m["graded"], bool)
    ):
        raise _Invalid()
    reachable = c.attempt(
        lambda: check_covariate_units(c, covariates[covariate], formulas, path, items)
    )
    if reachable is None:
        raise _Invalid()
    return Correction(
        key,
        label,
        corrects,
        covariate,
        m["graded"],
        tuple(formulas),
        tuple(caveats),
        c.caveat_sources(m),
        caveat_brief or None,
    )


def check_covariate_units(
    c: Checker, covariate: Covariate, formulas: list[Formula], path: str, items: Any
) -> bool:
    """Every unit the covariate may come in must convert to each formula's unit."""
    for i, formula in enumerate(formulas):
        target = resolve_unit(formula.covariate_unit)
        for spelling in (covariate.default_unit, *covariate.units):
            try:
                covariate.convert(1.0, resolve_unit(spelling), target)
            except UnitError as err:
                hint = (
                    str(err).split(": ", 1)[1]
                    if target.kind == "equivalent"
                    else f"{covariate.key} in {spelling} cannot be converted to "
                    f"{target.spelling} (give the covariate a molar_mass, or another unit)"
                )
                raise c.fail(
                    f"{path}.formulas[{i}].covariate_unit", hint, _line(items, i)
                ) from None
    return True


def read_formula(c: Checker, node: Any, path: str, line: int | None) -> Formula:
    m = c.mapping(node, path, line, _FORMULA_KEYS)

    def at(k: str) -> tuple[Any, str, int | None]:
        return m[k], f"{path}.{k}", _line(m, k)

    unit = c.attempt(lambda: c.unit(*at("unit")))
    covariate_unit = c.attempt(lambda: c.unit(*at("covariate_unit")))
    numbers = [c.attempt(partial(c.number, *at(k))) for k in ("add", "per", "pivot")]
    source = c.attempt(lambda: c.source(*at("source")))
    if m["direction"] not in ("below", "above"):
        c.fail(f"{path}.direction", "must be below or above", _line(m, "direction"))
    if not isinstance(m["one_sided"], bool):
        c.fail(f"{path}.one_sided", "must be true or false", _line(m, "one_sided"))
    if None in (unit, covariate_unit, source, *numbers) or m["direction"] not in (
        "below",
        "above",
    ):
        raise _Invalid()
    add, per, pivot = numbers
    if per <= 0:
        raise c.fail(f"{path}.per", "must be greater than 0", _line(m, "per"))
    return Formula(
        unit.spelling,
        add,
        per,
        covariate_unit.spelling,
        pivot,
        m["direction"],
        bool(m["one_sided"]),
        source,
        unit_system(unit),
    )
