"""Generate a wide lab export whose four analytes each give their unit another way (see
bench/polars_copy.py): calcium with a companion unit column, magnesium with units in the
cells, potassium with its unit in the header, sodium bare (read in the analyte's default
unit); about one bad cell in 1,000.

    python bench/gen_mixed.py /tmp/mixed-1m.csv 1000000
"""

from __future__ import annotations

import csv
import random
import sys

HEADER = [
    "mrn",
    "collected",
    "Calcium",
    "Calcium Units",
    "Magnesium",
    "Potassium (mmol/L)",
    "Sodium",
    "comment",
]


def rows(n: int, seed: int = 5):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    comments = ["", "", "", "", "", "", "", "repeat"]
    for i in range(n):
        if i % 4:
            ca, ca_unit = f"{rng.uniform(6.0, 12.5):.1f}", "mg/dL"
        else:
            ca, ca_unit = f"{rng.uniform(1.5, 3.1):.2f}", "mmol/L"
        mg = (
            f"{rng.uniform(0.9, 2.9):.1f} mg/dL"
            if i % 3
            else f"{rng.uniform(0.35, 1.2):.2f} mmol/L"
        )
        k = f"{rng.uniform(2.4, 6.8):.1f}"
        na = f"{rng.randint(118, 162)}"
        bad = i % 250  # one cell in 1,000 of the four: each analyte in turn
        if bad == 17:
            ca = "see note"
        elif bad == 83:
            mg = "1.9 furlongs"
        elif bad == 149:
            k = "haemolysed"
        elif bad == 211:
            na = "14O"
        yield [
            f"{100000 + i}",
            f"2026-03-{1 + i % 28:02d}",
            ca,
            ca_unit,
            mg,
            k,
            na,
            rng.choice(comments),
        ]


if __name__ == "__main__":
    with open(sys.argv[1], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(int(sys.argv[2])))
