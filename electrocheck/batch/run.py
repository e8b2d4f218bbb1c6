"""Batch interpretation of lab CSV exports: the run.

:func:`run_batch` streams a CSV file (see :mod:`electrocheck.formats.delimited`) through
:func:`~electrocheck.batch.engine.interpret_batch`, so memory stays flat however long the
file. Every input row comes out, in order, with its original fields unchanged and the result
columns added (see :mod:`~electrocheck.batch.writer`); a bad cell leaves its row in place with
an explanation in ``errors``. Output goes to a temporary file beside the target and is moved
into place (or copied to stdout) only when the whole file has been processed, so a failed run
leaves no partial output (see :mod:`electrocheck.formats.files`).

:func:`interpret_frame` is the same interpretation for a polars DataFrame or LazyFrame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

import polars as pl

from electrocheck.batch.columns import output_names
from electrocheck.batch.engine import BatchInterpreter, interpret_batch
from electrocheck.batch.layout import Layout, LayoutOptions, detect_layout
from electrocheck.batch.sources import sources
from electrocheck.batch.summary import Summary, count_batch
from electrocheck.batch.threads import BackgroundWriter, prefetched
from electrocheck.batch.writer import Writer
from electrocheck.errors import InputError, quote
from electrocheck.formats.delimited import (
    FALLBACK_ENCODING,
    CsvFile,
    NoRecordBoundary,
    open_csv,
    polars_batches,
    python_batches,
)
from electrocheck.formats.files import atomic_output, input_file, refuse_same_file
from electrocheck.formats.frame import ROW_ERROR, internal_names
from electrocheck.reference import Reference

FORMATS = ("csv", "jsonl")

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
Batch = tuple[pl.DataFrame, int]  # a batch of rows, and the bytes of the file it came from


@dataclass(frozen=True)
class BatchOptions:
    layout: LayoutOptions = field(default_factory=LayoutOptions)
    delimiter: str | None = None  # sniffed from the header when None
    output_format: str = "csv"


# --------------------------------------------------------------------------- public API


def interpret_frame(
    frame: Frame, reference: Reference, options: LayoutOptions | None = None
) -> Frame:
    """Interpret a polars DataFrame or LazyFrame; return one of the same kind with the result
    columns of the CSV output added (for a LazyFrame, lazily and batch by batch)."""
    options = options or LayoutOptions()
    header = list(frame.collect_schema().names())
    layout = detect_layout(header, reference, options)
    added = output_names(layout)
    clash = sorted(set(added) & set(header))
    if clash:
        raise InputError(f"the frame already has column(s) {', '.join(clash)}")

    def apply(batch: pl.DataFrame) -> pl.DataFrame:
        text = batch.select(pl.all().cast(pl.String)).rename(
            dict(zip(header, internal_names(len(header)), strict=True))
        )
        result = interpret_batch(text, layout, reference, symptomatic=options.symptomatic)
        extra = result.select([f"r{i}" for i in range(len(added))])
        return batch.hstack(extra.rename(dict(zip(extra.columns, added, strict=True))))

    if isinstance(frame, pl.LazyFrame):
        schema = apply(frame.head(0).collect()).schema
        return frame.map_batches(apply, schema=schema, streamable=True)
    return apply(frame)


def run_batch(
    source: str | Path,
    output: str | Path | None,
    reference: Reference,
    options: BatchOptions,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Interpret the CSV file ``source`` (``"-"`` for stdin) into ``output`` (None for stdout).

    ``progress(bytes_done, bytes_total)`` is called after each batch. Raises
    :class:`InputError` for an unreadable file, a file without a header, or one in which no
    analyte can be recognized; bad cells only add to ``errors``.
    """
    if options.output_format not in FORMATS:
        raise InputError(f"unknown format {quote(options.output_format)}; expected csv or jsonl")
    with input_file(source) as path:
        if output is not None:
            refuse_same_file(path, Path(output))
        csv_file = open_csv(path, options.delimiter, "stdin" if str(source) == "-" else None)
        layout = detect_layout(csv_file.header, reference, options.layout)
        columns = [s.name for s in sources(layout, reference)]
        with atomic_output(output) as handle:

            def attempt(read: Callable[[Summary], Iterator[Batch]]) -> Summary:
                handle.seek(0)
                handle.truncate()
                summary = Summary(layout=layout.kind, columns=columns)
                if layout.patient.age is None:
                    summary.warnings.append("no age column: adult limits were used")
                _process(
                    read(summary), handle, csv_file, layout, reference, options, summary, progress
                )
                return summary

            def python(encoding: str) -> Callable[[Summary], Iterator[Batch]]:
                def read(summary: Summary) -> Iterator[Batch]:
                    counts: dict[str, int] = {}
                    yield from python_batches(csv_file, summary.warnings, counts, encoding)
                    summary.blank_lines += counts.get("blank_lines", 0)

                return read

            try:
                summary = attempt(lambda _: polars_batches(csv_file))
            except (pl.exceptions.PolarsError, NoRecordBoundary):
                # A file polars will not read as it is: start again with the csv module,
                # in UTF-8, and if the file is not UTF-8 after all, in Windows-1252.
                try:
                    summary = attempt(python(csv_file.encoding))
                except UnicodeDecodeError:
                    summary = attempt(python(FALLBACK_ENCODING))
        return summary


# --------------------------------------------------------------------------- processing


def _process(
    batches: Iterator[tuple[pl.DataFrame, int]],
    handle: IO[bytes],
    csv_file: CsvFile,
    layout: Layout,
    reference: Reference,
    options: BatchOptions,
    summary: Summary,
    progress: Callable[[int, int], None] | None,
) -> None:
    writer = Writer(handle, csv_file.header, layout, options.output_format)
    interpreter = BatchInterpreter(
        layout, reference, detail=writer.jsonl, symptomatic=options.layout.symptomatic
    )
    originals = internal_names(len(layout.header))
    background = BackgroundWriter(writer.write)
    done = csv_file.data_offset
    try:
        for batch, size in prefetched(batches):
            # polars reads a blank line as a row with every field missing: not a row of data.
            # (The csv module tells blank lines apart itself and keeps rows of empty fields.)
            blank = batch.select(pl.all_horizontal(pl.col(originals).is_null())).to_series()
            if ROW_ERROR not in batch.columns and blank.any():
                summary.blank_lines += int(blank.sum())
                batch = batch.filter(~blank)
            summary.rows_read += batch.height
            result = interpreter.interpret(batch)
            background.submit(result)
            count_batch(result, layout, summary)
            done += size
            if progress is not None:
                progress(done, csv_file.size)
    finally:
        background.close()


__all__ = ["FORMATS", "BatchOptions", "Summary", "interpret_frame", "run_batch"]
