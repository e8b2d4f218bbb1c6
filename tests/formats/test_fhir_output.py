"""FHIR R4 output's pieces: the interpretation set on an Observation, the range applied, the
notes, decimals kept as written, and the input's resources found again by their rows' names."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fhir_schema import valid

from electrocheck.formats.fhir_originals import Originals, split_name
from electrocheck.formats.fhir_output import (
    CTCAE_GRADE,
    LAB_INTERPRETATION,
    PATTERN,
    SPASM_RISK,
    V3_INTERPRETATION,
    Sink,
    add_notes,
    applied_range,
    encode,
    full_url,
    interpret,
    keep_decimal,
    resource_id,
)

RESULT = {
    "analyte": "potassium",
    "value": 3.1,
    "low": 3.5,
    "high": 5.1,
    "flag": "L",
    "spasm_risk": "moderate",
    "grade": 1,
    "limits": "lab",
    "population": "adults",
}


def _observation(**more: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "status": "final", "code": {"text": "K"}, **more}


def _extensions(target: dict[str, Any], url: str) -> list[Any]:
    return [
        next(v for k, v in e.items() if k.startswith("value"))
        for e in target.get("extension", [])
        if e["url"] == url
    ]


@pytest.mark.parametrize("flag", ["N", "L", "H", "LL", "HH"])
def test_the_flag_is_the_one_v3_interpretation(flag: str) -> None:
    obs = _observation()
    interpret(obs, {**RESULT, "flag": flag}, [])
    assert [c["code"] for c in obs["interpretation"][0]["coding"]] == [flag]
    assert obs["interpretation"][0]["coding"][0]["system"] == V3_INTERPRETATION
    valid(obs)


# (the Observation's own interpretation, the result's lab_flag, what the extension keeps)
LAB_FLAGS = [
    ([{"coding": [{"system": V3_INTERPRETATION, "code": "LL"}]}], None, ["LL"]),
    ([{"text": "low"}, {"text": "abnormal"}], None, ["low", "abnormal"]),
    (None, "(L)", ["(L)"]),  # a CSV's flag column
    (None, None, []),
]


@pytest.mark.parametrize(("own", "lab_flag", "kept"), LAB_FLAGS)
def test_the_labs_own_interpretation_moves_to_an_extension(
    own: list[Any] | None, lab_flag: str | None, kept: list[str]
) -> None:
    obs = _observation(**({"interpretation": own} if own else {}))
    interpret(obs, {**RESULT, "lab_flag": lab_flag}, [])
    found = [c.get("text") or c["coding"][0]["code"] for c in _extensions(obs, LAB_INTERPRETATION)]
    assert found == kept
    assert len(obs["interpretation"]) == 1
    valid(obs)


@pytest.mark.parametrize(
    ("grade", "risk", "patterns", "grades", "risks"),
    [
        (1, "moderate", ["mg-first-k"], [1], ["moderate"]),
        (0, "none", [], [0], ["none"]),  # grade 0 is a grade
        (None, "high", ["mg-first-ca", "tumour-lysis-ca"], [], ["high"]),  # not graded
    ],
)
def test_grade_risk_and_patterns_are_extensions(
    grade: int | None, risk: str, patterns: list[str], grades: list[int], risks: list[str]
) -> None:
    obs = _observation(extension=[{"url": "http://lab.example/x", "valueString": "kept"}])
    interpret(obs, {**RESULT, "grade": grade, "spasm_risk": risk}, patterns)
    assert _extensions(obs, CTCAE_GRADE) == grades
    assert _extensions(obs, SPASM_RISK) == risks
    assert _extensions(obs, PATTERN) == patterns
    assert _extensions(obs, "http://lab.example/x") == ["kept"]
    valid(obs)


@pytest.mark.parametrize(
    ("limits", "low", "high", "text"),
    [
        ("lab", 3.5, 5.1, "applied by electrocheck: the lab's own limits, in mmol/L"),
        ("reference", 3.5, 5.0, "the reference file's limits, in mmol/L, for adults"),
        ("reference", None, 5.0, "the reference file's limits"),
    ],
)
def test_the_range_applied_comes_first_in_mmol_per_litre(
    limits: str, low: float | None, high: float, text: str
) -> None:
    own = {"low": {"value": 3.3, "unit": "mmol/L"}, "high": {"value": 5.3, "unit": "mmol/L"}}
    obs = _observation(referenceRange=[own])
    interpret(obs, {**RESULT, "limits": limits, "low": low, "high": high}, [])
    first, second = obs["referenceRange"]
    assert first.get("low", {}).get("value") == low and first["high"]["value"] == high
    assert first["high"]["code"] == "mmol/L" and text in first["text"]
    assert first["type"]["coding"][0]["code"] == "normal"
    assert second == own
    valid(obs)


def test_applied_range_without_limits_has_only_its_meaning() -> None:
    entry = applied_range({"low": None, "high": None, "limits": "reference"})
    assert "low" not in entry and "high" not in entry and entry["type"]


def test_notes_follow_the_labs_own_each_once() -> None:
    obs = _observation(note=[{"text": "haemolysed"}])
    add_notes(obs, ["a", "b", "a"])
    assert [(n.get("authorString"), n["text"]) for n in obs["note"]] == [
        (None, "haemolysed"),
        ("electrocheck", "a"),
        ("electrocheck", "b"),
    ]
    add_notes(obs, [])
    assert len(obs["note"]) == 3


@pytest.mark.parametrize("number", ["2.10", "0.500", "1e2", "128", "-0.0"])
def test_decimals_are_written_as_they_were(number: str) -> None:
    text = '{"valueQuantity":{"value":' + number + ',"unit":"mmol/L"},"text":"2.10"}'
    resource = json.loads(text, parse_float=keep_decimal)
    assert encode(resource) == text


@pytest.mark.parametrize(
    ("name", "made"),
    [
        ("row-3-potassium", "row-3-potassium"),
        ("row-3-corrected_calcium", "row-3-corrected-calcium"),
        ("ec-line 4", "ec-line-4"),
        ("x" * 80, "x" * 64),
        ("__", "x"),
    ],
)
def test_ids_are_fhir_ids(name: str, made: str) -> None:
    assert resource_id(name) == made


def test_full_urls_are_the_same_for_the_same_name() -> None:
    assert full_url("row-1") == full_url("row-1") != full_url("row-2")
    assert full_url("row-1").startswith("urn:uuid:")


@pytest.mark.parametrize("form", ["bundle", "ndjson"])
def test_the_sink_writes_a_bundle_or_lines(form: str) -> None:
    out = io.BytesIO()
    sink = Sink(out, form)
    sink.write(_observation(id="a"), "urn:uuid:1")
    sink.write(_observation(id="b"), None)
    sink.finish()
    text = out.getvalue().decode()
    if form == "bundle":
        bundle = json.loads(text)
        assert bundle["type"] == "collection"
        assert [e.get("fullUrl") for e in bundle["entry"]] == ["urn:uuid:1", None]
    else:
        assert [json.loads(line)["id"] for line in text.splitlines()] == ["a", "b"]
    assert sink.kinds == {"Observation": 2}


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("Observation/o1", ("Observation/o1", 0)),
        ("Observation/o1 component 2", ("Observation/o1", 2)),
        ("entry 3 of the Bundle component 10", ("entry 3 of the Bundle", 10)),
        ("line 4", ("line 4", 0)),
    ],
)
def test_a_rows_name_and_its_component(name: str, split: tuple[str, int]) -> None:
    assert split_name(name) == split


def _lines(path: Path, *resources: Any) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), encoding="utf-8")
    return path


def test_ndjson_originals_in_order_with_what_no_row_names(tmp_path: Path) -> None:
    patient = {"resourceType": "Patient", "id": "p"}
    first = _observation(id="o1")
    unnamed = _observation()  # no id: named by its line
    path = _lines(tmp_path / "x.ndjson", patient, first, {"resourceType": "Labresult"}, unnamed)
    originals = Originals(path, "x", None)
    found = originals.find("Observation/o1")
    assert found is not None and found.resource == first
    found.taken = True
    assert [item.resource for item in originals.take_passed()] == [patient]
    assert originals.find("line 4") is not None  # Labresult: not FHIR R4, not handed out
    assert originals.take_passed() == []
    assert originals.find("Observation/none") is None
    originals.close()


def test_a_bundles_entries_and_contained_observations(tmp_path: Path) -> None:
    inner = _observation(id="k1")
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:r",
                "resource": {"resourceType": "DiagnosticReport", "contained": [inner]},
            },
            {"resource": _observation()},
            {"resource": _observation(id="o2")},
        ],
    }
    path = tmp_path / "b.json"
    path.write_text(json.dumps(bundle, indent=1), encoding="utf-8")
    originals = Originals(path, "b", None)
    assert originals.find("Observation/k1") is not None
    assert originals.find("entry 2 of the Bundle") is not None
    found = originals.find("Observation/o2")
    assert found is not None and found.url is None
    # Nothing was taken: all three entries come back as they were, the contained one inside
    # its report.
    rest = originals.rest()
    assert [i.resource.get("id") for i in rest] == [None, None, "o2"]
    assert rest[0].url == "urn:uuid:r"


def test_an_empty_bundle_has_no_entry_list() -> None:
    out = io.BytesIO()
    sink = Sink(out, "bundle")
    sink.finish()
    assert json.loads(out.getvalue()) == {"resourceType": "Bundle", "type": "collection"}


def test_a_result_without_coded_facts_adds_no_empty_extension_list() -> None:
    obs = _observation()
    interpret(obs, {**RESULT, "grade": None, "spasm_risk": None}, [])
    assert "extension" not in obs
    valid(obs)


@pytest.mark.parametrize(
    "extension",
    [
        {"url": "http://lab.example/x"},
        "text",
        3,
        [{"url": "http://lab.example/x", "valueString": "k"}],
    ],
)
def test_an_extension_of_the_wrong_shape_is_not_copied_into_the_list(extension: Any) -> None:
    obs = _observation(extension=extension)
    interpret(obs, RESULT, [])
    kept = [e for e in obs["extension"] if e["url"] == "http://lab.example/x"]
    assert kept == (extension if isinstance(extension, list) else [])
