"""HL7 v2 benchmark: electrocheck batch on ORU^R01 messages against the same results as a long CSV.

Generates N OBX results (1M by default: one ORU^R01 message per panel of potassium, sodium,
calcium and magnesium, 20 patients' worth per 100 results, each OBX with a LOINC code, a UCUM
unit, a reference range and often an abnormal flag, as a lab interface sends them, with
MSH, PID, PV1 and OBR), written as one file of messages with CR segment ends, and the same
results as a long CSV (patient, birth_date, sex, collected, specimen_id, test, value, unit,
reference_range, interpretation). Then runs, alternating, new processes of

  csv    electrocheck batch results.csv -o OUT.csv --quiet
  hl7    electrocheck batch results.hl7 -o OUT.csv --quiet

and prints the median wall and CPU time of each, HL7's as a ratio to CSV's, the peak memory
(maximum resident set size) of each, and the machine's load average. No target is set for
the time; memory must stay flat (the same at N and at N/4: give --rows to see). Use the
Python of the environment electrocheck is installed in, with the hl7 extra:

    python bench/hl7v2.py [--rows 1000000] [--rounds 3] [--dir /tmp/electrocheck-bench]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import alternate, script  # bench/timing.py, beside this file

#: (LOINC code, display, UCUM code, low and high of the values drawn, the lab's range)
TESTS = (
    ("2823-3", "Potassium", "mmol/L", 2.4, 6.8, (3.5, 5.1)),
    ("2951-2", "Sodium", "mmol/L", 118.0, 158.0, (136.0, 145.0)),
    ("17861-6", "Calcium", "mg/dL", 6.0, 12.0, (8.6, 10.2)),
    ("19123-9", "Magnesium", "mg/dL", 0.9, 3.2, (1.7, 2.4)),
)


def generate(directory: Path, rows: int) -> tuple[Path, Path]:
    """The HL7 v2 file and the long CSV of the same ``rows`` results."""
    messages = directory / f"results-{rows}.hl7"
    table = directory / f"results-hl7-{rows}.csv"
    if messages.exists() and table.exists():
        return messages, table
    print(f"generating {messages} and {table} ...", file=sys.stderr)
    chance = random.Random(15)
    with (
        open(messages, "w", encoding="utf-8", newline="") as hl7,
        open(table, "w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(
            [
                *("patient", "birth_date", "sex", "collected", "specimen_id", "test"),
                *("value", "unit", "reference_range", "interpretation"),
            ]
        )
        for panel in range((rows + 3) // 4):
            patient = f"P{panel // 5}"
            birth = f"19{40 + panel // 5 % 50}0{1 + panel % 9}15"
            sex = "F" if panel // 5 % 2 else "M"
            when = f"2026{1 + panel % 5 * 2:02d}{1 + panel % 28:02d}08{panel % 60:02d}"
            collected = f"{when[:4]}-{when[4:6]}-{when[6:8]}T08:{when[10:12]}"
            segments = [
                f"MSH|^~\\&|CHEMLAB|CITYHOSP|ONCEHR|CITYHOSP|{when}||ORU^R01^ORU_R01|"
                f"M{panel}|P|2.5.1",
                f"PID|1||{patient}^^^CITYHOSP^MR||Doe^Jo||{birth}|{sex}",
                "PV1|1|O|ONC^CHAIR4",
                f"OBR|1|ORD{panel}|ACC{panel}|80048^Basic metabolic panel^CPT|||{when}",
            ]
            for number in range(min(4, rows - panel * 4)):
                code, name, unit, low, high, (ref_low, ref_high) = TESTS[number]
                value = round(chance.uniform(low, high), 1)
                flag = "L" if value < ref_low else "H" if value > ref_high else "N"
                segments.append(
                    f"OBX|{number + 1}|NM|{code}^{name}^LN||{value}|{unit}^^UCUM|"
                    f"{ref_low}-{ref_high}|{flag}|||F|||{when}"
                )
                writer.writerow(
                    [
                        *(patient, f"{birth[:4]}-{birth[4:6]}-{birth[6:]}", sex, collected),
                        *(f"ACC{panel}", code, value, unit, f"{ref_low}-{ref_high}", flag),
                    ]
                )
            hl7.write("\r".join(segments) + "\r")
    return messages, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    messages, table = generate(args.dir, args.rows)
    commands = {
        "csv": [exe, "batch", str(table), "-o", str(args.dir / "out-csv.csv"), "--quiet"],
        "hl7": [exe, "batch", str(messages), "-o", str(args.dir / "out-hl7.csv"), "--quiet"],
    }
    load = os.getloadavg()
    runs = alternate(commands, args.rounds)  # in turn: drift hits both alike
    load = tuple(max(a, b) for a, b in zip(load, os.getloadavg(), strict=True))
    sizes = {"csv": table.stat().st_size / 1e6, "hl7": messages.stat().st_size / 1e6}
    print(
        f"{args.rows:,} OBX results, median of {args.rounds}; load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (the higher of before and after)"
    )
    for name in commands:
        each = ", ".join(f"{t:.2f}" for t in runs[name].seconds)
        print(
            f"  {name:<4} {runs[name].median:6.2f} s ({each}), "
            f"CPU {runs[name].cpu_median:6.2f} s"
            f"   peak memory {runs[name].peak:5.0f} MB   input {sizes[name]:6.0f} MB"
        )
    wall = runs["hl7"].median / runs["csv"].median
    used = runs["hl7"].cpu_median / runs["csv"].cpu_median
    print(f"  hl7 / csv: time {wall:.2f}, CPU time {used:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
