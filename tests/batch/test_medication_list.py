"""``batch --medications FILE``: medication lists of each layout, joined to the results by
patient and collection time (each limit of the time from both sides), the bad rows counted,
never matched, and the lists that cannot be used refused in one line."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from electrocheck import BatchOptions, read_jsonl, run_batch
from electrocheck.batch.medications import read_medication_list
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.errors import InputError
from electrocheck.reference import Reference

LABS = """patient,collected,test,value
A,2026-03-01 08:00,Mg,1.1 mg/dL
A,2026-03-10 08:00,Mg,1.2 mg/dL
A,2026-03-10 08:00,K,3.0
B,2026-03-01 08:00,Mg,1.1 mg/dL
B,2026-03-01 08:00,K,4.1
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(tmp_path: Path, meds: str, labs: str = LABS, **options: Any) -> list[dict[str, str]]:
    source = _write(tmp_path, "labs.csv", labs)
    listing = _write(tmp_path, "meds.csv", meds)
    out = tmp_path / "out.csv"
    run_batch(source, out, options=BatchOptions(medications=listing, **options))
    with out.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _medications(rows: list[dict[str, str]]) -> list[str]:
    return [row["medications"] for row in rows]


@pytest.mark.parametrize(
    ("meds", "expected"),
    [
        # generic: patient, drug, start, stop
        (
            "patient,drug,start,stop\nA,Erbitux,2026-02-01,2026-03-05\nA,omeprazole,,\n",
            ["cetuximab; omeprazole", "omeprazole", "", "", ""],
        ),
        # MIMIC prescriptions
        (
            "subject_id,hadm_id,drug,starttime,stoptime\n"
            "A,1,Cetuximab,2026-02-01 00:00:00,2026-03-05 00:00:00\n"
            "B,2,Omeprazole 20 mg DR capsule,2026-02-01 00:00:00,\n",
            ["cetuximab", "", "", "omeprazole", ""],
        ),
        # OMOP DRUG_EXPOSURE, dates alone: the end date lasts the day
        (
            "drug_exposure_id,person_id,drug_concept_id,drug_exposure_start_date,"
            "drug_exposure_end_date,drug_source_value\n"
            "1,A,0,2026-02-01,2026-03-01,ERBITUX 100 MG/50 ML\n"
            "2,A,0,2026-03-09,,abiraterone acetate\n",
            ["cetuximab", "", "abiraterone", "", ""],
        ),
        # PCORnet PRESCRIBING
        (
            "PRESCRIBINGID,PATID,RX_START_DATE,RX_END_DATE,RAW_RX_MED_NAME\n"
            "1,B,2026-01-01,2026-12-31,Prilosec\n"
            "2,A,2026-03-02,,Zytiga\n",
            ["", "", "abiraterone", "omeprazole", ""],
        ),
    ],
    ids=["generic", "mimic", "omop", "pcornet"],
)
def test_layouts(tmp_path: Path, meds: str, expected: list[str]) -> None:
    assert _medications(_rows(tmp_path, meds)) == expected


@pytest.mark.parametrize(
    ("start", "stop", "active"),
    [
        ("2026-03-01 08:00", "", True),  # starts at the collection time
        ("2026-03-01 08:01", "", False),  # a minute after it
        ("", "2026-03-01 08:00", True),  # stops at the collection time
        ("", "2026-03-01 07:59", False),  # a minute before it
        ("", "2026-03-01", True),  # a stop date lasts that whole day
        ("", "2026-02-28", False),
        ("2026-03-02", "", False),  # starts the next day
        ("", "", True),  # no start, no stop: always
    ],
)
def test_active_at_the_collection_time(tmp_path: Path, start: str, stop: str, active: bool) -> None:
    labs = "patient,collected,test,value\nA,2026-03-01 08:00,Mg,1.1 mg/dL\n"
    rows = _rows(tmp_path, f"patient,drug,start,stop\nA,cetuximab,{start},{stop}\n", labs)
    assert _medications(rows) == (["cetuximab"] if active else [""])


def test_a_normal_result_or_another_patient_is_explained_by_nothing(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "patient,drug\nB,Keytruda\nC,cetuximab\n")
    # B's potassium 4.1 is normal; pembrolizumab raises potassium, lowers sodium: nothing.
    assert _medications(rows) == ["", "", "", "", ""]


def test_bad_rows_are_counted_and_never_matched(tmp_path: Path, ref: Reference) -> None:
    meds = _write(
        tmp_path,
        "meds.csv",
        "patient,drug,start,stop\n"
        ",cetuximab,,\n"  # no patient
        "A,,,\n"  # no drug
        "A,HCT,,\n"  # may mean two medicines
        "A,cetuximab,last week,\n"  # a date that cannot be read
        "A,cetuximab,2026-03-05,2026-03-01\n"  # starts after it stops
        "A,paracetamol,,\n"  # no effect the file knows
        "A,omeprazole,,\n",
    )
    listing = read_medication_list(meds, ref)
    counts = listing.counts
    assert counts.rows == 7 and counts.used == 1
    assert dict(counts.skipped) == {
        "no_patient": 1,
        "empty_drug": 1,
        "ambiguous_drug": 1,
        "unreadable_date": 1,
        "start_after_stop": 1,
    }
    assert dict(counts.other_drugs) == {"paracetamol": 1}
    assert listing.frame["drug"].to_list() == ["omeprazole"]


@pytest.mark.parametrize(
    ("drug", "found"),
    [
        # A combination product, as RxNorm writes it: each ingredient, each by its first words.
        (
            "Losartan Potassium 50 MG / Hydrochlorothiazide 12.5 MG Oral Tablet",
            ["losartan", "hydrochlorothiazide"],
        ),
        (
            "Lisinopril 10 MG / Hydrochlorothiazide 25 MG Oral Tablet",
            ["lisinopril", "hydrochlorothiazide"],
        ),
        # One ingredient known of two: that one.
        ("Amoxicillin 250 MG / Hydrochlorothiazide 25 MG", ["hydrochlorothiazide"]),
        ("Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet", []),
        # A slash inside a unit is not a combination.
        ("Furosemide 10 MG/ML Injectable Solution", ["furosemide"]),
        ("Cisplatin 1 MG/ML / Furosemide 10 MG/ML", ["cisplatin", "furosemide"]),
        # The same ingredient twice counts once.
        ("Omeprazole 20 MG / Omeprazole 40 MG", ["omeprazole"]),
    ],
)
def test_combination_products_name_each_ingredient(
    tmp_path: Path, ref: Reference, drug: str, found: list[str]
) -> None:
    meds = _write(tmp_path, "meds.csv", f'patient,drug\nA,"{drug}"\n')
    listing = read_medication_list(meds, ref)
    assert listing.frame["drug"].to_list() == found
    assert listing.frame["given_as"].to_list() == [drug] * len(found)
    assert listing.counts.used == (1 if found else 0)
    assert dict(listing.counts.other_drugs) == ({} if found else {drug: 1})


@pytest.mark.parametrize("drug", ["3002", "3002 mg", "318341", "L01FE01", "l01fe01 100 mg"])
def test_a_list_text_is_never_read_as_a_code(tmp_path: Path, ref: Reference, drug: str) -> None:
    # A drug column often holds a local formulary code: its digits may be an RxNorm code's
    # (3002 is cyclophosphamide's), and a code is matched only where a source says it is one.
    meds = _write(tmp_path, "meds.csv", f"patient,drug\nA,{drug}\nA,cyclophosphamide\n")
    listing = read_medication_list(meds, ref)
    assert listing.frame["drug"].to_list() == ["cyclophosphamide"]
    assert dict(listing.counts.other_drugs) == {drug: 1}


def test_a_combination_explains_what_each_ingredient_explains(tmp_path: Path) -> None:
    # Hydrochlorothiazide lowers sodium and potassium; losartan raises potassium only.
    labs = "patient,collected,test,value\nA,2026-03-01 08:00,Na,128\nA,2026-03-01 08:00,K,3.1\n"
    meds = 'patient,drug\nA,"Losartan 50 MG / Hydrochlorothiazide 12.5 MG Oral Tablet"\n'
    assert _medications(_rows(tmp_path, meds, labs)) == ["hydrochlorothiazide"] * 2


@pytest.mark.parametrize("text", ['{"resourceType": "Bundle"}\n', '\ufeff[{"a": 1}]\n'])
def test_a_json_list_is_refused_with_the_way_to_give_it(
    tmp_path: Path, ref: Reference, text: str
) -> None:
    meds = _write(tmp_path, "meds.json", text)
    with pytest.raises(InputError, match="JSON, not a CSV list; a FHIR file's"):
        read_medication_list(meds, ref)


@pytest.mark.parametrize(
    ("meds", "message"),
    [
        ("drug,start\ncetuximab,2026-01-01\n", "no patient column"),
        ("patient,start\nA,2026-01-01\n", "no drug column"),
    ],
)
def test_lists_that_cannot_be_used(tmp_path: Path, ref: Reference, meds: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_medication_list(_write(tmp_path, "meds.csv", meds), ref)


def test_a_missing_list_is_one_line(tmp_path: Path) -> None:
    labs = _write(tmp_path, "labs.csv", LABS)
    result = CliRunner().invoke(
        app, ["batch", str(labs), "--medications", str(tmp_path / "none.csv"), "--quiet"]
    )
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.count("\n") == 1 and "cannot read" in result.stderr


def test_a_lab_file_without_a_patient_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="needs a patient column in the lab file"):
        _rows(tmp_path, "patient,drug\nA,cetuximab\n", "test,value\nMg,1.1 mg/dL\n")


def test_results_without_a_time_are_joined_by_patient(tmp_path: Path) -> None:
    labs = "mrn,Mg (mg/dL),K\nA,1.1,3.0\nB,2.0,3.0\n"
    source = _write(tmp_path, "labs.csv", labs)
    meds = _write(tmp_path, "meds.csv", "patient,drug,start\nA,cetuximab,2026-03-01\n")
    out = tmp_path / "out.csv"
    summary = run_batch(source, out, options=BatchOptions(medications=meds))
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["magnesium_medications"] for r in rows] == ["cetuximab", ""]
    assert [r["potassium_medications"] for r in rows] == ["", ""]
    assert summary.medications is not None and summary.medications.untimed
    assert summary.medications.to_dict()["joined_by_time"] is False


def test_json_lines_and_the_summary(tmp_path: Path) -> None:
    source = _write(tmp_path, "labs.csv", LABS)
    meds = _write(tmp_path, "meds.csv", "patient,drug\nA,Erbitux\nA,omeprazole\nA,tylenol\n")
    out = tmp_path / "out.jsonl"
    summary = run_batch(source, out, options=BatchOptions(medications=meds))
    first, *_ = read_jsonl(out)
    assert first["medications"] == ["cetuximab", "omeprazole"]
    (result,) = first["results"]
    assert [(m["drug"], m["given_as"], m["source"]) for m in result["medications"]] == [
        ("cetuximab", "Erbitux", "cetuximab-mg"),
        ("omeprazole", "omeprazole", "fda-ppi-2011"),
    ]
    data = summary.to_dict()["medications"]
    assert data["results_explained"] == 2  # two low magnesium results of A
    assert data["other_drug_names"] == {"tylenol": 1}


def test_by_patient(tmp_path: Path) -> None:
    source = _write(tmp_path, "labs.csv", LABS)
    meds = _write(tmp_path, "meds.csv", "patient,drug,stop\nA,Erbitux,2026-03-05\nA,omeprazole,\n")
    table = tmp_path / "patients.csv"
    options = BatchOptions(medications=meds, by_patient=table)
    run_batch(source, tmp_path / "out.csv", options=options)
    with table.open(newline="", encoding="utf-8") as handle:
        rows = {row["patient"]: row for row in csv.DictReader(handle)}
    assert rows["A"]["magnesium_medications"] == "cetuximab; omeprazole"
    assert rows["A"]["potassium_medications"] == ""
    assert rows["B"]["magnesium_medications"] == ""


def test_without_a_list_nothing_changes(tmp_path: Path) -> None:
    source = _write(tmp_path, "labs.csv", LABS)
    out = tmp_path / "out.csv"
    run_batch(source, out)
    assert "medications" not in out.read_text(encoding="utf-8").splitlines()[0]
