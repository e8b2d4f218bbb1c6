"""``python -m electrocheck.spark INPUT OUTPUT``: the Spark job on the command line.

The options that apply on a cluster are those of ``electrocheck batch``, declared once in
:mod:`electrocheck.cli.batch_command` and meaning the same; the summary is printed as
``batch`` prints it, and ``--strict`` and ``--fail-on`` exit as they do.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from electrocheck.cli import edge
from electrocheck.cli.batch_command import (
    AliasOption,
    BatchFailOnOption,
    BirthColumnOption,
    DelimiterOption,
    EverySymptomaticOption,
    FileRangesOption,
    LabFlagsOption,
    LayoutOption,
    MapOption,
    NoPanelsOption,
    NumberColumnOption,
    PanelWindowOption,
    PatientColumnOption,
    QuietOption,
    SpecimenColumnOption,
    SpecimenIdColumnOption,
    StrictOption,
    SummaryJsonOption,
    TestColumnOption,
    TimeColumnOption,
    UnitColumnOption,
    UnknownOkOption,
    ValueColumnOption,
    _mapping,
)
from electrocheck.cli.edge import errors_to_exit
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.cli.options import RangesOption

app = typer.Typer(add_completion=False, context_settings={"help_option_names": ["-h", "--help"]})

InputArgument = Annotated[
    str,
    typer.Argument(
        metavar="INPUT",
        help="CSV (compressed or not) or Parquet: a file, or a folder of files; any path Spark "
        "reads (hdfs://, s3a:// ...).",
        show_default=False,
    ),
]
OutputArgument = Annotated[
    str,
    typer.Argument(
        metavar="OUTPUT",
        help="The Parquet folder to write (whole, or not at all); it must not exist.",
        show_default=False,
    ),
]
MasterOption = Annotated[
    Optional[str],  # noqa: UP045 - typer reads the annotation at run time on Python 3.10
    typer.Option(
        "--master",
        metavar="URL",
        help="Spark master (local[4], spark://host:7077, yarn). Default: spark-submit's, "
        "else local[*].",
        show_default=False,
    ),
]
InputFormatOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--input-format",
        metavar="FORMAT",
        help="csv or parquet. Default: by the input's name (or its files').",
        show_default=False,
    ),
]
MultilineOption = Annotated[
    bool,
    typer.Option(
        "--multiline",
        help="CSV fields may hold line breaks (inside quotes): each file is then read by one task.",
    ),
]
PartitionsOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--partitions",
        min=1,
        metavar="N",
        help="Long files with panels: the tasks that share the patients. Default: one per "
        "million rows, at least Spark's default parallelism.",
        show_default=False,
    ),
]


@app.command()
def spark(
    source: InputArgument,
    output: OutputArgument,
    master: MasterOption = None,
    input_format: InputFormatOption = None,
    delimiter: DelimiterOption = None,
    multiline: MultilineOption = False,
    partitions: PartitionsOption = None,
    layout: LayoutOption = None,
    mapping: MapOption = None,
    aliases: AliasOption = None,
    test_column: TestColumnOption = None,
    value_column: ValueColumnOption = None,
    unit_column: UnitColumnOption = None,
    number_column: NumberColumnOption = None,
    specimen_column: SpecimenColumnOption = None,
    patient_column: PatientColumnOption = None,
    time_column: TimeColumnOption = None,
    specimen_id_column: SpecimenIdColumnOption = None,
    birth_column: BirthColumnOption = None,
    panel_window: PanelWindowOption = "0",
    no_panels: NoPanelsOption = False,
    lab_flags: LabFlagsOption = False,
    file_ranges: FileRangesOption = False,
    symptomatic: EverySymptomaticOption = False,
    ranges: RangesOption = None,
    strict: StrictOption = False,
    fail_on: BatchFailOnOption = None,
    unknown_ok: UnknownOkOption = False,
    summary_json: SummaryJsonOption = None,
    quiet: QuietOption = False,
) -> None:
    """Interpret a lab export on Apache Spark, as electrocheck batch does: every row kept,
    the result columns added, written as a Parquet folder; the summary on stderr.

    Example: python -m electrocheck.spark measurement.parquet checked.parquet --master yarn
    """
    with errors_to_exit():
        from electrocheck.batch.layout import LayoutOptions
        from electrocheck.batch.times import parse_window
        from electrocheck.reference.names import parse_aliases
        from electrocheck.spark.job import JobOptions, run_spark

        options = JobOptions(
            layout=LayoutOptions(
                layout=None if layout is None else layout.value,
                mapping=_mapping(mapping or []),
                test_column=test_column,
                value_column=value_column,
                unit_column=unit_column,
                number_column=number_column,
                specimen_column=specimen_column,
                file_ranges=file_ranges,
                symptomatic=symptomatic,
                lab_flags=lab_flags,
                patient_column=patient_column,
                time_column=time_column,
                specimen_id_column=specimen_id_column,
                birth_column=birth_column,
                panel_window=parse_window(panel_window),
                panels=not no_panels,
            ),
            input_format=input_format,
            delimiter=delimiter,
            multiline=multiline,
            master=master,
            partitions=partitions,
            reference=None if ranges is None else str(ranges),
            aliases=tuple(parse_aliases(aliases or [])),
        )
        from electrocheck.cli.batch_report import print_summary

        if summary_json is not None:
            from electrocheck.cli.batch_report import check_summary_target

            check_summary_target(summary_json)
        summary = run_spark(source, output, options)
        if summary_json is not None:
            from electrocheck.cli.batch_report import write_summary_json

            write_summary_json(summary, Path(summary_json))
    if not quiet:
        print_summary(summary, sys.stderr)
    from electrocheck.cli.batch_report import conditions_met

    condition = None if fail_on is None else fail_on.value
    met, reasons = conditions_met(summary, strict, condition, unknown_ok)
    for reason in reasons:
        sys.stderr.write(f"electrocheck batch: {reason}\n")
    if met:
        raise typer.Exit(ExitCode.CONDITION_MET)


def main(argv: list[str] | None = None) -> int:
    """Run the job, and keep any traceback from the user (as the ``electrocheck`` command)."""
    return edge.run(app, argv, prog_name="python -m electrocheck.spark")


__all__ = ["app", "main", "spark"]
