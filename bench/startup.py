"""Start-up benchmark: the quick check against the bare stack it is built on.

Runs, alternating and side by side, new processes of

  electrocheck   electrocheck check k=4.1 --format json   (the installed script)
  bare stack     python -c "import typer, rich, yaml, pint; pint.UnitRegistry()"
  README check   electrocheck check ca=7.6mg/dL mg=1.1mg/dL k=3.1 na=128   (a table drawn)
  typer          python -c "import typer"
  python         python -c pass                           (the interpreter alone)

and prints the median wall time of each, the ratio electrocheck / bare stack (target: at
most 0.35) and the ratio README check / typer (target: at most 3). Use the Python of the
environment electrocheck is installed in, installed as users install it (not editable: an
editable install adds an import hook to every start):

    python bench/startup.py [--rounds 15] [--check]

With --check the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

#: (the command, its baseline, the largest ratio allowed)
TARGETS = (("electrocheck", "bare stack", 0.35), ("README check", "typer", 3.0))
BARE = "import typer, rich, yaml, pint; pint.UnitRegistry()"
README_CHECK = ["check", "ca=7.6mg/dL", "mg=1.1mg/dL", "k=3.1", "na=128"]


def commands() -> dict[str, list[str]]:
    beside = Path(sys.executable).with_name("electrocheck")
    script = str(beside) if beside.exists() else shutil.which("electrocheck")
    if script is None:
        sys.exit("bench: the electrocheck script is not installed in this environment")
    return {
        "electrocheck": [script, "check", "k=4.1", "--format", "json"],
        "bare stack": [sys.executable, "-c", BARE],
        "README check": [script, *README_CHECK],
        "typer": [sys.executable, "-c", "import typer"],
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
    missed = False
    for name, baseline, target in TARGETS:
        ratio = medians[name] / medians[baseline]
        verdict = "meets" if ratio <= target else "MISSES"
        missed = missed or ratio > target
        print(f"ratio {name} / {baseline} = {ratio:.2f} ({verdict} the target of {target})")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
