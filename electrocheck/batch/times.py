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
from collections.abc import Callable
from typing import Literal

import polars as pl

from electrocheck.batch.cells import blank_to_null, constant
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


def _parsers() -> list[Callable[[pl.Expr], pl.Expr]]:
    def naive(f: str) -> Callable[[pl.Expr], pl.Expr]:
        return lambda e: e.str.to_datetime(f, strict=False, time_unit=TIME_UNIT)

    def aware(f: str) -> Callable[[pl.Expr], pl.Expr]:
        return lambda e: e.str.to_datetime(
            f, strict=False, time_unit=TIME_UNIT, time_zone="UTC"
        ).dt.replace_time_zone(None)

    return [naive(f) for f in NAIVE_FORMATS] + [aware(f) for f in AWARE_FORMATS]


def _clock_parsers() -> list[Callable[[pl.Expr], pl.Expr]]:
    def clock(f: str) -> Callable[[pl.Expr], pl.Expr]:
        return lambda e: e.str.to_time(f, strict=False)

    return [clock(f) for f in CLOCK_FORMATS]


class _Formats:
    """Parsers tried in turn on the texts not yet read, the last that read one first: a
    file's times are mostly written one way."""

    def __init__(self, parsers: list[Callable[[pl.Expr], pl.Expr]], normalize: bool) -> None:
        self.parsers = parsers
        self.normalize = normalize

    def read(self, texts: pl.Series, dtype: pl.DataType) -> pl.Series:
        """What each distinct text holds (null where no parser reads it)."""
        frame = pl.DataFrame({"t": texts})
        expr = _normalized(pl.col("t")) if self.normalize else pl.col("t").str.strip_chars()
        frame = frame.with_columns(expr.str.to_uppercase().alias("n"))
        found = constant("w", None, frame.height, dtype)
        left = frame["n"].is_not_null() & (frame["n"] != "")
        for i, parser in enumerate(list(self.parsers)):
            if not left.any():
                break
            rows = left.arg_true()
            parsed = frame[rows].select(parser(pl.col("n")).alias("w"))["w"].cast(dtype)
            if parsed.null_count() < parsed.len():
                found = found.scatter(rows, parsed)
                left = left & found.is_null()
                if i:  # the parser that read some moves to the front
                    self.parsers.insert(0, self.parsers.pop(i))
        return found


class TimeReader:
    """Reads collection times and dates of birth column-wise, each distinct text once."""

    def __init__(self) -> None:
        self.datetimes = _Formats(_parsers(), normalize=True)
        self.clocks = _Formats(_clock_parsers(), normalize=False)

    def read(self, texts: pl.Series, clocks: pl.Series | None = None) -> pl.Series:
        """The date and time of each row from its text (and its time of day, where the file
        gives it in a column of its own), as a naive Datetime."""
        if clocks is None:
            frame = pl.DataFrame({"t": texts})
            keys = ["t"]
        else:
            frame = pl.DataFrame({"t": texts, "k": clocks})
            keys = ["t", "k"]
        distinct = frame.unique()
        when = self.datetimes.read(distinct["t"], pl.Datetime(TIME_UNIT))
        if clocks is not None:
            # A time of day that is a whole date and time itself wins; a blank one leaves
            # the day alone.
            clock_text = distinct["k"]
            whole = self.datetimes.read(clock_text, pl.Datetime(TIME_UNIT))
            clock = self.clocks.read(clock_text, pl.Time())
            blank = pl.DataFrame({"k": clock_text}).select(blank_to_null(pl.col("k")).is_null())
            parts = pl.DataFrame(
                [blank.to_series().alias("b"), when.alias("w"), whole.alias("a"), clock.alias("c")]
            )
            when = parts.select(
                pl.when(pl.col("b"))
                .then(pl.col("w"))
                .otherwise(
                    pl.coalesce(
                        pl.col("a"), pl.col("w").dt.date().dt.combine(pl.col("c"), TIME_UNIT)
                    )
                )
                .alias("w")
            ).to_series()
        table = distinct.with_columns(when.alias("when"))
        joined = frame.join(table, on=keys, how="left", nulls_equal=True, maintain_order="left")
        return joined["when"]


def read_times(texts: pl.Series, clocks: pl.Series | None = None) -> pl.Series:
    """The collection time of each row (see :meth:`TimeReader.read`)."""
    return TimeReader().read(texts, clocks)


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


__all__ = ["TimeReader", "parse_window", "read_times"]
