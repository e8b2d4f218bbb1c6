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

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def run(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(argv)} failed")
    return elapsed, usage.ru_maxrss / 1024  # kilobytes on Linux


def script() -> str:
    beside = Path(sys.executable).with_name("electrocheck")
    found = str(beside) if beside.exists() else shutil.which("electrocheck")
    if found is None:
        sys.exit("bench: the electrocheck script is not installed in this environment")
    return found


def generate(directory: Path, rows: int) -> Path:
    path = directory / f"wide-{rows // 1_000_000}m.csv"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "gen_wide.py"), str(path), str(rows)], check=True
        )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench"))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
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
        times: dict[str, list[float]] = {name: [] for name in commands}
        memory: dict[str, float] = dict.fromkeys(commands, 0.0)
        for _ in range(rounds):
            for name, argv in commands.items():  # alternate, so drift hits both alike
                seconds, megabytes = run(argv)
                times[name].append(seconds)
                memory[name] = max(memory[name], megabytes)
        size = source.stat().st_size / 1e6
        print(f"{rows:,} rows, {size:.0f} MB, 8 columns, median of {rounds}:")
        for name in commands:
            print(
                f"  {name:<13} {statistics.median(times[name]):6.2f} s   "
                f"peak memory {memory[name]:5.0f} MB"
            )
        ratio = statistics.median(times["electrocheck"]) / statistics.median(times["passthrough"])
        print(f"  time ratio electrocheck / passthrough = {ratio:.2f} (target <= {TIME_TARGET})")
        ok = ok and ratio <= TIME_TARGET and memory["electrocheck"] <= MEMORY_TARGET_MB
    print("all targets met" if ok else "A TARGET WAS MISSED")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
