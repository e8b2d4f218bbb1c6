"""The benchmark scripts still start (their imports of each other hold), and the generators
write files that batch reads. Smoke tests only: nothing here is timed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from electrocheck.batch.run import run_batch

BENCH = Path(__file__).resolve().parent.parent / "bench"
# spark.py answers --help only here: a run of it starts Spark (seconds before its first task).
SCRIPTS = [
    *("batch", "by_patient", "compare", "fhir", "fhir_output", "hl7v2", "jsonl"),
    *("batch_phases", "medications", "mutation", "panels", "parquet", "polars_copy", "spark"),
    "startup",
]
GENERATORS = ["gen_wide", "gen_long_panels", "gen_panel", "gen_mixed", "gen_long"]


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


@pytest.mark.parametrize("name", ["gen_wide", "gen_mixed", "gen_long"])
def test_the_pandas_yardstick_flags_as_batch_does(name: str, tmp_path: Path) -> None:
    """bench/pandas_yardstick.py does the work it is compared for: its flags are batch's."""
    pytest.importorskip("pandas")
    source = tmp_path / f"{name}.csv"
    subprocess.run([sys.executable, str(BENCH / f"{name}.py"), str(source), "400"], check=True)
    yardstick = tmp_path / "pandas.csv"
    subprocess.run(
        [sys.executable, str(BENCH / "pandas_yardstick.py"), str(source), str(yardstick)],
        check=True,
    )
    run_batch(source, tmp_path / "out.csv")
    ours = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    theirs = pl.read_csv(yardstick, infer_schema=False)
    flags = [name for name in theirs.columns if name.endswith("flag")]
    assert flags and ours.height == theirs.height == 400
    for name in flags:
        assert ours[name].to_list() == theirs[name].to_list(), name


def test_the_hl7_benchmark_writes_the_same_results_twice(tmp_path: Path) -> None:
    """bench/hl7v2.py's messages and its CSV give the same flags (so its ratio compares like
    with like)."""
    sys.path.insert(0, str(BENCH))
    try:
        from hl7v2 import generate  # bench/hl7v2.py
    finally:
        sys.path.remove(str(BENCH))
    messages, table = generate(tmp_path, 42)
    found = [run_batch(path, tmp_path / f"{path.name}.out.csv") for path in (messages, table)]
    assert found[0].rows_read == found[1].rows_read == 42
    assert found[0].flags == found[1].flags and found[0].results == 42


def test_the_parquet_benchmark_runs_its_four_commands_on_a_small_table(tmp_path: Path) -> None:
    options = ["--rows", "200", "--rounds", "1", "--dir", str(tmp_path)]
    found = subprocess.run(
        [sys.executable, str(BENCH / "parquet.py"), *options],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    for name in ("csv-in", "parquet-in", "csv-out", "parquet-out"):
        assert f"  {name} " in found.stdout
    same = [(tmp_path / f"out-measurement-{kind}.csv").read_bytes() for kind in ("csv", "parquet")]
    assert same[0] == same[1] and same[0].count(b"\n") == 201


def test_each_module_of_the_mutation_runs_and_its_tests_exist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A renamed module or test file would leave a module unmeasured, or measured by nothing.
    spec = importlib.util.spec_from_file_location("bench_mutation", BENCH / "mutation.py")
    assert spec is not None and spec.loader is not None
    mutation = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, mutation)  # its dataclass looks itself up
    spec.loader.exec_module(mutation)
    root = BENCH.parent
    for module, tests in mutation.MODULES.items():
        assert (root / "electrocheck" / (module.replace(".", "/") + ".py")).is_file(), module
        assert tests and all((root / test).exists() for test in tests), (module, tests)
    assert set(mutation.BARS) == set(mutation.MODULES)
