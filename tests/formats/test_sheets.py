"""Excel sheets through polars' read_excel (calamine): the sheet, its header, its rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electrocheck import read_jsonl
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.errors import InputError
from electrocheck.formats import sheets
from electrocheck.formats.sheets import excel_available, open_sheet

runner = CliRunner()
needs_excel = pytest.mark.skipif(
    not excel_available(), reason="fastexcel (the excel extra) is not installed"
)
XLSX = "an Excel workbook (.xlsx)"
LABS = [
    ["Ward 5 potassium report", None, None],
    [None, None, None],
    ["mrn", "K", "Sodium"],
    [1001, 2.6, "128 mEq/L"],
    [1002, "", 140],
    [None, None, None],
    [1003, "4.1 mmol/L", 139.5],
]


def accept(fields: list[str]) -> bool:
    return "K" in fields


def _rows(result: object) -> list[dict[str, str]]:
    assert result.exit_code == ExitCode.OK, result.output  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(result.stdout)))  # type: ignore[attr-defined]


@needs_excel
def test_the_sheet_whose_header_names_an_analyte(xlsx: Callable[..., Path]) -> None:
    path = xlsx({"Notes": [["read me"]], "Labs": LABS})
    sheet = open_sheet(path, "'labs.xlsx'", XLSX, None, accept=accept)
    assert (sheet.name, sheet.header, sheet.header_line) == ("Labs", ["mrn", "K", "Sodium"], 3)
    assert sheet.skipped == ("Ward 5 potassium report",)
    assert sheet.rows.rows() == [
        ("1001", "2.6", "128 mEq/L"),
        ("1002", None, "140"),  # an empty text is no value, as in CSV
        (None, None, None),  # a blank row: counted as such by the run
        ("1003", "4.1 mmol/L", "139.5"),
    ]


@needs_excel
@pytest.mark.parametrize(("wanted", "name"), [("Labs", "Labs"), ("labs", "Labs"), ("2", "Labs")])
def test_sheet_by_name_any_case_or_number(
    xlsx: Callable[..., Path], wanted: str, name: str
) -> None:
    path = xlsx({"Notes": [["read me"]], "Labs": LABS})
    assert open_sheet(path, "'labs.xlsx'", XLSX, wanted, accept=accept).name == name


@needs_excel
def test_an_unknown_sheet_lists_the_sheets(xlsx: Callable[..., Path]) -> None:
    path = xlsx({"Notes": [["read me"]], "Labs": LABS})
    with pytest.raises(InputError) as info:
        open_sheet(path, "'labs.xlsx'", XLSX, "Results", accept=accept)
    assert str(info.value) == (
        "--sheet 'Results': 'labs.xlsx' has no such sheet; its sheets are 'Notes', 'Labs' "
        "(give a name, or a number from 1)"
    )


@needs_excel
def test_skip_lines_and_empty_columns_at_the_right(xlsx: Callable[..., Path]) -> None:
    path = xlsx({"S": [["title"], ["mrn", "K", None, None], [1, 3.1, None, None]]})
    sheet = open_sheet(path, "'labs.xlsx'", XLSX, None, skip_lines=1)
    assert sheet.header == ["mrn", "K"] and sheet.rows.rows() == [("1", "3.1")]


@needs_excel
def test_a_damaged_workbook_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "labs.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputError) as info:
        open_sheet(path, "'labs.xlsx'", "an Excel 97-2003 workbook (.xls)", None)
    assert str(info.value).startswith(
        "'labs.xlsx' looks like an Excel 97-2003 workbook (.xls) but cannot be read"
    )


def test_without_the_extra_the_message_says_how_to_install_it(
    tmp_path: Path, xlsx: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets, "excel_available", lambda: False)
    monkeypatch.chdir(tmp_path)
    xlsx({"Labs": LABS}, name="labs.dat")
    result = runner.invoke(app, ["batch", "labs.dat"])
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert result.stderr == (
        "electrocheck: error: 'labs.dat' is an Excel workbook (.xlsx): reading it needs the "
        "excel extra: pip install 'electrocheck[excel]', or save the sheet as CSV\n"
    )


@needs_excel
def test_batch_reads_a_workbook_whatever_its_name(
    tmp_path: Path, xlsx: Callable[..., Path]
) -> None:
    path = xlsx({"Notes": [["read me"]], "Labs": LABS}, name="export.csv")
    result = runner.invoke(app, ["batch", str(path)])
    rows = _rows(result)
    assert [(r["mrn"], r["potassium_flag"]) for r in rows] == [
        ("1001", "LL"),
        ("1002", ""),
        ("1003", "N"),
    ]
    assert "read sheet 'Labs', one of 2 ('Notes', 'Labs'); choose another with --sheet" in (
        result.stderr
    )
    assert "1 line of title above the header (row 3) was not read: 'Ward 5" in result.stderr
    assert "1 blank line skipped" in result.stderr


@needs_excel
def test_batch_with_sheet_and_jsonl_output(tmp_path: Path, xlsx: Callable[..., Path]) -> None:
    path = xlsx({"Notes": [["read me"]], "Labs": LABS})
    target = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["batch", str(path), "--sheet", "labs", "-o", str(target), "-q"])
    assert result.exit_code == ExitCode.OK, result.output
    first = next(read_jsonl(target))
    assert first["K"] == "2.6" and first["results"][0]["flag"] == "LL"


@needs_excel
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--delimiter", ";"], "--delimiter applies to delimited text; '{}' is an Excel workbook"),
        (["--encoding", "cp1252"], "--encoding applies to delimited text; '{}' is an Excel"),
        (["--sheet", "Notes"], "no column names an analyte"),
    ],
)
def test_batch_refuses_what_does_not_fit_a_workbook(
    tmp_path: Path,
    xlsx: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    xlsx({"Notes": [["read me"]], "Labs": LABS})
    result = runner.invoke(app, ["batch", "labs.xlsx", *args])
    assert result.exit_code == ExitCode.ERROR
    assert message.format("labs.xlsx") in result.stderr and result.stderr.count("\n") == 1


@needs_excel
def test_the_header_read_is_named_when_no_analyte_is_found(
    tmp_path: Path, xlsx: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    xlsx({"Notes": [["read me", "please"], ["a", "b"]]})
    result = runner.invoke(app, ["batch", "labs.xlsx"])
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.endswith(
        "(the header read was row 1 of sheet 'Notes' of 'labs.xlsx': 'read me', 'please'); if "
        "the header is further down, give --skip-lines N\n"
    )


@needs_excel
@pytest.mark.parametrize(
    "title",
    [["Potassium", None, None], ["Report: Calcium", "Magnesium", None]],
    ids=["one-name", "two-names"],
)
def test_a_title_row_that_names_an_analyte_is_not_taken_for_the_header(
    tmp_path: Path, xlsx: Callable[..., Path], title: list[object]
) -> None:
    # The header is the row whose fields the rows below it match, as in a CSV file.
    path = xlsx({"Labs": [title, ["test", "value", "unit"], ["Potassium", 7.1, "mmol/L"]]})
    result = runner.invoke(app, ["batch", str(path), "--quiet"])
    assert [(r["analyte"], r["flag"]) for r in _rows(result)] == [("potassium", "HH")]
