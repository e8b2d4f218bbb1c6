"""Start-up benchmark: the quick check against the bare stack it is built on.

Runs, alternating and side by side, new processes of

  electrocheck   electrocheck check k=4.1 --format json   (the installed script)
  bare stack     python -c "import typer, rich, yaml, pint; pint.UnitRegistry()"
  python         python -c pass                           (the interpreter alone)

and prints the median wall time of each and the ratio electrocheck / bare stack.
The target is a ratio of at most 0.6. Use the Python of the environment electrocheck is
installed in:

    python bench/startup.py [--rounds 15] [--check]

With --check the exit status is 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET = 0.6
BARE = "import typer, rich, yaml, pint; pint.UnitRegistry()"


def commands() -> dict[str, list[str]]:
    beside = Path(sys.executable).with_name("electrocheck")
    script = str(beside) if beside.exists() else shutil.which("electrocheck")
    if script is None:
        sys.exit("bench: the electrocheck script is not installed in this environment")
    return {
        "electrocheck": [script, "check", "k=4.1", "--format", "json"],
        "bare stack": [sys.executable, "-c", BARE],
        "python": [sys.executable, "-c", "pass"],
    }


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds (at least 7)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    rounds = max(7, args.rounds)
    runs = commands()
    for argv in runs.values():  # warm the file cache and compile bytecode once
        timed(argv)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, argv in runs.items():  # alternate, so drift hits all alike
            times[name].append(timed(argv))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        spread = f"{min(times[name]) * 1000:.0f}-{max(times[name]) * 1000:.0f}"
        print(f"{name:<13} median {median * 1000:6.1f} ms   (range {spread} ms, {rounds} runs)")
    ratio = medians["electrocheck"] / medians["bare stack"]
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio electrocheck / bare stack = {ratio:.2f} ({verdict} the target of {TARGET})")
    return 1 if args.check and ratio > TARGET else 0


if __name__ == "__main__":
    raise SystemExit(main())
