"""The lines of a check's series (values given at times) on its first screen, and their
table under ``--explain``.

Each analyte given at times gets one line (wrapped where long): a sparkline of its values, each
value with its flag and time, and the last change with its rate per 24 h. Under it come the
notes of the changes as ``batch`` writes them, in short (the reason and the source wait for
``--explain``): a correction too fast in red, a delta check or a trend in yellow (the trend of
a run once, at its last value). A value of a series beyond a
critical limit before the latest gets a red line of its own: the table shows only the latest.
"""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from electrocheck.clinical.check import CheckReport
from electrocheck.clinical.result import format_number
from electrocheck.clinical.series import Point, Series
from electrocheck.reference.changes import Changes

#: The eight heights of a sparkline, and the same in ASCII for a console without them.
SPARKS = "▁▂▃▄▅▆▇█"
SPARKS_ASCII = str.maketrans(dict(zip(SPARKS, "_.-~=+*#", strict=True)))
#: The marker of a series' line.
MARKER = "~"
#: A flag's colour in a series' values and sparkline.
FLAG_COLOURS = {"LL": "bold red", "L": "yellow", "N": "green", "H": "yellow", "HH": "bold red"}
#: How a note of each kind stands out: a correction too fast harms.
NOTE_STYLES = {"correction_rate": "bold red", "delta_check": "yellow", "trend": "yellow"}


def sparkline(values: list[float]) -> str:
    """One character per value, its height where the value lies between the least and the
    greatest (the middle one for values all equal)."""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / (high - low) * top)] for v in values)


def signed(number: float) -> str:
    return f"{'+' if number > 0 else '-' if number < 0 else '±'}{format_number(abs(number))}"


def series_line(series: Series) -> Text:
    """Values and times of ``series``, and its last change; a time shows its day or date
    only where it differs from the value's before."""
    points = series.points
    line = Text(f"{series.label} ")
    for point, char in zip(points, sparkline([p.result.value for p in points]), strict=True):
        line.append(char, style=FLAG_COLOURS[point.result.flag])
    line.append(" mmol/L:")
    day = None
    for n, point in enumerate(points):
        line.append(", " if n else " ")
        line.append(format_number(point.result.value))
        line.append(f" {point.result.flag}", style=FLAG_COLOURS[point.result.flag])
        time = point.clock if point.day == day else point.shown_time
        line.append(f" {time}", style="dim")
        day = point.day
    last = points[-1]
    if last.change_mmol_l is not None:
        rate = (
            "same time"
            if last.change_per_24h is None
            else f"{signed(last.change_per_24h)} per 24 h"
        )
        line.append(f"; last change {signed(last.change_mmol_l)} mmol/L, {rate}")
    return line


def _shown_notes(series: Series) -> list[tuple[str, str]]:
    """The notes of a series' changes (kind, text) for the first screen: each once, and a
    trend only at the last value of its run."""
    shown: dict[str, str] = {}
    points = series.points
    for n, point in enumerate(points):
        following = points[n + 1] if n + 1 < len(points) else None
        for kind, note in zip(point.note_kinds, point.change_notes, strict=True):
            if kind == "trend" and following is not None and following.trend == point.trend:
                continue  # the run goes on: its next value's note says it all
            shown.setdefault(note, kind)
    return [(kind, note) for note, kind in shown.items()]


def earlier_critical(report: CheckReport) -> str | None:
    """The line naming the values beyond a critical limit before the latest of a series."""
    found = [
        f"{series.label} {format_number(p.result.value)} {p.result.flag} at {p.shown_time}"
        for series in report.series
        for p in series.points[:-1]
        if p.result.flag in ("LL", "HH")
    ]
    return f"critical earlier: {', '.join(found)}" if found else None


def brief_note(kind: str, note: str, changes: Changes) -> str:
    """A note of ``batch`` as the first screen shows it: what happened and the limit, the
    reason and the rule's source left to ``--explain``. A correction too fast without its
    rule's reason, a delta check without its source, a trend without the rule."""
    if kind == "correction_rate":
        for rule in changes.correction_rates:
            note = note.removesuffix(f" - {rule.note}")
        return note
    if kind == "delta_check":
        cut = note.rfind(" (")
        return note[:cut] if cut > 0 and note.endswith(")") else note
    if kind == "trend" and "): " in note:
        return note.split("): ", 1)[0] + ")"
    return note


def add_series_lines(grid: Table, report: CheckReport, changes: Changes) -> None:
    """Add to ``grid`` (a marker and a line each) the lines of the report's series; the
    notes in short (see :func:`brief_note`)."""
    for series in report.series:
        grid.add_row(MARKER, series_line(series))
        for kind, note in _shown_notes(series):
            style = NOTE_STYLES.get(kind, "yellow")
            text = brief_note(kind, note, changes)
            grid.add_row(Text("!", style=style), Text(text, style=style))
    critical = earlier_critical(report)
    if critical:
        grid.add_row(Text("!", style="bold red"), Text(critical, style="bold red"))


def series_explained(series: Series) -> Group:
    """A series in full: each value with its time, flag, grade and change, then every note
    of its changes."""
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold underline")
    for name, justify in (
        ("Time", "left"),
        ("mmol/L", "right"),
        ("Flag", "center"),
        ("Grade", "center"),
        ("Change", "right"),
        ("per 24 h", "right"),
        ("Trend", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for point in series.points:
        table.add_row(*_cells(point))
    notes = Table.grid(padding=(0, 1))
    notes.add_column(width=1)
    notes.add_column()
    for point in series.points:
        for kind, note in zip(point.note_kinds, point.change_notes, strict=True):
            style = NOTE_STYLES.get(kind, "yellow")
            notes.add_row(Text("!", style=style), Text(f"{point.shown_time}: {note}", style=style))
    heading = Text(f"{series.label} over time", style="bold")
    return Group(heading, Padding(Group(table, notes), (0, 0, 0, 2), expand=False))


def _cells(point: Point) -> list[str | Text]:
    result = point.result
    change, rate = point.change_mmol_l, point.change_per_24h
    return [
        point.shown_time,
        format_number(result.value),
        Text(f" {result.flag} ", style=FLAG_COLOURS[result.flag]),
        "–" if result.grade is None else str(result.grade),
        "" if change is None else signed(change),
        "" if rate is None else signed(rate),
        point.trend or "",
    ]
