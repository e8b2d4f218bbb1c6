"""The command line: output, exit codes, and the one-line error contract."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from electrocheck import __version__
from electrocheck.cli.commands import app, main
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env=env)


def run_json(*args: str) -> dict[str, Any]:
    result = run("check", *args, "--format", "json")
    assert result.exit_code == ExitCode.OK, result.stderr
    return json.loads(result.stdout)


def test_table_shows_flags_and_explanations() -> None:
    result = run("check", "ca=7.6mg/dL", "mg=1.1mg/dL", "k=3.1", "na=128", "--explain")
    assert result.exit_code == ExitCode.OK
    out = result.stdout
    for text in (
        "Calcium (total)",
        "7.6 mg/dL",
        "1.896",
        "8.5–10.2 ",
        "Magnesium",
        "0.4526",
        "3.1 mmol/L*",
        "no unit given",
        "Cancer-related causes",
        "Cisplatin",
        "spasm risk high",
        "Decision support, not a diagnosis",
    ):
        assert text in out, text
    assert "\x1b[" not in out  # no colour outside a terminal
    assert result.stderr == ""


def test_table_is_readable_at_80_columns() -> None:
    result = run("check", "ca=7.6mg/dL", "mg=1.1mg/dL", "k=3.1", "na=128")
    assert max(len(line.rstrip()) for line in result.stdout.splitlines()) <= 80


def test_normal_value_has_no_explanation() -> None:
    out = run("check", "k=4.1", "--explain").stdout
    assert " N " in out and "Cancer-related causes" not in out


def test_json_has_the_documented_names(check_result_names: frozenset[str]) -> None:
    data = run_json("ca=7.6mg/dL", "k=4.1")
    assert set(data) == {
        "reference",
        "patient",
        "results",
        "patterns",
        "pattern_ids",
        "pattern_briefs",
        "warnings",
        "errors",
    }
    assert data["reference"] == "built-in"
    first = data["results"][0]
    assert set(first) >= check_result_names
    assert (first["analyte"], first["input"], first["unit"]) == ("calcium", "ca=7.6mg/dL", "mmol/L")
    assert (first["value"], first["low"], first["high"], first["flag"]) == (
        1.896,
        2.121,
        2.545,
        "L",
    )
    second = data["results"][1]
    assert (second["flag"], second["spasm_risk"], second["effect"]) == ("N", "none", None)
    assert second["notes"] == ["no unit given: mmol/L assumed"]


def test_unit_as_separate_argument() -> None:
    data = run_json("na=128", "mEq/L")
    assert data["results"][0]["input"] == "na=128 mEq/L"
    assert data["results"][0]["unit_assumed"] is False


BAD_INPUTS = [
    (["ca=9.2"], "as mg/dL it would be 2.296 mmol/L"),
    (["k=abc"], "'abc' is not a number"),
    (["k=-3"], "negative"),
    (["k=nan"], "not a finite number"),
    (["k=inf"], "not a finite number"),
    (["k=4kg"], "unit 'kg' is a mass, not a concentration"),
    (["k=4mmHg"], "unit 'mmHg' is a pressure, not a concentration"),
    (["k=4 furlongs"], "unit 'furlongs'"),
    (["k=4 wibble"], "unit 'wibble' is not a unit electrocheck knows"),
    (["chloride=100"], "unknown analyte 'chloride'"),
    (["k"], "expected NAME=NUMBER[UNIT]"),
    (["k=4,1"], "decimal point"),
    (["na=140mg/dL"], "not a plausible sodium level"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
@pytest.mark.parametrize("output_format", ["table", "json"])
def test_bad_input_is_one_line_exit_2_nothing_on_stdout(
    args: list[str], message: str, output_format: str
) -> None:
    result = run("check", *args, "--format", output_format)
    assert result.exit_code == ExitCode.ERROR
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    if output_format == "json":  # a script reads the error as it reads results
        assert json.loads(result.stderr)["exit"] == ExitCode.ERROR
        assert message in json.loads(result.stderr)["error"]
    else:
        assert result.stderr.startswith("electrocheck: error: ")
        assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["k=4.1"], ExitCode.OK),
        (["k=3.0"], ExitCode.OK),
        (["k=3.0", "--fail-on", "abnormal"], ExitCode.CONDITION_MET),
        (["k=4.1", "--fail-on", "abnormal"], ExitCode.OK),
        (["k=3.0", "--fail-on", "critical"], ExitCode.OK),
        (["k=2.5", "--fail-on", "critical"], ExitCode.CONDITION_MET),
        (["k=2.5", "--fail-on", "sometimes"], ExitCode.ERROR),
        (["k=4.1", "--format", "xml"], ExitCode.ERROR),
        (["k=4.1", "--bogus"], ExitCode.ERROR),
        ([], ExitCode.ERROR),
    ],
)
def test_exit_codes(args: list[str], code: ExitCode) -> None:
    result = run("check", *args)
    assert result.exit_code == code, result.output


@pytest.mark.parametrize(
    ("args", "flag", "population"),
    [
        # total calcium in the first 11 days: low below 8.0 mg/dL, not Davis's 7.6
        (["ca=7.7mg/dL", "--age", "3d"], "L", "age 0d to 11d; critical limits for age 0d to 18y"),
        # potassium from 1 to 7 months: 3.5-5.6, not St Boniface's 3.7-5.9
        (["k=5.7", "--age", "3mo"], "H", "age 30d to 7mo; critical limits for age 28d to 18y"),
    ],
)
def test_children_limits_on_the_command_line(args: list[str], flag: str, population: str) -> None:
    (result,) = run_json(*args)["results"]
    assert (result["flag"], result["population"]) == (flag, population)


def test_fail_on_still_prints_the_results() -> None:
    result = run("check", "k=2.5", "--fail-on", "critical", "--format", "json")
    assert json.loads(result.stdout)["results"][0]["flag"] == "LL"


def test_ranges_option_and_environment(tmp_path: Path) -> None:
    from electrocheck.reference import built_in_path

    text = (
        built_in_path().read_text("utf-8").replace("{low: 3.5, high: 5.0,", "{low: 3.0, high: 5.0,")
    )
    own = tmp_path / "lab.yaml"
    own.write_text(text, encoding="utf-8")
    by_option = json.loads(run("check", "k=3.2", "-f", "json", "--ranges", str(own)).stdout)
    by_env = json.loads(
        run("check", "k=3.2", "-f", "json", env={"ELECTROCHECK_RANGES": str(own)}).stdout
    )
    for data in (by_option, by_env):
        assert data["reference"] == str(own) and data["results"][0]["flag"] == "N"
    assert run_json("k=3.2")["results"][0]["flag"] == "L"


def test_bad_reference_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: 1\n", encoding="utf-8")
    result = run("check", "k=4", "--ranges", str(bad))
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert result.stderr.count("\n") == 1 and str(bad) in result.stderr
    missing = run("check", "k=4", "--ranges", str(tmp_path / "none.yaml"))
    assert missing.exit_code == ExitCode.ERROR and "cannot read" in missing.stderr


def test_version_and_help() -> None:
    assert run("--version").stdout.strip() == f"electrocheck {__version__}"
    help_text = run("check", "--help").stdout
    assert "NAME=NUMBER[UNIT]" in help_text and "--fail-on" in help_text


def test_main_returns_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "k=4.1", "--format", "json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["results"][0]["flag"] == "N"
    assert main(["check", "k=abc"]) == ExitCode.ERROR
    assert "electrocheck: error:" in capsys.readouterr().err


def test_main_hides_tracebacks_of_defects(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("electrocheck.cli.commands.run_check", broken)
    assert main(["check", "k=4.1"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error: RuntimeError: boom" in err


class PanicException(BaseException):
    """Named as the panic of compiled code (pyo3's), which is not an Exception."""


def test_main_hides_tracebacks_of_panics_in_compiled_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def panics(*args: object, **kwargs: object) -> None:
        raise PanicException("assertion failed: i < self.len()")

    monkeypatch.setattr("electrocheck.cli.commands.run_check", panics)
    assert main(["check", "k=4.1"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "internal error: PanicException: assertion failed: i < self.len()" in err


def test_main_turns_ctrl_c_into_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("electrocheck.cli.commands.run_check", interrupted)
    assert main(["check", "k=4.1"]) == ExitCode.INTERRUPTED
    assert "Traceback" not in capsys.readouterr().err


def _colour_codes(text: str) -> set[str]:
    """SGR parameters that set a colour (30-37, 40-47, 90-107, 38;..., 48;...)."""
    found = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        for code in params.split(";"):
            if code and (30 <= int(code) <= 49 or 90 <= int(code) <= 107):
                found.add(code)
    return found


def test_colour_on_a_terminal_and_no_color_honoured() -> None:
    args = ["check", "k=2.5", "na=140", "mg=1.1mg/dL"]  # LL, N and L cells
    coloured = run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": None, "TERM": "xterm"}).stdout
    assert _colour_codes(coloured) >= {"31", "32", "33", "41"}
    plain = run(*args, env={"FORCE_COLOR": "1", "NO_COLOR": "1", "TERM": "xterm"}).stdout
    assert "\x1b[" in plain and not _colour_codes(plain)  # bold stays; colour goes
    assert "\x1b[" not in run(*args, env={"FORCE_COLOR": None, "NO_COLOR": None}).stdout
