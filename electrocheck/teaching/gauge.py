"""A text gauge: where a value falls against the critical limits, the reference interval and
the grade cut-points, drawn in one line of characters.

    ▓▓▒▒┊▒▒░░░░●░░░▒▒┊▒▒▓▓
    LL  L   N       H   HH

Each cell of the bar covers an equal stretch of mmol/L and shows the zone it lies in: ``▓``
beyond a critical limit, ``▒`` outside the interval, ``░`` within it. ``┊`` marks a grade
cut-point, ``●`` the value (``◀`` or ``▶`` at an end when the value lies off the scale). The
scale runs from half an interval-to-critical distance below the critical low to as far above
the critical high, widened to hold every cut-point and any values given, and a cell more.
This module draws text only; colour is the renderer's business.

A console whose encoding has none of these characters (cp1252, ascii) gets the gauge in
ASCII instead (:data:`ASCII`): ``#`` critical, ``=`` outside, ``-`` within, ``:`` a
cut-point, ``o`` the value, ``<`` and ``>`` off the scale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from electrocheck.clinical.compare import above, below
from electrocheck.clinical.result import Result
from electrocheck.reference import Analyte, Reference
from electrocheck.units.resolve import Unit, resolve_unit

#: The characters of the gauge, by zone and mark.
CRITICAL, ABNORMAL, NORMAL, CUT, VALUE, OFF_LOW, OFF_HIGH = "▓", "▒", "░", "┊", "●", "◀", "▶"
WIDTH = 24
#: The same gauge in ASCII, character for character, for a console that cannot show the above.
ASCII = {
    CRITICAL: "#",
    ABNORMAL: "=",
    NORMAL: "-",
    CUT: ":",
    VALUE: "o",
    OFF_LOW: "<",
    OFF_HIGH: ">",
}
_TO_ASCII = str.maketrans(ASCII)


@dataclass(frozen=True)
class Scale:
    """What a gauge is drawn against, in mmol/L."""

    low: float  # the left end
    high: float  # the right end
    reference: tuple[float, float]
    critical: tuple[float, float]
    cuts: tuple[float, ...] = ()  # grade cut-points

    @classmethod
    def around(
        cls,
        reference: tuple[float, float],
        critical: tuple[float, float],
        cuts: Iterable[float] = (),
        values: Iterable[float] = (),
        width: int = WIDTH,
    ) -> Scale:
        """A scale that shows every zone, and ``values`` if they are few enough to fit."""
        cuts = tuple(cuts)
        margin_low = (reference[0] - critical[0]) / 2
        margin_high = (critical[1] - reference[1]) / 2
        low, high = critical[0] - margin_low, critical[1] + margin_high
        # Cut-points far beyond a critical limit (magnesium grade 4 at 3.3 mmol/L, against a
        # critical limit of 1.93) would squash the interval into a cell: they are not drawn.
        for value in values:
            low, high = min(low, value), max(high, value)
        # A cell to spare at each end of a gauge ``width`` cells wide, so that the marks
        # within the scale never sit on an end, where the off-scale arrows go.
        pad = (high - low) / (width - 3)
        return cls(max(low - pad, 0.0), high + pad, reference, critical, cuts)

    def zone(self, mmol: float) -> str:
        if below(mmol, self.critical[0]) or above(mmol, self.critical[1]):
            return CRITICAL
        if below(mmol, self.reference[0]) or above(mmol, self.reference[1]):
            return ABNORMAL
        return NORMAL

    def cell(self, mmol: float, width: int) -> int:
        """The cell a value falls in; -1 or ``width`` when off the scale."""
        if mmol < self.low:
            return -1
        if mmol > self.high:
            return width
        span = self.high - self.low
        return min(width - 1, int((mmol - self.low) / span * width)) if span > 0 else 0


def gauge(scale: Scale, value: float | None, width: int = WIDTH) -> str:
    """One line of ``width`` characters: the zones, the cut-points and the value."""
    step = (scale.high - scale.low) / width
    zones = [scale.zone(scale.low + (i + 0.5) * step) for i in range(width)]
    cells = list(zones)
    for cut in scale.cuts:
        i = scale.cell(cut, width)
        if 0 <= i < width and _not_the_last(zones, cells, i):
            cells[i] = CUT
    if value is not None:
        i = scale.cell(value, width)
        if i < 0:
            cells[0] = OFF_LOW
        elif i >= width:
            cells[-1] = OFF_HIGH
        else:
            centre = scale.low + (i + 0.5) * step
            toward = -1 if value < centre else 1
            cells[_in_its_zone(zones, i, scale.zone(value), toward)] = VALUE
    return "".join(cells)


def _not_the_last(zones: list[str], cells: list[str], i: int) -> bool:
    """Whether a cut-point may cover cell ``i``: not when it is the last cell of its run of
    one zone still showing that zone (the zone would vanish from the gauge)."""
    run = [i]
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(zones) and zones[j] == zones[i]:
            run.append(j)
            j += step
    return any(cells[j] == zones[i] for j in run if j != i)


def _in_its_zone(zones: list[str], i: int, zone: str, toward: int) -> int:
    """Cell ``i``, or, when a limit between the value and the cell's centre puts the centre
    in another zone, the neighbour on the value's side of the centre (``toward``: -1 left,
    1 right) if that one is in the value's zone: a value within half a cell of a limit is
    drawn on its own side of it."""
    j = i + toward
    if zones[i] != zone and 0 <= j < len(zones) and zones[j] == zone:
        return j
    return i


def shows_blocks(encoding: str | None) -> bool:
    """Whether text in ``encoding`` can hold every character of the gauge (UTF-8 can;
    cp1252, latin-1 and ascii cannot). An unknown encoding counts as one that cannot."""
    try:
        "".join(ASCII).encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def in_ascii(text: str) -> str:
    """``text`` with every gauge character (in gauges and legends alike) in :data:`ASCII`."""
    return text.translate(_TO_ASCII)


def graded_cuts(analyte: Analyte, unit: Unit) -> tuple[tuple[int, float], ...]:
    """The grade cut-points that grade a value of ``analyte`` given in ``unit``: (grade,
    mmol/L) of the low side, then of the high side, each by rising grade."""
    found: list[tuple[int, float]] = []
    for side in ("low", "high"):
        scale = analyte.grades(side)
        if scale is not None:
            found += [(grade, mmol) for grade, _, mmol in scale.criterion_for(unit).cuts]
    return tuple(found)


def cuts_of(analyte: Analyte, unit: Unit) -> tuple[float, ...]:
    """The grade cut-points (mmol/L) that grade a value of ``analyte`` given in ``unit``."""
    return tuple(mmol for _, mmol in graded_cuts(analyte, unit))


def analyte_of(reference: Reference, result: Result) -> Analyte:
    """The analyte whose limits and grades a result is read against (the measured one, for
    a corrected result)."""
    key = result.analyte
    correction = reference.corrections.get(key)
    return reference.analytes[correction.corrects if correction else key]


def scale_of(
    reference: Reference, result: Result, values: Iterable[float] = (), width: int = WIDTH
) -> Scale:
    """The scale of a result: its interval, critical limits and grade cut-points."""
    analyte = analyte_of(reference, result)
    return Scale.around(
        (result.low, result.high),
        (result.critical_low, result.critical_high),
        cuts_of(analyte, resolve_unit(result.entered_unit)),
        values,
        width,
    )
