"""FHIR output benchmark: Bulk Data NDJSON interpreted and written back as FHIR NDJSON, against
the same run written as CSV.

Uses the NDJSON export of bench/fhir.py (N Observations, 1M by default: panels of potassium,
sodium, calcium and magnesium, each with a LOINC code, a UCUM quantity, a reference range
and often an interpretation; generated once into --dir). Then runs, alternating, new
processes of

  csv     electrocheck batch observations.ndjson -o OUT.csv --quiet
  fhir    electrocheck batch observations.ndjson --format fhir -o OUT.ndjson --quiet

and prints the median wall and CPU time of each (CPU time is the steadier on a machine shared
with other work), FHIR's as a ratio to CSV's, and the peak memory (maximum resident set
size) of each. --flat runs FHIR output on N/4 Observations too: memory
is flat when the two peaks are close. Use the Python of the environment electrocheck is
installed in:

    python bench/fhir_output.py [--rows 1000000] [--rounds 3] [--dir /tmp/electrocheck-bench]
                                [--flat]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import measure, script  # bench/timing.py, beside this file


def _input_bench() -> ModuleType:
    """bench/fhir.py, by its path: ``fhir`` is also the name of a package (fhir.resources)."""
    path = Path(__file__).resolve().with_name("fhir.py")
    spec = importlib.util.spec_from_file_location("electrocheck_fhir_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench"))
    parser.add_argument("--flat", action="store_true", help="also write FHIR of N/4 rows")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    exe = script()
    generate = _input_bench().generate
    ndjson, _ = generate(args.dir, args.rows)
    commands = {
        "csv": [exe, "batch", str(ndjson), "-o", str(args.dir / "out-ndjson.csv"), "--quiet"],
        "fhir": [
            *[exe, "batch", str(ndjson), "--format", "fhir"],
            *["-o", str(args.dir / "out-fhir.ndjson"), "--quiet"],
        ],
    }
    if args.flat:
        quarter, _ = generate(args.dir, args.rows // 4)
        commands["fhir/4"] = [
            *[exe, "batch", str(quarter), "--format", "fhir"],
            *["-o", str(args.dir / "out-fhir-4.ndjson"), "--quiet"],
        ]
    load = os.getloadavg()
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(args.rounds):  # in turn, so drift hits each alike
        for name, argv in commands.items():
            runs[name].append(measure(argv))
    load = tuple(max(a, b) for a, b in zip(load, os.getloadavg(), strict=True))
    print(
        f"{args.rows:,} Observations of NDJSON, median of {args.rounds}; load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (the higher of before and after)"
    )
    wall = {name: statistics.median(r[0] for r in found) for name, found in runs.items()}
    cpu = {name: statistics.median(r[1] for r in found) for name, found in runs.items()}
    for name, found in runs.items():
        peak = max(r[2] for r in found)
        print(
            f"  {name:<6} wall {wall[name]:7.2f} s   cpu {cpu[name]:7.2f} s   "
            f"peak memory {peak:5.0f} MB"
        )
    written = (args.dir / "out-fhir.ndjson").stat().st_size / 1e6
    print(
        f"  fhir / csv: wall {wall['fhir'] / wall['csv']:.2f}, cpu {cpu['fhir'] / cpu['csv']:.2f};"
        f" FHIR written {written:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
