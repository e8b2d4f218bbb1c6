"""Parquet and Arrow IPC (Feather) tables, read as text columns like a CSV file's.

A warehouse table (an OMOP CDM ``MEASUREMENT``, a PCORnet ``LAB_RESULT_CM``, or any wide or
long export) often comes as Parquet, or as an Arrow IPC file (Feather version 2). polars
scans it and hands it on in batches of text columns ``c0``, ``c1`` ..., as the CSV readers
do, so that every cell is read the clinical way by the same code (units in cells, ``<1.0``,
flags in cells, the digits a note shows). The column names are the header, and a layout is
found in them as in a CSV file's header.

Each column becomes the text a CSV export of the same table would hold:

* text as it is (an empty text is no value, as an empty CSV field);
* an integer as its digits (``1001``); a decimal with its scale (``4.10``); a float as the
  shortest text that reads back as the same number, as polars writes it to CSV (``4.0``,
  ``3.1``, ``0.30000000000000004``; a float32 ``3.1`` is ``3.1``). A note quotes those digits.
  (Only a float under 0.00001 or from 1e16 on is written with an exponent, ``1e-7``, which a
  cell's number does not take: no lab value is that size, and the cell is explained);
* a date as ``2026-03-01``; a date and time as ``2026-03-01 08:00:00``, with the fraction of
  a second where there is one and the offset (``+00:00``) where the column has a time zone;
  a time of day as ``08:30:00``: the forms the time parser reads;
* a boolean as ``true`` or ``false``.

A column of any other type (binary, a list, a struct, a duration) has no text a lab value
can be read from: the file is refused in one line that names the column and its type. So is
a damaged file, or one cut short.

Parquet and Arrow IPC files are scanned by polars a slice of rows at a time, so memory stays
flat however long the table. An Arrow IPC *stream* has no footer: polars cannot scan one, so
it is read whole, and one cut between two of its batches cannot be told from a whole one
(cut inside a batch, it is refused).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from electrocheck.errors import InputError, quote
from electrocheck.formats.frame import ROW_ERROR, internal_names

#: Rows per batch handed on: as many as a 2 MB block of CSV holds, about.
TABLE_BATCH_ROWS = 50_000
#: What each kind of table is called in messages.
DESCRIPTIONS = {
    "parquet": "a Parquet file",
    "ipc": "an Arrow IPC file (Feather)",
    "ipc_stream": "an Arrow IPC stream",
}
_DATE_TIME = "%Y-%m-%d %H:%M:%S"
_CLOCK = "%H:%M:%S"


@dataclass(frozen=True)
class Table:
    """A table's header (its column names), its rows as text columns ``c0`` ..., lazily,
    and how many there are."""

    header: list[str]
    rows: pl.LazyFrame
    height: int
    size: int  # bytes of the file, for progress
    shown: str  # how messages name the file, quoted
    description: str  # "a Parquet file"


def open_table(path: Path, shown: str, kind: str) -> Table:
    """The table at ``path`` (``kind`` is ``parquet``, ``ipc`` or ``ipc_stream``, as
    :func:`~electrocheck.formats.content.sniff` found it); ``shown`` names it in messages.
    Raises :class:`InputError` for a damaged file or a column that cannot be read as text."""
    description = DESCRIPTIONS[kind]
    try:
        frame = _scan(path, kind)
        schema = frame.collect_schema()
        height = int(frame.select(pl.len()).collect().item())
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError) as exc:
        raise _damaged(shown, description, exc) from None
    return text_table(frame, schema, height, path.stat().st_size, shown, description)


def text_table(
    frame: pl.LazyFrame, schema: pl.Schema, height: int, size: int, shown: str, description: str
) -> Table:
    """``frame`` (of ``schema``, ``height`` rows, ``size`` bytes on disk) as a :class:`Table` of
    text columns; ``shown`` and ``description`` name it in messages."""
    header = list(schema.names())
    if not header:
        raise InputError(f"{shown} is {description} without any column")
    texts = [
        as_text(name, dtype, shown).alias(internal)
        for (name, dtype), internal in zip(schema.items(), internal_names(len(header)), strict=True)
    ]
    return Table(header, frame.select(texts), height, size, shown, description)


def _scan(path: Path, kind: str) -> pl.LazyFrame:
    if kind == "parquet":
        return pl.scan_parquet(path, glob=False)
    if kind == "ipc":
        return pl.scan_ipc(path, glob=False)
    return pl.read_ipc_stream(path).lazy()  # no footer to scan by: read whole


def _damaged(shown: str, description: str, exc: BaseException) -> InputError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return InputError(
        f"{shown} starts like {description} but cannot be read (damaged, or cut short?): {reason}"
    )


def as_text(name: str, dtype: pl.DataType, shown: str = "the table") -> pl.Expr:
    """Column ``name`` of type ``dtype`` as the text a CSV export of it holds (see the
    module), or :class:`InputError` for a type that has none."""
    column = pl.col(name)
    if dtype == pl.String:
        return pl.when(column != "").then(column)
    if isinstance(dtype, (pl.Categorical, pl.Enum)):
        text = column.cast(pl.String)
        return pl.when(text != "").then(text)
    if dtype.is_numeric() or dtype in (pl.Boolean, pl.Null, pl.Date):
        return column.cast(pl.String)
    if isinstance(dtype, pl.Datetime):
        zone = "%:z" if dtype.time_zone is not None else ""
        return _seconds(column, _DATE_TIME, zone)
    if dtype == pl.Time:
        return _seconds(column, _CLOCK, "")
    raise InputError(
        f"{shown}: column {quote(name)} is of type {dtype}, which holds no text or number a "
        "result can be read from: write it as text or numbers, or leave the column out"
    )


def _seconds(column: pl.Expr, form: str, zone: str) -> pl.Expr:
    """Whole seconds as they are; a fraction of a second only where there is one (``%.f``
    writes nothing for none)."""
    return column.dt.to_string(form + "%.f" + zone)


def table_batches(table: Table) -> Iterator[tuple[pl.DataFrame, int]]:
    """The table's rows in batches of text columns, each with a share of the file's bytes
    (for progress). A row with no value at all is a row of the table, kept as one (a CSV
    reader takes it for a blank line): the batch then carries an empty :data:`ROW_ERROR`."""
    total = max(table.height, 1)
    try:
        # A slice at a time: polars reads only the pages it needs. (Its streaming engine's
        # collect_batches runs ahead of a slower consumer and holds the whole table.)
        for start in range(0, table.height, TABLE_BATCH_ROWS):
            batch = table.rows.slice(start, TABLE_BATCH_ROWS).collect()
            done = start + batch.height
            yield _rows_kept(batch), table.size * min(done, total) // total
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException, OSError) as exc:
        raise _damaged(table.shown, table.description, exc) from None


def _rows_kept(batch: pl.DataFrame) -> pl.DataFrame:
    if batch.height == 0 or any(column.null_count() == 0 for column in batch.iter_columns()):
        return batch
    if not batch.select(pl.all_horizontal(pl.all().is_null()).any()).item():
        return batch
    return batch.with_columns(pl.lit(None, pl.String).alias(ROW_ERROR))


__all__ = [
    "DESCRIPTIONS",
    "TABLE_BATCH_ROWS",
    "Table",
    "as_text",
    "open_table",
    "table_batches",
    "text_table",
]
