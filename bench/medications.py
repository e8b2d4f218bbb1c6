"""Medication list benchmark: electrocheck batch on a long file with patient, time and
specimen columns (bench/gen_long_panels.py), without and with --medications, a list of
patients' medicines (generated here: some that move electrolytes, some that do not, by
generic and brand name, with start and stop times or open-ended).

Runs, alternating (bench/timing.py), new processes of

  without      electrocheck batch FILE -o OUT --quiet
  medications  electrocheck batch FILE -o OUT --quiet --medications LIST.csv

and prints the median wall time of each, their ratio, and each one's peak memory. The target
is a ratio of at most 1.5. Use the Python of the environment electrocheck is installed in:

    python bench/medications.py [--rounds 3] [--rows 1000000] [--medicines 100000] [--check]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

from panels import generate  # bench/panels.py: the long file of panels
from timing import alternate, load, script  # bench/timing.py

TARGET = 1.5
#: Names as lists write them: generic and brand names of medicines that move electrolytes,
#: texts that begin with one, and drugs that move none the reference file knows.
DRUGS = (
    "Cisplatin",
    "Erbitux",
    "cetuximab",
    "Omeprazole 20 mg DR capsule",
    "Prilosec",
    "Xgeva",
    "zoledronic acid",
    "Keytruda",
    "Furosemide 40 mg tablet",
    "hydrochlorothiazide",
    "dexamethasone",
    "Bactrim",
    "tacrolimus",
    "spironolactone",
    "Zytiga",
    "ifosfamide",
    "Acetaminophen",
    "Ondansetron",
    "Heparin",
    "Morphine",
    "Lorazepam",
    "Docusate",
)


def medication_list(path: Path, count: int, patients: int, seed: int = 29) -> Path:
    """``count`` rows of the patients of bench/gen_long_panels.py (one per 50 rows of the
    lab file), over its 90 days: a third open-ended."""
    if path.exists():
        return path
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 6, 0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient", "drug", "start", "stop"])
        for _ in range(count):
            begin = start + timedelta(minutes=rng.randrange(-30 * 24 * 60, 90 * 24 * 60, 15))
            end = begin + timedelta(days=rng.randint(1, 60))
            stop = "" if rng.random() < 1 / 3 else end.strftime("%Y-%m-%d %H:%M")
            writer.writerow(
                [
                    f"P{rng.randrange(patients):06d}",
                    rng.choice(DRUGS),
                    begin.strftime("%Y-%m-%d %H:%M"),
                    stop,
                ]
            )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--medicines", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench-panels"))
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    source = generate(args.dir, args.rows)
    listing = medication_list(
        args.dir / f"medications-{args.medicines}-{args.rows}.csv",
        args.medicines,
        max(1, args.rows // 50),
    )
    out = args.dir / "out.csv"
    base = [script(), "batch", str(source), "-o", str(out), "-q"]
    runs = alternate(
        {"without": base, "medications": [*base, "--medications", str(listing)]}, args.rounds
    )
    print(
        f"{args.rows:,} rows, {args.medicines:,} medication rows, median of {args.rounds} "
        f"({load()}):"
    )
    for name, found in runs.items():
        shown = ", ".join(f"{t:.2f}" for t in found.seconds)
        print(f"  {name:<12} {found.median:6.2f} s ({shown}), peak memory {found.peak:5.0f} MB")
    ratio = runs["medications"].median / runs["without"].median
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"  ratio medications / without: {ratio:.2f} ({verdict} the target of {TARGET})")
    out.unlink(missing_ok=True)
    return 1 if args.check and ratio > TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
