"""Changes over time: each result of a long file compared with the patient's earlier results
of the same analyte, in time order.

The panels' first reading (:mod:`~electrocheck.batch.panels`) keeps, for each row, its
collection time, its result in mmol/L and its flag. Once it is done, :func:`changes_of`
sorts the rows with a result by patient, analyte, time and input row (results of one analyte
at the same time are taken in input order), and finds for each the previous result, the
change and its rate per 24 h, and the notes of the reference file's ``changes`` rules. Every
rule compares one patient's results of one analyte, so a large file's patients are compared
in parts (by the hash of their id), each sorted alone, which needs a part of the memory:

- a low value raised faster than a correction-rate limit (a rise over the lowest of the
  patient's earlier results within the limit's hours, the earlier one flagged low);
- a laboratory's delta check (a change from the previous result larger than its limit
  within its hours);
- a trend: a run of results each lower (or higher) than the one before, moving at least the
  rule's amount in all.

The answers are one row per input row, in input order, so the second reading takes them by
row number as it takes the panel's. Nothing here depends on the order of the file's rows.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from electrocheck.batch.columns import CHANGE_NAMES
from electrocheck.batch.layout import Layout
from electrocheck.reference.changes import Changes

#: Columns the first reading keeps for each row, and those :func:`changes_of` answers with.
WHEN, VALUE, CODE, PATIENT = "k_t_when", "k_t_value", "k_t_code", "k_t_patient"
PREVIOUS, PREVIOUS_TIME, CHANGE, RATE, TREND, NOTES = (
    "k_t_prev",
    "k_t_prev_time",
    "k_t_change",
    "k_t_rate",
    "k_t_trend",
    "k_t_notes",
)
ANSWERS = (PREVIOUS, PREVIOUS_TIME, CHANGE, RATE, TREND, NOTES)
_TYPES: dict[str, pl.DataType] = {
    PREVIOUS: pl.Float64(),
    PREVIOUS_TIME: pl.Datetime("ms"),
    CHANGE: pl.Float64(),
    RATE: pl.Float64(),
    TREND: pl.Enum(["falling", "rising"]),
    NOTES: pl.String(),
}
#: The flag codes of a low result (LL, L), from which a rise is a correction.
_LOW_CODES = 2
_HOUR_MS = 3_600_000.0
#: Digits kept of a change (finer than any lab reports) before it is compared with a limit.
_DIGITS = 4
_SHOWN_TIME = "%Y-%m-%d %H:%M"
#: Results compared at once, at most (the patients are compared in parts of about as many).
_PART_ROWS = 600_000
#: The largest key of one rolling window down all patients' results (see _rise).
_KEY_LIMIT = 2**62


#: The output columns (by their names of :data:`CHANGE_NAMES`) each answer is written to.
_WRITTEN = dict(zip(CHANGE_NAMES, ANSWERS, strict=True))


def tracked(layout: Layout) -> bool:
    """Whether a long file's results are compared over time: where its rows say whose they
    are and when they were collected."""
    c = layout.panels
    return c is not None and c.patient is not None and c.time is not None


def with_changes(
    result: pl.DataFrame,
    r: dict[str, str],
    answers: Answers | None,
    row: str,
    bad_time: str,
) -> pl.DataFrame:
    """A processed batch with its output columns of changes over time (named by ``r``): the
    ``answers`` of :func:`changes_of` of its rows (numbered from 1 in the column ``row``), or
    none where there are no answers. A result whose collection time could not be read
    (``bad_time``) is compared with nothing, and says so."""
    col = pl.col
    if answers is None:
        found = pl.DataFrame(
            [pl.repeat(None, result.height, dtype=_TYPES[a], eager=True).alias(a) for a in ANSWERS]
        )
    else:
        # The answers between the batch's first and last (all of them, side by side, where
        # they are in the order of the rows).
        at = answers.at.gather(result[row] - 1)
        first = at.min()
        start = 0 if first is None else int(first)  # type: ignore[arg-type]
        near = answers.answers.slice(start, 1 + int(at.max() or 0) - start)  # type: ignore[arg-type]
        found = near.select(pl.all().gather(at - start))
    # (A result whose time could not be read has no other note: it is compared with nothing.)
    unread = result.select(col(bad_time) & col(r["flag"]).is_not_null()).to_series()
    return result.with_columns(
        *found.select(
            col(PREVIOUS).alias(r["previous_value_mmol_l"]),
            col(PREVIOUS_TIME).dt.to_string("%Y-%m-%dT%H:%M:%S").alias(r["previous_time"]),
            col(CHANGE).alias(r["change_mmol_l"]),
            col(RATE).alias(r["change_per_24h"]),
            col(TREND).cast(pl.String).alias(r["trend"]),
            pl.when(pl.lit(unread))
            .then(pl.lit("no earlier result compared: its collection time could not be read"))
            .otherwise(col(NOTES))
            .alias(r["change_notes"]),
        ).get_columns()
    )


def blank(added: pl.DataFrame, result: pl.DataFrame, r: dict[str, str]) -> pl.DataFrame:
    """Rows electrocheck added (corrected results), with empty columns of changes."""
    return added.with_columns(
        pl.lit(None, result.schema[r[name]]).alias(r[name]) for name in CHANGE_NAMES
    )


class Answers(NamedTuple):
    """The answers of :func:`changes_of`: one row per result compared, and the row of
    ``answers`` each input row finds its own in (``at``, null where it has none)."""

    answers: pl.DataFrame
    at: pl.Series


def results_of(rows: pl.DataFrame, analyte: str, start: int = 0) -> pl.DataFrame:
    """The rows with a result, time and patient, as :func:`changes_of` takes them: ``rows``
    holds :data:`WHEN`, :data:`VALUE`, :data:`CODE`, :data:`PATIENT` (the hash of the
    patient's id) and the analyte (column ``analyte``); their numbers start at ``start``."""
    col = pl.col
    return rows.select(
        pl.int_range(start, start + pl.len(), dtype=pl.UInt32).alias("i"),
        col(WHEN),
        col(VALUE),
        col(CODE),
        col(analyte).alias("a"),
        col(PATIENT).alias("pid"),
    ).filter(col(VALUE).is_not_null() & col(WHEN).is_not_null() & col("pid").is_not_null())


def changes_of(
    results: pl.DataFrame,
    height: int,
    changes: Changes,
    counts: dict[str, int],
    in_row_order: bool = False,
) -> Answers:
    """The answers of :data:`ANSWERS` for each of ``height`` rows: ``results`` holds the rows
    with a result, time and patient, as :func:`results_of` gives them (numbered from 0).
    ``counts`` adds the rows with each kind of note. ``in_row_order``: the answers are put
    back in the order of the rows (a copy of them, at once), so that each batch finds its own
    side by side."""
    col = pl.col
    frame = results
    # Every rule compares a patient's results alone, so the patients are compared in parts
    # (by their id's hash) whose sorting and windows need a part of the memory.
    parts = -(-frame.height // _PART_ROWS)
    if parts <= 1:
        found = _compared(frame, changes, counts)
    else:
        part = (col("pid") % parts).alias("k_part")
        split = frame.with_columns(part).partition_by("k_part", include_key=False)
        del frame, results
        pieces = []
        while split:
            pieces.append(_compared(split.pop(), changes, counts))
        found = pl.concat(pieces)
        del pieces
    if in_row_order:
        found = found.sort("i")
    # Where each of the rows finds its own answers.
    at = pl.repeat(None, height, dtype=pl.UInt32, eager=True).scatter(
        found["i"], pl.int_range(found.height, dtype=pl.UInt32, eager=True)
    )
    return Answers(found.drop("i"), at)


def _compared(frame: pl.DataFrame, changes: Changes, counts: dict[str, int]) -> pl.DataFrame:
    """The answers of :data:`ANSWERS` of the results of ``frame`` (by their row ``i``): all
    the results of each of its patients."""
    col = pl.col
    frame = frame.sort("pid", "a", WHEN, "i")
    same = (col("pid") == col("pid").shift(1)) & (col("a") == col("a").shift(1))
    frame = frame.with_columns(
        pl.when(same).then(col(VALUE).shift(1)).alias(PREVIOUS),
        pl.when(same).then(col(WHEN).shift(1)).alias(PREVIOUS_TIME),
    ).with_columns(
        (col(VALUE) - col(PREVIOUS)).round(_DIGITS).alias(CHANGE),
        ((col(WHEN) - col(PREVIOUS_TIME)).dt.total_milliseconds() / _HOUR_MS).alias("h"),
    )
    frame = frame.with_columns(
        pl.when(col("h") > 0).then((col(CHANGE) / col("h") * 24).round(2)).alias(RATE)
    )
    # Each kind of note: which rows it is on, and its text (made for those rows only).
    kinds: list[tuple[pl.Expr, pl.Expr]] = []
    rises: list[pl.DataFrame] = []
    named: list[str] = []  # the name each of kinds is counted under
    for rule in changes.correction_rates:
        for n, limit in enumerate(rule.limits):
            name = f"k_rise{n}_{rule.analyte}"
            rises.append(_rise(frame, rule.analyte, limit.rise, limit.hours, name))
            named.append("correction_rate")
            kinds.append(
                (
                    col(f"{name}_from").is_not_null(),
                    pl.format(
                        "{} rose {} mmol/L in {} h (from {} at {}): faster than the {} mmol/L "
                        "per {} h limit ({}) - {}",
                        pl.lit(rule.analyte),
                        _shown(col(VALUE) - col(f"{name}_from")),
                        _hours(col(f"{name}_h")),
                        _shown(col(f"{name}_from")),
                        col(f"{name}_at").dt.to_string(_SHOWN_TIME),
                        pl.lit(_number(limit.rise)),
                        pl.lit(_number(limit.hours)),
                        pl.lit(limit.cite),
                        pl.lit(rule.note),
                    ),
                )
            )
    for check in changes.delta_checks:
        beyond = (
            (col("a") == check.analyte)
            & (col(CHANGE).abs() > check.change)
            & (col("h") <= check.hours)
        )
        named.append("delta_check")
        kinds.append(
            (
                beyond.fill_null(False),
                pl.format(
                    "review before release: {} changed by {} mmol/L in {} h (from {} at {}), "
                    "more than the delta check's {} mmol/L within {} h ({}: a laboratory's "
                    "own limit)",
                    pl.lit(check.analyte),
                    _shown(col(CHANGE)),
                    _hours(col("h")),
                    _shown(col(PREVIOUS)),
                    col(PREVIOUS_TIME).dt.to_string(_SHOWN_TIME),
                    pl.lit(_number(check.change)),
                    pl.lit(_number(check.hours)),
                    pl.lit(check.cite),
                ),
            )
        )
    trend = pl.lit(None, _TYPES[TREND])
    if changes.trend is not None:
        frame, trend, holds, note = _trend(frame, changes)
        named.append("trend")
        kinds.append((holds.fill_null(False), note))
    frame = frame.with_columns(trend.alias(TREND))
    noted = pl.any_horizontal(
        [c for c, _ in kinds[len(rises) :]]
        + [col("i").is_in(r["i"].implode()) for r in rises]
        + [pl.lit(False)]
    )
    frame = frame.with_row_index("f")
    flagged = frame.filter(noted)
    for found in rises:
        flagged = flagged.join(found, on="i", how="left")
    # Each kind's text made for the rows it is on only; a row's notes in the order of kinds.
    # Made contiguous: polars 2.1 can panic (index out of bounds in a string view) formatting
    # the notes of a filtered frame that was never joined, as with no correction rates.
    flagged = flagged.with_row_index("j").rechunk()
    texts: list[pl.Series] = []
    for kind, (holds, text) in zip(named, kinds, strict=True):
        part = flagged.filter(holds).select("j", text.alias(NOTES))
        counts[kind] = counts.get(kind, 0) + part.height
        empty = pl.repeat(None, flagged.height, dtype=pl.String, eager=True)
        texts.append(empty.scatter(part["j"], part[NOTES]).alias(f"n{len(texts)}"))
    joined = (
        pl.DataFrame(texts).select(
            pl.concat_str(pl.all(), separator="; ", ignore_nulls=True).alias(NOTES)
        )
        if texts
        else pl.DataFrame({NOTES: pl.repeat(None, flagged.height, dtype=pl.String, eager=True)})
    )
    # The answers of the rows with a result, by their row.
    notes = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    return frame.select("i", *ANSWERS[:-1]).with_columns(
        notes.scatter(flagged["f"], joined[NOTES]).alias(NOTES)
    )


def _rise(frame: pl.DataFrame, analyte: str, rise: float, hours: float, name: str) -> pl.DataFrame:
    """The results of ``analyte`` (by ``i``) more than ``rise`` above the lowest of the
    patient's earlier results within ``hours`` (one flagged low), with that result's value
    (``{name}_from``), time (``_at``) and the hours between (``_h``)."""
    col = pl.col
    of = frame.filter(col("a") == analyte)
    width = int(hours * _HOUR_MS)
    # One rolling window down the column, the patients' times set apart by more than a
    # window (sorted by patient, then time), where the numbers fit; else patient by patient.
    ms = col(WHEN).dt.epoch("ms")
    bounds = of.select(ms.min().alias("lo"), ms.max().alias("hi"), col("pid").n_unique().alias("n"))
    lo, hi, patients = bounds.row(0)
    apart = (hi - lo + width + 1) if lo is not None else 1
    if patients * apart < _KEY_LIMIT:
        patient = (col("pid") != col("pid").shift(1)).fill_null(True).cum_sum().cast(pl.Int64)
        key = (ms - lo + patient * apart).alias("k_key")
        lowest = col(VALUE).rolling_min_by("k_key", window_size=f"{width}i", closed="left")
        low = of.with_columns(key).select("i", "pid", WHEN, VALUE, lowest.alias("lo"))
    else:
        lowest = col(VALUE).rolling_min_by(WHEN, window_size=f"{width}ms", closed="left")
        low = of.select("i", "pid", WHEN, VALUE, lowest.over("pid").alias("lo"))
    above = low.filter((col(VALUE) - col("lo")).round(_DIGITS) > rise)
    # The earlier result the rise is counted from: the latest of the lowest within the window,
    # and only where it was flagged low.
    starts = (
        above.join(
            of.select("pid", col(VALUE).alias("lo"), col(WHEN).alias("at"), CODE),
            on=["pid", "lo"],
        )
        .filter(
            (col("at") < col(WHEN))
            & ((col(WHEN) - col("at")).dt.total_milliseconds() <= hours * _HOUR_MS)
        )
        .sort("at")
        .group_by("i")
        .agg(col("lo").last(), col("at").last(), col(CODE).last())
        .filter(col(CODE) <= _LOW_CODES)
        .select(
            "i",
            col("lo").alias(f"{name}_from"),
            col("at").alias(f"{name}_at"),
        )
    )
    return starts.join(of.select("i", WHEN), on="i").select(
        "i",
        f"{name}_from",
        f"{name}_at",
        ((col(WHEN) - col(f"{name}_at")).dt.total_milliseconds() / _HOUR_MS).alias(f"{name}_h"),
    )


def _trend(frame: pl.DataFrame, changes: Changes) -> tuple[pl.DataFrame, pl.Expr, pl.Expr, pl.Expr]:
    """``frame`` with each result's run (the results before it moving the same way), and
    the trend (``falling``, ``rising``) and note where the rule holds."""
    rule = changes.trend
    assert rule is not None
    col = pl.col
    step = col(CHANGE).sign()
    # A run of steps the same way starts where a step differs from the one before (or
    # either is missing: a patient's first or second result of the analyte).
    start = (step != step.shift(1)).fill_null(True)
    frame = frame.with_row_index("k").with_columns(
        pl.when(start).then(col("k")).forward_fill().alias("k_start"),
        pl.when(start).then(col(PREVIOUS)).forward_fill().alias("v_start"),
        pl.when(start).then(col(PREVIOUS_TIME)).forward_fill().alias("t_start"),
    )
    amount = pl.lit(None, pl.Float64)
    for analyte, least in rule.min_change:
        amount = pl.when(col("a") == analyte).then(pl.lit(least)).otherwise(amount)
    results = col("k") - col("k_start") + 2
    moved = (col(VALUE) - col("v_start")).round(_DIGITS)
    holds = (
        col(PREVIOUS).is_not_null()
        & (step != 0)
        & (results >= rule.results)
        & (moved.abs() >= amount)
    )
    direction = pl.when(step < 0).then(pl.lit("falling")).otherwise(pl.lit("rising"))
    trend = pl.when(holds).then(direction).cast(_TYPES[TREND])
    note = pl.when(holds).then(
        pl.format(
            "{} {} over {} results since {} ({} to {} mmol/L): electrocheck's trend rule, {} "
            "or more results each {} than the last, {} mmol/L or more in all",
            col("a"),
            direction,
            results,
            col("t_start").dt.to_string(_SHOWN_TIME),
            _shown(col("v_start")),
            _shown(col(VALUE)),
            pl.lit(rule.results),
            pl.when(step < 0).then(pl.lit("lower")).otherwise(pl.lit("higher")),
            _shown(amount),
        )
    )
    return frame, trend, holds, note


def _shown(value: pl.Expr) -> pl.Expr:
    """A number as a note shows it: its digits, without a trailing ``.0``."""
    return value.abs().round(_DIGITS).cast(pl.String).str.strip_suffix(".0")


def _hours(value: pl.Expr) -> pl.Expr:
    """Hours as a note shows them: to a tenth, without a trailing ``.0``."""
    return value.round(1).cast(pl.String).str.strip_suffix(".0")


def _number(value: float) -> str:
    return f"{value:g}"


__all__ = [
    "ANSWERS",
    "CODE",
    "VALUE",
    "WHEN",
    "Answers",
    "blank",
    "changes_of",
    "results_of",
    "tracked",
    "with_changes",
]
