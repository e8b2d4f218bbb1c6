"""Spreadsheets: one sheet of an Excel workbook (``.xlsx``, ``.xls``) or an OpenDocument
spreadsheet, read by polars' ``read_excel`` with the calamine engine.

The engine is the ``fastexcel`` package, installed with the ``excel`` extra
(``pip install 'electrocheck[excel]'``); without it a workbook is refused in one line that
says so. Every cell is read as text, as a CSV reader would see it, and the sheet is handed on
in batches of text columns ``c0``, ``c1`` ... like the CSV readers' (a sheet is read whole:
a workbook is held in memory by any reader of it).

The sheet is ``--sheet`` (a name, or a number counting from 1); without it, the only sheet, or
the first whose header names a layout. The header is found under lines of title as in CSV
files (see :mod:`electrocheck.formats.header`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from electrocheck.errors import InputError, quote
from electrocheck.formats.frame import internal_names
from electrocheck.formats.header import TITLE_LINES, choose_header

#: Rows per batch handed on.
SHEET_BATCH_ROWS = 100_000
EXCEL_MISSING = (
    "reading it needs the excel extra: pip install 'electrocheck[excel]', or save the sheet as CSV"
)


@dataclass(frozen=True)
class Sheet:
    """A sheet's header, its rows below the header as text columns, and where they were."""

    name: str
    header: list[str]
    rows: pl.DataFrame  # c0, c1 ...: the rows under the header
    size: int  # bytes of the file, for progress
    sheets: tuple[str, ...]  # every sheet of the workbook
    header_line: int = 1  # the row the header is on, counting from 1
    skipped: tuple[str, ...] = ()  # the rows of title above the header (blank ones left out)


def excel_available() -> bool:
    return importlib.util.find_spec("fastexcel") is not None


def open_sheet(
    path: Path,
    shown: str,
    description: str,
    sheet: str | None,
    skip_lines: int | None = None,
    accept: Callable[[list[str]], bool] | None = None,
) -> Sheet:
    """Read the chosen sheet of the workbook at ``path`` (``shown`` names it in messages,
    ``description`` says what it is: "an Excel workbook (.xlsx)")."""
    if not excel_available():
        raise InputError(f"{shown} is {description}: {EXCEL_MISSING}")
    if skip_lines is not None and skip_lines < 0:
        raise InputError(f"--skip-lines {skip_lines}: expected 0 or more lines")
    names = _sheet_names(path, shown, description)
    if not names:
        raise InputError(f"{shown} is {description} without any sheet")
    candidates = [_named(names, sheet, shown)] if sheet is not None else names
    first: Sheet | None = None
    for name in candidates:
        found = _read(path, shown, description, name, names, skip_lines, accept)
        if len(candidates) == 1 or (accept is not None and accept(found.header)):
            return found
        first = first or found
    assert first is not None
    return first


def _sheet_names(path: Path, shown: str, description: str) -> list[str]:
    fastexcel: Any = importlib.import_module("fastexcel")
    try:
        return [str(name) for name in fastexcel.read_excel(str(path)).sheet_names]
    except Exception:  # calamine's errors: the workbook cannot be opened
        raise InputError(_unreadable(shown, description)) from None


def _unreadable(shown: str, description: str) -> str:
    return (
        f"{shown} looks like {description} but cannot be read (damaged, or protected by a "
        "password?): open it in a spreadsheet program and save it again as .xlsx or CSV"
    )


def _named(names: list[str], wanted: str, shown: str) -> str:
    """The sheet ``--sheet`` names: exactly, in any case, or by its number from 1."""
    if wanted in names:
        return wanted
    folded = [name.casefold() for name in names]
    if wanted.strip().casefold() in folded:
        return names[folded.index(wanted.strip().casefold())]
    if wanted.strip().isdigit() and 1 <= int(wanted) <= len(names):
        return names[int(wanted) - 1]
    listed = ", ".join(quote(name) for name in names[:10]) + (", ..." if len(names) > 10 else "")
    raise InputError(
        f"--sheet {quote(wanted)}: {shown} has no such sheet; its sheets are {listed} "
        "(give a name, or a number from 1)"
    )


def _read(
    path: Path,
    shown: str,
    description: str,
    name: str,
    names: list[str],
    skip_lines: int | None,
    accept: Callable[[list[str]], bool] | None,
) -> Sheet:
    try:
        frame = pl.read_excel(
            path,
            sheet_name=name,
            engine="calamine",
            has_header=False,
            infer_schema_length=0,  # every cell as text
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
        )
    except Exception:  # calamine's or polars' errors: the sheet cannot be read
        raise InputError(_unreadable(shown, description)) from None
    # Every cell as text, and an empty text as no value, as the CSV readers give them.
    frame = frame.select(pl.all().cast(pl.String)).with_columns(
        pl.when(pl.all() != "").then(pl.all())
    )
    where = f"sheet {quote(name)} of {shown}"
    shown_rows = frame.head(TITLE_LINES + (skip_lines or 0)).iter_rows()
    top = [[cell or "" for cell in row] for row in shown_rows]
    index = _header_index(top, skip_lines, accept, where)
    header = top[index] if index < len(top) else []
    if not any(field.strip() for field in header):
        raise InputError(f"{where} has no header row: it is empty")
    width = _width(frame, header)
    header = header[:width]
    rows = frame.slice(index + 1).select(frame.columns[:width])
    rows = rows.rename(dict(zip(rows.columns, internal_names(width), strict=True)))
    skipped = tuple(
        ", ".join(cell for cell in row if cell.strip()) for row in top[:index] if any(row)
    )
    return Sheet(name, header, rows, path.stat().st_size, tuple(names), index + 1, skipped=skipped)


def _header_index(
    top: list[list[str]],
    skip_lines: int | None,
    accept: Callable[[list[str]], bool] | None,
    where: str,
) -> int:
    def blank(row: list[str]) -> bool:
        return not any(cell.strip() for cell in row)

    start = skip_lines or 0
    while start < len(top) and blank(top[start]):
        start += 1
    if start >= len(top):
        if skip_lines:
            raise InputError(f"{where} has no header row after the {skip_lines} skipped rows")
        return start
    if skip_lines is None and accept is not None:
        # A sheet's rows all run to the sheet's width: a row's fields end at its last value.
        def row_at(i: int) -> list[str] | None:
            if i >= len(top) or blank(top[i]):
                return None
            row = top[i]
            return row[: max(n for n, cell in enumerate(row, 1) if cell.strip())]

        def row_after(i: int) -> list[str] | None:
            below = i + 1
            while below < len(top) and blank(top[below]):
                below += 1
            return row_at(below)

        return choose_header(start, row_at, row_after, accept)
    return start


def _width(frame: pl.DataFrame, header: list[str]) -> int:
    """The columns that count: up to the last with a name or any value (a sheet's used range
    often runs on into formatted, empty columns)."""
    width = len(header)
    while width > 0 and not header[width - 1].strip():
        if frame.get_column(frame.columns[width - 1]).null_count() < frame.height:
            break
        width -= 1
    return width


def sheet_batches(sheet: Sheet) -> Iterator[tuple[pl.DataFrame, int]]:
    """The sheet's rows in batches, each with a share of the file's bytes, for progress."""
    total = max(sheet.rows.height, 1)
    for start in range(0, sheet.rows.height, SHEET_BATCH_ROWS):
        batch = sheet.rows.slice(start, SHEET_BATCH_ROWS)
        yield batch, sheet.size * min(start + batch.height, total) // total


__all__ = ["EXCEL_MISSING", "Sheet", "excel_available", "open_sheet", "sheet_batches"]
