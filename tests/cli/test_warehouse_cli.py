"""``batch`` on OMOP and PCORnet tables, end to end: the examples, ``--layout omop`` and
``--layout pcornet`` forced, and a forced layout the header does not fit."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
OMOP = ROOT / "examples" / "warehouse" / "omop-measurement-concepts.csv"
PCORNET = ROOT / "examples" / "warehouse" / "pcornet-lab-result-cm.csv"
runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"ELECTROCHECK_RANGES": None})


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("layout", [[], ["--layout", "omop"]])
def test_omop_concepts_alone(layout: list[str]) -> None:
    result = run("batch", str(OMOP), *layout)
    assert result.exit_code == ExitCode.OK, result.output
    found = [
        (r["measurement_concept_id"], r["analyte"], r["flag"], r["grade"], r["limits"])
        for r in rows(result.stdout)
    ]
    assert found == [
        ("3023103", "potassium", "L", "1", "lab"),
        ("3006906", "calcium", "L", "", "lab"),  # graded corrected, on the added row
        ("", "corrected_calcium", "N", "0", "reference"),
        ("3024561", "", "", "", ""),  # albumin, the covariate
        ("3016723", "", "", "", ""),  # creatinine: another test
        ("3023103", "potassium", "N", "0", "lab"),
        ("3019550", "sodium", "L", "2", "reference"),
        ("0", "", "", "", ""),
    ]
    # Panels and changes over time, as for any long file.
    later = rows(result.stdout)[5]
    assert (later["panel"], later["previous_value_mmol_l"], later["change_mmol_l"]) == (
        "2",
        "3.1",
        "0.8",
    )
    assert "panels: 3 (patient person_id, time measurement_datetime)" in result.stderr
    # Concepts it does not read are named as concepts; concept 0 names nothing.
    assert "covariates: concept 3024561 1" in result.stderr  # albumin, read by the panels
    assert "other tests: (no test name) 1, concept 3016723 1" in result.stderr


@pytest.mark.parametrize("layout", [[], ["--layout", "pcornet"]])
def test_pcornet_table(layout: list[str]) -> None:
    result = run("batch", str(PCORNET), *layout)
    assert result.exit_code == ExitCode.OK, result.output
    found = [
        (r["LAB_LOINC"], r["analyte"], r["flag"], r["lab_flag"], r["censored"], r["limits"])
        for r in rows(result.stdout)
    ]
    assert found == [
        ("2823-3", "potassium", "L", "AL", "", "lab"),
        ("2951-2", "sodium", "H", "AH", "", "lab"),  # an upper limit alone (NO, LE)
        ("2601-3", "magnesium", "LL", "", "<", "lab"),  # LT; GE and NO; ABN_IND NI
        ("2828-2", "", "", "", "", ""),  # urine
        ("17861-6", "calcium", "L", "NL", "", "reference"),  # GT and LT: no range read
        ("2823-3", "potassium", "N", "NL", "", "lab"),
    ]
    assert "panels: 3 (patient PATID, time SPECIMEN_DATE+SPECIMEN_TIME)" in result.stderr
    assert "other specimens: 2828-2 (URINE) 1" in result.stderr
    assert "flag disagrees with the lab's own: 1" in result.stderr


@pytest.mark.parametrize(
    ("path", "layout", "message"),
    [
        (OMOP, "pcornet", "--layout pcornet: no LAB_LOINC, RESULT_NUM column"),
        (PCORNET, "omop", "--layout omop: no measurement_concept_id, value_as_number column"),
        (ROOT / "examples" / "long.csv", "omop", "the file is not an OMOP CDM MEASUREMENT table"),
    ],
)
def test_forced_layout_that_does_not_fit(path: Path, layout: str, message: str) -> None:
    result = run("batch", str(path), "--layout", layout)
    assert result.exit_code == ExitCode.ERROR, result.output
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("electrocheck: error: ") and message in result.stderr


def test_help_names_the_layouts() -> None:
    result = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == ExitCode.OK
    text = " ".join(result.stdout.split())
    assert "omop (an OMOP CDM MEASUREMENT table)" in text
    assert "pcornet (a PCORnet LAB_RESULT_CM table)" in text
