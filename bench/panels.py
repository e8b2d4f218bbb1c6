"""Panels benchmark: electrocheck batch on a long file with patient, time and specimen
columns, with its rows grouped into panels and without (--no-panels).

Generates long files (bench/gen_long_panels.py: 8 tests per specimen, one patient per 50
rows, rows of a specimen scattered within blocks of 4,096) and runs, alternating, new
processes of

  no panels    electrocheck batch FILE -o OUT --quiet --no-panels
  panels       electrocheck batch FILE -o OUT --quiet

and prints the median wall time of each, their ratio, and each one's peak memory (maximum
resident set size of the child). Targets: time with panels at most 2x without, at 1M rows;
peak memory at most 1 GB. With --sorted, also

  sorted       electrocheck batch SORTED -o OUT --quiet --sorted

on a copy of the file sorted by patient (made once, with polars), read a part of its patients
at a time. With --floor, also

  floor        polars reads FILE and writes the output with panels of it (read into memory
               beforehand, that time taken off: nothing interpreted; bench/polars_copy.py's
               floor)

the least any program writing that output from that file can take. With --skeleton, also

  skeleton     python bench/panels_skeleton.py FILE OUT: the skeleton of panels as one
               polars plan over the whole file, with no clinical work in it (a lower bound
               for a design of whole-file polars steps; see that script)

Use the Python of the environment electrocheck is installed in:

    python bench/panels.py [--rounds 3] [--sizes 1000000 5000000] [--dir DIR] [--check]
                           [--sorted] [--floor] [--skeleton]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from functools import partial
from pathlib import Path

from polars_copy import FLOOR, floor_spent  # bench/polars_copy.py
from timing import alternate, load, script  # bench/timing.py

HERE = Path(__file__).resolve().parent
TIME_TARGET = 2.0
MEMORY_TARGET_MB = 1024


def generate(directory: Path, rows: int) -> Path:
    path = directory / f"long-panels-{rows}.csv"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "gen_long_panels.py"), str(path), str(rows)], check=True
        )
    return path


def sorted_copy(source: Path) -> Path:
    """``source`` sorted by patient id (rows of one patient in file order), made once, in a
    process of its own (a child forked from a large process would report its memory)."""
    path = source.with_name(source.stem + "-sorted.csv")
    if not path.exists():
        print(f"sorting {source} into {path} ...", file=sys.stderr)
        code = (
            "import sys, polars as pl; "
            "pl.read_csv(sys.argv[1], infer_schema=False)"
            ".sort('patient_id', maintain_order=True).write_csv(sys.argv[2])"
        )
        subprocess.run([sys.executable, "-c", code, str(source), str(path)], check=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench-panels"))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--sorted", action="store_true", help="also run --sorted on a copy sorted by patient"
    )
    parser.add_argument("--floor", action="store_true", help="measure the floor too")
    parser.add_argument(
        "--skeleton", action="store_true", help="run the skeleton of panels in polars too"
    )
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    ok = True
    for rows in args.sizes:
        source = generate(args.dir, rows)
        out, with_panels = args.dir / "out.csv", args.dir / "out-panels.csv"
        commands = {
            "no panels": [exe, "batch", str(source), "-o", str(out), "-q", "--no-panels"],
            "panels": [exe, "batch", str(source), "-o", str(with_panels), "-q"],
        }
        if args.sorted:
            by_patient = str(sorted_copy(source))
            commands["sorted"] = [exe, "batch", by_patient, "-o", str(out), "-q", "--sorted"]
        report = args.dir / "floor-spent.txt"
        if args.floor:  # after the run with panels, whose output it reads
            floor = [sys.executable, "-c", FLOOR, str(source), str(with_panels)]
            commands["floor"] = [*floor, str(args.dir / "out-floor.csv"), str(report)]
        if args.skeleton:
            skeleton = [sys.executable, str(HERE / "panels_skeleton.py"), str(source)]
            commands["skeleton"] = [*skeleton, str(args.dir / "out-skeleton.csv")]
        before = load()
        runs = alternate(
            commands, args.rounds, after={"floor": partial(floor_spent, report=report)}
        )
        size = source.stat().st_size / 1e6
        print(f"{rows:,} rows, {size:.0f} MB, median of {args.rounds}:")
        print(f"  ({before} before, {load()} after)")
        for name, found in runs.items():
            line = f"  {name:<10} {found.median:6.2f} s   CPU {found.cpu_median:6.2f} s"
            if name == "floor":  # its memory holds the output it was given
                print(line)
                continue
            print(f"{line}   peak memory {found.peak:5.0f} MB")
            ok &= name == "skeleton" or found.peak <= MEMORY_TARGET_MB
        ratios = [
            p / n for p, n in zip(runs["panels"].seconds, runs["no panels"].seconds, strict=True)
        ]
        ratio = runs["panels"].median / runs["no panels"].median
        print(
            f"  time ratio panels / no panels = {ratio:.2f} (target <= {TIME_TARGET}; "
            f"round by round {', '.join(f'{r:.2f}' for r in ratios)})"
        )
        cpu = runs["panels"].cpu_median / runs["no panels"].cpu_median
        print(f"  CPU time ratio panels / no panels = {cpu:.2f}")
        if args.floor:
            least = runs["floor"].median / runs["no panels"].median
            print(f"  time ratio floor / no panels = {least:.2f} (nothing interpreted)")
        if args.skeleton:
            least = runs["skeleton"].median / runs["no panels"].median
            print(f"  time ratio skeleton / no panels = {least:.2f} (no clinical work)")
        if rows <= 1_000_000:
            ok &= ratio <= TIME_TARGET
        out.unlink(missing_ok=True)
        with_panels.unlink(missing_ok=True)
    print("all targets met" if ok else "a target was missed")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
