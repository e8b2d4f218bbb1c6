"""Parquet output, written in one pass by polars' sink as the batches come: every row in
order, the same as the CSV output, and a failure on either side ends the run, never hangs it."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from electrocheck.batch.engine import BatchInterpreter
from electrocheck.batch.layout import LayoutOptions, detect_layout
from electrocheck.batch.run import run_batch
from electrocheck.batch.writer import Writer
from electrocheck.formats import delimited
from electrocheck.reference import Reference, load_reference

REF = load_reference()


def _labs(path: Path, rows: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["mrn", "K", "Sodium"])
        for i in range(rows):
            writer.writerow([1000 + i, f"{2.5 + i % 40 / 10:.1f}", "abc" if i % 7 == 0 else 140])
    return path


@pytest.mark.parametrize("rows", [0, 1, 300])
def test_parquet_holds_the_rows_of_the_csv_output_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 512)  # many batches
    source = _labs(tmp_path / "labs.csv", rows)
    run_batch(source, tmp_path / "out.csv")
    run_batch(source, tmp_path / "out.parquet")
    text = pl.read_csv(tmp_path / "out.csv", infer_schema_length=0)
    table = pl.read_parquet(tmp_path / "out.parquet")
    assert table.columns == text.columns and table.height == rows
    if rows:
        assert table["potassium_mmol_l"].dtype == pl.Float64
        assert table["potassium_grade"].dtype.is_integer()
        as_text = table.select(pl.all().cast(pl.String))
        assert as_text.equals(text)


class _Failing(io.BytesIO):
    """A file that takes a few bytes, then fails as a full disk does."""

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > 64:
            raise OSError(28, "No space left on device")
        return super().write(data)


def _in_time(work: Any) -> BaseException | None:
    """What ``work()`` raised, failing the test if it does not end within a minute."""
    found: list[BaseException | None] = [None]

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the test
            found[0] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the Parquet writer hung"
    return found[0]


def _writer(handle: Any, ref: Reference) -> tuple[Writer, pl.DataFrame]:
    header = ["mrn", "K"]
    layout = detect_layout(header, ref, LayoutOptions())
    batch = pl.DataFrame({"c0": ["1", "2"] * 500, "c1": ["3.1", "4.0"] * 500})
    result = BatchInterpreter(layout, ref).interpret(batch)
    return Writer(handle, header, layout, ref, "parquet"), result


def test_a_failing_output_ends_the_run_with_its_error() -> None:
    writer, result = _writer(_Failing(), REF)

    def work() -> None:
        try:
            for _ in range(20):
                writer.write(result)
            writer.finish()
        finally:
            writer.close()

    error = _in_time(work)
    # An OSError, which the command line reports as "cannot write output: ...".
    assert isinstance(error, OSError) and error.strerror == "No space left on device"


def test_a_run_that_stops_half_way_leaves_no_thread_behind() -> None:
    writer, result = _writer(io.BytesIO(), REF)
    before = threading.active_count()

    def work() -> None:
        writer.write(result)
        writer.close()  # without finish: the run failed elsewhere

    assert _in_time(work) is None
    assert threading.active_count() <= before
