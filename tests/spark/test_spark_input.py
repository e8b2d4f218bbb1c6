"""Bad input stops a Spark run on the driver, in one clear message, before any task runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from electrocheck.errors import InputError, ReferenceFileError
from electrocheck.spark.frame import interpret_spark
from electrocheck.spark.job import input_format
from electrocheck.spark.version import SparkVersionError, check_version

# pyspark warns of a newer pandas than it has tried.
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("version", ["4.0.0", "4.3.0", "4.10.1.dev0"])
def test_pyspark_4_is_supported(version: str) -> None:
    check_version(version)


@pytest.mark.parametrize("version", ["3.5.3", "5.0.0", "2.4", "dev"])
def test_other_pyspark_versions_are_refused(version: str) -> None:
    with pytest.raises(SparkVersionError, match=f"pyspark {version} is not supported"):
        check_version(version)


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("labs.csv", None, "csv"),
        ("labs.CSV.gz", None, "csv"),
        ("labs.tsv", None, "csv"),
        ("measurement.parquet", None, "parquet"),
        ("part.pq", None, "parquet"),
        ("s3a://bucket/export", "parquet", "parquet"),
        ("labs.data", "csv", "csv"),
    ],
)
def test_the_input_format(name: str, given: str | None, expected: str) -> None:
    assert input_format(name, given) == expected


def test_an_input_format_not_known_is_refused() -> None:
    with pytest.raises(InputError, match="give --input-format"):
        input_format("s3a://bucket/export", None)
    with pytest.raises(InputError, match="expected csv or parquet"):
        input_format("labs.csv", "json")


def test_a_folder_by_its_files(tmp_path: Path) -> None:
    (tmp_path / "_SUCCESS").write_text("")
    (tmp_path / "part-0.snappy.parquet").write_text("")
    assert input_format(str(tmp_path), None) == "parquet"


# --------------------------------------------------------------------------- on Spark


def _no_task(spark: Any, call: Callable[[], object]) -> None:
    """Run ``call`` in a job group of its own, and check that it started no Spark job."""
    context = spark.sparkContext
    context.setJobGroup("electrocheck-refused", "a refused frame")
    try:
        call()
    finally:
        jobs = context.statusTracker().getJobIdsForGroup("electrocheck-refused")
        context.setLocalProperty("spark.jobGroup.id", None)
        assert list(jobs) == []


@pytest.mark.spark
def test_a_frame_with_no_layout(spark: Any) -> None:
    frame = spark.createDataFrame([("1", "x")], "id string, note string")
    with pytest.raises(InputError, match=r"the frame's columns: 'id', 'note'"):
        _no_task(spark, lambda: interpret_spark(frame))


@pytest.mark.spark
def test_a_reference_file_that_does_not_validate(spark: Any) -> None:
    frame = spark.createDataFrame([("3.1",)], "K string")
    with pytest.raises(ReferenceFileError, match=r"broken-lab\.yaml"):
        _no_task(spark, lambda: interpret_spark(frame, EXAMPLES / "broken-lab.yaml"))


@pytest.mark.spark
@pytest.mark.parametrize(
    ("column", "shown"),
    [
        ("K array<string>", "array<string>"),
        ("K map<string,string>", "map<string,string>"),
        ("K struct<v:string>", "struct<v:string>"),
        ("K binary", "binary"),
    ],
)
def test_a_column_of_a_type_that_is_not_text(spark: Any, column: str, shown: str) -> None:
    frame = spark.createDataFrame([], f"id string, {column}")
    with pytest.raises(InputError, match=f"column 'K' is of type {shown}"):
        _no_task(spark, lambda: interpret_spark(frame))


@pytest.mark.spark
def test_numbers_and_dates_are_read_as_text(spark: Any) -> None:
    frame = spark.createDataFrame(
        [(1, 3.1, True), (2, 6.9, False)], "id long, K double, symptomatic boolean"
    )
    rows = interpret_spark(frame).collect()
    assert [(r["id"], r["K"], r["potassium_flag"]) for r in rows] == [
        ("1", "3.1", "L"),
        ("2", "6.9", "HH"),
    ]


@pytest.mark.spark
def test_a_typed_omop_table(spark: Any) -> None:
    """A warehouse's MEASUREMENT table, typed as it is stored: ids and concepts as numbers,
    times as timestamps, values as doubles."""
    import datetime as dt

    at = dt.datetime(2026, 3, 1, 8, 0)
    frame = spark.createDataFrame(
        [
            (7, 3023103, at, 3.1, "mmol/L"),
            (7, 3001420, at, 1.1, "mg/dL"),
            (8, 3019550, at + dt.timedelta(hours=1), 128.0, "mmol/L"),
        ],
        "person_id long, measurement_concept_id int, measurement_datetime timestamp, "
        "value_as_number double, unit_source_value string",
    )
    rows = interpret_spark(frame).orderBy("source_row").collect()
    assert [(r["person_id"], r["flag"], r["panel"], r["patterns"]) for r in rows] == [
        ("7", "L", 1, "mg-first-k"),
        ("7", "L", 1, "mg-first-k"),
        ("8", "L", 2, None),
    ]


@pytest.mark.spark
def test_a_name_the_frame_repeats(spark: Any) -> None:
    frame = spark.createDataFrame([("3.1", "4.0")], "K string, k string")
    with pytest.raises(InputError, match="more than one column called 'K', 'k'"):
        _no_task(spark, lambda: interpret_spark(frame))


@pytest.mark.spark
def test_not_a_spark_frame() -> None:
    with pytest.raises(InputError, match="expected a Spark DataFrame, not dict"):
        interpret_spark({"K": ["3.1"]})


def test_the_job_answers_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "electrocheck.spark", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "100", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: python -m electrocheck.spark [OPTIONS]" in done.stdout
