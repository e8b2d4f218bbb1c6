"""Spark benchmark: python -m electrocheck.spark on local[1] and local[2] against
single-process electrocheck batch, on the same OMOP-style long table.

Generates an OMOP CDM MEASUREMENT table as CSV (ROWS rows, 10 million by default: about 25
results per patient, 6 tests per draw of blood, some values censored or unreadable, the
lab's limits on each row), then runs, each in a new process:

  batch        electrocheck batch FILE -o OUT.parquet --quiet
  local[1]     python -m electrocheck.spark FILE OUT --master local[1] --quiet
  local[2]     python -m electrocheck.spark FILE OUT --master local[2] --quiet

and the same Spark job on a Parquet copy of the table (every column as text), local[1].

For each run: wall time, rows per second, rows per second per core of the master (batch: one
process, though polars spreads its work over the cores it finds), and CPU seconds of the
whole process tree, split into Spark's JVM, its Python workers and the driver's Python, with
the machine's load average (``uptime``) after it. Other work may share the machine: the CPU
seconds are the steadier measure, and the ratio reported is rows per CPU second, Spark's over
batch's, measured in the same run. Then Spark's fixed cost: the CPU seconds of the same job
on a table of 6 rows (a JVM started, a Python worker, electrocheck and the reference file
loaded), and, from a session of its own, the wall time of the session's start, of a first
task and of a next job on a warm session. Target: Spark's rows per CPU second at least half
of batch's. Use the Python of the environment electrocheck and pyspark are installed in;
Java 17 or later:

    python bench/spark.py [--rows 10000000] [--dir /tmp/electrocheck-bench] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from timing import load, script  # bench/timing.py

_2025 = 1_735_689_600  # 2025-01-01T00:00:00Z, in seconds
TARGET = 0.5  # Spark's rows/s per core, at least this share of batch's
#: OMOP concept ids of the tests, with their unit and a range of values.
TESTS = [
    (3023103, "mmol/L", 2.4, 6.8, 3.5, 5.1),  # potassium
    (3019550, "mmol/L", 118, 162, 136, 145),  # sodium
    (3006906, "mg/dL", 6.0, 12.5, 8.6, 10.3),  # calcium
    (3001420, "mg/dL", 0.9, 2.9, 1.6, 2.6),  # magnesium
    (3024561, "g/dL", 1.8, 5.0, 3.5, 5.2),  # albumin
    (3016723, "mg/dL", 0.5, 3.0, 0.7, 1.3),  # creatinine
]
OVERHEAD = """
import json, os, sys, time, warnings
warnings.simplefilter("ignore", FutureWarning)
os.environ["PYSPARK_PYTHON"] = sys.executable
start = time.perf_counter()
from electrocheck.spark.job import session
spark = session(sys.argv[1])
started = time.perf_counter()
from electrocheck.spark import interpret_spark
interpret_spark(spark.createDataFrame([("1", "3.1")], "id string, K string")).collect()
first = time.perf_counter()
interpret_spark(spark.createDataFrame([("2", "4.1")], "id string, K string")).collect()
second = time.perf_counter()
print(json.dumps({"start": started - start, "first": first - started, "next": second - first}))
"""


def generate(path: Path, rows: int, seed: int = 17) -> Path:
    """An OMOP MEASUREMENT table of ``rows`` rows, written with polars (a few seconds)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    draws = (rows + len(TESTS) - 1) // len(TESTS)
    patients = max(1, rows // 25)
    person = rng.integers(0, patients, draws)
    minutes = rng.integers(0, 365 * 24 * 12, draws) * 5
    test = np.tile(np.arange(len(TESTS)), draws)[:rows]
    draw = np.repeat(np.arange(draws), len(TESTS))[:rows]
    low = np.array([t[2] for t in TESTS])[test]
    high = np.array([t[3] for t in TESTS])[test]
    value = np.round(low + (high - low) * rng.random(rows), 2)
    frame = pl.DataFrame(
        {
            "measurement_id": np.arange(rows),
            "person_id": person[draw],
            "measurement_concept_id": np.array([t[0] for t in TESTS])[test],
            "measurement_datetime": pl.Series((_2025 + minutes[draw] * 60) * 1_000_000)
            .cast(pl.Datetime("us"))
            .dt.strftime("%Y-%m-%d %H:%M:%S"),
            "value_as_number": value.astype(str),
            "unit_source_value": np.array([t[1] for t in TESTS])[test],
            "range_low": np.array([t[4] for t in TESTS])[test].astype(str),
            "range_high": np.array([t[5] for t in TESTS])[test].astype(str),
        }
    )
    # A few values as labs send them: censored, masked, empty.
    odd = rng.random(rows)
    frame = frame.with_columns(
        pl.when(pl.Series(odd < 0.002))
        .then(pl.lit("<0.6"))
        .when(pl.Series(odd > 0.998))
        .then(pl.lit("___"))
        .otherwise(pl.col("value_as_number"))
        .alias("value_as_number")
    )
    frame.write_csv(path)
    return path


def table(directory: Path, rows: int) -> Path:
    """The OMOP table of ``rows`` rows in ``directory``, generated the first time."""
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / f"omop-measurement-{rows}.csv"
    if not source.exists():
        print(f"generating {source} ...", file=sys.stderr)
        generate(source, rows)
    return source


def measure_tree(argv: list[str]) -> tuple[float, dict[str, float]]:
    """Wall seconds of a command, and CPU seconds of every process it starts, by kind
    (``jvm``, ``python workers``, ``driver``): read from /proc four times a second, each
    process's CPU time as last seen (its last quarter second may be missed)."""
    tick = os.sysconf("SC_CLK_TCK")
    seen: dict[int, tuple[str, float]] = {}
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    while process.poll() is None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
                if int(fields[3]) != process.pid:  # not of the session the command leads
                    continue
                program = (entry / "cmdline").read_bytes().split(b"\0")[0]
            except OSError:
                continue
            pid = int(entry.name)
            kind = (
                "driver"
                if pid == process.pid
                else "jvm"
                if program.endswith(b"java")
                else "python workers"
            )
            seen[pid] = (kind, (int(fields[11]) + int(fields[12])) / tick)
        time.sleep(0.25)
    if process.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed")
    cpu: dict[str, float] = {}
    for kind, seconds in seen.values():
        cpu[kind] = cpu.get(kind, 0.0) + seconds
    return time.perf_counter() - start, cpu


def _split(cpu: dict[str, float]) -> str:
    parts = [f"{kind} {cpu[kind]:.1f}" for kind in ("jvm", "python workers") if kind in cpu]
    return f" ({', '.join(parts)})" if parts else ""


def parquet_copy(source: Path) -> Path:
    """The table as Parquet, every column as text (as the CSV is read)."""
    import polars as pl

    target = source.with_suffix(".parquet")
    if not target.exists():
        pl.read_csv(source, infer_schema=False).write_parquet(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench"))
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    source = table(args.dir, args.rows)
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    os.environ.update(env)
    print(f"{args.rows:,} rows, {source.stat().st_size / 1e6:.0f} MB ({load()} at the start)")
    out = args.dir / "spark-out"
    job = [sys.executable, "-m", "electrocheck.spark", str(source), str(out), "--quiet"]
    commands = {
        "batch": [script(), "batch", str(source), "-o", str(args.dir / "out.parquet"), "-q"],
        "local[1]": [*job, "--master", "local[1]"],
        "local[2]": [*job, "--master", "local[2]"],
    }
    tiny = args.dir / "omop-measurement-6.csv"
    tiny.write_text("".join(source.open().readlines()[:7]))
    parquet = parquet_copy(source)
    commands = {
        "batch": [script(), "batch", str(source), "-o", str(args.dir / "out.parquet"), "-q"],
        "local[1]": [*job, "--master", "local[1]"],
        "local[2]": [*job, "--master", "local[2]"],
        "local[1] Parquet": [*job[:3], str(parquet), *job[4:], "--master", "local[1]"],
    }
    per_cpu: dict[str, float] = {}
    for name, argv in commands.items():
        subprocess.run(["rm", "-rf", str(out)], check=True)
        seconds, cpu = measure_tree(argv)
        total = sum(cpu.values())
        cores = 1 if name == "batch" else int(name[6])
        per_cpu[name] = args.rows / total
        print(
            f"  {name:<16} {seconds:7.1f} s  {args.rows / seconds:>9,.0f} rows/s  "
            f"{args.rows / seconds / cores:>9,.0f} rows/s per core of the master  "
            f"{total:6.1f} CPU s{_split(cpu)}  {per_cpu[name]:>9,.0f} rows per CPU second  "
            f"({load()})"
        )
    subprocess.run(["rm", "-rf", str(out)], check=True)
    seconds, cpu = measure_tree([*job[:3], str(tiny), *job[4:], "--master", "local[1]"])
    fixed_cpu = sum(cpu.values())
    print(
        f"  fixed cost, local[1] on 6 rows: {seconds:.1f} s, {fixed_cpu:.1f} CPU s{_split(cpu)} "
        f"({load()})"
    )
    found = subprocess.run(
        [sys.executable, "-c", OVERHEAD, "local[1]"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parent,
    )
    fixed = json.loads(found.stdout.strip().splitlines()[-1])
    print(
        f"  warm session: start {fixed['start']:.1f} s, first task {fixed['first']:.1f} s "
        f"(a Python worker, electrocheck and the reference file), a next job "
        f"{fixed['next']:.1f} s ({load()})"
    )
    for name in ("local[1]", "local[2]", "local[1] Parquet"):
        ratio = per_cpu[name] / per_cpu["batch"]
        beyond = args.rows / max(args.rows / per_cpu[name] - fixed_cpu, 1e-9) / per_cpu["batch"]
        print(
            f"  {name} / batch, rows per CPU second = {ratio:.2f}; "
            f"without the fixed cost {beyond:.2f} (target >= {TARGET})"
        )
    worst = min(per_cpu["local[1]"], per_cpu["local[2]"]) / per_cpu["batch"]
    ok = worst >= TARGET
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
