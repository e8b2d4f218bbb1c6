"""Batch benchmark: electrocheck batch against a plain Python csv passthrough of the same file.

Generates wide lab files (four analytes in mixed units, some units inside cells, some bad
cells; see bench/gen_wide.py), then runs, alternating and side by side, new processes of

  passthrough    a Python csv.reader -> csv.writer copy of the file
  electrocheck   electrocheck batch FILE -o OUT --quiet

and prints the median wall time of each, their ratio, and electrocheck's peak memory
(maximum resident set size) at 1M and at 5M rows. Targets: time at most 1.0x the
passthrough; peak memory at most 300 MB at both sizes. Use the Python of the environment
electrocheck is installed in:

    python bench/batch.py [--rounds 3] [--dir /tmp/electrocheck-bench] [--check]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from timing import alternate, arguments, load, script  # bench/timing.py

HERE = Path(__file__).resolve().parent
TIME_TARGET = 1.0
MEMORY_TARGET_MB = 300
PASSTHROUGH = (
    "import csv, sys\n"
    "with open(sys.argv[1], newline='', encoding='utf-8') as f, "
    "open(sys.argv[2], 'w', newline='', encoding='utf-8') as g:\n"
    "    w = csv.writer(g)\n"
    "    for row in csv.reader(f):\n"
    "        w.writerow(row)\n"
)


def generate(directory: Path, rows: int) -> Path:
    path = directory / f"wide-{rows // 1_000_000}m.csv"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "gen_wide.py"), str(path), str(rows)], check=True
        )
    return path


def main() -> int:
    parser = arguments(__doc__)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    ok = True
    for rows in (1_000_000, 5_000_000):
        source = generate(args.dir, rows)
        out = args.dir / "out.csv"
        commands = {
            "passthrough": [sys.executable, "-c", PASSTHROUGH, str(source), str(out)],
            "electrocheck": [exe, "batch", str(source), "-o", str(out), "--quiet"],
        }
        rounds = args.rounds if rows == 1_000_000 else 1
        runs = alternate(commands, rounds)
        size = source.stat().st_size / 1e6
        print(f"{rows:,} rows, {size:.0f} MB, 8 columns, median of {rounds} ({load()}):")
        for name, found in runs.items():
            print(f"  {name:<13} {found.median:6.2f} s   peak memory {found.peak:5.0f} MB")
        ratio = runs["electrocheck"].median / runs["passthrough"].median
        print(f"  time ratio electrocheck / passthrough = {ratio:.2f} (target <= {TIME_TARGET})")
        ok = ok and ratio <= TIME_TARGET and runs["electrocheck"].peak <= MEMORY_TARGET_MB
    print("all targets met" if ok else "A TARGET WAS MISSED")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
