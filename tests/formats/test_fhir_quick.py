"""The quick reading of NDJSON Observations (msgspec) gives the table of the general reading
(json), byte for byte, and the same summary; the row writer writes as the csv module does."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck.formats import fhir_quick
from electrocheck.formats.conversion import row_writer
from electrocheck.formats.fhir import FhirSummary, _Tables, write_table

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
V3 = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
KNOWN = {"2823-3": "Potassium [Moles/volume] in Serum or Plasma", "2951-2": "2951-2"}

needs_msgspec = pytest.mark.skipif(not fhir_quick.available(), reason="msgspec not installed")


def _both(data: bytes) -> tuple[tuple[str, FhirSummary], tuple[str, FhirSummary]]:
    """The table and summary of the quick reading, then of the general one."""
    found = []
    for quick in (True, False):
        out = io.StringIO(newline="")
        summary = write_table(io.BytesIO(data), out, KNOWN.get, quick=quick)
        found.append((out.getvalue(), summary))
    return found[0], found[1]


def _same(data: bytes) -> None:
    (quick, fast), (general, slow) = _both(data)
    assert quick == general
    assert fast.to_dict() == slow.to_dict()
    assert fast.warnings() == slow.warnings()
    assert fast.line() == slow.line()


# --------------------------------------------------------------------------- the fixtures


@pytest.mark.parametrize(
    "name", ["export.ndjson", "export.ndjson.gz", "bmp-bundle.json", "bad-bundle.json"]
)
def test_the_fixtures_give_the_same_table(name: str) -> None:
    data = (DATA / name).read_bytes()
    _same(gzip.decompress(data) if name.endswith(".gz") else data)


def _observation(number: int, **fields: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"obs-{number}",
        "status": "final",
        "code": {
            "coding": [{"system": LOINC, "code": "2823-3", "display": "Potassium"}],
            "text": "Potassium",
        },
        "subject": {"reference": "Patient/1"},
        "effectiveDateTime": "2026-01-01T08:00:00Z",
        "valueQuantity": {"value": 3.1, "unit": "mmol/L", "system": UCUM, "code": "mmol/L"},
        "referenceRange": [
            {"low": {"value": 3.5, "unit": "mmol/L"}, "high": {"value": 5.1, "unit": "mmol/L"}}
        ],
        "interpretation": [{"coding": [{"system": V3, "code": "L"}]}],
    }
    found.update(fields)
    return {k: v for k, v in found.items() if v is not None}


def _line(resource: dict[str, Any]) -> bytes:
    return json.dumps(resource).encode()


@needs_msgspec
def test_the_common_shape_is_read_quickly_with_its_digits() -> None:
    rows: list[list[str]] = []
    tables = _Tables(rows.append, KNOWN.get)
    read = fhir_quick.quick_reader(tables)
    assert read is not None
    line = _line(_observation(1)).replace(b'"value": 3.1', b'"value": 3.10')
    assert read(line, 2)
    assert rows[0][8:12] == ["3.10", "mmol/L", "3.5-5.1 mmol/L", "L"]
    assert tables.summary.rows == 1 and tables.waiting == {"Patient/1"}


#: Shapes the quick reading leaves to the general code (it reads each otherwise).
OTHER_SHAPES = [
    ("a Patient", {"resourceType": "Patient", "id": "1", "birthDate": "1950-01-01"}),
    ("a valueString", _observation(1, valueQuantity=None, valueString="<1.0")),
    ("a dataAbsentReason", _observation(1, dataAbsentReason={"text": "error"})),
    ("a null valueString", _observation(1, valueString=None) | {"valueString": None}),
    ("components", _observation(1, component=[])),
    ("a panel", _observation(1, hasMember=[{"reference": "Observation/2"}])),
    ("a value as text", _observation(1, valueQuantity={"value": "3.1", "code": "mmol/L"})),
    ("a null value", _observation(1, valueQuantity={"value": None, "code": "mmol/L"})),
    ("a number for text", _observation(1, effectiveDateTime=20260101)),
    ("a contained subject", _observation(1, subject={"reference": "#p1"})),
    ("an absolute subject", _observation(1, subject={"reference": "http://x/Patient/1"})),
    ("a subject by identifier", _observation(1, subject={"identifier": {"value": "MRN"}})),
    ("no subject", _observation(1, subject=None)),
    ("a limit as text", _observation(1, referenceRange=[{"low": {"value": "3.5"}}])),
    ("a code as text", _observation(1, code="2823-3")),
    ("an interpretation object", _observation(1, interpretation={"text": "L"})),
]


@needs_msgspec
@pytest.mark.parametrize(("what", "resource"), OTHER_SHAPES, ids=[c[0] for c in OTHER_SHAPES])
def test_other_shapes_go_to_the_general_code(what: str, resource: dict[str, Any]) -> None:
    rows: list[list[str]] = []
    tables = _Tables(rows.append, KNOWN.get)
    read = fhir_quick.quick_reader(tables)
    assert read is not None
    assert not read(_line(resource), 2)
    assert rows == [] and tables.summary.to_dict() == FhirSummary().to_dict()
    _same(b"\n".join([_line(_observation(0)), _line(resource), _line(_observation(2))]))


def test_without_msgspec_every_line_is_read_by_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fhir_quick, "msgspec", None)
    assert not fhir_quick.available()
    assert fhir_quick.quick_reader(_Tables(print, KNOWN.get)) is None
    data = (DATA / "export.ndjson").read_bytes()
    out = io.StringIO(newline="")
    summary = write_table(io.BytesIO(data), out, KNOWN.get)
    assert summary.rows == 6
    assert out.getvalue() == _both(data)[1][0]


# --------------------------------------------------------------------------- random lines

#: JSON numbers as written, with the digits a lab gives them (2.50, 1e2, -0).
_NUMBERS = st.from_regex(r"\A-?(0|[1-9][0-9]{0,3})(\.[0-9]{1,3})?([eE][-+]?[0-9]{1,2})?\Z")
_TEXTS = st.one_of(
    st.sampled_from(["", " ", "mmol/L", "umol/L", "meq/L", "mg/dL", "2823-3", "2951-2", "H", "L"]),
    st.sampled_from([" LL ", "normal", "therapeutic", "<", "<=", "1", "Patient/1", "Specimen/2"]),
    st.text(alphabet=' ,"\n\r\tAaµ/-:<>#0123456789', max_size=6),
)
_SYSTEMS = st.sampled_from([LOINC, UCUM, V3, "urn:lab", " http://loinc.org"])


def _text(value: str) -> str:
    return json.dumps(value)


def _object(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[str]], required: str = "") -> str:
    """A JSON object of most of ``fields`` (each drawn as JSON text; ``required`` always), in
    a drawn order, at times with a key twice (the last one counts, for json and msgspec)."""
    keys = [k for k in fields if k == required or draw(st.integers(0, 6)) < 6]
    keys = draw(st.permutations(keys))
    if keys and draw(st.integers(0, 9)) == 9:
        keys.append(draw(st.sampled_from(keys)))
    return "{" + ",".join(f"{_text(k)}:{draw(fields[k])}" for k in keys) + "}"


def _array(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(inner, max_size=3).map(lambda items: "[" + ",".join(items) + "]")


_ANY = st.one_of(_NUMBERS, _TEXTS.map(_text), st.sampled_from(["null", "true", "[]", "{}"]))


def _shape(good: st.SearchStrategy[str], wild: bool) -> st.SearchStrategy[str]:
    """JSON of the shape FHIR gives a field; where ``wild``, at times any JSON value."""
    return good | _ANY if wild else good


@st.composite
def _coding(draw: st.DrawFn, wild: bool) -> str:
    text = _shape(_TEXTS.map(_text), wild)
    return _object(
        draw, {"system": _shape(_SYSTEMS.map(_text), wild), "code": text, "display": text}
    )


@st.composite
def _concept(draw: st.DrawFn, wild: bool) -> str:
    text = _shape(_TEXTS.map(_text), wild)
    return _object(draw, {"coding": _shape(_array(_coding(wild)), wild), "text": text})


@st.composite
def _quantity(draw: st.DrawFn, wild: bool) -> str:
    text = _shape(_TEXTS.map(_text), wild)
    return _object(
        draw,
        {
            "value": _shape(_NUMBERS, wild),
            "unit": text,
            "system": _shape(st.sampled_from([_text(UCUM), _text("urn:lab")]), wild),
            "code": text,
            "comparator": text,
        },
    )


@st.composite
def _range(draw: st.DrawFn, wild: bool) -> str:
    return _object(
        draw,
        {
            "low": _shape(_quantity(wild), wild),
            "high": _shape(_quantity(wild), wild),
            "type": _shape(_concept(wild), wild),
            "text": _shape(_TEXTS.map(_text), wild),
        },
    )


@st.composite
def _reference(draw: st.DrawFn, kind: str, wild: bool) -> str:
    good = [f"{kind}/1", f" {kind}/2", f"{kind}/3 "] * 4
    texts = st.sampled_from([*good, "#c", f"http://h/{kind}/1", "", " "])  # the last: general
    return _object(draw, {"reference": _shape(texts.map(_text), wild)}, "" if wild else "reference")


@st.composite
def _resource(draw: st.DrawFn, wild: bool) -> str:
    """An NDJSON line: where not ``wild``, an Observation whose every field has FHIR's shape
    (the quick reading reads most such lines); else any resource, its fields of any JSON."""
    text = _shape(_TEXTS.map(_text), wild)
    fields: dict[str, st.SearchStrategy[str]] = {
        "id": text,
        "subject": _shape(_reference("Patient", wild), wild),
        "specimen": _shape(_reference("Specimen", wild), wild),
        "effectiveDateTime": text,
        "effectiveInstant": text,
        "effectivePeriod": _shape(
            st.builds(lambda start, end: f'{{"start":{start},"end":{end}}}', text, text), wild
        ),
        "code": _shape(_concept(wild), wild),
        "valueQuantity": _shape(_quantity(wild), wild),
        "referenceRange": _shape(_array(_range(wild)), wild),
        "interpretation": _shape(_array(_concept(wild)), wild),
        "dataAbsentReason": _concept(wild),
        "valueString": text,
        "component": _array(st.just('{"code":{"text":"K"},"valueQuantity":{"value":1}}')),
        "birthDate": text,
        "gender": st.sampled_from(['"male"', '"female"', '"other"']),
    }
    common = ["subject", "valueQuantity", "code", "id", "effectiveDateTime"]
    often = ["specimen", "effectiveInstant", "effectivePeriod", "referenceRange", "interpretation"]
    keys = common + draw(st.lists(st.sampled_from(often), max_size=5, unique=True))
    kind = "Observation"
    if wild:
        kind = draw(st.sampled_from(["Observation", "Patient", "Specimen", "Labresult"]))
        rare = sorted(set(fields) - set(common) - set(often))
        keys += draw(st.lists(st.sampled_from(rare), max_size=2))
        keys = draw(st.permutations(keys))[: draw(st.integers(1, len(keys)))]
    body = ",".join(f"{_text(k)}:{draw(fields[k])}" for k in keys)
    return f'{{"resourceType":{_text(kind)},{body}}}'


@needs_msgspec
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_resource(wild=False) | _resource(wild=True), min_size=1, max_size=6),
    broken=st.booleans(),
)
def test_random_lines_give_the_same_table(lines: list[str], broken: bool) -> None:
    if broken:
        lines.insert(len(lines) // 2 + 1, lines[-1][:-1])
    # The first line is read by the general code (it may be a Bundle): a patient, whose
    # facts the rows of "Patient/2" take as they are written.
    first = '{"resourceType":"Patient","id":"2","birthDate":"1950-01-01","gender":"female"}'
    _same(("\n".join([first, *lines]) + "\n").encode())


# --------------------------------------------------------------------------- the row writer


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.text(max_size=5), max_size=18), min_size=1, max_size=4))
def test_rows_are_written_as_the_csv_module_writes_them(rows: list[list[str]]) -> None:
    ours, theirs = io.StringIO(newline=""), io.StringIO(newline="")
    write = row_writer(ours)
    for row in rows:
        write(row)
    csv.writer(theirs).writerows(rows)
    assert ours.getvalue() == theirs.getvalue()
