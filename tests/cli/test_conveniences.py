"""The shortcuts a person at a terminal and a script reach for: a check without the word
``check``, values from stdin, ``-V``, errors as JSON, and partial results."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from electrocheck import __version__
from electrocheck.cli.commands import app
from electrocheck.cli.edge import wants_json
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()


def run(*args: str, input: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=input, env={"ELECTROCHECK_RANGES": None})


def test_bare_electrocheck_prints_the_help() -> None:
    result = run()
    assert result.exit_code == ExitCode.OK
    assert "Usage: electrocheck" in result.stdout and "check" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == ExitCode.OK and result.stdout == f"electrocheck {__version__}\n"


@pytest.mark.parametrize(
    "args",
    [["k=3.1"], ["k=3.1", "na=128", "--format", "json"], ["k=3.1", "mEq/L", "-f", "json"]],
)
def test_a_value_where_a_command_would_be_is_a_check(args: list[str]) -> None:
    implied, explicit = run(*args), run("check", *args)
    assert implied.exit_code == explicit.exit_code == ExitCode.OK
    assert implied.stdout == explicit.stdout and "otassium" in implied.stdout


def test_an_unknown_command_is_still_an_error() -> None:
    result = run("chek", "k=3.1")
    assert result.exit_code == ExitCode.ERROR
    assert "No such command 'chek'" in result.stderr


@pytest.mark.parametrize(
    ("stdin", "args", "analytes"),
    [
        ("k=3.1 na=128\n", ["-"], ["potassium", "sodium"]),
        ("k=3.1\nna=128 mEq/L\n\n", ["-"], ["potassium", "sodium"]),
        ("mg=0.5\n", ["ca=2.3", "-", "k=4"], ["calcium", "magnesium", "potassium"]),
    ],
)
def test_dash_reads_values_from_stdin(stdin: str, args: list[str], analytes: list[str]) -> None:
    result = run("check", *args, "--format", "json", input=stdin)
    assert result.exit_code == ExitCode.OK, result.stderr
    assert [r["analyte"] for r in json.loads(result.stdout)["results"]] == analytes


def test_dash_with_nothing_on_stdin_is_an_error() -> None:
    result = run("check", "-", input="")
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert result.stderr.startswith("electrocheck: error: no electrolyte value to interpret")


def test_one_bad_value_hides_nothing_else() -> None:
    result = run("check", "k=3.1", "ca=9.2")
    assert result.exit_code == ExitCode.ERROR
    assert "Potassium" in result.stdout and "3.1" in result.stdout
    assert result.stderr.startswith("electrocheck: error: 'ca=9.2': 9.2 mmol/L is not a")
    assert result.stderr.count("\n") == 1


def test_each_bad_value_is_one_json_error_and_the_rest_is_json() -> None:
    result = run("check", "k=3.1", "ca=9.2", "x=1", "--format", "json")
    assert result.exit_code == ExitCode.ERROR
    report = json.loads(result.stdout)
    errors = [json.loads(line) for line in result.stderr.splitlines()]
    assert [r["analyte"] for r in report["results"]] == ["potassium"]
    assert [e["exit"] for e in errors] == [ExitCode.ERROR, ExitCode.ERROR]
    assert report["errors"] == [e["error"] for e in errors]
    assert errors[1]["error"].startswith("unknown analyte 'x'")


def test_a_bad_value_outweighs_fail_on() -> None:
    # Exit 2, not 1: the run could not read all it was given.
    result = run("check", "k=2.0", "na=x", "--fail-on", "critical")
    assert result.exit_code == ExitCode.ERROR and "LL" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--bogus", "-f", "json"], "No such option: --bogus"),
        (["check", "alb=2.5", "--format=json"], "no electrolyte value to interpret"),
        (["explain", "chloride", "-fjson"], "unknown analyte 'chloride'"),
        (["sweep", "k", "--from", "3", "--format", "json"], "Missing option '--to'"),
    ],
)
def test_under_format_json_errors_are_json(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    error = json.loads(result.stderr)
    assert set(error) == {"error", "exit"} and error["exit"] == ExitCode.ERROR
    assert message in error["error"]


def test_under_table_format_errors_stay_text() -> None:
    result = run("check", "alb=2.5")
    assert result.stderr.startswith("electrocheck: error: no electrolyte value to interpret")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "--format", "json"], True),
        (["check", "-f", "json"], True),
        (["check", "--format=json"], True),
        (["check", "-fjson"], True),
        (["batch", "x.csv", "--format", "jsonl"], True),
        (["check", "--format", "table"], False),
        (["check", "--", "--format", "json"], False),
        (["check", "k=json"], False),
        (["check", "--format"], False),
    ],
)
def test_wants_json(args: list[str], expected: bool) -> None:
    assert wants_json(args) is expected
