"""Reading lab CSV files in batches of whole records, with flat memory.

The file is read in blocks of bytes, each cut after the last line end that lies outside a
quoted field (an even number of quote characters before it), so that every block holds whole
records. polars parses each block at columnar speed; memory stays at a few blocks whatever
the file's length. (Handing polars the whole file would let it map the file into memory,
which counts against the process for every byte read.)

A block polars refuses (a row with more fields than the header, bytes that are not UTF-8),
or a quote that leaves no record boundary for many megabytes (a stray ``"`` in a comment
field), makes the caller start again with :func:`python_batches`, which reads the same file
with Python's csv module, keeps every row, and says what was wrong with each odd one. A file
that is not UTF-8 at all is read as Windows-1252 (a superset of Latin-1), with a warning.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from electrocheck.errors import InputError, quote
from electrocheck.formats.frame import ROW_ERROR, internal_names

#: Bytes per block: large enough that per-block work is small beside per-row work.
BLOCK_BYTES = 2 << 20
#: Bytes carried from block to block without a record boundary before polars is given up.
MAX_CARRY = 16 << 20
#: Rows per batch of the Python reader.
PYTHON_BATCH_ROWS = 100_000
#: The encoding tried when a file is not UTF-8.
FALLBACK_ENCODING = "cp1252"
DELIMITERS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";"}
_BOM = b"\xef\xbb\xbf"


class NoRecordBoundary(Exception):
    """A quote left no record boundary for :data:`MAX_CARRY` bytes: read with the csv module."""


@dataclass(frozen=True)
class CsvFile:
    """A CSV file's header, delimiter, encoding, and where its first data record starts."""

    path: Path
    header: list[str]
    delimiter: str
    data_offset: int
    size: int
    encoding: str = "utf-8"


def open_csv(path: Path, delimiter: str | None, name: str | None = None) -> CsvFile:
    """Read the header of ``path`` and choose the delimiter (given, or the one of comma,
    semicolon and tab that splits the header into the most fields). ``name`` is how messages
    call the file (``stdin`` for a spooled copy)."""
    shown = quote(name or str(path))
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}") from None
    start = len(_BOM) if head.startswith(_BOM) else 0
    while head[start : start + 1] in (b"\r", b"\n") and start < len(head):
        start += 1  # blank lines before the header (a tab or space may be an empty field)
    if start >= len(head):
        raise InputError(f"{shown} is empty: a header row is needed")
    encoding = "utf-8"
    try:
        head[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut off at the end of the head
            encoding = FALLBACK_ENCODING
    if delimiter is not None:
        if delimiter not in DELIMITERS:
            raise InputError(f"unknown delimiter {quote(delimiter)}; expected , ; or tab")
        delimiter = DELIMITERS[delimiter]
    else:
        first = head[start:].split(b"\n", 1)[0].decode(encoding, errors="replace")
        delimiter = max((",", ";", "\t"), key=lambda d: first.count(d))
    header, end = _header(head, start, delimiter, encoding, shown)
    if not any(field.strip() for field in header):
        raise InputError(f"{shown} has no header row")
    return CsvFile(path, header, delimiter, end, size, encoding)


def _header(
    head: bytes, start: int, delimiter: str, encoding: str, shown: str
) -> tuple[list[str], int]:
    """The first record and the offset just after it, read as the csv module reads it."""
    lines = re.findall(rb"[^\n]*\n|[^\n]+$", head[start:])
    consumed = 0

    def feed() -> Iterator[str]:
        nonlocal consumed
        for line in lines:
            consumed += len(line)
            yield line.decode(encoding, errors="replace")

    try:
        header = next(csv.reader(feed(), delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise InputError(f"cannot read the header row of {shown}: {exc}") from None
    return header, start + consumed


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
            cut = _last_boundary(buffer)
            if cut == -1:
                if len(buffer) > MAX_CARRY:
                    raise NoRecordBoundary()
                rest = buffer  # one record longer than a block: read on
                continue
            yield buffer[: cut + 1]
            rest = buffer[cut + 1 :]


def _last_boundary(buffer: bytes) -> int:
    """The last line end with an even number of quote characters before it, or -1. Each step
    back counts only the quotes it steps over, so the search is linear in the buffer."""
    cut = buffer.rfind(b"\n")
    odd = buffer.count(b'"', 0, cut) % 2 if cut != -1 else 0
    while cut != -1 and odd:
        previous = buffer.rfind(b"\n", 0, cut)
        odd ^= buffer.count(b'"', previous + 1, cut) % 2
        cut = previous
    return cut


def polars_batches(csv_file: CsvFile) -> Iterator[tuple[pl.DataFrame, int]]:
    """Batches of text columns ``c0``, ``c1`` ... and the bytes each came from; raises
    ``polars.exceptions.PolarsError`` or :class:`NoRecordBoundary` where polars cannot read
    the file as it is."""
    if csv_file.encoding != "utf-8":
        raise NoRecordBoundary()  # polars reads UTF-8 only
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


def python_batches(
    csv_file: CsvFile, warnings: list[str], counts: dict[str, int], encoding: str
) -> Iterator[tuple[pl.DataFrame, int]]:
    """The same batches, read with the csv module in ``encoding`` (raising
    ``UnicodeDecodeError`` where the file is not in it): rows with more fields than the header
    keep their place and carry a ``ROW_ERROR``; blank lines are counted in
    ``counts["blank_lines"]``."""
    names = internal_names(len(csv_file.header))
    width = len(names)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 100,000-character cell is data
    if encoding != "utf-8":
        warnings.append(f"the file is not UTF-8: it was read as {encoding} (Windows Latin-1)")
    done = csv_file.data_offset
    with open(csv_file.path, "rb") as raw:
        raw.seek(csv_file.data_offset)
        # UTF-8 strictly: a file that is not UTF-8 is read again as Windows-1252, where the
        # five bytes that encoding leaves undefined (0x81, 0x8d ...) become U+FFFD.
        errors_mode = "strict" if encoding == "utf-8" else "replace"
        text = io.TextIOWrapper(raw, encoding=encoding, errors=errors_mode, newline="")
        rows: list[list[str | None]] = []
        errors: list[str | None] = []
        for row in csv.reader(text, delimiter=csv_file.delimiter):
            if not row:
                counts["blank_lines"] = counts.get("blank_lines", 0) + 1
                continue
            error = None
            if len(row) > width:
                extra = ", ".join(quote(cell) for cell in row[width:][:5])
                error = (
                    f"row has {len(row)} fields, the header {width}: the extra fields were "
                    f"not read ({extra})"
                )
                row = row[:width]
            cells: list[str | None] = [cell if cell != "" else None for cell in row]
            rows.append(cells + [None] * (width - len(row)))
            errors.append(error)
            if len(rows) >= PYTHON_BATCH_ROWS:
                yield _frame(rows, errors, names), raw.tell() - done
                done = raw.tell()
                rows, errors = [], []
        if rows:
            yield _frame(rows, errors, names), raw.tell() - done


def _frame(
    rows: list[list[str | None]], errors: list[str | None], names: list[str]
) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    return frame.with_columns(pl.Series(ROW_ERROR, errors, dtype=pl.String))
