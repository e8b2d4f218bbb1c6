"""FHIR R4 input end to end: a Bundle, an Observation and NDJSON read as the same long CSV."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from batch_files import jsonl_rows, runner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck import BatchOptions, run_batch
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.formats.fhir import HEADER

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
UCUM = "http://unitsofmeasure.org"


def _csv_rows(path: Path, *args: str) -> tuple[Any, list[dict[str, str]]]:
    result = runner.invoke(app, ["batch", str(path), *args])
    assert result.exit_code == ExitCode.OK, result.output
    return result, list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_bundle_with_a_report_of_a_metabolic_panel() -> None:
    _, rows = _csv_rows(DATA / "bmp-bundle.json", "--quiet")
    found = {r["analyte"]: (r["flag"], r["limits"], r["lab_flag"]) for r in rows if r["analyte"]}
    assert found == {
        "sodium": ("L", "lab", "L"),
        "corrected_sodium": ("L", "reference", ""),
        "potassium": ("L", "lab", "L"),
        "calcium": ("L", "lab", "L"),
        "corrected_calcium": ("N", "reference", ""),
        "magnesium": ("L", "lab", "L"),
    }
    assert {r["panel"] for r in rows} == {"1"}
    assert {r["patterns"] for r in rows if r["analyte"] == "potassium"} == {"mg-first-k"}
    assert rows[0]["patient"] == "Patient/p1" and rows[0]["specimen_type"] == "Serum"


def test_the_summary_says_what_the_bundle_held(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    result = runner.invoke(
        app,
        [
            "batch",
            str(DATA / "bmp-bundle.json"),
            "-o",
            str(tmp_path / "out.csv"),
            "--summary-json",
            str(target),
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert (
        "  FHIR Bundle (collection): 7 Observations in 7 rows; read with them: Patient 1, "
        "DiagnosticReport 1, Specimen 1; not read: Encounter 1"
    ) in result.stderr
    fhir = json.loads(target.read_text())["fhir"]
    assert fhir["resources"]["Encounter"] == 1 and fhir["rows"] == 7


@pytest.mark.parametrize("name", ["export.ndjson", "export.ndjson.gz"])
def test_ndjson_gzipped_or_not_and_whatever_its_name(tmp_path: Path, name: str) -> None:
    renamed = tmp_path / "results.csv"  # known by its content, not by its name
    shutil.copy(DATA / name, renamed)
    _, rows = _csv_rows(renamed, "--quiet")
    assert [(r["value"], r["flag"], r["trend"]) for r in rows if r["analyte"] == "potassium"] == [
        ("4.0", "N", ""),
        ("3.6", "N", ""),
        ("3.2", "L", "falling"),
    ]
    magnesium = next(r for r in rows if r["analyte"] == "magnesium")
    assert (magnesium["censored"], magnesium["flag"], magnesium["lab_flag"]) == ("<", "LL", "LL")
    # The Patient comes last in the file: its birth date and sex reach every row.
    assert {(r["birth_date"], r["sex"]) for r in rows} == {("1961-07-30", "male")}
    absent = next(r for r in rows if r["data_absent_reason"])
    assert (absent["data_absent_reason"], absent["analyte"], absent["errors"]) == ("error", "", "")


@pytest.mark.parametrize("name", ["export.ndjson", "export.ndjson.gz", "bmp-bundle.json"])
def test_progress_goes_once_over_the_fhir_file(tmp_path: Path, name: str) -> None:
    # Turning the file into a table is the first half of the bar, reading the table the second.
    calls: list[tuple[int, int]] = []
    run_batch(DATA / name, tmp_path / "out.csv", progress=lambda *call: calls.append(call))
    size = (DATA / name).stat().st_size
    done = [d for d, _ in calls]
    assert {total for _, total in calls} == {size}
    assert done == sorted(done) and done[-1] == size
    assert size // 2 in done  # the table is written: half way


def test_stdin(tmp_path: Path) -> None:
    text = (DATA / "export.ndjson").read_text()
    result = runner.invoke(app, ["batch", "-", "--quiet"], input=text)
    assert result.exit_code == ExitCode.OK, result.output
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 6


def test_bad_input_is_counted_and_explained() -> None:
    result, rows = _csv_rows(DATA / "bad-bundle.json")
    by_id = {r["observation"]: r for r in rows}
    assert by_id["Observation/nocode"]["fhir_notes"] == "no code: the test is not known"
    assert by_id["Observation/nounit"]["fhir_notes"] == "valueQuantity has no unit"
    assert "'mm[Hg]' is not a plain unit" in by_id["Observation/pressure"]["errors"]
    assert "'kg' is a mass, not a concentration" in by_id["Observation/mass"]["errors"]
    assert (by_id["Observation/censored"]["censored"], by_id["Observation/censored"]["flag"]) == (
        ">",
        "HH",
    )
    for expected in (
        "rows: interpreted 2, unreadable value 2, other test 1",
        "! FHIR: 1 resource of a type FHIR R4 does not define, not read: 'Labresult'",
        "! FHIR: 1 Bundle entry without a resource: entry 7 of the Bundle",
        "! FHIR: 1 Observation without a code (a row without a test name): entry 1",
        "! FHIR: 1 quantity without a unit (read as a CSV value without one): entry 2",
    ):
        assert expected in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([str(DATA / "not-fhir.json")], "is JSON but not FHIR"),
        ([str(DATA / "bmp-bundle.json"), "--delimiter", ";"], "--delimiter applies to"),
        ([str(DATA / "bmp-bundle.json"), "--skip-lines", "2"], "--skip-lines applies to"),
        ([str(DATA / "bmp-bundle.json"), "--sheet", "1"], "--sheet applies to spreadsheets"),
    ],
)
def test_refused_in_one_line_with_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["batch", *args])
    assert result.exit_code == ExitCode.ERROR
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- same answers

#: (LOINC code, UCUM code, the unit a CSV writes, low and high of a plausible value)
TESTS = [
    ("2823-3", "mmol/L", "mmol/L", 1.5, 8.0),
    ("6298-4", "meq/L", "mEq/L", 1.5, 8.0),
    ("2951-2", "mmol/L", "mmol/L", 110.0, 170.0),
    ("17861-6", "mg/dL", "mg/dL", 5.0, 14.0),
    ("2000-8", "mmol/L", "mmol/L", 1.2, 3.4),
    ("19123-9", "mg/dL", "mg/dL", 0.8, 5.0),
    ("2601-3", "umol/L", "µmol/L", 300.0, 2000.0),
    ("1994-3", "mmol/L", "mmol/L", 0.7, 1.7),
]
RESULTS = st.tuples(
    st.sampled_from(["Patient/a", "Patient/b"]),
    st.integers(0, 96),  # hours after the first collection
    st.sampled_from(range(len(TESTS))),
    st.floats(0, 1),  # where in the plausible span the value lies
    st.sampled_from(["", "<", ">"]),
    st.booleans(),  # whether the lab's limits are given
    st.sampled_from(["", "L", "H", "N"]),  # the lab's flag
)
PATIENTS = {"Patient/a": ("1950-01-01", "female"), "Patient/b": ("2020-06-01", "male")}


def _written(results: list[tuple[Any, ...]]) -> tuple[str, list[dict[str, Any]]]:
    """The results as a long CSV, and as FHIR Observations."""
    out = io.StringIO()
    table = csv.writer(out)
    table.writerow(
        [
            "patient",
            "birth_date",
            "sex",
            "collected",
            "test",
            "value",
            "unit",
            "reference_range",
            "interpretation",
        ]
    )
    observations = []
    for number, (patient, hours, test, where, comparator, limits, flag) in enumerate(results):
        code, ucum, unit, low, high = TESTS[test]
        value = round(low + where * (high - low), 2)
        collected = f"2026-03-{1 + hours // 24:02d}T{hours % 24:02d}:00:00Z"
        span = (round(low + 0.3 * (high - low), 1), round(low + 0.6 * (high - low), 1))
        limit_text = f"{span[0]}-{span[1]} {unit}" if limits else ""
        table.writerow(
            [
                patient,
                *PATIENTS[patient],
                collected,
                code,
                f"{comparator}{value}",
                unit,
                limit_text,
                flag,
            ]
        )
        quantity: dict[str, Any] = {"value": value, "unit": ucum, "system": UCUM, "code": ucum}
        if comparator:
            quantity["comparator"] = comparator
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"o{number}",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": patient},
            "effectiveDateTime": collected,
            "valueQuantity": quantity,
        }
        if limits:
            obs["referenceRange"] = [
                {
                    "low": {"value": span[0], "code": ucum, "system": UCUM},
                    "high": {"value": span[1], "code": ucum, "system": UCUM},
                }
            ]
        if flag:
            obs["interpretation"] = [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                            "code": flag,
                        }
                    ]
                }
            ]
        observations.append(obs)
    return out.getvalue(), observations


def _answers(path: Path, header: tuple[str, ...]) -> list[dict[str, Any]]:
    target = path.with_suffix(".out.jsonl")
    run_batch(path, target, options=BatchOptions(output_format="jsonl"))
    rows = jsonl_rows(target.read_text())
    return [{k: v for k, v in row.items() if k not in header} for row in rows]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(results=st.lists(RESULTS, min_size=1, max_size=12))
def test_fhir_bundle_and_ndjson_answer_as_the_long_csv(
    tmp_path_factory: pytest.TempPathFactory, results: list[tuple[Any, ...]]
) -> None:
    folder = tmp_path_factory.mktemp("same")
    text, observations = _written(results)
    patients = [
        {"resourceType": "Patient", "id": key.split("/")[1], "birthDate": birth, "gender": sex}
        for key, (birth, sex) in PATIENTS.items()
    ]
    (folder / "labs.csv").write_text(text, encoding="utf-8")
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in observations + patients],
    }
    (folder / "bundle.json").write_text(json.dumps(bundle, indent=1))
    lines = "".join(json.dumps(r) + "\n" for r in patients + observations)
    (folder / "export.ndjson.gz").write_bytes(gzip.compress(lines.encode()))
    csv_header = tuple(text.splitlines()[0].split(","))
    expected = _answers(folder / "labs.csv", csv_header)
    assert expected and all("results" in row for row in expected)
    assert _answers(folder / "bundle.json", HEADER) == expected
    assert _answers(folder / "export.ndjson.gz", HEADER) == expected
