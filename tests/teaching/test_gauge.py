"""The text gauge: the scale it is drawn against, its zones, cut-points and value marks."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from electrocheck.clinical.check import run_check
from electrocheck.clinical.interpret import interpret
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient
from electrocheck.teaching.gauge import (
    ABNORMAL,
    CRITICAL,
    CUT,
    NORMAL,
    OFF_HIGH,
    OFF_LOW,
    VALUE,
    WIDTH,
    Scale,
    cuts_of,
    gauge,
    scale_of,
)
from electrocheck.units.resolve import resolve_unit

GAUGE_CHARS = frozenset(CRITICAL + ABNORMAL + NORMAL + CUT + VALUE + OFF_LOW + OFF_HIGH)
MARKS = VALUE + OFF_LOW + OFF_HIGH

#: A hand-built potassium-like scale: 6 mmol/L over 24 cells, so each cell covers 0.25 and
#: cell i is centred on 2.0 + (i + 0.5) * 0.25.
HAND = Scale(low=2.0, high=8.0, reference=(3.5, 5.0), critical=(2.8, 6.2), cuts=(3.0, 5.5))
#: Cells 0-2 (centres 2.125-2.625) lie below 2.8; cell 3 (2.875) is outside the interval;
#: cut 3.0 falls in cell int(1.0 / 6 * 24) = 4; cell 5 (3.375) is outside the interval;
#: cells 6-11 (3.625-4.875) are inside it; cells 12-13 (5.125, 5.375) are above 5.0; cut 5.5
#: falls in cell int(3.5 / 6 * 24) = 14; cells 15-16 (5.875, 6.125) are at most 6.2; cells
#: 17-23 (6.375-7.875) are above 6.2.
HAND_EMPTY = "▓▓▓▒┊▒░░░░░░▒▒┊▒▒▓▓▓▓▓▓▓"

#: Potassium's adult limits and CTCAE cut-points in mmol/L (reference_ranges.yaml).
K_REFERENCE = (3.5, 5.0)
K_CRITICAL = (2.8, 6.2)
K_CUTS = (3.0, 2.5, 5.5, 6.0, 7.0)  # low side grade 3, 4; high side grade 2, 3, 4
#: Calcium's molar mass (g/mol): mg/dL x 10 / 40.078 = mmol/L.
CA_MOLAR_MASS = 40.078


def mark_index(line: str) -> int:
    """Where the value is drawn: its cell, -1 when off the low end, len when off the high."""
    if OFF_LOW in line:
        return -1
    if OFF_HIGH in line:
        return len(line)
    return line.index(VALUE)


# --------------------------------------------------------------------------- Scale.around


def test_around_by_hand() -> None:
    # margin low (3.5 - 2.8) / 2 = 0.35, margin high (6.2 - 5.0) / 2 = 0.6: the bare scale
    # runs 2.45 to 6.8; the pad at each end is (6.8 - 2.45) / (24 - 3) = 0.2071...
    scale = Scale.around(K_REFERENCE, K_CRITICAL)
    assert scale.low == pytest.approx(2.45 - 4.35 / 21)
    assert scale.high == pytest.approx(6.8 + 4.35 / 21)
    assert (scale.reference, scale.critical, scale.cuts) == (K_REFERENCE, K_CRITICAL, ())


def test_around_widens_for_cuts_and_values() -> None:
    # The cut 7.0 lies above 6.8, beyond the critical limit: it does not widen the scale,
    # which runs 2.45 to 6.8, pad 4.35 / 21.
    with_cuts = Scale.around(K_REFERENCE, K_CRITICAL, K_CUTS)
    assert with_cuts.low == pytest.approx(2.45 - 4.35 / 21)
    assert with_cuts.high == pytest.approx(6.8 + 4.35 / 21)
    assert with_cuts.cuts == K_CUTS
    # The values 2.0 and 8.0 stretch it further: 2.0 to 8.0, pad 6 / 21.
    with_values = Scale.around(K_REFERENCE, K_CRITICAL, K_CUTS, values=[2.0, 8.0])
    assert with_values.low == pytest.approx(2.0 - 6 / 21)
    assert with_values.high == pytest.approx(8.0 + 6 / 21)


def test_around_never_goes_below_zero() -> None:
    scale = Scale.around((0.5, 1.0), (0.1, 2.0), values=[0.0])
    assert scale.low == 0.0
    assert mark_index(gauge(scale, 0.0)) == 0


def _increments(minimum: float = 0.05) -> st.SearchStrategy[float]:
    return st.floats(min_value=minimum, max_value=50.0, allow_nan=False, allow_infinity=False)


@given(
    critical_low=_increments(0.0),
    gaps=st.tuples(_increments(), _increments(), _increments()),
    cuts=st.lists(st.floats(min_value=0.0, max_value=300.0), max_size=6),
    values=st.lists(st.floats(min_value=0.0, max_value=300.0), max_size=6),
)
def test_around_holds_every_zone_cut_and_value(
    critical_low: float,
    gaps: tuple[float, float, float],
    cuts: list[float],
    values: list[float],
) -> None:
    reference_low = critical_low + gaps[0]
    reference_high = reference_low + gaps[1]
    critical = (critical_low, reference_high + gaps[2])
    scale = Scale.around((reference_low, reference_high), critical, cuts, values)
    assert 0.0 <= scale.low <= critical[0] and scale.high > critical[1]
    # Values are always on the scale; cut-points far beyond a critical limit are not drawn.
    assert all(scale.low <= x <= scale.high for x in values)
    assert scale.zone(scale.high) == CRITICAL  # the critical high zone is on the scale
    if critical[0] > 0:
        assert scale.zone(scale.low) == CRITICAL  # and so is the critical low one
    for value in values:  # every value given is drawn on the scale, not off it
        line = gauge(scale, value)
        assert VALUE in line and OFF_LOW not in line and OFF_HIGH not in line


def test_around_leaves_a_cell_to_spare_at_each_end() -> None:
    scale = Scale.around(K_REFERENCE, K_CRITICAL, K_CUTS, values=[2.0, 8.0])
    assert mark_index(gauge(scale, 2.0)) >= 1
    assert mark_index(gauge(scale, 8.0)) <= WIDTH - 2


# --------------------------------------------------------------------------- gauge


def test_hand_scale_zones_and_cuts() -> None:
    assert gauge(HAND, None) == HAND_EMPTY


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (4.2, 8),  # int((4.2 - 2.0) / 6.0 * 24) = int(8.8)
        (2.0, 0),  # the left end
        (2.26, 1),  # int(1.04)
        (3.5, 6),  # the reference low
        (5.0, 11),  # the reference high: in cell 12, whose zone is H, so drawn in 11 (N)
        (7.99, 23),  # int(23.96)
        (8.0, 23),  # the right end stays in the last cell
    ],
)
def test_value_cell_by_hand(value: float, cell: int) -> None:
    line = gauge(HAND, value)
    assert line.index(VALUE) == cell and line.count(VALUE) == 1
    # everything but the value's cell is as drawn without a value
    assert line[:cell] + line[cell + 1 :] == HAND_EMPTY[:cell] + HAND_EMPTY[cell + 1 :]


def test_value_inside_the_interval_sits_among_normal_cells() -> None:
    line = gauge(HAND, 4.2)
    assert line == "▓▓▓▒┊▒░░●░░░▒▒┊▒▒▓▓▓▓▓▓▓"
    assert (line[7], line[8], line[9]) == (NORMAL, VALUE, NORMAL)


def test_cells_beyond_the_critical_limits_are_critical() -> None:
    line = gauge(HAND, 4.2)
    assert set(line[:3]) == {CRITICAL}  # centres 2.125-2.625 < 2.8
    assert set(line[17:]) == {CRITICAL}  # centres 6.375-7.875 > 6.2
    assert line[3] == ABNORMAL and line[16] == ABNORMAL  # 2.875 and 6.125: not critical


def test_cut_points_are_drawn() -> None:
    line = gauge(HAND, None)
    assert [i for i, c in enumerate(line) if c == CUT] == [4, 14]


def test_value_on_a_cut_point_replaces_it() -> None:
    line = gauge(HAND, 3.0)
    assert line[4] == VALUE and [i for i, c in enumerate(line) if c == CUT] == [14]


def test_zone_edges_follow_the_flags() -> None:
    # One unit per cell; cell i is centred on i + 0.5, so the limits fall on centres of cells
    # 6, 10, 13 and 17. A value equal to a limit is on the milder side (as flags are).
    scale = Scale(low=0.0, high=24.0, reference=(10.5, 13.5), critical=(6.5, 17.5))
    expected = CRITICAL * 6 + ABNORMAL * 4 + NORMAL * 4 + ABNORMAL * 4 + CRITICAL * 6
    assert gauge(scale, None) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, OFF_LOW + HAND_EMPTY[1:]),
        (1.999, OFF_LOW + HAND_EMPTY[1:]),
        (8.001, HAND_EMPTY[:-1] + OFF_HIGH),
        (100.0, HAND_EMPTY[:-1] + OFF_HIGH),
    ],
)
def test_values_off_the_scale(value: float, expected: str) -> None:
    line = gauge(HAND, value)
    assert line == expected and VALUE not in line


def test_no_value_no_mark() -> None:
    line = gauge(HAND, None)
    assert not set(MARKS) & set(line)


@pytest.mark.parametrize("width", [1, 2, 13, 24, 25, 80])
@pytest.mark.parametrize("value", [None, 0.0, 2.0, 4.2, 8.0, 50.0])
def test_gauge_is_exactly_width_characters(width: int, value: float | None) -> None:
    line = gauge(HAND, value, width)
    assert len(line) == width and set(line) <= GAUGE_CHARS
    assert sum(line.count(m) for m in MARKS) == (0 if value is None else 1)


def test_default_width() -> None:
    assert WIDTH == 24 and len(gauge(HAND, 4.2)) == 24


@given(
    values=st.lists(
        st.floats(min_value=0.0, max_value=12.0, allow_nan=False), min_size=2, max_size=20
    ),
    width=st.integers(min_value=1, max_value=60),
)
def test_value_mark_moves_right_as_the_value_rises(values: list[float], width: int) -> None:
    marks = [mark_index(gauge(HAND, v, width)) for v in sorted(values)]
    assert marks == sorted(marks)
    assert all(-1 <= m <= width for m in marks)


# --------------------------------------------------------------------------- scale_of


def test_scale_of_a_potassium_result(ref: Reference) -> None:
    result = interpret(ref, "k", 3.1, "mmol/L")
    scale = scale_of(ref, result)
    assert scale.reference == K_REFERENCE and scale.critical == K_CRITICAL
    assert scale.cuts == K_CUTS
    # As in test_around_widens_for_cuts_and_values: 2.45 to 6.8, pad 4.35 / 21.
    assert scale.low == pytest.approx(2.45 - 4.35 / 21)
    assert scale.high == pytest.approx(6.8 + 4.35 / 21)


def test_scale_of_a_newborn_uses_the_newborn_limits(ref: Reference) -> None:
    result = interpret(ref, "k", 3.1, "mmol/L", patient=Patient(age_days=10))
    scale = scale_of(ref, result)
    assert scale.reference == (3.4, 6.0) and scale.critical == (2.8, 7.8)


def test_scale_of_takes_the_values_given(ref: Reference) -> None:
    result = interpret(ref, "k", 3.1, "mmol/L")
    scale = scale_of(ref, result, [1.0, 12.0])
    assert scale.low == pytest.approx(1.0 - 11.0 / 21)
    assert scale.high == pytest.approx(12.0 + 11.0 / 21)


@pytest.mark.parametrize(
    ("unit", "cuts"),
    [
        # CTCAE's calcium cut-points in mg/dL do not convert exactly into the mmol/L ones:
        # a value is graded, and its gauge drawn, with those of its own unit system.
        ("mg/dL", tuple(v * 10 / CA_MOLAR_MASS for v in (8.0, 7.0, 6.0, 11.5, 12.5, 13.5))),
        ("mmol/L", (2.0, 1.75, 1.5, 2.9, 3.1, 3.4)),
    ],
)
def test_cuts_follow_the_unit_system(ref: Reference, unit: str, cuts: tuple[float, ...]) -> None:
    value = 7.6 if unit == "mg/dL" else 1.9
    result = interpret(ref, "ca", value, unit)
    assert scale_of(ref, result).cuts == pytest.approx(cuts)
    assert cuts_of(ref.analytes["calcium"], resolve_unit(unit)) == pytest.approx(cuts)


def test_cuts_of_come_low_side_first(ref: Reference) -> None:
    assert cuts_of(ref.analytes["potassium"], resolve_unit("mmol/L")) == K_CUTS


def test_cuts_of_a_side_without_grades(ref: Reference) -> None:
    no_high = dataclasses.replace(ref.analytes["potassium"], grade_high=None)
    assert cuts_of(no_high, resolve_unit("mmol/L")) == (3.0, 2.5)
    neither = dataclasses.replace(no_high, grade_low=None)
    assert cuts_of(neither, resolve_unit("mmol/L")) == ()


def test_scale_of_a_corrected_calcium(ref: Reference) -> None:
    report = run_check(ref, ["ca=7.6mg/dL", "alb=2.5g/dL"])
    corrected = next(r for r in report.results if r.analyte == "corrected_calcium")
    scale = scale_of(ref, corrected)
    # drawn with calcium's mg/dL cut-points and the corrected result's own limits
    expected = tuple(v * 10 / CA_MOLAR_MASS for v in (8.0, 7.0, 6.0, 11.5, 12.5, 13.5))
    assert scale.cuts == pytest.approx(expected)
    assert scale.reference == (corrected.low, corrected.high)
    assert VALUE in gauge(scale, corrected.value)


@pytest.mark.parametrize("width", [13, 24])
@pytest.mark.parametrize(
    ("analyte", "unit"),
    [("k", "mmol/L"), ("na", "mmol/L"), ("ca", "mg/dL"), ("mg", "mmol/L"), ("ica", "mmol/L")],
)
def test_a_real_value_is_drawn_in_its_own_zone(
    ref: Reference, analyte: str, unit: str, width: int
) -> None:
    # Every value of a sweep across the scale: the cell that holds the mark has the zone of
    # the value's flag, and every zone stays visible however the cut-points fall.
    record = ref.analyte(analyte)
    factor = record.factor_to_mmol(resolve_unit(unit))
    zone_of = {"N": NORMAL, "L": ABNORMAL, "H": ABNORMAL, "LL": CRITICAL, "HH": CRITICAL}
    low, high = record.plausible.low_mmol / factor, record.plausible.high_mmol / factor
    for k in range(1, 400):
        result = interpret(ref, analyte, low + (high - low) * k / 400, unit)
        scale = scale_of(ref, result, width=width)
        line = gauge(scale, result.value, width)
        i = scale.cell(result.value, width)
        if 0 <= i < width:
            j = line.index(VALUE)
            step = (scale.high - scale.low) / width
            assert scale.zone(scale.low + (j + 0.5) * step) == zone_of[result.flag], line
        assert {NORMAL, ABNORMAL, CRITICAL} <= set(gauge(scale, None, width)), line
