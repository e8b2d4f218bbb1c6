"""What a file holds, known by its first bytes rather than its name.

A lab export arrives as delimited text, perhaps compressed (gzip, bzip2, xz or zstd), as a
spreadsheet (``.xlsx``, ``.xls``, ``.ods``), as FHIR JSON (a Bundle, an Observation, or
NDJSON of resources, compressed or not: text whose first character is ``{``), as HL7 v2
messages (text that starts with ``MSH|``, a batch file's ``FHS|`` or ``BHS|``, or MLLP's start
byte before them, compressed or not), or as a table of a data warehouse: Parquet (``PAR1``),
an Arrow IPC file (Feather version 2, ``ARROW1``) or an Arrow IPC stream (a first message's
continuation marker, ``FF FF FF FF``). :func:`sniff`
tells them apart by their magic bytes, whatever the file is called, and refuses in one line
what electrocheck cannot read (a PDF, a zip archive, a web page saved as ``.xls``), saying what
would work instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from electrocheck.errors import InputError

#: Compressed streams: magic bytes, and the name of the compression.
COMPRESSIONS: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
#: bzip2: "BZh", the block size 1-9, then the block magic (the digits of pi).
_BZIP2_BLOCK = b"\x31\x41\x59\x26\x53\x59"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files: .xls
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

#: Files that are no lab export at all: magic bytes, what the file is, what would work.
_REFUSED: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF document", "export the results from the lab system as CSV or .xlsx"),
    (
        b"FEA1",
        "a Feather file of the first version",
        "save it again as Parquet or Feather version 2 (Arrow IPC), e.g. with polars",
    ),
    (b"\x89PNG", "a PNG image", "export the results from the lab system as CSV or .xlsx"),
    (b"\xff\xd8\xff", "a JPEG image", "export the results from the lab system as CSV or .xlsx"),
    (b"SQLite format 3\x00", "an SQLite database", "export the table as CSV"),
)
#: Text that starts like a web page or an XML document: what it is called.
_MARKUP = (
    (b"<!doctype html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"<table", "an HTML table"),
    (b"<?xml", "an XML document"),
)
_SAVE_AS = "open it in a spreadsheet program and save it as CSV or .xlsx"
#: HL7 v2: a message header (or a batch file's), then its field separator, which is no
#: letter, digit, space or the delimiter of a CSV file; a header with nothing after it too.
_HL7 = re.compile(rb"(?:MSH|FHS|BHS)(?:[^\w\s,;]|\r|\n|\Z)")
#: Tables of a data warehouse: magic bytes, and the kind of table (see formats.columnar).
_TABLES = (
    (b"PAR1", "parquet", "a Parquet file"),
    (b"ARROW1", "ipc", "an Arrow IPC file (Feather)"),
    (b"\xff\xff\xff\xff", "ipc_stream", "an Arrow IPC stream"),
)


@dataclass(frozen=True)
class Content:
    """What a file holds: ``"text"`` (delimited text, perhaps compressed), ``"sheet"``,
    ``"fhir"`` (FHIR JSON, perhaps compressed), ``"hl7"`` (HL7 v2, perhaps compressed), or
    ``"table"`` (Parquet or Arrow IPC)."""

    kind: str  # "text", "sheet", "fhir", "hl7" or "table"
    compression: str | None = None  # "gzip", "bzip2", "xz" or "zstd": text, FHIR, HL7
    description: str = "delimited text"
    table: str | None = None  # "parquet", "ipc" or "ipc_stream", for a table

    @property
    def compressed(self) -> bool:
        return self.compression is not None


def sniff(path: Path, shown: str) -> Content:
    """What ``path`` holds, from its first bytes; ``shown`` is how messages name the file.

    Raises :class:`InputError` for a file that is no lab export electrocheck can read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}") from None
    for magic, name in COMPRESSIONS:
        if head.startswith(magic):
            return _text_content(path, shown, name)
    if head.startswith(b"BZh") and head[3:4].isdigit() and head[4:10] == _BZIP2_BLOCK:
        return _text_content(path, shown, "bzip2")
    if head.startswith(_OLE2):
        return Content("sheet", description="an Excel 97-2003 workbook (.xls)")
    if head.startswith(_ZIP):
        return _zip_content(path, shown)
    for magic, table, what in _TABLES:
        if head.startswith(magic):
            return Content("table", description=what, table=table)
    for magic, what, instead in _REFUSED:
        if head.startswith(magic):
            raise InputError(f"{shown} is {what}, not a lab export: {instead}")
    start = head.lstrip(b"\xef\xbb\xbf").lstrip()[:16].lower()
    for magic, what in _MARKUP:
        if start.startswith(magic):
            raise InputError(
                f"{shown} is {what} (a web report saved under another name?), not a CSV "
                f"file or a spreadsheet: {_SAVE_AS}"
            )
    if _is_json(head):
        return Content("fhir", description="FHIR JSON")
    if _is_hl7(head):
        return Content("hl7", description="HL7 v2")
    return Content("text")


def _is_json(head: bytes) -> bool:
    """Whether text starts as a JSON object does: FHIR JSON, or NDJSON (no header of a lab
    export starts with a brace)."""
    return head.lstrip(b"\xef\xbb\xbf").lstrip()[:1] == b"{"


def _is_hl7(head: bytes) -> bool:
    """Whether text starts as HL7 v2 messages do, perhaps framed by MLLP (0x0b first)."""
    return _HL7.match(head.lstrip(b"\xef\xbb\xbf").lstrip(b"\x0b \t\r\n")) is not None


def _text_content(path: Path, shown: str, compression: str) -> Content:
    """Compressed text: delimited text, or FHIR JSON, by the first bytes it decompresses to."""
    from electrocheck.formats.stream import TextStream  # here: only compressed files need it

    try:
        with TextStream(path, shown, compression) as stream:
            head = stream.read_up_to(64)
    except InputError:  # damaged, or zstd without its package: the reader says so, later
        head = b""
    for magic, _, what in _TABLES:
        if head.startswith(magic):  # read by seeking to its footer: not through a stream
            raise InputError(
                f"{shown} is {what}, {compression}-compressed: decompress it first "
                "(Parquet and Arrow compress their columns themselves)"
            )
    if _is_json(head):
        return Content("fhir", compression, f"{compression}-compressed FHIR JSON")
    if _is_hl7(head):
        return Content("hl7", compression, f"{compression}-compressed HL7 v2")
    return Content("text", compression, f"{compression}-compressed text")


def _zip_content(path: Path, shown: str) -> Content:
    """A zip file: an Excel workbook, an OpenDocument spreadsheet, or an archive."""
    import zipfile  # here: only a zip file needs it

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype")[:64] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, ValueError):
        raise InputError(
            f"{shown} starts like a zip file (an .xlsx workbook is one) but is damaged or cut "
            f"short: copy it again, or {_SAVE_AS}"
        ) from None
    if any(name.startswith("xl/workbook.") for name in names):
        return Content("sheet", description="an Excel workbook (.xlsx)")
    if mimetype.startswith(_ODS_MIMETYPE):
        return Content("sheet", description="an OpenDocument spreadsheet (.ods)")
    inside = ", ".join(repr(name) for name in names[:3]) + (", ..." if len(names) > 3 else "")
    raise InputError(
        f"{shown} is a zip archive ({len(names)} file{'s' if len(names) != 1 else ''}"
        f"{': ' + inside if names else ''}), not a lab export: unzip it and give electrocheck "
        "the CSV or spreadsheet inside"
    )


__all__ = ["COMPRESSIONS", "Content", "sniff"]
