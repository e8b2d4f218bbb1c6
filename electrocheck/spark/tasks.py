"""What runs in Spark's Python workers: Arrow batches through the polars engine of ``batch``.

Each task gets the :class:`Plan` (the header, the layout options and the reference file's
text, sent once), finds the layout again and interprets its rows with the engine of
``electrocheck batch``, by the same code: :class:`~electrocheck.batch.engine.BatchInterpreter`
and, for a long file grouped into panels, :class:`~electrocheck.batch.panels.Panels` (its
first pass, then :meth:`~electrocheck.batch.panels.Panels.before` and
:meth:`~electrocheck.batch.panels.Panels.after`). No rule is written here.

- :func:`rows` interprets batch by batch (``mapInArrow``): each row alone, as a wide file's
  rows are, and a long file's without panels.
- :func:`patients` interprets a whole partition at once, after the rows were partitioned by
  patient (each patient's rows in one partition, the partitions in the order of the
  patients' ids): the panels and the changes over time of each patient are those of
  ``batch``. The rows are taken in input order (by :data:`ROW`, their number in the input);
  the panels are numbered from 1 in each partition, and :data:`PART` says which partition a
  row came from, so the driver can number them across partitions.

Each task adds what it counted to the run's summary, under its partition's number, so that a
task run again replaces its count rather than adding to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl

from electrocheck.batch.cells import without_blank_lines
from electrocheck.batch.columns import added_names, output_names
from electrocheck.batch.engine import BatchInterpreter
from electrocheck.batch.layout import Layout, LayoutOptions, detect_layout
from electrocheck.batch.panels import Panels
from electrocheck.batch.summary import Summary, count_batch
from electrocheck.formats.frame import internal_names
from electrocheck.reference import Reference
from electrocheck.spark.reference_text import ReferenceText

#: Hidden columns: a row's number in the input (from 1), and the partition it was
#: interpreted in.
ROW, PART = "_electrocheck_row", "_electrocheck_part"
#: Rows given to the engine at a time within a partition, as ``batch`` reads a file.
CHUNK_ROWS = 65_536


@dataclass(frozen=True)
class Plan:
    """What every task needs: the frame's header, the options, the reference file's text."""

    header: tuple[str, ...]
    options: LayoutOptions
    reference: ReferenceText

    def layout(self, reference: Reference) -> Layout:
        return detect_layout(self.header, reference, self.options)

    def names(self, layout: Layout) -> list[str]:
        """The output's columns: the input's, then the results'."""
        return [*self.header, *output_names(layout)]


Tally = Callable[[int, Summary], None]


def rows(
    plan: Plan, batches: Iterator[pl.DataFrame], tally: Tally | None, part: int
) -> Iterator[pl.DataFrame]:
    """Each batch of rows (the input's columns, any type) with the result columns added: the
    input's columns as text, the results typed, as ``batch`` writes Parquet."""
    reference = plan.reference.load()
    layout = plan.layout(reference)
    interpreter = BatchInterpreter(layout, reference, symptomatic=plan.options.symptomatic)
    summary = Summary()
    originals = internal_names(len(plan.header))
    for batch in batches:
        text, blank = without_blank_lines(_as_text(batch, originals), originals)
        summary.blank_lines += blank
        summary.rows_read += text.height
        result = interpreter.interpret(text)
        count_batch(result, layout, summary)
        yield _output(result, layout, plan)
    if tally is not None:
        tally(part, summary)


def patients(
    plan: Plan, batches: Iterator[pl.DataFrame], tally: Tally | None, part: int
) -> Iterator[pl.DataFrame]:
    """A partition's rows (the input's columns and :data:`ROW`) interpreted together: panels,
    corrected results and changes over time as ``batch`` makes them, each row's
    ``source_row`` its number in the input, and :data:`PART` added."""
    reference = plan.reference.load()
    layout = plan.layout(reference)
    originals = internal_names(len(plan.header))
    gathered = [batch for batch in batches if batch.height]
    if gathered:
        frame = pl.concat(gathered, how="vertical_relaxed").sort(ROW)
    else:
        frame = pl.DataFrame(schema={**dict.fromkeys(plan.header, pl.String), ROW: pl.Int64})
    del gathered
    numbers = frame[ROW]
    text, blank = without_blank_lines(_as_text(frame.drop(ROW), originals), originals)
    if blank:  # blank rows are left out before the rows are numbered
        raise AssertionError("a blank row reached a partition")
    del frame
    interpreter = BatchInterpreter(layout, reference, symptomatic=plan.options.symptomatic)

    def chunks() -> Iterator[tuple[pl.DataFrame, int]]:
        for start in range(0, max(text.height, 1), CHUNK_ROWS):
            yield text.slice(start, CHUNK_ROWS), start

    panels = Panels(layout, reference, interpreter)
    panels.first_pass(chunks())
    summary = Summary(panels=panels.summary)
    source_row = f"r{added_names(layout).index('source_row')}"
    for chunk, _ in chunks():
        summary.rows_read += chunk.height
        result = panels.after(interpreter.interpret(panels.before(chunk)))
        count_batch(result, layout, summary)
        # The partition's row numbers (from 1) as the input's.
        local = result[source_row]
        result = result.with_columns(numbers.gather(local - 1).alias(source_row))
        yield _output(result, layout, plan).with_columns(pl.lit(part, pl.Int32).alias(PART))
    if tally is not None:
        tally(part, summary)


def _as_text(batch: pl.DataFrame, originals: list[str]) -> pl.DataFrame:
    """The batch's columns as text, named ``c0``, ``c1`` ... as the engine reads them."""
    return batch.select(
        pl.col(name).cast(pl.String).alias(inner)
        for name, inner in zip(batch.columns, originals, strict=True)
    )


def _output(result: pl.DataFrame, layout: Layout, plan: Plan) -> pl.DataFrame:
    """The columns ``batch`` writes, under their names."""
    columns = internal_names(len(plan.header)) + [f"r{i}" for i in range(len(added_names(layout)))]
    return result.select(
        pl.col(inner).alias(name) for inner, name in zip(columns, plan.names(layout), strict=True)
    )


def empty_output(plan: Plan, grouped: bool, tally: Tally | None = None) -> pl.DataFrame:
    """The output of no rows: its columns and their types (and, to ``tally``, the summary
    of no rows: what the layout alone decides)."""
    empty = pl.DataFrame(schema=dict.fromkeys(plan.header, pl.String))
    if grouped:
        numbered = empty.with_columns(pl.lit(0, pl.Int64).alias(ROW))
        return pl.concat(list(patients(plan, iter([numbered]), tally, 0))).drop(PART)
    return pl.concat(list(rows(plan, iter([empty]), tally, 0)))


def arrow_function(
    plan: Plan,
    grouped: bool,
    schema: Any,
    tally: Tally | None,
) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """The function ``mapInArrow`` runs: Arrow batches in, Arrow batches of ``schema`` out."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        from pyspark import TaskContext

        context = TaskContext.get()
        part = context.partitionId() if context is not None else 0
        frames = (pl.DataFrame(pl.from_arrow(batch)) for batch in batches)
        interpret = patients if grouped else rows
        for frame in interpret(plan, frames, tally, part):
            yield from frame.to_arrow().cast(schema).to_batches()

    return run


__all__ = [
    "CHUNK_ROWS",
    "PART",
    "ROW",
    "Plan",
    "arrow_function",
    "empty_output",
    "patients",
    "rows",
]
