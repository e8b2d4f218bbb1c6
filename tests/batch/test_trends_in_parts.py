"""Changes over time compared in parts of patients (as a large file's are) give the answers of
one comparison of all the results: the same output, to the byte."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import electrocheck.batch.trends as trends
from electrocheck.batch.run import run_batch

_START = datetime(2026, 3, 1, 8, 0)
_RESULT = st.tuples(
    st.sampled_from(["A", "B", "C", "D", "E", ""]),  # "": no patient, not compared
    st.integers(0, 120),
    st.sampled_from(["Sodium", "Potassium", "Calcium"]),
    st.integers(0, 40),
)


def _file(results: list[tuple[str, int, str, int]]) -> str:
    lines = [
        f"{patient},{(_START + timedelta(hours=4 * hours)).strftime('%Y-%m-%d %H:%M')},{test},"
        + (str(115 + v) if test == "Sodium" else f"{1.5 + v / 10:.1f}")
        for patient, hours, test, v in results
    ]
    return "patient_id,collected,test,value\n" + "\n".join(lines) + "\n"


def _output(folder: Path, text: str, suffix: str) -> bytes:
    labs, out = folder / "in.csv", folder / f"out.{suffix}"
    labs.write_text(text)
    run_batch(labs, out)
    return out.read_bytes()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(results=st.lists(_RESULT, min_size=1, max_size=40), part_rows=st.integers(1, 5))
@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_the_answers_in_parts_are_those_of_one_comparison(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    results: list[tuple[str, int, str, int]],
    part_rows: int,
) -> None:
    folder = tmp_path_factory.mktemp("parts")
    text = _file(results)
    whole = _output(folder, text, suffix)
    with monkeypatch.context() as m:
        m.setattr(trends, "_PART_ROWS", part_rows)
        assert _output(folder, text, suffix) == whole


def test_a_file_with_a_note_of_each_kind_is_compared_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = [
        (p, h, "Sodium", v)
        for p in "ABCDEF"
        for h, v in ((0, 1), (5, 16), (10, 8), (11, 5), (12, 2), (13, 0))
    ]
    text = _file(results)
    whole = _output(tmp_path, text, "csv")
    for kind in ("faster than", "delta check", "trend rule"):
        assert kind.encode() in whole
    monkeypatch.setattr(trends, "_PART_ROWS", 4)
    assert _output(tmp_path, text, "csv") == whole
