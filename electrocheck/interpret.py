"""Interpretation of one value: conversion to mmol/L, flag, spasm risk and texts.

:func:`interpret` is the single place a value becomes a :class:`Result`; ``check``, batch
processing and JSON output all go through it, so the same value always gets the same answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from electrocheck.errors import ImplausibleValueError, UnitError, ValueTokenError, quote
from electrocheck.reference import Analyte, Reference
from electrocheck.tokens import parse_token
from electrocheck.units import HINT_UNITS, MMOL_PER_L, Unit, resolve_unit

#: Interpretation flags (HL7 v2 table 0078 / FHIR ObservationInterpretation), low to high.
FLAGS: tuple[str, ...] = ("LL", "L", "N", "H", "HH")
ABNORMAL = frozenset({"LL", "L", "H", "HH"})
CRITICAL = frozenset({"LL", "HH"})

#: Significant digits of the numbers electrocheck reports (not of those it compares).
REPORT_DIGITS = 4


def report_round(value: float) -> float:
    """Round a reported number to :data:`REPORT_DIGITS` significant digits."""
    return float(f"{value:.{REPORT_DIGITS}g}")


def format_number(value: float) -> str:
    """A reported number as text, without float noise or a trailing ``.0``."""
    return f"{report_round(value):g}"


@dataclass(frozen=True)
class Result:
    """The interpretation of one value. Numbers are in mmol/L unless named ``entered_*``."""

    analyte: str
    label: str
    input: str
    entered_value: float
    entered_unit: str
    unit_assumed: bool
    value: float
    low: float
    high: float
    critical_low: float
    critical_high: float
    flag: str
    spasm_risk: str
    muscle_role: str
    effect: str | None
    cancer_causes: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def abnormal(self) -> bool:
        return self.flag in ABNORMAL

    @property
    def critical(self) -> bool:
        return self.flag in CRITICAL

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this result; scripts depend on these names."""
        return {
            "analyte": self.analyte,
            "input": self.input,
            "value": report_round(self.value),
            "unit": MMOL_PER_L,
            "low": report_round(self.low),
            "high": report_round(self.high),
            "flag": self.flag,
            "spasm_risk": self.spasm_risk,
            "muscle_role": self.muscle_role,
            "effect": self.effect,
            "cancer_causes": list(self.cancer_causes),
            "notes": list(self.notes),
            "label": self.label,
            "entered_value": self.entered_value,
            "entered_unit": self.entered_unit,
            "unit_assumed": self.unit_assumed,
            "critical_low": report_round(self.critical_low),
            "critical_high": report_round(self.critical_high),
        }


def assumed_unit_note(unit: str) -> str:
    """The note a result carries when its unit was not given."""
    return f"no unit given: {unit} assumed"


#: Relative margin within which a value counts as equal to a limit. A value and a limit
#: written in different units (85 mg/L against 8.5 mg/dL) pass through different float
#: factors and can differ in the last bits; one part in 1e9 is far below any lab's
#: resolution and far above that noise. The batch engine applies the same rule.
LIMIT_TOLERANCE = 1e-9


def below(value: float, limit: float) -> bool:
    """``value`` is below ``limit`` by more than float noise."""
    return value < limit * (1 - LIMIT_TOLERANCE)


def above(value: float, limit: float) -> bool:
    """``value`` is above ``limit`` by more than float noise."""
    return value > limit * (1 + LIMIT_TOLERANCE)


def classify(analyte: Analyte, mmol: float) -> str:
    """The flag of a value in mmol/L against the analyte's limits (see the reference file)."""
    interval, critical = analyte.interval, analyte.critical
    if below(mmol, critical.low_mmol):
        return "LL"
    if above(mmol, critical.high_mmol):
        return "HH"
    if below(mmol, interval.low_mmol):
        return "L"
    if above(mmol, interval.high_mmol):
        return "H"
    return "N"


def plausible(analyte: Analyte, mmol: float) -> bool:
    """Whether a value in mmol/L lies within the analyte's plausible bounds."""
    bounds = analyte.plausible
    return not (below(mmol, bounds.low_mmol) or above(mmol, bounds.high_mmol))


def interpret(
    reference: Reference,
    analyte: str,
    value: float,
    unit: str | None = None,
    *,
    input: str | None = None,
) -> Result:
    """Interpret ``value`` of ``analyte`` (name, alias or LOINC code) in ``unit``.

    With no unit, the analyte's default unit from the reference file is assumed and the
    result's notes say so. Raises a subclass of :class:`~electrocheck.InputError` for an
    unknown analyte, a bad or negative value, an unknown or non-concentration unit, or a
    value implausible in its unit.
    """
    record = reference.analyte(analyte)
    shown = input if input is not None else f"{analyte}={value:g}{unit or ''}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueTokenError(f"{quote(shown)}: the value must be a number")
    if not math.isfinite(value) or value < 0:
        raise ValueTokenError(f"{quote(shown)}: the value must be a finite number >= 0")
    assumed = not (unit and unit.strip())
    try:
        resolved = resolve_unit(record.default_unit if assumed else str(unit))
    except UnitError as exc:
        raise UnitError(f"{quote(shown)}: {exc}") from None
    mmol = record.to_mmol(value, resolved)
    if not plausible(record, mmol):
        raise ImplausibleValueError(_implausible_message(record, shown, value, resolved, mmol))
    flag = classify(record, mmol)
    return _result(record, shown, value, resolved, assumed, mmol, flag)


def interpret_token(reference: Reference, token: str, unit: str | None = None) -> Result:
    """Interpret a ``NAME=NUMBER[UNIT]`` token; ``unit`` supplies a unit given separately."""
    parsed = parse_token(token)
    if unit and parsed.unit:
        raise ValueTokenError(f"{quote(token)} already has a unit; {quote(unit)} is one too many")
    shown = f"{token} {unit}" if unit else token
    return interpret(reference, parsed.name, parsed.value, parsed.unit or unit, input=shown)


def _result(
    record: Analyte, shown: str, value: float, unit: Unit, assumed: bool, mmol: float, flag: str
) -> Result:
    direction = record.low if flag in ("L", "LL") else record.high if flag in ("H", "HH") else None
    notes: list[str] = []
    if assumed:
        notes.append(assumed_unit_note(unit.spelling))
        notes.extend(_ambiguity_note(record, value, unit, flag))
    if flag in CRITICAL:
        limit = record.critical
        side = f"below {limit.low:g}" if flag == "LL" else f"above {limit.high:g}"
        notes.append(f"beyond the critical limit ({side} {limit.unit}): needs urgent attention")
    return Result(
        analyte=record.key,
        label=record.label,
        input=shown,
        entered_value=value,
        entered_unit=unit.spelling,
        unit_assumed=assumed,
        value=mmol,
        low=record.interval.low_mmol,
        high=record.interval.high_mmol,
        critical_low=record.critical.low_mmol,
        critical_high=record.critical.high_mmol,
        flag=flag,
        spasm_risk="none" if direction is None else direction.spasm_risk,
        muscle_role=record.muscle_role,
        effect=None if direction is None else direction.effect,
        cancer_causes=() if direction is None else direction.causes,
        notes=tuple(notes),
    )


def _alternatives(record: Analyte, value: float, exclude: Unit) -> list[tuple[float, str, float]]:
    """Other common units in which ``value`` is plausible, closest to the interval first:
    ``(distance, unit, mmol)``; distance is 0 inside the reference interval."""
    found = []
    for order, spelling in enumerate(HINT_UNITS):
        unit = resolve_unit(spelling)
        mmol = record.to_mmol(value, unit)
        if unit.spelling == exclude.spelling or mmol == record.to_mmol(value, exclude):
            continue
        if plausible(record, mmol) and mmol > 0:
            low, high = record.interval.low_mmol, record.interval.high_mmol
            distance = (
                0.0
                if low <= mmol <= high
                else min(abs(math.log(mmol / low)), abs(math.log(mmol / high)))
            )
            found.append((distance, order, unit.spelling, mmol))
    # Closest first; on a tie, the more common unit (HINT_UNITS order) first.
    return [(distance, spelling, mmol) for distance, _, spelling, mmol in sorted(found)]


def _implausible_message(record: Analyte, shown: str, value: float, unit: Unit, mmol: float) -> str:
    bounds = record.plausible
    message = (
        f"{quote(shown)}: {value:g} {unit.spelling} is not a plausible {record.key} level "
        f"(plausible {bounds.low_mmol:g}-{bounds.high_mmol:g} mmol/L)"
    )
    options = _alternatives(record, value, unit)
    if not options:
        return message + "; check the value and its unit"
    distance, spelling, alt = options[0]
    where = "within the reference interval" if distance == 0 else "a possible value"
    name = shown.split("=", 1)[0].strip() if "=" in shown else record.key
    return (
        f"{message}; as {spelling} it would be {format_number(alt)} mmol/L, {where}: "
        f"write {name}={value:g}{spelling} if that is what was meant"
    )


def _ambiguity_note(record: Analyte, value: float, unit: Unit, flag: str) -> list[str]:
    """When an assumed unit makes a value abnormal but another common unit makes it normal,
    say so: magnesium 1.8 is high in mmol/L and normal in mg/dL."""
    if flag == "N":
        return []
    for distance, spelling, alt in _alternatives(record, value, unit):
        if distance == 0:
            return [
                f"if {value:g} was in {spelling} it would be {format_number(alt)} mmol/L, "
                "within the reference interval: give the unit to be sure"
            ]
    return []
