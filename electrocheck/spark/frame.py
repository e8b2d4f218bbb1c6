"""A Spark DataFrame interpreted as ``electrocheck batch`` interprets a file.

:func:`interpret_spark` checks on the driver what can be checked before any task runs (the
pyspark version, the reference file, the columns' types, the layout) and returns a DataFrame
with the columns ``batch`` writes as Parquet: the input's as text, then the results, typed.
The rows go through the engine of ``batch`` in Spark's Python workers
(:mod:`~electrocheck.spark.tasks`):

- a wide frame, or a long one without panels: batch by batch (``mapInArrow``), where the
  rows are;
- a long frame grouped into panels: numbered in input order, partitioned by the range of
  their patient's id, so that each patient's rows are interpreted together in one task and
  the partitions follow the order of the ids; then each partition's panels, numbered from 1,
  are numbered across partitions, as ``batch`` numbers them (by patient, then time).

The reference file is read and validated on the driver, and its text sent to the executors,
which load it once per process (:mod:`~electrocheck.spark.reference_text`).
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]  # (the spark extra installs it)

from electrocheck.batch.columns import added_names, output_names
from electrocheck.batch.layout import Layout, LayoutOptions, MissingColumnError, detect_layout
from electrocheck.batch.sources import sources
from electrocheck.batch.summary import Summary
from electrocheck.errors import ArgumentError, InputError, quote
from electrocheck.spark import tasks
from electrocheck.spark.reference_text import ReferenceText
from electrocheck.spark.tally import Counts, accumulator, added_up
from electrocheck.spark.version import require_pyspark

#: Rows of a long frame with panels given to one task, when the number of partitions is not
#: given: each task holds its partition's rows in memory (about 1 KB a row at most).
ROWS_PER_PARTITION = 1_000_000
#: Spark types read as text: numbers, booleans, dates and times, as polars writes them.
_TEXT_TYPES = (
    "StringType",
    "VarcharType",
    "CharType",
    "ByteType",
    "ShortType",
    "IntegerType",
    "LongType",
    "FloatType",
    "DoubleType",
    "DecimalType",
    "BooleanType",
    "DateType",
    "TimestampType",
    "TimestampNTZType",
    "NullType",
)
_MID = "_electrocheck_mid"


@dataclass
class SparkRun:
    """A frame interpreted (lazily), and what is needed to sum up the run once it ran."""

    frame: Any  # the output DataFrame
    layout: Layout
    base: Summary  # the driver's part of the summary: layout, columns, warnings
    counts: Any  # the accumulator of the partitions' counts
    kept: Any = None  # the interpreted rows kept for the numbering of the panels
    #: Where the panels are left to number (``prepare(..., keep=False)``): numbers them
    #: across partitions in a copy of ``frame`` (written, then read back), running a small
    #: job to count each partition's panels.
    number: Callable[[Any], Any] | None = None

    def summary(self) -> Summary:
        """The summary of the run, once an action has run the frame."""
        counts: Counts = self.counts.value
        summary = added_up(copy.deepcopy(self.base), counts)
        summary.note_unused_covariates()
        return summary

    def release(self) -> None:
        """Let go of the rows kept for the numbering of the panels."""
        if self.kept is not None:
            self.kept.unpersist()


def interpret_spark(
    frame: Any,
    reference: str | os.PathLike[str] | None = None,
    options: LayoutOptions | None = None,
    aliases: tuple[tuple[str, str], ...] = (),
    partitions: int | None = None,
) -> Any:
    """Interpret a Spark DataFrame in the wide, long, OMOP or PCORnet layout: a DataFrame
    with the columns ``electrocheck batch`` writes (the input's as text, then the results).

    ``reference`` is the path of a reference file on the driver (None: the built-in one);
    ``options`` say what the columns are where their names do not (as in ``batch``);
    ``aliases`` are ``--alias`` pairs (label, analyte). ``partitions``: how many tasks share a
    long frame grouped into panels (default: one per million rows, at least Spark's default
    parallelism). Raises :class:`~electrocheck.errors.ElectrocheckError` before any task runs
    for an unsupported pyspark, a reference file that does not validate, a column of a type
    that cannot be read as text, or a frame whose layout is not recognized. A frame grouped
    into panels is counted (one Spark job) when this is called, and its interpreted rows are
    kept on the executors' disks (``persist``) so that the numbering of the panels does
    not run them twice.
    """
    return prepare(frame, reference, options, aliases, partitions).frame


def prepare(
    frame: Any,
    reference: str | os.PathLike[str] | None = None,
    options: LayoutOptions | None = None,
    aliases: tuple[tuple[str, str], ...] = (),
    partitions: int | None = None,
    keep: bool = True,
) -> SparkRun:
    """:func:`interpret_spark`, with the summary of the run to come.

    ``keep=False``: the rows of a long frame grouped into panels are not kept to number the
    panels; the frame returned has each partition's panels numbered from 1, and the column
    :data:`~electrocheck.spark.tasks.PART`, and the run's ``number`` numbers them across
    partitions in a copy of it that was written and read back (as the job does), once
    every partition's panels are counted (a small job, when it is called).
    """
    require_pyspark()
    from pyspark.sql import DataFrame

    if not isinstance(frame, DataFrame):
        raise ArgumentError(f"frame: expected a Spark DataFrame, not {type(frame).__name__}")
    if options is None:
        options = LayoutOptions()
    if partitions is not None and (not isinstance(partitions, int) or partitions < 1):
        raise ArgumentError(f"partitions: expected a number from 1, not {quote(partitions)}")
    header = tuple(frame.columns)
    _check_columns(frame)
    text, loaded = ReferenceText.read(reference, aliases)
    layout = _layout(header, loaded, options)
    plan = tasks.Plan(header, options, text)
    grouped = layout.kind == "long" and layout.panels is not None
    base = Summary(layout=layout.kind, columns=[s.name for s in sources(layout, loaded)])
    if layout.patient.age is None and (layout.panels is None or layout.panels.birth is None):
        base.warnings.append("no age column: adult limits were used")
    empty: Counts = {}
    shape = tasks.empty_output(plan, grouped, lambda part, counted: empty.update({part: counted}))
    base = added_up(base, empty)
    base.rows_written = 0
    arrow_schema, spark_schema = _schemas(shape)
    counts = accumulator(frame.sparkSession.sparkContext)

    def tally(part: int, summary: Summary) -> None:
        counts.add({part: summary})

    if not grouped:
        run = tasks.arrow_function(plan, False, arrow_schema, tally)
        return SparkRun(frame.mapInArrow(run, spark_schema), layout, base, counts)
    interpreted = _by_patient(
        frame, plan, layout, arrow_schema, spark_schema, tally, partitions, base
    )
    number = partial(_panels_numbered, layout=layout, spark_schema=spark_schema)
    if not keep:
        now = partial(number, collected=True)
        return SparkRun(interpreted, layout, base, counts, number=now)
    from pyspark import StorageLevel

    # Kept on the executors' disks, streamed batch by batch: a partition of a million rows
    # kept in the JVM's memory would need more than its heap.
    kept = interpreted.persist(StorageLevel.DISK_ONLY)
    return SparkRun(number(kept), layout, base, counts, kept)


def _check_columns(frame: Any) -> None:
    """One clear message for a name the frame repeats, or a column that is not text,
    numbers, booleans, dates or times."""
    names = [name.casefold() for name in frame.columns]
    doubled = sorted({n for n in frame.columns if names.count(n.casefold()) > 1})
    if doubled:
        raise InputError(
            f"the frame has more than one column called {', '.join(map(quote, doubled))} "
            "(names are compared ignoring case, as Spark does): rename them first"
        )
    for field in frame.schema.fields:
        kind = type(field.dataType).__name__
        if kind not in _TEXT_TYPES:
            raise InputError(
                f"column {quote(field.name)} is of type {field.dataType.simpleString()}, which "
                "cannot be read as a lab export's text: cast it to string, or drop it"
            )


def _layout(header: tuple[str, ...], reference: Any, options: LayoutOptions) -> Layout:
    """The frame's layout, or an InputError that names the frame's columns."""
    try:
        return detect_layout(header, reference, options)
    except MissingColumnError:
        raise
    except InputError as exc:
        fields = ", ".join(quote(name) for name in header[:8])
        more = f", ... ({len(header)} columns)" if len(header) > 8 else ""
        message = f"{exc} (the frame's columns: {fields}{more})"
        try:
            error = type(exc)(message)
        except TypeError:  # an error type built from more than a message
            error = InputError(message)
        raise error from None


def _schemas(shape: pl.DataFrame) -> tuple[Any, Any]:
    """The Arrow and Spark schemas of the output, from the output of no rows: text as
    Arrow's ``string``, which Spark reads."""
    from pyspark.sql.pandas.types import from_arrow_schema

    arrow = shape.to_arrow().schema
    fields = [pa.field(f.name, pa.string()) if f.type == pa.large_string() else f for f in arrow]
    schema = pa.schema(fields)
    return schema, from_arrow_schema(schema)


def _by_patient(
    frame: Any,
    plan: tasks.Plan,
    layout: Layout,
    arrow_schema: Any,
    spark_schema: Any,
    tally: Any,
    partitions: int | None,
    base: Summary,
) -> Any:
    """A long frame grouped into panels: its rows numbered in input order, partitioned by the
    range of their patient's id, interpreted a partition at a time, each partition's panels
    numbered from 1 (and the partition's number in :data:`~electrocheck.spark.tasks.PART`)."""
    numbered, total = _numbered(frame, base)
    count = partitions or max(
        frame.sparkSession.sparkContext.defaultParallelism, math.ceil(total / ROWS_PER_PARTITION)
    )
    spread = _spread(numbered, layout, count, base)
    with_part = arrow_schema.append(pa.field(tasks.PART, pa.int32(), nullable=False))
    run = tasks.arrow_function(plan, True, with_part, tally)
    return spread.mapInArrow(run, _with_part(spark_schema))


def _numbered(frame: Any, base: Summary) -> tuple[Any, int]:
    """The frame's rows with their number in input order, from 1 (:data:`tasks.ROW`), and how
    many there are: a counting pass first, partition by partition. Blank rows (every field
    missing) are not rows of data: left out, counted in ``base``, and take no number."""
    from pyspark.sql import functions as F

    col = F.col
    filled = F.lit(False)
    for name in frame.columns:
        filled = filled | col(name).isNotNull()
    counted = frame.select(filled.alias("_filled"), F.spark_partition_id().alias("_p"))
    numbers = {
        row["_p"]: (row["rows"], row["blank"])
        for row in counted.groupBy("_p")
        .agg(
            F.sum(F.when(col("_filled"), 1).otherwise(0)).alias("rows"),
            F.sum(F.when(col("_filled"), 0).otherwise(1)).alias("blank"),
        )
        .collect()
    }
    base.blank_lines += sum(blank for _, blank in numbers.values())
    starts, start = [F.lit(0), F.lit(0)], 0
    for part in sorted(numbers):
        starts += [F.lit(part), F.lit(start)]
        start += numbers[part][0]
    # monotonically_increasing_id: the partition's number in the upper bits, the row's
    # position in it below.
    rows = frame.filter(filled).withColumn(_MID, F.monotonically_increasing_id())
    part_of = F.shiftright(col(_MID), 33).cast("int")
    first = F.element_at(F.create_map(*starts[2:] or starts), part_of)
    row = (first + col(_MID).bitwiseAND((1 << 33) - 1) + 1).cast("long")
    return rows.withColumn(tasks.ROW, row).drop(_MID), start


def _spread(numbered: Any, layout: Layout, count: int, base: Summary) -> Any:
    """The rows in ``count`` partitions: each patient's in one, the partitions in the order
    of the patients' ids, as the panels are numbered (ids compared as text, without the white
    space around them); the rows without a patient spread by their number."""
    from pyspark.sql import functions as F

    assert layout.panels is not None
    patient = layout.panels.patient
    if patient is None:
        # Without patients, the panels are numbered in order of time: all in one task.
        base.warnings.append("no patient column: the rows were interpreted in one task")
        return numbered.repartition(1)
    shown = F.col(numbered.columns[patient]).cast("string")
    key = F.nullif(F.regexp_replace(shown, r"(?U)^\s+|\s+$", ""), F.lit(""))
    alone = F.when(key.isNull(), F.col(tasks.ROW))
    return numbered.repartitionByRange(count, key.asc_nulls_first(), alone.asc_nulls_first())


def _panels_numbered(
    interpreted: Any, layout: Layout, spark_schema: Any, collected: bool = False
) -> Any:
    """The interpreted rows with their panels numbered across partitions: each partition's
    numbers (from 1) after the panels of the partitions before it. ``collected``: each
    partition's count of panels is collected first (a job of its own, reading two columns)
    and its offset added as a constant, rather than by a join of every row against the
    offsets, which costs about 4 CPU seconds a million rows; else the frame stays lazy."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    col = F.col
    panel = output_names(layout)[added_names(layout).index("panel")]
    panels = interpreted.groupBy(tasks.PART).agg(F.max(col(panel)).alias("_n"))
    if collected:
        counted = {row[tasks.PART]: row["_n"] or 0 for row in panels.collect()}
        pairs, start = [], 0
        for part in sorted(counted):
            pairs += [F.lit(part), F.lit(start).cast("long")]
            start += counted[part]
        at = F.element_at(F.create_map(*pairs), col(tasks.PART)) if pairs else F.lit(0)
        rows = interpreted
    else:
        before = Window.orderBy(tasks.PART).rowsBetween(Window.unboundedPreceding, -1)
        earlier = F.sum(F.coalesce(col("_n"), F.lit(0))).over(before)
        offsets = panels.select(tasks.PART, F.coalesce(earlier, F.lit(0)).cast("long").alias("_at"))
        rows = interpreted.join(F.broadcast(offsets), on=tasks.PART, how="left")
        at = col("_at")
    return rows.select(
        *(
            (col(panel) + at).alias(panel) if name == panel else col(name)
            for name in spark_schema.fieldNames()
        )
    )


def _with_part(schema: Any) -> Any:
    from pyspark.sql.types import IntegerType, StructField, StructType

    return StructType([*schema.fields, StructField(tasks.PART, IntegerType(), False)])


__all__ = ["ROWS_PER_PARTITION", "SparkRun", "interpret_spark", "prepare"]
