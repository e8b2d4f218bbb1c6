"""Generate a wide lab export for the batch benchmark (see bench/batch.py)."""

from __future__ import annotations

import random
import sys

HEADER = [
    "mrn",
    "collected",
    "Calcium (mg/dL)",
    "Magnesium",
    "Magnesium Units",
    "K [mmol/L]",
    "Sodium",
    "comment",
]


def rows(n: int, seed: int = 7):
    rng = random.Random(seed)
    comments = ["", "", "", "haemolysed?", "repeat, then call", "fasting"]
    for i in range(n):
        ca = f"{rng.uniform(6.0, 12.5):.1f}"
        mg, mg_unit = (
            (f"{rng.uniform(0.9, 2.9):.2f}", "mg/dL")
            if i % 3
            else (f"{rng.uniform(0.35, 1.2):.2f}", "MMOL/L")
        )
        k = f"{rng.uniform(2.4, 6.8):.1f}"
        na = f"{rng.randint(118, 162)} {rng.choice(['mmol/L', 'mEq/L', 'MEQ/L'])}"
        if i % 997 == 0:
            k = "abc"
        if i % 1009 == 0:
            na = "140 furlongs"
        if i % 1013 == 0:
            ca = ""
        yield [
            f"{100000 + i}",
            f"2026-03-{1 + i % 28:02d}T08:{i % 60:02d}",
            ca,
            mg,
            mg_unit,
            k,
            na,
            rng.choice(comments),
        ]


def write(path: str, n: int) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(n))


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]))
