"""A lab's flag written in a cell (2.6 LL, 3.1 (L), 3.1*), a lab's flag column, and the lab's
reference range as text: read in the wide layout and the long alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from batch_files import jsonl_rows, rows, run  # pytest puts tests/batch on sys.path
from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck.batch.layout import LayoutOptions
from electrocheck.batch.run import interpret_frame
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.reference import Reference

LAYOUTS = ("wide", "long")
HEADERS = {"potassium": "K [mmol/L]", "sodium": "Sodium [mmol/L]"}
LABELS = {"potassium": "Potassium", "sodium": "Sodium"}


def one_value(layout: str, analyte: str, cell: str, extra: dict[str, str] | None = None) -> str:
    """A file of one value of ``analyte`` in ``layout``, with extra columns (name: cell)."""
    extra = extra or {}
    quoted = [f'"{c}"' if "," in c else c for c in (cell, *extra.values())]
    if layout == "wide":
        header = ["id", HEADERS[analyte], *extra]
        return ",".join(header) + "\n" + ",".join(["1", *quoted]) + "\n"
    header = ["id", "test", "value", "unit", *extra]
    values = ["1", LABELS[analyte], quoted[0], "mmol/L", *quoted[1:]]
    return ",".join(header) + "\n" + ",".join(values) + "\n"


def result_of(layout: str, analyte: str, row: dict[str, str], prefix: str = "") -> dict[str, str]:
    """The result columns of a row, by their long-layout names."""
    start = prefix if layout == "long" else f"{prefix}{analyte}_"
    names = {
        "value_mmol_l" if layout == "long" else "mmol_l": "mmol_l",
        "flag": "flag",
        "lab_flag": "lab_flag",
        "grade": "grade",
    }
    found = {short: row.get(start + name, "<absent>") for name, short in names.items()}
    found["errors"] = row[f"{prefix}errors"]
    return found


# (analyte, cell, mmol/L, electrocheck's flag, the lab's flag as written)
FLAGGED = [
    ("potassium", "2.6 LL", "2.6", "LL", "LL"),
    ("potassium", "2.6LL", "2.6", "LL", "LL"),
    ("potassium", "6.8 HH", "6.8", "HH", "HH"),
    ("potassium", "3.1 (L)", "3.1", "L", "(L)"),
    ("potassium", "3.1(L)", "3.1", "L", "(L)"),
    ("potassium", "3.1*", "3.1", "L", "*"),
    ("potassium", "3.1 H", "3.1", "L", "H"),  # the lab's flag is kept, even a wrong one
    ("potassium", "3.1 [H]", "3.1", "L", "[H]"),
    ("potassium", "3.1 !", "3.1", "L", "!"),
    ("potassium", "3.1 H*", "3.1", "L", "H*"),
    ("potassium", "3.1 Low", "3.1", "L", "Low"),
    ("potassium", "3.1 critical low", "3.1", "L", "critical low"),
    ("potassium", "4.1 N", "4.1", "N", "N"),
    ("potassium", "4.1 A", "4.1", "N", "A"),
    ("potassium", "3.1 mmol/L H", "3.1", "L", "H"),
    ("potassium", "3.1 mmol/L LL", "3.1", "L", "LL"),
    ("potassium", "3.1 mEq/L L", "3.1", "L", "L"),
    ("potassium", "3.1 mmol/L*", "3.1", "L", "*"),
    ("potassium", "3.1 mmol/L (L)", "3.1", "L", "(L)"),
    ("potassium", "<2.5 LL", "2.5", "LL", "LL"),
    ("sodium", "121 L", "121.0", "L", "L"),
    ("sodium", ">160 HH", "160.0", "HH", "HH"),
    ("sodium", "GREATER THAN 180 HH", "180.0", "HH", "HH"),
]
# A cell whose last word is part of its unit, or is no flag: nothing is taken for a flag.
NOT_FLAGS = [
    ("potassium", "3.1 mmol/L", "3.1", "L"),
    ("potassium", "3.1 mmol / L", "3.1", "L"),
    ("potassium", "3.1 mmol/ L", "3.1", "L"),
    ("sodium", "128 mEq/L", "128.0", "L"),
]
# Cells that stay unreadable: a unit, a comment or a flag in a place electrocheck does not read.
UNREADABLE = [
    ("potassium", "3.1 l", "unit 'l'"),  # lower case: a litre, not a flag
    ("potassium", "4.5 hemolyzed", "unit 'hemolyzed'"),
    ("potassium", "H 3.1", "is not a number"),
    ("potassium", "3.1 (H) mmol/L", "not"),
    ("potassium", "LL", "is not a number"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("analyte", "cell", "mmol", "flag", "lab_flag"), FLAGGED)
def test_a_flag_after_the_number_is_read_and_kept(
    tmp_path: Path, layout: str, analyte: str, cell: str, mmol: str, flag: str, lab_flag: str
) -> None:
    out = rows(run(tmp_path, one_value(layout, analyte, cell), "--lab-flags"))
    got = result_of(layout, analyte, out[0])
    assert (got["mmol_l"], got["flag"], got["lab_flag"], got["errors"]) == (
        mmol,
        flag,
        lab_flag,
        "",
    )


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("analyte", "cell", "mmol", "flag"), NOT_FLAGS)
def test_a_unit_is_not_taken_for_a_flag(
    tmp_path: Path, layout: str, analyte: str, cell: str, mmol: str, flag: str
) -> None:
    out = rows(run(tmp_path, one_value(layout, analyte, cell), "--lab-flags"))
    got = result_of(layout, analyte, out[0])
    assert (got["mmol_l"], got["flag"], got["lab_flag"], got["errors"]) == (mmol, flag, "", "")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("analyte", "cell", "error"), UNREADABLE)
def test_what_is_not_a_flag_stays_unreadable(
    tmp_path: Path, layout: str, analyte: str, cell: str, error: str
) -> None:
    result = run(tmp_path, one_value(layout, analyte, cell), "--fail-on", "critical")
    got = result_of(layout, analyte, rows(result)[0])
    assert got["flag"] == "" and error in got["errors"]
    # An unreadable value may be the critical one: --fail-on does not let it pass.
    assert result.exit_code == ExitCode.CONDITION_MET


@pytest.mark.parametrize("layout", LAYOUTS)
def test_flagged_critical_values_fail_fail_on(tmp_path: Path, layout: str) -> None:
    # Before, "2.6 LL" was an unreadable cell ("unit 'L' is a volume") and exit 0.
    result = run(tmp_path, one_value(layout, "potassium", "2.6 LL"), "--fail-on", "critical")
    assert result.exit_code == ExitCode.CONDITION_MET
    clean = run(tmp_path, one_value(layout, "potassium", "4.1 N"), "--fail-on", "critical")
    assert clean.exit_code == ExitCode.OK


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clean_files_keep_their_columns(tmp_path: Path, layout: str) -> None:
    """lab_flag appears where the file has a flag column, or with --lab-flags: the output's
    columns depend on the header alone, and a file without flags keeps its columns."""
    text = one_value(layout, "potassium", "2.6 LL")
    header = rows(run(tmp_path, text))[0].keys()
    assert not any("lab_flag" in name for name in header)
    assert any("lab_flag" in name for name in rows(run(tmp_path, text, "--lab-flags"))[0])


# (the lab's flag column, the cell, electrocheck's flag, whether they disagree)
FLAG_COLUMN = [
    ("L", "3.1", "L", False),
    ("LL", "3.1", "L", False),  # the same direction: the lab's critical limits are its own
    ("H", "3.1", "L", True),
    ("N", "3.1", "L", True),
    ("abnormal", "3.1", "L", False),
    ("abnormal", "4.1", "N", True),
    ("*", "4.1", "N", True),
    ("L", "4.1", "N", True),
    ("H", "6.8", "HH", False),
    ("", "4.1", "N", False),
    ("D", "4.1", "N", False),  # a flag electrocheck cannot read is kept, not compared
    ("", "3.1 H", "L", True),  # no flag in the column: the cell's
    ("L", "3.1 H", "L", False),  # the column's wins
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("column", "cell", "flag", "disagree"), FLAG_COLUMN)
def test_the_labs_flag_column_and_disagreements(
    tmp_path: Path, layout: str, column: str, cell: str, flag: str, disagree: bool
) -> None:
    name = "flag" if layout == "long" else "K flag"
    text = one_value(layout, "potassium", cell, {name: column})
    out = rows(run(tmp_path, text))
    # A long file's own "flag" column takes electrocheck's column names: they get "ec_".
    prefix = "ec_" if layout == "long" else ""
    got = result_of(layout, "potassium", out[0], prefix)
    shown = column or (cell.split()[1] if " " in cell else "")
    assert (got["flag"], got["lab_flag"]) == (flag, shown)
    jsonl = run(tmp_path, text, "--format", "jsonl")
    record = jsonl_rows(jsonl.stdout)[0][f"{prefix}results"][0]
    notes = [n for n in record["notes"] if "disagrees" in n]
    assert bool(notes) == disagree
    assert record["lab_flag"] == (shown or None)
    if disagree:
        assert f"the lab's own flag, {shown}, disagrees with electrocheck's, {flag}" in notes[0]
    summary = run_summary(tmp_path, text)
    assert summary["lab_flag_disagreements"] == int(disagree)


def run_summary(tmp_path: Path, text: str, *args: str) -> Any:
    target = tmp_path / "summary.json"
    result = run(tmp_path, text, "--summary-json", str(target), *args)
    assert result.exit_code in (ExitCode.OK, ExitCode.CONDITION_MET), result.output
    return json.loads(target.read_text("utf-8"))


# (range text, value, electrocheck's flag, limits)
RANGES = [
    ("3.3-5.1", "3.4", "N", "lab"),
    ("3.3 - 5.1", "3.4", "N", "lab"),
    ("3.3 – 5.1", "3.4", "N", "lab"),
    ("3.3 to 5.1", "3.4", "N", "lab"),
    ("(3.3-5.1)", "3.4", "N", "lab"),
    ("3.3 - 5.1 mmol/L", "3.4", "N", "lab"),
    ("3.3-5.1 mEq/L", "3.4", "N", "lab"),
    ("3.7-5.1", "3.6", "L", "lab"),  # the lab's low limit is higher than the file's 3.5
    ("<5.1", "3.4", "L", "lab"),  # one limit: the reference file's low limit on the other side
    ("<5.1", "5.2", "H", "lab"),
    ("<4.5", "4.8", "H", "lab"),  # within the file's interval, above the lab's upper limit
    ("<=5.1", "5.1", "N", "lab"),
    (">=3.0", "3.2", "N", "lab"),
    (">=3.0", "5.2", "H", "lab"),
    ("> 3.0 mmol/L", "3.2", "N", "lab"),
    ("", "3.4", "L", "reference"),
    ("see comment", "3.4", "L", "reference"),
    ("5.1-3.3", "3.4", "L", "reference"),  # not in order: not used
    ("<3.0", "3.4", "L", "reference"),  # below the file's low limit: no interval left
    ("3.3-5.1 furlongs", "3.4", "L", "reference"),  # a unit that is not one: not used
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("text", "value", "flag", "limits"), RANGES)
def test_reference_range_text(
    tmp_path: Path, layout: str, text: str, value: str, flag: str, limits: str
) -> None:
    name = "reference range" if layout == "long" else "K ref range"
    source = one_value(layout, "potassium", value, {name: text})
    record = jsonl_rows(run(tmp_path, source, "--format", "jsonl").stdout)[0]["results"][0]
    assert (record["flag"], record["limits"]) == (flag, limits)
    csv_row = rows(run(tmp_path, source))[0]
    assert result_of(layout, "potassium", csv_row)["flag"] == flag


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_range_in_another_unit_is_converted(tmp_path: Path, layout: str) -> None:
    # Calcium 2.0 mmol/L beside the lab's 8.6-10.2 mg/dL (2.15-2.55 mmol/L): low.
    name = "reference range" if layout == "long" else "Calcium ref range"
    if layout == "wide":
        source = f"id,Calcium [mmol/L],{name}\n1,2.0,8.6-10.2 mg/dL\n2,2.3,8.6-10.2 mg/dL\n"
    else:
        source = (
            f"id,test,value,unit,{name}\n1,Calcium,2.0,mmol/L,8.6-10.2 mg/dL\n"
            "2,Calcium,2.3,mmol/L,8.6-10.2 mg/dL\n"
        )
    found = [row["results"][0] for row in jsonl_rows(run(tmp_path, source, "-f", "jsonl").stdout)]
    assert [(r["flag"], r["limits"], r["low"]) for r in found] == [
        ("L", "lab", 2.146),
        ("N", "lab", 2.146),
    ]


def test_the_lab_limits_note_says_which_side_came_from_the_lab(tmp_path: Path) -> None:
    source = one_value("long", "potassium", "5.2", {"reference range": "<5.1"})
    record = jsonl_rows(run(tmp_path, source, "-f", "jsonl").stdout)[0]["results"][0]
    assert "the lab's own upper limit given in this row, and the reference file's lower" in (
        " ".join(record["notes"])
    )


FLAG_WORDS = ["L", "LL", "H", "HH", "N", "A", "AA", "(L)", "[H]", "*", "!", "H*", "Low", "high"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=80, max_value=1500),
            st.sampled_from(["", " mmol/L", " mEq/L", "mmol/L"]),
            st.sampled_from(FLAG_WORDS),
            st.sampled_from(["", "<", ">"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_a_flag_changes_nothing_but_lab_flag(ref: Reference, cells: list[Any]) -> None:
    """Any value, with any flag after it, gets the same result as without it."""
    plain = [f"{sign}{n / 100:g}{unit}" for n, unit, _, sign in cells]
    flagged = [
        f"{text} {flag}" if flag[0].isalpha() or not unit else f"{text}{flag}"
        for text, (_, unit, flag, _) in zip(plain, cells, strict=True)
    ]
    options = LayoutOptions(lab_flags=True)
    without = interpret_frame(pl.DataFrame({"K": plain}), ref, options)
    with_flags = interpret_frame(pl.DataFrame({"K": flagged}), ref, options)
    names = ["potassium_mmol_l", "potassium_flag", "potassium_grade", "potassium_censored"]
    assert with_flags.select(names).equals(without.select(names))
    assert with_flags["potassium_lab_flag"].to_list() == [flag for _, _, flag, _ in cells]
    assert without["potassium_lab_flag"].null_count() == len(cells)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_lab_flag_without_a_value(tmp_path: Path, layout: str) -> None:
    name = "flag" if layout == "long" else "K flag"
    prefix = "ec_" if layout == "long" else ""
    out = rows(run(tmp_path, one_value(layout, "potassium", "", {name: "H"})))
    got = result_of(layout, "potassium", out[0], prefix)
    assert (got["flag"], got["lab_flag"], got["errors"]) == ("", "", "")
