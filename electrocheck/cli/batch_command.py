"""``electrocheck batch``: its options, and the exit code its summary decides."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from electrocheck.cli.edge import errors_to_exit, fail
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.cli.options import FailOn, RangesOption
from electrocheck.clinical.check import FAIL_ON
from electrocheck.reference import load_reference


class BatchFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


class LayoutChoice(str, Enum):
    wide = "wide"
    long = "long"


# The options, declared once here so that the command's own signature reads as a list.
SourceArgument = Annotated[
    str,
    typer.Argument(
        metavar="FILE", help="CSV lab export to read, or - for stdin.", show_default=False
    ),
]
OutputOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time on Python 3.10
    typer.Option(
        "--output",
        "-o",
        help="File to write (whole, or not at all). Default: stdout.",
        show_default=False,
    ),
]
BatchFormatOption = Annotated[
    BatchFormat, typer.Option("--format", "-f", help="csv, or jsonl (one object per row).")
]
LayoutOption = Annotated[
    Optional[LayoutChoice],  # noqa: UP045
    typer.Option(
        "--layout",
        help="wide (a column per analyte) or long (a row per "
        "result). Default: detected from the header.",
        show_default=False,
    ),
]
DelimiterOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--delimiter", "-d", help="',', ';' or 'tab'. Default: sniffed.", show_default=False
    ),
]
MapOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--map",
        metavar="ANALYTE=COLUMN",
        help="Wide layout: read ANALYTE from COLUMN (repeatable); replaces recognition by header.",
        show_default=False,
    ),
]
TestColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--test-column", help="Long layout: the column naming the test.", show_default=False
    ),
]
ValueColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--value-column", help="Long layout: the column holding the result.", show_default=False
    ),
]
UnitColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--unit-column", help="Long layout: the column holding the unit.", show_default=False
    ),
]
FileRangesOption = Annotated[
    bool,
    typer.Option(
        "--file-ranges",
        help="Flag against the reference file's "
        "intervals even when rows carry the lab's own limits.",
    ),
]
EverySymptomaticOption = Annotated[
    bool,
    typer.Option(
        "--symptomatic",
        help="Every patient has symptoms (where a symptomatic column is empty or absent): "
        "give the symptomatic grade where CTCAE lets symptoms decide.",
    ),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Exit 1 when any cell had an error.")]
BatchFailOnOption = Annotated[
    Optional[FailOn],  # noqa: UP045
    typer.Option(
        "--fail-on", help="Exit 1 when any value is abnormal or critical.", show_default=False
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")
]


def batch(
    source: SourceArgument,
    output: OutputOption = None,
    output_format: BatchFormatOption = BatchFormat.csv,
    layout: LayoutOption = None,
    delimiter: DelimiterOption = None,
    mapping: MapOption = None,
    test_column: TestColumnOption = None,
    value_column: ValueColumnOption = None,
    unit_column: UnitColumnOption = None,
    file_ranges: FileRangesOption = False,
    symptomatic: EverySymptomaticOption = False,
    ranges: RangesOption = None,
    strict: StrictOption = False,
    fail_on: BatchFailOnOption = None,
    quiet: QuietOption = False,
) -> None:
    """Interpret a CSV lab export: every row kept, result columns added.

    Example: electrocheck batch labs.csv -o labs-checked.csv

    Wide files have a column per analyte (Calcium (mg/dL), K [mmol/L], 17861-6); long files a
    row per result (test, value, unit columns). Columns named age, sex and symptomatic choose
    age-banded limits and symptomatic grades; in wide files, albumin and glucose columns add
    corrected calcium and corrected sodium. Bad cells keep their row, with empty results
    and the reason in the errors column. A progress bar and a summary go to stderr.
    """
    with errors_to_exit():
        from electrocheck.batch.layout import LayoutOptions
        from electrocheck.batch.run import BatchOptions, run_batch

        reference = load_reference(ranges)
        options = BatchOptions(
            layout=LayoutOptions(
                layout=None if layout is None else layout.value,
                mapping=_mapping(mapping or []),
                test_column=test_column,
                value_column=value_column,
                unit_column=unit_column,
                file_ranges=file_ranges,
                symptomatic=symptomatic,
            ),
            delimiter=delimiter,
            output_format=output_format.value,
        )
        from electrocheck.cli.batch_report import batch_progress, print_summary

        with batch_progress(not quiet, sys.stderr) as progress:
            summary = run_batch(source, output, reference, options, progress)
    if not quiet:
        print_summary(summary, sys.stderr)
    condition = None if fail_on is None else FAIL_ON[fail_on.value]
    if (strict and summary.cell_errors + summary.rows_with_errors) or (
        condition is not None and summary.any_flag(condition)
    ):
        raise typer.Exit(ExitCode.CONDITION_MET)


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        analyte, sep, column = item.partition("=")
        if not sep or not analyte.strip() or not column:
            fail(f"--map {item!r}: expected ANALYTE=COLUMN, e.g. --map potassium='K+ (mmol/L)'")
        mapping[analyte.strip()] = column
    return mapping
