"""One record serves the library, the table and JSON: the same value gets the same answer."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from electrocheck import ElectrocheckError, interpret, load_reference
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()
REF = load_reference()
NAMES = st.sampled_from(["ca", "mg", "k", "na", "calcium", "Magnesium", "POTASSIUM", "2951-2"])
UNITS = st.sampled_from(["", "mmol/L", "MMOL/L", "mg/dL", "mEq/L", "µmol/L", "mg/L", "g/L", "mg%"])
VALUES = st.decimals(min_value=0, max_value=300, places=2).map(str)


@settings(max_examples=150, deadline=None)
@given(name=NAMES, number=VALUES, unit=UNITS)
def test_cli_json_equals_library_result(name: str, number: str, unit: str) -> None:
    token = f"{name}={number}{unit}"
    result = runner.invoke(app, ["check", token, "--format", "json"])
    try:
        expected = interpret(REF, name, float(number), unit or None, input=token)
    except ElectrocheckError as exc:
        assert result.exit_code == ExitCode.ERROR
        assert str(exc) in result.stderr
        return
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["results"] == [expected.to_dict()]


@settings(max_examples=60, deadline=None)
@given(name=NAMES, number=VALUES, unit=UNITS)
def test_table_shows_the_same_flag_and_value(name: str, number: str, unit: str) -> None:
    token = f"{name}={number}{unit}"
    try:
        expected = interpret(REF, name, float(number), unit or None, input=token)
    except ElectrocheckError:
        return
    table = runner.invoke(app, ["check", token]).stdout
    row = next(line for line in table.splitlines() if line.startswith(expected.label))
    cells = re.split(r"\s{2,}", row.strip())
    assert cells[2] == f"{float(f'{expected.value:.4g}'):g}"
    grade = "–" if expected.grade is None else str(expected.grade)
    assert cells[4:7] == [expected.flag, grade, expected.spasm_risk]
