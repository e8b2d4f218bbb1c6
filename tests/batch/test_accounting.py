"""Every row accounted for: the summary (stderr and --summary-json) counts each long row, and
each cell of a wide file's analyte columns, by what became of it, names the tests it did not
read, and lists a wide file's columns that nothing was read from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from electrocheck.batch.summary import FATE_NAMES
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()


def run(tmp_path: Path, text: str | bytes, *args: str) -> tuple[Any, dict[str, Any]]:
    source = tmp_path / "in.csv"
    source.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    target = tmp_path / "summary.json"
    target.unlink(missing_ok=True)
    result = runner.invoke(
        app,
        [
            "batch",
            str(source),
            "-o",
            str(tmp_path / "out.csv"),
            "--summary-json",
            str(target),
            *args,
        ],
    )
    summary = json.loads(target.read_text("utf-8")) if target.exists() else {}
    return result, summary


def labevents(potassium: int, empty: int, other: dict[str, int]) -> str:
    """A labevents-style long file: potassium rows, potassium rows without a value, and rows
    of other tests."""
    lines = ["subject_id,label,value,valuenum,valueuom"]
    lines += [f"{i},Potassium,4.1,4.1,mEq/L" for i in range(potassium)]
    lines += [f"{i},Potassium,,,mEq/L" for i in range(empty)]
    for name, count in other.items():
        lines += [f"{i},{name},1.0,1.0,mg/dL" for i in range(count)]
    return "\n".join(lines) + "\n"


def test_a_long_file_accounts_for_every_row(tmp_path: Path) -> None:
    text = labevents(20, 3, {"Glucose": 7, "Albumin": 4, "Creatinine": 9})
    result, summary = run(tmp_path, text)
    assert result.exit_code == ExitCode.OK
    fates = summary["fates"]
    assert summary["counted"] == "rows"
    assert fates == {
        **dict.fromkeys(FATE_NAMES, 0),
        "interpreted": 20,
        "no_value": 3,
        "covariate": 11,
        "other_test": 9,
    }
    assert sum(fates.values()) == summary["rows_read"] == 43
    assert summary["named"]["other_test"]["names"] == [{"name": "Creatinine", "count": 9}]
    assert summary["named"]["covariate"]["names"] == [
        {"name": "Glucose", "count": 7},
        {"name": "Albumin", "count": 4},
    ]
    assert "  rows: interpreted 20, covariate 11, no value 3, other test 9\n" in result.stderr
    assert "  covariates: Glucose 7, Albumin 4\n" in result.stderr
    assert "  other tests: Creatinine 9\n" in result.stderr
    # No time column, so no panels: the albumin and glucose rows corrected nothing.
    (warning,) = [w for w in summary["warnings"] if "covariates" in w]
    assert warning.startswith("11 rows of covariates (Glucose, Albumin) corrected nothing")


@pytest.mark.parametrize(
    ("specimen", "fate"),
    [("Serum", "covariate"), ("", "covariate"), ("Urine", "other_specimen")],
)
def test_a_covariate_of_another_fluid_is_another_specimen(
    tmp_path: Path, specimen: str, fate: str
) -> None:
    text = (
        "patient,time,test,value,specimen\n"
        "1,2026-03-01 08:00,Calcium,7.6 mg/dL,Serum\n"
        f"1,2026-03-01 08:00,Albumin,2.5 g/dL,{specimen}\n"
    )
    _, summary = run(tmp_path, text)
    assert summary["fates"][fate] == 1
    assert ("corrected_calcium" in summary["flags"]) is (fate == "covariate")


@pytest.mark.parametrize(
    ("args", "warned"),
    [([], False), (["--no-panels"], True)],
)
def test_covariates_in_panels_are_used_and_not_warned_of(
    tmp_path: Path, args: list[str], warned: bool
) -> None:
    text = (
        "patient,time,test,value,unit\n"
        "1,2026-03-01 08:00,Calcium,7.6,mg/dL\n"
        "1,2026-03-01 08:00,Albumin,2.5,g/dL\n"
        "1,2026-03-01 08:00,Chloride,100,mmol/L\n"
    )
    result, summary = run(tmp_path, text, *args)
    assert result.exit_code == ExitCode.OK
    assert summary["fates"]["covariate"] == 1 and summary["fates"]["other_test"] == 1
    assert summary["named"]["covariate"]["names"] == [{"name": "Albumin", "count": 1}]
    assert any("corrected nothing" in w for w in summary["warnings"]) is warned
    assert ("corrected_calcium" in summary["flags"]) is not warned


def test_a_wide_file_accounts_for_every_cell_and_column(tmp_path: Path) -> None:
    text = (
        "mrn,drawn,K,Sodium,Sodium blah,note\n"
        "1,d,4.1,140,141,a\n"
        "2,d,abc,,139,b\n"
        "3,d,,150 furlongs,,c\n"
    )
    result, summary = run(tmp_path, text)
    assert summary["counted"] == "cells"
    assert summary["fates"] == {
        **dict.fromkeys(FATE_NAMES, 0),
        "interpreted": 2,
        "unreadable": 2,
        "no_value": 2,
    }
    assert sum(summary["fates"].values()) == 3 * 2  # rows x analyte columns
    assert summary["by_column"]["K"] == {
        **dict.fromkeys(FATE_NAMES, 0),
        "interpreted": 1,
        "unreadable": 1,
        "no_value": 1,
    }
    assert summary["unread_columns"] == ["mrn", "drawn", "Sodium blah", "note"]
    assert summary["lookalike_columns"] == [{"name": "Sodium blah", "count": 2}]
    assert summary["unknown"] == 2 + 2  # the unreadable cells, and Sodium blah's values
    assert "  cells: interpreted 2, unreadable value 2, no value 2\n" in result.stderr
    assert "  columns not read: mrn, drawn, Sodium blah, note\n" in result.stderr
    assert "! column Sodium blah looks like an electrolyte but is not one electrocheck knows" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("text", "strict"),
    [
        # long: a test named like an electrolyte that is not one electrocheck knows
        ("test,value\nPotassium,4.1\nPotassium blah,2.0\n", ExitCode.CONDITION_MET),
        ("test,value\nPotassium,4.1\nKalium blah,2.0\n", ExitCode.CONDITION_MET),
        ("test,value\nPotassium,4.1\nCreatinine,2.0\n", ExitCode.OK),
        ("test,value\nPotassium,4.1\nKalium blah,\n", ExitCode.OK),  # no value to read
        # wide: a column named like an electrolyte that is not one electrocheck knows
        ("id,K,Natrium blah\n1,4.1,140\n", ExitCode.CONDITION_MET),
        ("id,K,Natrium blah\n1,4.1,\n", ExitCode.OK),
        ("id,K,Creatinine\n1,4.1,1.0\n", ExitCode.OK),
    ],
)
def test_strict_fails_on_electrolytes_it_did_not_read(
    tmp_path: Path, text: str, strict: ExitCode
) -> None:
    result, summary = run(tmp_path, text, "--strict")
    assert result.exit_code == strict
    if strict == ExitCode.CONDITION_MET:
        assert "--strict:" in result.stderr and summary["unrecognised_electrolytes"] == 1
    assert run(tmp_path, text)[0].exit_code == ExitCode.OK


def test_unrecognised_electrolytes_are_named(tmp_path: Path) -> None:
    text = "test,value\nKalium blah,2.0\nKalium blah,2.1\nNatrium blah,140\n"
    result, summary = run(tmp_path, text)
    assert summary["fates"]["unrecognised_electrolyte"] == 3
    assert summary["named"]["unrecognised_electrolyte"]["names"] == [
        {"name": "Kalium blah", "count": 2},
        {"name": "Natrium blah", "count": 1},
    ]
    assert "not read: Kalium blah 2, Natrium blah 1" in result.stderr


def test_long_names_are_listed_most_frequent_first_and_capped(tmp_path: Path) -> None:
    other = {f"Test {n:03d}": n + 1 for n in range(120)}
    result, summary = run(tmp_path, labevents(1, 0, other))
    listed = summary["named"]["other_test"]
    assert len(listed["names"]) == 100
    assert listed["names"][0] == {"name": "Test 119", "count": 120}
    assert [n["count"] for n in listed["names"]] == sorted(
        (n["count"] for n in listed["names"]), reverse=True
    )
    assert listed["left_off"] == {"names": 20, "count": sum(range(1, 21))}
    line = next(x for x in result.stderr.splitlines() if x.startswith("  other tests:"))
    assert line.startswith("  other tests: Test 119 120, Test 118 119,")
    assert line.endswith(f"and 112 more names ({sum(range(1, 113)):,} rows)")


def test_a_row_of_no_test_name_is_another_test(tmp_path: Path) -> None:
    _, summary = run(tmp_path, "test,value\n,4.1\nPotassium,4.1\n")
    assert summary["named"]["other_test"]["names"] == [{"name": "(no test name)", "count": 1}]


def test_a_row_read_only_in_part_is_a_structural_error(tmp_path: Path) -> None:
    # A row with more fields than the header: its place is kept, and it is counted apart.
    text = b"test,value\nPotassium,4.1\nPotassium,2.0,extra\nPotassium,\n"
    result, summary = run(tmp_path, text)
    assert summary["fates"]["structural_error"] == 1
    assert (summary["fates"]["interpreted"], summary["fates"]["no_value"]) == (1, 1)
    assert summary["flags"] == {"potassium": {"LL": 1, "N": 1}}  # its value is still read
    assert "structural error 1" in result.stderr


def test_the_summary_json_is_written_with_quiet_and_matches_the_text(tmp_path: Path) -> None:
    text = labevents(2, 1, {"Glucose": 1})
    quiet, summary = run(tmp_path, text, "--quiet")
    assert quiet.stderr == "" and summary["rows_read"] == 4
    loud, again = run(tmp_path, text)
    assert again == summary
    assert f"{summary['rows_read']} rows read" in loud.stderr


def test_no_summary_json_when_the_run_fails(tmp_path: Path) -> None:
    result, summary = run(tmp_path, "id,name\n1,x\n")
    assert result.exit_code == ExitCode.ERROR and summary == {}
    assert not (tmp_path / "summary.json").exists()


def test_summary_json_to_a_folder_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,K\n1,4.1\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    for summary in (tmp_path / "no" / "s.json", tmp_path):
        result = runner.invoke(
            app, ["batch", str(source), "-o", str(target), "--summary-json", str(summary)]
        )
        assert result.exit_code == ExitCode.ERROR and "--summary-json" in result.stderr
        assert not target.exists()  # refused before the run: nothing written
