"""Parquet benchmark: an OMOP MEASUREMENT table read as Parquet against the same rows as CSV,
and Parquet output against CSV output.

Generates N rows (1M by default) of an OMOP CDM MEASUREMENT table shaped as warehouses hold
it (integer ids and concepts, a date and a datetime column, value_as_number as a float, unit
concept and text, range_low and range_high; potassium, sodium, calcium and magnesium in turn,
four results a panel, five panels a patient), written as Parquet with its column types and
as CSV with the same text, and the wide lab file of bench/batch.py (bench/gen_wide.py, N
rows). Then runs, alternating and side by side, new processes of

  csv-in       electrocheck batch measurement.csv -o OUT.csv --quiet
  parquet-in   electrocheck batch measurement.parquet -o OUT.csv --quiet
  csv-out      electrocheck batch wide.csv -o OUT.csv --quiet
  parquet-out  electrocheck batch wide.csv -o OUT.parquet --quiet

and prints the median wall time, CPU time (user and system) and peak memory (maximum
resident set size) of each, the ratios parquet-in / csv-in and parquet-out / csv-out from
the same run, and the machine's load average. Targets: both ratios at most 1.0; memory flat
(give --rows to compare sizes). Use the Python of the environment electrocheck is installed
in (polars is all it needs):

    python bench/parquet.py [--rows 1000000] [--rounds 3] [--dir /tmp/electrocheck-bench]
                            [--check]
"""

from __future__ import annotations

import os
import random
import sys
from datetime import datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import generate as generate_wide  # bench/batch.py, beside this file
from timing import alternate, arguments, script  # bench/timing.py

TIME_TARGET = 1.0
#: (OMOP concept, LOINC code, unit concept, unit, low and high of the values drawn, the
#: lab's range)
TESTS = (
    (3023103, "2823-3", 8753, "mmol/L", 2.4, 6.8, (3.5, 5.1)),
    (3019550, "2951-2", 8753, "mmol/L", 118.0, 158.0, (136.0, 145.0)),
    (3006906, "17861-6", 8840, "mg/dL", 6.0, 12.0, (8.6, 10.2)),
    (3001420, "19123-9", 8840, "mg/dL", 0.9, 3.2, (1.7, 2.4)),
)
START = datetime(2026, 1, 1, 7, 0)


def measurement(rows: int) -> pl.DataFrame:
    """``rows`` rows of an OMOP MEASUREMENT table, typed as a warehouse holds them."""
    chance = random.Random(15)
    values = [round(chance.uniform(*TESTS[i % 4][4:6]), 1) for i in range(rows)]
    row = pl.int_range(rows, dtype=pl.Int64)
    test, panel = row % 4, row // 4

    def by_test(column: int, dtype: pl.DataType) -> pl.Expr:
        found = {i: kind[column] for i, kind in enumerate(TESTS)}
        return test.replace_strict(found, return_dtype=dtype)

    taken = pl.lit(START) + pl.duration(hours=panel * 7 % 8760, minutes=panel % 60)
    return pl.select(
        measurement_id=row + 1,
        person_id=panel // 5 + 1000,
        measurement_concept_id=by_test(0, pl.Int32),
        measurement_date=taken.dt.date(),
        measurement_datetime=taken,
        measurement_type_concept_id=pl.lit(32856, pl.Int32),
        value_as_number=pl.Series(values, dtype=pl.Float64),
        unit_concept_id=by_test(2, pl.Int32),
        unit_source_value=by_test(3, pl.String),
        range_low=test.replace_strict(
            {i: k[6][0] for i, k in enumerate(TESTS)}, return_dtype=pl.Float64
        ),
        range_high=test.replace_strict(
            {i: k[6][1] for i, k in enumerate(TESTS)}, return_dtype=pl.Float64
        ),
        measurement_source_value=by_test(1, pl.String),
    )


def generate(directory: Path, rows: int) -> tuple[Path, Path]:
    """The MEASUREMENT table of ``rows`` rows as Parquet, and as CSV holding the same text
    (a datetime as ``2026-03-01 08:00:00``, as a warehouse export writes it)."""
    parquet = directory / f"measurement-{rows}.parquet"
    table = directory / f"measurement-{rows}.csv"
    if parquet.exists() and table.exists():
        return parquet, table
    print(f"generating {parquet} and {table} ...", file=sys.stderr)
    frame = measurement(rows)
    frame.write_parquet(parquet)
    frame.with_columns(pl.col("measurement_datetime").dt.to_string("%Y-%m-%d %H:%M:%S")).write_csv(
        table
    )
    return parquet, table


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    parquet, table = generate(args.dir, args.rows)
    wide = generate_wide(args.dir, args.rows)
    inputs = {"csv-in": table, "parquet-in": parquet, "csv-out": wide, "parquet-out": wide}
    outputs = {
        "csv-in": args.dir / "out-measurement-csv.csv",
        "parquet-in": args.dir / "out-measurement-parquet.csv",
        "csv-out": args.dir / "out-wide.csv",
        "parquet-out": args.dir / "out-wide.parquet",
    }
    commands = {
        name: [exe, "batch", str(inputs[name]), "-o", str(outputs[name]), "--quiet"]
        for name in inputs
    }
    load = os.getloadavg()
    runs = alternate(commands, args.rounds)  # in turn, so drift hits each alike
    load = tuple(max(a, b) for a, b in zip(load, os.getloadavg(), strict=True))
    print(
        f"{args.rows:,} rows, median of {args.rounds}; load average {load[0]:.2f} "
        f"{load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores (the higher of before and after)"
    )
    for name in commands:
        each = ", ".join(f"{t:.2f}" for t in runs[name].seconds)
        print(
            f"  {name:<12} {runs[name].median:6.2f} s ({each})   CPU {runs[name].cpu_median:6.2f} s"
            f"   peak memory {runs[name].peak:5.0f} MB   input "
            f"{inputs[name].stat().st_size / 1e6:6.0f} MB"
        )
    pairs = {"parquet-in / csv-in": ("parquet-in", "csv-in")}
    pairs["parquet-out / csv-out"] = ("parquet-out", "csv-out")
    ratios = {name: runs[a].median / runs[b].median for name, (a, b) in pairs.items()}
    for name, (a, b) in pairs.items():
        print(
            f"  {name}: time {ratios[name]:.2f} (target <= {TIME_TARGET}), CPU time "
            f"{runs[a].cpu_median / runs[b].cpu_median:.2f} (steadier on a shared machine)"
        )
    ok = all(ratio <= TIME_TARGET for ratio in ratios.values())
    print("the time targets are met" if ok else "A TIME TARGET WAS MISSED")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
