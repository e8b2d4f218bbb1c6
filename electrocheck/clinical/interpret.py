"""Interpretation of one value: conversion to mmol/L, flag, spasm risk and texts.

:func:`interpret` is the single place a value becomes a :class:`Result`; ``check``, batch
processing and JSON output all go through it, so the same value always gets the same answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from electrocheck.clinical.compare import above, below
from electrocheck.clinical.grading import grade_value
from electrocheck.errors import (
    AmbiguousUnitError,
    ImplausibleValueError,
    UnitError,
    ValueTokenError,
    quote,
)
from electrocheck.reference import Analyte, Limits, Reference
from electrocheck.reference.patient import UNKNOWN, Patient
from electrocheck.units.resolve import MMOL_PER_L, Unit, resolve_unit
from electrocheck.units.tokens import parse_token

#: Interpretation flags (HL7 v2 table 0078 / FHIR ObservationInterpretation), low to high.
FLAGS: tuple[str, ...] = ("LL", "L", "N", "H", "HH")
ABNORMAL = frozenset({"LL", "L", "H", "HH"})
FLAG_WORDS = {
    "LL": "critically low",
    "L": "low",
    "N": "normal",
    "H": "high",
    "HH": "critically high",
}
CRITICAL = frozenset({"LL", "HH"})

#: Significant digits of the numbers electrocheck reports (not of those it compares).
REPORT_DIGITS = 4


def report_round(value: float) -> float:
    """Round a reported number to :data:`REPORT_DIGITS` significant digits."""
    return float(f"{value:.{REPORT_DIGITS}g}")


#: Significant digits a computed value (a corrected calcium) keeps before it is compared:
#: enough for any real difference, few enough to drop the float noise of arithmetic
#: (7.2 + 0.8 x 1.0 = 8.000000000000002 must meet the cut-point 8.0 as 8.0).
COMPUTED_DIGITS = 10


def denoise(value: float) -> float:
    """A computed value rounded to :data:`COMPUTED_DIGITS` significant digits."""
    return float(f"{value:.{COMPUTED_DIGITS}g}")


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
    grade: int | None
    grade_basis: str
    population: str  # whom the limits are for: "adults (age not given)", "age 11d to 3y"
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
            "grade": self.grade,
            "grade_basis": self.grade_basis,
            "population": self.population,
        }


def assumed_unit_note(unit: str) -> str:
    """The note a result carries when its unit was not given."""
    return f"no unit given: {unit} assumed"


def classify(mmol: float, interval: Limits, critical: Limits) -> str:
    """The flag of a value in mmol/L against a reference interval and critical limits."""
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
    patient: Patient = UNKNOWN,
    covariates: frozenset[str] = frozenset(),
) -> Result:
    """Interpret ``value`` of ``analyte`` (name, alias or LOINC code) in ``unit``.

    With no unit, the analyte's default unit from the reference file is assumed and the
    result's notes say so. Raises a subclass of :class:`~electrocheck.InputError` for an
    unknown analyte, a bad or negative value, an unknown or non-concentration unit, a value
    implausible in its unit, or a value without a unit that reads as abnormal in the default
    unit and as normal in another of the analyte's units.

    ``patient`` chooses the limits of an age band and sex, and the symptomatic grade where
    symptoms decide. ``covariates`` names the covariates given with the value (``albumin``):
    a value whose correction is graded in its place is then not graded itself.
    """
    record = reference.analyte(analyte)
    shown = input if input is not None else f"{analyte}={value:g}{unit or ''}"
    require_concentration(value, shown)
    assumed = not (unit and unit.strip())
    try:
        resolved = resolve_unit(record.default_unit if assumed else str(unit))
    except UnitError as exc:
        raise UnitError(f"{quote(shown)}: {exc}") from None
    mmol = record.to_mmol(value, resolved)
    if not plausible(record, mmol):
        raise ImplausibleValueError(_implausible_message(record, shown, value, resolved))
    flag = classify(
        mmol, record.interval_for(resolved, patient), record.critical_for(resolved, patient)
    )
    if assumed and flag != "N":
        _refuse_if_ambiguous(record, shown, value, resolved, flag, patient)
    measured = Measured(record, shown, value, resolved, assumed, mmol)
    return evaluate(reference, measured, patient, covariates)


def require_concentration(value: object, shown: str) -> None:
    """Refuse a value no concentration can be (not a number, negative, NaN, infinite), with
    a message that names ``shown``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueTokenError(f"{quote(shown)}: the value must be a number")
    if not math.isfinite(value) or value < 0:
        raise ValueTokenError(f"{quote(shown)}: the value must be a finite number >= 0")


def interpret_token(
    reference: Reference,
    token: str,
    unit: str | None = None,
    *,
    patient: Patient = UNKNOWN,
    covariates: frozenset[str] = frozenset(),
) -> Result:
    """Interpret a ``NAME=NUMBER[UNIT]`` token; ``unit`` supplies a unit given separately."""
    parsed = parse_token(token)
    if unit and parsed.unit:
        raise ValueTokenError(f"{quote(token)} already has a unit; {quote(unit)} is one too many")
    shown = f"{token} {unit}" if unit else token
    return interpret(
        reference,
        parsed.name,
        parsed.value,
        parsed.unit or unit,
        input=shown,
        patient=patient,
        covariates=covariates,
    )


@dataclass(frozen=True)
class Measured:
    """A value on its way to a result: read, converted, and known to be plausible."""

    record: Analyte
    shown: str
    value: float  # as entered
    unit: Unit
    assumed: bool
    mmol: float


@dataclass(frozen=True)
class As:
    """Who a result speaks for, when not the measured analyte itself (a corrected result)."""

    key: str
    label: str
    graded: bool
    notes: tuple[str, ...]


def evaluate(
    reference: Reference,
    measured: Measured,
    patient: Patient = UNKNOWN,
    covariates: frozenset[str] = frozenset(),
    speaks_as: As | None = None,
) -> Result:
    """The result of a measured value: flag, grade, texts and notes."""
    record, unit, mmol = measured.record, measured.unit, measured.mmol
    interval, critical = record.interval_for(unit, patient), record.critical_for(unit, patient)
    flag = classify(mmol, interval, critical)
    direction = record.low if flag in ("L", "LL") else record.high if flag in ("H", "HH") else None
    notes: list[str] = []
    if measured.assumed:
        notes.append(assumed_unit_note(unit.spelling))
    if flag in CRITICAL:
        notes.append(critical_note(critical, flag))
    if speaks_as is not None:
        notes.extend(speaks_as.notes)
    elif direction is not None:
        notes.extend(record.caveats)
    grade_number, basis, grade_notes = graded(
        reference, record, flag, mmol, unit, patient, covariates, speaks_as
    )
    notes.extend(grade_notes)
    return Result(
        analyte=record.key if speaks_as is None else speaks_as.key,
        label=record.label if speaks_as is None else speaks_as.label,
        input=measured.shown,
        entered_value=measured.value,
        entered_unit=unit.spelling,
        unit_assumed=measured.assumed,
        value=mmol,
        low=interval.low_mmol,
        high=interval.high_mmol,
        critical_low=critical.low_mmol,
        critical_high=critical.high_mmol,
        flag=flag,
        grade=grade_number,
        grade_basis=basis,
        population=population_of(interval, patient, critical),
        spasm_risk="none" if direction is None else direction.spasm_risk,
        muscle_role=record.muscle_role,
        effect=None if direction is None else direction.effect,
        cancer_causes=() if direction is None else direction.causes,
        notes=tuple(notes),
    )


def graded(
    reference: Reference,
    record: Analyte,
    flag: str,
    mmol: float,
    unit: Unit,
    patient: Patient,
    covariates: frozenset[str],
    speaks_as: As | None = None,
) -> tuple[int | None, str, list[str]]:
    """The grade of a value, what gave it, and the notes that go with it. A value whose
    correction CTCAE grades in its place (calcium, with albumin given) is not graded; a
    corrected result that CTCAE does not grade (corrected sodium) is not either."""
    grade = grade_value(record, flag, mmol, unit, patient)
    number, basis, notes = grade.grade, grade.basis, []
    correction = reference.correction_of(record.key) if speaks_as is None else None
    if speaks_as is not None and not speaks_as.graded:
        number, basis = None, f"not graded: CTCAE grades the measured {record.key}"
    elif correction is not None and correction.graded:
        if correction.covariate in covariates:
            number, basis = None, f"not graded: CTCAE grades {correction.key} instead"
        elif number:
            basis += f"; no {correction.label.lower()}, so the measured value was graded"
            notes.append(
                f"CTCAE grades {record.key} corrected for {correction.covariate}; with no "
                f"{correction.label.lower()} (give {correction.covariate}), the measured value "
                "was graded"
            )
    if grade.note is not None and number is not None:
        notes.append(grade.note)
    return number, basis, notes


def population_of(interval: Limits, patient: Patient, critical: Limits | None = None) -> str:
    """Whom the limits applied are for, and whether that was for want of an age: the
    interval's population, and the critical limits' where they are another's."""
    population = interval.population()
    if patient.age_days is None and interval.age is None:
        population += " (age not given)"
    if critical is not None and (
        critical.age != interval.age or critical.sex not in (None, interval.sex)
    ):
        population += f"; critical limits for {critical.population()}"
    return population


def critical_note(limit: Limits, flag: str) -> str:
    """The note of a value beyond a critical limit, the limit in its unit and in mmol/L."""
    value, mmol = (limit.low, limit.low_mmol) if flag == "LL" else (limit.high, limit.high_mmol)
    side = "below" if flag == "LL" else "above"
    shown = f"{value:g} {limit.unit}"
    if limit.unit != MMOL_PER_L:
        shown += f" = {format_number(mmol)} mmol/L"
    return f"beyond the critical limit ({side} {shown}): needs urgent attention"


def _alternatives(
    record: Analyte, value: float, exclude: Unit, patient: Patient = UNKNOWN
) -> list[tuple[float, str, float]]:
    """The analyte's other units in which ``value`` is plausible, closest to the reference
    interval first: ``(distance, unit, mmol)``; distance is 0 inside the interval."""
    found = []
    for order, spelling in enumerate(record.units):
        unit = resolve_unit(spelling)
        mmol = record.to_mmol(value, unit)
        if mmol == record.to_mmol(value, exclude) or not plausible(record, mmol) or mmol <= 0:
            continue
        interval = record.interval_for(unit, patient)
        low, high = interval.low_mmol, interval.high_mmol
        inside = classify(mmol, interval, record.critical_for(unit, patient)) == "N"
        distance = 0.0 if inside else min(abs(math.log(mmol / low)), abs(math.log(mmol / high)))
        found.append((distance, order, unit.spelling, mmol))
    # Closest first; on a tie, the unit listed first in the reference file.
    return [(distance, spelling, mmol) for distance, _, spelling, mmol in sorted(found)]


def _implausible_message(record: Analyte, shown: str, value: float, unit: Unit) -> str:
    bounds = record.plausible
    message = (
        f"{quote(shown)}: {value:g} {unit.spelling} is not a plausible {record.key} level "
        f"(plausible {bounds.low_mmol:g}-{bounds.high_mmol:g} mmol/L)"
    )
    options = _alternatives(record, value, unit)
    if not options:
        return message + "; check the value and its unit"
    distance, spelling, alt = options[0]
    if distance == 0:  # one unit makes it normal: that is very probably the one meant
        return (
            f"{message}; as {spelling} it would be {format_number(alt)} mmol/L, within the "
            f"reference interval: write {_name(shown, record)}={value:g}{spelling} if that is "
            "what was meant"
        )
    readings = ", ".join(
        f"as {spelling} {format_number(alt)} mmol/L ({_flag_in(record, alt, spelling)})"
        for _, spelling, alt in options
    )
    return f"{message}; {readings}: give the unit it was measured in"


def _refuse_if_ambiguous(
    record: Analyte, shown: str, value: float, unit: Unit, flag: str, patient: Patient
) -> None:
    found = _ambiguous_unit(record, value, unit, patient)
    if found is not None:
        name = _name(shown, record)
        raise AmbiguousUnitError(
            f"{quote(shown)}: {ambiguity(record, value, unit, flag, patient)}; write "
            f"{name}={value:g}{found} or {name}={value:g}{unit.spelling}"
        )


def _ambiguous_unit(
    record: Analyte, value: float, unit: Unit, patient: Patient = UNKNOWN
) -> str | None:
    """Another of the analyte's units in which ``value`` is normal, if there is one."""
    for distance, spelling, _ in _alternatives(record, value, unit, patient):
        if distance == 0:
            return spelling
    return None


def ambiguity(
    record: Analyte, value: float, unit: Unit, flag: str, patient: Patient = UNKNOWN
) -> str | None:
    """Why a value without a unit cannot be read, or None: it is abnormal (``flag``) in the
    default ``unit`` but normal in another of the analyte's units (magnesium 2.0 is critically
    high in mmol/L and normal in mg/dL)."""
    spelling = _ambiguous_unit(record, value, unit, patient)
    if spelling is None:
        return None
    alt = record.to_mmol(value, resolve_unit(spelling))
    return (
        f"no unit given, and the unit decides the answer: as {unit.spelling} {value:g} is "
        f"{FLAG_WORDS[flag]} ({flag}), as {spelling} it is {format_number(alt)} mmol/L, normal"
    )


def _flag_in(record: Analyte, mmol: float, spelling: str) -> str:
    unit = resolve_unit(spelling)
    return classify(mmol, record.interval_for(unit), record.critical_for(unit))


def _name(shown: str, record: Analyte) -> str:
    return shown.split("=", 1)[0].strip() if "=" in shown else record.key
