"""The same results written as a plain long CSV, as an OMOP CDM MEASUREMENT table and as a
PCORnet LAB_RESULT_CM table get the same interpretation: flag, grade, notes, panels and
changes over time, row by row."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from electrocheck import read_jsonl
from electrocheck.cli.commands import app

# analyte: (plain test name, OMOP concept, LOINC code, units, (lowest, highest) value drawn)
ANALYTES = {
    "potassium": ("Potassium", "3023103", "2823-3", ("mmol/L", "mEq/L"), (1.5, 7.5)),
    "sodium": ("Sodium", "3019550", "2951-2", ("mmol/L", "mEq/L"), (115.0, 165.0)),
    "calcium": ("Calcium", "3006906", "17861-6", ("mg/dL", "mmol/L"), (5.0, 14.0)),
    "magnesium": ("Magnesium", "3001420", "19123-9", ("mg/dL", "mmol/L"), (0.5, 4.0)),
}
#: The unit concepts of the reference file; mEq/L has none there, and is written as text.
UNIT_CONCEPTS = {"mmol/L": "8753", "mg/dL": "8840"}
TIMES = ("2026-03-02 07:30", "2026-03-02 19:30", "2026-03-04 07:30")
CENSORS = {"<": "LT", ">": "GT", "<=": "LE", ">=": "GE"}


@st.composite
def results(draw: st.DrawFn) -> dict[str, Any]:
    analyte = draw(st.sampled_from(sorted(ANALYTES)))
    _, _, _, units, (lowest, highest) = ANALYTES[analyte]
    unit = draw(st.sampled_from(units))
    value = draw(st.integers(int(lowest * 10), int(highest * 10))) / 10
    if unit == "mmol/L" and analyte in ("calcium", "magnesium"):
        value = round(value / 4, 2)  # about mg/dL to mmol/L
    limits = draw(st.none() | st.tuples(st.integers(1, 4), st.integers(6, 9)))
    low_high = None
    if limits is not None:  # the lab's limits, around the middle of the drawn values
        middle = (
            (lowest + highest) / 2
            if unit != "mmol/L" or analyte in ("potassium", "sodium")
            else (lowest + highest) / 8
        )
        low_high = (round(middle * limits[0] / 5, 1), round(middle * limits[1] / 5, 1))
    return {
        "analyte": analyte,
        "patient": draw(st.sampled_from(("P1", "P2"))),
        "time": draw(st.sampled_from(TIMES)),
        "unit": unit,
        "value": f"{value:g}",
        "censor": draw(st.none() | st.sampled_from(sorted(CENSORS))),
        "limits": low_high,
    }


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _plain(folder: Path, drawn: list[dict[str, Any]]) -> Path:
    header = ["patient_id", "collected", "test", "value", "unit", "ref_low", "ref_high"]
    rows = []
    for r in drawn:
        low, high = r["limits"] or ("", "")
        text = (r["censor"] or "") + r["value"]
        name = ANALYTES[r["analyte"]][0]
        rows.append([r["patient"], r["time"], name, text, r["unit"], str(low), str(high)])
    return _write(folder / "plain.csv", header, rows)


def _omop(folder: Path, drawn: list[dict[str, Any]]) -> Path:
    header = [
        "measurement_id",
        "person_id",
        "measurement_concept_id",
        "measurement_datetime",
        "value_as_number",
        "value_source_value",
        "unit_concept_id",
        "unit_source_value",
        "range_low",
        "range_high",
    ]
    rows = []
    for i, r in enumerate(drawn):
        low, high = r["limits"] or ("", "")
        concept = UNIT_CONCEPTS.get(r["unit"], "")
        # A censored value keeps its sign in value_source_value; the unit is its concept's
        # where the reference file has one.
        source = (r["censor"] or "") + r["value"] if r["censor"] else ""
        rows.append(
            [
                str(i + 1),
                r["patient"],
                ANALYTES[r["analyte"]][1],
                r["time"] + ":00",
                r["value"],
                source,
                concept,
                "" if concept else r["unit"],
                str(low),
                str(high),
            ]
        )
    return _write(folder / "omop.csv", header, rows)


def _pcornet(folder: Path, drawn: list[dict[str, Any]]) -> Path:
    header = [
        "LAB_RESULT_CM_ID",
        "PATID",
        "SPECIMEN_SOURCE",
        "LAB_LOINC",
        "SPECIMEN_DATE",
        "SPECIMEN_TIME",
        "RESULT_NUM",
        "RESULT_MODIFIER",
        "RESULT_UNIT",
        "NORM_RANGE_LOW",
        "NORM_MODIFIER_LOW",
        "NORM_RANGE_HIGH",
        "NORM_MODIFIER_HIGH",
    ]
    rows = []
    for i, r in enumerate(drawn):
        low, high = r["limits"] or ("", "")
        modifier = "EQ" if r["limits"] else "NI"
        day, clock = r["time"].split()
        rows.append(
            [
                str(i + 1),
                r["patient"],
                "SER",
                ANALYTES[r["analyte"]][2],
                day,
                clock,
                r["value"],
                CENSORS.get(r["censor"] or "", "EQ"),
                r["unit"],
                str(low),
                modifier,
                str(high),
                modifier,
            ]
        )
    return _write(folder / "pcornet.csv", header, rows)


#: What electrocheck adds to a row of JSON Lines, compared across the three files: all but
#: the input's own fields and the text it read (``input``).
ADDED = (
    "results",
    "errors",
    "row_kind",
    "panel",
    "panel_time",
    "patterns",
    "pattern_notes",
    "panel_notes",
    "previous_value_mmol_l",
    "previous_time",
    "change_mmol_l",
    "change_per_24h",
    "trend",
    "change_notes",
)


def _interpreted(path: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["batch", str(path), "--format", "jsonl", "--quiet"])
    assert result.exit_code == 0, result.output
    found = []
    for row in read_jsonl(result.stdout.splitlines()):
        kept = {key: row.get(key) for key in ADDED}
        kept["results"] = [
            {k: v for k, v in item.items() if k != "input"} for item in row.get("results") or []
        ]
        found.append(kept)
    return found


@settings(max_examples=25, deadline=None)
@given(st.lists(results(), min_size=1, max_size=8))
def test_same_answers_in_every_layout(drawn: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        plain = _interpreted(_plain(folder, drawn))
        assert any(row["results"] for row in plain)
        assert _interpreted(_omop(folder, drawn)) == plain
        assert _interpreted(_pcornet(folder, drawn)) == plain
