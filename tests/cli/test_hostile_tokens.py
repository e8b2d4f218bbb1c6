"""Any text given to ``check`` gives a result or a one-line error, never a traceback or a hang."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()
PIECES = st.sampled_from(
    [
        "ca",
        "k",
        "=",
        "9.2",
        "-",
        ".",
        ",",
        "e",
        "mg",
        "/",
        "dL",
        "**",
        "9",
        "(",
        ")",
        "%",
        "µ",
        "nan",
        " ",
        "\x00",
        "MMOL/L",
        "^",
    ]
)
TOKENS = st.one_of(st.text(max_size=40), st.lists(PIECES, max_size=12).map("".join))


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(TOKENS, min_size=1, max_size=3))
def test_any_token_gives_a_result_or_a_one_line_error(tokens: list[str]) -> None:
    result = runner.invoke(app, ["check", "--format", "json", "--", *tokens])
    assert result.exit_code in (ExitCode.OK, ExitCode.ERROR), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code != ExitCode.ERROR:
        return
    # Each value that cannot be read is one JSON error on stderr; the others are still on
    # stdout, with the same errors listed, or stdout is empty when none could be read.
    errors = [json.loads(line) for line in result.stderr.splitlines()]
    assert errors and all(e["exit"] == ExitCode.ERROR and e["error"] for e in errors)
    if result.stdout:
        report = json.loads(result.stdout)
        assert report["results"] and report["errors"] == [e["error"] for e in errors]


@pytest.mark.parametrize(
    "token",
    [
        "k=4 9**9**9*mmol/L",
        "ca=2 .4mmol/L",
        "k=4.1 0.5mmol/L",
        "k=4.1mmol/L*2",
        "k=4.1 mmol/L/pi",
        "k=4.1 2mmol/L",
        "k=4.1mmol/L^2",
        "k=4.1 (mmol/L)",
    ],
)
def test_no_number_or_operator_in_a_unit_changes_a_value(token: str) -> None:
    # pint would evaluate these; a typo must never silently scale a value.
    result = runner.invoke(app, ["check", token])
    assert result.exit_code == ExitCode.ERROR and "not a plain unit" in result.stderr


def test_huge_token_message_stays_short() -> None:
    result = runner.invoke(app, ["check", "k=4" + "x" * 100_000])
    assert result.exit_code == ExitCode.ERROR and len(result.stderr) < 300
