"""The per-patient summary of a long file (``--by-patient``): one row per patient, the most
serious first, the same however the rows are ordered or split into batches."""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from electrocheck import ArgumentError, BatchOptions, InputError, LayoutOptions, run_batch
from electrocheck.batch import by_patient, panel_reading
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.formats import delimited

runner = CliRunner()
HEADER = "patient_id,collected,test,value,unit\n"
START = datetime(2026, 3, 1, 8, 0)
#: A potassium of each flag (mmol/L), and its grade.
POTASSIUM = {"LL": ("2.5", 3), "L": ("3.2", 1), "N": ("4.0", 0), "H": ("5.8", 2), "HH": ("6.8", 3)}


def _at(hours: float) -> str:
    return (START + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")


def _file(rows: list[tuple[str, str, str, str]]) -> str:
    """A long file of (patient, time, test, value) rows, in mmol/L, in that order."""
    return HEADER + "".join(f"{p},{t},{test},{v},mmol/L\n" for p, t, test, v in rows)


def _run(tmp_path: Path, text: str, *args: str, target: str = "patients.csv") -> Any:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    return runner.invoke(
        app, ["batch", str(source), "-o", str(out), "--by-patient", str(tmp_path / target), *args]
    )


def _table(tmp_path: Path, text: str, *args: str) -> list[dict[str, str]]:
    result = _run(tmp_path, text, "--quiet", *args)
    assert result.exit_code == ExitCode.OK, result.output
    with open(tmp_path / "patients.csv", newline="", encoding="utf-8") as found:
        return list(csv.DictReader(found))


def _one(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> dict[str, str]:
    (found,) = _table(tmp_path, _file(rows))
    return found


# -- the worst flag: LL > HH > L > H > N, whatever the order of the rows


def test_severity_is_the_documented_order() -> None:
    assert by_patient.SEVERITY == ("N", "H", "L", "HH", "LL")
    assert sorted(by_patient.CRITICAL) == ["HH", "LL"]


@pytest.mark.parametrize(
    ("first", "second", "worst"),
    [
        ("LL", "HH", "LL"),  # critical low before critical high: a fixed choice
        ("HH", "L", "HH"),  # critical before abnormal
        ("LL", "L", "LL"),
        ("L", "H", "L"),  # abnormal low before abnormal high
        ("H", "N", "H"),
        ("N", "N", "N"),
        ("HH", "H", "HH"),
    ],
)
@pytest.mark.parametrize("reverse", [False, True], ids=["in order", "reversed"])
def test_worst_flag_from_both_sides(
    tmp_path: Path, first: str, second: str, worst: str, reverse: bool
) -> None:
    rows = [("P1", _at(0), "K", POTASSIUM[first][0]), ("P1", _at(1), "K", POTASSIUM[second][0])]
    found = _one(tmp_path, rows[::-1] if reverse else rows)
    assert found["potassium_worst_flag"] == worst
    assert found["potassium_worst_grade"] == str(max(POTASSIUM[first][1], POTASSIUM[second][1]))
    assert found["potassium_results"] == "2"
    abnormal = sum(flag != "N" for flag in (first, second))
    assert found["potassium_abnormal"] == found["abnormal_results"] == str(abnormal)
    critical = sum(flag in ("LL", "HH") for flag in (first, second))
    assert found["critical_results"] == str(critical)


# -- the latest result: by time, not by input order


def test_latest_is_by_time_not_by_row(tmp_path: Path) -> None:
    found = _one(
        tmp_path,
        [
            ("P1", _at(48), "K", "3.2"),  # the latest, first in the file
            ("P1", _at(0), "K", "4.4"),
            ("P1", "sometime", "K", "5.8"),  # last in the file, its time not read
            ("P1", _at(24), "K", "4.0"),
        ],
    )
    assert found["potassium_latest_value"] == "3.2"
    assert found["potassium_latest_unit"] == "mmol/L"
    assert found["potassium_latest_mmol_l"] == "3.2"
    assert found["potassium_latest_time"] == "2026-03-03T08:00:00"
    assert found["potassium_results"] == "4"  # the one without a time counts


def test_latest_at_the_same_time_is_the_later_row(tmp_path: Path) -> None:
    found = _one(tmp_path, [("P1", _at(0), "K", "4.4"), ("P1", _at(0), "K", "4.0")])
    assert found["potassium_latest_value"] == "4.0"


def test_without_any_time_the_latest_is_the_last_row(tmp_path: Path) -> None:
    found = _one(tmp_path, [("P1", "sometime", "K", "4.4"), ("P1", "never", "K", "4.0")])
    assert (found["potassium_latest_value"], found["potassium_latest_time"]) == ("4.0", "")


def test_latest_value_as_written_with_its_unit(tmp_path: Path) -> None:
    text = (
        "patient_id,collected,test,value,valuenum,unit\n"
        "P1,2026-03-01 08:00,Calcium,___,7.6,mg/dL\n"  # masked: its numeric twin
        "P1,2026-03-01 08:00,Magnesium,<0.6,,mg/dL\n"
    )
    (found,) = _table(tmp_path, text)
    assert (found["calcium_latest_value"], found["calcium_latest_unit"]) == ("7.6", "mg/dL")
    assert found["calcium_latest_mmol_l"] == "1.896"
    assert found["magnesium_latest_value"] == "<0.6"


# -- the order of the patients


def test_patients_most_serious_first(tmp_path: Path) -> None:
    rows = [
        ("n2", _at(0), "K", "4.0"),  # normal: by id, after n1
        ("n1", _at(0), "K", "4.0"),
        ("one-low", _at(0), "Mg", "0.6"),  # L, grade 1, one abnormal
        ("two-low", _at(0), "K", "3.2"),  # L, grade 1, two abnormal
        ("two-low", _at(1), "K", "3.2"),
        ("three-low", _at(0), "K", "3.2"),  # grade 1, three abnormal: after grade 2
        ("three-low", _at(1), "K", "3.2"),
        ("three-low", _at(2), "K", "3.2"),
        ("grade2", _at(0), "Na", "125"),  # L, grade 2
        ("grade3", _at(0), "Na", "121"),  # L, grade 3, three abnormal
        ("grade3", _at(1), "Na", "121"),
        ("grade3", _at(2), "Na", "121"),
        ("critical", _at(0), "K", "2.7"),  # LL, grade 3, one abnormal: first
    ]
    order = [row["patient"] for row in _table(tmp_path, _file(rows))]
    assert order == ["critical", "grade3", "grade2", "three-low", "two-low", "one-low", "n1", "n2"]


def test_corrected_results_are_analytes_of_their_own(tmp_path: Path) -> None:
    # A calcium corrected by its panel's albumin is not graded itself; the corrected one is.
    text = (
        "patient_id,collected,test,value,unit\n"
        "a,2026-03-01 08:00,Potassium,4.0,mmol/L\n"
        "b,2026-03-01 08:00,Calcium,7.6,mg/dL\n"
        "b,2026-03-01 08:00,Albumin,2.5,g/dL\n"
    )
    found = _table(tmp_path, text)
    # b's calcium is low (one abnormal result), its corrected calcium normal.
    assert [(p["patient"], p["worst_grade"]) for p in found] == [("b", "0"), ("a", "0")]
    assert (found[0]["calcium_worst_flag"], found[0]["calcium_worst_grade"]) == ("L", "")
    assert found[0]["corrected_calcium_worst_flag"] == "N"
    assert found[0]["corrected_calcium_latest_value"] == ""  # nothing written: it is made
    assert found[0]["corrected_calcium_latest_mmol_l"] == "2.196"
    assert found[0]["results"] == "2" and found[1]["calcium_results"] == ""


# -- patterns and changes over time


def test_patterns_changes_and_fastest_sodium_rise(tmp_path: Path) -> None:
    found = {row["patient"]: row for row in _table(tmp_path, _file(_CHANGES))}
    s1 = found["S1"]
    assert (s1["correction_rate_notes"], s1["delta_check_notes"], s1["trend_notes"]) == (
        "1",
        "0",
        "1",
    )
    # 116 to 122 in 8 h is 18 per 24 h; 122 to 130 in 12 h 16.
    assert s1["sodium_fastest_rise_per_24h"] == "18.0"
    assert s1["sodium_fastest_rise_from"] == "2026-03-01T08:00:00"
    assert s1["sodium_fastest_rise_at"] == "2026-03-01T16:00:00"
    assert found["S3"]["delta_check_notes"] == "1"
    assert found["S3"]["sodium_fastest_rise_per_24h"] == ""  # a fall is no rise
    assert found["P1"]["patterns"] == "mg-first-k"


_CHANGES = [
    ("S1", _at(0), "Sodium", "116"),
    ("S1", _at(20), "Sodium", "130"),
    ("S1", _at(8), "Sodium", "122"),
    ("S3", _at(2), "Sodium", "140"),
    ("S3", _at(50), "Sodium", "125"),
    ("P1", _at(0), "Potassium", "3.1"),
    ("P1", _at(0), "Magnesium", "0.4"),
]


def test_counts_add_up_to_the_run_summary(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_file(_CHANGES), encoding="utf-8")
    options = BatchOptions(by_patient=tmp_path / "patients.parquet")
    summary = run_batch(source, tmp_path / "out.csv", options=options)
    table = pl.read_parquet(tmp_path / "patients.parquet")
    assert table["results"].sum() == summary.results
    assert summary.panels is not None
    notes = summary.panels.notes
    assert table["correction_rate_notes"].sum() == notes["correction_rate"]
    assert table["delta_check_notes"].sum() == notes["delta_check"]
    assert table["trend_notes"].sum() == notes["trend"]
    assert summary.by_patient is not None and summary.by_patient.patients == 3


def test_without_a_time_column_the_change_columns_are_empty(tmp_path: Path) -> None:
    text = "patient_id,specimen_id,test,value\nP1,A1,K,3.1\nP1,A2,K,3.0\n"
    (found,) = _table(tmp_path, text)
    assert found["potassium_results"] == "2"
    assert found["trend_notes"] == found["correction_rate_notes"] == ""


# -- rows without a patient id: under the empty id, counted


def test_empty_patient_is_gathered_and_counted(tmp_path: Path) -> None:
    text = _file(
        [
            ("", _at(0), "K", "2.5"),
            ("  ", _at(1), "Na", "140"),
            ("P1", _at(0), "K", "4.0"),
        ]
    )
    result = _run(tmp_path, text)
    assert result.exit_code == ExitCode.OK, result.output
    assert f"per patient: 2 patients, written to '{tmp_path / 'patients.csv'}'" in result.stderr
    assert "2 results without a patient id: gathered under the empty patient id" in result.stderr
    with open(tmp_path / "patients.csv", newline="", encoding="utf-8") as found:
        table = list(csv.DictReader(found))
    assert [(p["patient"], p["results"]) for p in table] == [("", "2"), ("P1", "1")]


# -- refused where the rows do not say whose they are


@pytest.mark.parametrize(
    ("text", "args", "said"),
    [
        ("mrn,K,Na\n1,3.1,140\n", [], "needs a long file (one result per row)"),
        ("specimen_id,test,value\nA,K,3.1\n", [], "name it with --patient-column"),
        ("test,value\nK,3.1\n", [], "name them with --patient-column and --time-column"),
        (_file([("P1", _at(0), "K", "3.1")]), ["--no-panels"], "not with --no-panels"),
    ],
    ids=["wide", "specimen, no patient", "no patient, no time", "no panels"],
)
def test_refused_without_a_patient_column(
    tmp_path: Path, text: str, args: list[str], said: str
) -> None:
    result = _run(tmp_path, text, *args)
    assert result.exit_code == ExitCode.ERROR
    assert said in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "patients.csv").exists() and not (tmp_path / "out.csv").exists()


def test_refused_in_the_api_as_an_input_error(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("mrn,K\n1,3.1\n", encoding="utf-8")
    with pytest.raises(InputError, match="--by-patient needs a long file"):
        run_batch(source, tmp_path / "out.csv", options=BatchOptions(by_patient="p.csv"))


@pytest.mark.parametrize(
    ("target", "args", "said"),
    [
        ("patients.json", [], "JSON Lines is written, one object per line"),
        ("out.csv", [], "is the output file"),
        ("in.csv", [], "is the input file"),
    ],
)
def test_refused_targets(tmp_path: Path, target: str, args: list[str], said: str) -> None:
    result = _run(tmp_path, _file([("P1", _at(0), "K", "3.1")]), *args, target=target)
    assert result.exit_code == ExitCode.ERROR
    assert said in result.stderr


def test_stdout_needs_the_output_in_a_file(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_file([("P1", _at(0), "K", "3.1")]), encoding="utf-8")
    result = runner.invoke(app, ["batch", str(source), "--by-patient", "-"])
    assert result.exit_code == ExitCode.ERROR
    assert "stdout already holds the output" in result.stderr


def test_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(table: pl.DataFrame, handle: Any, plan: Any) -> None:
        handle.write(b"patient,results\n")
        raise InputError("disk full")

    monkeypatch.setattr(by_patient, "_write", failing)
    result = _run(tmp_path, _file([("P1", _at(0), "K", "3.1")]))
    assert result.exit_code == ExitCode.ERROR
    assert "disk full" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # neither file, no part


@pytest.mark.parametrize(
    ("target", "said"),
    [("folder", "it is a directory"), ("nowhere/patients.csv", "no such folder")],
)
def test_unwritable_target_refused_before_the_run(tmp_path: Path, target: str, said: str) -> None:
    (tmp_path / "folder").mkdir()
    result = _run(tmp_path, _file([("P1", _at(0), "K", "3.1")]), target=target)
    assert result.exit_code == ExitCode.ERROR
    assert said in result.stderr
    assert not (tmp_path / "out.csv").exists()


# -- each output format


def _read(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet":
        return pl.read_parquet(path).to_dicts()
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    delimiter = "\t" if path.suffix == ".tsv" else ","
    with open(path, newline="", encoding="utf-8") as found:
        return list(csv.DictReader(found, delimiter=delimiter))


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet", ".txt"])
def test_each_format(tmp_path: Path, suffix: str) -> None:
    rows = [("P1", _at(0), "K", "3.1"), ("P1", _at(0), "Mg", "0.4"), ("P2", _at(0), "K", "7.5")]
    result = _run(tmp_path, _file(rows), "--quiet", target=f"patients{suffix}")
    assert result.exit_code == ExitCode.OK, result.output
    found = _read(tmp_path / f"patients{suffix}")
    assert [str(p["patient"]) for p in found] == ["P2", "P1"]
    assert str(found[0]["potassium_worst_flag"]) == "HH"
    assert str(found[1]["magnesium_latest_mmol_l"]) == "0.4"
    if suffix == ".jsonl":
        assert found[1]["patterns"] == ["mg-first-k"] and found[0]["patterns"] == []
        assert found[0]["potassium_worst_grade"] == 4
    elif suffix == ".parquet":
        assert found[1]["patterns"] == "mg-first-k" and found[0]["results"] == 1
    else:
        assert found[1]["patterns"] == "mg-first-k"


def test_unknown_extension_follows_the_output(tmp_path: Path) -> None:
    rows = [("P1", _at(0), "K", "3.1")]
    result = _run(tmp_path, _file(rows), "--quiet", "--format", "jsonl", target="patients.txt")
    assert result.exit_code == ExitCode.OK, result.output
    assert json.loads((tmp_path / "patients.txt").read_text("utf-8"))["patient"] == "P1"


def test_stdout_beside_an_output_file(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_file([("P1", _at(0), "K", "3.1")]), encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--by-patient", "-"])
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.startswith("patient,results,abnormal_results,critical_results,")
    assert "per patient: 1 patient, written to stdout" in result.stderr
    assert out.exists()


# -- the same answer in any row order and any batches


def _shuffled(text: str, seed: int) -> str:
    header, *lines = text.splitlines(keepends=True)
    random.Random(seed).shuffle(lines)
    return header + "".join(lines)


_TESTS = {"K": ("2.5", "3.2", "4.0", "5.8", "6.8"), "Na": ("116", "121", "128", "140", "152")}
_TESTS["Mg"] = ("0.3", "0.6", "0.8", "1.2")
row_strategy = st.tuples(
    st.sampled_from(["P1", "P2", "P3", ""]),
    st.integers(0, 96),
    st.sampled_from(sorted(_TESTS)),
    st.integers(0, 4),
)


@settings(max_examples=25, deadline=None)
@given(
    # One result per patient, test and hour: at the same time, the later row would be the
    # latest, and the order of the rows would count (as it does for changes over time).
    found=st.lists(row_strategy, min_size=1, max_size=30, unique_by=lambda r: r[:3]),
    seed=st.integers(0, 1000),
)
def test_shuffled_rows_give_the_same_summary(
    tmp_path_factory: pytest.TempPathFactory, found: list[tuple[str, int, str, int]], seed: int
) -> None:
    rows = [(p, _at(h), t, _TESTS[t][v % len(_TESTS[t])]) for p, h, t, v in found]
    text = _file(rows)
    one = _table(tmp_path_factory.mktemp("a"), text)
    other = _table(tmp_path_factory.mktemp("b"), _shuffled(text, seed))
    assert one == other
    assert sum(int(p["results"]) for p in one) == len(rows)


def test_batches_give_the_same_summary_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    rows = [
        (f"P{rng.randrange(12)}", _at(rng.randrange(200)), test, rng.choice(_TESTS[test]))
        for test in rng.choices(sorted(_TESTS), k=400)
    ]
    text = _file(rows)
    (tmp_path / "whole").mkdir()
    whole = _table(tmp_path / "whole", text)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 256)  # batches of a few rows
    monkeypatch.setattr(panel_reading, "HELD_BYTES", 0)  # kept as read, not joined
    monkeypatch.setattr(by_patient, "_FOLD_AT", 3)  # folded again and again
    (tmp_path / "split").mkdir()
    split = _table(tmp_path / "split", text)
    assert split == whole
    assert len(whole) == 12


def test_batches_are_many_in_the_split_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The split run above does read the file in many batches, and folds them."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 256)
    monkeypatch.setattr(panel_reading, "HELD_BYTES", 0)  # kept as read, not joined
    monkeypatch.setattr(by_patient, "_FOLD_AT", 20)  # a few batches gathered, then folded
    folds = []
    original = by_patient.PatientTable._fold

    def counting(self: by_patient.PatientTable) -> None:
        folds.append(len(self.rows))
        original(self)

    monkeypatch.setattr(by_patient.PatientTable, "_fold", counting)
    rows = [(f"P{n % 5}", _at(n), "K", "4.0") for n in range(100)]
    _table(tmp_path, _file(rows))
    assert len(folds) > 3 and max(folds) > 1


def test_options_reach_the_api(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("who,when,test,value\nA,2026-03-01 08:00,K,3.1\n", encoding="utf-8")
    options = BatchOptions(
        layout=LayoutOptions(patient_column="who", time_column="when"),
        by_patient=str(tmp_path / "p.jsonl"),
    )
    summary = run_batch(source, tmp_path / "out.csv", options=options)
    assert summary.to_dict()["by_patient"] == {
        "path": str(tmp_path / "p.jsonl"),
        "patients": 1,
        "results_without_id": 0,
    }
    line = json.loads((tmp_path / "p.jsonl").read_text("utf-8"))
    assert (line["patient"], line["potassium_worst_flag"]) == ("A", "L")


def test_by_patient_must_be_a_path(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_file([("P1", _at(0), "K", "3.1")]), encoding="utf-8")
    with pytest.raises(ArgumentError, match="by_patient"):
        run_batch(source, None, options=BatchOptions(by_patient=3))  # type: ignore[arg-type]


def test_a_patient_without_notes_has_none_of_each(tmp_path: Path) -> None:
    found = _one(tmp_path, [("P1", _at(0), "K", "4.0")])
    assert (found["correction_rate_notes"], found["delta_check_notes"]) == ("0", "0")
    assert (found["trend_notes"], found["patterns"]) == ("0", "")


def test_prefixed_names_and_a_row_read_by_the_csv_module(tmp_path: Path) -> None:
    # A flag column makes electrocheck's names ec_...; a row with a field too many makes the
    # run start again with the csv module: the table is counted once, from that run.
    text = (
        "patient_id,collected,test,value,flag\n"
        "P1,2026-03-01 08:00,K,2.6,LL\n"
        "P1,2026-03-01 09:00,K,3.6,,extra\n"
        "P2,2026-03-01 08:00,Na,128,L\n"
    )
    found = _table(tmp_path, text)
    assert [(p["patient"], p["results"]) for p in found] == [("P1", "2"), ("P2", "1")]
    assert (found[0]["potassium_worst_flag"], found[0]["potassium_latest_value"]) == ("LL", "3.6")
