"""Corrected results: calcium corrected for albumin, sodium corrected for glucose.

The formulas, their units and their caveats are in the reference file (``corrections:``);
this module applies them. A corrected result is a :class:`~electrocheck.interpret.Result`
of its own (``corrected_calcium``), flagged with the limits of the analyte it corrects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from electrocheck.errors import ImplausibleValueError, UnitError, ValueTokenError, quote
from electrocheck.interpret import As, Measured, Result, evaluate, format_number, plausible
from electrocheck.patient import UNKNOWN, Patient
from electrocheck.reference import Covariate, Formula, Reference
from electrocheck.tokens import parse_token
from electrocheck.units import Unit, resolve_unit


@dataclass(frozen=True)
class CovariateValue:
    """A covariate as given: ``alb=2.5g/dL``."""

    covariate: Covariate
    shown: str
    value: float
    unit: Unit
    assumed: bool


def read_covariate(
    reference: Reference, name: str, value: float, unit: str | None, shown: str
) -> CovariateValue:
    """Check a covariate's value and unit; raises an :class:`InputError` naming ``shown``."""
    covariate = reference.covariate(name)
    if covariate is None:
        raise ValueTokenError(f"{quote(shown)}: not a covariate")
    if not math.isfinite(value) or value < 0:
        raise ValueTokenError(f"{quote(shown)}: the value must be a finite number >= 0")
    assumed = not (unit and unit.strip())
    try:
        resolved = resolve_unit(covariate.default_unit if assumed else str(unit))
        bounds_unit = resolve_unit(covariate.plausible.unit)
        in_bounds = covariate.convert(value, resolved, bounds_unit)
    except UnitError as exc:
        raise UnitError(f"{quote(shown)}: {exc}") from None
    bounds = covariate.plausible
    if not bounds.low <= in_bounds <= bounds.high:
        others = [u for u in covariate.units if resolve_unit(u).spelling != resolved.spelling]
        hint = f"; give its unit ({', '.join(others)}?)" if assumed and others else ""
        raise ImplausibleValueError(
            f"{quote(shown)}: {value:g} {resolved.spelling} is not a plausible "
            f"{covariate.key} level (plausible {bounds.low:g}-{bounds.high:g} {bounds.unit})"
            f"{hint}"
        )
    return CovariateValue(covariate, shown, value, resolved, assumed)


def read_covariate_token(reference: Reference, token: str, unit: str | None) -> CovariateValue:
    """A ``NAME=NUMBER[UNIT]`` token of a covariate (``alb=2.5g/dL``)."""
    parsed = parse_token(token)
    if unit and parsed.unit:
        raise ValueTokenError(f"{quote(token)} already has a unit; {quote(unit)} is one too many")
    shown = f"{token} {unit}" if unit else token
    return read_covariate(reference, parsed.name, parsed.value, parsed.unit or unit, shown)


def correct(
    reference: Reference,
    measured: Result,
    given: CovariateValue,
    patient: Patient = UNKNOWN,
) -> Result:
    """The corrected result of ``measured`` (a result of the analyte a correction corrects)
    with the covariate ``given``. The formula of the measured value's unit system is used."""
    correction = reference.correction_of(measured.analyte)
    if correction is None or correction.covariate != given.covariate.key:
        raise ValueTokenError(f"{quote(given.shown)} does not correct {measured.analyte}")
    record = reference.analytes[measured.analyte]
    entered = resolve_unit(measured.entered_unit)
    formula = correction.formula_for(entered)
    unit = resolve_unit(formula.unit)
    # Converting only when the units differ keeps 7.6 mg/dL exactly 7.6 in a mg/dL formula.
    value = (
        measured.entered_value
        if unit.spelling == entered.spelling
        else measured.value / record.factor_to_mmol(unit)
    )
    covariate_unit = resolve_unit(formula.covariate_unit)
    covariate = (
        given.value
        if covariate_unit.spelling == given.unit.spelling
        else given.covariate.convert(given.value, given.unit, covariate_unit)
    )
    corrected = value + formula.correction(covariate)
    mmol = corrected * record.factor_to_mmol(unit)
    shown = f"{measured.input} {given.shown}"
    if not (corrected > 0 and plausible(record, mmol)):
        raise ImplausibleValueError(
            f"{quote(shown)}: the {correction.label.lower()} would be {format_number(corrected)} "
            f"{unit.spelling}, which is not plausible: check both values and their units"
        )
    how = (
        f"corrected = {format_number(value)} + "
        f"{_formula_text(formula, given.covariate.key, covariate)} "
        f"= {format_number(corrected)} {unit.spelling} ({formula.source})"
    )
    notes = [how, *correction.caveats]
    if given.assumed:
        notes.insert(0, f"no unit given for {given.covariate.key}: {given.unit.spelling} assumed")
    speaks_as = As(correction.key, correction.label, correction.graded, tuple(notes))
    return evaluate(
        reference,
        Measured(record, shown, corrected, unit, False, mmol),
        patient,
        frozenset({given.covariate.key}),
        speaks_as,
    )


def _formula_text(formula: Formula, name: str, covariate: float) -> str:
    """``0.8 x (4 - albumin 2.5 g/dL)``, with the numbers of this correction."""
    scale = f"{formula.add:g}" if formula.per == 1 else f"{formula.add:g}/{formula.per:g}"
    pivot, value = f"{formula.pivot:g}", f"{name} {format_number(covariate)}"
    inner = f"{pivot} - {value}" if formula.direction == "below" else f"{value} - {pivot}"
    text = f"{scale} x ({inner} {formula.covariate_unit})"
    if formula.one_sided and formula.correction(covariate) == 0:
        text += f", 0 when not {formula.direction} {pivot}"
    return text
