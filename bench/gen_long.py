"""Generate a long lab export: a test, a value and a unit per row (calcium, magnesium,
potassium and sodium in mixed unit spellings, about one bad value in 1,000), with no time
column, so that rows are not grouped into panels (see bench/polars_copy.py):

    python bench/gen_long.py /tmp/long-4m.csv 4000000
"""

from __future__ import annotations

import csv
import random
import sys

HEADER = ["mrn", "test", "value", "unit"]


def rows(n: int, seed: int = 13):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    for i in range(n):
        test = i % 4
        if test == 0:
            row = (
                ("Calcium", f"{rng.uniform(6.0, 12.5):.1f}", "mg/dL")
                if i % 3
                else ("Calcium", f"{rng.uniform(1.5, 3.1):.2f}", "mmol/L")
            )
        elif test == 1:
            row = (
                ("Magnesium", f"{rng.uniform(0.9, 2.9):.1f}", "mg/dL")
                if i % 3
                else ("Magnesium", f"{rng.uniform(0.35, 1.2):.2f}", "MMOL/L")
            )
        elif test == 2:
            row = ("Potassium", f"{rng.uniform(2.4, 6.8):.1f}", rng.choice(["mmol/L", "mEq/L"]))
        else:
            row = ("Sodium", f"{rng.randint(118, 162)}", rng.choice(["mmol/L", "mEq/L", "MEQ/L"]))
        name, value, unit = row
        if i % 1000 == 999:
            value = "pending"
        elif i % 1000 == 501:
            unit = "furlongs"
        yield [f"{100000 + i // 4}", name, value, unit]


if __name__ == "__main__":
    with open(sys.argv[1], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(int(sys.argv[2])))
