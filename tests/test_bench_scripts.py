"""The benchmark scripts still start (their imports of each other hold), and the generators
write files that batch reads. Smoke tests only: nothing here is timed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from electrocheck.batch.run import run_batch

BENCH = Path(__file__).resolve().parent.parent / "bench"
# spark.py answers --help only here: a run of it starts Spark (seconds before its first task).
SCRIPTS = [
    "batch",
    "by_patient",
    "compare",
    "fhir",
    "jsonl",
    "mutation",
    "panels",
    "spark",
    "startup",
]
GENERATORS = ["gen_wide", "gen_long_panels", "gen_panel"]


@pytest.mark.parametrize("name", SCRIPTS)
def test_each_benchmark_answers_help(name: str) -> None:
    found = subprocess.run(
        [sys.executable, str(BENCH / f"{name}.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("usage:"), found.stdout


@pytest.mark.parametrize("name", GENERATORS)
def test_each_generator_writes_a_file_batch_reads(name: str, tmp_path: Path) -> None:
    source = tmp_path / f"{name}.csv"
    subprocess.run([sys.executable, str(BENCH / f"{name}.py"), str(source), "200"], check=True)
    summary = run_batch(source, tmp_path / "out.csv")
    assert summary.rows_read == 200 and summary.results > 0
