"""Batch interpretation of lab exports: the run.

:func:`run_batch` streams a lab export through
:func:`~electrocheck.batch.engine.interpret_batch`, so memory stays flat however long the
file. The input is delimited text (see :mod:`electrocheck.formats.delimited`: compressed or
not, in any encoding and line ends, perhaps under lines of title), a spreadsheet's sheet (see
:mod:`electrocheck.formats.sheets`), or a Parquet or Arrow IPC table (see
:mod:`electrocheck.formats.columnar`), known by its content (:mod:`electrocheck.formats.content`).
Every input row comes out, in order, with its original fields unchanged and the result
columns added (see :mod:`~electrocheck.batch.writer`); a bad cell leaves its row in place with
an explanation in ``errors``. Output goes to a temporary file beside the target and is moved
into place (or copied to stdout) only when the whole file has been processed, so a failed run
leaves no partial output (see :mod:`electrocheck.formats.files`).

:func:`interpret_frame` is the same interpretation for a polars DataFrame or LazyFrame.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar, overload

import polars as pl

from electrocheck.batch.cells import without_blank_lines
from electrocheck.batch.columns import output_names
from electrocheck.batch.engine import BatchInterpreter, interpret_batch
from electrocheck.batch.layout import Layout, LayoutOptions, MissingColumnError, detect_layout
from electrocheck.batch.pandas_frame import interpret_pandas, pandas_of
from electrocheck.batch.panel_reading import panel_steps
from electrocheck.batch.sources import sources
from electrocheck.batch.summary import Summary, count_batch
from electrocheck.batch.threads import BackgroundWriter, prefetched
from electrocheck.batch.writer import Writer
from electrocheck.clinical.arguments import require_reference
from electrocheck.errors import ArgumentError, InputError, quote
from electrocheck.formats.columnar import Table, open_table, table_batches
from electrocheck.formats.content import Content, sniff
from electrocheck.formats.delimited import (
    FALLBACK_ENCODING,
    CsvFile,
    NoRecordBoundary,
    delimiter_of,
    open_csv,
    polars_batches,
    python_batches,
)
from electrocheck.formats.files import atomic_output, input_file, refuse_same_file
from electrocheck.formats.frame import internal_names
from electrocheck.formats.outputs import (
    OUTPUT_FORMATS,
    OutputPlan,
    fhir_form,
    output_plan,
    requested_format,
)
from electrocheck.formats.sheets import Sheet, open_sheet, sheet_batches
from electrocheck.reference import Reference, load_reference
from electrocheck.reference.model import Analyte, Covariate

if TYPE_CHECKING:  # loaded only for the runs that use them: a plain CSV run needs none
    from electrocheck.batch.by_patient import PatientTable
    from electrocheck.batch.fhir_writer import FhirSource
    from electrocheck.batch.medications import MedicationJoin
    from electrocheck.batch.panels import Panels

#: The formats a batch run writes.
FORMATS = OUTPUT_FORMATS

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
Batch = tuple[pl.DataFrame, int]  # a batch of rows, and how far into the file it ends


@dataclass(frozen=True)
class BatchOptions:
    """How :func:`run_batch` reads and writes a file: the options of ``electrocheck batch``.
    Each left at its default is found from the file (or, for the output, its extension).

    >>> from electrocheck import BatchOptions, LayoutOptions
    >>> options = BatchOptions(output_format="jsonl", layout=LayoutOptions(symptomatic=True))
    >>> options.layout.symptomatic, BatchOptions().output_format
    (True, None)

    ``by_patient`` writes, beside the output, one row per patient of a long file, the most
    serious first (see :mod:`electrocheck.batch.by_patient`):

    >>> import csv, tempfile
    >>> from pathlib import Path
    >>> from electrocheck import run_batch
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     labs = Path(folder, "labs.csv")
    ...     _ = labs.write_text(
    ...         "patient,collected,test,value\\n"
    ...         "A,2026-03-01 08:00,K,4.1\\n"
    ...         "B,2026-03-01 08:00,K,2.4\\n"
    ...         "B,2026-03-02 08:00,K,3.2\\n"
    ...     )
    ...     options = BatchOptions(by_patient=Path(folder, "patients.csv"))
    ...     summary = run_batch(labs, Path(folder, "out.csv"), options=options)
    ...     with open(Path(folder, "patients.csv"), newline="") as table:
    ...         found = list(csv.DictReader(table))
    >>> summary.by_patient.patients
    2
    >>> [(p["patient"], p["potassium_worst_flag"], p["potassium_latest_value"]) for p in found]
    [('B', 'LL', '3.2'), ('A', 'N', '4.1')]
    """

    layout: LayoutOptions = field(default_factory=LayoutOptions)
    delimiter: str | None = None  # sniffed from the header when None
    #: csv, tsv, jsonl, parquet or fhir; None: by the output's extension, else the input's kind
    output_format: str | None = None
    encoding: str | None = None  # UTF-8, UTF-16 by its mark, or cp1252, when None
    skip_lines: int | None = None  # lines of title above the header; found when None
    sheet: str | None = None  # a spreadsheet's sheet, by name or number from 1
    output_delimiter: str | None = None  # the input's (a tab makes tsv) when None
    #: Long files: also write one row per patient to this file (``-``: stdout), in the format
    #: of its extension, else the output's; None: not written
    by_patient: str | os.PathLike[str] | None = None
    #: A medication list (CSV: patient, drug, start, stop) joined to the results: each
    #: abnormal result names the medicines that explain it (see batch.medications)
    medications: str | os.PathLike[str] | None = None


@dataclass(frozen=True)
class _Input:
    """What was read of the input before its rows: the header and where it came from."""

    header: list[str]
    delimiter: str  # "," for a spreadsheet
    size: int  # bytes of the file on disk, for progress
    where: str  # "line 3 of 'labs.csv'", for messages
    warnings: tuple[str, ...]


# --------------------------------------------------------------------------- public API


@overload
def interpret_frame(
    frame: Frame, reference: Reference | None = None, options: LayoutOptions | None = None
) -> Frame: ...
@overload
def interpret_frame(
    frame: Any, reference: Reference | None = None, options: LayoutOptions | None = None
) -> Any: ...
def interpret_frame(
    frame: Any, reference: Reference | None = None, options: LayoutOptions | None = None
) -> Any:
    """Interpret a polars DataFrame or LazyFrame, or a pandas DataFrame; return one of the
    same kind with the result columns of the CSV output added (for a LazyFrame, lazily and
    batch by batch; for pandas, beside the frame's own columns, on its index).

    ``reference`` is the built-in reference file when None; ``options`` says what the
    columns are where the header does not (see :class:`LayoutOptions`). pandas is optional
    (``pip install 'electrocheck[pandas]'``) and imported only by the caller.

    >>> import polars as pl
    >>> from electrocheck import interpret_frame
    >>> frame = pl.DataFrame({"id": [1, 2], "K": [3.1, 4.0], "Ca (mg/dL)": ["7.6", None]})
    >>> checked = interpret_frame(frame)
    >>> checked["potassium_flag"].to_list(), checked["calcium_flag"].to_list()
    (['L', 'N'], ['L', None])
    >>> import pandas as pd
    >>> checked = interpret_frame(pd.DataFrame({"K": [3.1, 4.0]}, index=[7, 9]))
    >>> type(checked).__name__, checked.index.to_list(), checked["potassium_flag"].to_list()
    ('DataFrame', [7, 9], ['L', 'N'])
    """
    pandas = pandas_of(frame)
    if pandas is None and not isinstance(frame, (pl.DataFrame, pl.LazyFrame)):
        raise ArgumentError(
            "frame: expected a polars DataFrame or LazyFrame, or a pandas DataFrame, not "
            f"{type(frame).__name__} {quote(frame)}"
        )
    reference = load_reference() if reference is None else require_reference(reference)
    options = _options_of(options, LayoutOptions, "LayoutOptions(symptomatic=True)")
    if pandas is not None:
        return interpret_pandas(
            pandas, frame, lambda polars: _interpret_polars(polars, reference, options)
        )
    return _interpret_polars(frame, reference, options)


def _interpret_polars(frame: Frame, reference: Reference, options: LayoutOptions) -> Frame:
    header = list(frame.collect_schema().names())
    # Each row alone: panels need a first reading of the whole file, which a frame
    # interpreted batch by batch (a LazyFrame, streamed) does not have. run_batch groups them.
    layout = detect_layout(header, reference, dataclasses.replace(options, panels=False))
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
    source: str | os.PathLike[str],
    output: str | os.PathLike[str] | None,
    reference: Reference | None = None,
    options: BatchOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Interpret the lab export ``source`` (``"-"`` for stdin) into ``output`` (None for
    stdout), and return the :class:`~electrocheck.batch.summary.Summary` of the run.

    The input is delimited text (compressed or not, in any encoding and line ends), a
    spreadsheet, or a Parquet or Arrow IPC table, known by its content; the output CSV, TSV,
    JSON Lines or Parquet (see :mod:`electrocheck.formats.outputs`), by its extension unless
    ``options`` say. The reference is the built-in file when None, the options the defaults
    of ``electrocheck batch`` (:class:`BatchOptions`). ``progress(bytes_done, bytes_total)``
    is called after each batch. Raises :class:`InputError` for an unreadable file, a file
    without a header, or one in which no analyte can be recognized; bad cells only add to
    ``errors``.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from electrocheck import run_batch
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     labs, out = Path(folder, "labs.csv"), Path(folder, "out.csv")
    ...     _ = labs.write_text("id,K,Na\\n1,3.1,128\\n2,4.0,140\\n")
    ...     summary = run_batch(labs, out)
    ...     header, first, second = out.read_text().splitlines()
    >>> summary.rows_read, summary.results, summary.flags[("potassium", "L")]
    (2, 4, 1)
    >>> dict(zip(header.split(","), first.split(",")))["potassium_flag"]
    'L'
    """
    source = _as_path(source, "source")
    output = None if output is None else _as_path(output, "output (or None for stdout)")
    reference = load_reference() if reference is None else require_reference(reference)
    options = _options_of(options, BatchOptions, "BatchOptions(output_format='jsonl')")
    if progress is not None and not callable(progress):
        raise ArgumentError(
            f"progress: expected a function of (done, total), not {quote(progress)}"
        )
    by_patient = (
        None if options.by_patient is None else _as_path(options.by_patient, "by_patient (or None)")
    )
    medication_list = None
    if options.medications is not None:  # read first: a bad list stops the run at once
        from electrocheck.batch.medications import read_medication_list

        where = _as_path(options.medications, "medications (or None)")
        medication_list = read_medication_list(where, reference)
    requested = requested_format(output, options.output_format)
    out_delimiter = (
        None
        if options.output_delimiter is None
        else delimiter_of(options.output_delimiter, "--output-delimiter")
    )
    with input_file(source) as path, ExitStack() as stack:
        if output is not None:
            refuse_same_file(path, Path(output))
        shown = quote("stdin" if str(source) == "-" else str(source))
        content = sniff(path, shown)
        fhir = None
        fhir_source = None
        fhir_rows: Table | None = None  # the long table FHIR input is turned into
        if content.kind == "fhir":  # read as the long table it is turned into
            from electrocheck.batch.fhir_writer import FhirSource
            from electrocheck.formats.fhir import fhir_table

            _refuse_text_options(options, shown, content, "--skip-lines", "--sheet")
            fhir_source = FhirSource(path, shown, content.compression)
            converting, progress = _in_two(progress, path)
            fhir_rows, fhir = stack.enter_context(
                fhir_table(path, shown, content.compression, _loinc_names(reference), converting)
            )
            if fhir.medications:  # its MedicationRequests and Statements: a medication list
                from electrocheck.batch.medications import fhir_medication_list, joined

                named = "stdin" if str(source) == "-" else str(source)
                listed = fhir_medication_list(fhir.medications, named, reference)
                medication_list = joined(medication_list, listed)
        hl7 = None
        if content.kind == "hl7":  # read as the long table it is turned into, as FHIR is
            from electrocheck.formats.hl7v2 import hl7_table

            _refuse_text_options(options, shown, content, "--skip-lines", "--sheet")
            path, hl7 = stack.enter_context(
                hl7_table(path, shown, content.compression, _loinc_names(reference).get)
            )
            content = Content("text")

        def accept(header: list[str]) -> bool:
            try:
                detect_layout(header, reference, options.layout)
            except InputError:
                return False
            return True

        sheet: Sheet | None = None
        csv_file: CsvFile | None = None
        table: Table | None = None
        if fhir_rows is not None:
            assert fhir is not None
            table = fhir_rows
            read_in = _Input(
                table.header, ",", table.size, f"the rows of {shown}", tuple(fhir.warnings())
            )
        elif content.kind == "table":
            assert content.table is not None
            _refuse_text_options(options, shown, content, "--skip-lines", "--sheet")
            table = open_table(path, shown, content.table)
            read_in = _Input(table.header, ",", table.size, f"the columns of {shown}", ())
        elif content.kind == "sheet":
            _refuse_text_options(options, shown, content)
            sheet = open_sheet(
                path, shown, content.description, options.sheet, options.skip_lines, accept
            )
            read_in = _sheet_input(sheet, shown)
        else:
            if options.sheet is not None:
                raise InputError(
                    f"--sheet applies to spreadsheets; {shown} is {content.description}"
                )
            csv_file = open_csv(
                path,
                options.delimiter,
                "stdin" if str(source) == "-" else str(source),
                compression=content.compression,
                encoding=options.encoding,
                skip_lines=options.skip_lines,
                accept=accept,
            )
            read_in = _csv_input(csv_file)
            if hl7 is not None:
                read_in = replace(read_in, warnings=read_in.warnings + tuple(hl7.warnings()))
        plan = output_plan(requested, out_delimiter, read_in.delimiter)
        if plan.format == "parquet" and output is None and sys.stdout.isatty():
            raise InputError(
                "parquet is a binary format: write it to a file with -o OUT.parquet, or "
                "redirect stdout"
            )
        layout = _layout(read_in, reference, options.layout)
        medicines = None
        if medication_list is not None:
            from electrocheck.batch.medications import MedicationJoin

            layout = replace(layout, medications=True)
            medicines = MedicationJoin(medication_list, layout, options.layout, reference)
        patient_format = None
        if by_patient is not None:
            from electrocheck.batch.by_patient import patient_plan, require_patients

            require_patients(layout, shown, options.layout.panels)
            patient_format = patient_plan(by_patient, output, path, plan)
        columns = [s.name for s in sources(layout, reference)]
        with atomic_output(output) as handle:

            def attempt(read: Callable[[Summary], Iterator[Batch]], *notes: str) -> Summary:
                handle.seek(0)
                handle.truncate()
                summary = Summary(layout=layout.kind, columns=columns)
                summary.warnings.extend(read_in.warnings + notes)
                if layout.patient.age is None and (
                    layout.panels is None or layout.panels.birth is None
                ):
                    summary.warnings.append("no age column: adult limits were used")
                patients = None
                if by_patient is not None:
                    from electrocheck.batch.by_patient import PatientTable

                    patients = PatientTable(layout)
                if medicines is not None:  # counted again by a second reading of the file
                    medicines.counts.results_explained = 0
                    summary.medications = medicines.counts
                _process(
                    read(summary),
                    handle,
                    read_in,
                    plan,
                    layout,
                    reference,
                    options,
                    summary,
                    progress,
                    again=lambda: read(Summary()),
                    reread=lambda: read(summary),
                    patients=patients,
                    medicines=medicines,
                    fhir=(fhir_form(None if fhir is None else fhir.form), fhir_source),
                )
                summary.note_unused_covariates()
                if patients is not None:
                    from electrocheck.batch.by_patient import PatientFile, write_table

                    assert by_patient is not None and patient_format is not None
                    # Written before the output is moved into place: both, or neither.
                    table = patients.table()
                    write_table(table, by_patient, patient_format)
                    summary.by_patient = PatientFile(
                        str(by_patient), table.height, patients.without_id
                    )
                return summary

            if sheet is not None:
                shown_sheet = sheet
                return attempt(lambda _: sheet_batches(shown_sheet))
            if table is not None:
                read_table = table
                summary = attempt(lambda _: table_batches(read_table))
                summary.fhir = fhir
                return summary
            assert csv_file is not None
            summary = _read_text(csv_file, options, attempt)
            summary.fhir = fhir
            summary.hl7 = hl7
            return summary


def _in_two(
    progress: Callable[[int, int], None] | None, source: Path
) -> tuple[Callable[[int, int], None] | None, Callable[[int, int], None] | None]:
    """Progress of FHIR input, one bar over its file's bytes: the first half of it for turning
    the file into the long table, the second for reading the table (of a size of its own)."""
    if progress is None:
        return None, None
    size = max(source.stat().st_size, 1)
    half = size // 2

    def converting(done: int, total: int) -> None:
        progress(half * done // max(total, 1), size)

    def reading(done: int, total: int) -> None:
        progress(half + (size - half) * done // max(total, 1), size)

    return converting, reading


def _as_path(path: object, argument: str) -> str | Path:
    """A path given to :func:`run_batch`: text as it is ("-" is stdin), a path-like as a Path."""
    if isinstance(path, str):
        return path
    if isinstance(path, os.PathLike):
        return Path(path)
    raise ArgumentError(
        f"{argument}: expected the path of a file such as 'labs.csv', not "
        f"{type(path).__name__} {quote(path)}"
    )


def _read_text(
    csv_file: CsvFile,
    options: BatchOptions,
    attempt: Callable[..., Summary],
) -> Summary:
    """Read delimited text with polars; where polars cannot read it as it is, start again
    with the csv module, and if the file is not UTF-8 after all, in Windows-1252."""

    def python(csv_file: CsvFile) -> Callable[[Summary], Iterator[Batch]]:
        def read(summary: Summary) -> Iterator[Batch]:
            counts: dict[str, int] = {}
            yield from python_batches(csv_file, counts)
            summary.blank_lines += counts.get("blank_lines", 0)

        return read

    try:
        return attempt(lambda _: polars_batches(csv_file))
    except (pl.exceptions.PolarsError, NoRecordBoundary):
        pass
    try:
        return attempt(python(csv_file))
    except UnicodeDecodeError as exc:
        if options.encoding is not None:
            raise InputError(
                f"{csv_file.shown} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} is "
                "not valid in it): give the file's encoding with --encoding, e.g. cp1252"
            ) from None
    # UTF-8 at the head, not further on: the whole file is read again in Windows-1252, from
    # where its rows start in that reading.
    again = open_csv(
        csv_file.path,
        csv_file.delimiter,
        compression=csv_file.compression,
        encoding=FALLBACK_ENCODING,
        skip_lines=csv_file.header_line - 1,
    )
    fallback = replace(
        csv_file, encoding=FALLBACK_ENCODING, data_offset=again.data_offset, strict=False
    )
    return attempt(python(fallback), _NOT_UTF8)


_NOT_UTF8 = f"the file is not UTF-8: it was read as {FALLBACK_ENCODING} (Windows Latin-1)"


def _csv_input(csv_file: CsvFile) -> _Input:
    where = f"line {csv_file.header_line} of {csv_file.shown}"
    warnings = []
    if csv_file.encoding_detected:
        warnings.append(_NOT_UTF8)
    if csv_file.skipped:
        warnings.append(_skipped(csv_file.skipped, f"line {csv_file.header_line}"))
    return _Input(
        csv_file.header,
        csv_file.delimiter,
        csv_file.size,
        where,
        tuple(warnings),
    )


def _sheet_input(sheet: Sheet, shown: str) -> _Input:
    where = f"row {sheet.header_line} of sheet {quote(sheet.name)} of {shown}"
    warnings = []
    if len(sheet.sheets) > 1:
        warnings.append(
            f"read sheet {quote(sheet.name)}, one of {len(sheet.sheets)} "
            f"({', '.join(quote(name) for name in sheet.sheets[:6])}"
            f"{', ...' if len(sheet.sheets) > 6 else ''}); choose another with --sheet"
        )
    if sheet.skipped:
        warnings.append(_skipped(sheet.skipped, f"row {sheet.header_line}"))
    return _Input(sheet.header, ",", sheet.size, where, tuple(warnings))


def _skipped(lines: tuple[str, ...], where: str) -> str:
    count = len(lines)
    return (
        f"{count} line{'s' if count != 1 else ''} of title above the header ({where}) "
        f"{'were' if count != 1 else 'was'} not read: {quote(lines[0])}"
        + (", ..." if count > 1 else "")
    )


def _refuse_text_options(options: BatchOptions, shown: str, content: Content, *others: str) -> None:
    given = {
        "--delimiter": options.delimiter,
        "--encoding": options.encoding,
        "--skip-lines": options.skip_lines,
        "--sheet": options.sheet,
    }
    for name in ("--delimiter", "--encoding", *others):
        if given[name] is not None:
            what = "spreadsheets" if name == "--sheet" else "delimited text"
            raise InputError(f"{name} applies to {what}; {shown} is {content.description}")


def _loinc_names(reference: Reference) -> dict[str, str]:
    """The name a FHIR row's test is given for a LOINC code the reference file knows, as an
    analyte's or a covariate's: the code's LOINC name where the file gives one that names
    the same analyte (it reads better in the output and the summary), else the code; None
    for a code it does not know."""
    names: dict[str, str] = {}
    entries: list[Analyte | Covariate] = [
        *reference.analytes.values(),
        *reference.covariates.values(),
    ]
    for entry in entries:
        for code in entry.loinc:
            names[code] = code
        for loinc in entry.loinc_codes:
            name = loinc.name or ""
            same = name and (reference.analyte_key(name) or reference.covariate_key(name))
            names[loinc.code] = name if same == entry.key else loinc.code
    return names


def _layout(read_in: _Input, reference: Reference, options: LayoutOptions) -> Layout:
    """The layout of the header, or an InputError that says which header was read."""
    try:
        return detect_layout(read_in.header, reference, options)
    except MissingColumnError:
        raise
    except InputError as exc:
        fields = ", ".join(quote(name) for name in read_in.header[:8])
        more = f", ... ({len(read_in.header)} columns)" if len(read_in.header) > 8 else ""
        message = f"{exc} (the header read was {read_in.where}: {fields}{more})"
        if read_in.where.startswith(("line 1 ", "row 1 ")):
            message += "; if the header is further down, give --skip-lines N"
        try:
            error = type(exc)(message)
        except TypeError:  # an error type built from more than a message
            error = InputError(message)
        raise error from None


# --------------------------------------------------------------------------- processing


def _process(
    batches: Iterator[Batch],
    handle: IO[bytes],
    read_in: _Input,
    plan: OutputPlan,
    layout: Layout,
    reference: Reference,
    options: BatchOptions,
    summary: Summary,
    progress: Callable[[int, int], None] | None,
    again: Callable[[], Iterator[Batch]] | None = None,
    reread: Callable[[], Iterator[Batch]] | None = None,
    patients: PatientTable | None = None,
    medicines: MedicationJoin | None = None,
    fhir: tuple[str, FhirSource | None] = ("bundle", None),
) -> None:
    writer = Writer(handle, read_in.header, layout, reference, plan.format, plan.delimiter, *fhir)
    try:
        interpreter = BatchInterpreter(
            layout,
            reference,
            detail=writer.detail,
            symptomatic=options.layout.symptomatic,
            segments=writer.segments,
        )
        # A long file grouped into panels is read with its panels (see panel_reading).
        summary.panels, batches_with_panels = panel_steps(
            layout,
            reference,
            interpreter,
            batches,
            again,
            reread,
            options.layout.sorted_rows,
            size=read_in.size,
        )
        originals = internal_names(len(layout.header))

        def interpreted(
            panels: Panels | None, batch: pl.DataFrame, position: int
        ) -> tuple[Panels | None, pl.DataFrame, int, int, int]:
            batch, blank = without_blank_lines(batch, originals)
            read = batch.height
            if panels is not None:
                batch = panels.before(batch)
            return panels, interpreter.interpret(batch), position, blank, read

        background = BackgroundWriter(writer.write)
        # The per-patient table is counted beside the writing, in a thread of its own.
        tally = None if patients is None else BackgroundWriter(patients.add)
        try:
            steps: Iterator[tuple[Panels | None, pl.DataFrame, int, int, int]] = (
                interpreted(panels, *batch) for panels, batch in batches_with_panels
            )
            if summary.panels is not None:
                # Two steps on two cores: the next batch is interpreted while this one gets
                # its panels' columns and is counted (each step in row order). Without panels
                # the second step is too small to gain from a thread of its own.
                steps = prefetched(steps)
            for panels, result, position, blank, read in steps:
                summary.blank_lines += blank
                summary.rows_read += read
                if panels is not None:
                    result = panels.after(result)
                if medicines is not None:
                    result = medicines.after(result)
                background.submit(result)
                count_batch(result, layout, summary)
                if tally is not None:
                    tally.submit(result)
                if progress is not None:
                    progress(position, read_in.size)
        finally:
            try:
                background.close()
            finally:
                if tally is not None:
                    tally.close()
        writer.finish()
        if writer.fhir is not None:
            summary.fhir_output = writer.fhir.output
    finally:
        writer.close()


__all__ = ["FORMATS", "BatchOptions", "Summary", "interpret_frame", "run_batch"]


_Options = TypeVar("_Options", LayoutOptions, BatchOptions)


def _options_of(options: object, kind: type[_Options], example: str) -> _Options:
    """``options`` as given, or the defaults of ``kind`` for None; an :class:`ArgumentError`
    for anything else, with an example of the call."""
    if options is None:
        return kind()
    if not isinstance(options, kind):
        raise ArgumentError(
            f"options: expected {kind.__name__}, e.g. {example}, not "
            f"{type(options).__name__} {quote(options)}"
        )
    return options
