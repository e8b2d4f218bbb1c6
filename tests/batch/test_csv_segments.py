"""CSV output written with each source's results as one text (see
``electrocheck.batch.distinct.segments``) is the same, byte for byte, as CSV written column by
column, whatever the cells hold: quotes, delimiters, line ends, the mark itself."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck.batch import writer as writer_module
from electrocheck.batch.distinct import SEGMENT_MARK
from electrocheck.batch.run import BatchOptions, run_batch

_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_TEXT = st.one_of(
    st.sampled_from(["", "4.1", "3.1 mmol/L", "128 mEq/L", "2.6 LL", "<0.6", "abc", "9.4"]),
    st.sampled_from(['"quoted"', "a,b", "a;b", "a\tb", "two\nlines", SEGMENT_MARK, "x\rz"]),
    st.text(alphabet='0123456789. ,;"\t\nmgdLl/' + SEGMENT_MARK, max_size=8),
)
_ROW = st.tuples(_TEXT, _TEXT, _TEXT, _TEXT, _TEXT)
_HEADERS = {
    "wide": ["id", "K", "Sodium", "Calcium (mg/dL)", "Magnesium"],
    "long": ["id", "test", "value", "unit", "note"],
}


def _outputs(folder: Path, header: list[str], rows: list[tuple[str, ...]], suffix: str) -> list:
    source = folder / "in.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    found = []
    for segmented in (True, False):
        target = folder / f"out-{segmented}.{suffix}"
        with pytest.MonkeyPatch.context() as patch:
            if not segmented:
                patch.setattr(writer_module.Writer, "_segmented", lambda self, result: None)
            run_batch(source, target, options=BatchOptions())
        found.append(target.read_bytes())
    return found


@_SETTINGS
@given(rows=st.lists(_ROW, min_size=1, max_size=30), kind=st.sampled_from(["wide", "long"]))
@pytest.mark.parametrize("suffix", ["csv", "tsv"])
def test_segments_write_the_bytes_of_columns(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, ...]], kind: str, suffix: str
) -> None:
    if kind == "long":
        tests = ["K", "Sodium", "Calcium", "Magnesium", "Glucose"]
        rows = [(r[0], tests[i % 5], r[1], r[2], r[3]) for i, r in enumerate(rows)]
    segmented, by_column = _outputs(tmp_path_factory.mktemp("seg"), _HEADERS[kind], rows, suffix)
    assert segmented == by_column


def test_a_cell_holding_the_mark_is_written_as_it_is(tmp_path: Path) -> None:
    """The writer counts the marks: one in an input cell sends its batch down the column by
    column way, and the cell comes out as it went in."""
    rows = [("1", "4.1", "140", "9.4", f"a{SEGMENT_MARK}b"), ("2", "3.1", "128", "8.1", "x")]
    segmented, by_column = _outputs(tmp_path, _HEADERS["wide"], rows, "csv")
    assert segmented == by_column
    assert f"a{SEGMENT_MARK}b".encode() in segmented


def test_a_plain_file_is_written_by_segments(tmp_path: Path) -> None:
    """The comparisons above hold only if the segments are used at all: on a plain wide file
    every batch is written by them (were they never made, both ways would be one)."""
    rows = [(str(i), "4.1", "140", "9.4", "1.8") for i in range(50)]
    source = tmp_path / "in.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([_HEADERS["wide"], *rows])
    made: list[bool] = []
    real = writer_module.Writer._segmented

    def counting(self: writer_module.Writer, result: object) -> bytes | None:
        data = real(self, result)  # type: ignore[arg-type]
        made.append(data is not None)
        return data

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer_module.Writer, "_segmented", counting)
        run_batch(source, tmp_path / "out.csv", options=BatchOptions())
    assert made and all(made)
