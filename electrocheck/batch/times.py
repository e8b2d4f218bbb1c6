"""Collection times and dates of birth of a long file's rows, read column-wise.

Each distinct text is read once, by the first of :data:`DATETIME_FORMATS` that reads it
whole: ISO 8601 (``2026-03-01T08:00:00Z``, ``2026-03-01 08:00``, with or without seconds,
fractions or an offset), US month/day (``03/01/2026 8:00 AM``, ``3/1/2026 14:30``) and dates
alone (``2026-03-01``, ``03/01/2026``: midnight). A time with an offset (``Z``, ``+01:00``) is
taken to UTC; one without is kept as written. A date and a time of day in two columns
(PCORnet's ``SPECIMEN_DATE`` and ``SPECIMEN_TIME``) are read apart and joined; a blank time
of day leaves the date alone. A text none of them reads is null: the caller says so.
"""

from __future__ import annotations

import re
from typing import Literal

import polars as pl

from electrocheck.batch.cells import blank_to_null
from electrocheck.errors import InputError, quote

#: Naive formats, after a ``T`` between date and time became a space.
NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y",
)
#: Formats with an offset (``Z`` is read as ``+00:00``).
AWARE_FORMATS = ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M%z", "%Y-%m-%d %H:%M:%S%.f%z")
#: A time of day in a column of its own.
CLOCK_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M:%S %p", "%H:%M:%S%.f")
TIME_UNIT: Literal["ms"] = "ms"


def _normalized(text: pl.Expr) -> pl.Expr:
    """Upper case, one space between the date and the time, ``Z`` as ``+00:00``."""
    squeezed = text.str.strip_chars().str.to_uppercase().str.replace_all(r"\s+", " ")
    return squeezed.str.replace(r"^(\d{4}-\d{2}-\d{2})T", "$1 ").str.replace(r"Z$", "+00:00")


def datetime_expr(text: pl.Expr) -> pl.Expr:
    """The date and time a text holds, as a naive Datetime (null where none reads it)."""
    norm = _normalized(text)
    naive = [norm.str.to_datetime(f, strict=False, time_unit=TIME_UNIT) for f in NAIVE_FORMATS]
    aware = [
        norm.str.to_datetime(
            f, strict=False, time_unit=TIME_UNIT, time_zone="UTC"
        ).dt.replace_time_zone(None)
        for f in AWARE_FORMATS
    ]
    return pl.coalesce([*naive, *aware])


def clock_expr(text: pl.Expr) -> pl.Expr:
    """The time of day a text holds (null where none reads it)."""
    norm = text.str.strip_chars().str.to_uppercase().str.replace_all(r"\s+", " ")
    return pl.coalesce([norm.str.to_time(f, strict=False) for f in CLOCK_FORMATS])


def read_times(texts: pl.Series, clocks: pl.Series | None = None) -> pl.Series:
    """The collection time of each row from its text (and its time of day, where the file
    gives it in a column of its own), each distinct text read once."""
    if clocks is None:
        frame = pl.DataFrame({"t": texts})
        keys = ["t"]
    else:
        frame = pl.DataFrame({"t": texts, "k": clocks})
        keys = ["t", "k"]
    distinct = frame.unique()
    t = blank_to_null(pl.col("t"))
    when = datetime_expr(t)
    if clocks is not None:
        k = blank_to_null(pl.col("k"))
        day = when.dt.date()
        clock = clock_expr(k)
        # A time of day that is a whole date and time itself wins; a blank one leaves the day.
        when = (
            pl.when(k.is_null())
            .then(when)
            .otherwise(pl.coalesce(datetime_expr(k), day.dt.combine(clock, TIME_UNIT)))
        )
    table = distinct.with_columns(when.alias("when"))
    joined = frame.join(table, on=keys, how="left", nulls_equal=True, maintain_order="left")
    return joined["when"]


_WINDOW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_SECONDS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}


def parse_window(text: str) -> float:
    """``10m``, ``30s``, ``2h``, ``1d`` or ``0``, in seconds."""
    match = _WINDOW.match(text)
    if match:
        number, unit = float(match.group(1)), match.group(2).lower()
        if not unit and number == 0:
            return 0.0
        if unit in _SECONDS:
            return number * _SECONDS[unit]
    raise InputError(f"--panel-window {quote(text)}: expected a duration such as 10m, 30s, 2h or 0")


__all__ = ["clock_expr", "datetime_expr", "parse_window", "read_times"]
