"""Spark gives the output of ``batch``: the same columns, types and values, row for row."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from electrocheck.batch.run import run_batch
from electrocheck.spark.frame import prepare
from electrocheck.spark.job import JobOptions, read_input

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings("ignore::FutureWarning")]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _batch(path: Path, folder: Path) -> pl.DataFrame:
    target = folder / "batch.parquet"
    run_batch(path, target)
    return pl.read_parquet(target)


def _spark(spark: Any, path: Path, partitions: int | None = None) -> Any:
    return prepare(read_input(spark, str(path), JobOptions()), partitions=partitions)


def _in_order(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in input order: by source row, each added row after its input row."""
    if "source_row" not in frame.columns:
        return frame
    return frame.sort("source_row", pl.col("row_kind") == "added", maintain_order=True)


@pytest.mark.parametrize(
    "name",
    [
        "wide.csv",
        "patients.csv",
        "labevents-panels.csv",
        "changes.csv",
        "warehouse/pcornet-lab-result-cm.csv",
    ],
)
def test_examples_as_batch_writes_them(spark: Any, tmp_path: Path, name: str) -> None:
    run = _spark(spark, EXAMPLES / name, partitions=3)
    got = _in_order(pl.DataFrame(pl.from_arrow(run.frame.toArrow())))
    assert_frame_equal(got, _batch(EXAMPLES / name, tmp_path))


def test_the_summary_is_that_of_batch(spark: Any, tmp_path: Path) -> None:
    path = EXAMPLES / "labevents-panels.csv"
    run = _spark(spark, path, partitions=3)
    run.frame.count()
    target = tmp_path / "out.csv"
    assert run.summary().to_dict() == run_batch(path, target).to_dict()


# --------------------------------------------------------------------------- random files

PATIENTS = st.sampled_from(["A", " A", "B", "b", "C7", "10", "9", "", "  "])
TIMES = st.sampled_from(
    ["2026-03-01 08:00", "2026-03-01 08:00", "2026-03-01 09:30", "2026-03-02 07:00", "x", ""]
)
TESTS = st.sampled_from(
    ["Potassium", "Sodium", "Calcium", "Magnesium", "Albumin", "Glucose", "Creatinine", "K"]
)
VALUES = st.one_of(
    st.decimals(min_value=0, max_value=200, places=1).map(str),
    st.sampled_from(["<0.6", "___", "", "abc", "2.6 LL", "-1"]),
)
UNITS = st.sampled_from(["mmol/L", "mg/dL", "g/dL", "", "mEq/L"])
LONG_ROWS = st.lists(st.tuples(PATIENTS, TIMES, TESTS, VALUES, UNITS), min_size=1, max_size=40)
WIDE_ROWS = st.lists(st.tuples(VALUES, VALUES, VALUES, UNITS), min_size=1, max_size=30)


def _write(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=LONG_ROWS)
def test_long_files_over_several_partitions(spark: Any, tmp_path: Path, rows: list[Any]) -> None:
    path = _write(tmp_path / "long.csv", ["patient_id", "collected", "test", "value", "unit"], rows)
    run = _spark(spark, path, partitions=3)
    got = _in_order(pl.DataFrame(pl.from_arrow(run.frame.toArrow())))
    assert_frame_equal(got, _batch(path, tmp_path))
    patients = {patient.strip() for patient, *_ in rows} - {""}
    if len(patients) >= 4:  # the patients were interpreted in more than one task
        assert sum(1 for s in run.counts.value.values() if s.rows_read) > 1


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=WIDE_ROWS)
def test_wide_files_over_several_partitions(spark: Any, tmp_path: Path, rows: list[Any]) -> None:
    numbered = [(str(n), *row) for n, row in enumerate(rows)]
    header = ["_line", "K", "Sodium", "Calcium", "Calcium Units"]
    path = _write(tmp_path / "wide.csv", header, numbered)
    frame = read_input(spark, str(path), JobOptions()).repartition(3)
    got = pl.DataFrame(pl.from_arrow(prepare(frame).frame.toArrow()))
    got = got.sort(pl.col("_line").cast(pl.Int64))
    assert_frame_equal(got, _batch(path, tmp_path))
