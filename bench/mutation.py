"""Mutation testing of the clinical core: how many small deliberate mistakes its tests catch.

mutmut (the ``mutation`` extra) changes one thing at a time in a module (``<`` to
``<=``, ``and`` to ``or``, a number plus one, a text changed) and runs the tests; a mutant the
tests fail on is *killed*, one they pass on *survived*. Each module is run against its own
test files only (table MODULES), so a score says what the module's own tests catch, not what
the whole suite catches far away. Hypothesis is derandomised (``HYPOTHESIS_PROFILE=mutation``,
tests/conftest.py), so two runs on the same code give the same figures.

    nice -n 19 python bench/mutation.py [MODULE ...] [--jobs 2] [--show] [--check]

MODULE is a key of MODULES (``clinical.grading``, ``batch.flags``) or a group: ``core`` (the
default), ``validation`` (reference-file validation), ``batch`` (the batch engine's clinical
expressions). Each module is run in a copy of the tree under --dir (default
/tmp/electrocheck-mutation), with its own ``[tool.mutmut]`` table: the project's
(pyproject.toml) with ``only_mutate`` set to the module and the test selection to its tests.

Prints per module the mutants generated, killed, timed out (counted as killed), survived, and
equivalent (survivors listed with a reason in bench/mutation_equivalent.toml, which cannot
change behaviour), and the score: killed and timed out over generated less equivalent.
``--show`` prints the change of every survivor; ``--check`` exits 1 when a module is below its
bar (BARS).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # mutmut itself needs toml on 3.10
    import toml as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = ROOT / "bench" / "mutation_equivalent.toml"

#: Each module (key: its path under electrocheck/, dotted, without .py) and its own tests.
MODULES: dict[str, tuple[str, ...]] = {
    "clinical.interpret": ("tests/clinical/test_interpret.py",),
    "clinical.grading": ("tests/clinical/test_grading.py",),
    "clinical.corrections": ("tests/clinical/test_corrections.py",),
    "clinical.patterns": ("tests/clinical/test_patterns.py", "tests/clinical/test_edta_pattern.py"),
    "clinical.classify": ("tests/clinical/test_classify.py",),
    "clinical.compare": ("tests/clinical/test_compare.py",),
    "units.tokens": ("tests/units/test_tokens.py",),
    "units.resolve": ("tests/units/test_units.py",),
    "units.values": ("tests/units/test_values.py",),
    "units.spellings": ("tests/units/test_lab_unit_spellings.py", "tests/units/test_units.py"),
    "reference.patient": ("tests/reference/test_patient.py",),
}
CORE = tuple(MODULES)

#: The validation of the reference file: each module against the reference tests.
VALIDATION = tuple(
    f"reference.{name}"
    for name in (
        "check_analytes",
        "check_base",
        "check_corrections",
        "check_file",
        "check_grades",
        "check_limits",
        "check_names",
        "check_omop",
        "check_patterns",
        "check_signs",
        "check_specimens",
        "check_trends",
    )
)
MODULES.update({name: ("tests/reference",) for name in VALIDATION})

#: The batch engine's clinical expressions (flags, grades, corrected values, as polars
#: expressions), each against its own tests: tiny frames of distinct rows compared with what
#: the core gives for the same values (not whole files through the engine, which would make
#: a mutant cost minutes).
BATCH_MODULES: dict[str, tuple[str, ...]] = {
    "batch.flags": ("tests/batch/test_flags.py",),
    "batch.grades": ("tests/batch/test_grades.py",),
    "batch.corrected_values": ("tests/batch/test_corrected_values.py",),
}
BATCH = tuple(BATCH_MODULES)
MODULES.update(BATCH_MODULES)

#: mutmut settings of some modules beyond the project's. The batch tests run polars, whose
#: thread pool does not survive a fork: forked from a process that has run the tests (mutmut's
#: default), every mutant hangs until its timeout and counts as killed. A fork server that
#: has only collected the tests gives each mutant a process without that pool.
SETTINGS: dict[str, dict[str, object]] = {
    name: {"process_isolation": "forkserver"} for name in BATCH
}

#: The share of non-equivalent mutants each module must kill (percent).
BARS: dict[str, float] = {name: 95.0 for name in CORE}
BARS.update({name: 90.0 for name in (*VALIDATION, *BATCH)})

#: mutmut's exit codes of a mutant run, as its own status table reads them.
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


@dataclass
class Figures:
    module: str
    generated: int
    killed: int
    timeout: int
    survived: list[str]
    no_tests: int
    other: int
    equivalent: int
    seconds: float

    @property
    def score(self) -> float:
        judged = self.generated - self.equivalent
        return 100.0 if judged == 0 else 100.0 * (self.killed + self.timeout) / judged


def load_equivalent() -> dict[str, dict[str, str]]:
    """The kept list of equivalent mutants, by mutant name."""
    data = tomllib.loads(EQUIVALENT_FILE.read_text(encoding="utf-8"))
    return {entry["mutant"]: entry for entry in data.get("equivalent", [])}


def toml_value(value: object) -> str:
    # Strings, numbers, booleans and lists of them: JSON writes them as TOML reads them.
    return json.dumps(value)


def mutmut_table(module: str, tests: tuple[str, ...]) -> str:
    """The project's [tool.mutmut] table, narrowed to one module and its tests."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    table = dict(project["tool"]["mutmut"])
    table["only_mutate"] = ["electrocheck/" + module.replace(".", "/") + ".py"]
    table["pytest_add_cli_args_test_selection"] = list(tests)
    table.update(SETTINGS.get(module, {}))
    lines = ["[tool.mutmut]"] + [f"{key} = {toml_value(value)}" for key, value in table.items()]
    pytest_table = project["tool"]["pytest"]["ini_options"]
    lines += ["", "[tool.pytest.ini_options]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in pytest_table.items()]
    return "\n".join(lines) + "\n"


def prepare(module: str, tests: tuple[str, ...], base: Path) -> Path:
    """A fresh copy of the tree for one module's run."""
    work = base / module
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis")
    shutil.copytree(ROOT / "electrocheck", work / "electrocheck", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    shutil.copytree(ROOT / "docs", work / "docs", ignore=ignore)  # tests quote the docs
    shutil.copy2(ROOT / "reference_ranges.yaml", work / "reference_ranges.yaml")
    (work / "pyproject.toml").write_text(mutmut_table(module, tests), encoding="utf-8")
    return work


def mutmut_command() -> list[str]:
    script = Path(sys.executable).parent / "mutmut"
    return [str(script)] if script.exists() else ["mutmut"]


def run_module(module: str, tests: tuple[str, ...], base: Path, jobs: int) -> Path | None:
    work = prepare(module, tests, base)
    env = dict(os.environ, HYPOTHESIS_PROFILE="mutation", PYTHONDONTWRITEBYTECODE="1")
    command = [*mutmut_command(), "run", "--max-children", str(jobs)]
    log = (work / "mutmut.log").open("w", encoding="utf-8")
    done = subprocess.run(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    if done.returncode != 0:
        tail = (work / "mutmut.log").read_text(encoding="utf-8", errors="replace")[-1500:]
        print(f"mutmut failed on {module} (exit {done.returncode}):\n{tail}", file=sys.stderr)
        return None
    return work


def figures_of(
    module: str, work: Path, seconds: float, equivalent: dict[str, dict[str, str]]
) -> Figures:
    meta = work / "mutants" / "electrocheck" / (module.replace(".", "/") + ".py.meta")
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    counts: Counter[str] = Counter()
    survived: list[str] = []
    equal = 0
    for name, code in sorted(codes.items()):
        if code in KILLED:
            counts["killed"] += 1
            if name in equivalent:
                print(f"  {name} is listed as equivalent but was killed: drop it from the list")
        elif code in TIMEOUT:
            counts["timeout"] += 1
        elif code in SURVIVED and name in equivalent:
            equal += 1
        elif code in SURVIVED:
            survived.append(name)
        elif code in NO_TESTS:
            counts["no_tests"] += 1
            survived.append(name)
        else:
            counts["other"] += 1
            survived.append(name)
    return Figures(
        module,
        len(codes),
        counts["killed"],
        counts["timeout"],
        survived,
        counts["no_tests"],
        counts["other"],
        equal,
        seconds,
    )


def check_equivalent_text(
    work: Path, module: str, names: list[str], equivalent: dict[str, dict[str, str]]
) -> None:
    """Warn where an equivalent mutant's changed line is no longer the one listed (the code
    moved, and mutmut's numbering with it)."""
    for name in names:
        listed = equivalent[name].get("changed", "").strip()
        if listed and listed not in diff_of(work, module, name):
            print(f"  {name}: listed change {listed!r} not in its diff; check the list")


@functools.cache
def mutant_functions(work: Path, module: str) -> dict[str, str]:
    """Every function of mutmut's copy of a module (the original of each function and its
    mutants are all written out there), by name."""
    path = work / "mutants" / "electrocheck" / (module.replace(".", "/") + ".py")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    return {
        node.name: "\n".join(lines[node.lineno - 1 : node.end_lineno])
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def diff_of(work: Path, module: str, name: str) -> str:
    """The lines a mutant changes, against the original function (quicker than ``mutmut show``)."""
    functions = mutant_functions(work, module)
    function = name.rsplit(".", 1)[1]
    original_name = function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
    original = functions.get(original_name, "")
    changed = functions.get(function, "").replace(function, original_name, 1)
    lines = difflib.unified_diff(original.splitlines(), changed.splitlines(), n=0, lineterm="")
    changes = [line for line in lines if line[:1] in "-+" and line[:3] not in ("---", "+++")]
    return "\n".join(f"    {line[0]} {line[1:].strip()}" for line in changes)


def print_table(rows: list[Figures]) -> None:
    columns = (("gen", 5), ("killed", 6), ("timeout", 7), ("surv", 5), ("equiv", 5))
    columns += (("score", 7), ("bar", 5), ("time", 6))
    print(f"{'module':24} " + " ".join(f"{name:>{width}}" for name, width in columns))
    for f in rows:
        bar = BARS[f.module]
        mark = "" if f.score >= bar else "  below"
        print(
            f"{f.module:24} {f.generated:5} {f.killed:6} {f.timeout:7} {len(f.survived):5} "
            f"{f.equivalent:5} {f.score:6.1f}% {bar:4.0f}% {f.seconds:5.0f}s{mark}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "modules",
        nargs="*",
        help="keys of MODULES, or core, validation, batch (default: core)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="mutmut children (default 2)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-mutation"))
    parser.add_argument(
        "--reuse", action="store_true", help="read the results of the last run again, no run"
    )
    parser.add_argument("--show", action="store_true", help="print the diff of every survivor")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a module is below its bar"
    )
    args = parser.parse_args()
    groups = {"core": CORE, "validation": VALIDATION, "batch": BATCH}
    chosen = [m for name in args.modules or ["core"] for m in groups.get(name, (name,))]
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        parser.error(f"unknown modules {unknown}; known: {', '.join(MODULES)}")
    equivalent = load_equivalent()
    rows: list[Figures] = []
    for module in chosen:
        run_args = (MODULES[module], args.dir, args.jobs)
        print(f"{module}: mutmut on {' '.join(MODULES[module])}", file=sys.stderr, flush=True)
        start = time.monotonic()
        work = args.dir / module if args.reuse else run_module(module, *run_args)
        if work is None or not (work / "mutants").is_dir():
            print(f"{module}: no run to read", file=sys.stderr)
            continue
        figures = figures_of(module, work, time.monotonic() - start, equivalent)
        listed = [name for name in equivalent if name.startswith(f"electrocheck.{module}.x")]
        check_equivalent_text(work, module, listed, equivalent)
        if args.show:
            for name in figures.survived:
                print(f"  {name.rsplit('.', 1)[1]}\n{diff_of(work, module, name)}")
        rows.append(figures)
    print_table(rows)
    below = [f.module for f in rows if f.score < BARS[f.module]]
    return 1 if args.check and below else 0


if __name__ == "__main__":
    sys.exit(main())
