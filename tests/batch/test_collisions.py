"""No header collisions, ever: when an input column already has a name electrocheck adds
(compared ignoring case), every name electrocheck adds takes the prefix ec_, in CSV and in
JSON Lines alike, and the input's fields keep their names."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from batch_files import jsonl_rows  # pytest puts tests/batch on sys.path
from typer.testing import CliRunner

from electrocheck.batch.run import interpret_frame
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.reference import Reference

runner = CliRunner()


def run(tmp_path: Path, text: str, *args: str) -> Any:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["batch", str(source), "--quiet", *args])
    assert result.exit_code == ExitCode.OK, result.output
    return result


def header_of(result: Any) -> list[str]:
    return next(csv.reader(io.StringIO(result.stdout)))


def files(extra: str) -> dict[str, str]:
    """A wide and a long file, each with one more input column, ``extra``."""
    return {
        "wide": f"id,K,{extra}\n1,2.6,x\n",
        "long": f"id,test,value,{extra}\n1,Potassium,2.6,x\n",
    }


# (an input column, the prefix electrocheck's names take in the wide file, in the long)
NAMES = [
    ("note", "", ""),
    ("errors", "ec_", "ec_"),
    ("Errors", "ec_", "ec_"),  # ignoring case, as SQLite and spreadsheets compare names
    ("flag", "", "ec_"),  # only the long file adds a column "flag"
    ("potassium_flag", "ec_", ""),  # only the wide file adds "potassium_flag"
    ("patterns", "ec_", "ec_"),  # a JSON key of either file: one naming for the file
    ("results", "ec_", "ec_"),
    ("record", "ec_", "ec_"),  # the kind of each JSON Lines record
    ("analyte", "", "ec_"),
    ("ec_errors", "", ""),  # not a name electrocheck adds, unless it must prefix
]


@pytest.mark.parametrize("layout", ["wide", "long"])
@pytest.mark.parametrize(("extra", "wide", "long"), NAMES)
def test_one_prefix_for_every_added_name(
    tmp_path: Path, layout: str, extra: str, wide: str, long: str
) -> None:
    prefix = wide if layout == "wide" else long
    text = files(extra)[layout]
    result = run(tmp_path, text)
    header = header_of(result)
    inputs = text.splitlines()[0].split(",")
    assert header[: len(inputs)] == inputs  # the input's names, as they were
    added = header[len(inputs) :]
    assert all(name.startswith(prefix) for name in added)
    assert (f"{prefix}errors" in added) and (f"{prefix}errors" == added[-1])
    folded = [name.casefold() for name in header]
    assert len(set(folded)) == len(folded)  # no name twice, even ignoring case
    record = jsonl_rows(run(tmp_path, text, "--format", "jsonl").stdout)[0]
    keys = list(record)
    assert keys[0] == f"{prefix}record"
    assert keys[1 : len(inputs) + 1] == inputs
    assert keys[len(inputs) + 1 :] == [
        f"{prefix}{key}"
        for key in ("results", "patterns", "errors")
        if layout == "wide" or key != "patterns"
    ]
    assert record[extra] == "x"
    assert record[f"{prefix}results"][0]["flag"] == "LL"


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_when_ec_names_are_taken_too(tmp_path: Path, layout: str) -> None:
    text = files("errors,ec_errors")[layout].replace(",x\n", ",x,y\n")
    header = header_of(run(tmp_path, text))
    assert header[-1] == "ec2_errors" and header.count("errors") == 1
    record = jsonl_rows(run(tmp_path, text, "-f", "jsonl").stdout)[0]
    assert (record["errors"], record["ec_errors"], record["ec2_errors"]) == ("x", "y", [])


def test_a_long_file_with_its_own_flag_column(tmp_path: Path) -> None:
    """The report's example: an input column "flag" gave a CSV header with "flag" twice."""
    text = "test,value,unit,flag\nPotassium,2.6,mmol/L,LL\nSodium,140,mmol/L,\n"
    out = list(csv.DictReader(io.StringIO(run(tmp_path, text).stdout)))
    assert [(r["flag"], r["ec_flag"], r["ec_lab_flag"]) for r in out] == [
        ("LL", "LL", "LL"),
        ("", "N", ""),
    ]


def test_interpret_frame_takes_the_same_prefix(ref: Reference) -> None:
    frame = pl.DataFrame({"K": ["2.6"], "errors": ["mine"]})
    checked = interpret_frame(frame, ref)
    assert checked["errors"].to_list() == ["mine"]
    assert checked["ec_potassium_flag"].to_list() == ["LL"]
    clean = interpret_frame(pl.DataFrame({"K": ["2.6"]}), ref)
    assert clean["potassium_flag"].to_list() == ["LL"]
