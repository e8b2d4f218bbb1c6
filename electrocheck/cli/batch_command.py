"""``electrocheck batch``: its options, and the exit code its summary decides."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from electrocheck.cli.edge import errors_to_exit, fail
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.cli.options import FailOn, RangesOption
from electrocheck.reference import load_reference, with_aliases
from electrocheck.reference.names import parse_aliases


class BatchFormat(str, Enum):
    csv = "csv"
    tsv = "tsv"
    jsonl = "jsonl"
    parquet = "parquet"
    fhir = "fhir"


class LayoutChoice(str, Enum):
    wide = "wide"
    long = "long"
    omop = "omop"
    pcornet = "pcornet"


# The options, declared once here so that the command's own signature reads as a list.
SourceArgument = Annotated[
    str,
    typer.Argument(
        metavar="FILE",
        help="Lab export to read: CSV or TSV (gzip, bzip2, xz or zstd compressed, or not), "
        "an Excel sheet, FHIR R4 JSON (a Bundle, an Observation, or NDJSON), or HL7 v2 "
        "messages (ORU^R01); - for stdin.",
        show_default=False,
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
    Optional[BatchFormat],  # noqa: UP045
    typer.Option(
        "--format",
        "-f",
        help="csv, tsv, jsonl (a record of texts, then one object per row), parquet, or fhir "
        "(FHIR R4 Observations: NDJSON for NDJSON input, else a Bundle). Default: from -o's "
        "extension, else as the input (tsv for tab-separated input, csv otherwise).",
        show_default=False,
    ),
]
LayoutOption = Annotated[
    Optional[LayoutChoice],  # noqa: UP045
    typer.Option(
        "--layout",
        help="wide (a column per analyte), long (a row per result), omop (an OMOP CDM "
        "MEASUREMENT table) or pcornet (a PCORnet LAB_RESULT_CM table). Default: detected "
        "from the header.",
        show_default=False,
    ),
]
DelimiterOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--delimiter",
        "-d",
        help="',', ';', '|' or 'tab'. Default: sniffed from the header.",
        show_default=False,
    ),
]
OutputDelimiterOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--output-delimiter",
        help="',', ';', '|' or 'tab' for csv output. Default: the input's (tab makes tsv).",
        show_default=False,
    ),
]
EncodingOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--encoding",
        help="The file's text encoding (utf-8, cp1252, latin-1, utf-16 ...). Default: UTF-8, "
        "UTF-16 by its byte-order mark, else Windows-1252 with a warning.",
        show_default=False,
    ),
]
SkipLinesOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(
        "--skip-lines",
        min=0,
        metavar="N",
        help="Lines of title above the header. Default: the header is found among the first "
        "20 lines.",
        show_default=False,
    ),
]
SheetOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--sheet",
        metavar="NAME",
        help="The sheet of an Excel workbook, by name or number from 1. Default: the first "
        "whose header names an analyte.",
        show_default=False,
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
AliasOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--alias",
        metavar="LABEL=ANALYTE",
        help="Read the test name or header LABEL as ANALYTE (any name the reference file "
        "knows it by), e.g. --alias 'Kalium=potassium'; repeatable.",
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
NumberColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--number-column",
        help="Long layout: the numeric column that backs the value column (valuenum beside a "
        "masked value '___'). Default: found by name.",
        show_default=False,
    ),
]
SpecimenColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--specimen-type-column",
        help="The column naming each row's specimen or fluid: serum, plasma and blood are "
        "interpreted, urine and other fluids only counted. Default: found by name (fluid, "
        "specimen, specimen_type ...); '' reads none.",
        show_default=False,
    ),
]
PatientColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--patient-column",
        help="Long layout: the column of each row's patient. Default: found by name (patient, "
        "patient_id, mrn, subject_id, person_id, PATID ...).",
        show_default=False,
    ),
]
TimeColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--time-column",
        help="Long layout: the column of each row's collection time, or DATE+TIME for a date "
        "and a time of day in two columns. Default: found by name (collected, charttime, "
        "measurement_datetime, DATE, SPECIMEN_DATE+SPECIMEN_TIME ...).",
        show_default=False,
    ),
]
SpecimenIdColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--specimen-column",
        help="Long layout: the column of each row's specimen or accession number; a panel is "
        "the rows of one specimen. Default: found by name (specimen_id, accession, order_id ...).",
        show_default=False,
    ),
]
BirthColumnOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--birth-column",
        help="Long layout: the column of each patient's date of birth; the age is computed at "
        "each collection time. Default: found by name (birth_date, dob, birthDate ...).",
        show_default=False,
    ),
]
PanelWindowOption = Annotated[
    str,
    typer.Option(
        "--panel-window",
        metavar="DURATION",
        help="Long layout without a specimen column: one patient's rows collected within "
        "DURATION of a panel's first row (10m, 30s, 2h) are one panel; 0: at the same time.",
    ),
]
NoPanelsOption = Annotated[
    bool,
    typer.Option(
        "--no-panels",
        help="Long layout: do not group rows into panels (no corrected results, no patterns, "
        "no panel columns).",
    ),
]
SortedOption = Annotated[
    bool,
    typer.Option(
        "--sorted",
        help="Long layout: the rows are sorted by patient id (as text, or as numbers where "
        "every id is digits); read a part of the patients at a time, so memory does not grow "
        "with the file (a row out of order stops the run).",
    ),
]
LabFlagsOption = Annotated[
    bool,
    typer.Option(
        "--lab-flags",
        help="Add lab_flag columns (the lab's own flag, as in '2.6 LL') even when the file "
        "has no flag column.",
    ),
]
UnknownOkOption = Annotated[
    bool,
    typer.Option(
        "--unknown-ok",
        help="--fail-on ignores values that could not be interpreted (by default they fail "
        "it: an unreadable value may be a critical one).",
    ),
]
SummaryJsonOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--summary-json",
        metavar="FILE",
        help="Also write the summary as JSON to FILE (whole, or not at all): every row's "
        "fate, tests not interpreted by name, flags by analyte.",
        show_default=False,
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
StrictOption = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Exit 1 when any cell had an error, or a test or column that looks like an "
        "electrolyte was not read.",
    ),
]
BatchFailOnOption = Annotated[
    Optional[FailOn],  # noqa: UP045
    typer.Option(
        "--fail-on",
        help="Exit 1 when any value is abnormal or critical, or an electrolyte's value could "
        "not be interpreted (see --unknown-ok).",
        show_default=False,
    ),
]
MedicationsOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--medications",
        metavar="FILE",
        help="A medication list (CSV: patient, drug, optional start and stop; MIMIC "
        "prescriptions, OMOP DRUG_EXPOSURE and PCORnet PRESCRIBING are known by their "
        "columns), joined to the results by patient and collection time: each abnormal "
        "result names the medicines that explain it in a medications column.",
        show_default=False,
    ),
]
ByPatientOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--by-patient",
        metavar="FILE",
        help="Long layout with a patient column: also write one row per patient to FILE (- "
        "for stdout, with -o), the most serious first: per analyte the worst flag and grade, "
        "counts, the latest result; the patterns, notes on changes over time, the fastest "
        "sodium rise. Format by FILE's extension, else the output's.",
        show_default=False,
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")
]


def batch(
    source: SourceArgument,
    output: OutputOption = None,
    output_format: BatchFormatOption = None,
    layout: LayoutOption = None,
    delimiter: DelimiterOption = None,
    output_delimiter: OutputDelimiterOption = None,
    encoding: EncodingOption = None,
    skip_lines: SkipLinesOption = None,
    sheet: SheetOption = None,
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
    sorted_rows: SortedOption = False,
    lab_flags: LabFlagsOption = False,
    file_ranges: FileRangesOption = False,
    symptomatic: EverySymptomaticOption = False,
    ranges: RangesOption = None,
    strict: StrictOption = False,
    fail_on: BatchFailOnOption = None,
    unknown_ok: UnknownOkOption = False,
    summary_json: SummaryJsonOption = None,
    by_patient: ByPatientOption = None,
    quiet: QuietOption = False,
    medications: MedicationsOption = None,
) -> None:
    """Interpret a CSV lab export: every row kept, result columns added.

    Example: electrocheck batch labs.csv -o labs-checked.csv

    Wide files have a column per analyte (Calcium (mg/dL), K [mmol/L], 17861-6); long files a
    row per result (test, value, unit columns). Columns named age, sex and symptomatic choose
    age-banded limits and symptomatic grades; in wide files, albumin and glucose columns add
    corrected calcium and corrected sodium, and so do albumin and glucose rows in the panels
    of long files (the rows of one specimen, or of one patient at one time). Bad cells keep
    their row, with empty results and the reason in the errors column. A progress bar and a
    summary go to stderr.

    FHIR R4 JSON (a Bundle, an Observation, or Bulk Data NDJSON, gzipped or not) is read as
    the long table of its Observations: electrocheck batch export.ndjson.gz -o checked.csv

    HL7 v2 ORU^R01 messages (one or many, MLLP-framed or not) are read as the long table of
    their OBX results: electrocheck batch results.hl7 -o checked.csv
    """
    with errors_to_exit():
        from electrocheck.batch.layout import LayoutOptions
        from electrocheck.batch.run import BatchOptions, run_batch
        from electrocheck.batch.times import parse_window

        reference = with_aliases(load_reference(ranges), parse_aliases(aliases or []))
        options = BatchOptions(
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
                sorted_rows=sorted_rows,
            ),
            delimiter=delimiter,
            output_format=None if output_format is None else output_format.value,
            encoding=encoding,
            skip_lines=skip_lines,
            sheet=sheet,
            output_delimiter=output_delimiter,
            by_patient=by_patient,
            medications=medications,
        )
        from electrocheck.cli.batch_report import batch_progress, print_summary

        if summary_json is not None:
            from electrocheck.cli.batch_report import check_summary_target

            check_summary_target(summary_json)
        with batch_progress(not quiet, sys.stderr) as progress:
            summary = run_batch(source, output, reference, options, progress)
        if summary_json is not None:
            from electrocheck.cli.batch_report import write_summary_json

            write_summary_json(summary, summary_json)
    if not quiet:
        print_summary(summary, sys.stderr)
    from electrocheck.cli.batch_report import conditions_met

    condition = None if fail_on is None else fail_on.value
    met, reasons = conditions_met(summary, strict, condition, unknown_ok)
    for reason in reasons:
        sys.stderr.write(f"electrocheck batch: {reason}\n")
    if met:
        raise typer.Exit(ExitCode.CONDITION_MET)


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        analyte, sep, column = item.partition("=")
        if not sep or not analyte.strip() or not column:
            fail(f"--map {item!r}: expected ANALYTE=COLUMN, e.g. --map potassium='K+ (mmol/L)'")
        mapping[analyte.strip()] = column
    return mapping
