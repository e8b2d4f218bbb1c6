"""A row's own limits are used only when they can be the analyte's: in order, and meeting the
reference interval. Limits in another unit than the value's would flag a normal value."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_files import jsonl_rows  # pytest puts tests/batch on sys.path
from typer.testing import CliRunner

from electrocheck.batch.grades import LAB_LIMITS_NOTE, LAB_LIMITS_REFUSED_NOTE
from electrocheck.cli.commands import app

# (test, value, unit, the row's limits, flag, limits used: "lab" or "reference")
CASES = [
    ("Magnesium", "0.8", "mmol/L", ("1.7", "2.4"), "N", "reference"),  # a mg/dL range
    ("Magnesium", "1.9", "mg/dL", ("0.7", "1.0"), "N", "reference"),  # a mmol/L range
    ("Calcium", "2.3", "mmol/L", ("8.6", "10.2"), "N", "reference"),
    ("Sodium", "140", "mmol/L", ("145", "135"), "N", "reference"),  # out of order
    ("Potassium", "5.05", "mmol/L", ("3.5", "5.1"), "N", "lab"),  # the lab's own, used
    ("Potassium", "3.4", "mmol/L", ("3.3", "5.1"), "N", "lab"),
    ("Potassium", "3.2", "mmol/L", ("3.3", "5.1"), "L", "lab"),
]


def _results(tmp_path: Path, text: str) -> list[dict[str, object]]:
    file = tmp_path / "labs.csv"
    file.write_text(text, encoding="utf-8")
    done = CliRunner().invoke(app, ["batch", str(file), "--format", "jsonl", "--quiet"])
    assert done.exit_code == 0, done.output
    return [r for row in jsonl_rows(done.stdout) for r in row["results"]]


@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize(("test", "value", "unit", "limits", "flag", "used"), CASES)
def test_the_rows_limits_are_used_only_when_they_can_be_the_analytes(
    tmp_path: Path,
    layout: str,
    test: str,
    value: str,
    unit: str,
    limits: tuple[str, str],
    flag: str,
    used: str,
) -> None:
    low, high = limits
    text = (
        f"test,value,unit,low,high\n{test},{value},{unit},{low},{high}\n"
        if layout == "long"  # two limit columns; the wide file gives them as range text
        else f"mrn,{test},{test} ref range\n1,{value} {unit},{low}-{high}\n"
    )
    (result,) = _results(tmp_path, text)
    assert result["flag"] == flag
    note = LAB_LIMITS_NOTE if used == "lab" else LAB_LIMITS_REFUSED_NOTE
    assert note in result["notes"]  # type: ignore[operator]
