"""Generate a long lab export grouped into panels: patient, collection time and specimen
columns, 8 tests per specimen (potassium, sodium, calcium, magnesium, albumin, glucose,
creatinine, chloride), in shuffled blocks, to measure what grouping rows into panels costs:

    python bench/gen_long_panels.py /tmp/long-panels-1m.csv 1000000 [PATIENTS]
    electrocheck batch /tmp/long-panels-1m.csv -o /tmp/out.csv
    electrocheck batch /tmp/long-panels-1m.csv -o /tmp/out.csv --no-panels

PATIENTS defaults to one per 50 rows (5,000,000 rows: 100,000 patients).
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import datetime, timedelta

HEADER = ["patient_id", "birth_date", "collected", "specimen_id", "test", "value", "unit"]
TESTS_PER_SPECIMEN = 8


def specimen_rows(rng: random.Random) -> list[tuple[str, str, str]]:
    """One specimen's 8 results: (test, value, unit)."""
    return [
        ("Potassium", f"{rng.uniform(2.4, 6.8):.1f}", "mmol/L"),
        ("Sodium", f"{rng.randint(118, 162)}", "mmol/L"),
        ("Calcium", f"{rng.uniform(6.0, 12.5):.1f}", "mg/dL"),
        ("Magnesium", f"{rng.uniform(0.9, 2.9):.2f}", "mg/dL"),
        ("Albumin", f"{rng.uniform(1.8, 5.0):.1f}", "g/dL"),
        ("Glucose", f"{rng.randint(70, 600)}", "mg/dL"),
        ("Creatinine", f"{rng.uniform(0.5, 3.0):.2f}", "mg/dL"),
        ("Chloride", f"{rng.randint(90, 115)}", "mmol/L"),
    ]


def rows(n: int, patients: int, seed: int = 17):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, 6, 0)
    births = [
        (start - timedelta(days=rng.randint(18 * 365, 90 * 365))).strftime("%Y-%m-%d")
        for _ in range(patients)
    ]
    block: list[list[str]] = []
    for specimen in range((n + TESTS_PER_SPECIMEN - 1) // TESTS_PER_SPECIMEN):
        patient = rng.randrange(patients)
        when = start + timedelta(minutes=rng.randrange(0, 90 * 24 * 60, 5))
        for test, value, unit in specimen_rows(rng):
            block.append(
                [
                    f"P{patient:06d}",
                    births[patient],
                    when.strftime("%Y-%m-%d %H:%M"),
                    f"S{specimen:08d}",
                    test,
                    value,
                    unit,
                ]
            )
        if len(block) >= 4096:  # rows of one specimen need not be next to each other
            rng.shuffle(block)
            yield from block
            block = []
    rng.shuffle(block)
    yield from block


if __name__ == "__main__":
    count = int(sys.argv[2])
    patients = int(sys.argv[3]) if len(sys.argv) > 3 else max(1, count // 50)
    with open(sys.argv[1], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, row in enumerate(rows(count, patients)):
            if i >= count:
                break
            writer.writerow(row)
