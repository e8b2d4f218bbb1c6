"""Changes over time in a long file: each result against the patient's earlier results of the
same analyte, by the rules of the reference file's ``changes`` section."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from batch_files import rows, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck.batch.run import run_batch

HEADER = "rid,patient_id,collected,test,value,unit\n"
START = datetime(2026, 3, 1, 8, 0)
CHANGES = (
    "previous_value_mmol_l",
    "previous_time",
    "change_mmol_l",
    "change_per_24h",
    "trend",
    "change_notes",
)


def _at(hours: float) -> str:
    return (START + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


def _file(results: list[tuple[str, float, str, str]]) -> str:
    """A long file of (patient, hours after START, test, value) rows, in that order."""
    lines = [
        f"{n},{patient},{_at(hours)},{test},{value},mmol/L"
        for n, (patient, hours, test, value) in enumerate(results, start=1)
    ]
    return HEADER + "\n".join(lines) + "\n"


def _last(tmp_path: Path, results: list[tuple[str, float, str, str]]) -> dict[str, str]:
    return rows(run(tmp_path, _file(results)))[-1]


# -- sodium raised too fast: both sides of each limit


@pytest.mark.parametrize(
    ("start", "end", "hours", "limit"),
    [
        (116, 126, 24, None),  # 10 in 24 h: at the limit
        (116, 127, 24, "10 mmol/L per 24 h limit (Spasovski 2014)"),  # just above
        (116, 127, 24 + 1 / 60, None),  # 11, a minute beyond 24 h: under 18 in 48 h
        (116, 134, 48, None),  # 18 in 48 h: at the limit
        (116, 135, 48, "18 mmol/L per 48 h limit (Verbalis 2013)"),
        (116, 135, 48 + 1 / 60, None),  # beyond both windows
        (136, 147, 24, None),  # a rise from a normal sodium is no correction
    ],
)
def test_sodium_raised_too_fast(
    tmp_path: Path, start: int, end: int, hours: float, limit: str | None
) -> None:
    last = _last(tmp_path, [("P", 0, "Sodium", str(start)), ("P", hours, "Sodium", str(end))])
    rises = [n for n in last["change_notes"].split("; ") if "faster than" in n]
    if limit is None:
        assert rises == []
    else:
        assert len(rises) == 1 and limit in rises[0], rises


def test_the_rise_is_counted_from_the_lowest_earlier_result_and_says_over_which_hours(
    tmp_path: Path,
) -> None:
    last = _last(
        tmp_path,
        [("P", 0, "Sodium", "116"), ("P", 8, "Sodium", "122"), ("P", 20, "Sodium", "130")],
    )
    assert last["change_notes"].split("; ")[0] == (
        "sodium rose 14 mmol/L in 20 h (from 116 at 2026-03-01 08:00): faster than the "
        "10 mmol/L per 24 h limit (Spasovski 2014) - too fast a correction of chronic low "
        "sodium risks osmotic demyelination"
    )
    assert (last["previous_value_mmol_l"], last["change_mmol_l"]) == ("122.0", "8.0")
    assert last["change_per_24h"] == "16.0"


# -- delta checks


@pytest.mark.parametrize(
    ("start", "end", "hours", "noted"),
    [
        (140, 127, 72, False),  # 13 within 72 h: at the limit
        (140, 126, 72, True),  # just above
        (140, 126, 72 + 1 / 60, False),  # a minute beyond the window
        (126, 140, 30, True),  # either direction
    ],
)
def test_delta_checks(tmp_path: Path, start: int, end: int, hours: float, noted: bool) -> None:
    last = _last(tmp_path, [("P", 0, "Sodium", str(start)), ("P", hours, "Sodium", str(end))])
    found = [n for n in last["change_notes"].split("; ") if n.startswith("review before release")]
    assert bool(found) is noted, last["change_notes"]
    if noted:
        assert f"changed by 14 mmol/L in {hours:g} h (from {start} at 2026-03-01 08:00)" in found[0]
        assert "AACC example: a laboratory's own limit" in found[0]


# -- trends


@pytest.mark.parametrize(
    ("values", "trends"),
    [
        (["4.0", "3.7", "3.5"], ["", "", "falling"]),  # 0.5 in all: at the threshold
        (["4.0", "3.8", "3.6"], ["", "", ""]),  # 0.4: under it
        (["4.0", "3.6", "3.2", "3.1"], ["", "", "falling", "falling"]),
        (["4.0", "3.6", "3.6", "3.2"], ["", "", "", ""]),  # a step of none breaks the run
        (["4.0", "3.6", "3.8", "3.2"], ["", "", "", ""]),  # a step back breaks it
        (["3.5", "3.8", "4.1"], ["", "", "rising"]),
        (["4.0", "3.2"], ["", ""]),  # two results are no trend
    ],
)
def test_trends(tmp_path: Path, values: list[str], trends: list[str]) -> None:
    out = rows(
        run(tmp_path, _file([("P", 24 * 21 * i, "Potassium", v) for i, v in enumerate(values)]))
    )
    assert [r["trend"] for r in out] == trends


def test_the_trend_note_says_what_moved_and_the_rule(tmp_path: Path) -> None:
    last = _last(
        tmp_path, [("P", 24 * 21 * i, "K", v) for i, v in enumerate(["4.0", "3.6", "3.2"])]
    )
    assert last["change_notes"] == (
        "potassium falling over 3 results since 2026-03-01 08:00 (4 to 3.2 mmol/L): "
        "electrocheck's trend rule, 3 or more results each lower than the last, 0.5 mmol/L or "
        "more in all"
    )


# -- order, times and patients


def test_previous_value_change_and_rate(tmp_path: Path) -> None:
    out = rows(run(tmp_path, _file([("P", 0, "Potassium", "4.0"), ("P", 12, "Potassium", "3.4")])))
    assert [out[0][name] for name in CHANGES] == ["", "", "", "", "", ""]
    assert [out[1][name] for name in CHANGES[:4]] == ["4.0", "2026-03-01T08:00:00", "-0.6", "-1.2"]


def test_rows_in_any_order_come_out_in_input_order_with_the_same_answers(tmp_path: Path) -> None:
    results = [
        ("A", 0, "Potassium", "4.0"),
        ("B", 0, "Potassium", "5.0"),
        ("A", 10, "Potassium", "3.6"),
        ("B", 10, "Potassium", "4.6"),
        ("A", 20, "Potassium", "3.2"),
        ("B", 30, "Sodium", "140"),
    ]
    out = rows(run(tmp_path, _file(results)))
    assert [r["rid"] for r in out] == ["1", "2", "3", "4", "5", "6"]
    assert [r["previous_value_mmol_l"] for r in out] == ["", "", "4.0", "5.0", "3.6", ""]
    assert [r["trend"] for r in out] == ["", "", "", "", "falling", ""]
    backwards = rows(run(tmp_path, _file(results[::-1])))
    assert [r["rid"] for r in backwards] == ["1", "2", "3", "4", "5", "6"]
    assert {r["value"] + r["patient_id"]: r["previous_value_mmol_l"] for r in backwards} == {
        r["value"] + r["patient_id"]: r["previous_value_mmol_l"] for r in out
    }


def test_results_at_the_same_time_are_taken_in_input_order(tmp_path: Path) -> None:
    out = rows(
        run(
            tmp_path,
            _file(
                [("P", 0, "Sodium", "130"), ("P", 5, "Sodium", "134"), ("P", 5, "Sodium", "120")]
            ),
        )
    )
    assert [r["previous_value_mmol_l"] for r in out] == ["", "130.0", "134.0"]
    assert out[2]["change_mmol_l"] == "-14.0" and out[2]["change_per_24h"] == ""


def test_a_result_whose_time_cannot_be_read_is_compared_with_nothing(tmp_path: Path) -> None:
    text = _file([("P", 0, "Potassium", "4.0"), ("P", 24, "Potassium", "3.8")])
    text += "3,P,sometime,Potassium,3.0,mmol/L\n4,P,2026-03-03 08:00,Potassium,3.6,mmol/L\n"
    out = rows(run(tmp_path, text))
    assert out[2]["previous_value_mmol_l"] == ""
    assert out[2]["change_notes"] == (
        "no earlier result compared: its collection time could not be read"
    )
    assert "could not be read" in out[2]["panel_notes"]
    assert out[3]["previous_value_mmol_l"] == "3.8"  # the unread one is not in the sequence


def test_json_lines_and_the_summary_count_the_notes(tmp_path: Path) -> None:
    text = _file([("P", 0, "Sodium", "116"), ("P", 20, "Sodium", "130")])
    summary = tmp_path / "summary.json"
    result = run(tmp_path, text, "--format", "jsonl", "--summary-json", str(summary))
    last = json.loads(result.stdout.splitlines()[-1])
    assert last["previous_value_mmol_l"] == 116.0 and last["change_per_24h"] == 16.8
    assert len(last["change_notes"]) == 2  # the rise, and the delta check
    notes = json.loads(summary.read_text())["panels"]["notes"]
    assert notes["correction_rate"] == 1 and notes["delta_check"] == 1


def test_no_patient_column_no_change_columns(tmp_path: Path) -> None:
    out = run(tmp_path, "specimen_id,test,value\nS1,Potassium,3.1\n").stdout
    assert "previous_value_mmol_l" not in out.splitlines()[0]


# -- the same answers whatever the order of the rows

_RESULT = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    st.integers(0, 120),
    st.sampled_from(["Sodium", "Potassium"]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    keys=st.lists(_RESULT, min_size=1, max_size=25, unique=True),
    values=st.lists(st.integers(0, 40), min_size=25, max_size=25),
    seed=st.integers(0, 2**32),
)
def test_shuffled_rows_get_the_same_answers(
    tmp_path_factory: pytest.TempPathFactory,
    keys: list[tuple[str, int, str]],
    values: list[int],
    seed: int,
) -> None:
    folder = tmp_path_factory.mktemp("shuffled")
    results = [
        (patient, hours * 4, test, str(115 + v) if test == "Sodium" else f"{2.5 + v / 10:.1f}")
        for (patient, hours, test), v in zip(keys, values, strict=False)
    ]
    shuffled = results[:]
    random.Random(seed).shuffle(shuffled)

    def answers(order: list[tuple[str, float, str, str]]) -> dict[tuple[object, ...], list[str]]:
        labs, out = folder / "in.csv", folder / "out.csv"
        labs.write_text(_file(order))
        run_batch(labs, out)
        read = list(csv.DictReader(io.StringIO(out.read_text())))
        assert [r["rid"] for r in read] == [str(n) for n in range(1, len(order) + 1)]
        return {(r["patient_id"], r["collected"], r["test"]): [r[n] for n in CHANGES] for r in read}

    assert answers(shuffled) == answers(results)


def test_the_rise_patient_by_patient_gives_the_same_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import electrocheck.batch.trends as trends

    results = [
        ("A", 0, "Sodium", "116"),
        ("B", 0, "Sodium", "140"),
        ("A", 20, "Sodium", "130"),
        ("B", 20, "Sodium", "152"),
        ("B", 40, "Sodium", "119"),
        ("B", 60, "Sodium", "131"),
    ]
    kept = [r["change_notes"] for r in rows(run(tmp_path, _file(results)))]
    assert sum("faster than" in n for n in kept) == 2
    monkeypatch.setattr(trends, "_KEY_LIMIT", 0)  # each patient's window on its own
    assert [r["change_notes"] for r in rows(run(tmp_path, _file(results)))] == kept


def test_an_input_column_named_like_a_change_column_prefixes_every_added_name(
    tmp_path: Path,
) -> None:
    text = "patient_id,collected,test,value,trend\nP,2026-03-01,K,4.0,x\nP,2026-03-02,K,3.4,y\n"
    header, *_ = run(tmp_path, text).stdout.splitlines()
    assert header.split(",")[5:7] == ["ec_analyte", "ec_value_mmol_l"]
    assert header.endswith(
        "ec_previous_value_mmol_l,ec_previous_time,ec_change_mmol_l,ec_change_per_24h,"
        "ec_trend,ec_change_notes"
    )
    last = json.loads(run(tmp_path, text, "--format", "jsonl").stdout.splitlines()[-1])
    assert (last["trend"], last["ec_previous_value_mmol_l"], last["ec_change_notes"]) == (
        "y",
        4.0,
        [],
    )


# -- a reference file with some of the rules


NOTE_STARTS = {
    "correction_rates": "sodium rose 15 mmol/L in 8 h",
    "delta_checks": "review before release: sodium changed by 15 mmol/L",
    "trend": "potassium falling over 3 results",
}


@pytest.mark.parametrize("left_out", [*NOTE_STARTS, None])
def test_each_rule_works_without_the_others(
    tmp_path: Path, write_reference: Callable[..., Path], left_out: str | None
) -> None:
    def edit(data: dict[str, Any]) -> None:
        if left_out is not None:
            del data["changes"][left_out]

    text = _file(
        [
            ("P1", 0, "Sodium", "116"),  # 15 in 8 h: too fast, and beyond the delta check
            ("P1", 8, "Sodium", "131"),
            ("P2", 0, "Sodium", "140"),  # 15 in 20 h, down: beyond the delta check only
            ("P2", 20, "Sodium", "125"),
            ("P3", 0, "Potassium", "4.0"),  # a trend
            ("P3", 24, "Potassium", "3.7"),
            ("P3", 48, "Potassium", "3.5"),
        ]
    )
    found = rows(run(tmp_path, text, "--ranges", str(write_reference(edit))))
    notes = "; ".join(row["change_notes"] for row in found)
    for rule, start in NOTE_STARTS.items():
        assert (start in notes) is (rule != left_out), (rule, notes)
    assert notes.count("review before release") == (0 if left_out == "delta_checks" else 2)
