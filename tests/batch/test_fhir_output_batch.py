"""FHIR R4 output end to end: the input's Observations written back interpreted, Observations
built from the rows of other input, and nothing lost; every resource held to the schema."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from batch_files import jsonl_rows, rows, run
from fhir_schema import resources_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck import BatchOptions, run_batch
from electrocheck.formats.fhir_output import (
    CTCAE_GRADE,
    LAB_INTERPRETATION,
    PATTERN,
    RESULT_CODES,
    SPASM_RISK,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "fhir"
EXAMPLES = ROOT / "examples"
#: What electrocheck adds to an Observation of the input; all else is kept as it was.
ADDED = ("interpretation", "referenceRange", "extension", "note")


def _fhir(source: Path, folder: Path, name: str = "out.fhir") -> list[dict[str, Any]]:
    target = folder / name
    run_batch(source, target, options=BatchOptions(output_format="fhir"))
    return resources_of(target.read_text(encoding="utf-8"))


def _rows(source: Path, folder: Path) -> list[dict[str, str]]:
    target = folder / "out.csv"
    run_batch(source, target)
    return list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))


def _flag(obs: dict[str, Any]) -> str:
    return str(obs["interpretation"][0]["coding"][0]["code"])


def _values(obs: dict[str, Any], url: str) -> list[Any]:
    return [
        next(v for k, v in e.items() if k.startswith("value"))
        for e in obs.get("extension", [])
        if e["url"] == url
    ]


def _electrocheck_notes(obs: dict[str, Any]) -> list[str]:
    return [n["text"] for n in obs.get("note", []) if n.get("authorString") == "electrocheck"]


def _by_id(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in resources if "id" in r}


# --------------------------------------------------------------------------- FHIR input


def test_a_bundle_comes_back_a_bundle_of_every_resource_interpreted(tmp_path: Path) -> None:
    source = DATA / "bmp-bundle.json"
    written = _fhir(source, tmp_path)
    entries = json.loads(source.read_text())["entry"]
    # Every resource of the input, in its order, then none lost; two corrected results added.
    kinds = [r["resourceType"] for r in written]
    assert sorted(kinds) == sorted(
        [e["resource"]["resourceType"] for e in entries] + ["Observation"] * 2
    )
    found = _by_id(written)
    for entry in entries:
        original = entry["resource"]
        out = found[original["id"]]
        kept = {k: v for k, v in out.items() if k not in ADDED}
        assert kept == {k: v for k, v in original.items() if k not in ADDED}
    rows = {r["observation"]: r for r in _rows(source, tmp_path) if r["observation"]}
    for key, row in rows.items():
        obs = found[key.split("/")[1]]
        if row["flag"]:
            assert _flag(obs) == row["flag"]
            assert _values(obs, CTCAE_GRADE) == ([int(row["grade"])] if row["grade"] else [])
            assert _values(obs, SPASM_RISK) == [row["spasm_risk"]]
            assert _values(obs, PATTERN) == [p for p in row["patterns"].split("; ") if p]
        else:  # glucose, creatinine, albumin: as they were
            assert obs == next(
                e["resource"] for e in entries if e["resource"].get("id") == obs["id"]
            )


def test_the_labs_interpretation_is_kept_and_the_range_applied_comes_first(tmp_path: Path) -> None:
    found = _by_id(_fhir(DATA / "bmp-bundle.json", tmp_path))
    calcium = found["o3"]  # 7.6 mg/dL against the lab's 8.6-10.2 mg/dL
    assert _flag(calcium) == "L"
    assert [c["coding"][0]["code"] for c in _values(calcium, LAB_INTERPRETATION)] == ["L"]
    applied, own = calcium["referenceRange"]
    assert (applied["low"]["code"], applied["low"]["value"]) == ("mmol/L", 2.146)
    assert "the lab's own limits" in applied["text"]
    assert own["low"]["value"] == 8.6 and own["low"]["unit"] == "mg/dL"
    assert "not graded: CTCAE grades corrected_calcium instead" in " ".join(
        _electrocheck_notes(calcium)
    )


def test_corrected_results_are_derived_observations(tmp_path: Path) -> None:
    source = DATA / "bmp-bundle.json"
    target = tmp_path / "out.json"
    run_batch(source, target, options=BatchOptions(output_format="fhir"))
    bundle = json.loads(target.read_text())
    urls = {e["resource"].get("id"): e.get("fullUrl") for e in bundle["entry"]}
    derived = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("system") == RESULT_CODES
    ]
    assert {d["code"]["coding"][0]["code"]: _flag(d) for d in derived} == {
        "corrected_sodium": "L",
        "corrected_calcium": "N",
    }
    by_code = {d["code"]["coding"][0]["code"]: d for d in derived}
    assert by_code["corrected_calcium"]["derivedFrom"] == [{"reference": urls["o3"]}]
    assert by_code["corrected_sodium"]["derivedFrom"] == [{"reference": urls["o1"]}]
    # The Observations take their subject from the report: the derived one names it.
    assert by_code["corrected_calcium"]["subject"] == {"reference": "Patient/p1"}
    assert by_code["corrected_calcium"]["specimen"] == {
        "reference": "Specimen/s1",
        "display": "Serum",
    }
    assert by_code["corrected_calcium"]["effectiveDateTime"] == "2026-03-02T08:10:00Z"
    assert by_code["corrected_calcium"]["valueQuantity"]["code"] == "mmol/L"
    # Each right after the Observation it corrects.
    ids = [e["resource"].get("id") for e in bundle["entry"]]
    assert ids[ids.index("o3") + 1] == by_code["corrected_calcium"]["id"]


def test_ndjson_comes_back_ndjson_line_for_line(tmp_path: Path) -> None:
    source = DATA / "export.ndjson.gz"
    written = _fhir(source, tmp_path, "out.ndjson")
    lines = [
        json.loads(line)
        for line in gzip.decompress(source.read_bytes()).splitlines()
        if line.strip()
    ]
    assert [r.get("id") for r in written] == [r.get("id") for r in lines]
    found = _by_id(written)
    assert found["s2"] == next(r for r in lines if r["resourceType"] == "Patient")
    assert _flag(found["k3"]) == "L"
    assert any("falling" in note for note in _electrocheck_notes(found["k3"]))
    absent = next(r for r in written if "dataAbsentReason" in r)
    assert "interpretation" not in absent  # no value, no result: as it was


def test_decimals_are_written_back_as_they_were(tmp_path: Path) -> None:
    obs = {
        "resourceType": "Observation",
        "id": "k",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3"}]},
        "valueQuantity": {
            "value": 3.10,
            "unit": "mmol/L",
            "system": "http://unitsofmeasure.org",
            "code": "mmol/L",
        },
    }
    source = tmp_path / "one.json"
    source.write_text(json.dumps(obs).replace("3.1,", "3.10,"), encoding="utf-8")
    target = tmp_path / "out.json"
    run_batch(source, target, options=BatchOptions(output_format="fhir"))
    assert '"value":3.10,' in target.read_text()
    assert _flag(resources_of(target.read_text())[0]) == "L"


def _panel(*components: tuple[str, float]) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "panel",
        "status": "final",
        "code": {"text": "Electrolytes"},
        "effectiveDateTime": "2026-03-02T08:00:00Z",
        "component": [
            {
                "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                "valueQuantity": {
                    "value": value,
                    "unit": "mmol/L",
                    "system": "http://unitsofmeasure.org",
                    "code": "mmol/L",
                },
            }
            for code, value in components
        ],
    }


@pytest.mark.parametrize(
    ("components", "flags"),
    [
        ([("2823-3", 2.5), ("2951-2", 140.0)], ["LL", "N"]),
        ([("2951-2", 161.0)], ["HH"]),
        ([("2823-3", 4.0), ("2160-0", 1.1), ("2951-2", 130.0)], ["N", None, "L"]),
    ],
)
def test_components_are_interpreted_where_they_stand(
    tmp_path: Path, components: list[tuple[str, float]], flags: list[str | None]
) -> None:
    source = tmp_path / "panel.json"
    source.write_text(json.dumps(_panel(*components)), encoding="utf-8")
    (obs,) = _fhir(source, tmp_path)
    found = [_flag(c) if "interpretation" in c else None for c in obs["component"]]
    assert found == flags
    assert "interpretation" not in obs
    numbered = [n.split(":")[0] for n in _electrocheck_notes(obs)]
    assert {f"component {i}" for i, flag in enumerate(flags, 1) if flag} <= set(numbered)


def test_an_unreadable_observation_is_written_with_its_reason(tmp_path: Path) -> None:
    written = _fhir(DATA / "bad-bundle.json", tmp_path)
    found = _by_id(written)
    assert set(found) == {"nocode", "nounit", "censored", "pressure", "mass"}
    assert found["nocode"]["code"] == {"text": "(no code)"}  # FHIR needs one
    assert any(
        "not interpreted" in n and "mm[Hg]" in n for n in _electrocheck_notes(found["pressure"])
    )
    assert any(n.startswith("read: ") for n in _electrocheck_notes(found["nounit"]))
    assert _flag(found["censored"]) == "HH"


# --------------------------------------------------------------------------- other input


def test_a_long_csv_becomes_observations_and_outcomes_for_every_row(tmp_path: Path) -> None:
    written = _fhir(EXAMPLES / "long.csv", tmp_path)
    rows = _rows(EXAMPLES / "long.csv", tmp_path)
    accounted = {r["id"].split("-")[1] for r in written}
    assert accounted == {str(n) for n in range(1, len(rows) + 1)}  # every row, none lost
    observations = [r for r in written if r["resourceType"] == "Observation"]
    assert [_flag(o) for o in observations] == [r["flag"] for r in rows if r["flag"]]
    calcium = next(o for o in observations if o["id"] == "row-2-calcium")
    assert calcium["code"]["coding"][0]["code"] == "2000-8"  # moles per volume: mmol/L
    assert calcium["code"]["text"] == "Calcium, Total"
    assert calcium["subject"] == {"identifier": {"value": "17"}}
    assert calcium["effectiveDateTime"] == "2026-03-02"
    assert any("FHIR needs a time zone" in n for n in _electrocheck_notes(calcium))
    censored = next(o for o in observations if o["id"] == "row-5-sodium")
    assert censored["valueQuantity"]["comparator"] == ">"
    outcomes = {r["id"]: r for r in written if r["resourceType"] == "OperationOutcome"}
    assert set(outcomes) == {"row-4-outcome", "row-6-outcome"}
    negative = outcomes["row-6-outcome"]["issue"]
    assert negative[0]["severity"] == "error" and "negative" in negative[0]["diagnostics"]


def test_a_wide_row_gives_an_observation_per_result_and_corrections_derived(
    tmp_path: Path,
) -> None:
    found = _by_id(_fhir(EXAMPLES / "patients.csv", tmp_path))
    bundle = json.loads((tmp_path / "out.fhir").read_text())
    urls = {e["resource"]["id"]: e["fullUrl"] for e in bundle["entry"]}
    assert found["row-1-corrected-calcium"]["derivedFrom"] == [{"reference": urls["row-1-calcium"]}]
    assert found["row-1-corrected-sodium"]["derivedFrom"] == [{"reference": urls["row-1-sodium"]}]
    assert _values(found["row-1-magnesium"], PATTERN) == ["mg-first-k"]
    assert _values(found["row-1-sodium"], PATTERN) == []  # the row's pattern is not sodium's
    assert _flag(found["row-2-sodium"]) == "HH"
    assert len([r for r in found.values() if r["resourceType"] == "Observation"]) == 15


#: (potassium mmol/L, calcium mg/dL, albumin g/dL): EDTA judges the calcium as measured,
#: tumour lysis the albumin-corrected one standing in for it.
MEASURED_OR_CORRECTED = [("7.5", "5.8", "2.0"), ("7.5", "5.8", "4.0"), ("7.5", "6.2", "5.0")]


def _patterns_by_analyte(resources: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {
        r["code"]["text"]: _values(r, PATTERN)
        for r in resources
        if r["resourceType"] == "Observation"
    }


@pytest.mark.parametrize(("k", "ca", "alb"), MEASURED_OR_CORRECTED)
def test_each_observation_takes_the_patterns_it_decides_wide_and_long_alike(
    tmp_path: Path, k: str, ca: str, alb: str
) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(f"K,Calcium (mg/dL),Albumin (g/dL)\n{k},{ca},{alb}\n", encoding="utf-8")
    long = tmp_path / "long.csv"
    long.write_text(
        "patient,collected,accession,test,value,unit\n"
        f"P1,2026-03-01 08:00,S1,Potassium,{k},mmol/L\n"
        f"P1,2026-03-01 08:00,S1,Calcium,{ca},mg/dL\n"
        f"P1,2026-03-01 08:00,S1,Albumin,{alb},g/dL\n",
        encoding="utf-8",
    )
    from_wide = _by_id(_fhir(wide, tmp_path, "wide.fhir"))
    from_long = _by_id(_fhir(long, tmp_path, "long.fhir"))
    report = rows(run(tmp_path, wide.read_text("utf-8")))[0]
    ids = [p for p in report["patterns"].split("; ") if p]
    measured = [p for p in ids if p == "edta-contamination"]
    corrected = [p for p in ids if p != "edta-contamination"]
    assert _values(from_wide["row-1-potassium"], PATTERN) == ids
    assert _values(from_wide["row-1-calcium"], PATTERN) == measured
    assert _values(from_wide["row-1-corrected-calcium"], PATTERN) == corrected
    assert _values(from_long["row-1-potassium"], PATTERN) == ids
    assert _values(from_long["row-2-calcium"], PATTERN) == measured
    assert _values(from_long["row-2-corrected-calcium"], PATTERN) == corrected


def test_the_same_input_gives_the_same_output(tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    second = tmp_path / "b.json"
    for target in (first, second):
        run_batch(
            EXAMPLES / "labevents-panels.csv", target, options=BatchOptions(output_format="fhir")
        )
    assert first.read_bytes() == second.read_bytes()


def test_an_empty_file_of_rows_is_an_empty_bundle(tmp_path: Path) -> None:
    source = tmp_path / "labs.csv"
    source.write_text("test,value,unit\n", encoding="utf-8")
    assert _fhir(source, tmp_path) == []
    assert json.loads((tmp_path / "out.fhir").read_text()) == {
        "resourceType": "Bundle",
        "type": "collection",
    }


# --------------------------------------------------------------------------- same answers

TESTS = [
    ("Potassium", "mmol/L", 1.5, 8.0),
    ("Sodium", "mmol/L", 110, 170),
    ("Calcium", "mg/dL", 5, 14),
    ("Magnesium", "mg/dL", 0.8, 4.0),
    ("Albumin", "g/dL", 1.5, 5.0),
    ("Creatinine", "mg/dL", 0.5, 3),
]
ROWS = st.tuples(
    st.sampled_from(["A", "B", ""]),
    st.integers(0, 3),  # hours after the first collection
    st.sampled_from(range(len(TESTS))),
    st.floats(0, 1),
    st.sampled_from(["", "<", ">", "x"]),  # "x": an unreadable value
)


def _csv(rows: list[tuple[Any, ...]]) -> str:
    out = io.StringIO()
    table = csv.writer(out)
    table.writerow(["patient", "collected", "test", "value", "unit"])
    for patient, hours, test, where, mark in rows:
        name, unit, low, high = TESTS[test]
        value = f"{round(low + where * (high - low), 2)}"
        cell = "abc" if mark == "x" else f"{mark}{value}"
        table.writerow([patient, f"2026-03-02 0{hours}:00", name, cell, unit])
    return out.getvalue()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROWS, min_size=1, max_size=10))
def test_flag_grade_and_notes_are_those_of_csv_and_json_lines(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[Any, ...]]
) -> None:
    folder = tmp_path_factory.mktemp("same")
    source = folder / "labs.csv"
    source.write_text(_csv(rows), encoding="utf-8")
    expected = _rows(source, folder)
    run_batch(source, folder / "out.jsonl")
    notes = {
        (r["source_row"], res["analyte"]): res["notes"]
        for r in jsonl_rows((folder / "out.jsonl").read_text())
        for res in r["results"]
    }
    written = {r["id"]: r for r in _fhir(source, folder)}
    for row in expected:
        number, analyte = row["source_row"], row["analyte"]
        if not row["flag"]:
            assert f"row-{number}-outcome" in written
            continue
        obs = written[f"row-{number}-{analyte}".replace("_", "-")]
        assert _flag(obs) == row["flag"]
        assert _values(obs, CTCAE_GRADE) == ([int(row["grade"])] if row["grade"] else [])
        assert _values(obs, SPASM_RISK) == [row["spasm_risk"]]
        assert _values(obs, PATTERN) == [p for p in row["patterns"].split("; ") if p]
        assert set(notes[(int(number), analyte)]) <= set(_electrocheck_notes(obs))
        assert obs["valueQuantity"]["value"] == float(row["value_mmol_l"])
        if analyte.startswith("corrected"):
            assert obs["derivedFrom"]


def test_a_bundle_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from electrocheck.batch import fhir_writer

    target = tmp_path / "out.json"
    target.write_text("kept", encoding="utf-8")
    calls: list[int] = []

    def failing(self: Any, row: dict[str, Any]) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        original(self, row)

    original = fhir_writer.FhirWriter._row
    monkeypatch.setattr(fhir_writer.FhirWriter, "_row", failing)
    with pytest.raises(OSError):
        run_batch(EXAMPLES / "long.csv", target, options=BatchOptions(output_format="fhir"))
    assert target.read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
