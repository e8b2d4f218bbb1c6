"""MedicationRequest and MedicationStatement in a FHIR file: the same medication join as
``--medications``, with the same answer as the CSV list of the same medicines, the bad rows
counted and explained, and a ``--medications`` list added to them (their union)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from electrocheck import BatchOptions, run_batch
from electrocheck.batch.summary import Summary

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAIN = EXAMPLES / "fhir-bundle.json"
WITH_MEDICINES = EXAMPLES / "fhir-bundle-medicines.json"
PATIENT = {"reference": "urn:uuid:5b1e3c2a-0000-4000-8000-000000000001"}
#: The medicines of fhir-bundle-medicines.json as a CSV list: what the resources say, the
#: one entered in error left out.
SAME_LIST = """patient,drug,start,stop
Patient/p1,Omeprazole 20 mg capsule,2025-01-10,
Patient/p1,Erbitux 5 mg/mL solution for infusion,2026-02-01,2026-04-30
Patient/p1,Cisplatin,2026-03-05T09:00:00Z,
Patient/p1,Paracetamol 500 mg tablet,2026-02-28,
Patient/p1,HCT,2026-03-01,2026-02-01
"""


def _run(tmp_path: Path, source: Path, name: str, **options: Any) -> tuple[str, Summary]:
    out = tmp_path / name
    summary = run_batch(source, out, options=BatchOptions(**options))
    return out.read_text(encoding="utf-8"), summary


@pytest.mark.parametrize("name", ["out.csv", "out.jsonl"])
def test_fhir_medicines_answer_as_the_same_csv_list(tmp_path: Path, name: str) -> None:
    listing = tmp_path / "meds.csv"
    listing.write_text(SAME_LIST, encoding="utf-8")
    from_fhir, fhir_summary = _run(tmp_path, WITH_MEDICINES, name)
    from_csv, csv_summary = _run(tmp_path, PLAIN, name, medications=listing)
    assert from_fhir == from_csv
    assert "cetuximab; omeprazole" in from_fhir or '"cetuximab","omeprazole"' in from_fhir
    fhir_counts, csv_counts = fhir_summary.medications, csv_summary.medications
    assert fhir_counts is not None and csv_counts is not None
    assert (fhir_counts.used, fhir_counts.results_explained) == (3, 1)
    assert (csv_counts.used, csv_counts.results_explained) == (3, 1)
    assert fhir_counts.other_drugs == csv_counts.other_drugs
    # The list has no row for the request entered in error; FHIR counts it as not given.
    assert fhir_counts.skipped - csv_counts.skipped == {"not_given": 1}


def test_without_medication_resources_nothing_changes(tmp_path: Path) -> None:
    text, summary = _run(tmp_path, PLAIN, "out.csv")
    assert "medications" not in text.splitlines()[0]
    assert summary.medications is None


def _bundle(*medicines: dict[str, Any], when: str = "2026-03-02T08:10:00Z") -> dict[str, Any]:
    """A Bundle of one low magnesium and the given medication resources."""
    observation = {
        "resourceType": "Observation",
        "id": "mg",
        "status": "final",
        "subject": PATIENT,
        "effectiveDateTime": when,
        "code": {"coding": [{"system": "http://loinc.org", "code": "19123-9"}]},
        "valueQuantity": {"value": 1.1, "unit": "mg/dL", "code": "mg/dL"},
    }
    patient = {"resourceType": "Patient", "id": "p1"}
    entries = [{"fullUrl": PATIENT["reference"], "resource": patient}]
    entries += [{"resource": r} for r in (observation, *medicines)]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _request(drug: str = "cetuximab", **fields: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": PATIENT,
        "medicationCodeableConcept": {"text": drug},
    }
    if "medicationReference" in fields:
        del resource["medicationCodeableConcept"]
    return {**resource, **fields}


def _statement(drug: str = "cetuximab", **fields: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "subject": PATIENT,
        "medicationCodeableConcept": {"text": drug},
    }
    return {**resource, **fields}


def _explained(tmp_path: Path, *medicines: dict[str, Any], **kw: Any) -> tuple[str, Summary]:
    source = tmp_path / "bundle.json"
    source.write_text(json.dumps(_bundle(*medicines, **kw)), encoding="utf-8")
    out = tmp_path / "out.csv"
    summary = run_batch(source, out)
    with out.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    return row["medications"], summary


def _bounds(start: str | None, end: str | None) -> dict[str, Any]:
    period = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    return {"dosageInstruction": [{"timing": {"repeat": {"boundsPeriod": period}}}]}


@pytest.mark.parametrize(
    ("medicine", "expected"),
    [
        # a statement's period, each limit from both sides of the collection time
        (_statement(effectivePeriod={"start": "2026-03-02T08:10:00Z"}), "cetuximab"),
        (_statement(effectivePeriod={"start": "2026-03-02T08:11:00Z"}), ""),
        (_statement(effectivePeriod={"end": "2026-03-02T08:10:00Z"}), "cetuximab"),
        (_statement(effectivePeriod={"end": "2026-03-02T08:09:00Z"}), ""),
        (_statement(effectivePeriod={"end": "2026-03-02"}), "cetuximab"),  # lasts the day
        (_statement(effectivePeriod={"end": "2026-03-01"}), ""),
        # a statement's time is its start
        (_statement(effectiveDateTime="2026-03-01"), "cetuximab"),
        (_statement(effectiveDateTime="2026-03-03"), ""),
        (_statement(), "cetuximab"),  # no time: always
        # a request's bounds, else its authoredOn as the start
        (_request(**_bounds("2026-02-01", "2026-03-02T08:10:00Z")), "cetuximab"),
        (_request(**_bounds("2026-02-01", "2026-03-02T08:09:00Z")), ""),
        (_request(**_bounds("2026-03-03", None)), ""),
        (_request(authoredOn="2026-03-02T08:10:00Z"), "cetuximab"),
        (_request(authoredOn="2026-03-02T08:11:00Z"), ""),
        (_request(authoredOn="2026-03-03", **_bounds(None, "2026-04-01")), ""),
        (_request(authoredOn="2026-03-01", **_bounds(None, "2026-04-01")), "cetuximab"),
        # ended (stopped, completed) with no end: ends when stated, else on its start's day
        (_statement(status="stopped", effectiveDateTime="2025-01-01"), ""),
        (_statement(status="stopped", effectiveDateTime="2026-03-02"), "cetuximab"),
        (_statement(status="completed", effectiveDateTime="2026-03-01"), ""),
        (
            _statement(
                status="completed", effectiveDateTime="2026-02-01", dateAsserted="2026-03-02T08:10Z"
            ),
            "cetuximab",
        ),
        (
            _statement(
                status="completed", effectiveDateTime="2026-02-01", dateAsserted="2026-03-02T08:09Z"
            ),
            "",
        ),
        (_request(status="stopped", authoredOn="2025-01-01"), ""),
        (_request(status="completed", **_bounds("2026-02-01", None)), ""),
        (_request(status="stopped", **_bounds("2026-02-01", "2026-03-05")), "cetuximab"),
        (_request(status="active", authoredOn="2025-01-01"), "cetuximab"),  # still given
        # the names a drug goes by: text, displays, codes; brands; a text that begins with one
        (_request(medicationCodeableConcept={"text": "Erbitux 100 mg"}), "cetuximab"),
        (
            _request(
                medicationCodeableConcept={
                    "text": "EGFR antibody infusion",
                    "coding": [
                        {"system": "http://example.org", "code": "x", "display": "Vectibix"}
                    ],
                }
            ),
            "panitumumab",
        ),
    ],
)
def test_when_and_what(tmp_path: Path, medicine: dict[str, Any], expected: str) -> None:
    assert _explained(tmp_path, medicine)[0] == expected


RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"


def _coded(*codings: dict[str, Any]) -> dict[str, Any]:
    """A request whose drug is given by codings alone (no text, no display)."""
    return _request(medicationCodeableConcept={"coding": list(codings)})


@pytest.mark.parametrize(
    ("medicine", "expected"),
    [
        # an RxNorm ingredient code, as an ATC code: found by code alone
        (_coded({"system": RXNORM, "code": "318341"}), "cetuximab"),
        (_coded({"system": ATC, "code": "L01FE01"}), "cetuximab"),
        (_coded({"system": RXNORM, "code": "263034"}), "panitumumab"),  # low Mg too
        # no system: not tried (a local code's digits may be an RxNorm code's)
        (_coded({"code": "318341"}), ""),
        (_coded({"system": f" {RXNORM} ", "code": " 318341 "}), "cetuximab"),  # spaces
        # the same digits in another system are not an RxNorm code
        (_coded({"system": "http://snomed.info/sct", "code": "318341"}), ""),
        (_coded({"system": "http://example.org/local", "code": "318341"}), ""),
        (_coded({"system": RXNORM + "/", "code": "318341"}), ""),
        # a code the file does not give: one digit off, one digit more
        (_coded({"system": RXNORM, "code": "318342"}), ""),
        (_coded({"system": RXNORM, "code": "3183410"}), ""),
        # a local coding first, then the RxNorm one: the RxNorm one is used
        (
            _coded(
                {"system": "http://example.org/local", "code": "318341"},
                {"system": RXNORM, "code": "263034"},
            ),
            "panitumumab",
        ),
        # a display of digits is a text, never a code
        (_coded({"system": "http://example.org/local", "code": "1", "display": "318341"}), ""),
        # a display still names the drug whatever the system
        (
            _coded({"system": "http://snomed.info/sct", "code": "1", "display": "Erbitux"}),
            "cetuximab",
        ),
    ],
)
def test_codings_by_system(tmp_path: Path, medicine: dict[str, Any], expected: str) -> None:
    assert _explained(tmp_path, medicine)[0] == expected


@pytest.mark.parametrize(
    "medicine",
    [
        _statement(status="entered-in-error"),
        _statement(status="not-taken"),
        _statement(status="intended"),
        _request(status="cancelled"),
        _request(status="entered-in-error"),
        _request(status="draft"),
        _request(intent="proposal"),
        _request(intent="plan"),
        _request(intent="option"),
        _request(doNotPerform=True),
    ],
)
def test_not_given_is_counted_never_joined(tmp_path: Path, medicine: dict[str, Any]) -> None:
    explained, summary = _explained(tmp_path, medicine)
    assert explained == ""
    assert summary.medications is not None
    assert dict(summary.medications.skipped) == {"not_given": 1}


@pytest.mark.parametrize(
    "medicine",
    [
        _statement(status="completed"),
        _statement(status="stopped"),
        _statement(status="on-hold"),
        _statement(status="unknown"),
        _request(status="completed"),
        _request(status="stopped"),
        _request(status="on-hold"),
        _request(intent="original-order"),
        _request(doNotPerform=False),
    ],
)
def test_given_statuses_count(tmp_path: Path, medicine: dict[str, Any]) -> None:
    assert _explained(tmp_path, medicine)[0] == "cetuximab"


@pytest.mark.parametrize(
    ("medicine", "reason"),
    [
        (_request(medicationCodeableConcept={"text": "HCT"}), "ambiguous_drug"),
        (_request(medicationCodeableConcept={}), "empty_drug"),
        (_request(authoredOn="March 2026"), "unreadable_date"),
        (
            _statement(effectivePeriod={"start": "2026-03-01", "end": "2026-02-01"}),
            "start_after_stop",
        ),
        (_request(**_bounds("2026-03-01", "2026-02-01")), "start_after_stop"),
        (_statement(effectivePeriod={"start": "2026-03", "end": "2026-04"}), "unreadable_date"),
        (_request(subject={}), "no_patient"),
    ],
)
def test_bad_rows_are_counted_by_reason(
    tmp_path: Path, medicine: dict[str, Any], reason: str
) -> None:
    explained, summary = _explained(tmp_path, medicine)
    assert explained == ""
    assert summary.medications is not None
    assert dict(summary.medications.skipped) == {reason: 1}
    assert summary.medications.used == 0


def test_an_unknown_drug_is_counted_by_name(tmp_path: Path) -> None:
    explained, summary = _explained(
        tmp_path, _request(medicationCodeableConcept={"text": "Tylenol"})
    )
    assert explained == ""
    assert summary.medications is not None
    assert summary.medications.other_drugs == {"Tylenol": 1}


def test_a_medication_by_reference(tmp_path: Path) -> None:
    medication = {
        "resourceType": "Medication",
        "id": "m1",
        "code": {"coding": [{"system": "http://example.org", "code": "1", "display": "Erbitux"}]},
    }
    contained = {**medication, "id": "c1"}
    by_id = _request(medicationReference={"reference": "Medication/m1"})
    inside = _request(medicationReference={"reference": "#c1"}, contained=[contained])
    missing = _request(medicationReference={"reference": "Medication/none"})
    source = tmp_path / "bundle.json"
    bundle = _bundle(by_id, inside, missing)
    bundle["entry"].append({"resource": medication})
    source.write_text(json.dumps(bundle), encoding="utf-8")
    summary = run_batch(source, tmp_path / "out.csv")
    assert summary.medications is not None
    assert summary.medications.used == 2
    assert summary.medications.skipped == {"empty_drug": 1}
    assert summary.fhir is not None
    assert summary.fhir.problems["unresolved"] == 1


@pytest.mark.parametrize("medication_first", [True, False])
@pytest.mark.parametrize("quick", [True, False])
def test_ndjson_medication_on_another_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, medication_first: bool, quick: bool
) -> None:
    if not quick:
        monkeypatch.setattr("electrocheck.formats.fhir.quick_reader", lambda tables: None)
    bundle = _bundle(_request(medicationReference={"reference": "Medication/m1"}))
    lines = [entry["resource"] for entry in bundle["entry"]]
    lines[2]["subject"] = {"reference": "Patient/p1"}
    lines[1]["subject"] = {"reference": "Patient/p1"}
    medication = {"resourceType": "Medication", "id": "m1", "code": {"text": "Erbitux"}}
    lines = [medication, *lines] if medication_first else [*lines, medication]
    source = tmp_path / "export.ndjson"
    source.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    out = tmp_path / "out.csv"
    summary = run_batch(source, out)
    with out.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["medications"] == "cetuximab"
    assert summary.medications is not None and summary.medications.layout == "fhir"


def test_fhir_medicines_and_a_list_make_one_list(tmp_path: Path) -> None:
    listing = tmp_path / "meds.csv"
    listing.write_text(
        "patient,drug\nPatient/p1,omeprazole\nPatient/p1,tylenol\n", encoding="utf-8"
    )
    explained = _request(medicationCodeableConcept={"text": "Vectibix"})
    source = tmp_path / "bundle.json"
    source.write_text(json.dumps(_bundle(explained)), encoding="utf-8")
    out = tmp_path / "out.csv"
    summary = run_batch(source, out, options=BatchOptions(medications=listing))
    with out.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["medications"] == "omeprazole; panitumumab"
    counts = summary.medications
    assert counts is not None
    assert (counts.layout, counts.rows, counts.used) == ("generic + fhir", 3, 2)
    assert counts.other_drugs == {"tylenol": 1}
    assert counts.file == f"{listing} + {source}"


def test_by_patient_names_the_fhir_medicines(tmp_path: Path) -> None:
    table = tmp_path / "patients.csv"
    run_batch(WITH_MEDICINES, tmp_path / "out.csv", options=BatchOptions(by_patient=table))
    with table.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["magnesium_medications"] == "cetuximab; omeprazole"
    assert row["sodium_medications"] == ""
