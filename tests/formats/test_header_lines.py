"""The header under lines of title: found, or skipped by count; the delimiter of its line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from electrocheck.errors import InputError
from electrocheck.formats.delimited import open_csv, polars_batches, python_batches
from electrocheck.formats.header import looks_like_header


def accept(fields: list[str]) -> bool:
    """A stand-in for the layout: a header that names potassium."""
    return any(field.strip() in ("K", "Potassium", "test") for field in fields)


def _open(tmp_path: Path, data: bytes, **options: object) -> object:
    path = tmp_path / "labs.csv"
    path.write_bytes(data)
    return open_csv(path, None, "labs.csv", accept=accept, **options)  # type: ignore[arg-type]


# (file, header found, the line it starts on, delimiter, lines of title skipped)
FOUND = [
    (b"mrn,K\n1,3.1\n", ["mrn", "K"], 1, ",", ()),
    (b"\n\nmrn,K\n1,3.1\n", ["mrn", "K"], 3, ",", ()),
    (b"Lab report\nmrn,K\n1,3.1\n", ["mrn", "K"], 2, ",", ("Lab report",)),
    (
        b"Lab report\r\nPrinted: 2026-03-02, 08:10\r\n\r\nmrn;K;Na\r\n1;3,1;140\r\n",
        ["mrn", "K", "Na"],
        4,
        ";",
        ("Lab report", "Printed: 2026-03-02, 08:10"),
    ),
    (
        b"Ward 5 \xe2\x80\x94 potassium\rmrn\tK\r1\t3.1\r",
        ["mrn", "K"],
        2,
        "\t",
        ("Ward 5 — potassium",),
    ),
    (b"sep=;\nmrn;K\n1;3.1\n", ["mrn", "K"], 2, ";", ()),
    (b"SEP=|\r\nmrn|K\r\n1|3.1\r\n", ["mrn", "K"], 2, "|", ()),
    # A line of data is never taken for the header: it holds values.
    (b"id,Result\n1,K\n2,4.1\n", ["id", "Result"], 1, ",", ()),
    (b"no,analyte,here\nK,3.1,x\n", ["no", "analyte", "here"], 1, ",", ()),
    # Nothing a layout takes: the first line stays the header (the layout's error names it).
    (b"Report\nmrn,value\n1,3.1\n", ["Report"], 1, ",", ()),
    # Title lines with a quote that never closes do not swallow the header.
    (b'Patient "Smith\nmrn,K\n1,3.1\n', ["mrn", "K"], 2, ",", ('Patient "Smith',)),
]


@pytest.mark.parametrize(("data", "header", "line", "delimiter", "skipped"), FOUND)
def test_the_header_is_found_under_lines_of_title(
    tmp_path: Path,
    data: bytes,
    header: list[str],
    line: int,
    delimiter: str,
    skipped: tuple[str, ...],
) -> None:
    found = _open(tmp_path, data)
    assert found.header == header  # type: ignore[attr-defined]
    assert found.header_line == line  # type: ignore[attr-defined]
    assert found.delimiter == delimiter  # type: ignore[attr-defined]
    assert found.skipped == skipped  # type: ignore[attr-defined]


def test_the_data_starts_after_the_header_found(tmp_path: Path) -> None:
    found = _open(tmp_path, b"Title\rsecond title\rmrn,K\r1,3.1\r2,4.0\r")
    rows = [row for frame, _ in polars_batches(found) for row in frame.rows()]  # type: ignore[arg-type]
    assert rows == [("1", "3.1"), ("2", "4.0")]
    python = [row for frame, _ in python_batches(found, {}) for row in frame.rows()]  # type: ignore[arg-type]
    assert python == [(*row, None) for row in rows]  # and no row error


@pytest.mark.parametrize(
    ("data", "skip", "header"),
    [
        (b"a\nb\nmrn,K\n1,3.1\n", 2, ["mrn", "K"]),
        (b"a\nb\n\nmrn,K\n1,3.1\n", 2, ["mrn", "K"]),  # blank lines after them too
        (b"mrn,K\n1,3.1\n", 0, ["mrn", "K"]),
        (b"x,y\nmrn,K\n1,3.1\n", 1, ["mrn", "K"]),
        (b"mrn,K\n1,3.1\n", 1, ["1", "3.1"]),  # told so: the user knows the file
    ],
)
def test_skip_lines_counts_lines_from_the_top(
    tmp_path: Path, data: bytes, skip: int, header: list[str]
) -> None:
    assert _open(tmp_path, data, skip_lines=skip).header == header  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("data", "skip", "message"),
    [
        (b"a\nb\n", 5, "'labs.csv' has 2 lines: --skip-lines 5 leaves no header row"),
        (b"a\n\n\n", 1, "'labs.csv' has no header row after the 1 skipped lines"),
        (b"", None, "'labs.csv' is empty: a header row is needed"),
        (b"\r\n\r\n", None, "'labs.csv' is empty: a header row is needed"),
        (b"sep=;\n", None, "'labs.csv' has no header row after its 'sep=' line"),
    ],
)
def test_no_header_is_one_clear_line(
    tmp_path: Path, data: bytes, skip: int | None, message: str
) -> None:
    with pytest.raises(InputError) as info:
        _open(tmp_path, data, skip_lines=skip)
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_the_header_of_a_compressed_file(tmp_path: Path) -> None:
    path = tmp_path / "labs.csv"
    path.write_bytes(gzip.compress(b"Report\r\nmrn,K\r\n1,3.1\r\n"))
    found = open_csv(path, None, compression="gzip", accept=accept)
    assert (found.header, found.header_line) == (["mrn", "K"], 2)
    assert [row for f, _ in polars_batches(found) for row in f.rows()] == [("1", "3.1")]


@pytest.mark.parametrize(
    ("fields", "header"),
    [
        (["mrn", "Calcium (mg/dL)", "K"], True),
        (["id", "17861-6", "2823-3"], True),  # LOINC codes are names
        (["test", "value", "unit"], True),
        (["Lab report"], False),  # one name alone is a title
        (["1001", "K", "3.1"], False),
        (["x", "Potassium", "4.1 mmol/L"], False),
        (["x", "Potassium", "<2.5"], False),
        (["x", "Potassium", "3,1"], False),
        (["2026-03-02", "Potassium", "high"], True),  # no value: a layout must take it too
    ],
)
def test_what_looks_like_a_header(fields: list[str], header: bool) -> None:
    assert looks_like_header(fields) is header
