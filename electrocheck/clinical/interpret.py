"""Interpretation of one value: conversion to mmol/L, flag, spasm risk and texts.

:func:`interpret` is the single place a value becomes a :class:`Result`; ``check``, batch
processing and JSON output all go through it, so the same value always gets the same answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import overload

from electrocheck.clinical.arguments import (
    api_arguments,
    given_value,
    optional_text,
    require_text,
)
from electrocheck.clinical.classify import classify, plausible
from electrocheck.clinical.grading import grade_value
from electrocheck.clinical.result import (
    CRITICAL,
    Applied,
    Result,
    assumed_unit_note,
    format_number,
)
from electrocheck.clinical.shown import shown_of
from electrocheck.clinical.unit_choice import AS_ENTERED, UnitChoice
from electrocheck.clinical.unit_doubt import implausible_message, refuse_if_ambiguous
from electrocheck.errors import (
    AmbiguousUnitError,
    ImplausibleValueError,
    UnitError,
    ValueTokenError,
    quote,
)
from electrocheck.reference import Analyte, Correction, Limits, Reference
from electrocheck.reference.patient import UNKNOWN, Patient
from electrocheck.units.resolve import MMOL_PER_L, Unit, resolve_unit
from electrocheck.units.tokens import parse_token
from electrocheck.units.values import Value


@overload
def interpret(
    reference: Reference,
    analyte: str,
    value: None,
    unit: str | None = None,
    *,
    input: str | None = None,
    patient: Patient = UNKNOWN,
    covariates: frozenset[str] = frozenset(),
    units: UnitChoice = AS_ENTERED,
) -> None: ...
@overload
def interpret(
    reference: Reference,
    analyte: str,
    value: Value,
    unit: str | None = None,
    *,
    input: str | None = None,
    patient: Patient = UNKNOWN,
    covariates: frozenset[str] = frozenset(),
    units: UnitChoice = AS_ENTERED,
) -> Result: ...
def interpret(
    reference: Reference,
    analyte: str,
    value: Value | None,
    unit: str | None = None,
    *,
    input: str | None = None,
    patient: Patient = UNKNOWN,
    covariates: frozenset[str] = frozenset(),
    units: UnitChoice = AS_ENTERED,
) -> Result | None:
    """Interpret ``value`` of ``analyte`` (name, alias or LOINC code) in ``unit``.

    ``value`` is any real number (``int``, ``float``, ``Decimal``, a numpy scalar) or its text
    (``"3.1"``, ``" 3.1 "``), which may carry the unit (``"3.1 mmol/L"``, read as the token
    ``k=3.1 mmol/L``; giving ``unit`` as well is refused). ``None`` is no value: the analyte's
    name is still checked, and the answer is ``None``. ``True`` and NaN are refused.

    With no unit, a unit is assumed and the result's notes say so, and where it came from:
    the analyte's unit in ``units.defaults``, else its display unit of ``units.system``, else
    the reference file's default unit (see :mod:`~electrocheck.clinical.unit_choice`).
    ``units.system`` also chooses the unit system of the result's ``shown`` numbers.

    Raises a subclass of :class:`~electrocheck.InputError` for an unknown analyte, a bad or
    negative value, an unknown or non-concentration unit, a value implausible in its unit, or
    a value without a unit that reads as abnormal in the assumed unit and as normal in another
    of the analyte's units (the message names where an assumed unit came from); an
    :class:`~electrocheck.ArgumentError` for an argument of a type it cannot take.

    ``patient`` chooses the limits of an age band and sex, and the symptomatic grade where
    symptoms decide. ``covariates`` names the covariates given with the value (``albumin``):
    a value whose correction is graded in its place is then not graded itself.

    >>> from decimal import Decimal
    >>> from electrocheck import interpret, load_reference
    >>> ref = load_reference()
    >>> interpret(ref, "ca", 7.6, "mg/dL").flag
    'L'
    >>> [interpret(ref, "k", v).flag for v in (3.1, Decimal("3.1"), "3.1", " 3.1 mmol/L ")]
    ['L', 'L', 'L', 'L']
    >>> interpret(ref, "k", "3.1 mmol/L").input
    'k=3.1 mmol/L'
    >>> print(interpret(ref, "k", None))
    None
    """
    covariates = api_arguments(reference, analyte, unit, input, patient, covariates)
    record = reference.analyte(analyte)
    if value is None:
        return None
    value, unit, shown = given_value(analyte, value, unit, input)
    require_concentration(value, shown)
    assumed = not (unit and unit.strip())
    spelling, source = units.assumed(record) if assumed else (str(unit), None)
    try:
        resolved = resolve_unit(spelling)
    except UnitError as exc:
        raise UnitError(f"{quote(shown)}: {exc}") from None
    mmol = record.to_mmol(value, resolved)
    whence = "" if source is None else f" ({resolved.spelling} was assumed from {source})"
    if not plausible(record, mmol):
        message = implausible_message(record, shown, value, resolved)
        raise ImplausibleValueError(message + whence)
    flag = classify(
        mmol, record.interval_for(resolved, patient), record.critical_for(resolved, patient)
    )
    if assumed and flag != "N":
        try:
            refuse_if_ambiguous(record, shown, value, resolved, flag, patient)
        except AmbiguousUnitError as exc:
            raise AmbiguousUnitError(f"{exc}{whence}") from None
    measured = Measured(record, shown, value, resolved, assumed, mmol, source)
    return evaluate(reference, measured, patient, covariates, system=units.system)


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
    units: UnitChoice = AS_ENTERED,
) -> Result:
    """Interpret a ``NAME=NUMBER[UNIT]`` token; ``unit`` supplies a unit given separately.

    ``units``: as for :func:`interpret`.

    >>> from electrocheck import interpret_token, load_reference
    >>> ref = load_reference()
    >>> interpret_token(ref, "ca=7.6mg/dL").flag
    'L'
    >>> interpret_token(ref, "na=128", "mEq/L").input
    'na=128 mEq/L'
    """
    parsed = parse_token(require_text(token, "token", "'k=3.1' or 'ca=7.6mg/dL'"))
    unit = optional_text(unit, "unit", "'mmol/L' or 'mg/dL'")
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
        units=units,
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
    assumed_from: str | None = None  # where an assumed unit came from; None: the file's default


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
    system: str | None = None,
) -> Result:
    """The result of a measured value: flag, grade, texts and notes, and its numbers in the
    display unit of ``system`` (None: of the value's own unit system)."""
    record, unit, mmol = measured.record, measured.unit, measured.mmol
    interval, critical = record.interval_for(unit, patient), record.critical_for(unit, patient)
    flag = classify(mmol, interval, critical)
    direction = record.low if flag in ("L", "LL") else record.high if flag in ("H", "HH") else None
    notes: list[str] = []
    if measured.assumed:
        notes.append(assumed_unit_note(unit.spelling, measured.assumed_from))
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
    applied = Applied(record, unit, interval, critical)
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
        shown=shown_of(applied, measured.value, mmol, system),
        applied=applied,
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
            notes.append(measured_graded_note(record.key, correction))
    if grade.note is not None and number is not None:
        notes.append(grade.note)
    return number, basis, notes


def measured_graded_note(analyte: str, correction: Correction) -> str:
    """The note of a value graded as measured, where CTCAE grades its correction instead."""
    return (
        f"CTCAE grades {analyte} corrected for {correction.covariate}; with no "
        f"{correction.label.lower()} (give {correction.covariate}), the measured value "
        "was graded"
    )


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
