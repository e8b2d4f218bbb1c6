"""Results that may be false, in batch: the patterns that say so land on the rows involved,
in wide rows and in long panels, are counted by the summary, and never change a flag or a
grade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batch_files import jsonl_rows, rows, run
from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.clinical.check import run_check
from electrocheck.reference import Reference

TLS, EDTA = "tumour-lysis-ca", "edta-contamination"

#: (potassium mmol/L, calcium mmol/L, the patterns): each critical limit from both sides.
EDTA_CASES = [
    ("7.5", "1.2", [TLS, EDTA]),
    ("6.3", "1.49", [TLS, EDTA]),
    ("6.2", "1.2", [TLS]),
    ("7.5", "1.50", [TLS]),
    ("7.5", "2.3", []),
    ("4.0", "1.2", []),
]


def _ids(text: str) -> list[str]:
    return [p for p in text.split("; ") if p]


@pytest.mark.parametrize(("k", "ca", "expected"), EDTA_CASES)
def test_edta_on_a_wide_row(tmp_path: Path, k: str, ca: str, expected: list[str]) -> None:
    (row,) = rows(run(tmp_path, f"K,Calcium (mmol/L)\n{k},{ca}\n"))
    assert _ids(row["patterns"]) == expected
    assert row["potassium_flag"] in ("H", "HH", "N") and row["calcium_grade"] != ""


@pytest.mark.parametrize(("k", "ca", "expected"), EDTA_CASES)
def test_edta_in_a_long_panel(tmp_path: Path, k: str, ca: str, expected: list[str]) -> None:
    text = (
        "patient,collected,accession,test,value,unit\n"
        f"P1,2026-03-01 08:00,S1,Potassium,{k},mmol/L\n"
        f"P1,2026-03-01 08:00,S1,Calcium,{ca},mmol/L\n"
        "P1,2026-03-01 08:00,S1,Sodium,140,mmol/L\n"
        # Another specimen of the same patient an hour later: not in the panel.
        "P1,2026-03-01 09:00,S2,Potassium,4.1,mmol/L\n"
    )
    found = rows(run(tmp_path, text))
    k_row, ca_row, na_row, later = found
    # The potassium and calcium rows take part; sodium and the later specimen do not.
    if EDTA in expected:
        assert EDTA in _ids(k_row["patterns"]) and EDTA in _ids(ca_row["patterns"])
    assert set(_ids(k_row["patterns"]) + _ids(ca_row["patterns"])) == set(expected)
    assert na_row["patterns"] == "" and later["patterns"] == ""
    assert later["panel"] != k_row["panel"]


#: (potassium mmol/L, calcium mg/dL, albumin g/dL, the patterns): EDTA judges the calcium as
#: measured, tumour lysis the albumin-corrected one standing in for it.
WITH_ALBUMIN = [
    ("7.5", "5.8", "2.0", [TLS, EDTA]),  # corrected 7.4 mg/dL: L; measured LL
    ("7.5", "5.8", "4.0", [TLS, EDTA]),  # corrected 5.8 mg/dL: LL too; EDTA still not its
    ("7.5", "5.9", "2.0", [TLS, EDTA]),  # measured just beyond its critical limit
    ("7.5", "6.0", "2.0", [TLS]),  # measured at its critical limit
    ("7.5", "6.2", "5.0", [TLS]),  # corrected 5.4 mg/dL: LL; measured L
    ("7.5", "5.8", "0.5", [EDTA]),  # corrected 8.6 mg/dL: N
    ("6.2", "5.8", "2.0", [TLS]),  # potassium at its critical limit
]


@pytest.mark.parametrize(("k", "ca", "alb", "expected"), WITH_ALBUMIN)
def test_edta_with_albumin_on_a_wide_row_as_in_check(
    tmp_path: Path, ref: Reference, k: str, ca: str, alb: str, expected: list[str]
) -> None:
    text = f"K,Calcium (mg/dL),Albumin (g/dL)\n{k},{ca},{alb}\n"
    (row,) = rows(run(tmp_path, text))
    assert _ids(row["patterns"]) == expected
    report = run_check(ref, [f"k={k}", f"ca={ca}mg/dL", f"alb={alb}g/dL"])
    assert list(report.pattern_ids) == expected


@pytest.mark.parametrize(("k", "ca", "alb", "expected"), WITH_ALBUMIN)
def test_edta_with_albumin_in_a_long_panel(
    tmp_path: Path, k: str, ca: str, alb: str, expected: list[str]
) -> None:
    text = (
        "patient,collected,accession,test,value,unit\n"
        f"P1,2026-03-01 08:00,S1,Potassium,{k},mmol/L\n"
        f"P1,2026-03-01 08:00,S1,Calcium,{ca},mg/dL\n"
        f"P1,2026-03-01 08:00,S1,Albumin,{alb},g/dL\n"
    )
    k_row, ca_row, corrected, alb_row = rows(run(tmp_path, text))
    assert corrected["analyte"] == "corrected_calcium" and corrected["row_kind"] == "added"
    # The measured calcium takes part in EDTA alone; its corrected result in tumour lysis.
    assert _ids(ca_row["patterns"]) == [p for p in expected if p == EDTA]
    assert _ids(corrected["patterns"]) == [p for p in expected if p == TLS]
    assert _ids(k_row["patterns"]) == expected
    assert alb_row["patterns"] == ""
    assert ca_row["flag"] in ("L", "LL") and corrected["flag"] != ""


def test_edta_notes_and_flags_in_json_lines(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        "P1,2026-03-01 08:00,Potassium,7.5,mmol/L\n"
        "P1,2026-03-01 08:00,Calcium,1.2,mmol/L\n"
    )
    result = run(tmp_path, text, "--format", "jsonl")
    k_row, ca_row = jsonl_rows(result.stdout)
    for row, flag in ((k_row, "HH"), (ca_row, "LL")):
        assert row["patterns"] == [TLS, EDTA]
        assert any("EDTA contamination" in n and "Redraw" in n for n in row["pattern_notes"])
        assert row["results"][0]["flag"] == flag and row["results"][0]["grade"] == 4


def test_the_summary_counts_rows_and_panels_of_each_pattern(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("K,Calcium (mmol/L)\n7.5,1.2\n6.0,1.2\n4.0,2.3\n", encoding="utf-8")
    summary = tmp_path / "summary.json"
    out = CliRunner().invoke(
        app, ["batch", str(wide), "-o", str(tmp_path / "o.csv"), "--summary-json", str(summary)]
    )
    assert "  patterns (rows): tumour-lysis-ca 2, edta-contamination 1\n" in out.stderr
    assert json.loads(summary.read_text("utf-8"))["patterns"] == {TLS: 2, EDTA: 1}
    long = tmp_path / "long.csv"
    long.write_text(
        "patient,collected,test,value,unit\n"
        "P1,2026-03-01 08:00,Potassium,7.5,mmol/L\n"
        "P1,2026-03-01 08:00,Calcium,1.2,mmol/L\n"
        "P2,2026-03-01 08:00,Potassium,4.0,mmol/L\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(
        app, ["batch", str(long), "-o", str(tmp_path / "o.csv"), "--summary-json", str(summary)]
    )
    assert "  patterns (panels): edta-contamination 1, tumour-lysis-ca 1\n" in out.stderr
    data = json.loads(summary.read_text("utf-8"))
    assert data["panels"]["patterns"] == {EDTA: 1, TLS: 1} and data["patterns"] == {}


# -- signs of the specimen: haemolysis, platelets, white cells

HAEM, PLT, WBC = "haemolysed-potassium", "platelets-potassium", "white-cells-potassium"

#: (header, cell, potassium, the sign patterns of the row). The built-in limits: a
#: haemolysis index above 50 (a laboratory's choice), platelets and white cells above 500
#: and 50 x 10^9/L; potassium high above 5.0 mmol/L.
WIDE_SIGNS = [
    ("Hemolysis Index", "51", "5.8", [HAEM]),
    ("Hemolysis Index", "50", "5.8", []),
    ("hemolysis_index", "120", "6.5", [HAEM]),  # critically high counts as high
    ("HIL", "120", "5.0", []),  # potassium not high
    ("HIL", "120", "3.0", []),
    ("H-index (mg/dL)", "120", "5.8", [HAEM]),
    ("Hemolyzed", "H", "5.8", [HAEM]),
    ("Haemolysis", "2+", "5.8", [HAEM]),
    ("Haemolysis", "yes", "5.8", [HAEM]),
    ("Haemolysis", "no", "5.8", []),
    ("Haemolysis", "", "5.8", []),
    ("Comment", "Specimen hemolyzed", "5.8", [HAEM]),
    ("Comment", "HAEMOLYSED SAMPLE", "5.8", [HAEM]),
    ("Comment", "non-hemolyzed", "5.8", []),
    ("Comment", "not haemolysed", "5.8", []),
    ("Comment", "clotted", "5.8", []),
    ("Remarks", "haemolysis ++", "5.8", [HAEM]),
    ("Platelets", "501", "5.8", [PLT]),
    ("Platelets", "500", "5.8", []),
    ("Platelets (10^9/L)", "1200", "5.8", [PLT]),
    ("PLT", "800 K/uL", "5.8", [PLT]),
    ("PLT", "800 10^3/µL", "5.8", [PLT]),
    ("PLT", "800 mg/dL", "5.8", []),  # not a count's unit: not read
    ("Platelets (mg/dL)", "800", "5.8", []),
    ("Platelets", "800", "4.9", []),
    ("WBC", "51", "5.8", [WBC]),
    ("WBC", "50", "5.8", []),
    ("White cell count", "274 x10^9/L", "6.8", [WBC]),
    ("Leukocytes", "12", "5.8", []),
]


@pytest.mark.parametrize(("header", "cell", "k", "expected"), WIDE_SIGNS)
def test_signs_on_a_wide_row(
    tmp_path: Path, header: str, cell: str, k: str, expected: list[str]
) -> None:
    (row,) = rows(run(tmp_path, f'K,Sodium,"{header}"\n{k},140,"{cell}"\n'))
    assert _ids(row["patterns"]) == expected
    (alone,) = rows(run(tmp_path, f"K,Sodium\n{k},140\n"))  # without the column
    assert alone["patterns"] == ""
    for field in ("potassium_flag", "potassium_grade", "potassium_mmol_l", "sodium_flag"):
        assert row[field] == alone[field]  # the value keeps its flag and grade


@pytest.mark.parametrize(("header", "cell", "k", "expected"), WIDE_SIGNS)
def test_signs_on_a_long_row(
    tmp_path: Path, header: str, cell: str, k: str, expected: list[str]
) -> None:
    text = (
        f'patient,collected,test,value,unit,"{header}"\n'
        f'P1,2026-03-01 08:00,Potassium,{k},mmol/L,"{cell}"\n'
        f'P1,2026-03-01 08:00,Sodium,150,mmol/L,"{cell}"\n'
    )
    k_row, na_row = rows(run(tmp_path, text))
    assert _ids(k_row["patterns"]) == expected
    assert na_row["patterns"] == ""  # sodium high: no pattern of a sign asks for it


#: (test name, value, unit, potassium, the patterns of the potassium row): a count as a
#: test of the panel.
PANEL_SIGNS = [
    ("Platelets", "501", "10^9/L", "5.8", [PLT]),
    ("Platelets", "500", "10^9/L", "5.8", []),
    ("PLT", "950", "K/uL", "5.8", [PLT]),
    ("Platelet count", "950", "", "5.8", [PLT]),  # no unit: the number as written
    ("Platelets", "950", "mmol/L", "5.8", []),
    ("Platelets", "950", "10^9/L", "4.8", []),
    ("WBC", "51", "10^9/L", "5.8", [WBC]),
    ("WBC", "50", "10^9/L", "5.8", []),
    ("White cell count", "120", "10^3/uL", "5.8", [WBC]),
    ("Hemolysis index", "300", "", "5.8", [HAEM]),
    ("Creatinine", "950", "umol/L", "5.8", []),
]


@pytest.mark.parametrize(("test", "value", "unit", "k", "expected"), PANEL_SIGNS)
def test_a_count_in_the_panel(
    tmp_path: Path, test: str, value: str, unit: str, k: str, expected: list[str]
) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        f"P1,2026-03-01 08:00,Potassium,{k},mmol/L\n"
        f"P1,2026-03-01 08:00,{test},{value},{unit}\n"
        # The same count for another patient, and another time: not this panel's.
        f"P2,2026-03-01 08:00,Potassium,{k},mmol/L\n"
        f"P1,2026-03-02 08:00,Potassium,{k},mmol/L\n"
    )
    k_row, count_row, other_patient, later = rows(run(tmp_path, text))
    assert _ids(k_row["patterns"]) == expected
    assert count_row["patterns"] == "" and other_patient["patterns"] == ""
    assert later["patterns"] == ""
    assert k_row["flag"] in ("H", "N")


def test_a_sign_note_names_its_column_and_cell(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit,hemolysis_index\n"
        "P1,2026-03-01 08:00,Potassium,5.9,mmol/L,150\n"
        "P2,2026-03-01 08:00,Potassium,5.9,mmol/L,\n"
        "P2,2026-03-01 08:00,Platelets,850,10^9/L,\n"
    )
    result = run(tmp_path, text, "--format", "jsonl")
    haem, plt, _ = jsonl_rows(result.stdout)
    assert haem["patterns"] == [HAEM]
    assert haem["pattern_notes"] == [
        "Potassium may be falsely high: the specimen is haemolysed (hemolysis_index '150'); "
        "repeat on a non-haemolysed specimen before treating."
    ]
    assert plt["patterns"] == [PLT] and "(Platelets '850 10^9/L')" in plt["pattern_notes"][0]
    assert haem["results"][0]["flag"] == "H" and haem["results"][0]["grade"] == 2


def test_the_summary_counts_the_rows_of_a_sign(tmp_path: Path) -> None:
    source = tmp_path / "long.csv"
    source.write_text(
        "patient,collected,test,value,unit,comment\n"
        "P1,2026-03-01 08:00,Potassium,5.9,mmol/L,hemolyzed\n"
        "P2,2026-03-01 08:00,Potassium,5.9,mmol/L,haemolysed\n"
        "P3,2026-03-01 08:00,Potassium,5.9,mmol/L,\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(app, ["batch", str(source), "-o", str(tmp_path / "o.csv")])
    assert "  patterns (panels): haemolysed-potassium 2\n" in out.stderr


def test_check_never_shows_a_pattern_of_a_sign() -> None:
    from electrocheck import load_reference
    from electrocheck.clinical.check import run_check

    ref = load_reference()
    assert {p.id for p in ref.specimen_patterns} == {HAEM, PLT, WBC}
    assert not {p.id for p in ref.patterns} & {HAEM, PLT, WBC}
    assert run_check(ref, ["k=5.9"]).pattern_ids == ()
