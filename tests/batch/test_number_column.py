"""Numeric twin columns: a masked or wordy text value (MIMIC's '___') falls back to the
numeric column beside it, whether the columns are found by name or named with
--value-column and --number-column."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from batch_files import run  # pytest puts tests/batch on sys.path

from electrocheck.batch.layout import LayoutOptions, detect_layout
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.reference import Reference


def flags(result: Any) -> list[tuple[str, str]]:
    assert result.exit_code == ExitCode.OK, result.output
    return [(r["flag"], r["errors"]) for r in csv.DictReader(io.StringIO(result.stdout))]


MIMIC = "label,value,valuenum,valueuom\nPotassium,___,2.5,mEq/L\nPotassium,3.1,3.1,mEq/L\n"
OWN = "label,txt,num,valueuom\nPotassium,___,2.5,mEq/L\nPotassium,3.1,3.1,mEq/L\n"
READ = [("LL", ""), ("L", "")]


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (MIMIC, []),
        (MIMIC, ["--value-column", "value"]),  # naming one no longer switches the twin off
        (MIMIC, ["--number-column", "valuenum"]),
        (MIMIC, ["--value-column", "value", "--number-column", "valuenum"]),
        (OWN, ["--value-column", "txt", "--number-column", "num"]),
        (OWN, ["--number-column", "num"]),  # the numeric column alone
    ],
)
def test_the_numeric_twin_is_used(tmp_path: Path, text: str, args: list[str]) -> None:
    assert flags(run(tmp_path, text, *args)) == READ


def test_without_a_twin_the_masked_value_is_an_error(tmp_path: Path) -> None:
    out = flags(run(tmp_path, OWN, "--value-column", "txt"))
    assert out == [("", "txt: '___' is not a number"), ("L", "")]


def test_the_text_wins_when_it_holds_a_number(tmp_path: Path) -> None:
    text = "label,value,valuenum,valueuom\nPotassium,2.5,4.1,mEq/L\n"
    assert flags(run(tmp_path, text)) == [("LL", "")]


def test_number_column_must_exist(tmp_path: Path) -> None:
    result = run(tmp_path, MIMIC, "--number-column", "nowhere")
    assert result.exit_code == ExitCode.ERROR and "--number-column" in result.output


def test_naming_the_numeric_column_as_the_value_column(ref: Reference) -> None:
    header = ["label", "value", "valuenum", "valueuom"]
    layout = detect_layout(header, ref, LayoutOptions(value_column="valuenum"))
    assert layout.long is not None
    assert (layout.long.value, layout.long.numeric) == (2, None)  # not paired with itself
    layout = detect_layout(header, ref, LayoutOptions(value_column="value"))
    assert layout.long is not None and (layout.long.value, layout.long.numeric) == (1, 2)
