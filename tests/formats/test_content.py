"""What a file holds is known by its first bytes, not by its name."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
from pathlib import Path

import pytest

from electrocheck.errors import InputError
from electrocheck.formats.content import sniff

CSV = b"mrn,K\n1,3.1\n"

# (what the file holds, its name, the content found) - every name misleads on purpose.
KINDS = [
    (CSV, "labs.gz", ("text", None)),
    (gzip.compress(CSV), "labs.csv", ("text", "gzip")),
    (bz2.compress(CSV), "labs.txt", ("text", "bzip2")),
    (lzma.compress(CSV), "labs", ("text", "xz")),
    (b"\x28\xb5\x2f\xfd" + b"\x00" * 8, "labs.csv", ("text", "zstd")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "labs.csv", ("sheet", None)),
    (b"BZh is how this header starts,K\n1,2\n", "labs.csv", ("text", None)),  # not bzip2
    (b"\xef\xbb\xbfmrn,K\n1,3.1\n", "labs.csv", ("text", None)),
    (b"", "empty.csv", ("text", None)),  # refused later, as empty
    (b"PAR1\x15\x04", "labs.csv", ("table", None)),
    (b"ARROW1\x00\x00", "labs.csv", ("table", None)),
    (b"\xff\xff\xff\xff\x78\x00", "labs.csv", ("table", None)),
]


@pytest.mark.parametrize(("data", "name", "expected"), KINDS)
def test_content_is_known_by_its_bytes(
    tmp_path: Path, data: bytes, name: str, expected: tuple[str, str | None]
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    content = sniff(path, repr(name))
    assert (content.kind, content.compression) == expected


def _zip(path: Path, members: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path.read_bytes()


def test_a_workbook_and_an_ods_are_sheets_whatever_their_name(tmp_path: Path) -> None:
    workbook = _zip(tmp_path / "a.zip", {"xl/workbook.xml": b"<workbook/>"})
    ods = _zip(
        tmp_path / "b.zip",
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""},
    )
    for data, description in [(workbook, "Excel workbook"), (ods, "OpenDocument")]:
        path = tmp_path / "labs.csv"
        path.write_bytes(data)
        content = sniff(path, "'labs.csv'")
        assert content.kind == "sheet" and description in content.description


# (what the file holds, what the one-line refusal says of it, what it says would work)
REFUSED = [
    (b"%PDF-1.7\n...", "is a PDF document", "as CSV or .xlsx"),
    (b"FEA1\x00\x00", "is a Feather file of the first version", "Feather version 2"),
    (b"\x89PNG\r\n\x1a\n", "is a PNG image", "as CSV"),
    (b"SQLite format 3\x00...", "is an SQLite database", "export the table as CSV"),
    (b"<html><body><table>", "is an HTML page", "save it as CSV or .xlsx"),
    (b"\xef\xbb\xbf  <!DOCTYPE html>", "is an HTML page", "save it as CSV or .xlsx"),
    (b'<?xml version="1.0"?><Workbook>', "is an XML document", "save it as CSV or .xlsx"),
    (b"PK\x03\x04 cut short", "damaged or cut short", "save it as CSV or .xlsx"),
]


@pytest.mark.parametrize(("data", "what", "instead"), REFUSED)
def test_what_is_no_lab_export_is_refused_in_one_line(
    tmp_path: Path, data: bytes, what: str, instead: str
) -> None:
    path = tmp_path / "labs.xls"
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        sniff(path, "'labs.xls'")
    message = str(info.value)
    assert message.startswith("'labs.xls' ") and what in message and instead in message
    assert "\n" not in message


def test_a_zip_archive_names_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    _zip(path, {"labs.csv": CSV, "readme.txt": b"hello"})
    with pytest.raises(InputError) as info:
        sniff(path, "'export.zip'")
    assert "zip archive (2 files: 'labs.csv', 'readme.txt')" in str(info.value)
    assert "unzip it" in str(info.value)
