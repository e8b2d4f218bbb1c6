"""Values at times: one patient's series of results, as ``check`` takes them
(``na=118@08:00 na=126@20:00``), and the records of the answer.

A value's time follows an ``@``: a clock time (``08:00``, ``8:00:30``) or a date and time
(``2026-03-01T08:00``, ``2026-03-01 08:00``, a date alone for midnight; an offset such as
``Z`` or ``+01:00`` is taken to UTC, as ``batch`` reads a collection time). One check takes
clock times or dates and times, never both.

Clock times carry no date: an analyte's clock times are taken in the order typed, all
analytes starting on the same first day, and a clock time not after the one before it of the
same analyte is on the next day (``na=120@20:00 na=126@08:00`` is 12 hours). They are shown
``08:00`` while every one is on the first day, else ``day 1 08:00``, ``day 2 04:00``.

Reading values and comparing them over time is done in :mod:`electrocheck.batch.series`
(the comparisons are batch's, made with polars); here are only what needs neither: the
reading of times, and the records of a series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from electrocheck.clinical.result import Result
from electrocheck.errors import ValueTokenError, quote

#: A clock time alone, and a date alone (a date and a time typed apart are joined).
CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The first day of clock times: any date serves, as a clock time's date is never shown.
FIRST_DAY = datetime(2000, 1, 1)
#: How a date and time is written in notes (as ``batch`` writes them) and in JSON.
NOTE_TIME, ISO_TIME = "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"
EXPECTED = "a clock time (08:00) or a date and time (2026-03-01T08:00)"


@dataclass(frozen=True)
class Point:
    """One value of a series: its time, its result, and the change from the value before it
    (the fields of ``batch``'s columns of changes over time, by the same names).

    ``time`` is ISO 8601 for a date and time, ``08:00`` or ``day 2 08:00`` for a clock time
    (``previous_time`` likewise); ``day`` and ``clock`` are how a screen shows it.
    ``note_kinds`` names the rule of each of ``change_notes``: ``correction_rate``,
    ``delta_check`` or ``trend``.
    """

    time: str
    day: str  # "2026-03-01", "day 2", or "" (every clock time on the first day)
    clock: str  # "08:00"
    result: Result
    previous_value_mmol_l: float | None = None
    previous_time: str | None = None
    change_mmol_l: float | None = None
    change_per_24h: float | None = None
    trend: str | None = None
    change_notes: tuple[str, ...] = ()
    note_kinds: tuple[str, ...] = ()

    @property
    def shown_time(self) -> str:
        return f"{self.day} {self.clock}".strip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "result": self.result.to_dict(),
            "previous_value_mmol_l": self.previous_value_mmol_l,
            "previous_time": self.previous_time,
            "change_mmol_l": self.change_mmol_l,
            "change_per_24h": self.change_per_24h,
            "trend": self.trend,
            "change_notes": list(self.change_notes),
        }


@dataclass(frozen=True)
class Series:
    """One analyte's values at times, in time order (values at the same time as typed)."""

    analyte: str
    label: str
    points: tuple[Point, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "analyte": self.analyte,
            "label": self.label,
            "points": [point.to_dict() for point in self.points],
        }


@dataclass(frozen=True)
class Timed:
    """A value argument with its time split off: ``token`` and ``unit`` as ``check`` reads
    them, ``time`` the text after ``@`` (None for a value without one), ``argument`` the
    value as typed, for messages."""

    token: str
    unit: str | None
    time: str | None
    argument: str


def joined_times(arguments: list[str]) -> list[str]:
    """``arguments`` with a clock time typed apart from its date joined to it again
    (``na=118@2026-03-01 08:00`` unquoted is two arguments)."""
    joined: list[str] = []
    for argument in arguments:
        after = joined[-1].rpartition("@")[2] if joined else ""
        if joined and CLOCK.fullmatch(argument) and DATE.fullmatch(after):
            joined[-1] += f" {argument}"
        else:
            joined.append(argument)
    return joined


def split_time(token: str, unit: str | None) -> Timed:
    """A value (``token``, and a ``unit`` typed apart) with the time after its ``@``."""
    argument = f"{token} {unit}" if unit else token
    if "@" in token and unit is not None and "@" in unit:
        raise ValueTokenError(f"{quote(argument)}: two times; give one, after '@'")
    time = None
    if unit is not None and "@" in unit:
        unit, _, time = unit.partition("@")
        unit = unit.strip() or None
    elif "@" in token:
        token, _, time = token.partition("@")
    if time is not None:
        time = time.strip()
        if not time:
            raise ValueTokenError(f"{quote(argument)}: no time after '@'; expected {EXPECTED}")
    return Timed(token.strip(), unit, time, argument)


def is_clock(time: str) -> bool:
    return CLOCK.fullmatch(time) is not None


def read_clock(value: Timed) -> timedelta:
    """The time of day of a clock time, from midnight."""
    assert value.time is not None
    found = CLOCK.fullmatch(value.time)
    assert found is not None
    hours, minutes, seconds = (int(part or 0) for part in found.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        raise ValueTokenError(
            f"{quote(value.argument)}: {quote(value.time)} is not a time of day (00:00 to 23:59)"
        )
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def read_datetime(value: Timed) -> datetime:
    """A date and time, naive: one with an offset is taken to UTC."""
    assert value.time is not None
    text = value.time.replace(" ", "T", 1) if DATE.match(value.time) else value.time
    try:
        if not DATE.match(text):
            raise ValueError
        found = datetime.fromisoformat(text)
    except ValueError:
        raise ValueTokenError(
            f"{quote(value.argument)}: time {quote(value.time)} cannot be read; expected {EXPECTED}"
        ) from None
    if found.tzinfo is not None:
        found = found.astimezone(timezone.utc).replace(tzinfo=None)
    return found


def clock_times(values: list[Timed]) -> list[datetime]:
    """The instants of one analyte's clock times, in the order typed: each on the first day,
    or on the day after the one before it when it is not after it."""
    found: list[datetime] = []
    for value in values:
        at = FIRST_DAY + read_clock(value)
        while found and at <= found[-1]:
            at += timedelta(days=1)
        found.append(at)
    return found


def kind_of_times(values: list[Timed]) -> bool:
    """Whether the times of ``values`` are clock times (else dates and times); a check with
    both raises, naming one of each."""
    clocks = [v for v in values if v.time is not None and is_clock(v.time)]
    dates = [v for v in values if v.time is not None and not is_clock(v.time)]
    if clocks and dates:
        raise ValueTokenError(
            f"{quote(clocks[0].argument)} has a clock time and {quote(dates[0].argument)} a "
            "date: give every time as a clock time (08:00) or every one as a date and time "
            "(2026-03-01T08:00)"
        )
    return bool(clocks)


def shown(at: datetime, clock: bool, days: bool) -> tuple[str, str, str]:
    """The JSON time, day and clock of an instant: of a clock time (with ``days`` when some
    clock time is after the first day), or of a date and time."""
    hhmm = at.strftime("%H:%M" if at.second == 0 else "%H:%M:%S")
    if not clock:
        return at.strftime(ISO_TIME), at.strftime("%Y-%m-%d"), hhmm
    day = f"day {(at - FIRST_DAY).days + 1}" if days else ""
    return f"{day} {hhmm}".strip(), day, hhmm


def clock_notes(note: str, days: bool) -> str:
    """A note of ``batch`` (whose times are dates and times) with the times of clock times
    shown as the screen shows them."""

    def one(found: re.Match[str]) -> str:
        at = datetime.strptime(found.group(0), NOTE_TIME)
        return shown(at, True, days)[0]

    return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", one, note)


__all__ = [
    "Point",
    "Series",
    "Timed",
    "clock_notes",
    "clock_times",
    "joined_times",
    "kind_of_times",
    "read_datetime",
    "shown",
    "split_time",
]
