"""``electrocheck batch --format fhir`` at the command line: a Bundle or NDJSON, to stdout or
to a file named as the user likes, the summary unchanged."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from fhir_schema import resources_of
from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.mark.parametrize(
    ("source", "form", "observations"),
    [
        ("examples/fhir-bundle.json", "bundle", 9),
        ("examples/fhir-export.ndjson.gz", "ndjson", 6),
        ("examples/labevents-panels.csv", "bundle", 12),
        ("examples/wide.csv", "bundle", 12),
    ],
)
def test_format_fhir_to_stdout(source: str, form: str, observations: int) -> None:
    result = runner.invoke(app, ["batch", str(ROOT / source), "--format", "fhir", "--quiet"])
    assert result.exit_code == ExitCode.OK, result.output
    text = result.stdout
    assert text.startswith('{"resourceType":"Bundle"') == (form == "bundle")
    written = resources_of(text)
    assert sum(r["resourceType"] == "Observation" for r in written) == observations


@pytest.mark.parametrize("name", ["out.json", "out.ndjson", "out.fhir", "out"])
def test_format_fhir_to_a_file_of_any_name(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    result = runner.invoke(
        app, ["batch", str(ROOT / "examples/long.csv"), "-f", "fhir", "-o", str(target)]
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == ""
    assert "6 rows read, 6 written" in result.stderr
    assert json.loads(target.read_text())["type"] == "collection"


def test_without_format_fhir_a_json_file_is_refused_and_ndjson_is_json_lines(
    tmp_path: Path,
) -> None:
    source = str(ROOT / "examples/long.csv")
    refused = runner.invoke(app, ["batch", source, "-o", str(tmp_path / "out.json")])
    assert refused.exit_code == ExitCode.ERROR
    assert "--format" in refused.stderr
    lines = tmp_path / "out.ndjson"
    assert runner.invoke(app, ["batch", source, "-o", str(lines)]).exit_code == ExitCode.OK
    assert json.loads(lines.read_text().splitlines()[0])["record"] == "texts"


def test_the_per_patient_table_of_a_fhir_run_is_csv(tmp_path: Path) -> None:
    patients = tmp_path / "patients"
    result = runner.invoke(
        app,
        [
            "batch",
            str(ROOT / "examples/labevents-panels.csv"),
            "--format",
            "fhir",
            "-o",
            str(tmp_path / "out.json"),
            "--by-patient",
            str(patients),
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert patients.read_text().startswith("patient")


def test_help_names_fhir() -> None:
    result = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "200"})
    assert "fhir" in result.stdout


def test_ndjson_from_stdin_comes_back_ndjson() -> None:
    text = gzip.decompress((ROOT / "examples/fhir-export.ndjson.gz").read_bytes())
    result = runner.invoke(app, ["batch", "-", "--format", "fhir", "--quiet"], input=text)
    assert result.exit_code == ExitCode.OK, result.output
    assert [r["resourceType"] for r in resources_of(result.stdout)].count("Patient") == 1


@pytest.mark.parametrize(
    ("source", "line"),
    [
        (
            "examples/fhir-bundle.json",
            "FHIR output: a Bundle of 13 resources: Observation 9 (2 of corrected results), "
            "DiagnosticReport 1, Encounter 1, Patient 1, Specimen 1",
        ),
        (
            "examples/long.csv",
            "FHIR output: a Bundle of 6 resources: Observation 4, OperationOutcome 2 (rows "
            "without a result, or with errors)",
        ),
        (
            "examples/fhir-export.ndjson.gz",
            "FHIR output: NDJSON of 7 resources: Observation 6, Patient 1",
        ),
    ],
)
def test_the_summary_says_what_was_written(tmp_path: Path, source: str, line: str) -> None:
    summary = tmp_path / "summary.json"
    result = runner.invoke(
        app,
        [
            *["batch", str(ROOT / source), "--format", "fhir", "-o", str(tmp_path / "out")],
            *["--summary-json", str(summary)],
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert f"  {line}\n" in result.stderr
    written = json.loads(summary.read_text())["fhir_output"]
    assert sum(written["resources"].values()) == int(line.split(" of ")[1].split()[0])


def test_other_formats_say_nothing_of_fhir_output(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    result = runner.invoke(
        app,
        [
            *["batch", str(ROOT / "examples/fhir-bundle.json"), "-o", str(tmp_path / "out.csv")],
            *["--summary-json", str(summary)],
        ],
    )
    assert "FHIR output" not in result.stderr
    assert json.loads(summary.read_text())["fhir_output"] is None
