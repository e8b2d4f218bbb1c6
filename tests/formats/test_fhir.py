"""The FHIR reader: resources in, rows of the long table out, and what it counted."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck.errors import InputError
from electrocheck.formats.content import sniff
from electrocheck.formats.fhir import HEADER, FhirSummary, fhir_table, write_table

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
KNOWN = {"2823-3": "Potassium [Moles/volume] in Serum or Plasma", "2951-2": "2951-2"}


def _table(*resources: Any, lines: bool = True) -> tuple[list[dict[str, str]], FhirSummary]:
    """Rows of the table for resources given as NDJSON lines (or one pretty document)."""
    if lines:
        text = "".join(json.dumps(r) + "\n" for r in resources)
    else:
        (only,) = resources
        text = json.dumps(only, indent=2)
    out = io.StringIO()
    summary = write_table(io.BytesIO(text.encode()), out, KNOWN.get)
    out.seek(0)
    return list(csv.DictReader(out)), summary


def _obs(**fields: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "2823-3"}], "text": "Potassium"},
    }
    found.update(fields)
    return {k: v for k, v in found.items() if v is not None}


def _q(value: Any, code: str | None = "mmol/L", **more: Any) -> dict[str, Any]:
    found = {"value": value, "unit": code, "system": UCUM, "code": code, **more}
    return {k: v for k, v in found.items() if v is not None}


# --------------------------------------------------------------------------- one Observation

ROWS = [
    # (what, Observation fields, expected cells of its row)
    ("a quantity in UCUM", {"valueQuantity": _q(3.1)}, {"value": "3.1", "unit": "mmol/L"}),
    ("micromoles spelled", {"valueQuantity": _q(3100, "umol/L")}, {"unit": "µmol/L"}),
    ("meq/L is mEq/L", {"valueQuantity": _q(3.1, "meq/L")}, {"unit": "mEq/L"}),
    ("mEq/L kept", {"valueQuantity": _q(3.1, "mEq/L")}, {"unit": "mEq/L"}),
    ("other UCUM kept", {"valueQuantity": _q(3.1, "mm[Hg]")}, {"unit": "mm[Hg]"}),
    (
        "a local unit: its text",
        {"valueQuantity": {"value": 3.1, "unit": "mmol/L", "system": "urn:lab", "code": "MML"}},
        {"unit": "mmol/L"},
    ),
    (
        "no unit at all",
        {"valueQuantity": {"value": 3.1}},
        {"unit": "", "fhir_notes": "valueQuantity has no unit"},
    ),
    ("comparator", {"valueQuantity": _q(2.5, comparator="<")}, {"value": "<2.5"}),
    ("valueString censored", {"valueString": ">10"}, {"value": ">10", "unit": ""}),
    ("valueInteger", {"valueInteger": 4}, {"value": "4"}),
    (
        "dataAbsentReason",
        {"dataAbsentReason": {"coding": [{"code": "error"}]}},
        {"value": "", "data_absent_reason": "error"},
    ),
    ("no value", {}, {"value": "", "fhir_notes": "no value and no dataAbsentReason"}),
    (
        "both limits",
        {"valueQuantity": _q(3.1), "referenceRange": [{"low": _q(3.5), "high": _q(5.1)}]},
        {"reference_range": "3.5-5.1 mmol/L"},
    ),
    (
        "the high limit alone",
        {"valueQuantity": _q(3.1), "referenceRange": [{"high": _q(5.1)}]},
        {"reference_range": "<=5.1 mmol/L"},
    ),
    (
        "the low limit alone, without unit",
        {"valueQuantity": _q(3.1), "referenceRange": [{"low": {"value": 3.5}}]},
        {"reference_range": ">=3.5"},
    ),
    (
        "a range as text",
        {"valueQuantity": _q(3.1), "referenceRange": [{"text": "3.5-5.1"}]},
        {"reference_range": "3.5-5.1"},
    ),
    (
        "a therapeutic range is not the normal one",
        {
            "valueQuantity": _q(3.1),
            "referenceRange": [
                {"low": _q(4.0), "high": _q(4.5), "type": {"coding": [{"code": "therapeutic"}]}},
                {"low": _q(3.5), "high": _q(5.1), "type": {"coding": [{"code": "normal"}]}},
            ],
        },
        {"reference_range": "3.5-5.1 mmol/L"},
    ),
    (
        "interpretation code",
        {"valueQuantity": _q(2.6), "interpretation": [{"coding": [{"system": V3, "code": "LL"}]}]},
        {"interpretation": "LL"},
    ),
    (
        "interpretation text",
        {"valueQuantity": _q(2.6), "interpretation": [{"text": "Low"}]},
        {"interpretation": "Low"},
    ),
    (
        "effectiveDateTime",
        {"valueQuantity": _q(3.1), "effectiveDateTime": "2026-03-02T08:10:00Z"},
        {"collected": "2026-03-02T08:10:00Z"},
    ),
    (
        "effectivePeriod.start",
        {"valueQuantity": _q(3.1), "effectivePeriod": {"start": "2026-03-02T08:10:00Z"}},
        {"collected": "2026-03-02T08:10:00Z"},
    ),
    (
        "effectiveInstant",
        {"valueQuantity": _q(3.1), "effectiveInstant": "2026-03-02T08:10:00.000Z"},
        {"collected": "2026-03-02T08:10:00.000Z"},
    ),
    (
        "subject and specimen as references",
        {
            "valueQuantity": _q(3.1),
            "subject": {"reference": "http://ehr.example/fhir/Patient/7/_history/2"},
            "specimen": {"reference": "Specimen/A1"},
        },
        {"patient": "Patient/7", "specimen_id": "Specimen/A1"},
    ),
    (
        "subject by identifier",
        {"valueQuantity": _q(3.1), "subject": {"identifier": {"value": "MRN-1"}}},
        {"patient": "MRN-1"},
    ),
    (
        "a known LOINC code: its name",
        {"valueQuantity": _q(3.1)},
        {"test": KNOWN["2823-3"], "loinc": "2823-3"},
    ),
    (
        "an unknown LOINC code: the text",
        {
            "code": {"coding": [{"system": LOINC, "code": "2828-2"}], "text": "Potassium, urine"},
            "valueQuantity": _q(40),
        },
        {"test": "Potassium, urine", "loinc": "2828-2"},
    ),
    (
        "no LOINC coding: the display",
        {
            "code": {"coding": [{"system": "urn:lab", "code": "K", "display": "K+"}]},
            "valueString": "3.1",
        },
        {"test": "K+", "loinc": ""},
    ),
    (
        "no code",
        {"code": None, "valueQuantity": _q(3.1)},
        {"test": "", "fhir_notes": "no code: the test is not known"},
    ),
    ("its id", {"valueQuantity": _q(3.1)}, {"observation": "Observation/o1"}),
]


@pytest.mark.parametrize(("what", "fields", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_an_observation_row(what: str, fields: dict[str, Any], expected: dict[str, str]) -> None:
    (row,), _ = _table(_obs(**fields))
    assert {k: row[k] for k in expected} == expected


def test_numbers_keep_their_digits() -> None:
    text = json.dumps(_obs(valueQuantity=_q("X"))).replace('"X"', "2.10")
    out = io.StringIO()
    write_table(io.BytesIO(text.encode()), out, KNOWN.get)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["value"] == "2.10"


def test_the_header_is_a_long_layout() -> None:
    rows, _ = _table(_obs(valueQuantity=_q(3.1)))
    assert tuple(rows[0]) == HEADER


def test_components_are_rows_and_a_grouping_is_not() -> None:
    pressure = _obs(
        code={"coding": [{"system": LOINC, "code": "85354-9"}], "text": "Blood pressure"},
        component=[
            {"code": {"text": "Systolic"}, "valueQuantity": _q(132, "mm[Hg]")},
            {"code": {"text": "Diastolic"}, "valueQuantity": _q(74, "mm[Hg]")},
        ],
        subject={"reference": "Patient/1"},
    )
    rows, summary = _table(pressure)
    assert [(r["test"], r["value"], r["patient"]) for r in rows] == [
        ("Systolic", "132", "Patient/1"),
        ("Diastolic", "74", "Patient/1"),
    ]
    assert rows[0]["observation"] == "Observation/o1 component 1"
    assert (summary.observations, summary.rows, summary.component_rows, summary.groupings) == (
        1,
        2,
        2,
        1,
    )


# --------------------------------------------------------------------------- Bundles


def _bundle(
    *entries: tuple[str | None, dict[str, Any]], kind: str = "collection"
) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"resource": r} if url is None else {"fullUrl": url, "resource": r}
            for url, r in entries
        ],
    }


PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1958-04-02"}


@pytest.mark.parametrize("lines", [True, False], ids=["one line", "pretty"])
def test_a_report_gives_its_results_subject_time_and_specimen(lines: bool) -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "subject": {"reference": "urn:uuid:p"},
        "effectiveDateTime": "2026-03-02T08:10:00Z",
        "specimen": [{"reference": "Specimen/s1"}],
        "result": [{"reference": "urn:uuid:o1"}, {"reference": "Observation/o2"}],
    }
    own = _obs(id="o2", valueQuantity=_q(140), effectiveDateTime="2026-03-01T00:00:00Z")
    specimen = {"resourceType": "Specimen", "id": "s1", "type": {"text": "Serum"}}
    bundle = _bundle(
        ("urn:uuid:p", PATIENT),
        (None, specimen),
        (None, report),
        ("urn:uuid:o1", _obs(valueQuantity=_q(3.1))),
        ("http://lab.example/fhir/Observation/o2", own),
    )
    rows, summary = _table(bundle, lines=lines)
    keys = ("patient", "birth_date", "sex", "collected", "specimen_id", "specimen_type", "report")
    assert [tuple(r[k] for k in keys) for r in rows] == [
        (
            "Patient/p1",
            "1958-04-02",
            "female",
            "2026-03-02T08:10:00Z",
            "Specimen/s1",
            "Serum",
            "DiagnosticReport/r1",
        ),
        (
            "Patient/p1",
            "1958-04-02",
            "female",
            "2026-03-01T00:00:00Z",
            "Specimen/s1",
            "Serum",
            "DiagnosticReport/r1",
        ),
    ]
    assert summary.form == "Bundle (collection)"
    assert summary.resources == {
        "Bundle": 1,
        "Patient": 1,
        "Specimen": 1,
        "DiagnosticReport": 1,
        "Observation": 2,
    }


def test_a_panel_gives_its_members_its_subject_and_is_no_row() -> None:
    panel = _obs(
        id="bmp",
        code={"coding": [{"system": LOINC, "code": "51990-0"}]},
        subject={"reference": "Patient/p1"},
        effectiveDateTime="2026-03-02T08:10:00Z",
        hasMember=[{"reference": "Observation/k"}, {"reference": "Observation/missing"}],
    )
    bundle = _bundle((None, PATIENT), (None, panel), (None, _obs(id="k", valueQuantity=_q(3.1))))
    rows, summary = _table(bundle)
    assert [(r["observation"], r["patient"], r["sex"], r["collected"]) for r in rows] == [
        ("Observation/k", "Patient/p1", "female", "2026-03-02T08:10:00Z")
    ]
    assert summary.groupings == 1
    assert summary.problems["unresolved"] == 1
    assert "'Observation/missing'" in summary.examples["unresolved"]


def test_contained_results_are_read_once() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "contained": [_obs(id="c1", valueQuantity=_q(3.1))],
        "subject": {"reference": "Patient/p1"},
        "result": [{"reference": "#c1"}],
    }
    rows, summary = _table(_bundle((None, PATIENT), (None, report)))
    assert [(r["observation"], r["patient"], r["birth_date"]) for r in rows] == [
        ("Observation/c1", "Patient/p1", "1958-04-02")
    ]
    assert summary.observations == 1


@pytest.mark.parametrize(
    ("gender", "sex"), [("male", "male"), ("female", "female"), ("other", ""), ("unknown", "")]
)
def test_gender_other_and_unknown_give_no_sex(gender: str, sex: str) -> None:
    patient = {**PATIENT, "gender": gender}
    obs = _obs(valueQuantity=_q(3.1), subject={"reference": "Patient/p1"})
    rows, _ = _table(_bundle((None, patient), (None, obs)))
    assert rows[0]["sex"] == sex


def test_other_resources_and_problems_are_counted() -> None:
    bundle = _bundle(
        (None, {"resourceType": "Encounter", "id": "e"}),
        (None, {"resourceType": "Labresult", "id": "x"}),
        (None, _obs(valueQuantity=_q(3.1))),
    )
    bundle["entry"].append({"fullUrl": "urn:uuid:empty"})
    rows, summary = _table(bundle)
    assert len(rows) == 1
    assert summary.resources["Encounter"] == 1
    assert summary.unknown_types == {"Labresult": 1}
    assert summary.problems["unknown_type"] == summary.problems["no_resource"] == 1
    assert "not read: Encounter 1" in summary.line()
    assert any("'Labresult' (entry 2 of the Bundle in line 1)" in w for w in summary.warnings())


# --------------------------------------------------------------------------- NDJSON


def test_ndjson_bad_lines_are_counted_and_the_rest_read() -> None:
    text = (
        json.dumps(_obs(valueQuantity=_q(3.1)))
        + "\n\nnot json\n"
        + json.dumps({"no": "type"})
        + "\n"
        + json.dumps(_obs(id="o2", valueQuantity=_q(4.1)))
        + "\n"
    )
    out = io.StringIO()
    summary = write_table(io.BytesIO(text.encode()), out, KNOWN.get)
    assert summary.form == "NDJSON"
    assert summary.rows == 2
    assert summary.problems["not_json"] == summary.problems["not_resource"] == 1
    assert summary.examples["not_json"].startswith("line 3 (")
    assert summary.examples["not_resource"] == "line 4"


def test_a_patient_after_its_results_is_read_into_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    source = tmp_path / "export.ndjson.gz"
    lines = [
        _obs(valueQuantity=_q(3.1), subject={"reference": "Patient/p1"}),
        PATIENT,
    ]
    source.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in lines).encode()))
    content = sniff(source, "'export'")
    assert (content.kind, content.compression) == ("fhir", "gzip")
    with fhir_table(source, "'export'", content.compression, KNOWN) as (table, summary):
        assert list(scratch.iterdir())  # the table's files
        frame = table.rows.collect()
        rows = frame.rename(dict(zip(frame.columns, table.header, strict=True))).rows(named=True)
    assert (rows[0]["birth_date"], rows[0]["sex"]) == ("1958-04-02", "female")
    assert summary.rows_without_birth == 0
    assert not list(scratch.iterdir())  # removed when the block ended


# --------------------------------------------------------------------------- refused


REFUSED = [
    ("not JSON", "{ this is not", "starts like JSON but is not"),
    (
        "JSON that is not FHIR",
        '{"patients": []}',
        "is JSON but not FHIR: an object without a resourceType",
    ),
    (
        "an unknown resource type",
        '{"resourceType": "Labresult"}',
        "'Labresult' (line 1) is no FHIR R4 resource",
    ),
    (
        "a server's error",
        '{"resourceType": "OperationOutcome", "issue": [{"diagnostics": "token expired"}]}',
        "is a FHIR OperationOutcome (a server's answer), not results: token expired",
    ),
    (
        "no Observation",
        '{"resourceType": "Patient", "id": "1"}',
        "FHIR JSON without any Observation (it holds Patient 1)",
    ),
    ("empty", "   \n", "is empty"),
]


@pytest.mark.parametrize(("what", "text", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_in_one_line(tmp_path: Path, what: str, text: str, message: str) -> None:
    source = tmp_path / "in.json"
    source.write_text(text)
    with pytest.raises(InputError) as caught, fhir_table(source, "'in.json'", None, KNOWN):
        pass
    assert message in str(caught.value)
    assert str(caught.value).startswith("'in.json' ")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b'{"resourceType"', "fhir"), (b'\xef\xbb\xbf  \n{"a"', "fhir"), (b"test,value\n", "text")],
)
def test_json_is_known_by_its_first_character(tmp_path: Path, head: bytes, kind: str) -> None:
    source = tmp_path / "labs.csv"
    source.write_bytes(head)
    assert sniff(source, "'labs.csv'").kind == kind


# --------------------------------------------------------------------------- never a traceback

_KEYS = st.sampled_from(
    [
        "resourceType",
        "entry",
        "resource",
        "fullUrl",
        "code",
        "coding",
        "system",
        "text",
        "valueQuantity",
        "value",
        "unit",
        "comparator",
        "valueString",
        "referenceRange",
        "low",
        "high",
        "type",
        "interpretation",
        "subject",
        "reference",
        "specimen",
        "result",
        "hasMember",
        "component",
        "contained",
        "id",
        "dataAbsentReason",
        "effectiveDateTime",
        "effectivePeriod",
        "start",
        "birthDate",
        "gender",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["Observation", "Bundle", "Patient", "DiagnosticReport", "Specimen"]),
    st.sampled_from([LOINC, UCUM, "mmol/L", "2823-3", "#c", "Patient/1", "urn:uuid:1"]),
    st.text(max_size=5),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(resources=st.lists(st.dictionaries(_KEYS, _JSON, max_size=8), min_size=1, max_size=3))
def test_any_json_gives_rows_or_one_error(resources: list[dict[str, Any]]) -> None:
    for resource in resources:
        resource.setdefault("resourceType", "Observation")
    text = "".join(json.dumps(r) + "\n" for r in resources)
    try:
        write_table(io.BytesIO(text.encode()), io.StringIO(), KNOWN.get)
    except InputError as exc:
        assert "\n" not in str(exc)
