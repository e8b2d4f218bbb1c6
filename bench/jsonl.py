"""JSON Lines benchmark: electrocheck batch to JSON Lines against the same run to CSV.

Generates the wide lab file of bench/batch.py (bench/gen_wide.py, 1M rows by default), then
runs, alternating and side by side, new processes of

  csv     electrocheck batch FILE -o OUT.csv --quiet
  jsonl   electrocheck batch FILE -o OUT.jsonl --quiet

and prints the median wall time of each, JSON Lines' time, peak memory (maximum resident
set size) and output size as ratios to CSV's from the same run, and the machine's load
average. Targets: time at most 1.5x CSV's, peak memory at most 250 MB, size at most 3x.
Use the Python of the environment electrocheck is installed in:

    python bench/jsonl.py [--rows 1000000] [--rounds 3] [--dir /tmp/electrocheck-bench] [--check]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import generate  # bench/batch.py, beside this file
from timing import alternate, arguments, script  # bench/timing.py

TIME_TARGET = 1.5
MEMORY_TARGET_MB = 250
SIZE_TARGET = 3.0


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    source = generate(args.dir, args.rows)
    outputs = {"csv": args.dir / "out.csv", "jsonl": args.dir / "out.jsonl"}
    commands = {
        name: [exe, "batch", str(source), "-o", str(out), "--quiet"]
        for name, out in outputs.items()
    }
    load = os.getloadavg()
    runs = alternate(commands, args.rounds)  # in turn, so drift hits both alike
    load = tuple(max(a, b) for a, b in zip(load, os.getloadavg(), strict=True))
    memory = {name: found.peak for name, found in runs.items()}
    sizes = {name: out.stat().st_size / 1e6 for name, out in outputs.items()}
    median = {name: found.median for name, found in runs.items()}
    print(
        f"{args.rows:,} rows ({source.name}), median of {args.rounds}; load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (the higher of before and after)"
    )
    for name in commands:
        print(
            f"  {name:<6} {median[name]:6.2f} s   peak memory {memory[name]:5.0f} MB   "
            f"output {sizes[name]:7.0f} MB"
        )
    ratios = {
        "time": median["jsonl"] / median["csv"],
        "memory": memory["jsonl"] / memory["csv"],
        "size": sizes["jsonl"] / sizes["csv"],
    }
    print(
        f"  jsonl / csv: time {ratios['time']:.2f} (target <= {TIME_TARGET}), "
        f"peak memory {ratios['memory']:.2f} ({memory['jsonl']:.0f} MB, target <= "
        f"{MEMORY_TARGET_MB} MB), size {ratios['size']:.2f} (target <= {SIZE_TARGET})"
    )
    ok = (
        ratios["time"] <= TIME_TARGET
        and memory["jsonl"] <= MEMORY_TARGET_MB
        and ratios["size"] <= SIZE_TARGET
    )
    print("all targets met" if ok else "A TARGET WAS MISSED")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
