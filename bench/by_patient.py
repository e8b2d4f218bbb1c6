"""Per-patient summary benchmark: electrocheck batch on a long file with patient, time and
specimen columns (bench/gen_long_panels.py), with and without --by-patient.

Runs, alternating, new processes of

  panels       electrocheck batch FILE -o OUT --quiet
  by patient   electrocheck batch FILE -o OUT --quiet --by-patient PATIENTS.csv

and prints the median wall and CPU time of each, their ratios, and each one's peak memory
(maximum resident set size of the child). Use the Python of the environment electrocheck is
installed in:

    python bench/by_patient.py [--rounds 3] [--sizes 1000000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from panels import generate  # bench/panels.py: the long file of panels
from timing import measure, script  # bench/timing.py


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench-panels"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    for rows in args.sizes:
        source = generate(args.dir, rows)
        out, patients = args.dir / "out.csv", args.dir / "patients.csv"
        runs: dict[str, list[tuple[float, float, float]]] = {"panels": [], "by patient": []}
        for _ in range(args.rounds):
            for name, extra in (("panels", []), ("by patient", ["--by-patient", str(patients)])):
                argv = [exe, "batch", str(source), "-o", str(out), "-q", *extra]
                runs[name].append(measure(argv))
        size = source.stat().st_size / 1e6
        print(f"{rows:,} rows, {size:.0f} MB, median of {args.rounds}:")
        medians = {}
        for name, found in runs.items():
            seconds = statistics.median(t for t, _, _ in found)
            cpu = statistics.median(c for _, c, _ in found)
            memory = max(m for _, _, m in found)
            medians[name] = (seconds, cpu)
            shown = ", ".join(f"{t:.2f}" for t, _, _ in found)
            print(
                f"  {name:<10} {seconds:6.2f} s ({shown}), CPU {cpu:6.2f} s, "
                f"peak memory {memory:5.0f} MB"
            )
        wall = medians["by patient"][0] / medians["panels"][0]
        cpu = medians["by patient"][1] / medians["panels"][1]
        print(f"  ratio by patient / panels: wall {wall:.2f}, CPU {cpu:.2f}")
        out.unlink(missing_ok=True)
        patients.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
