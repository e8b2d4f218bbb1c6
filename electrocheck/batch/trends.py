"""Changes over time: each result of a long file compared with the patient's earlier results
of the same analyte, in time order.

The panels' first reading (:mod:`~electrocheck.batch.panels`) keeps, for each row, its
collection time, its result in mmol/L and its flag. Once it is done, :func:`changes_of`
sorts the rows with a result by patient, analyte, time and input row (results of one analyte
at the same time are taken in input order), and finds for each the previous result, the
change and its rate per 24 h, and the notes of the reference file's ``changes`` rules:

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

from typing import TYPE_CHECKING

import polars as pl

from electrocheck.batch.columns import CHANGE_NAMES
from electrocheck.batch.layout import Layout
from electrocheck.reference.changes import Changes

if TYPE_CHECKING:
    from electrocheck.batch.summary import PanelSummary

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
    TREND: pl.String(),
    NOTES: pl.String(),
}
#: The flag codes of a low result (LL, L), from which a rise is a correction.
_LOW_CODES = 2
_HOUR_MS = 3_600_000.0
#: Digits kept of a change (finer than any lab reports) before it is compared with a limit.
_DIGITS = 4
_SHOWN_TIME = "%Y-%m-%d %H:%M"


#: The output columns (by their names of :data:`CHANGE_NAMES`) each answer is written to.
_WRITTEN = dict(zip(CHANGE_NAMES, ANSWERS, strict=True))
#: How the summary counts the rows with each kind of note.
_COUNTED = {
    "correction_rate": "faster than the",
    "delta_check": "review before release:",
    "trend": "a trend, whether or not",
}


def tracked(layout: Layout) -> bool:
    """Whether a long file's results are compared over time: where its rows say whose they
    are and when they were collected."""
    c = layout.panels
    return c is not None and c.patient is not None and c.time is not None


def with_changes(
    result: pl.DataFrame, r: dict[str, str], bad_time: str, summary: PanelSummary
) -> pl.DataFrame:
    """A processed batch (whose rows hold the answers of :func:`changes_of`) with its output
    columns of changes over time (named by ``r``). A result whose collection time could not
    be read is compared with nothing, and says so."""
    col = pl.col
    missing = [answer for answer in ANSWERS if answer not in result.columns]
    result = result.with_columns(pl.lit(None, _TYPES[answer]).alias(answer) for answer in missing)
    unread = pl.when(col(bad_time) & col(r["flag"]).is_not_null()).then(
        pl.lit("no earlier result compared: its collection time could not be read")
    )
    notes = pl.concat_str([col(NOTES), unread], separator="; ", ignore_nulls=True).replace("", None)
    result = result.with_columns(
        col(PREVIOUS).alias(r["previous_value_mmol_l"]),
        col(PREVIOUS_TIME).dt.to_string("%Y-%m-%dT%H:%M:%S").alias(r["previous_time"]),
        col(CHANGE).alias(r["change_mmol_l"]),
        col(RATE).alias(r["change_per_24h"]),
        col(TREND).alias(r["trend"]),
        notes.alias(r["change_notes"]),
    )
    found = result.select(
        [col(NOTES).str.contains(text, literal=True).sum().alias(k) for k, text in _COUNTED.items()]
    )
    for kind, count in zip(_COUNTED, found.row(0), strict=True):
        summary.notes[kind] += int(count or 0)
    return result.drop(missing)


def blank(added: pl.DataFrame, result: pl.DataFrame, r: dict[str, str]) -> pl.DataFrame:
    """Rows electrocheck added (corrected results), with empty columns of changes."""
    return added.with_columns(
        pl.lit(None, result.schema[r[name]]).alias(r[name]) for name in CHANGE_NAMES
    )


def changes_of(rows: pl.DataFrame, analyte: str, changes: Changes) -> pl.DataFrame:
    """The answers of :data:`ANSWERS` for each of ``rows`` (in their order): ``rows`` holds
    :data:`WHEN`, :data:`VALUE`, :data:`CODE`, :data:`PATIENT` (the hash of the patient's id)
    and the analyte (column ``analyte``)."""
    col = pl.col
    frame = rows.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("i"),
        col(WHEN),
        col(VALUE),
        col(CODE),
        col(analyte).alias("a"),
        col(PATIENT).alias("pid"),
    ).filter(col(VALUE).is_not_null() & col(WHEN).is_not_null() & col("pid").is_not_null())
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
    for rule in changes.correction_rates:
        for n, limit in enumerate(rule.limits):
            name = f"k_rise{n}_{rule.analyte}"
            rises.append(_rise(frame, rule.analyte, limit.rise, limit.hours, name))
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
    trend = pl.lit(None, pl.String)
    if changes.trend is not None:
        frame, trend, holds, note = _trend(frame, changes)
        kinds.append((holds.fill_null(False), note))
    frame = frame.with_columns(trend.alias(TREND))
    noted = pl.any_horizontal(
        [c for c, _ in kinds[len(rises) :]]
        + [col("i").is_in(r["i"].implode()) for r in rises]
        + [pl.lit(False)]
    )
    flagged = frame.filter(noted)
    for found in rises:
        flagged = flagged.join(found, on="i", how="left")
    flagged = flagged.select(
        "i",
        pl.concat_str(
            [pl.when(c).then(text) for c, text in kinds], separator="; ", ignore_nulls=True
        ).alias(NOTES),
    )
    height = rows.height
    answers = frame.select("i", *ANSWERS[:-1])
    at = answers["i"]
    dense = [
        pl.repeat(None, height, dtype=answers.schema[name], eager=True).scatter(at, answers[name])
        for name in ANSWERS[:-1]
    ]
    notes = pl.repeat(None, height, dtype=pl.String, eager=True).scatter(
        flagged["i"], flagged[NOTES]
    )
    return pl.DataFrame(
        [*(d.alias(n) for d, n in zip(dense, ANSWERS, strict=False)), notes.alias(NOTES)]
    )


def _rise(frame: pl.DataFrame, analyte: str, rise: float, hours: float, name: str) -> pl.DataFrame:
    """The results of ``analyte`` (by ``i``) more than ``rise`` above the lowest of the
    patient's earlier results within ``hours`` (one flagged low), with that result's value
    (``{name}_from``), time (``_at``) and the hours between (``_h``)."""
    col = pl.col
    of = frame.filter(col("a") == analyte)
    window = f"{int(hours * 3600)}s"
    low = of.select(
        "i",
        "pid",
        WHEN,
        col(VALUE),
        col(VALUE).rolling_min_by(WHEN, window_size=window, closed="left").over("pid").alias("lo"),
    )
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
    trend = pl.when(holds).then(direction)
    note = pl.when(holds).then(
        pl.format(
            "{} {} over {} results since {} (from {} to {} mmol/L): a trend, whether or not "
            "each is within the interval (electrocheck's rule: {} results or more, each {} "
            "than the one before, {} mmol/L or more in all)",
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
    return value.abs().round(_DIGITS).cast(pl.String).str.replace(r"\.0$", "")


def _hours(value: pl.Expr) -> pl.Expr:
    """Hours as a note shows them: to a tenth, without a trailing ``.0``."""
    return value.round(1).cast(pl.String).str.replace(r"\.0$", "")


def _number(value: float) -> str:
    return f"{value:g}"


__all__ = ["ANSWERS", "CODE", "VALUE", "WHEN", "blank", "changes_of", "tracked", "with_changes"]
