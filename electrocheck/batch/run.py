"""Batch interpretation of lab CSV exports: the run, its output, and its summary.

:func:`run_batch` streams a CSV file (see :mod:`electrocheck.formats.delimited`) through
:func:`~electrocheck.batch_engine.interpret_batch`, so memory stays flat however long the
file. Every input row comes out, in order, with its original fields unchanged and the result
columns added; a bad cell leaves its row in place with an explanation in ``errors``. Output
goes to a temporary file beside the target and is moved into place (or copied to stdout) only
when the whole file has been processed, so a failed run leaves no partial output.

:func:`interpret_frame` is the same interpretation for a polars DataFrame or LazyFrame.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import polars as pl

from electrocheck.batch.engine import (
    ROW_ERROR,
    BatchInterpreter,
    derived_prefixes,
    error_columns,
    internal_names,
    interpret_batch,
    output_names,
    sources,
    wide_prefixes,
)
from electrocheck.batch.jsonl import json_rows
from electrocheck.batch.layout import Layout, LayoutOptions, detect_layout
from electrocheck.batch.threads import BackgroundWriter, prefetched
from electrocheck.errors import InputError, quote
from electrocheck.formats.delimited import (
    FALLBACK_ENCODING,
    CsvFile,
    NoRecordBoundary,
    open_csv,
    polars_batches,
    python_batches,
)
from electrocheck.formats.files import umask
from electrocheck.reference import Reference

FORMATS = ("csv", "jsonl")

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
Batch = tuple[pl.DataFrame, int]  # a batch of rows, and the bytes of the file it came from


@dataclass
class Summary:
    """What a batch run read, wrote and found."""

    layout: str = ""
    columns: list[str] = field(default_factory=list)  # recognized analyte or value columns
    rows_read: int = 0
    rows_written: int = 0
    blank_lines: int = 0
    results: int = 0
    cell_errors: int = 0
    rows_with_errors: int = 0
    flags: Counter[tuple[str, str]] = field(default_factory=Counter)  # (analyte, flag) -> n
    warnings: list[str] = field(default_factory=list)

    def any_flag(self, flags: frozenset[str]) -> bool:
        return any(count for (_, flag), count in self.flags.items() if flag in flags)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, dict[str, int]] = {}
        for (analyte, flag), count in sorted(self.flags.items()):
            counts.setdefault(analyte, {})[flag] = count
        return {
            "layout": self.layout,
            "columns": self.columns,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "blank_lines": self.blank_lines,
            "results": self.results,
            "cell_errors": self.cell_errors,
            "rows_with_errors": self.rows_with_errors,
            "flags": counts,
            "warnings": self.warnings,
        }


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
    with _input_file(source) as path:
        if output is not None:
            _refuse_same_file(path, Path(output))
        csv_file = open_csv(path, options.delimiter, "stdin" if str(source) == "-" else None)
        layout = detect_layout(csv_file.header, reference, options.layout)
        columns = [s.name for s in sources(layout, reference)]
        with _atomic_output(output) as handle:

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


# --------------------------------------------------------------------------- input


class _input_file:
    """The input as a path; stdin is first copied to a temporary file."""

    def __init__(self, source: str | Path) -> None:
        self.source = str(source)
        self.spooled: Path | None = None

    def __enter__(self) -> Path:
        if self.source != "-":
            path = Path(self.source)
            if not path.is_file():
                reason = "is a directory" if path.is_dir() else "does not exist"
                raise InputError(f"cannot read {quote(self.source)}: it {reason}")
            return path
        handle, name = tempfile.mkstemp(prefix="electrocheck-stdin-", suffix=".csv")
        self.spooled = Path(name)
        try:
            with os.fdopen(handle, "wb") as spool:
                shutil.copyfileobj(sys.stdin.buffer, spool)
        except BaseException:  # Ctrl-C or a read error: no copy of the data stays behind
            self.spooled.unlink(missing_ok=True)
            raise
        return self.spooled

    def __exit__(self, *exc: object) -> None:
        if self.spooled is not None:
            self.spooled.unlink(missing_ok=True)


def _refuse_same_file(source: Path, output: Path) -> None:
    if output.exists() and output.resolve() == source.resolve():
        raise InputError(f"the output {quote(str(output))} is the input file; choose another")


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
    writer = _Writer(handle, csv_file.header, layout, options.output_format)
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
            _count(result, layout, summary)
            done += size
            if progress is not None:
                progress(done, csv_file.size)
    finally:
        background.close()


def _count(result: pl.DataFrame, layout: Layout, summary: Summary) -> None:
    names = output_names(layout)
    column = {name: f"r{i}" for i, name in enumerate(names)}
    summary.rows_written += result.height
    summary.rows_with_errors += int(result[column["errors"]].is_not_null().sum())
    if layout.kind == "long":
        counts = result.group_by(column["analyte"], column["flag"]).len().drop_nulls()
        for analyte, flag, count in counts.iter_rows():
            summary.flags[(analyte, flag)] += count
            summary.results += count
    else:
        keys = [c.analyte for c in layout.wide] + [key for key, _, _ in layout.corrections]
        prefixes = wide_prefixes(layout.wide) + derived_prefixes(layout)
        for key, prefix in zip(keys, prefixes, strict=True):
            flags = result[column[f"{prefix}flag"]].drop_nulls().value_counts()
            for flag, count in flags.iter_rows():
                summary.flags[(key, flag)] += count
                summary.results += count
    summary.cell_errors += sum(
        int(result[name].is_not_null().sum()) for name in error_columns(layout)
    )


# --------------------------------------------------------------------------- output


class _atomic_output:
    """A temporary file beside the target, moved into place only when all went well."""

    def __init__(self, output: str | Path | None) -> None:
        self.output = None if output is None else Path(output)
        self.direct: IO[bytes] | None = None  # a device or pipe named with -o
        self.path: Path | None = None
        self.handle: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        output = self.output
        if output is not None and output.exists() and not output.is_file():
            if output.is_dir():
                raise InputError(f"cannot write {quote(str(output))}: it is a directory")
            # A device or a pipe (-o /dev/null): write to it; it cannot be replaced.
            self.output, self.direct = None, output.open("wb")
        directory = None if self.output is None else self.output.resolve().parent
        try:
            fd, name = tempfile.mkstemp(prefix=".electrocheck-", suffix=".part", dir=directory)
        except OSError as exc:
            raise InputError(
                f"cannot write {quote(str(self.output))}: {exc.strerror or exc}"
            ) from None
        self.path = Path(name)
        self.handle = os.fdopen(fd, "w+b")
        return self.handle

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        assert self.handle is not None and self.path is not None
        try:
            if kind is None:
                self.handle.flush()
                if self.output is None:
                    target = self.direct or sys.stdout.buffer
                    self.handle.seek(0)
                    shutil.copyfileobj(self.handle, target)
                    target.flush()
                else:
                    os.fsync(self.handle.fileno())
                    os.chmod(self.path, 0o666 & ~umask())  # mkstemp made it private
                    os.replace(self.path, self.output)
        finally:
            self.handle.close()
            self.path.unlink(missing_ok=True)
            if self.direct is not None:
                self.direct.close()


class _Writer:
    """Writes processed batches as CSV or JSON Lines."""

    def __init__(
        self,
        handle: IO[bytes],
        header: list[str],
        layout: Layout,
        output_format: str,
    ) -> None:
        self.handle = handle
        self.layout = layout
        self.jsonl = output_format == "jsonl"
        self.originals = internal_names(len(header))
        self.added = [f"r{i}" for i in range(len(output_names(layout)))]
        if self.jsonl:
            self.keys = _unique_keys(header)
        else:
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerow(header + output_names(layout))
            handle.write(text.getvalue().encode("utf-8"))

    def write(self, result: pl.DataFrame) -> None:
        if self.jsonl:
            json_rows(result, self.layout, self.keys).write_ndjson(self.handle)
        else:
            result.select(self.originals + self.added).write_csv(self.handle, include_header=False)


def _unique_keys(header: list[str]) -> list[str]:
    """JSON keys for the header names: a repeated name, or one the output adds itself
    (``results``, ``patterns``, ``errors``), gets ``_2``, ``_3`` ... until it is unique."""
    taken = {"results", "patterns", "errors"}
    keys = []
    for name in header:
        key, n = name, 1
        while key in taken:
            n += 1
            key = f"{name}_{n}"
        taken.add(key)
        keys.append(key)
    return keys
