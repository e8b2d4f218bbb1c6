"""A short series of one patient's values at times, checked at once: the core of
``electrocheck check na=118@08:00 na=126@20:00``.

The latest value of each analyte given at times, and the values given without one, are the
panel, checked as ``check`` checks values (flags, grades, patterns). Each analyte's values are
compared in time order by the rules ``batch`` applies to a long file's rows
(:func:`electrocheck.batch.trends.changes_of`, on the frame a long file of one patient would
give), so that the previous value, the change, its rate per 24 h, the trend and the notes are
``batch``'s to the letter. How times are written and read: :mod:`electrocheck.clinical.series`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

import polars as pl

from electrocheck.batch import trends
from electrocheck.batch.columns import FLAG_CODES
from electrocheck.clinical.arguments import require_patient, require_reference
from electrocheck.clinical.check import (
    CheckReport,
    check_arguments,
    group_arguments,
    run_check,
)
from electrocheck.clinical.interpret import interpret_token
from electrocheck.clinical.result import Result
from electrocheck.clinical.series import (
    FIRST_DAY,
    Point,
    Series,
    Timed,
    clock_notes,
    clock_times,
    joined_times,
    kind_of_times,
    read_datetime,
    shown,
    split_time,
)
from electrocheck.clinical.unit_choice import AS_ENTERED, UnitChoice
from electrocheck.errors import ArgumentError, InputError, ValueTokenError, quote
from electrocheck.reference import Reference
from electrocheck.reference.changes import Changes
from electrocheck.reference.patient import UNKNOWN, Patient
from electrocheck.units.values import Value

#: The kinds of notes, in the order ``batch`` joins them, each with its part of the rules.
KINDS = ("correction_rate", "delta_check", "trend")
_ANALYTE = "k_s_analyte"


class _Reading(NamedTuple):
    """A value read: where it was typed, its analyte's key (or name), its time."""

    typed: int  # where among the values
    key: str
    at: datetime | None


def run_series(
    reference: Reference,
    arguments: Iterable[str],
    patient: Patient = UNKNOWN,
    units: UnitChoice = AS_ENTERED,
    *,
    keep_going: bool = False,
) -> CheckReport:
    """Check values of which some are given at times (``NAME=VALUE[UNIT]@TIME``), as
    :func:`~electrocheck.run_check` checks values: ``results`` holds the latest value of each
    analyte given at times and each value given without one; ``series`` each analyte's
    values in time order with their changes, as ``batch`` finds them in a long file.

    A value without a time of an analyte given at times, a time that cannot be read, clock
    times and dates mixed, or a covariate (``alb=``, ``glu=``) at a time raise a
    :class:`~electrocheck.ValueTokenError` (with ``keep_going`` too: each makes the series
    mean something else); a value that cannot be read is reported as :func:`run_check`
    reports it. Without any time, this is :func:`run_check`.

    >>> from electrocheck import load_reference, run_series
    >>> report = run_series(load_reference(), ["na=116@08:00", "na=128@20:00", "k=3.1"])
    >>> [(r.analyte, r.value, r.flag) for r in report.results]
    [('sodium', 128.0, 'L'), ('potassium', 3.1, 'L')]
    >>> point = report.series[0].points[-1]
    >>> point.time, point.change_mmol_l, point.change_per_24h, point.note_kinds
    ('20:00', 12.0, 24.0, ('correction_rate',))
    """
    require_reference(reference)
    require_patient(patient)
    texts = [arguments] if isinstance(arguments, str) else list(arguments)
    for text in texts:
        if not isinstance(text, str):
            raise ArgumentError(
                f"arguments: expected text such as ['na=118@08:00', 'na=126@20:00'], not "
                f"{type(text).__name__} {quote(text)}"
            )
    errors: list[str] | None = [] if keep_going else None
    values = [split_time(t, u) for t, u in group_arguments(joined_times(texts), errors)]
    if all(value.time is None for value in values):
        return run_check(reference, texts, patient, units, keep_going=keep_going)
    readings, clock = _readings(reference, values)
    points: list[tuple[_Reading, Result]] = []
    for reading in readings:
        if reading.at is None:
            continue
        value = values[reading.typed]
        try:
            result = interpret_token(
                reference, value.token, value.unit, patient=patient, units=units
            )
        except InputError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        points.append((reading, result))
    points.sort(key=lambda p: (p[0].at, p[0].typed))
    report = _panel(reference, values, readings, points, patient, units, keep_going)
    series = _series(reference.changes, points, clock)
    return CheckReport(
        report.reference,
        report.results,
        report.warnings,
        patient,
        report.patterns,
        report.pattern_ids,
        report.pattern_briefs,
        report.briefs,
        tuple(errors or ()) + report.errors,
        report.pattern_lines,
        series,
    )


def check_series(
    *values: str | Iterable[str] | Mapping[str, Value | tuple[Value, str] | None],
    age: str | float | None = None,
    sex: str | None = None,
    symptomatic: bool | str = False,
    reference: Reference | str | os.PathLike[str] | None = None,
    **named: Value | tuple[Value, str] | None,
) -> CheckReport:
    """:func:`~electrocheck.check` for values of which some are given at times: its
    arguments, the answer of :func:`run_series`.

    >>> from electrocheck import check_series
    >>> report = check_series("k=4.0@2026-02-01", "k=3.6@2026-02-22", "k=3.2@2026-03-15")
    >>> report.series[0].points[-1].trend
    'falling'
    """
    given = check_arguments(values, named, age, sex, symptomatic, reference)
    return given.with_missing(run_series(given.reference, given.tokens, given.patient))


def _readings(reference: Reference, values: list[Timed]) -> tuple[list[_Reading], bool]:
    """Each value's analyte and instant, and whether the times are clock times."""
    clock = kind_of_times(values)
    keys = [_key(reference, value) for value in values]
    timed = {key for key, value in zip(keys, values, strict=True) if value.time is not None}
    for key, value in zip(keys, values, strict=True):
        if value.time is not None and reference.covariate(_name(value)) is not None:
            raise ValueTokenError(
                f"{quote(value.argument)}: {_name(value)} takes no time: given without one, "
                "it corrects the latest value"
            )
        if value.time is None and key in timed:
            raise ValueTokenError(
                f"{quote(value.argument)} has no time, and another {key} value has one: give "
                "every value of an analyte a time (@08:00), or none"
            )
    at: dict[int, datetime] = {}
    for key in dict.fromkeys(keys):
        mine = [i for i, k in enumerate(keys) if k == key and values[i].time is not None]
        if clock:
            at.update(zip(mine, clock_times([values[i] for i in mine]), strict=True))
        else:
            at.update((i, read_datetime(values[i])) for i in mine)
    readings = [_Reading(i, key, at.get(i)) for i, key in enumerate(keys)]
    return readings, clock


def _name(value: Timed) -> str:
    return value.token.partition("=")[0].strip()


def _key(reference: Reference, value: Timed) -> str:
    """The key of a value's analyte, or its name where the file does not know it."""
    return reference.analyte_key(_name(value)) or _name(value).lower()


def _panel(
    reference: Reference,
    values: list[Timed],
    readings: list[_Reading],
    points: list[tuple[_Reading, Result]],
    patient: Patient,
    units: UnitChoice,
    keep_going: bool,
) -> CheckReport:
    """The check of the panel: the values without a time, and the latest of each analyte
    given at times (that could be read), in the order typed."""
    latest = {reading.key: reading.typed for reading, _ in points}  # in time order
    texts: list[str] = []
    for reading in readings:
        if reading.at is None:
            index = reading.typed
        elif latest.get(reading.key) is not None:
            index = latest.pop(reading.key)  # at the analyte's first place
        else:
            continue
        value = values[index]
        texts += [value.token, value.unit] if value.unit else [value.token]
    if not texts:
        return CheckReport(reference.origin, (), (), patient)
    return run_check(reference, texts, patient, units, keep_going=keep_going)


def _series(
    changes: Changes, points: list[tuple[_Reading, Result]], clock: bool
) -> tuple[Series, ...]:
    """Each analyte's points (``points`` in time order), with batch's answers."""
    if not points:
        return ()
    rows = pl.DataFrame(
        {
            trends.WHEN: [reading.at for reading, _ in points],
            trends.VALUE: [result.value for _, result in points],
            trends.CODE: [FLAG_CODES[result.flag] for _, result in points],
            trends.PATIENT: [0] * len(points),
            _ANALYTE: [result.analyte for _, result in points],
        },
        schema={
            trends.WHEN: pl.Datetime("ms"),
            trends.VALUE: pl.Float64,
            trends.CODE: pl.Int8,
            trends.PATIENT: pl.UInt64,
            _ANALYTE: pl.String,
        },
    )
    first = _answers(rows, changes)  # batch's own call, on the rows a long file would give
    days = clock and any(
        reading.at and reading.at.date() > FIRST_DAY.date() for reading, _ in points
    )
    by_analyte: dict[str, list[Point]] = {}
    for n, (reading, result) in enumerate(points):
        assert reading.at is not None
        time, day, hhmm = shown(reading.at, clock, days)
        previous = first[trends.PREVIOUS_TIME][n]
        text = first[trends.NOTES][n]
        found = text.split("; ") if text else []  # as JSON Lines splits them
        kinds = _kinds(changes, result.analyte, found, first[trends.TREND][n])
        notes = [clock_notes(note, days) if clock else note for note in found]
        by_analyte.setdefault(result.analyte, []).append(
            Point(
                time=time,
                day=day,
                clock=hhmm,
                result=result,
                previous_value_mmol_l=first[trends.PREVIOUS][n],
                previous_time=None if previous is None else shown(previous, clock, days)[0],
                change_mmol_l=first[trends.CHANGE][n],
                change_per_24h=first[trends.RATE][n],
                trend=first[trends.TREND][n],
                change_notes=tuple(notes),
                note_kinds=tuple(kinds),
            )
        )
    order = dict.fromkeys(reading.key for reading, _ in sorted(points, key=lambda p: p[0].typed))
    labels = {result.analyte: result.label for _, result in points}
    analytes = sorted(by_analyte, key=lambda a: list(order).index(a) if a in order else len(order))
    return tuple(Series(a, labels[a], tuple(by_analyte[a])) for a in analytes)


def _kinds(changes: Changes, analyte: str, notes: list[str], trend: str | None) -> list[str]:
    """The rule of each of a result's notes, in batch's order (correction rates, delta
    checks, trend): a correction rate's ends with its rule's note, a trend's is the last
    where the result has a trend, and the others are delta checks'."""
    endings = tuple(f" - {r.note}" for r in changes.correction_rates if r.analyte == analyte)
    kinds = ["correction_rate" if note.endswith(endings) else "delta_check" for note in notes]
    if trend is not None and kinds:
        kinds[-1] = "trend"
    return kinds


def _answers(rows: pl.DataFrame, changes: Changes) -> dict[str, list[Any]]:
    """``changes_of``'s answers for each of ``rows``, as lists by column."""
    answers = trends.changes_of(trends.results_of(rows, _ANALYTE), rows.height, changes, {})
    frame = answers.answers.select(pl.all().gather(answers.at))
    return {
        name: frame[name].cast(pl.String).to_list()
        if name == trends.TREND
        else frame[name].to_list()
        for name in trends.ANSWERS
    }


__all__ = ["KINDS", "check_series", "run_series"]
