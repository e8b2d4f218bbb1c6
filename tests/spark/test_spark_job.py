"""``python -m electrocheck.spark INPUT OUTPUT``: a Parquet folder written whole, the summary
of ``batch``, and no output at all when a task fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from electrocheck.cli.commands import app as electrocheck_app
from electrocheck.spark import job
from electrocheck.spark.command import app

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings("ignore::FutureWarning")]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RUNNER = CliRunner()


def test_the_job_writes_a_parquet_folder_and_the_summary_of_batch(
    spark: Any, tmp_path: Path
) -> None:
    source = str(EXAMPLES / "labevents.csv.gz")
    out = tmp_path / "checked.parquet"
    done = RUNNER.invoke(app, [source, str(out), "--master", "local[2]"])
    assert done.exit_code == 0, done.output
    batch = RUNNER.invoke(electrocheck_app, ["batch", source, "-o", str(tmp_path / "b.parquet")])
    assert done.stderr == batch.stderr
    assert (out / "_SUCCESS").is_file()
    # (The file has a flag column of its own: electrocheck's names take the prefix ec_.)
    written = pl.read_parquet(out / "*.parquet").sort(
        "ec_source_row", pl.col("ec_row_kind") == "added", maintain_order=True
    )
    assert written.equals(pl.read_parquet(tmp_path / "b.parquet"))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_batch_options_mean_the_same(spark: Any, tmp_path: Path) -> None:
    source = str(EXAMPLES / "wide.csv")
    out = tmp_path / "out"
    done = RUNNER.invoke(app, [source, str(out), "--fail-on", "critical", "--quiet"])
    batch = RUNNER.invoke(electrocheck_app, ["batch", source, "--fail-on", "critical", "-q"])
    assert (done.exit_code, done.stderr) == (batch.exit_code, batch.stderr) == (1, batch.stderr)
    assert "--fail-on critical" in done.stderr


def test_an_output_that_exists_is_refused(spark: Any, tmp_path: Path) -> None:
    done = RUNNER.invoke(app, [str(EXAMPLES / "wide.csv"), str(tmp_path)])
    assert done.exit_code == 2
    assert done.stderr.startswith("electrocheck: error: '")
    assert done.stderr.endswith("' already exists: remove it, or name another output\n")


@pytest.mark.parametrize(
    "table",
    [
        {"id": ["1", "2"], "K": ["3.1", "4.0"]},
        # Long, with panels: its rows are written once before the output, beside it.
        {
            "patient": ["1", "2"],
            "time": ["2026-03-01 08:00"] * 2,
            "test": ["K"] * 2,
            "value": ["3.1", "4.0"],
        },
    ],
    ids=["wide", "panels"],
)
def test_a_failed_task_leaves_no_output(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]
) -> None:
    source = tmp_path / "in.parquet"
    pl.DataFrame(table).write_parquet(source)
    prepared = job.prepare

    def input_gone(*args: Any, **options: Any) -> Any:
        run = prepared(*args, **options)
        assert (run.number is not None) == ("patient" in table)
        source.unlink()  # read when the tasks run: each of them fails
        return run

    monkeypatch.setattr(job, "prepare", input_gone)
    out = tmp_path / "out"
    done = RUNNER.invoke(app, [str(source), str(out), "--master", "local[2]"])
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith("electrocheck: error: the Spark job failed, and ")
    assert done.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_input_that_is_not_there(spark: Any, tmp_path: Path) -> None:
    done = RUNNER.invoke(app, [str(tmp_path / "none.csv"), str(tmp_path / "out")])
    assert done.exit_code == 2
    assert done.stderr.startswith("electrocheck: error: '")
    assert "': cannot be read: [PATH_NOT_FOUND] Path does not exist: " in done.stderr
    assert "SQLSTATE" not in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["labevents-panels.csv", "changes.csv"])
def test_the_job_numbers_the_panels_across_partitions_as_batch_does(
    spark: Any, tmp_path: Path, name: str
) -> None:
    """The job numbers the panels from its interpreted rows written and read back (not kept
    by Spark, as interpret_spark does): the same output, over three partitions."""
    source = str(EXAMPLES / name)
    out = tmp_path / "out"
    done = RUNNER.invoke(app, [source, str(out), "--partitions", "3", "--quiet"])
    assert done.exit_code == 0, done.output
    batch = RUNNER.invoke(electrocheck_app, ["batch", source, "-o", str(tmp_path / "b.parquet")])
    assert batch.exit_code == 0, batch.output
    expected = pl.read_parquet(tmp_path / "b.parquet")
    assert expected["panel"].n_unique() > 3  # panels in more than one partition
    written = pl.read_parquet(out / "*.parquet").sort(
        "source_row", pl.col("row_kind") == "added", maintain_order=True
    )
    assert written.equals(expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.parquet", "out"]
