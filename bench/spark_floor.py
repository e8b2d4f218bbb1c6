"""Spark's floor: the CPU seconds Spark spends around the engine, with the engine taken out.

bench/spark.py measures the Spark job against ``batch``; this script asks how low the job
could go with the same design (the rows read by Spark, shuffled by patient, handed to Python
as Arrow batches by ``mapInArrow``, the results handed back and written by Spark as
Parquet), whatever the Python side did. On the OMOP table of bench/spark.py (ROWS rows, 2
million by default), each in a new process on ``local[1]``:

  batch          electrocheck batch FILE -o OUT.parquet --quiet
  job            python -m electrocheck.spark FILE OUT --master local[1] --quiet
  read           the CSV read by Spark, every column parsed, nothing written
  shuffle        read, partitioned by patient, handed to Python and back unchanged
  results back   read, partitioned, and in place of each batch of rows the job's own output
                 rows for it (read beforehand into the Python worker): Spark takes in the
                 output as it takes in the engine's, nothing written
  written        the same, written as Parquet: the whole of the job's path but the engine

Every command also runs on the first 6 rows of the table; what it costs beyond that (its CPU
seconds, every process it started, less those of 6 rows) is given per million rows, split
into Spark's JVM and its Python workers. The last lines compare what is left to the target
of bench/spark.py (Spark's rows per CPU second at least half of batch's): the CPU seconds a
million rows that target allows Spark, against the floor's JVM seconds added to the Python
workers' of the job. Use the Python of the environment electrocheck and pyspark are
installed in; Java 17 or later:

    python bench/spark_floor.py [--rows 2000000] [--dir /tmp/electrocheck-bench]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from spark import TARGET, measure_tree, table  # bench/spark.py
from timing import load, script  # bench/timing.py

#: A floor's job: python -c FLOOR STAGE SOURCE OUT CANNED (the job's own output, a folder).
FLOOR = """
import os, sys, warnings
warnings.simplefilter("ignore", FutureWarning)
stage, source, out, canned = sys.argv[1:5]
from pyspark.sql import functions as F
from electrocheck.spark.job import JobOptions, read_input, session
spark = session("local[1]")
frame = read_input(spark, source, JobOptions())
if stage == "read":
    frame.write.format("noop").mode("overwrite").save()
    raise SystemExit
spread = frame.repartitionByRange(1, F.col("person_id").asc_nulls_first())
if stage == "shuffle":
    def unchanged(batches):
        yield from batches
    spread.mapInArrow(unchanged, frame.schema).write.format("noop").mode("overwrite").save()
    raise SystemExit
output = spark.read.parquet(canned)

def results(batches):
    import polars as pl
    import pyarrow as pa
    whole = pl.read_parquet(os.path.join(canned, "*.parquet"))
    fields = whole.to_arrow().schema
    schema = pa.schema(
        pa.field(f.name, pa.string()) if f.type == pa.large_string() else f for f in fields
    )
    at = 0
    for batch in batches:
        part = whole.slice(at, batch.num_rows)
        at += batch.num_rows
        yield from part.to_arrow().cast(schema).to_batches()

back = spread.mapInArrow(results, output.schema)
if stage == "results back":
    back.write.format("noop").mode("overwrite").save()
else:
    back.write.parquet(out)
"""
STAGES = ("read", "shuffle", "results back", "written")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench"))
    args = parser.parse_args()
    source = table(args.dir, args.rows)
    tiny = args.dir / "omop-measurement-6.csv"
    with source.open() as lines:
        tiny.write_text("".join(next(lines) for _ in range(7)))
    os.environ["PYSPARK_PYTHON"] = sys.executable
    out, canned = args.dir / "spark-floor-out", args.dir / "spark-floor-job"
    print(f"{args.rows:,} rows, {source.stat().st_size / 1e6:.0f} MB ({load()} at the start)")
    job = [sys.executable, "-m", "electrocheck.spark"]
    local = ["--quiet", "--master", "local[1]"]

    def run(name: str, table: Path) -> dict[str, float]:
        shutil.rmtree(out, ignore_errors=True)
        if name == "batch":
            argv = [script(), "batch", str(table), "-o", f"{out}.parquet", "-q"]
        elif name == "job":
            argv = [*job, str(table), str(canned if table == source else out), *local]
        else:
            argv = [sys.executable, "-c", FLOOR, name, str(table), str(out), str(canned)]
        return measure_tree(argv)[1]

    shutil.rmtree(canned, ignore_errors=True)
    per_million: dict[str, dict[str, float]] = {}
    for name in ("batch", "job", *STAGES):  # the job first: the stages take in its output
        whole, few = run(name, source), run(name, tiny)
        beyond = {
            kind: (whole.get(kind, 0.0) - few.get(kind, 0.0)) * 1e6 / args.rows
            for kind in ("jvm", "python workers", "driver")
        }
        per_million[name] = beyond
        print(
            f"  {name:<13} CPU s a million rows beyond 6 rows: {sum(beyond.values()):6.2f} "
            f"(JVM {beyond['jvm']:5.2f}, Python workers {beyond['python workers']:5.2f}); "
            f"6 rows {sum(few.values()):5.1f} CPU s ({load()})"
        )
    shutil.rmtree(out, ignore_errors=True)
    batch = sum(per_million["batch"].values())
    allowed = batch / TARGET
    engine = per_million["job"]["python workers"]
    floor = per_million["written"]["jvm"] + engine
    print(
        f"  the target allows Spark {allowed:.2f} CPU s a million rows (batch's {batch:.2f} "
        f"/ {TARGET}), before its fixed cost"
    )
    print(
        f"  the floor: Spark's JVM {per_million['written']['jvm']:.2f} with the engine taken "
        f"out, plus the job's Python workers {engine:.2f} = {floor:.2f} "
        f"({floor / allowed:.2f} of what the target allows); the job itself "
        f"{sum(per_million['job'].values()):.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
