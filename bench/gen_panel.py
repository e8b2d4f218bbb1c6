"""Generate a wide export with patient columns and covariates (age, sex, symptomatic,
albumin, glucose), to measure what corrections, age bands and patterns cost:

    python bench/gen_panel.py /tmp/panel-1m.csv 1000000
    electrocheck batch /tmp/panel-1m.csv -o /tmp/out.csv
"""

from __future__ import annotations

import csv
import random
import sys

HEADER = [
    "mrn",
    "age",
    "sex",
    "symptomatic",
    "Calcium (mg/dL)",
    "Albumin (g/dL)",
    "Magnesium (mg/dL)",
    "K",
    "Sodium",
    "Glucose (mg/dL)",
]


def rows(n: int, seed: int = 11):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    for i in range(n):
        age = rng.choice(
            [f"{rng.randint(18, 95)}", f"{rng.randint(1, 17)}", f"{rng.randint(0, 27)}d"]
        )
        yield [
            f"{100000 + i}",
            age,
            rng.choice(["F", "M", ""]),
            rng.choice(["yes", "no", ""]),
            f"{rng.uniform(6.0, 12.5):.1f}",
            f"{rng.uniform(1.8, 5.0):.1f}" if i % 4 else "",
            f"{rng.uniform(0.9, 2.9):.2f}",
            f"{rng.uniform(2.4, 6.8):.1f}",
            f"{rng.randint(118, 162)}",
            f"{rng.randint(70, 600)}" if i % 3 == 0 else "",
        ]


if __name__ == "__main__":
    with open(sys.argv[1], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(int(sys.argv[2])))
