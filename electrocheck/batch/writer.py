"""Writing processed batches: CSV (any delimiter), JSON Lines, Parquet, or FHIR R4.

Every input row comes out, in order, with its original fields unchanged and the result
columns added: as CSV, the header followed by the columns of
:func:`~electrocheck.batch.columns.output_names`; as JSON Lines, a first record of texts,
then one object per row (see :mod:`~electrocheck.batch.jsonl`); as Parquet, the CSV's
columns, the input's as text and the results typed (numbers, grades), under names made unique
as JSON keys are.

Parquet is written by polars' sink in one pass as the batches come (snappy-compressed, as
most Parquet writers do by default), a row group at a time, so memory stays flat. FHIR is written by
:class:`~electrocheck.batch.fhir_writer.FhirWriter`, from the rows of JSON Lines.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from queue import Empty, Full, Queue
from typing import IO, TYPE_CHECKING, Any, Final, cast

import polars as pl
from polars.io.plugins import register_io_source

from electrocheck.batch.columns import json_keys, output_names, result_names
from electrocheck.batch.distinct import SEGMENT_MARK
from electrocheck.batch.jsonl import ResultIds, json_line, texts_record
from electrocheck.batch.layout import Layout
from electrocheck.formats.frame import internal_names
from electrocheck.reference import Reference

if TYPE_CHECKING:  # loaded only for FHIR output
    from electrocheck.batch.fhir_writer import FhirSource, FhirWriter

#: Rows of JSON Lines made and written at a time (a row's JSON is about twice its CSV).
_JSON_ROWS = 8192
#: Parquet's compression: quick to write and to read, as most Parquet writers' default is.
PARQUET_COMPRESSION: Final = "snappy"
_POLL = 0.1  # seconds the Parquet sink and its writer wait for each other between checks
_MARK = SEGMENT_MARK.encode()
#: Rows of CSV written at a time where each source's results are one text (see _segmented).
_CSV_ROWS = 8192


class Writer:
    """Writes processed batches as CSV, JSON Lines, Parquet or FHIR; :meth:`finish` once all
    were written, :meth:`close` in any case. ``fhir_form`` (``bundle`` or ``ndjson``) and
    ``fhir_source`` (the FHIR input, whose resources are written back) are FHIR's."""

    def __init__(
        self,
        handle: IO[bytes],
        header: list[str],
        layout: Layout,
        reference: Reference,
        output_format: str,
        delimiter: str = ",",
        fhir_form: str = "bundle",
        fhir_source: FhirSource | None = None,
    ) -> None:
        self.handle = handle
        self.layout = layout
        self.jsonl = output_format == "jsonl"
        #: Whether the engine must make the full results (JSON Lines and FHIR write them).
        self.detail = output_format in ("jsonl", "fhir")
        self.parquet: _ParquetSink | None = None
        self.fhir: FhirWriter | None = None
        self.delimiter = delimiter
        self.originals = internal_names(len(header))
        self.added = [f"r{i}" for i in range(len(output_names(layout)))]
        #: CSV's delimiter, for the engine to make each source's fields as one text with
        #: (see :meth:`_segmented`); None for the other formats.
        single = len(delimiter.encode("utf-8")) == 1  # one byte, to stand for each mark
        self.segments = delimiter if output_format == "csv" and single else None
        sources = len(layout.wide) if layout.kind == "wide" else 1
        self.segment_names = [f"s{i}" for i in range(sources)]
        # The added columns the segments stand for: every source's fields, first.
        self.segmented_columns = sum(len(result_names(layout, i)) for i in range(sources))
        self.marks = bytes.maketrans(_MARK, delimiter.encode("utf-8")) if single else b""
        if self.jsonl:
            self.keys = _unique_keys(header, taken=set(json_keys(layout).values()))
            handle.write(texts_record(reference, layout))
            self.result_ids = ResultIds(layout)
            self.line = json_line(layout, self.keys, self.result_ids.ids)
        elif output_format == "fhir":
            from electrocheck.batch.fhir_writer import FhirWriter

            keys = _unique_keys(header, taken=set(json_keys(layout).values()))
            self.fhir = FhirWriter(handle, keys, layout, reference, fhir_form, fhir_source)
        elif output_format == "parquet":
            names = _unique_keys(header, taken=set())
            names += _unique_keys(output_names(layout), taken=set(names))
            self.parquet = _ParquetSink(handle, self.originals + self.added, names)
        else:
            text = io.StringIO()
            csv.writer(text, delimiter=delimiter, lineterminator="\n").writerow(
                header + output_names(layout)
            )
            handle.write(text.getvalue().encode("utf-8"))

    def write(self, result: pl.DataFrame) -> None:
        """Write a processed batch."""
        if self.jsonl:
            self._write_jsonl(result)
        elif self.fhir is not None:
            self.fhir.write(result)
        elif self.parquet is not None:
            self.parquet.write(result)
        else:
            # A slice at a time: the text of a slice, not of the whole batch, is held.
            for start in range(0, max(result.height, 1), _CSV_ROWS):
                rows = result.slice(start, _CSV_ROWS)
                data = self._segmented(rows)
                if data is not None:
                    self.handle.write(data)
                    continue
                rows.select(self.originals + self.added).write_csv(
                    self.handle, include_header=False, separator=self.delimiter
                )

    def _write_jsonl(self, result: pl.DataFrame) -> None:
        """A batch as JSON Lines: each result not written before goes on the line just before
        the first row that lists it (see :class:`~electrocheck.batch.jsonl.ResultIds`)."""
        records, result = self.result_ids.refer(result)
        last = records["row"].max() if records.height else -1
        # A few thousand rows at a time, each written at once: the text of a whole batch
        # would hold tens of megabytes, and each write waits for the interpreter lock.
        for start in range(0, result.height, _JSON_ROWS):
            lines = result.slice(start, _JSON_ROWS).select(self.line)
            if start <= last:  # type: ignore[operator]
                mine = records.filter(pl.col("row").is_between(start, start + _JSON_ROWS - 1))
                rows = lines.with_columns(pl.int_range(start, start + lines.height).alias("row"))
                # Stable: a row's results before it (in the order of their ids).
                both = pl.concat([mine.with_columns(k=pl.lit(0)), rows.with_columns(k=pl.lit(1))])
                lines = both.sort("row", "k", maintain_order=True).select("line")
            lines.write_csv(
                self.handle, include_header=False, quote_style="never", batch_size=_JSON_ROWS
            )

    def _segmented(self, result: pl.DataFrame) -> bytes | None:
        """The CSV text of a batch whose sources' fields the engine made as one text each
        (columns ``s0``, ``s1`` ...: see :func:`~electrocheck.batch.distinct.segments`): each
        written as one column, and the marks between its fields made the delimiter. A quarter
        of the columns to write, and the same bytes. None where the engine did not make them,
        or a row's are missing, or an input cell holds the mark itself: the batch is then
        written column by column."""
        names = self.segment_names
        if any(name not in result.columns or result[name].null_count() for name in names):
            return None
        columns = self.originals + names + self.added[self.segmented_columns :]
        buffer = io.BytesIO()
        result.select(columns).write_csv(buffer, include_header=False, separator=self.delimiter)
        data = buffer.getvalue()
        if data.count(_MARK) != result.height * (self.segmented_columns - len(names)):
            return None
        return data.translate(self.marks)

    def finish(self) -> None:
        """Complete the output once every batch has been written."""
        if self.parquet is not None:
            self.parquet.finish()
        if self.fhir is not None:
            self.fhir.finish()

    def close(self) -> None:
        """Remove what the writer kept aside (Parquet parts, the FHIR input read again),
        whether it finished or not."""
        if self.parquet is not None:
            self.parquet.close()
        if self.fhir is not None:
            self.fhir.close()


class _ParquetSink:
    """Batches handed, as they come, to polars' Parquet sink running in a thread of its own:
    the file is written in one pass, a row group at a time, so memory stays flat. (Parts
    written first and then copied into one file cost a second pass over every row.)

    Either side may stop: a sink that fails (a full disk) raises its error on the next
    write; a run that fails elsewhere closes the sink, which ends what it wrote (the file is
    thrown away). Each side waits on the other only a poll at a time, so neither is left
    waiting for the other for ever."""

    def __init__(self, handle: IO[bytes], columns: list[str], names: list[str]) -> None:
        self.handle = handle
        self.columns = columns
        self.names = dict(zip(columns, names, strict=True))
        self.queue: Queue[pl.DataFrame | None] = Queue(maxsize=2)
        self.stopped = threading.Event()  # the sink ended, or is to end now
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def write(self, result: pl.DataFrame) -> None:
        frame = result.select(self.columns).rename(self.names)
        if self.thread is None:
            self._start(frame.schema)
        self._put(frame)

    def _start(self, schema: pl.Schema) -> None:
        def batches(
            columns: list[str] | None, predicate: object, rows: int | None, size: int | None
        ) -> Iterator[pl.DataFrame]:
            while not self.stopped.is_set():
                try:
                    frame = self.queue.get(timeout=_POLL)
                except Empty:
                    continue
                if frame is None:
                    return
                yield frame if columns is None else frame.select(columns)

        table = register_io_source(batches, schema=schema)
        output = _Watched(self.handle)

        def sink() -> None:
            try:
                table.sink_parquet(cast("IO[bytes]", output), compression=PARQUET_COMPRESSION)
            except BaseException as error:  # raised in the writing thread
                # polars words a failed write in its own terms: the OSError says what it was.
                self.error = output.failure or error
            finally:
                self.stopped.set()

        self.thread = threading.Thread(target=sink, name="electrocheck-parquet", daemon=True)
        self.thread.start()

    def _put(self, frame: pl.DataFrame | None) -> None:
        while not self.stopped.is_set():
            try:
                self.queue.put(frame, timeout=_POLL)
                return
            except Full:
                continue
        if self.error is not None:
            raise self.error

    def finish(self) -> None:
        if self.thread is None:  # no rows: the header's columns alone, as text
            names = list(self.names.values())
            empty = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
            empty.write_parquet(self.handle)
            return
        self._put(None)  # the end of the batches
        self.thread.join()
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        if self.thread is not None:
            self.stopped.set()
            self.thread.join()


class _Watched:
    """A file whose first failed write (a full disk) is kept."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.failure: OSError | None = None

    def write(self, data: bytes) -> int:
        try:
            return self.handle.write(data)
        except OSError as error:
            self.failure = self.failure or error
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def _unique_keys(header: list[str], taken: set[str] | None = None) -> list[str]:
    """JSON keys for the header names: a repeated name, or one the output adds itself
    (``results``, ``patterns``, ``errors``), gets ``_2``, ``_3`` ... until it is unique."""
    taken = {"results", "patterns", "errors"} if taken is None else set(taken)
    keys = []
    for name in header:
        key, n = name, 1
        while key in taken:
            n += 1
            key = f"{name}_{n}"
        taken.add(key)
        keys.append(key)
    return keys


__all__ = ["Writer"]
