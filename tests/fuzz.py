"""Fuzz targets: the value-token parser (through ``check``), the reference-file loader, the
CSV reader (through ``batch``) and whole command lines of every command, fed random and
mutated input.

The only outcomes allowed are a result or electrocheck's own error: never another exception,
never a hang, never a partial output file. ``tests/test_fuzz.py`` runs each target for a
bounded number of cases in the test suite; for a long run:

    python tests/fuzz.py --seconds 600

prints, per target, the cases tried and the failures found (with the first failing input).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from electrocheck import read_jsonl
from electrocheck.batch.run import BatchOptions, run_batch
from electrocheck.clinical.check import run_check
from electrocheck.errors import ElectrocheckError
from electrocheck.reference import built_in_path, load_reference
from electrocheck.reference.patient import Patient

REF = load_reference()
BUILT_IN = built_in_path().read_text(encoding="utf-8")
SAMPLE_CSV = (
    "mrn,age,sex,Calcium (mg/dL),Albumin (g/dL),Magnesium,Magnesium Units,K,Sodium,Glucose\n"
    '1,64,F,7.6,2.5,1.1,mg/dL,3.1,"128 mEq/L",450\n'
    "2,10d,M,<6.0,,0.55,MMOL/L,abc,141 furlongs,\n"
    "3,,,,3.0,2.0,mg/dL,6.5,>160,25 mmol/L\n"
)
SAMPLE_LONG = (
    "subject_id,label,value,valuenum,valueuom,ref_range_lower,ref_range_upper\n"
    "17,Potassium,3.4,3.4,mEq/L,3.3,5.1\n"
    '17,"Calcium, Total",___,7.1,mg/dL,8.4,10.3\n'
    "18,Sodium,GREATER THAN 180,,mmol/L,,\n"
)
PIECES = [
    "ca=",
    "k=",
    "mg=",
    "na=",
    "ica=",
    "alb=",
    "glu=",
    "=",
    "7.6",
    "0",
    "-1",
    "1e9",
    "٣",
    "mg/dL",
    "MMOL/L",
    "mEq/L",
    "g/L",
    "µ",
    "%",
    " ",
    "\x00",
    "\n",
    ",",
    "<",
    "nan",
    "*",
    "/",
    "(",
    "9" * 400,
    "x" * 200,
    "\ufeff",
    "\u202e",
]
YAML_PIECES = [
    "&a [*a]",
    "*x",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "- ",
    "\t",
    "low: 1e400",
    "high: -3",
    "? ",
    "!!python/object:os.system",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    '"',
    "'",
    "\x00",
    "\\",
    "source: nowhere",
    "age: {from: 3y, to: 1d}",
    "sex: other",
    "grade_2: 0",
    "x" * 5000,
]
CSV_PIECES = [
    ",",
    '"',
    "\n",
    "\r\n",
    "\r",
    "\x00",
    "\xff",
    '=HYPERLINK("x")',
    "@SUM(1)",
    "\ufeff",
    "é",
    "<",
    ">=",
    "NaN",
    "4,1",
    ";",
    "\t",
    "x" * 1000,
    "10d",
    "0",
    "abc",
]


def _mutate(text: str, pieces: list[str], rng: random.Random) -> str:
    """``text`` with a few random edits: pieces inserted, spans deleted or repeated, and
    characters replaced."""
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.4:
            text = text[:at] + rng.choice(pieces) + text[at:]
        elif choice < 0.6:
            text = text[:at] + text[at + rng.randint(1, 200) :]
        elif choice < 0.8:
            span = text[at : at + rng.randint(1, 300)]
            text = text[:at] + span * rng.randint(2, 4) + text[at:]
        else:
            text = text[:at] + chr(rng.randrange(0x20, 0x2FF)) + text[at + 1 :]
    return text


NAMES = ["ca", "k", "mg", "na", "ica", "alb", "glu", "Potassium", "17861-6", "x"]
NUMBERS = ["7.6", "2.0", "0", "4.1", "128", "1.1", "9.2", "450", ".5", "+3", "2.0625", "25"]
UNITS = ["", "mg/dL", "mmol/L", "MMOL/L", "mEq/L", "g/dL", "g/L", "µmol/L", "mg%", " mg/dL"]


def _token(rng: random.Random) -> str:
    """A value token: mostly well formed, sometimes mutated or random."""
    token = f"{rng.choice(NAMES)}={rng.choice(NUMBERS)}{rng.choice(UNITS)}"
    if rng.random() < 0.3:
        token = _mutate(token, PIECES, rng)
    elif rng.random() < 0.1:
        token = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6)))
    return token


def fuzz_tokens(rng: random.Random, _: Path) -> None:
    """Random value tokens through the core of ``check``."""
    tokens = [_token(rng) for _ in range(rng.randint(1, 3))]
    patient = Patient(rng.choice([None, 10.0, 400.0, 20000.0]), rng.choice([None, "female"]))
    try:
        report = run_check(REF, tokens, patient)
    except ElectrocheckError:
        return
    for result in report.results:
        result.to_dict()


def fuzz_reference(rng: random.Random, folder: Path) -> None:
    """Mutations of the built-in reference file through the loader."""
    path = folder / f"ref-{rng.getrandbits(64):x}.yaml"
    path.write_text(_mutate(BUILT_IN, YAML_PIECES, rng), encoding="utf-8", errors="replace")
    try:
        load_reference(path)
    except ElectrocheckError:
        pass
    finally:
        path.unlink()


def fuzz_csv(rng: random.Random, folder: Path) -> None:
    """Mutated lab exports through ``batch``: the output is whole, or there is none."""
    source, target = folder / "in.csv", folder / "out.csv"
    text = _mutate(rng.choice([SAMPLE_CSV, SAMPLE_LONG]), CSV_PIECES, rng)
    # Now and then the file is written as Latin-1, so that it is not valid UTF-8.
    encoding = "latin-1" if rng.random() < 0.2 else "utf-8"
    source.write_bytes(text.encode(encoding, errors="replace"))
    target.unlink(missing_ok=True)
    output_format = rng.choice(["csv", "jsonl"])
    try:
        summary = run_batch(source, target, REF, BatchOptions(output_format=output_format))
    except ElectrocheckError:
        assert not target.exists(), "an output file was left after an error"
        leftovers = [p for p in folder.iterdir() if p.name.endswith(".part")]
        assert not leftovers, leftovers
        return
    written = target.read_bytes().decode("utf-8")
    lines = written.count("\n")
    if output_format == "jsonl":
        # One line of texts, then one per row, each after the results it lists.
        rows = list(read_jsonl(written.split("\n")))  # not splitlines: U+2028 is in cells
        assert len(rows) == summary.rows_written, (len(rows), summary.rows_written)
        assert written.endswith("\n")
    else:
        assert written.endswith("\n") and lines >= summary.rows_written + 1


ARGUMENTS = [
    *("check", "explain", "sweep", "ranges", "show", "validate", "init", "batch"),
    *("k", "ca", "ica", "mg", "na", "alb", "glu", "k=3.1", "ca=7.6mg/dL", "alb=2.5", "x"),
    *("--from", "--to", "--step", "--unit", "--age", "--sex", "--symptomatic", "--force"),
    *("--format", "json", "table", "jsonl", "--ranges", "--fail-on", "critical", "-", "-o"),
    *("nan", "inf", "-1", "0", "1e308", "1e-320", "2", "8", "0.5", "mg/dL", "mmol/L", "kg"),
    *("10d", "0", "F", "X", "[red]", "[/]", "/dev/null", "/dev/zero", ".", "lab.yaml"),
]


def fuzz_cli(rng: random.Random, folder: Path) -> None:
    """Random command lines through the CLI, run in ``folder``: the exit code is one of the
    tool's own, and nothing but its own exit ends a command."""
    from typer.testing import CliRunner

    from electrocheck.cli.commands import app

    args = [rng.choice(ARGUMENTS) for _ in range(rng.randint(1, 7))]
    here = os.getcwd()
    os.chdir(folder)  # relative paths (ranges init lab.yaml) land in the scratch folder
    try:
        result = CliRunner().invoke(app, args, input="K\n4.1\n")
    finally:
        os.chdir(here)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-300:])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )


TARGETS: dict[str, Callable[[random.Random, Path], None]] = {
    "tokens": fuzz_tokens,
    "reference": fuzz_reference,
    "csv": fuzz_csv,
    "cli": fuzz_cli,
}


def run(name: str, cases: int | None, seconds: float | None, seed: int) -> tuple[int, list[str]]:
    """Run one target; return the cases tried and a description of each failure."""
    target = TARGETS[name]
    rng = random.Random(seed)
    failures: list[str] = []
    tried = 0
    signal.signal(signal.SIGALRM, _too_long)
    deadline = None if seconds is None else time.monotonic() + seconds
    with tempfile.TemporaryDirectory() as folder:
        while (cases is None or tried < cases) and (
            deadline is None or time.monotonic() < deadline
        ):
            case_seed = rng.getrandbits(64)
            tried += 1
            signal.alarm(CASE_SECONDS)  # a hang is a finding too
            try:
                target(random.Random(case_seed), Path(folder))
            except Exception as exc:  # anything but the tool's own error is a finding
                failures.append(f"seed {case_seed}: {type(exc).__name__}: {exc}"[:300])
            finally:
                signal.alarm(0)
    return tried, failures


#: Longest a single case may take before it counts as a hang.
CASE_SECONDS = 20


def _too_long(signum: int, frame: object) -> None:
    raise TimeoutError(f"a case ran longer than {CASE_SECONDS} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per target")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("targets", nargs="*", default=list(TARGETS), help=", ".join(TARGETS))
    args = parser.parse_args()
    unknown = sorted(set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}; targets: {', '.join(TARGETS)}")
    found = 0
    for name in args.targets:
        started = time.monotonic()
        tried, failures = run(name, None, args.seconds, args.seed)
        took = time.monotonic() - started
        print(f"{name:10} {tried:8,} cases in {took:6.0f} s, {len(failures)} failures")
        for failure in failures[:5]:
            print(f"  {failure}")
        found += len(failures)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
