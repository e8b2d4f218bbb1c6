"""The same value gets the same answer from ``check`` and from ``batch``."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck import ElectrocheckError, interpret_token, load_reference, read_jsonl
from electrocheck.batch.jsonl import DIRECTIONS
from electrocheck.batch.run import BatchOptions, run_batch
from electrocheck.clinical.check import run_check
from electrocheck.clinical.result import Result, report_round
from electrocheck.reference.patient import Patient, parse_age, parse_sex

REF = load_reference()
NAMES = st.sampled_from(["ca", "mg", "k", "na"])
UNITS = st.sampled_from(
    ["", "mmol/L", "MMOL/L", "mg/dL", "mEq/L", "µmol/L", "mg/L", "g/L", "mg%", "kg", "wibble"]
)
NUMBERS = st.one_of(
    st.decimals(min_value=0, max_value=300, places=2).map(str),
    st.decimals(min_value=0, max_value=10, places=4).map(str),  # rounding ties: 2.0625
    st.sampled_from(["abc", "-1", "nan", "4,1", "", "1e3", ".5", "+3", "٣.١", "2.0625"]),
)
CELLS = st.tuples(NAMES, NUMBERS, UNITS)


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(CELLS, min_size=1, max_size=40))
def test_batch_equals_check(tmp_path_factory: object, cells: list[tuple[str, str, str]]) -> None:
    directory = Path(tmp_path_factory.mktemp("same"))  # type: ignore[attr-defined]
    source, target = directory / "in.csv", directory / "out.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["test", "value"])
        for name, number, unit in cells:
            writer.writerow([name, f"{number} {unit}".strip()])
    run_batch(source, target, REF, BatchOptions())
    out = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(out) == len(cells)
    for (name, number, unit), row in zip(cells, out, strict=True):
        cell = f"{number} {unit}".strip()
        try:
            expected = interpret_token(REF, f"{name}={cell}")
        except ElectrocheckError:
            # Refused by check: no result, and an error unless the cell is empty.
            assert row["flag"] == "" and row["value_mmol_l"] == "", (name, cell, row)
            assert (row["errors"] != "") == bool(cell), (name, cell, row)
            continue
        assert row["flag"] == expected.flag, (name, cell, row)
        assert float(row["value_mmol_l"]) == report_round(expected.value)
        assert row["spasm_risk"] == expected.spasm_risk
        assert row["errors"] == ""


def test_stdin_to_stdout_in_a_pipe(tmp_path: Path) -> None:
    data = "id,K,Calcium (mg/dL)\n1,3.1,7.6\n2,4.0,9.0\n"
    done = subprocess.run(
        [sys.executable, "-m", "electrocheck", "batch", "-", "--quiet"],
        input=data,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["id"], r["potassium_flag"], r["calcium_flag"]) for r in out] == [
        ("1", "L", "L"),
        ("2", "N", "N"),
    ]


# -- grades, age bands, symptoms, corrections and patterns: one row per patient


AGES = st.sampled_from(["", "64", "10d", "5d", "6mo", "3y", "15", "0.5", "11d", "20"])
SEXES = st.sampled_from(["", "F", "M", "female"])
SYMPTOMS = st.sampled_from(["", "yes", "no"])
ALBUMINS = st.sampled_from(["", "2.5", "3.1 g/dL", "25 g/L", "4.6", "1.9"])
GLUCOSES = st.sampled_from(["", "90 mg/dL", "450", "25 mmol/L", "1200", "412 mg/dL"])
PANEL = {  # column header -> (token name, cells)
    "Calcium": ("ca", ["7.6 mg/dL", "2.0", "1.9", "11.6 mg/dL", "2.89", "6.0 mg/dL", "10.6 mg/dL"]),
    "Ionized calcium": ("ica", ["1.0", "0.79", "1.5", "1.2", "4.4 mg/dL"]),
    "Magnesium": ("mg", ["1.1 mg/dL", "0.5", "0.29", "3.0 mg/dL", "1.24", "2.45 mg/dL"]),
    "K": ("k", ["3.1", "3.0", "2.49", "5.8", "6.5", "7.01", "4.1", "abc"]),
    "Sodium": ("na", ["128", "129.5", "125", "124.9", "157", "150", "160.1", "140 mEq/L"]),
}
PANEL_ROWS = st.fixed_dictionaries(
    {
        "age": AGES,
        "sex": SEXES,
        "symptomatic": SYMPTOMS,
        "Albumin": ALBUMINS,
        "Glucose": GLUCOSES,
        **{header: st.sampled_from(cells) for header, (_, cells) in PANEL.items()},
    }
)
CORRECTED = {
    "Calcium": ("Albumin", "alb", "corrected_calcium"),
    "Sodium": ("Glucose", "glu", "corrected_sodium"),
}


def _patient(row: dict[str, str]) -> Patient:
    return Patient(
        None if not row["age"] else parse_age(row["age"]),
        None if not row["sex"] else parse_sex(row["sex"]),
        row["symptomatic"] == "yes",
    )


def _cells(row: dict[str, str], result: Result | None, prefix: str) -> tuple[str, ...]:
    if result is None:
        return ("", "", "", "")
    grade = "" if result.grade is None else str(result.grade)
    return (result.flag, grade, result.spasm_risk, f"{report_round(result.value):g}")


def _row_cells(row: dict[str, str], prefix: str) -> tuple[str, ...]:
    value = row[f"{prefix}mmol_l"]
    shown = "" if value == "" else f"{float(value):g}"
    return (row[f"{prefix}flag"], row[f"{prefix}grade"], row[f"{prefix}spasm_risk"], shown)


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(PANEL_ROWS, min_size=1, max_size=12))
def test_batch_equals_check_for_a_patient(
    tmp_path_factory: object, rows: list[dict[str, str]]
) -> None:
    directory = Path(tmp_path_factory.mktemp("panel"))  # type: ignore[attr-defined]
    source, target = directory / "in.csv", directory / "out.csv"
    header = list(rows[0])
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    run_batch(source, target, REF, BatchOptions())
    out = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(out) == len(rows)
    for row, got in zip(rows, out, strict=True):
        patient = _patient(row)
        covariates = {
            header: f"{token}={row[column]}"
            for header, (column, token, _) in CORRECTED.items()
            if row[column]
        }
        kept: list[str] = []
        for header, (name, _) in PANEL.items():
            token = f"{name}={row[header]}"
            extra = [covariates[header]] if header in covariates else []
            try:
                report = run_check(REF, [token, *extra], patient)
            except ElectrocheckError:
                assert _row_cells(got, f"{REF.analyte(name).key}_") == ("", "", "", "")
                continue
            kept += [token, *extra]
            measured = report.results[0]
            assert _row_cells(got, f"{measured.analyte}_") == _cells(row, measured, ""), (
                header,
                row,
            )
            if header in CORRECTED:
                key = CORRECTED[header][2]
                corrected = report.results[1] if len(report.results) > 1 else None
                assert _row_cells(got, f"{key}_") == _cells(row, corrected, ""), (header, row)
        if kept:
            expected = "; ".join(run_check(REF, kept, patient).pattern_ids)
            assert got["patterns"] == expected, row


# -- JSON Lines: the whole result, once joined to the texts it refers to


def _as_check(row_result: dict[str, Any], texts: dict[str, Any]) -> dict[str, Any]:
    """A JSON Lines result joined to its texts (by analyte and direction), without what
    check's results do not have."""
    joined = {**row_result, **texts[row_result["analyte"]][row_result["direction"]]}
    assert joined.pop("direction") == DIRECTIONS[joined["flag"]]
    assert joined.pop("limits") == "reference" and joined.pop("censored") is None
    return joined


def _expected(result: Result, cell: str) -> dict[str, Any]:
    """check's result, as batch gives it: in mmol/L, and its input the cell's text (check's
    is the token, ``k=3.1``)."""
    expected = result.to_dict()
    del expected["shown"]  # check's display units; batch stays in mmol/L
    return {**expected, "input": cell}


def _jsonl(target: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The texts of JSON Lines output, and its rows with their results whole."""
    texts = json.loads(target.read_text(encoding="utf-8").splitlines()[0])
    assert texts["record"] == "texts"
    return texts["texts"], list(read_jsonl(target))


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(CELLS, min_size=1, max_size=40))
def test_batch_jsonl_equals_check(
    tmp_path_factory: object, cells: list[tuple[str, str, str]]
) -> None:
    directory = Path(tmp_path_factory.mktemp("same"))  # type: ignore[attr-defined]
    source, target = directory / "in.csv", directory / "out.jsonl"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["test", "value"])
        for name, number, unit in cells:
            writer.writerow([name, f"{number} {unit}".strip()])
    run_batch(source, target, REF, BatchOptions())
    texts, out = _jsonl(target)
    assert len(out) == len(cells)
    for (name, number, unit), row in zip(cells, out, strict=True):
        cell = f"{number} {unit}".strip()
        try:
            expected = interpret_token(REF, f"{name}={cell}")
        except ElectrocheckError:
            assert row["results"] == [] and bool(row["errors"]) == bool(cell), (name, cell)
            continue
        assert [_as_check(r, texts) for r in row["results"]] == [_expected(expected, cell)], cell
        assert row["errors"] == []


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(PANEL_ROWS, min_size=1, max_size=12))
def test_batch_jsonl_equals_check_for_a_patient(
    tmp_path_factory: object, rows: list[dict[str, str]]
) -> None:
    directory = Path(tmp_path_factory.mktemp("panel"))  # type: ignore[attr-defined]
    source, target = directory / "in.csv", directory / "out.jsonl"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run_batch(source, target, REF, BatchOptions())
    texts, out = _jsonl(target)
    assert len(out) == len(rows)
    for row, got in zip(rows, out, strict=True):
        patient = _patient(row)
        found = {r["analyte"]: _as_check(r, texts) for r in got["results"]}
        covariates = {
            header: f"{token}={row[column]}"
            for header, (column, token, _) in CORRECTED.items()
            if row[column]
        }
        for header, (name, _) in PANEL.items():
            extra = [covariates[header]] if header in covariates else []
            try:
                report = run_check(REF, [f"{name}={row[header]}", *extra], patient)
            except ElectrocheckError:
                assert REF.analyte(name).key not in found, (header, row)
                continue
            measured = report.results[0]
            expected = _expected(measured, row[header])
            assert found.pop(measured.analyte) == expected, (header, row)
            if len(report.results) > 1:  # corrected: its input names both columns
                corrected = found.pop(report.results[1].analyte)
                expected = _expected(report.results[1], corrected["input"])
                assert corrected == expected, (header, row)
        assert found == {}, row  # no result that check does not give
