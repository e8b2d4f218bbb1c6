"""The teaching and file commands: explain, sweep, ranges show/validate/init; help and version."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import electrocheck
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.cli.render import CHECK_GAUGE_WIDTH
from electrocheck.reference import Reference, built_in_path
from electrocheck.teaching.explain import explain
from electrocheck.teaching.sweep import sweep

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BROKEN = ROOT / "examples" / "broken-lab.yaml"
GAUGE_CHARS = frozenset("▓▒░┊●◀▶")
MARKS = frozenset("●◀▶")
LABELS = ["Calcium (total)", "Calcium (ionized)", "Magnesium", "Potassium", "Sodium"]
KEYS = ["calcium", "ionized_calcium", "magnesium", "potassium", "sodium"]


def run(*args: str, env: dict[str, str | None] | None = None) -> Any:
    """Run the command without any reference file set in the environment."""
    return runner.invoke(app, list(args), env={"ELECTROCHECK_RANGES": None, **(env or {})})


def assert_one_line_error(result: Any, text: str = "") -> None:
    assert result.exit_code == ExitCode.ERROR, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    if result.stderr.startswith("{"):  # under --format json
        error = json.loads(result.stderr)
        assert error["exit"] == ExitCode.ERROR and text in error["error"]
    else:
        assert result.stderr.startswith("electrocheck: error: ") and text in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def is_gauge(line: str) -> bool:
    stripped = line.replace(" ", "")
    return bool(stripped) and set(stripped) <= GAUGE_CHARS


def through_json(data: Any) -> Any:
    return json.loads(json.dumps(data))


# --------------------------------------------------------------------------- explain


def test_explain_overview() -> None:
    result = run("explain")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    for label in LABELS:
        assert label in result.stdout, label
    assert "More on one: electrocheck explain k" in result.stdout


def test_explain_one() -> None:
    result = run("explain", "mg")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    out = result.stdout
    for text in (
        "Magnesium",
        "Low magnesium",
        "High magnesium",
        "What is done",
        "Cancer-related causes",
        "Limits",
        "CTCAE v5.0 grades",
        "Hypomagnesemia",
        "For spasms, whatever the cause",
        "Muscle relaxants",
        "Sources",
        "sfgh-magnesium",
    ):
        assert text in out, text
    assert out.index("Low magnesium") < out.index("CTCAE v5.0 grades") < out.index("Sources")


def test_explain_json_is_the_library_answer(ref: Reference) -> None:
    result = run("explain", "k", "--format", "json")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    assert json.loads(result.stdout) == through_json(explain(ref, "k"))


def test_explain_overview_json(ref: Reference) -> None:
    data = json.loads(run("explain", "-f", "json").stdout)
    assert [item["analyte"] for item in data] == KEYS


@pytest.mark.parametrize("output_format", ["table", "json"])
def test_explain_unknown_analyte(output_format: str) -> None:
    result = run("explain", "chloride", "--format", output_format)
    assert_one_line_error(result, "unknown analyte 'chloride'")


# --------------------------------------------------------------------------- sweep


def _sweep_rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"\s*\d", line)]


#: Potassium from 2 to 8 mmol/L every 0.5, and its adult flags (interval 3.5-5.0, critical
#: 2.8/6.2; a value equal to a limit is on the milder side).
SWEEP_VALUES = ["2", "2.5", "3", "3.5", "4", "4.5", "5", "5.5", "6", "6.5", "7", "7.5", "8"]
SWEEP_FLAGS = ["LL", "LL", "L", "N", "N", "N", "N", "H", "H", "HH", "HH", "HH", "HH"]


def test_sweep_table(ref: Reference) -> None:
    result = run("sweep", "k", "--from", "2", "--to", "8")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    rows = _sweep_rows(result.stdout)
    assert len(rows) == 13
    gauges = [row.split()[-1] for row in rows]
    for line in gauges:
        assert len(line) == 24 and set(line) <= GAUGE_CHARS
        assert sum(line.count(m) for m in MARKS) == 1
    assert gauges == [row.gauge for row in sweep(ref, "k", 2, 8).rows]
    assert [row.split()[0] for row in rows] == SWEEP_VALUES
    assert [row.split()[2] for row in rows] == SWEEP_FLAGS
    assert "▓ critical  ▒ outside the interval" in result.stdout and "● the value" in result.stdout
    assert "limits for adults (age not given)" in result.stdout


def test_sweep_table_of_refused_values() -> None:
    result = run("sweep", "ca", "--from", "0", "--to", "8")
    assert result.exit_code == ExitCode.OK
    assert result.stdout.count("not plausible") == 5  # 0, 6.5, 7, 7.5 and 8 mmol/L


def test_sweep_json_is_the_library_answer(ref: Reference) -> None:
    result = run("sweep", "k", "--from", "2", "--to", "8", "--format", "json")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    data = json.loads(result.stdout)
    expected = through_json(sweep(ref, "k", 2, 8).to_dict())
    assert data["rows"] == expected["rows"] and data == expected
    assert len(data["rows"]) == 13


def test_sweep_options_reach_the_patient() -> None:
    args = ["sweep", "k", "--from", "5", "--to", "6.5", "--step", "0.5", "-f", "json"]
    newborn = json.loads(run(*args, "--age", "10d").stdout)
    assert [r["result"]["flag"] for r in newborn["rows"]] == ["N", "N", "N", "H"]
    assert newborn["patient"]["age_days"] == 10
    low = ["sweep", "k", "--from", "3", "--to", "3.5", "--step", "0.5", "-f", "json"]
    symptomatic = json.loads(run(*low, "--symptomatic").stdout)
    assert [r["result"]["grade"] for r in symptomatic["rows"]] == [2, 0]
    assert [r["result"]["grade"] for r in json.loads(run(*low).stdout)["rows"]] == [1, 0]


def test_sweep_unit() -> None:
    data = json.loads(
        run("sweep", "ca", "--from", "6", "--to", "12", "--unit", "mg/dL", "-f", "json").stdout
    )
    assert data["unit"] == "mg/dL" and len(data["rows"]) == 13
    assert {r["result"]["entered_unit"] for r in data["rows"]} == {"mg/dL"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "3", "--to", "3"], "same value"),
        (["--from", "2", "--to", "8", "--step", "0"], "--step"),
        (["--from", "2", "--to", "8", "--step", "-1"], "--step"),
        (["--from", "-1", "--to", "8"], "--from -1"),
        (["--from", "2", "--to", "8", "--step", "0.001"], "at most 200"),
        (["--from", "2"], "Missing option '--to'"),
        (["--to", "8"], "Missing option '--from'"),
        (["--from", "two", "--to", "8"], "--from"),
        (["--from", "2", "--to", "8", "--unit", "wibble"], "wibble"),
    ],
)
def test_sweep_errors(args: list[str], message: str) -> None:
    assert_one_line_error(run("sweep", "k", *args), message)


def test_sweep_unknown_analyte() -> None:
    assert_one_line_error(run("sweep", "chloride", "--from", "2", "--to", "8"), "chloride")


def test_sweep_tiny_step_is_a_usage_error() -> None:
    assert_one_line_error(run("sweep", "k", "--from", "2", "--to", "8", "--step", "1e-320"))


# --------------------------------------------------------------------------- check's gauge


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        (["k=3.1", "ca=7.6mg/dL"], ["Potassium", "Calcium (total)"]),
        (
            ["ca=7.6mg/dL", "alb=2.5g/dL", "na=140"],
            ["Calcium (total)", "Corrected calcium", "Sodium"],
        ),
        (["k=14", "k=1.0"], ["Potassium", "Potassium"]),
    ],
)
def test_check_table_has_a_gauge_under_each_result(values: list[str], labels: list[str]) -> None:
    result = run("check", *values)
    assert result.exit_code == ExitCode.OK
    lines = result.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if any(line.startswith(lb) for lb in labels)]
    table_rows = starts[: len(labels)]
    assert [lines[i].split("  ")[0] for i in table_rows] == labels
    gauges = [line.strip() for line in lines if is_gauge(line)]
    assert len(gauges) == len(labels)
    for i in table_rows:
        line = lines[i + 1].strip()
        assert is_gauge(line) and len(line) == CHECK_GAUGE_WIDTH
        assert sum(line.count(m) for m in MARKS) == 1


def test_check_gauge_marks_values_off_the_scale() -> None:
    gauges = [line.strip() for line in run("check", "k=14", "k=1.0").stdout.splitlines()]
    gauges = [line for line in gauges if is_gauge(line)]
    assert gauges[0].endswith("▶") and gauges[1].startswith("◀")


# --------------------------------------------------------------------------- ranges init


def test_init_writes_the_built_in_file(tmp_path: Path) -> None:
    target = tmp_path / "lab.yaml"
    result = run("ranges", "init", str(target))
    assert result.exit_code == ExitCode.OK and result.stdout == ""
    assert target.read_bytes() == built_in_path().read_bytes()
    assert result.stderr == (
        f"wrote {target}; check it with: electrocheck ranges validate {target}\n"
    )


def test_init_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("ranges", "init")
    assert result.exit_code == ExitCode.OK
    assert (tmp_path / "electrocheck-ranges.yaml").read_bytes() == built_in_path().read_bytes()
    assert "wrote electrocheck-ranges.yaml" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["electrocheck-ranges.yaml"]


def test_init_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mine.yaml").write_text("my own numbers\n", encoding="utf-8")
    result = run("ranges", "init", "mine.yaml")
    assert_one_line_error(result, "mine.yaml exists; give --force to overwrite it")
    assert Path("mine.yaml").read_text(encoding="utf-8") == "my own numbers\n"
    forced = run("ranges", "init", "mine.yaml", "--force")
    assert forced.exit_code == ExitCode.OK
    assert Path("mine.yaml").read_bytes() == built_in_path().read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.yaml"]  # no temporary left


def test_init_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("ranges", "init", "-")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    assert result.stdout_bytes == built_in_path().read_bytes()
    assert list(tmp_path.iterdir()) == []


def test_init_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "lab.yaml"
    assert_one_line_error(run("ranges", "init", str(target)), f"cannot write {target}")
    assert not (tmp_path / "no").exists()


def test_an_initialised_file_is_valid(tmp_path: Path, ref: Reference) -> None:
    # Absolute paths throughout: load_reference caches a valid file by its path as given.
    target = tmp_path / "lab.yaml"
    assert run("ranges", "init", str(target)).exit_code == ExitCode.OK
    result = run("ranges", "validate", str(target))
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    sources = len(ref.sources) + len(ref.medications.sources)
    counts = f"5 analytes, {sources} sources, {len(ref.medications.drugs)} medicines"
    assert result.stdout == f"{target}: valid ({counts})\n"


# --------------------------------------------------------------------------- ranges validate


def test_validate_lists_every_problem_in_line_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "examples").mkdir()
    shutil.copy(BROKEN, tmp_path / "examples" / "broken-lab.yaml")
    monkeypatch.chdir(tmp_path)
    result = run("ranges", "validate", "examples/broken-lab.yaml")
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    where = "electrocheck: error: examples/broken-lab.yaml"
    assert result.stderr.splitlines() == [
        f"{where}:17: analytes.potassium.reference[0].high: must be greater than low (3.1 <= 3.6)",
        f"{where}:19: analytes.potassium.critical[0].source: unknown source 'lab-handbook': "
        "add it under `sources:`",
        f"{where}:28: analytes.potassium.high.spasm_risk: must be one of none, low, moderate, "
        "high, not 'some'",
        "electrocheck: examples/broken-lab.yaml: 3 problems",
    ]


def test_validate_with_an_absolute_path() -> None:
    result = run("ranges", "validate", str(BROKEN))
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    lines = result.stderr.splitlines()
    assert [int(re.findall(rf"{re.escape(str(BROKEN))}:(\d+): ", x)[0]) for x in lines[:-1]] == [
        17,
        19,
        28,
    ]
    assert lines[-1] == f"electrocheck: {BROKEN}: 3 problems"


def test_validate_sorts_lines_as_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fourth problem on line 3: as text "3" would sort after "28".
    text = BROKEN.read_text(encoding="utf-8")
    assert text.splitlines()[2].startswith("title: ")
    lines = text.splitlines(keepends=True)
    lines[2] = "title: 5\n"
    (tmp_path / "broken-title.yaml").write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("ranges", "validate", "broken-title.yaml")
    found = re.findall(r"^electrocheck: error: broken-title\.yaml:(\d+): ", result.stderr, re.M)
    assert [int(n) for n in found] == [3, 17, 19, 28]
    assert result.stderr.splitlines()[-1] == "electrocheck: broken-title.yaml: 4 problems"


def test_validate_reads_the_file_afresh(tmp_path: Path) -> None:
    target = tmp_path / "lab.yaml"
    assert run("ranges", "init", str(target)).exit_code == ExitCode.OK
    assert run("ranges", "validate", str(target)).exit_code == ExitCode.OK
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("{low: 3.5, high: 5.0,", "{low: 5.5, high: 5.0,"), "utf-8")
    result = run("ranges", "validate", str(target))
    assert result.exit_code == ExitCode.ERROR and "analytes.potassium.reference" in result.stderr


def test_validate_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.yaml"
    result = run("ranges", "validate", str(missing))
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"electrocheck: error: {missing}: cannot read: No such file or directory",
        f"electrocheck: {missing}: 1 problem",
    ]


def test_validate_needs_a_file() -> None:
    assert_one_line_error(run("ranges", "validate"), "Missing argument")


# --------------------------------------------------------------------------- ranges show


def test_show_built_in() -> None:
    result = run("ranges", "show")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    assert f"file: built-in: {built_in_path()}" in result.stdout
    for key in KEYS:
        assert re.search(rf"^{key}\s+interval\s+adults\s", result.stdout, re.M), key
    assert re.search(r"^potassium\s+interval\s+adults\s+3\.5\s+5\.0\s+mmol/L", result.stdout, re.M)


def test_show_json(ref: Reference) -> None:
    result = run("ranges", "show", "--format", "json")
    assert result.exit_code == ExitCode.OK
    data = json.loads(result.stdout)
    assert set(data) == {
        "reference",
        "path",
        "title",
        "analytes",
        "medications",
        "medication_sources",
    }
    assert data["medications"]["cetuximab"]["brands"] == ["Erbitux"]
    assert (data["reference"], data["path"]) == ("built-in", str(built_in_path()))
    assert data["title"] == "electrocheck built-in reference (adult serum and plasma)"
    assert list(data["analytes"]) == KEYS
    potassium = data["analytes"]["potassium"]
    assert potassium["reference"][0] == {
        "population": "adults",
        "low": 3.5,
        "high": 5.0,
        "unit": "mmol/L",
        "source": "uchicago-potassium",
    }
    assert len(potassium["reference"]) == 6 and len(potassium["critical"]) == 3
    assert potassium["reference"] == explain(ref, "k")["reference"]


@pytest.fixture
def own_file(tmp_path: Path) -> Path:
    """A copy made by ranges init, with potassium's adult interval starting at 3.6 (at an
    absolute path: load_reference caches a valid file by its path as given)."""
    path = tmp_path / "lab.yaml"
    assert run("ranges", "init", str(path)).exit_code == ExitCode.OK
    text = path.read_text(encoding="utf-8")
    assert text.count("{low: 3.5, high: 5.0,") == 1
    path.write_text(text.replace("{low: 3.5, high: 5.0,", "{low: 3.6, high: 5.0,"), "utf-8")
    return path


def test_show_own_file(own_file: Path) -> None:
    result = run("ranges", "show", "--ranges", str(own_file))
    assert result.exit_code == ExitCode.OK
    assert f"file: {own_file}" in result.stdout.replace("\n", "")
    assert "file: built-in" not in result.stdout
    assert re.search(r"^potassium\s+interval\s+adults\s+3\.6\s+5\.0\s+mmol/L", result.stdout, re.M)
    data = json.loads(run("ranges", "show", "--ranges", str(own_file), "-f", "json").stdout)
    assert (data["reference"], data["path"]) == (str(own_file), str(own_file))
    assert data["analytes"]["potassium"]["reference"][0]["low"] == 3.6


def test_show_own_file_from_the_environment(own_file: Path) -> None:
    data = json.loads(
        run("ranges", "show", "-f", "json", env={"ELECTROCHECK_RANGES": str(own_file)}).stdout
    )
    assert data["analytes"]["potassium"]["reference"][0]["low"] == 3.6


def test_show_a_broken_file() -> None:
    assert_one_line_error(run("ranges", "show", "--ranges", str(BROKEN)), str(BROKEN))


# --------------------------------------------------------------------------- help and version


def test_ranges_without_a_subcommand_shows_help() -> None:
    result = run("ranges")
    assert "Usage: electrocheck ranges" in result.stdout
    for name in ("show", "validate", "init"):
        assert re.search(rf"^\W*{name}\s", result.stdout, re.M), name


def test_ranges_without_a_subcommand_prints_no_empty_error() -> None:
    result = run("ranges")
    for line in result.stderr.splitlines():
        message = line.removeprefix("electrocheck: error:").split("(see ")[0]
        assert message.strip(), line


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == ExitCode.OK
    assert result.stdout == f"electrocheck {electrocheck.__version__}\n"


def _commands() -> list[tuple[list[str], str]]:
    """Every command as (argv, the name README uses), from the app's own registry."""
    found: list[tuple[list[str], str]] = []
    for info in app.registered_commands:
        assert info.callback is not None
        name = info.name or info.callback.__name__.replace("_", "-")
        found.append(([name], name))
    for group in app.registered_groups:
        assert group.name and group.typer_instance is not None
        for info in group.typer_instance.registered_commands:
            assert info.callback is not None
            name = info.name or info.callback.__name__
            found.append(([group.name, name], f"{group.name} {name}"))
    return found


COMMANDS = _commands()


def test_every_command_is_walked() -> None:
    assert sorted(name for _, name in COMMANDS) == [
        "batch",
        "check",
        "explain",
        "ranges init",
        "ranges show",
        "ranges validate",
        "sweep",
    ]


@pytest.mark.parametrize(("argv", "name"), COMMANDS, ids=[name for _, name in COMMANDS])
def test_every_command_has_help_with_an_example(argv: list[str], name: str) -> None:
    result = run(*argv, "--help")
    assert result.exit_code == ExitCode.OK and result.stderr == ""
    assert f"Usage: electrocheck {name}" in result.stdout
    assert "Example:" in result.stdout
    assert re.search(rf"Example: electrocheck {name}\b", result.stdout)
    assert re.search(rf"electrocheck {name}\b", README), f"README does not show {name}"
