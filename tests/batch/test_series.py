"""A short series of one patient's values at times (``na=118@08:00 na=126@20:00``): the
panel of the latest values, and each analyte's changes over time, batch's to the letter."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from batch_files import rows, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck import (
    InputError,
    ValueTokenError,
    check_series,
    load_reference,
    run_check,
    run_series,
)
from electrocheck.clinical.check import CheckReport

REF = load_reference()


def series(*args: str) -> CheckReport:
    return run_series(REF, list(args))


def last(*args: str) -> dict[str, object]:
    """The last point of the first series, as JSON."""
    report = series(*args)
    point = report.series[0].points[-1]
    return {**point.to_dict(), "kinds": point.note_kinds}


# -- the panel: the latest of each analyte at times, and the values without one


def test_the_panel_is_the_latest_value_of_each_analyte_and_the_values_without_a_time() -> None:
    report = series("k=3.0@08:00", "mg=0.5", "k=3.3@20:00", "na=140@09:00")
    assert [(r.analyte, r.value) for r in report.results] == [
        ("potassium", 3.3),
        ("magnesium", 0.5),
        ("sodium", 140.0),
    ]
    assert report.pattern_ids == ("mg-first-k",)  # low magnesium and low potassium, now
    assert [(s.analyte, len(s.points)) for s in report.series] == [("potassium", 2), ("sodium", 1)]


def test_date_times_are_put_in_time_order_and_the_latest_is_the_panels() -> None:
    report = series("na=130@2026-03-02T08:00", "na=118@2026-03-01T08:00")
    assert [p.result.value for p in report.series[0].points] == [118.0, 130.0]
    assert report.results[0].value == 130.0


def test_an_earlier_value_is_still_interpreted_and_counts_for_fail_on() -> None:
    report = series("k=2.4@08:00", "k=3.6@20:00")
    assert [p.result.flag for p in report.series[0].points] == ["LL", "N"]
    assert [r.flag for r in report.results] == ["N"]
    assert report.fails("critical") and report.fails("abnormal")
    assert not series("k=3.6@08:00", "k=4.0@20:00").fails("abnormal")


def test_without_a_time_it_is_a_check() -> None:
    assert series("k=3.1", "na=128") == run_check(REF, ["k=3.1", "na=128"])
    assert "series" not in series("k=3.1").to_dict()
    assert "series" in series("k=3.1@08:00").to_dict()


def test_check_refuses_a_value_at_a_time_and_names_the_series_functions() -> None:
    with pytest.raises(ValueTokenError, match=r"run_series or electrocheck\.check_series"):
        run_check(REF, ["na=118@08:00"])


def test_check_series_takes_checks_arguments() -> None:
    report = check_series(["k=3.0@08:00", "k=3.5@20:00"], age="10d", na=None)
    assert report.results[0].population.startswith("age 7d to 30d")
    assert report.warnings == ("na: no value (None): not interpreted",)


def test_covariates_correct_the_latest_value() -> None:
    report = series("ca=1.9@08:00", "ca=2.0@20:00", "alb=25g/L")
    assert [r.analyte for r in report.results] == ["calcium", "corrected_calcium"]
    assert report.results[0].value == 2.0


# -- clock times: the order typed, the next day when not after


@pytest.mark.parametrize(
    ("clocks", "times", "hours"),
    [
        (["08:00", "20:00"], ["08:00", "20:00"], 12),
        (["20:00", "08:00"], ["day 1 20:00", "day 2 08:00"], 12),
        (["08:00", "08:00"], ["day 1 08:00", "day 2 08:00"], 24),  # not after: the next day
        (["23:59", "00:00"], ["day 1 23:59", "day 2 00:00"], 1 / 60),
        (["08:00", "07:59"], ["day 1 08:00", "day 2 07:59"], 24 - 1 / 60),
        (["8:00", "8:00:30"], ["08:00", "08:00:30"], 1 / 120),
    ],
)
def test_clock_times_roll_over_to_the_next_day(
    clocks: list[str], times: list[str], hours: float
) -> None:
    report = series(*(f"na=130@{c}" if n else f"na=128@{c}" for n, c in enumerate(clocks)))
    points = report.series[0].points
    assert [p.time for p in points] == times
    assert points[1].change_per_24h == round(2 / hours * 24, 2)


def test_the_days_of_clock_times_are_counted_for_all_analytes_alike() -> None:
    report = series("na=128@20:00", "na=130@08:00", "k=3.5@09:00")
    assert [p.time for s in report.series for p in s.points] == [
        "day 1 20:00",
        "day 2 08:00",
        "day 1 09:00",
    ]


# -- batch's rules: both sides of each limit


RISE, DELTA, TREND = "correction_rate", "delta_check", "trend"


@pytest.mark.parametrize(
    ("args", "kind", "text"),
    [
        (["na=116@08:00", "na=126@08:00"], RISE, None),  # 10 in 24 h: at the limit
        (
            ["na=116@08:00", "na=127@08:00"],
            RISE,
            "sodium rose 11 mmol/L in 24 h (from 116 at day 1 08:00): faster than the 10 "
            "mmol/L per 24 h limit (Spasovski 2014) - too fast a correction of chronic low "
            "sodium risks osmotic demyelination",
        ),
        (["na=116@2026-03-01T08:00", "na=127@2026-03-02T08:01"], RISE, None),  # 24 h 1 min
        (
            ["na=116@2026-03-01T08:00", "na=135@2026-03-03T08:00"],
            RISE,
            "18 mmol/L per 48 h limit (Verbalis 2013)",
        ),
        (["na=116@2026-03-01T08:00", "na=134@2026-03-03T08:00"], RISE, None),
        (["na=136@08:00", "na=147@20:00"], RISE, None),  # from a normal value: no correction
        (["na=140@2026-03-01T10:00", "na=127@2026-03-03T10:00"], DELTA, None),  # 13: at it
        (
            ["na=140@2026-03-01T10:00", "na=126@2026-03-03T10:00"],
            DELTA,
            "review before release: sodium changed by 14 mmol/L in 48 h (from 140 at "
            "2026-03-01 10:00), more than the delta check's 13 mmol/L within 72 h (AACC "
            "example: a laboratory's own limit)",
        ),
        (["na=140@2026-03-01T10:00", "na=126@2026-03-04T10:01"], DELTA, None),  # beyond 72 h
        (
            ["k=4.0@2026-02-01T09:00", "k=3.6@2026-02-22T09:00", "k=3.2@2026-03-15T09:00"],
            TREND,
            "potassium falling over 3 results since 2026-02-01 09:00 (4 to 3.2 mmol/L): "
            "electrocheck's trend rule, 3 or more results each lower than the last, 0.5 "
            "mmol/L or more in all",
        ),
        (["k=4.0@08:00", "k=3.5@12:00", "k=3.6@16:00"], TREND, None),  # a step back
        (["k=4.0@08:00", "k=3.8@12:00", "k=3.6@16:00"], TREND, None),  # 0.4 in all
        (["k=4.0@08:00", "k=3.5@12:00", "k=3.5@16:00"], TREND, None),  # a step of no change
        (["k=4.0@08:00", "k=3.4@12:00"], TREND, None),  # two results
        (["k=4.0@08:00", "k=3.7@12:00", "k=3.5@16:00"], TREND, "(4 to 3.5 mmol/L)"),
    ],
)
def test_the_rules_of_batch_on_both_sides_of_each_limit(
    args: list[str], kind: str, text: str | None
) -> None:
    point = series(*args).series[0].points[-1]
    notes = [n for k, n in zip(point.note_kinds, point.change_notes, strict=True) if k == kind]
    if text is None:
        assert notes == []
    else:
        assert len(notes) == 1 and text in notes[0], notes


def test_the_trend_field_and_change_fields() -> None:
    point = last("k=4.0@2026-02-01T09:00", "k=3.6@2026-02-22T09:00", "k=3.2@2026-03-15T09:00")
    assert {k: point[k] for k in ("previous_value_mmol_l", "previous_time", "trend")} == {
        "previous_value_mmol_l": 3.6,
        "previous_time": "2026-02-22T09:00:00",
        "trend": "falling",
    }
    assert (point["change_mmol_l"], point["change_per_24h"]) == (-0.4, -0.02)


def test_values_at_the_same_time_are_taken_as_typed_with_a_change_and_no_rate() -> None:
    point = last("k=3.5@2026-03-01T08:00", "k=3.9@2026-03-01T08:00")
    assert (point["previous_value_mmol_l"], point["change_mmol_l"]) == (3.5, 0.4)
    assert point["change_per_24h"] is None


def test_an_offset_is_taken_to_utc() -> None:
    report = series("k=3.5@2026-03-01T08:00+02:00", "k=3.9@2026-03-01T08:00Z")
    assert [p.time for p in report.series[0].points] == [
        "2026-03-01T06:00:00",
        "2026-03-01T08:00:00",
    ]


def test_a_date_and_a_clock_typed_apart_are_one_time() -> None:
    report = series("na=118@2026-03-01", "08:00", "na=126@2026-03-01", "20:00")
    assert [p.time for p in report.series[0].points] == [
        "2026-03-01T08:00:00",
        "2026-03-01T20:00:00",
    ]


def test_a_unit_typed_apart_keeps_its_time() -> None:
    report = series("na=118", "mEq/L@08:00", "na=126@20:00", "mEq/L")
    points = report.series[0].points
    assert [(p.time, p.result.entered_unit) for p in points] == [
        ("08:00", "mEq/L"),
        ("20:00", "mEq/L"),
    ]


# -- bad times: one message, naming the value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["na=118@08:00", "na=126@2026-03-01T20:00"], "'na=118@08:00' has a clock time and"),
        (["na=118@08:00", "na=126"], "'na=126' has no time, and another sodium value has one"),
        (["na=118@08:00", "sodium=126"], "'sodium=126' has no time"),
        (["na=118@25:00"], "'25:00' is not a time of day"),
        (["na=118@08:60"], "'08:60' is not a time of day"),
        (["na=118@"], "no time after '@'"),
        (["na=118@yesterday"], "time 'yesterday' cannot be read"),
        (["na=118@2026-02-30T08:00"], "time '2026-02-30T08:00' cannot be read"),
        (["na=118@03/01/2026"], "expected a clock time (08:00) or a date and time"),
        (["alb=25@08:00", "ca=2.0@08:00"], "'alb=25@08:00': alb takes no time"),
        (["na=118@08:00", "mEq/L@09:00"], "two times"),
    ],
)
def test_a_bad_time_is_one_message_naming_the_value(args: list[str], message: str) -> None:
    with pytest.raises(ValueTokenError) as caught:
        run_series(REF, args, keep_going=True)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_value_that_cannot_be_read_leaves_the_rest_of_the_series() -> None:
    report = run_series(REF, ["k=3.0@08:00", "k=x@12:00", "k=3.5@16:00"], keep_going=True)
    assert [p.result.value for p in report.series[0].points] == [3.0, 3.5]
    assert len(report.errors) == 1 and "'x' is not a number" in report.errors[0]
    with pytest.raises(InputError):
        run_series(REF, ["k=3.0@08:00", "k=x@12:00"])


# -- the same answers as batch on the same values in a long file

START = datetime(2026, 3, 1, 8, 0)
CHANGES = ("previous_value_mmol_l", "previous_time", "change_mmol_l", "change_per_24h", "trend")
_POINT = st.one_of(
    st.tuples(st.just("na"), st.integers(110, 150).map(float)),
    st.tuples(st.just("k"), st.integers(25, 60).map(lambda x: x / 10)),
)
TESTS = {"na": "Sodium", "k": "Potassium"}


def _csv_number(text: str) -> float | None:
    return None if text == "" else float(text)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(st.tuples(_POINT, st.integers(0, 24 * 8)), min_size=1, max_size=8),
)
def test_the_series_gives_batchs_answers_on_the_same_long_file(
    tmp_path_factory: pytest.TempPathFactory,
    values: list[tuple[tuple[str, float], int]],
) -> None:
    times = [START + timedelta(hours=hours / 2) for _, hours in values]
    args = [
        f"{name}={value:g}@{at:%Y-%m-%dT%H:%M}"
        for ((name, value), _), at in zip(values, times, strict=True)
    ]
    lines = [
        f"P,{at:%Y-%m-%d %H:%M},{TESTS[name]},{value:g},mmol/L"
        for ((name, value), _), at in zip(values, times, strict=True)
    ]
    folder: Path = tmp_path_factory.mktemp("series")
    found = rows(run(folder, "patient_id,collected,test,value,unit\n" + "\n".join(lines) + "\n"))
    report = run_series(REF, args)
    points = {s.analyte: list(s.points) for s in report.series}
    # The points of each analyte in time order, ties as typed: so are batch's rows taken.
    order = sorted(range(len(values)), key=lambda i: (times[i], i))
    for i in order:
        row = found[i]
        point = points[row["analyte"]].pop(0)
        assert point.result.value == float(row["value_mmol_l"]) and point.result.flag == row["flag"]
        got = point.to_dict()
        assert got["previous_value_mmol_l"] == _csv_number(row["previous_value_mmol_l"])
        assert (got["previous_time"] or "") == row["previous_time"]
        assert got["change_mmol_l"] == _csv_number(row["change_mmol_l"])
        assert got["change_per_24h"] == _csv_number(row["change_per_24h"])
        assert (got["trend"] or "") == row["trend"]
        assert "; ".join(got["change_notes"]) == row["change_notes"]
