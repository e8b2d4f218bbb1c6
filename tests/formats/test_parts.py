"""The long table written a row at a time into Arrow IPC parts and read back as one table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck.formats import parts
from electrocheck.formats.columnar import table_batches
from electrocheck.formats.parts import PartWriter, parts_table

HEADER = ["patient", "test", "value"]


def _read_back(
    folder: Path, rows: list[list[str]], every: int = 1
) -> tuple[list[tuple[str | None, ...]], int]:
    """The rows written (a checkpoint after each ``every`` of them) and read back, and how
    many files they took."""
    write = PartWriter(folder, "rows", HEADER)
    for number, row in enumerate(rows, 1):
        write.row(row)
        if not number % every:
            write.checkpoint()
    files = write.close()
    table = parts_table(files, write.heights, "'in.ndjson'", "FHIR JSON")
    assert table.header == HEADER
    assert table.height == len(rows)
    got = [row[: len(HEADER)] for batch, _ in table_batches(table) for row in batch.rows()]
    return got, len(files)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(max_size=6), min_size=len(HEADER), max_size=len(HEADER)), max_size=9
    ),
    every=st.integers(1, 4),
)
def test_every_cell_reads_back_as_written(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], every: int
) -> None:
    # Quotes, commas, CR and LF, NUL, spaces and any character: each cell is read back as it
    # was written, an empty one as no value; the rows in order over any number of parts.
    folder = tmp_path_factory.mktemp("parts")
    original = parts.PART_BYTES
    parts.PART_BYTES = 1  # a part at every checkpoint
    try:
        got, files = _read_back(folder, rows, every)
    finally:
        parts.PART_BYTES = original
    assert got == [tuple(cell or None for cell in row) for row in rows]
    assert files == max(1, -(-len(rows) // every))


@pytest.mark.parametrize(("rows", "files"), [(0, 1), (1, 1), (10, 1), (11, 2), (20, 2), (21, 3)])
def test_a_part_is_written_once_its_rows_fill_part_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int, files: int
) -> None:
    # Each row "pNN,K,NN\r\n" takes 10 bytes: a part of 100 bytes holds 10 of them.
    monkeypatch.setattr(parts, "PART_BYTES", 100)
    cells = [[f"p{n:02d}", "K", f"{n:02d}"] for n in range(rows)]
    got, written = _read_back(tmp_path, cells)
    assert written == files
    assert [row[2] for row in got] == [f"{n:02d}" for n in range(rows)]


def test_a_cell_that_cannot_be_written_fails_its_own_row(tmp_path: Path) -> None:
    # A lone surrogate (JSON "\ud800") cannot be UTF-8: its row raises at once, as a file
    # written row by row does, and the rows before and after it are kept.
    write = PartWriter(tmp_path, "rows", HEADER)
    write.row(["p1", "K", "3.1"])
    with pytest.raises(UnicodeEncodeError):
        write.row(["p2", "K \ud800", "3.2"])
    write.row(["p3", "K", "3.3"])
    files = write.close()
    table = parts_table(files, write.heights, "'in.ndjson'", "FHIR JSON")
    assert [row[0] for batch, _ in table_batches(table) for row in batch.rows()] == ["p1", "p3"]
