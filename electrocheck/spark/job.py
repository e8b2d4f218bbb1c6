"""The Spark job: CSV or Parquet in, a Parquet folder out, and the summary of ``batch``.

:func:`run_spark` reads the input (a file or a folder of files, on any file system Spark
reads: local, HDFS, S3 ...), interprets it (:func:`~electrocheck.spark.frame.prepare`) and
writes the output into a temporary folder beside the target, renamed to the target only once
every task has succeeded: a failed job leaves no output folder behind it.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from electrocheck.batch.layout import LayoutOptions
from electrocheck.batch.summary import Summary
from electrocheck.errors import ElectrocheckError, InputError, quote
from electrocheck.formats.delimited import SNIFFED, delimiter_of
from electrocheck.spark.frame import prepare
from electrocheck.spark.version import require_pyspark

#: Input formats, and the names that give them away.
INPUT_FORMATS = ("csv", "parquet")
_SUFFIXES = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
}
_COMPRESSED = (".gz", ".bz2", ".deflate", ".zst", ".lz4", ".snappy")
#: The master when none is given and spark-submit did not start the job.
LOCAL = "local[*]"


class SparkJobError(ElectrocheckError):
    """A Spark task failed: the output was not written."""


@dataclass(frozen=True)
class JobOptions:
    """How :func:`run_spark` reads, interprets and runs."""

    layout: LayoutOptions = field(default_factory=LayoutOptions)
    input_format: str | None = None  # csv or parquet; None: by the input's name
    delimiter: str | None = None  # CSV: sniffed from the first line when None
    multiline: bool = False  # CSV fields may hold line breaks (each file read by one task)
    master: str | None = None  # None: local[*], unless spark-submit gave one
    partitions: int | None = None  # tasks of a long file's panels; None: by its rows
    reference: str | None = None  # the reference file on the driver; None: built-in
    aliases: tuple[tuple[str, str], ...] = ()


def input_format(source: str, given: str | None) -> str:
    """``csv`` or ``parquet``: as given, else by the name of the input or of the files of a
    local folder."""
    if given is not None:
        if given not in INPUT_FORMATS:
            raise InputError(f"--input-format {quote(given)}: expected csv or parquet")
        return given
    names = [source]
    if os.path.isdir(source):
        names = sorted(n for n in os.listdir(source) if not n.startswith(("_", ".")))
    for name in names:
        lower = name.lower()
        for suffix in _COMPRESSED:
            lower = lower.removesuffix(suffix)
        found = _SUFFIXES.get(os.path.splitext(lower)[1])
        if found is not None:
            return found
    raise InputError(
        f"{quote(source)}: cannot tell whether it is CSV or Parquet from its name: give "
        "--input-format csv or --input-format parquet"
    )


def session(master: str | None) -> Any:
    """The Spark session: on ``master``; without one, spark-submit's, else ``local[*]``.
    Workers on this machine run this Python, which has electrocheck and polars."""
    require_pyspark()
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("electrocheck")
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # started by spark-submit
    if master is not None or not submitted:
        builder = builder.master(master or LOCAL)
    if (master or LOCAL).startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    # Batches of the size batch reads (Spark's default is 10,000 rows): fewer, larger calls
    # of the engine.
    builder = builder.config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536")
    with _quiet_warnings():
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def read_input(spark: Any, source: str, options: JobOptions) -> Any:
    """The input as a DataFrame: CSV with every field as text, or Parquet as it is typed."""
    kind = input_format(source, options.input_format)
    try:
        if kind == "parquet":
            return spark.read.parquet(source)
        delimiter = (
            delimiter_of(options.delimiter)
            if options.delimiter is not None
            else _sniffed(spark, source)
        )
        # RFC 4180 quoting (a quote doubled inside quotes), every field as text, and empty
        # fields missing, as batch reads a CSV file.
        return (
            spark.read.option("header", True)
            .option("sep", delimiter)
            .option("quote", '"')
            .option("escape", '"')
            .option("inferSchema", False)
            .option("multiLine", options.multiline)
            .option("mode", "PERMISSIVE")
            .csv(source)
        )
    except ElectrocheckError:
        raise
    except Exception as exc:  # Spark's AnalysisException: a path that is not there ...
        raise InputError(f"{quote(source)}: cannot be read: {_first_line(exc)}") from None


def _sniffed(spark: Any, source: str) -> str:
    """The delimiter of the first line: the one of , ; tab | it holds most of."""
    first = spark.read.text(source).head()
    if first is None:
        raise InputError(f"{quote(source)} is empty: no header row")
    line = str(first[0])
    return max(SNIFFED, key=line.count)


def run_spark(source: str, output: str, options: JobOptions | None = None) -> Summary:
    """Interpret ``source`` into the Parquet folder ``output`` and return the summary."""
    options = options or JobOptions()
    spark = session(options.master)
    folder = _Folder(spark, output)
    frame = read_input(spark, source, options)
    with _failure_said(output):  # a long table's counting job runs here
        layout, aliases = options.layout, options.aliases
        run = prepare(frame, options.reference, layout, aliases, options.partitions, keep=False)
    with folder.written() as temporary, _quiet_warnings(), _failure_said(output):
        out = run.frame
        if run.number is not None:
            # A partition's panels are numbered after those of the partitions before it, known
            # once every partition is interpreted: the interpreted rows are written first,
            # beside the output, and numbered as they are read back (kept by Spark and joined
            # to the counts instead, they cost more CPU time: docs/spark.md).
            out.write.mode("errorifexists").parquet(folder.staged)
            out = run.number(spark.read.parquet(folder.staged))
        out.write.mode("errorifexists").parquet(temporary)
    return run.summary()


@contextmanager
def _failure_said(output: str) -> Iterator[None]:
    """A Spark job that fails, as one SparkJobError that says the output was not written."""
    try:
        yield
    except ElectrocheckError:
        raise
    except Exception as exc:
        raise SparkJobError(
            f"the Spark job failed, and {quote(output)} was not written: {_first_line(exc)}"
        ) from None


class _Folder:
    """The output folder, on whatever file system Spark writes it to: written into a
    temporary folder beside it, renamed once whole."""

    def __init__(self, spark: Any, output: str) -> None:
        jvm = spark.sparkContext._jvm
        self.path = jvm.org.apache.hadoop.fs.Path(output)
        self.fs = self.path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        self.shown = quote(output)
        if self.fs.exists(self.path):
            raise InputError(f"{self.shown} already exists: remove it, or name another output")
        parent = self.path.getParent()
        name = f".{self.path.getName()}.electrocheck-{uuid.uuid4().hex[:12]}"
        self.temporary = jvm.org.apache.hadoop.fs.Path(parent, name)
        self.stage = jvm.org.apache.hadoop.fs.Path(parent, f"{name}-stage")
        #: A folder beside the output for rows written before they are final.
        self.staged = str(self.stage.toString())

    @contextmanager
    def written(self) -> Iterator[str]:
        try:
            yield str(self.temporary.toString())
            if not self.fs.rename(self.temporary, self.path):
                raise SparkJobError(f"{self.shown} could not be put in place")
        finally:
            for left in (self.temporary, self.stage):
                if self.fs.exists(left):
                    self.fs.delete(left, True)


def _first_line(exc: BaseException) -> str:
    """The line of a Spark error that says what went wrong (not its Java stack)."""
    text = str(getattr(exc, "desc", None) or exc)
    text = re.sub(r"\s*SQLSTATE: \w+", "", text)  # Spark's error class says it already
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):  # a Python worker's error: its last line
        if line.startswith(("electrocheck", "polars", "ValueError", "RuntimeError")):
            return line
    return lines[0] if lines else type(exc).__name__


@contextmanager
def _quiet_warnings() -> Iterator[None]:
    """pyspark warns of a newer pandas than it has tried: not the user's concern."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        yield


__all__ = ["INPUT_FORMATS", "JobOptions", "SparkJobError", "input_format", "run_spark", "session"]
