"""Reading lab CSV files in batches of whole records, with flat memory.

The file is read in blocks of bytes, each cut after the last line end that lies outside a
quoted field (an even number of quote characters before it), so that every block holds whole
records. polars parses each block at columnar speed; memory stays at a few blocks whatever
the file's length. (Handing polars the whole file would let it map the file into memory,
which counts against the process for every byte read.)

A block polars refuses (a row with more fields than the header, bytes that are not UTF-8)
makes the caller start again with :func:`python_batches`, which reads the same file with
Python's csv module, keeps every row, and says what was wrong with each odd one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from electrocheck.batch_engine import internal_names
from electrocheck.errors import InputError, quote

#: Bytes per block: large enough that per-block work is small beside per-row work.
BLOCK_BYTES = 2 << 20
#: Rows per batch of the Python reader.
PYTHON_BATCH_ROWS = 100_000
#: The column that carries a row's structural problem (Python reader only).
ROW_ERROR = "x_row_error"
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";"}
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class CsvFile:
    """A CSV file's header, delimiter, and where its first data record starts."""

    path: Path
    header: list[str]
    delimiter: str
    data_offset: int
    size: int


def open_csv(path: Path, delimiter: str | None) -> CsvFile:
    """Read the header of ``path`` and choose the delimiter (given, or the one of comma,
    semicolon and tab that splits the header into the most fields)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {quote(str(path))}: {exc.strerror or exc}") from None
    start = len(_BOM) if head.startswith(_BOM) else 0
    while start < len(head) and head[start : start + 1] in (b"\r", b"\n", b" ", b"\t"):
        start += 1  # blank lines before the header
    end = _record_end(head, start)
    if start >= len(head):
        raise InputError(f"{quote(str(path))} is empty: a header row is needed")
    line = head[start:end].decode("utf-8", errors="replace").rstrip("\r\n")
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            raise InputError(f"unknown delimiter {quote(delimiter)}; expected , ; or tab")
        delimiter = DELIMITERS[delimiter]
    else:
        delimiter = max((",", ";", "\t"), key=lambda d: len(_fields(line, d)))
    header = _fields(line, delimiter)
    if not any(name.strip() for name in header):
        raise InputError(f"{quote(str(path))} has no header row")
    return CsvFile(path, header, delimiter, end, size)


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _record_end(data: bytes, start: int) -> int:
    """Offset just after the first line end at or after ``start`` outside quotes."""
    cut = data.find(b"\n", start)
    while cut != -1 and data.count(b'"', start, cut) % 2:
        cut = data.find(b"\n", cut + 1)
    return len(data) if cut == -1 else cut + 1


def blocks(csv_file: CsvFile, block_bytes: int | None = None) -> Iterator[bytes]:
    """The data records of the file, in blocks of whole records."""
    block_bytes = block_bytes or BLOCK_BYTES
    with open(csv_file.path, "rb") as handle:
        handle.seek(csv_file.data_offset)
        rest = b""
        while True:
            data = handle.read(block_bytes)
            if not data:
                if rest.strip():
                    yield rest
                return
            buffer = rest + data
            cut = buffer.rfind(b"\n")
            # A line end inside a quoted field does not end a record: step back over it.
            while cut != -1 and buffer.count(b'"', 0, cut) % 2:
                cut = buffer.rfind(b"\n", 0, cut)
            if cut == -1:
                rest = buffer  # one record longer than a block: read on
                continue
            yield buffer[: cut + 1]
            rest = buffer[cut + 1 :]


def polars_batches(csv_file: CsvFile) -> Iterator[tuple[pl.DataFrame, int]]:
    """Batches of text columns ``c0``, ``c1`` ... and the bytes each came from; raises
    ``polars.exceptions.PolarsError`` on a block polars cannot read as it is."""
    schema = dict.fromkeys(internal_names(len(csv_file.header)), pl.String)
    for block in blocks(csv_file):
        frame = pl.read_csv(
            block,
            has_header=False,
            schema=schema,
            separator=csv_file.delimiter,
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
        yield frame, len(block)


def python_batches(csv_file: CsvFile, warnings: list[str]) -> Iterator[tuple[pl.DataFrame, int]]:
    """The same batches, read with the csv module: rows with more fields than the header
    keep their place and carry a ``ROW_ERROR``; bytes that are not UTF-8 become U+FFFD."""
    names = internal_names(len(csv_file.header))
    width = len(names)
    replaced = False
    done = csv_file.data_offset
    with open(csv_file.path, "rb") as raw:
        raw.seek(csv_file.data_offset)
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        rows: list[list[str | None]] = []
        errors: list[str | None] = []
        for row in csv.reader(text, delimiter=csv_file.delimiter):
            if not row:
                rows.append([None] * width)  # a blank line: dropped later, as polars' are
                errors.append(None)
                continue
            replaced = replaced or any("\ufffd" in cell for cell in row)
            error = None
            if len(row) > width:
                extra = ", ".join(quote(cell) for cell in row[width:][:5])
                error = (
                    f"row has {len(row)} fields, the header {width}: the extra fields were "
                    f"not read ({extra})"
                )
                row = row[:width]
            rows.append(
                [cell if cell != "" else None for cell in row] + [None] * (width - len(row))
            )
            errors.append(error)
            if len(rows) >= PYTHON_BATCH_ROWS:
                yield _frame(rows, errors, names), raw.tell() - done
                done = raw.tell()
                rows, errors = [], []
        if rows:
            yield _frame(rows, errors, names), raw.tell() - done
    if replaced:
        warnings.append("bytes that are not UTF-8 were replaced with U+FFFD")


def _frame(
    rows: list[list[str | None]], errors: list[str | None], names: list[str]
) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    return frame.with_columns(pl.Series(ROW_ERROR, errors, dtype=pl.String))
