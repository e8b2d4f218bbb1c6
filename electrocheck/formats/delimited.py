"""Reading lab CSV files in batches of whole records, with flat memory.

The file's content comes through a :class:`~electrocheck.formats.stream.TextStream`: UTF-8,
decompressed where it was compressed, transcoded where it was in another encoding, with
every line ending in LF or CRLF. The stream is read in blocks of bytes, each cut after the
last line end that lies outside a quoted field (an even number of quote characters before
it), so that every block holds whole records. polars parses each block at columnar speed;
memory stays at a few blocks whatever the file's length. (Handing polars the whole file
would let it map the file into memory, which counts against the process for every byte read.)

The header is the first line, unless lines of title come first: ``skip_lines`` says how many,
or, without it, the first of the first :data:`TITLE_LINES` lines that looks like a header
(no field a number) and that the caller's ``accept`` takes (a layout is found in it).

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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from electrocheck.errors import InputError, quote
from electrocheck.formats.frame import ROW_ERROR, internal_names
from electrocheck.formats.header import choose_header
from electrocheck.formats.stream import UTF8, StreamReader, TextStream, codec_name

#: Bytes per block: large enough that per-block work is small beside per-row work.
BLOCK_BYTES = 2 << 20
#: Bytes carried from block to block without a record boundary before polars is given up.
MAX_CARRY = 16 << 20
#: Rows per batch of the Python reader.
PYTHON_BATCH_ROWS = 100_000
#: The encoding tried when a file is not UTF-8.
FALLBACK_ENCODING = "cp1252"
#: Bytes read to find the header (and the title lines above it).
HEAD_BYTES = 1 << 20
DELIMITERS = {
    ",": ",",
    ";": ";",
    "\t": "\t",
    "|": "|",
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
}
#: Delimiters sniffed from the header line: the one that splits it into the most fields.
SNIFFED = (",", ";", "\t", "|")
_SEP_LINE = re.compile(rb"(?i)sep=(.)\r?\n?")  # Excel's first line naming the delimiter


class NoRecordBoundary(Exception):
    """A quote left no record boundary for :data:`MAX_CARRY` bytes: read with the csv module."""


@dataclass(frozen=True)
class CsvFile:
    """A CSV file's header, delimiter, encoding, and where its first data record starts
    (``data_offset``, in bytes of the decoded stream)."""

    path: Path
    header: list[str]
    delimiter: str
    data_offset: int
    size: int
    encoding: str = UTF8
    compression: str | None = None
    strict: bool = False  # the encoding was given: bytes it does not define are an error
    shown: str = "the file"  # how messages name the file, quoted
    header_line: int = 1  # the line the header starts on, counting from 1
    skipped: tuple[str, ...] = ()  # the lines of title above the header (blank ones left out)
    encoding_detected: bool = False  # not UTF-8, so read as FALLBACK_ENCODING
    crlf: bool = False  # the head's lines end in CRLF, none in CR alone (see TextStream)

    def stream(self) -> TextStream:
        return TextStream(
            self.path,
            self.shown,
            self.compression,
            self.encoding,
            self.strict,
            check_line_ends=not self.crlf,
        )


def delimiter_of(name: str, option: str = "--delimiter") -> str:
    """The delimiter a user names (``,`` ``;`` ``|`` ``tab`` ...), or InputError."""
    if name not in DELIMITERS:
        raise InputError(f"unknown delimiter {quote(name)} ({option}); expected , ; | or tab")
    return DELIMITERS[name]


def open_csv(
    path: Path,
    delimiter: str | None,
    name: str | None = None,
    *,
    compression: str | None = None,
    encoding: str | None = None,
    skip_lines: int | None = None,
    accept: Callable[[list[str]], bool] | None = None,
) -> CsvFile:
    """Read the header of ``path`` and choose the delimiter (given, or the one of comma,
    semicolon, tab and pipe that splits the header line into the most fields).

    ``name`` is how messages call the file (``stdin`` for a spooled copy); ``compression``
    what :func:`~electrocheck.formats.content.sniff` found; ``encoding`` the user's, else
    UTF-8, UTF-16 by its byte-order mark, or Windows-1252 when the head is not UTF-8.
    ``skip_lines`` lines are skipped above the header; without it, ``accept`` (a header's
    fields -> whether a layout is found in them) picks the header among the first lines.
    """
    shown = quote(name or str(path))
    if delimiter is not None:
        delimiter = delimiter_of(delimiter)
    if skip_lines is not None and skip_lines < 0:
        raise InputError(f"--skip-lines {skip_lines}: expected 0 or more lines")
    given = codec_name(encoding) if encoding else None
    try:
        size = path.stat().st_size
        with TextStream(path, shown, compression) as stream:
            head = stream.read_up_to(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}") from None
    chosen = given or _encoding_of(head)
    if chosen != UTF8:
        with TextStream(path, shown, compression, chosen, strict=given is not None) as stream:
            head = stream.read_up_to(HEAD_BYTES)
    crlf = stream.saw_cr and not stream.saw_lone_cr
    csv_file = CsvFile(
        path,
        [],
        delimiter or ",",
        0,
        size,
        encoding=chosen,
        compression=compression,
        strict=given is not None,
        shown=shown,
        encoding_detected=given is None and chosen == FALLBACK_ENCODING,
        crlf=crlf,
    )
    return _find_header(csv_file, head, delimiter, skip_lines, accept)


def _encoding_of(head: bytes) -> str:
    """UTF-32 or UTF-16 by a byte-order mark (or, for UTF-16, by its zero bytes); UTF-8 when
    the head is UTF-8; else cp1252."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 8:  # UTF-16 without its mark: every other byte of ASCII text is 0
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        if odd > len(sample) * 2 // 5 and even == 0:
            return "utf-16-le"
        if even > len(sample) * 2 // 5 and odd == 0:
            return "utf-16-be"
    try:
        head.decode(UTF8)
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut off at the end of the head
            return FALLBACK_ENCODING
    return UTF8


def _find_header(
    csv_file: CsvFile,
    head: bytes,
    delimiter: str | None,
    skip_lines: int | None,
    accept: Callable[[list[str]], bool] | None,
) -> CsvFile:
    shown = csv_file.shown
    lines = re.findall(rb"[^\n]*\n|[^\n]+$", head)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    first = 0
    if skip_lines is not None:
        if skip_lines >= len(lines):
            raise InputError(
                f"{shown} has {len(lines)} line{'s' if len(lines) != 1 else ''}: --skip-lines "
                f"{skip_lines} leaves no header row"
            )
        first = skip_lines
    first = _past_blank(lines, first)
    if first >= len(lines):
        if skip_lines:
            raise InputError(f"{shown} has no header row after the {skip_lines} skipped lines")
        raise InputError(f"{shown} is empty: a header row is needed")
    sep = _SEP_LINE.fullmatch(lines[first])
    if sep is not None and skip_lines is None:
        delimiter = delimiter or DELIMITERS.get(sep.group(1).decode("latin-1"))
        first = _past_blank(lines, first + 1)
        if first >= len(lines):
            raise InputError(f"{shown} has no header row after its 'sep=' line")
    index = first
    header, end = _record(lines, index, delimiter, shown)
    if skip_lines is None and accept is not None:

        def row_at(i: int) -> list[str] | None:
            if i >= len(lines) or not lines[i].strip():
                return None
            return _record(lines, i, delimiter, shown, strict=False)[0]

        def row_after(i: int) -> list[str] | None:
            return row_at(_past_blank(lines, _record(lines, i, delimiter, shown, strict=False)[1]))

        index = choose_header(first, row_at, row_after, accept)
        if index != first:
            header, end = _record(lines, index, delimiter, shown, strict=False)
    if not any(field.strip() for field in header):
        raise InputError(f"{shown} has no header row")
    skipped = tuple(
        line.decode(UTF8, errors="replace").rstrip("\r\n")
        for line in lines[:index]
        if line.strip() and not (sep is not None and _SEP_LINE.fullmatch(line))
    )
    return replace(
        csv_file,
        header=header,
        delimiter=delimiter or _sniff(lines[index]),
        data_offset=starts[end],
        header_line=index + 1,
        skipped=skipped,
    )


def _past_blank(lines: Sequence[bytes], index: int) -> int:
    """The first line from ``index`` on that holds more than a line end (a tab or a space
    may be an empty field, so only CR and LF count as blank)."""
    while index < len(lines) and not lines[index].strip(b"\r\n"):
        index += 1
    return index


def _sniff(line: bytes) -> str:
    text = line.decode(UTF8, errors="replace")
    return max(SNIFFED, key=lambda d: text.count(d))


def _record(
    lines: Sequence[bytes], index: int, delimiter: str | None, shown: str, strict: bool = True
) -> tuple[list[str], int]:
    """The record that starts on line ``index``, read as the csv module reads it, and the
    index of the line after it."""
    consumed = index

    def feed() -> Iterator[str]:
        nonlocal consumed
        for line in lines[index:]:
            consumed += 1
            yield line.decode(UTF8, errors="replace")

    try:
        record = next(csv.reader(feed(), delimiter=delimiter or _sniff(lines[index])))
    except (csv.Error, StopIteration) as exc:
        if not strict:
            return [], index + 1
        raise InputError(f"cannot read the header row of {shown}: {exc}") from None
    return record, consumed


# --------------------------------------------------------------------------- blocks


def blocks(csv_file: CsvFile, block_bytes: int | None = None) -> Iterator[tuple[bytes, int]]:
    """The data records of the file, in blocks of whole records, each with how far into the
    file on disk the reading has come."""
    block_bytes = block_bytes or BLOCK_BYTES
    with csv_file.stream() as stream:
        stream.skip(csv_file.data_offset)
        rest = b""
        while True:
            data = stream.read(block_bytes)
            if not data:
                if rest.strip():
                    yield rest, stream.position()
                return
            buffer = rest + data
            cut = _last_boundary(buffer)
            if cut == -1:
                if len(buffer) > MAX_CARRY:
                    raise NoRecordBoundary()
                rest = buffer  # one record longer than a block: read on
                continue
            yield buffer[: cut + 1], stream.position()
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
    """Batches of text columns ``c0``, ``c1`` ... and how far into the file each ends; raises
    ``polars.exceptions.PolarsError`` or :class:`NoRecordBoundary` where polars cannot read
    the file as it is."""
    schema = dict.fromkeys(internal_names(len(csv_file.header)), pl.String)
    for block, position in blocks(csv_file):
        frame = pl.read_csv(
            block,
            has_header=False,
            schema=schema,
            separator=csv_file.delimiter,
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
        yield frame, position


def python_batches(csv_file: CsvFile, counts: dict[str, int]) -> Iterator[tuple[pl.DataFrame, int]]:
    """The same batches, read with the csv module (raising ``UnicodeDecodeError`` where a
    UTF-8 file is not UTF-8 after all): rows with more fields than the header keep their
    place and carry a ``ROW_ERROR``; blank lines are counted in ``counts["blank_lines"]``."""
    names = internal_names(len(csv_file.header))
    width = len(names)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a 100,000-character cell is data
    with csv_file.stream() as stream:
        stream.skip(csv_file.data_offset)
        # The stream is UTF-8 (transcoded where the file is in another encoding); read
        # strictly, so that a file that is not UTF-8 after all is read again in cp1252.
        buffered = io.BufferedReader(StreamReader(stream), buffer_size=1 << 16)
        text = io.TextIOWrapper(buffered, encoding=UTF8, errors="strict", newline="")
        rows: list[list[str | None]] = []
        errors: list[str | None] = []
        reader = csv.reader(text, delimiter=csv_file.delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InputError(
                    f"cannot read {csv_file.shown} near line "
                    f"{csv_file.header_line + reader.line_num}: {exc}"
                ) from None
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
                yield _frame(rows, errors, names), stream.position()
                rows, errors = [], []
        if rows:
            yield _frame(rows, errors, names), stream.position()


def _frame(
    rows: list[list[str | None]], errors: list[str | None], names: list[str]
) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    return frame.with_columns(pl.Series(ROW_ERROR, errors, dtype=pl.String))
