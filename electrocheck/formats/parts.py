"""A long table written a row at a time into Arrow IPC files, and read back as one table.

A reader that turns a standard's messages into rows (FHIR NDJSON:
:mod:`electrocheck.formats.fhir`) hands each row to a :class:`PartWriter`. The writer keeps
the rows as CSV lines in memory, quoted by the csv module's rules and encoded to UTF-8 as
each is written (so a cell that cannot be encoded fails its own row, not a part); once
they fill :data:`PART_BYTES`, polars reads those lines, every cell as text, and writes them
as one uncompressed Arrow IPC file. :func:`parts_table` then gives the files to the batch run as
one :class:`~electrocheck.formats.columnar.Table`, read as a Parquet or Arrow IPC input is:
reading Arrow columns costs a fraction of parsing the same rows as CSV text again, and
memory holds one part's lines at a time, however long the file.

An empty cell is no value (polars reads it as null), as an empty field of a CSV file is.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from electrocheck.formats.columnar import Table, text_table
from electrocheck.formats.conversion import row_writer

#: Bytes of CSV lines a part holds, about (a FHIR row takes about 110).
PART_BYTES = 8 << 20


class PartWriter:
    """Rows of ``header``'s columns, written as the files ``{stem}-00000.arrow`` ... in
    ``folder``: :attr:`row` writes a row, :meth:`checkpoint` (called between rows now and
    then) writes the rows so far as a part once they fill :data:`PART_BYTES`, and
    :meth:`close` writes the last and gives them all, in order."""

    def __init__(self, folder: Path, stem: str, header: Sequence[str]) -> None:
        self.folder, self.stem, self.header = folder, stem, list(header)
        self.parts: list[Path] = []
        self.heights: list[int] = []
        self._bytes = io.BytesIO()
        # Each row straight into the bytes (write_through), so that their size is known.
        self._text = io.TextIOWrapper(self._bytes, encoding="utf-8", newline="", write_through=True)
        #: Writes one row (a list of its cells), as :func:`row_writer` does.
        self.row = row_writer(self._text)

    def checkpoint(self) -> None:
        if self._bytes.tell() >= PART_BYTES:
            self._flush()

    def _flush(self) -> None:
        lines = self._bytes.getvalue()
        self._bytes.seek(0)  # (the text stream only writes: it keeps no position of its own)
        self._bytes.truncate()
        frame = pl.read_csv(
            lines,
            has_header=False,
            new_columns=self.header,
            schema={name: pl.String for name in self.header},
        )
        path = self.folder / f"{self.stem}-{len(self.parts):05d}.arrow"
        frame.write_ipc(path, compat_level=pl.CompatLevel.oldest())  # text without views
        self.parts.append(path)
        self.heights.append(frame.height)

    def close(self) -> list[Path]:
        """Write the rows not yet written; the files, in order (one, of no rows, if there
        were none)."""
        if self._bytes.tell() or not self.parts:
            self._flush()
        return self.parts


def parts_table(
    parts: Sequence[Path], heights: Sequence[int], shown: str, description: str
) -> Table:
    """The files ``parts`` (of ``heights`` rows each, written by :class:`PartWriter`) as one
    table of text columns, in order; ``shown`` and ``description`` name the input they came
    from in messages."""
    frame = pl.scan_ipc(list(parts), glob=False)
    size = sum(part.stat().st_size for part in parts)
    return text_table(frame, frame.collect_schema(), sum(heights), size, shown, description)


__all__ = ["PART_BYTES", "PartWriter", "parts_table"]
