"""FHIR benchmark: electrocheck batch on Bulk Data NDJSON against the same results as a long CSV.

Generates N Observations (1M by default: 20 patients' worth of panels of potassium, sodium,
calcium and magnesium per 100 rows, each with a LOINC code, a UCUM quantity, a reference
range and often an interpretation, shaped as EHRs export them), written as NDJSON, one per
line, and the same results as a long CSV (patient, collected, test, value, unit,
reference_range, interpretation). Then runs, alternating, new processes of

  csv     electrocheck batch results.csv -o OUT.csv --quiet
  ndjson  electrocheck batch observations.ndjson -o OUT.csv --quiet

and prints the median wall time of each, NDJSON's time as a ratio to CSV's, the same for the
CPU time (user and system: steadier than wall time on a machine shared with other work), the
peak memory (maximum resident set size) of each, and the machine's load average. Targets:
wall time at most 2x CSV's; memory flat (the same at N and at N/4: give --rows to see). It
says whether msgspec (the ``fast`` extra) read the NDJSON, or the standard library's json.
Use the Python of the environment electrocheck is installed in:

    python bench/fhir.py [--rows 1000000] [--rounds 3] [--dir /tmp/electrocheck-bench] [--check]
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import alternate, arguments, script  # bench/timing.py, beside this file

TIME_TARGET = 2.0
#: (LOINC code, display, UCUM code, low and high of the values drawn, the lab's range)
TESTS = (
    ("2823-3", "Potassium", "mmol/L", 2.4, 6.8, (3.5, 5.1)),
    ("2951-2", "Sodium", "mmol/L", 118.0, 158.0, (136.0, 145.0)),
    ("17861-6", "Calcium", "mg/dL", 6.0, 12.0, (8.6, 10.2)),
    ("19123-9", "Magnesium", "mg/dL", 0.9, 3.2, (1.7, 2.4)),
)
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"


def generate(directory: Path, rows: int) -> tuple[Path, Path]:
    """The NDJSON export and the long CSV of the same ``rows`` results."""
    ndjson = directory / f"observations-{rows}.ndjson"
    table = directory / f"results-{rows}.csv"
    if ndjson.exists() and table.exists():
        return ndjson, table
    print(f"generating {ndjson} and {table} ...", file=sys.stderr)
    chance = random.Random(15)
    with (
        open(ndjson, "w", encoding="utf-8") as lines,
        open(table, "w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(
            ["patient", "collected", "test", "value", "unit", "reference_range", "interpretation"]
        )
        for number in range(rows):
            code, name, unit, low, high, (ref_low, ref_high) = TESTS[number % 4]
            panel = number // 4
            patient = f"Patient/{panel // 5}"
            collected = f"2026-{1 + panel % 5 * 2:02d}-{1 + panel % 28:02d}T08:{panel % 60:02d}:00Z"
            value = round(chance.uniform(low, high), 1)
            flag = "L" if value < ref_low else "H" if value > ref_high else ""
            obs = {
                "resourceType": "Observation",
                "id": f"obs-{number}",
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/"
                                "observation-category",
                                "code": "laboratory",
                            }
                        ]
                    }
                ],
                "code": {
                    "coding": [{"system": "http://loinc.org", "code": code, "display": name}],
                    "text": name,
                },
                "subject": {"reference": patient},
                "effectiveDateTime": collected,
                "issued": collected,
                "valueQuantity": {
                    "value": value,
                    "unit": unit,
                    "system": "http://unitsofmeasure.org",
                    "code": unit,
                },
                "referenceRange": [
                    {
                        "low": {"value": ref_low, "unit": unit},
                        "high": {"value": ref_high, "unit": unit},
                    }
                ],
            }
            if flag:
                obs["interpretation"] = [{"coding": [{"system": V3, "code": flag}]}]
            lines.write(json.dumps(obs, separators=(",", ":")) + "\n")
            writer.writerow(
                [patient, collected, code, value, unit, f"{ref_low}-{ref_high} {unit}", flag]
            )
    return ndjson, table


def _reader() -> str:
    """What reads the NDJSON in the environment of the electrocheck script."""
    probe = "import electrocheck.formats.fhir_quick as q; print(q.available())"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    return "msgspec" if found.stdout.strip() == "True" else "the standard library's json"


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    ndjson, table = generate(args.dir, args.rows)
    commands = {
        "csv": [exe, "batch", str(table), "-o", str(args.dir / "out-csv.csv"), "--quiet"],
        "ndjson": [exe, "batch", str(ndjson), "-o", str(args.dir / "out-fhir.csv"), "--quiet"],
    }
    load = os.getloadavg()
    runs = alternate(commands, args.rounds)  # in turn, so drift hits both alike
    load = tuple(max(a, b) for a, b in zip(load, os.getloadavg(), strict=True))
    memory = {name: found.peak for name, found in runs.items()}
    median = {name: found.median for name, found in runs.items()}
    sizes = {"csv": table.stat().st_size / 1e6, "ndjson": ndjson.stat().st_size / 1e6}
    print(
        f"{args.rows:,} Observations, median of {args.rounds}; load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (the higher of before and after)"
    )
    cpu = {name: found.cpu_median for name, found in runs.items()}
    for name in commands:
        each = ", ".join(f"{t:.2f}" for t in runs[name].seconds)
        print(
            f"  {name:<6} {median[name]:6.2f} s ({each})   CPU {cpu[name]:6.2f} s"
            f"   peak memory {memory[name]:5.0f} MB   input {sizes[name]:6.0f} MB"
        )
    ratio = median["ndjson"] / median["csv"]
    print(
        f"  ndjson / csv: time {ratio:.2f} (target <= {TIME_TARGET}), "
        f"CPU time {cpu['ndjson'] / cpu['csv']:.2f}; NDJSON read with {_reader()}"
    )
    ok = ratio <= TIME_TARGET
    print("the time target is met" if ok else "THE TIME TARGET WAS MISSED")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
