"""Panels of a long file: the rows of one specimen, or of one patient at one time, read
together as one wide row is, and as ``check`` reads the same values."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import polars as pl
import pytest
from batch_files import jsonl_rows, rows, run
from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck import load_reference
from electrocheck.batch.layout import LayoutOptions, detect_layout
from electrocheck.batch.run import BatchOptions, run_batch
from electrocheck.clinical.check import run_check
from electrocheck.clinical.result import report_round

REF = load_reference()

# -- the same panel in a long file, on a wide row, and in check

#: analyte: (long test name, wide header, check name, values, unit)
ANALYTES = {
    "potassium": (
        "Potassium",
        "K",
        "k",
        st.integers(20, 70).map(lambda n: f"{n / 10:.1f}"),
        "mmol/L",
    ),
    "sodium": ("Sodium", "Sodium", "na", st.integers(115, 165).map(str), "mmol/L"),
    "calcium": (
        "Calcium",
        "Calcium",
        "ca",
        st.integers(55, 130).map(lambda n: f"{n / 10:.1f}"),
        "mg/dL",
    ),
    "magnesium": (
        "Magnesium",
        "Magnesium",
        "mg",
        st.integers(50, 300).map(lambda n: f"{n / 100:.2f}"),
        "mg/dL",
    ),
    "albumin": (
        "Albumin",
        "Albumin",
        "alb",
        st.integers(15, 55).map(lambda n: f"{n / 10:.1f}"),
        "g/dL",
    ),
    "glucose": ("Glucose", "Glucose", "glu", st.integers(60, 900).map(str), "mg/dL"),
}
MEASURED = ("potassium", "sodium", "calcium", "magnesium")


@st.composite
def panels(draw: st.DrawFn) -> list[dict[str, str]]:
    found = []
    for _ in range(draw(st.integers(1, 6))):
        panel = {}
        for key, (_, _, _, values, _) in ANALYTES.items():
            if draw(st.booleans()):
                panel[key] = draw(values)
        if not any(key in panel for key in MEASURED):
            panel["potassium"] = draw(ANALYTES["potassium"][3])
        found.append(panel)
    return found


def _long_rows(panel_list: list[dict[str, str]]) -> list[list[str]]:
    out = []
    for n, panel in enumerate(panel_list):
        for key, value in panel.items():
            test, _, _, _, unit = ANALYTES[key]
            out.append([f"P{n % 3}", f"2026-03-0{n // 3 + 1} 08:{n:02d}", test, value, unit])
    return [[str(i + 1), *row] for i, row in enumerate(out)]


def _write(path: Path, header: list[str], body: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(body)


def _run(source: Path, target: Path) -> list[dict[str, str]]:
    run_batch(source, target, REF, BatchOptions())
    return list(csv.DictReader(target.open(encoding="utf-8")))


@settings(max_examples=25, deadline=None)
@given(panel_list=panels(), seed=st.integers(0, 2**32))
def test_a_panel_reads_as_a_wide_row_and_as_check(
    tmp_path_factory: pytest.TempPathFactory, panel_list: list[dict[str, str]], seed: int
) -> None:
    directory = tmp_path_factory.mktemp("panels")
    body = _long_rows(panel_list)
    header = ["id", "patient", "collected", "test", "value", "unit"]
    _write(directory / "long.csv", header, body)
    shuffled = body[:]
    random.Random(seed).shuffle(shuffled)
    _write(directory / "shuffled.csv", header, shuffled)
    wide_header = [ANALYTES[key][1] for key in ANALYTES]
    wide_body = [
        [f"{panel[key]} {ANALYTES[key][4]}" if key in panel else "" for key in ANALYTES]
        for panel in panel_list
    ]
    _write(directory / "wide.csv", wide_header, wide_body)
    long = _run(directory / "long.csv", directory / "long-out.csv")
    again = _run(directory / "shuffled.csv", directory / "shuffled-out.csv")
    wide = _run(directory / "wide.csv", directory / "wide-out.csv")

    # Shuffled rows: the same results per input row, written in input order.
    assert [r["id"] for r in again if r["row_kind"] == "input"] == [row[0] for row in shuffled]
    assert [int(r["source_row"]) for r in again] == sorted(int(r["source_row"]) for r in again)
    by_id = {r["id"]: r for r in long if r["row_kind"] == "input"}
    for row in again:
        if row["row_kind"] != "input":
            continue
        mine = {k: v for k, v in row.items() if k not in ("source_row",)}
        theirs = {k: v for k, v in by_id[row["id"]].items() if k not in ("source_row",)}
        assert mine == theirs

    panel_of = {}
    for row in long:
        panel_of.setdefault(row["panel"], []).append(row)
    assert len(panel_of) == len(panel_list)
    for n, panel in enumerate(panel_list):
        tokens = [f"{ANALYTES[k][2]}={v}{ANALYTES[k][4]}" for k, v in panel.items()]
        report = run_check(REF, tokens, keep_going=True)
        expected = {r.analyte: r for r in report.results}
        rows_here = [
            r
            for r in long
            if r["patient"] == f"P{n % 3}"
            and r["panel_time"].endswith(f"08:{n:02d}:00")
            and r["panel_time"].startswith(f"2026-03-0{n // 3 + 1}")
        ]
        got = {r["analyte"]: r for r in rows_here if r["analyte"]}
        assert set(got) == set(expected), (panel, report.errors)
        wide_row = wide[n]
        for key, result in expected.items():
            row = got[key]
            assert row["flag"] == result.flag, (key, panel)
            assert row["grade"] == ("" if result.grade is None else str(result.grade)), (key, panel)
            assert float(row["value_mmol_l"]) == report_round(result.value)
            assert wide_row[f"{key}_flag"] == result.flag
            assert wide_row[f"{key}_grade"] == row["grade"]
        patterns = set()
        for row in rows_here:
            patterns |= set(filter(None, row["patterns"].split("; ")))
        assert patterns == set(report.pattern_ids), panel
        assert set(filter(None, wide_row["patterns"].split("; "))) == patterns
        for row in rows_here:
            if row["row_kind"] == "added":
                assert row["source_row"] == rows_here[rows_here.index(row) - 1]["source_row"]


# -- what the rows of a panel get


def test_corrected_results_follow_the_values_they_correct(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        "7,2026-03-02 08:00,Calcium,7.6,mg/dL\n"
        "7,2026-03-02 08:00,Potassium,3.1,mmol/L\n"
        "7,2026-03-02 08:00,Albumin,2.5,g/dL\n"
        "7,2026-03-02 08:00,Magnesium,1.1,mg/dL\n"
    )
    out = rows(run(tmp_path, text))
    assert [(r["test"], r["analyte"], r["row_kind"], r["source_row"]) for r in out] == [
        ("Calcium", "calcium", "input", "1"),
        ("", "corrected_calcium", "added", "1"),
        ("Potassium", "potassium", "input", "2"),
        ("Albumin", "", "input", "3"),
        ("Magnesium", "magnesium", "input", "4"),
    ]
    assert out[1]["value_mmol_l"] == "2.196" and out[1]["flag"] == "N"
    assert out[1]["patient"] == "7" and out[1]["collected"] == "2026-03-02 08:00"
    assert out[0]["grade"] == ""  # graded as corrected calcium, as in check
    assert [r["patterns"] for r in out] == ["", "", "mg-first-k", "", "mg-first-k"]
    assert {r["panel"] for r in out} == {"1"}


def test_no_panels_keeps_the_columns_of_before(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value\n"
        "7,2026-03-02 08:00,Calcium,7.6\n"
        "7,2026-03-02 08:00,Albumin,2.5\n"
    )
    out = rows(run(tmp_path, text, "--no-panels"))
    assert list(out[0])[-1] == "errors" and "panel" not in out[0]
    assert len(out) == 2


# -- bad input: every row keeps its result, with a note

NOTE_CASES = [
    (
        "an empty patient id",
        "patient,collected,test,value\n,2026-03-02 08:00,Potassium,3.1\n",
        ["no patient id: interpreted alone, not in a panel"],
    ),
    (
        "a time that cannot be read",
        "patient,collected,test,value\n7,yesterday,Potassium,3.1\n",
        ["collected: collection time 'yesterday' could not be read"],
    ),
    (
        "a blank time",
        "patient,collected,test,value\n7,,Potassium,3.1\n",
        ["no collection time: interpreted alone, not in a panel"],
    ),
    (
        "a birth date after the collection time",
        "patient,dob,collected,test,value\n7,2027-01-01,2026-03-02 08:00,Potassium,3.1\n",
        ["dob: date of birth 2027-01-01 is after the collection time: age not known from it"],
    ),
    (
        "a birth date that cannot be read",
        "patient,dob,collected,test,value\n7,soon,2026-03-02 08:00,Potassium,3.1\n",
        ["dob: date of birth 'soon' could not be read"],
    ),
]


@pytest.mark.parametrize(("name", "text", "notes"), NOTE_CASES, ids=[c[0] for c in NOTE_CASES])
def test_bad_keys_keep_the_result_and_say_why(
    tmp_path: Path, name: str, text: str, notes: list[str]
) -> None:
    (row,) = rows(run(tmp_path, text))
    assert row["flag"] == "L" and row["value_mmol_l"] == "3.1", name
    for note in notes:
        assert note in row["panel_notes"], (name, row["panel_notes"])


def test_two_results_of_one_analyte_are_both_kept_and_none_corrected(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        "7,2026-03-02 08:00,Calcium,7.6,mg/dL\n"
        "7,2026-03-02 08:00,Calcium,9.6,mg/dL\n"
        "7,2026-03-02 08:00,Albumin,2.5,g/dL\n"
    )
    out = rows(run(tmp_path, text))
    assert [r["row_kind"] for r in out] == ["input"] * 3
    assert [r["flag"] for r in out[:2]] == ["L", "N"]
    assert [r["grade"] for r in out[:2]] == ["2", "0"]  # no corrected calcium: measured graded
    for row in out[:2]:
        assert "2 calcium results in this panel" in row["panel_notes"]
        assert "no corrected calcium" in row["panel_notes"]


def test_a_correction_refused_in_one_panel_and_made_in_others(tmp_path: Path) -> None:
    # Panel 1's corrected calcium would be 5.9 + 0.02 x (40 - 10) = 6.5 mmol/L: refused, and
    # said. Panels 2 and 3 get their corrected sodium and calcium all the same.
    text = (
        "patient_id,collected,specimen_id,test,value,unit\n"
        "P1,2026-03-01 08:00,S1,Calcium,5.9,mmol/L\n"
        "P1,2026-03-01 08:00,S1,Albumin,10,g/L\n"
        "P2,2026-03-01 08:00,S2,Sodium,130,mmol/L\n"
        "P2,2026-03-01 08:00,S2,Glucose,400,mg/dL\n"
        "P3,2026-03-01 08:00,S3,Calcium,2.0,mmol/L\n"
        "P3,2026-03-01 08:00,S3,Albumin,30,g/L\n"
    )
    out = rows(run(tmp_path, text))
    assert [(r["analyte"], r["row_kind"]) for r in out if r["analyte"]] == [
        ("calcium", "input"),
        ("sodium", "input"),
        ("corrected_sodium", "added"),
        ("calcium", "input"),
        ("corrected_calcium", "added"),
    ]
    assert out[0]["flag"] == "HH"
    assert (
        "the corrected calcium would be 6.5 mmol/L, which is not plausible"
        in (out[0]["panel_notes"])
    )
    assert [r["value_mmol_l"] for r in out if r["row_kind"] == "added"] == ["134.8", "2.2"]


def test_two_albumins_correct_nothing(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        "7,2026-03-02 08:00,Calcium,7.6,mg/dL\n"
        "7,2026-03-02 08:00,Albumin,2.5,g/dL\n"
        "7,2026-03-02 08:00,Albumin,3.5,g/dL\n"
    )
    out = rows(run(tmp_path, text))
    assert len(out) == 3
    assert all("2 albumin results in this panel" in r["panel_notes"] for r in out)


def test_an_albumin_that_is_not_a_mass_concentration_corrects_nothing(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        "7,2026-03-02 08:00,Calcium,7.6,mg/dL\n"
        "7,2026-03-02 08:00,Albumin,0.45,mmol/L\n"
    )
    calcium, albumin = rows(run(tmp_path, text))
    assert calcium["flag"] == "L" and calcium["grade"] == "2"
    assert "no corrected calcium: this panel's albumin cannot be used" in calcium["panel_notes"]
    assert "mmol/L" in albumin["panel_notes"] and "no corrected calcium" in albumin["panel_notes"]


def test_a_specimen_of_two_patients_is_split(tmp_path: Path) -> None:
    text = (
        "patient,specimen_id,test,value,unit\n7,S1,Potassium,3.1,mmol/L\n8,S1,Magnesium,1.1,mg/dL\n"
    )
    out = rows(run(tmp_path, text))
    assert out[0]["panel"] != out[1]["panel"]
    assert [r["patterns"] for r in out] == ["", ""]  # not one patient's panel
    assert all("specimen S1 belongs to 2 patients" in r["panel_notes"] for r in out)


def test_other_specimens_stay_out_of_the_panel(tmp_path: Path) -> None:
    text = (
        "patient,specimen_id,test,value,unit,fluid\n"
        "7,S1,Potassium,3.1,mmol/L,Serum\n"
        "7,S1,Magnesium,0.4,mmol/L,Urine\n"
    )
    out = rows(run(tmp_path, text))
    assert [r["patterns"] for r in out] == ["", ""]


def test_age_from_the_date_of_birth_at_each_collection(tmp_path: Path) -> None:
    # 5.8 mmol/L potassium is normal at ten days old, high for an adult.
    text = (
        "patient,birth_date,collected,test,value\n"
        "7,2026-02-20,2026-03-02 08:00,Potassium,5.8\n"
        "7,2026-02-20,2046-03-02 08:00,Potassium,5.8\n"
    )
    out = rows(run(tmp_path, text))
    assert [r["flag"] for r in out] == ["N", "H"]


def test_panel_window_joins_rows_a_few_minutes_apart(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        "7,2026-03-02 08:00,Potassium,3.1,mmol/L\n"
        "7,2026-03-02 08:04,Magnesium,1.1,mg/dL\n"
        "7,2026-03-02 08:30,Calcium,7.6,mg/dL\n"
    )
    exact = rows(run(tmp_path, text))
    assert len({r["panel"] for r in exact}) == 3
    windowed = rows(run(tmp_path, text, "--panel-window", "10m"))
    assert [r["panel"] for r in windowed] == ["1", "1", "2"]
    assert [r["patterns"] for r in windowed] == ["mg-first-k", "mg-first-k", ""]
    assert windowed[1]["panel_time"] == "2026-03-02T08:00:00"


@pytest.mark.parametrize("window", ["10x", "ten", "-5m", "10"])
def test_a_window_that_cannot_be_read_is_refused(tmp_path: Path, window: str) -> None:
    result = run(
        tmp_path, "patient,collected,test,value\n7,2026-03-02,K,3.1\n", "--panel-window", window
    )
    assert result.exit_code == 2
    assert "--panel-window" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "option",
    ["--patient-column", "--time-column", "--specimen-column", "--birth-column"],
)
def test_a_named_column_that_is_not_there_lists_the_columns(tmp_path: Path, option: str) -> None:
    result = run(tmp_path, "patient,collected,test,value\n7,2026-03-02,K,3.1\n", option, "nope")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert f"{option}: no column named 'nope'" in result.stderr
    assert "the columns are: 'patient', 'collected', 'test', 'value'" in result.stderr


def test_named_columns_and_a_date_and_time_in_two(tmp_path: Path) -> None:
    text = (
        "who,day,clock,test,value,unit\n"
        "7,03/02/2026,8:00 AM,Potassium,3.1,mmol/L\n"
        "7,03/02/2026,08:00,Magnesium,1.1,mg/dL\n"
        "7,03/02/2026,09:00,Calcium,7.6,mg/dL\n"
    )
    out = rows(run(tmp_path, text, "--patient-column", "who", "--time-column", "day+clock"))
    assert [r["panel"] for r in out] == ["1", "1", "2"]
    assert out[0]["panel_time"] == "2026-03-02T08:00:00"


def test_json_lines_and_the_summary(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        "7,2026-03-02 08:00,Potassium,3.1,mmol/L\n"
        "7,2026-03-02 08:00,Magnesium,1.1,mg/dL\n"
        "7,2026-03-02 08:00,Calcium,7.6,mg/dL\n"
        "7,2026-03-02 08:00,Albumin,2.5,g/dL\n"
        ",2026-03-02 08:00,Potassium,3.1,mmol/L\n"
    )
    summary = tmp_path / "summary.json"
    result = run(tmp_path, text, "--format", "jsonl", "--summary-json", str(summary))
    assert result.exit_code == 0, result.output
    objects = jsonl_rows(result.stdout)
    assert len(objects) == 6
    first = objects[0]
    assert first["patterns"] == ["mg-first-k"]
    assert first["pattern_notes"][0].startswith("Low magnesium with low potassium")
    assert (first["row_kind"], first["source_row"], first["panel"]) == ("input", 1, 1)
    added = objects[3]
    assert added["row_kind"] == "added" and added["source_row"] == 3
    assert added["results"][0]["analyte"] == "corrected_calcium"
    assert objects[5]["panel"] is None and objects[5]["panel_notes"]
    panels = json.loads(summary.read_text())["panels"]
    assert panels["columns"] == {"patient": "patient", "time": "collected"}
    assert panels["panels"] == 1 and panels["added_rows"] == 1
    assert panels["rows_alone"] == {"no_patient": 1, "no_time": 0, "no_specimen": 0}


def test_the_summary_on_stderr_names_the_columns(tmp_path: Path) -> None:
    text = "subject_id,charttime,specimen_id,label,value\n7,2026-03-02 08:00,S1,K,3.1\n"
    source = tmp_path / "in.csv"
    source.write_text(text)
    from batch_files import runner

    from electrocheck.cli.commands import app

    result = runner.invoke(app, ["batch", str(source), "-o", str(tmp_path / "out.csv")])
    assert "panels: 1 (patient subject_id, time charttime, specimen specimen_id)" in result.stderr


def test_stdin_is_read_twice(tmp_path: Path) -> None:
    from batch_files import runner

    from electrocheck.cli.commands import app

    text = (
        "patient,collected,test,value,unit\n"
        "7,2026-03-02,Calcium,7.6,mg/dL\n"
        "7,2026-03-02,Albumin,2.5,g/dL\n"
    )
    result = runner.invoke(app, ["batch", "-", "--quiet"], input=text)
    out = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["analyte"] for r in out] == ["calcium", "corrected_calcium", ""]


# -- detection of the key columns, by every spelling listed

PATIENT_SPELLINGS = [
    "patient",
    "patient_id",
    "mrn",
    "subject_id",
    "person_id",
    "PATID",
    "PATIENT",
    "Patient ID",
]
TIME_SPELLINGS = [
    "collected",
    "charttime",
    "measurement_datetime",
    "DATE",
    "effectiveDateTime",
    "collection_date",
    "Collected",
    "drawn",
]
SPECIMEN_SPELLINGS = ["specimen_id", "accession", "Accession Number", "order_id", "sample_id"]
BIRTH_SPELLINGS = [
    "birth_date",
    "dob",
    "BIRTH_DATE",
    "birthDate",
    "date_of_birth",
    "birth_datetime",
]


def _panels(header: list[str]):  # type: ignore[no-untyped-def]
    layout = detect_layout([*header, "test", "value"], REF, LayoutOptions())
    return layout.panels


@pytest.mark.parametrize("name", PATIENT_SPELLINGS)
def test_patient_columns_are_found(name: str) -> None:
    found = _panels([name, "collected"])
    assert found is not None and found.patient == 0


@pytest.mark.parametrize("name", TIME_SPELLINGS)
def test_time_columns_are_found(name: str) -> None:
    found = _panels(["mrn", name])
    assert found is not None and found.time == 1 and found.clock is None


@pytest.mark.parametrize("name", SPECIMEN_SPELLINGS)
def test_specimen_columns_are_found(name: str) -> None:
    found = _panels([name])
    assert found is not None and found.specimen == 0


@pytest.mark.parametrize("name", BIRTH_SPELLINGS)
def test_birth_columns_are_found(name: str) -> None:
    found = _panels(["mrn", "collected", name])
    assert found is not None and found.birth == 2


def test_a_date_and_a_time_of_day_in_two_columns_are_found() -> None:
    found = _panels(["PATID", "SPECIMEN_DATE", "SPECIMEN_TIME"])
    assert found is not None and (found.time, found.clock) == (1, 2)


def test_a_datetime_column_wins_over_a_date_column() -> None:
    found = _panels(["person_id", "measurement_date", "measurement_datetime"])
    assert found is not None and found.time == 2


@pytest.mark.parametrize(
    "header",
    [["value_date"], ["patient"], ["collected"], []],
    ids=["nothing", "a patient alone", "a time alone", "no key"],
)
def test_no_grouping_without_keys(header: list[str]) -> None:
    assert _panels(header) is None


def test_wide_files_are_not_grouped() -> None:
    layout = detect_layout(["mrn", "collected", "K", "Calcium"], REF, LayoutOptions())
    assert layout.kind == "wide" and layout.panels is None


# -- time formats

TIMES = [
    ("2026-03-01T08:00:00Z", "2026-03-01 08:00:00"),
    ("2026-03-01T09:00:00+01:00", "2026-03-01 08:00:00"),
    ("2026-03-01 08:00", "2026-03-01 08:00:00"),
    ("2026-03-01 08:00:30", "2026-03-01 08:00:30"),
    ("2026-03-01T08:00:00.250", "2026-03-01 08:00:00.250000"),
    ("03/01/2026 8:00 AM", "2026-03-01 08:00:00"),
    ("03/01/2026 8:00 pm", "2026-03-01 20:00:00"),
    ("3/1/2026 14:30", "2026-03-01 14:30:00"),
    ("2026-03-01", "2026-03-01 00:00:00"),
    ("03/01/2026", "2026-03-01 00:00:00"),
    ("  2026-03-01 08:00  ", "2026-03-01 08:00:00"),
    ("1 March 2026", None),
    ("2026-13-01", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_time_formats(text: str, expected: str | None) -> None:
    from electrocheck.batch.times import read_times

    (found,) = read_times(pl.Series([text])).to_list()
    assert (None if found is None else str(found)) == expected


@pytest.mark.parametrize(
    ("day", "clock", "expected"),
    [
        ("2026-03-01", "08:00", "2026-03-01 08:00:00"),
        ("03/01/2026", "8:05 PM", "2026-03-01 20:05:00"),
        ("2026-03-01 00:00:00", "08:00:30", "2026-03-01 08:00:30"),
        ("2026-03-01", "", "2026-03-01 00:00:00"),
        ("2026-03-01", "2026-03-02 07:00", "2026-03-02 07:00:00"),
        ("2026-03-01", "noon", None),
    ],
)
def test_a_date_and_a_time_of_day(day: str, clock: str, expected: str | None) -> None:
    from electrocheck.batch.times import read_times

    (found,) = read_times(pl.Series([day]), pl.Series([clock])).to_list()
    assert (None if found is None else str(found)) == expected


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0.0), ("30s", 30.0), ("10m", 600.0), ("2h", 7200.0), ("1d", 86400.0), ("1.5 min", 90.0)],
)
def test_panel_windows(text: str, seconds: float) -> None:
    from electrocheck.batch.times import parse_window

    assert parse_window(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        Path(__file__).parents[2].joinpath("examples", "labevents-panels.csv").read_text("utf-8"),
        "patient,specimen_id,test,value,unit\n7,S1,Potassium,3.1,mmol/L\n8,S1,Magnesium,1.1,mg/dL\n",
    ],
)
def test_keys_that_share_a_hash_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    import electrocheck.batch.panels as panels

    kept = run(tmp_path, text).stdout
    monkeypatch.setattr(panels, "_distinct", lambda hashes: False)
    monkeypatch.setattr(panels, "_same", lambda one, other, names: False)
    assert run(tmp_path, text).stdout == kept
