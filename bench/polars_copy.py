"""Batch CSV speed against polars: electrocheck batch, a polars copy of the same file and a
pandas script that does the same work (bench/pandas_yardstick.py), run alternately.

For each file, new processes of

  polars        pl.scan_csv(IN, infer_schema=False).sink_csv(OUT): every column as text
  electrocheck  electrocheck batch IN -o OUT --quiet
  pandas        python bench/pandas_yardstick.py IN OUT (with --pandas; 1M-row files only)

are run in turn, round after round, then, with --floor,

  floor         polars reads IN and writes electrocheck's output of it (OUT, read into
                memory beforehand; that reading's time taken off): nothing interpreted
  start-up      electrocheck batch on the first 1,000 rows of IN: its start, imports and
                reference file, on top of the python and polars the floor holds too

and every figure is printed as a ratio to its baseline
of the same run, in wall time and in CPU time (user and system: steadier on a machine shared
with other work), with the machine's load before and after. The files (generated in --dir
when missing):

  wide-1m   bench/gen_wide.py, 1M rows        mixed-1m  bench/gen_mixed.py, 1M rows
  wide-5m   bench/gen_wide.py, 5M rows        mixed-5m  bench/gen_mixed.py, 5M rows
  long-4m   bench/gen_long.py, 4M rows of a test, a value and a unit

The floor is the least any program writing electrocheck's output can take, as a share of the
copy: the target leaves the interpretation (and electrocheck's start-up) what lies between
the floor and twice the copy.

Targets: electrocheck at most 2.0x the polars copy's wall time; peak memory at most 250 MB;
at least 5x faster than pandas. Use the Python of the environment electrocheck is in:

    python bench/polars_copy.py [--files wide-1m,mixed-1m] [--rounds 3] [--pandas] [--floor]
                                [--check]
"""

from __future__ import annotations

import subprocess
import sys
from functools import partial
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

#: The floor: python -c FLOOR IN MADE OUT REPORT; the seconds (wall and CPU) spent reading
#: MADE, electrocheck's output, are written to REPORT, to be taken off.
FLOOR = """
import sys, time, polars as pl
source, made, target, report = sys.argv[1:5]
start, cpu = time.perf_counter(), time.process_time()
output = pl.read_csv(made, infer_schema=False)
with open(report, "w") as spent:
    spent.write(f"{time.perf_counter() - start} {time.process_time() - cpu}")
pl.read_csv(source, infer_schema=False)
output.write_csv(target)
"""


def generate(directory: Path, name: str) -> Path:
    generator, rows = FILES[name]
    path = directory / f"{name}.csv"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / generator), str(path), str(rows)], check=True)
    return path


def line(name: str, found: Runs) -> str:
    seconds = ", ".join(f"{s:.2f}" for s in found.seconds)
    text = f"  {name:<12} {found.median:6.2f} s ({seconds})   CPU {found.cpu_median:6.2f} s"
    if name == "floor":  # its memory holds the output it was given
        return text
    return f"{text}   peak memory {found.peak:5.0f} MB"


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--files", default="wide-1m,mixed-1m", help=", ".join(FILES))
    parser.add_argument("--pandas", action="store_true", help="run the pandas yardstick too")
    parser.add_argument("--floor", action="store_true", help="measure the floor too")
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
            commands["pandas"] = [*yardstick, str(source), str(out) + ".pandas"]
        report = args.dir / "floor-spent.txt"
        if args.floor:  # after electrocheck, whose output it reads
            floor = [sys.executable, "-c", FLOOR, str(source), str(out)]
            commands["floor"] = [*floor, str(args.dir / "out-floor.csv"), str(report)]
            head = args.dir / f"{name}-1000.csv"
            with source.open() as lines, head.open("w") as first:
                first.writelines(next(lines) for _ in range(1001))
            commands["start-up"] = [exe, "batch", str(head), "-o", str(out) + ".1000", "-q"]
        before = load()
        runs = alternate(
            commands, args.rounds, after={"floor": partial(floor_spent, report=report)}
        )
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
        if args.floor:
            least = runs["floor"]
            start = runs["start-up"].median
            print(
                f"  floor / polars copy: wall {least.median / polars.median:.2f}, CPU "
                f"{least.cpu_median / polars.cpu_median:.2f} (reading the file and writing "
                f"the output, nothing interpreted); electrocheck / floor: wall "
                f"{ours.median / least.median:.2f}; start-up / polars copy: wall "
                f"{start / polars.median:.2f}"
            )
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


def floor_spent(runs: Runs, report: Path) -> None:
    """The floor's last run, less its reading of electrocheck's output."""
    wall, cpu = (float(x) for x in report.read_text().split())
    runs.seconds[-1] -= wall
    runs.cpu[-1] -= cpu


if __name__ == "__main__":
    raise SystemExit(main())
