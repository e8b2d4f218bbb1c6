"""Corrected results: calcium corrected for albumin, sodium corrected for glucose.

The formulas, their units and their caveats are in the reference file (``corrections:``);
this module applies them. A corrected result is a :class:`~electrocheck.clinical.result.Result`
of its own (``corrected_calcium``), flagged with the limits of the analyte it corrects.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from electrocheck.clinical.classify import plausible
from electrocheck.clinical.interpret import As, Measured, evaluate, require_concentration
from electrocheck.clinical.result import Result, denoise, format_number
from electrocheck.errors import (
    AmbiguousUnitError,
    ImplausibleValueError,
    UnitError,
    ValueTokenError,
    quote,
)
from electrocheck.reference import Correction, Covariate, Formula, Reference
from electrocheck.reference.patient import UNKNOWN, Patient
from electrocheck.units.resolve import Unit, resolve_unit
from electrocheck.units.tokens import parse_token


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
    require_concentration(value, shown)
    assumed = not (unit and unit.strip())
    try:
        resolved = resolve_unit(covariate.default_unit if assumed else str(unit))
        in_bounds = _plausible(covariate, value, resolved)
    except UnitError as exc:
        raise UnitError(f"{quote(shown)}: {exc}") from None
    bounds = covariate.plausible
    if assumed and in_bounds:
        others = [
            u
            for u in covariate.units
            if u != resolved.spelling and _plausible(covariate, value, resolve_unit(u))
        ]
        if others:
            name = shown.split("=", 1)[0].strip() if "=" in shown else covariate.key
            raise AmbiguousUnitError(
                f"{quote(shown)}: no unit given, and {value:g} is a plausible {covariate.key} "
                f"level in {resolved.spelling} and in {others[0]}; write "
                f"{name}={value:g}{resolved.spelling} or {name}={value:g}{others[0]}"
            )
    if not in_bounds:
        others = [u for u in covariate.units if resolve_unit(u).spelling != resolved.spelling]
        hint = f"; give its unit ({', '.join(others)}?)" if assumed and others else ""
        raise ImplausibleValueError(
            f"{quote(shown)}: {value:g} {resolved.spelling} is not a plausible "
            f"{covariate.key} level (plausible {bounds.low:g}-{bounds.high:g} {bounds.unit})"
            f"{hint}"
        )
    return CovariateValue(covariate, shown, value, resolved, assumed)


def _plausible(covariate: Covariate, value: float, unit: Unit) -> bool:
    bounds = covariate.plausible
    in_bounds = covariate.convert(value, unit, resolve_unit(bounds.unit))
    return bounds.low <= in_bounds <= bounds.high


def read_covariate_token(reference: Reference, token: str, unit: str | None) -> CovariateValue:
    """A ``NAME=NUMBER[UNIT]`` token of a covariate (``alb=2.5g/dL``)."""
    parsed = parse_token(token)
    if unit and parsed.unit:
        raise ValueTokenError(f"{quote(token)} already has a unit; {quote(unit)} is one too many")
    shown = f"{token} {unit}" if unit else token
    return read_covariate(reference, parsed.name, parsed.value, parsed.unit or unit, shown)


@dataclass(frozen=True)
class Corrected:
    """A corrected value, before it is interpreted: what was computed and how."""

    correction: Correction
    value: float  # in ``unit``, rounded as reported
    unit: str
    lead_notes: tuple[str, ...]  # the covariate's assumed unit, and the formula with its numbers


def corrected_value(
    reference: Reference,
    analyte: str,
    entered: float,
    unit: str,
    given: CovariateValue,
    *,
    explain: bool = True,
) -> Corrected:
    """The corrected value of ``entered`` (in ``unit``) of ``analyte`` with the covariate
    ``given``, by the formula of the unit's system. The result drops the float noise of the
    arithmetic (8.799999999999999 is 8.8), so that noise never decides a flag.
    ``explain=False`` spares writing out the formula where no one will read it."""
    correction = reference.correction_of(analyte)
    if correction is None or correction.covariate != given.covariate.key:
        raise ValueTokenError(f"{quote(given.shown)} does not correct {analyte}")
    record = reference.analytes[analyte]
    measured_unit = resolve_unit(unit)
    formula = correction.formula_for(measured_unit)
    target = resolve_unit(formula.unit)
    # Converting only when the units differ keeps 7.6 mg/dL exactly 7.6 in a mg/dL formula.
    value = (
        entered
        if target.spelling == measured_unit.spelling
        else entered * record.factor_to_mmol(measured_unit) / record.factor_to_mmol(target)
    )
    covariate_unit = resolve_unit(formula.covariate_unit)
    covariate = (
        given.value
        if covariate_unit.spelling == given.unit.spelling
        else given.covariate.convert(given.value, given.unit, covariate_unit)
    )
    corrected = denoise(value + formula.correction(covariate))
    if not explain:
        return Corrected(correction, corrected, target.spelling, ())
    how = (
        f"corrected = {format_number(value)} + "
        f"{_formula_text(formula, given.covariate.key, covariate)} "
        f"= {format_number(corrected)} {target.spelling} ({formula.source})"
    )
    notes = [how]
    if given.assumed:
        notes.insert(0, f"no unit given for {given.covariate.key}: {given.unit.spelling} assumed")
    return Corrected(correction, corrected, target.spelling, tuple(notes))


def corrected_result(
    reference: Reference,
    corrected: Corrected,
    patient: Patient = UNKNOWN,
    shown: str = "",
    system: str | None = None,
) -> Result:
    """The result of a corrected value, flagged with the limits of the analyte it corrects
    (and graded in its place where CTCAE says so), its numbers shown in the display unit of
    ``system`` (None: of the formula's unit). Raises :class:`ImplausibleValueError` when the
    corrected value could not be real."""
    correction = corrected.correction
    record = reference.analytes[correction.corrects]
    unit = resolve_unit(corrected.unit)
    mmol = corrected.value * record.factor_to_mmol(unit)
    if not (corrected.value > 0 and plausible(record, mmol)):
        raise ImplausibleValueError(
            f"the {correction.label.lower()} would be {format_number(corrected.value)} "
            f"{unit.spelling}, which is not plausible: check both values and their units"
        )
    speaks_as = As(correction.key, correction.label, correction.graded, correction.caveats)
    return evaluate(
        reference,
        Measured(record, shown, corrected.value, unit, False, mmol),
        patient,
        frozenset({correction.covariate}),
        speaks_as,
        system,
    )


def correct(
    reference: Reference,
    measured: Result,
    given: CovariateValue,
    patient: Patient = UNKNOWN,
    system: str | None = None,
) -> Result:
    """The corrected result of ``measured`` (a result of the analyte a correction corrects)
    with the covariate ``given``. The formula of the measured value's unit system is used;
    the notes start with the formula and its numbers. ``system``: as for
    :func:`corrected_result`."""
    found = corrected_value(
        reference, measured.analyte, measured.entered_value, measured.entered_unit, given
    )
    shown = f"{measured.input} {given.shown}"
    try:
        result = corrected_result(reference, found, patient, shown, system)
    except ImplausibleValueError as exc:
        raise ImplausibleValueError(f"{quote(shown)}: {exc}") from None
    return dataclasses.replace(result, notes=(*found.lead_notes, *result.notes))


def _formula_text(formula: Formula, name: str, covariate: float) -> str:
    """``0.8 x (4 - albumin 2.5 g/dL)``, with the numbers of this correction."""
    scale = f"{formula.add:g}" if formula.per == 1 else f"{formula.add:g}/{formula.per:g}"
    pivot, value = f"{formula.pivot:g}", f"{name} {format_number(covariate)}"
    inner = f"{pivot} - {value}" if formula.direction == "below" else f"{value} - {pivot}"
    text = f"{scale} x ({inner} {formula.covariate_unit})"
    if formula.one_sided and formula.correction(covariate) == 0:
        text += f", 0 when not {formula.direction} {pivot}"
    return text
