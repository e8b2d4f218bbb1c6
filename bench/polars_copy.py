"""Batch CSV speed against polars: electrocheck batch, a polars copy of the same file and a
pandas script that does the same work (bench/pandas_yardstick.py), run alternately.

For each file, new processes of

  polars        pl.scan_csv(IN, infer_schema=False).sink_csv(OUT): every column as text
  electrocheck  electrocheck batch IN -o OUT --quiet
  pandas        python bench/pandas_yardstick.py IN OUT (with --pandas; 1M-row files only)

are run in turn, round after round, and every figure is printed as a ratio to its baseline
of the same run, in wall time and in CPU time (user and system: steadier on a machine shared
with other work), with the machine's load before and after. The files (generated in --dir
when missing):

  wide-1m   bench/gen_wide.py, 1M rows        mixed-1m  bench/gen_mixed.py, 1M rows
  wide-5m   bench/gen_wide.py, 5M rows        mixed-5m  bench/gen_mixed.py, 5M rows
  long-4m   bench/gen_long.py, 4M rows of a test, a value and a unit

Targets: electrocheck at most 2.0x the polars copy's wall time; peak memory at most 250 MB;
at least 5x faster than pandas. Use the Python of the environment electrocheck is in:

    python bench/polars_copy.py [--files wide-1m,mixed-1m] [--rounds 3] [--pandas] [--check]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from timing import Runs, alternate, arguments, load, script  # bench/timing.py

HERE = Path(__file__).resolve().parent
TIME_TARGET = 2.0
MEMORY_TARGET_MB = 250
PANDAS_TARGET = 5.0
FILES = {
    "wide-1m": ("gen_wide.py", 1_000_000),
    "mixed-1m": ("gen_mixed.py", 1_000_000),
    "long-4m": ("gen_long.py", 4_000_000),
    "wide-5m": ("gen_wide.py", 5_000_000),
    "mixed-5m": ("gen_mixed.py", 5_000_000),
}
POLARS_COPY = (
    "import sys, polars as pl\npl.scan_csv(sys.argv[1], infer_schema=False).sink_csv(sys.argv[2])\n"
)


def generate(directory: Path, name: str) -> Path:
    generator, rows = FILES[name]
    path = directory / f"{name}.csv"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / generator), str(path), str(rows)], check=True)
    return path


def line(name: str, found: Runs) -> str:
    seconds = ", ".join(f"{s:.2f}" for s in found.seconds)
    return (
        f"  {name:<12} {found.median:6.2f} s ({seconds})   CPU {found.cpu_median:6.2f} s"
        f"   peak memory {found.peak:5.0f} MB"
    )


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--files", default="wide-1m,mixed-1m", help=", ".join(FILES))
    parser.add_argument("--pandas", action="store_true", help="run the pandas yardstick too")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    ok = True
    for name in args.files.split(","):
        source = generate(args.dir, name)
        out = args.dir / f"out-{name}.csv"
        commands = {
            "polars": [sys.executable, "-c", POLARS_COPY, str(source), str(out)],
            "electrocheck": [exe, "batch", str(source), "-o", str(out), "--quiet"],
        }
        with_pandas = args.pandas and FILES[name][1] <= 1_000_000
        if with_pandas:
            yardstick = [sys.executable, str(HERE / "pandas_yardstick.py")]
            commands["pandas"] = [*yardstick, str(source), str(out)]
        before = load()
        runs = alternate(commands, args.rounds)
        size = source.stat().st_size / 1e6
        print(f"{name}: {FILES[name][1]:,} rows, {size:.0f} MB, median of {args.rounds}")
        print(f"  {before} before, {load()} after")
        for command, found in runs.items():
            print(line(command, found))
        ours, polars = runs["electrocheck"], runs["polars"]
        wall, cpu = ours.median / polars.median, ours.cpu_median / polars.cpu_median
        print(
            f"  electrocheck / polars copy: wall {wall:.2f} (target <= {TIME_TARGET}), "
            f"CPU {cpu:.2f}; peak memory {ours.peak:.0f} MB (target <= {MEMORY_TARGET_MB})"
        )
        ok = ok and wall <= TIME_TARGET and ours.peak <= MEMORY_TARGET_MB
        if with_pandas:
            pandas = runs["pandas"]
            faster = pandas.median / ours.median
            print(
                f"  pandas / electrocheck: wall {faster:.2f} (target >= {PANDAS_TARGET}), "
                f"CPU {pandas.cpu_median / ours.cpu_median:.2f}"
            )
            ok = ok and faster >= PANDAS_TARGET
    print("all targets met" if ok else "A TARGET WAS MISSED")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
