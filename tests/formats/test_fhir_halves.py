"""A large NDJSON file read by two processes gives the rows and the summary one process gives."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck.formats import fhir_halves
from electrocheck.formats.fhir import PartRead, fhir_table

LOINC = "http://loinc.org"
KNOWN = {"2823-3": "Potassium [Moles/volume] in Serum or Plasma", "2951-2": "2951-2"}


def _obs(number: int, patient: str, **more: Any) -> dict[str, Any]:
    found = {
        "resourceType": "Observation",
        "id": f"o{number}",
        "code": {"coding": [{"system": LOINC, "code": "2823-3"}]},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": f"2026-03-0{1 + number % 9}T08:00:00Z",
        "valueQuantity": {"value": 3.0 + number % 20 / 10, "unit": "mmol/L"},
    }
    found.update(more)
    return found


#: Lines of every kind the reading treats apart: the common shape, the general one (a
#: component, a string value, no value), Patients, a Specimen, a medicine naming a Medication,
#: the Medication, lines that are not JSON or not FHIR, blank lines.
KINDS: dict[str, Any] = {
    "common": lambda n: _obs(n, "p1"),
    "other patient": lambda n: _obs(n, "p2", specimen={"reference": "Specimen/s1"}),
    "no id": lambda n: {k: v for k, v in _obs(n, "p3").items() if k != "id"},
    "string value": lambda n: {
        **{k: v for k, v in _obs(n, "p1").items() if k != "valueQuantity"},
        "valueString": "<2.5",
    },
    "component": lambda n: {
        **_obs(n, "p2"),
        "component": [{"code": {"text": "Sodium"}, "valueQuantity": {"value": 140}}],
    },
    "no value": lambda n: {k: v for k, v in _obs(n, "p1").items() if k != "valueQuantity"},
    "patient p1": lambda n: {
        "resourceType": "Patient",
        "id": "p1",
        "birthDate": f"1950-0{1 + n % 9}-01",
        "gender": "female",
    },
    # Read again without a birth date, and of another sex: which version a row takes shows.
    "patient p1 unborn": lambda n: {"resourceType": "Patient", "id": "p1", "gender": "male"},
    "patient p2": lambda n: {"resourceType": "Patient", "id": "p2", "birthDate": "2019-05-05"},
    "specimen": lambda n: {
        "resourceType": "Specimen",
        "id": "s1",
        "type": {"text": "Serum"},
    },
    "specimen untyped": lambda n: {"resourceType": "Specimen", "id": "s1"},
    "request": lambda n: {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "medicationReference": {"reference": "Medication/m1"},
        "authoredOn": "2026-02-01",
    },
    "medication": lambda n: {
        "resourceType": "Medication",
        "id": "m1",
        "code": {"text": "Cisplatin"},
    },
    "unknown type": lambda n: {"resourceType": "LabThing", "id": str(n)},
    "not json": lambda n: f"{{not json {n}",
    "blank": lambda n: "   ",
}


def _write(path: Path, kinds: list[str], line_end: str = "\n") -> None:
    lines = []
    for number, kind in enumerate(kinds):
        made = KINDS[kind](number)
        lines.append(made if isinstance(made, str) else json.dumps(made))
    path.write_bytes(("".join(line + line_end for line in lines)).encode())


def _read(path: Path, compression: str | None = None) -> tuple[list[tuple[Any, ...]], Any]:
    with fhir_table(path, "'export'", compression, KNOWN) as (table, summary):
        rows = table.rows.collect().rows()
        return rows, (summary.to_dict(), dict(summary.examples), summary.medications)


@pytest.fixture
def halves(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every file is cut in two; the starts of the helpers' halves are listed; reading a half
    in this process (the helper's failure) fails the test."""
    started: list[int] = []
    helper = fhir_halves._helper

    def counted(path: Path, start: int, known: Any, folder: Path) -> Any:
        started.append(start)
        return helper(path, start, known, folder)

    def not_here(*args: Any) -> PartRead:
        raise AssertionError("the helper's half was read in this process")

    monkeypatch.setattr(fhir_halves, "SPLIT_BYTES", 0)
    monkeypatch.setattr(fhir_halves, "_helper", counted)
    monkeypatch.setattr(fhir_halves, "read_part", not_here)
    return started


def _one_process(path: Path) -> tuple[list[tuple[Any, ...]], Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fhir_halves, "SPLIT_BYTES", 1 << 60)
        return _read(path)


FIRST = ["common", "other patient", "string value"]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.sampled_from(sorted(KINDS)), min_size=2, max_size=40),
    first=st.sampled_from(FIRST),
    share=st.floats(0.05, 0.95),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_two_processes_give_what_one_gives(
    tmp_path_factory: pytest.TempPathFactory,
    halves: list[int],
    monkeypatch: pytest.MonkeyPatch,
    kinds: list[str],
    first: str,
    share: float,
    line_end: str,
) -> None:
    # Patients, Specimens and Medications before or after the rows that name them, in the same
    # half or the other; problems whose first example is in either half; blank lines.
    path = tmp_path_factory.mktemp("halves") / "export.ndjson"
    _write(path, [first, *kinds], line_end)
    monkeypatch.setattr(fhir_halves, "HELPER_SHARE", share)
    alone = _one_process(path)
    before = len(halves)
    together = _read(path)
    assert together == alone
    assert len(halves) == before + (fhir_halves._middle(path) is not None)


def test_the_helper_reads_its_half(tmp_path: Path, halves: list[int]) -> None:
    # A Patient in the second half completes the rows of the first; the second half's first
    # problem is named with its line number in the file.
    path = tmp_path / "export.ndjson"
    kinds = ["common"] * 40 + ["not json", "patient p1"] + ["common"] * 10
    _write(path, kinds)
    rows, (summary, examples, _) = _read(path)
    text = path.read_bytes()
    assert halves and text.count(b"\n", 0, halves[0]) < 40  # both lines in the second half
    assert len(rows) == 50
    assert {row[1] for row in rows} == {"1950-06-01"}  # birth_date, every row
    assert summary["rows_without_birth_date"] == 0
    assert summary["problems"]["not_json"] == 1
    assert examples["not_json"].startswith("line 41 (")
    assert summary["form"] == "NDJSON"
    assert (rows, summary) == (_one_process(path)[0], _one_process(path)[1][0])


def test_a_patient_read_again_later(tmp_path: Path, halves: list[int]) -> None:
    # A row of the second half whose Patient the first half read takes the first half's
    # version, as one reading does, though a later version of that Patient follows it; a row
    # before any version takes the last.
    path = tmp_path / "export.ndjson"
    _write(path, ["common", "patient p1"] + ["not json"] * 20 + ["common", "patient p1"])
    rows, summary = _read(path)
    text = path.read_bytes()
    assert halves and text.count(b"\n", 0, halves[-1]) in range(2, 22)
    assert [row[1] for row in rows] == ["1950-06-01", "1950-02-01"]  # birth_date
    assert (rows, summary) == _one_process(path)


def test_a_patient_read_again_in_the_second_half(tmp_path: Path, halves: list[int]) -> None:
    # A Patient read in the first half (a child, female) and again in the second (no birth
    # date, male), then a row of it: that row takes the second version, as one reading gives
    # it, though other rows are completed late (p2's, before its Patient).
    path = tmp_path / "export.ndjson"
    kinds = ["patient p1", "other patient", "patient p2"] + ["not json"] * 20
    _write(path, [*kinds, "patient p1 unborn", "common"])
    rows, summary = _read(path)
    assert halves and path.read_bytes().count(b"\n", 0, halves[-1]) in range(3, 23)
    assert [row[:3] for row in rows] == [
        ("Patient/p2", "2019-05-05", None),
        ("Patient/p1", None, "male"),
    ]
    assert (rows, summary) == _one_process(path)


def test_medicines_of_both_halves_are_named(tmp_path: Path, halves: list[int]) -> None:
    # A request in each half, the Medication they name in the second: both rows are named.
    path = tmp_path / "export.ndjson"
    _write(path, ["common", "request", "patient p2"] + ["common"] * 30 + ["request", "medication"])
    _, (summary, _, medicines) = _read(path)
    assert len(halves) == 1
    assert [row[:2] for row in medicines] == [["Patient/p1", "Cisplatin"]] * 2
    assert summary["problems"]["unresolved"] == 0
    assert _one_process(path)[1][2] == medicines


def _warnings(path: Path) -> list[str]:
    with fhir_table(path, "'export'", None, KNOWN) as (_, summary):
        return summary.warnings()


@pytest.mark.parametrize(
    ("start", "failure"),
    [
        ("import sys; sys.exit(3)", "ended with exit code 3"),
        ("import sys; sys.stdout.write('not what was read')", "gave back something that"),
        (
            "import pickle, sys; sys.stdout.buffer.write(pickle.dumps(['a list']))",
            "gave back something that",
        ),
    ],
    ids=["fails", "writes text", "hands over something else"],
)
def test_a_helper_that_fails_leaves_its_half_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str, failure: str
) -> None:
    path = tmp_path / "export.ndjson"
    _write(path, ["common"] * 20 + ["patient p1", "not json"] + ["common"] * 20)
    alone = _one_process(path)
    assert not any("process that read" in w for w in _warnings(path))  # read by one
    monkeypatch.setattr(fhir_halves, "SPLIT_BYTES", 0)
    monkeypatch.setattr(fhir_halves, "_START", start)
    assert _read(path) == alone
    # Nothing lost, and said: a run that was slower than it should be says why.
    (said,) = [w for w in _warnings(path) if "process that read" in w]
    assert said.startswith(f"FHIR: the process that read the end of the file {failure}")


def test_a_helper_that_cannot_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "export.ndjson"
    _write(path, ["common"] * 20 + ["patient p2"] + ["common"] * 20)
    alone = _one_process(path)
    monkeypatch.setattr(fhir_halves, "SPLIT_BYTES", 0)
    monkeypatch.setattr(fhir_halves.sys, "executable", str(tmp_path / "no-python"))
    assert _read(path) == alone
    assert any("the end of the file could not start" in w for w in _warnings(path))


def test_a_helper_that_works_says_nothing(tmp_path: Path, halves: list[int]) -> None:
    path = tmp_path / "export.ndjson"
    _write(path, ["common"] * 20 + ["patient p2"] + ["common"] * 20)
    assert not any("process that read" in w for w in _warnings(path))
    assert halves  # it ran


NOT_CUT = [
    ("gzipped", "gzip"),
    ("one document over many lines", None),
    ("one line", None),
    ("a first line that is not an object", None),
]


@pytest.mark.parametrize(("what", "compression"), NOT_CUT, ids=[w for w, _ in NOT_CUT])
def test_files_read_by_one_process(
    tmp_path: Path, halves: list[int], what: str, compression: str | None
) -> None:
    path = tmp_path / "export.json"
    if what == "gzipped":
        _write(path, ["common"] * 20)
        path.write_bytes(gzip.compress(path.read_bytes()))
    elif what == "one document over many lines":
        entries = [{"resource": _obs(n, "p1")} for n in range(20)]
        bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
        path.write_text(json.dumps(bundle, indent=2))
    elif what == "one line":
        path.write_text(json.dumps(_obs(1, "p1")))
    else:
        path.write_text("[1, 2]\n" + "".join(json.dumps(_obs(n, "p1")) + "\n" for n in range(9)))
    if what == "a first line that is not an object":
        with pytest.raises(Exception, match="not FHIR"):
            _read(path, compression)
    else:
        rows, _ = _read(path, compression)
        assert rows
    assert halves == []


def test_a_small_file_is_read_by_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "export.ndjson"
    _write(path, ["common"] * 20)
    monkeypatch.setattr(fhir_halves, "SPLIT_BYTES", path.stat().st_size + 1)
    assert fhir_halves._middle(path) is None
    monkeypatch.setattr(fhir_halves, "SPLIT_BYTES", path.stat().st_size)
    assert fhir_halves._middle(path) is not None


def test_batch_writes_the_same_output(tmp_path: Path, halves: list[int]) -> None:
    from electrocheck import run_batch

    path = tmp_path / "export.ndjson"
    kinds = ["common", "other patient", "no value", "request"] * 15
    _write(path, [*kinds, "patient p1", "specimen", "medication", "patient p2", *kinds])
    split, alone = tmp_path / "split.csv", tmp_path / "alone.csv"
    first = run_batch(path, split)
    assert len(halves) == 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fhir_halves, "SPLIT_BYTES", 1 << 60)
        second = run_batch(path, alone)
    assert split.read_bytes() == alone.read_bytes()
    assert first.to_dict() == second.to_dict()
    assert first.to_dict()["rows_read"] == 90  # the requests are not rows
