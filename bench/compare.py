"""Two installs of electrocheck side by side: start-up and batch, alternating.

Compares an earlier install (say, of the last release) with the current one on the same
machine, in one process tree, alternating runs so that drift hits both alike:

    python bench/compare.py OLD/bin/electrocheck NEW/bin/electrocheck [--rounds 5]

It times ``check k=4.1 --format json`` (21 runs each) and ``batch`` of the 1M- and 5M-row
files of bench/gen_wide.py (generated in /tmp/electrocheck-bench when missing), prints the
median wall time and peak resident memory of each, and whether both wrote the same output.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from timing import run  # bench/timing.py

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    installs = {"old": args.old, "new": args.new}
    starts: dict[str, list[float]] = {name: [] for name in installs}
    for _ in range(21):
        for name, exe in installs.items():
            starts[name].append(run([exe, "check", "k=4.1", "--format", "json"], quiet=True)[0])
    for name in installs:
        print(f"start-up {name}: median {statistics.median(starts[name]) * 1000:.1f} ms")
    for rows, rounds in ((1_000_000, args.rounds), (5_000_000, max(1, args.rounds // 2))):
        source = args.dir / f"wide-{rows // 1_000_000}m.csv"
        if not source.exists():
            gen = [sys.executable, str(HERE / "gen_wide.py"), str(source), str(rows)]
            subprocess.run(gen, check=True)
        times: dict[str, list[float]] = {name: [] for name in installs}
        memory: dict[str, list[float]] = {name: [] for name in installs}
        for _ in range(rounds):
            for name, exe in installs.items():
                out = args.dir / f"out-{name}.csv"
                seconds, megabytes = run(
                    [exe, "batch", str(source), "-o", str(out), "--quiet"], quiet=True
                )
                times[name].append(seconds)
                memory[name].append(megabytes)
        for name in installs:
            print(
                f"{source.name} {name}: median {statistics.median(times[name]):.2f} s, "
                f"peak memory median {statistics.median(memory[name]):.0f} MB "
                f"(max {max(memory[name]):.0f})"
            )
        same = (args.dir / "out-old.csv").read_bytes() == (args.dir / "out-new.csv").read_bytes()
        print(f"  same output: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
