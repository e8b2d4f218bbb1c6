"""The ``electrocheck`` command: parses arguments, calls the core, renders the answer.

Data goes to stdout, messages to stderr. Every error the core raises becomes one line on
stderr and exit code 2 (see :mod:`electrocheck.cli.exit_codes`); no traceback reaches a user.
rich is imported only when a table is drawn, so ``--format json`` starts fast.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from electrocheck import __version__
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.clinical.check import FAIL_ON, run_check
from electrocheck.errors import ElectrocheckError
from electrocheck.reference import load_reference
from electrocheck.reference.patient import Patient, parse_age, parse_sex


class _Group(TyperGroup):
    """Runs the app so that every error, click's usage errors included, is one line."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> object:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except typer.Abort:  # click's form of Ctrl-C
            typer.echo("electrocheck: interrupted", err=True)
            raise SystemExit(ExitCode.INTERRUPTED) from None
        except Exception as exc:
            # click's usage errors carry an exit code and a message; anything else is not ours.
            if not (hasattr(exc, "exit_code") and hasattr(exc, "format_message")):
                raise
            message = _one_line(exc.format_message())
            if message:  # none when click has shown the help instead (``ranges`` alone)
                context = getattr(exc, "ctx", None)
                hint = f" (see '{context.command_path} --help')" if context is not None else ""
                typer.echo(f"electrocheck: error: {message}{hint}", err=True)
            raise SystemExit(exc.exit_code) from None
        if code == ExitCode.INTERRUPTED:  # typer's form of Ctrl-C: an exit code, no message
            typer.echo("electrocheck: interrupted", err=True)
        raise SystemExit(code if isinstance(code, int) else ExitCode.OK)


def _one_line(message: str) -> str:
    return " ".join(message.split())


app = typer.Typer(
    name="electrocheck",
    cls=_Group,
    help=(
        "Interpret serum calcium, magnesium, potassium and sodium for muscle cramps and spasms "
        "in cancer care. Decision support, not a diagnosis. Example: electrocheck check "
        "ca=7.6mg/dL mg=1.1mg/dL k=3.1 na=128"
    ),
    no_args_is_help=False,
    rich_markup_mode="markdown",
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class FailOn(str, Enum):
    abnormal = "abnormal"
    critical = "critical"


RangesOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time on Python 3.10
    typer.Option(
        "--ranges",
        envvar="ELECTROCHECK_RANGES",
        help="Reference file to use instead of the built-in one (same YAML format).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="table for people, json for programs."),
]
SymptomaticOption = Annotated[
    bool,
    typer.Option(
        "--symptomatic",
        help="The patient has symptoms: where CTCAE lets symptoms decide (hypokalemia "
        "grade 1 or 2, sodium 125-129 grade 2 or 3), give the symptomatic grade.",
    ),
]
AgeOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--age",
        help="Patient age, for age-banded limits: years (64, 0.5) or 10d, 6w, 6mo, 3y. "
        "Without it, adult limits apply.",
        show_default=False,
    ),
]
SexOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--sex",
        help="Patient sex (female/male, F/M), for limits that differ by sex.",
        show_default=False,
    ),
]


def fail(message: str) -> NoReturn:
    """Print a one-line error on stderr and exit with the error code."""
    typer.echo(f"electrocheck: error: {_one_line(message)}", err=True)
    raise typer.Exit(ExitCode.ERROR)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn the core's errors into a one-line message and exit code 2."""
    try:
        yield
    except ElectrocheckError as exc:
        fail(str(exc))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"electrocheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Interpret serum electrolytes for muscle cramps and spasms in cancer care.

    Decision support, not a diagnosis: always read results with the patient in front of you.
    """


@app.command()
def check(
    values: Annotated[
        list[str],
        typer.Argument(
            metavar="VALUE...",
            help='Values as NAME=NUMBER[UNIT], e.g. ca=7.6mg/dL k=3.1 "na=128 mEq/L". '
            "A value without a unit takes the reference file's default unit (mmol/L).",
            show_default=False,
        ),
    ],
    output_format: FormatOption = OutputFormat.table,
    ranges: RangesOption = None,
    fail_on: Annotated[
        Optional[FailOn],  # noqa: UP045
        typer.Option(
            "--fail-on",
            help="Exit 1 when any value is abnormal (any flag but N) or critical (LL or HH).",
            show_default=False,
        ),
    ] = None,
    age: AgeOption = None,
    sex: SexOption = None,
    symptomatic: SymptomaticOption = False,
) -> None:
    """Interpret one or more electrolyte values.

    Example: electrocheck check ca=7.6mg/dL alb=2.5g/dL mg=1.1mg/dL k=3.1 na=128

    Flags: N normal, L/H low/high, LL/HH beyond the critical limits; grades are CTCAE v5.0.
    For each abnormal value the output says what the electrolyte does in muscle, what this
    change does, how likely it is to cause spasms, and the cancer-related causes to look for.
    Albumin (alb=) adds albumin-corrected calcium, glucose (glu=) glucose-corrected sodium.
    """
    with errors_to_exit():
        reference = load_reference(ranges)
        report = run_check(reference, values, _patient(age, sex, symptomatic))
    if output_format is OutputFormat.json:
        _print_json(report.to_dict())
    else:
        from electrocheck.cli.render import print_check

        print_check(report, sys.stdout, reference)
    if report.fails(None if fail_on is None else fail_on.value):
        raise typer.Exit(ExitCode.CONDITION_MET)


class BatchFormat(str, Enum):
    csv = "csv"
    jsonl = "jsonl"


class LayoutChoice(str, Enum):
    wide = "wide"
    long = "long"


@app.command()
def batch(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE", help="CSV lab export to read, or - for stdin.", show_default=False
        ),
    ],
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            help="File to write (whole, or not at all). Default: stdout.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        BatchFormat, typer.Option("--format", "-f", help="csv, or jsonl (one object per row).")
    ] = BatchFormat.csv,
    layout: Annotated[
        Optional[LayoutChoice],  # noqa: UP045
        typer.Option(
            "--layout",
            help="wide (a column per analyte) or long (a row per "
            "result). Default: detected from the header.",
            show_default=False,
        ),
    ] = None,
    delimiter: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--delimiter", "-d", help="',', ';' or 'tab'. Default: sniffed.", show_default=False
        ),
    ] = None,
    mapping: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--map",
            metavar="ANALYTE=COLUMN",
            help="Wide layout: read ANALYTE from "
            "COLUMN (repeatable); replaces recognition by header.",
            show_default=False,
        ),
    ] = None,
    test_column: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--test-column", help="Long layout: the column naming the test.", show_default=False
        ),
    ] = None,
    value_column: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--value-column", help="Long layout: the column holding the result.", show_default=False
        ),
    ] = None,
    unit_column: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--unit-column", help="Long layout: the column holding the unit.", show_default=False
        ),
    ] = None,
    file_ranges: Annotated[
        bool,
        typer.Option(
            "--file-ranges",
            help="Flag against the reference file's "
            "intervals even when rows carry the lab's own limits.",
        ),
    ] = False,
    symptomatic: Annotated[
        bool,
        typer.Option(
            "--symptomatic",
            help="Every patient has symptoms (where a symptomatic column is empty or absent): "
            "give the symptomatic grade where CTCAE lets symptoms decide.",
        ),
    ] = False,
    ranges: RangesOption = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any cell had an error.")
    ] = False,
    fail_on: Annotated[
        Optional[FailOn],  # noqa: UP045
        typer.Option(
            "--fail-on", help="Exit 1 when any value is abnormal or critical.", show_default=False
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")
    ] = False,
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


@app.command()
def explain(
    analyte: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(
            metavar="[ANALYTE]",
            help="ca, ica, mg, k, na, or any name or LOINC code; none for an overview.",
            show_default=False,
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    ranges: RangesOption = None,
) -> None:
    """Explain what an electrolyte does in muscle, and what its lack or excess does.

    Example: electrocheck explain mg

    For one analyte: its role in muscle; for a low and a high level the effect on muscle, the
    spasm risk, the cancer-related causes and what is done about it; its reference interval,
    critical limits and CTCAE grade cut-points; what helps spasms whatever their cause; and
    the sources of all of it. Without an analyte: all of them side by side.
    """
    from electrocheck.teaching.explain import explain as explain_one
    from electrocheck.teaching.explain import overview

    with errors_to_exit():
        reference = load_reference(ranges)
        data: Any = overview(reference) if analyte is None else explain_one(reference, analyte)
    if output_format is OutputFormat.json:
        _print_json(data)
        return
    from electrocheck.cli.render_teaching import render_explain, render_overview

    _print_rich(
        lambda out: render_overview(data, out) if analyte is None else render_explain(data, out)
    )


@app.command()
def sweep(
    analyte: Annotated[
        str,
        typer.Argument(metavar="ANALYTE", help="ca, ica, mg, k, na, or any name or LOINC code."),
    ],
    start: Annotated[
        float, typer.Option("--from", help="First value, in --unit.", show_default=False)
    ],
    stop: Annotated[float, typer.Option("--to", help="Last value, in --unit.", show_default=False)],
    step: Annotated[
        Optional[float],  # noqa: UP045
        typer.Option(
            "--step",
            help="Distance between values; by default a round step giving about 20 values.",
            show_default=False,
        ),
    ] = None,
    unit: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--unit",
            help="Unit of the values (default: the analyte's, mmol/L).",
            show_default=False,
        ),
    ] = None,
    age: AgeOption = None,
    sex: SexOption = None,
    symptomatic: SymptomaticOption = False,
    output_format: FormatOption = OutputFormat.table,
    ranges: RangesOption = None,
) -> None:
    """Show how flag, grade and spasm risk change as a value moves.

    Example: electrocheck sweep k --from 2 --to 8

    Each row is one value, interpreted as check would, with a gauge that shows where it falls
    against the critical limits, the reference interval and the grade cut-points.
    """
    from electrocheck.teaching.sweep import sweep as run_sweep

    with errors_to_exit():
        reference = load_reference(ranges)
        patient = _patient(age, sex, symptomatic)
        result = run_sweep(reference, analyte, start, stop, step, unit, patient)
    if output_format is OutputFormat.json:
        _print_json(result.to_dict())
        return
    from electrocheck.cli.render_teaching import render_sweep

    _print_rich(lambda out: render_sweep(result, out))


ranges_app = typer.Typer(
    cls=_Group,
    help="Show, check and start reference files. Example: electrocheck ranges init my-lab.yaml",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(ranges_app, name="ranges")


@ranges_app.command("show")
def ranges_show(
    output_format: FormatOption = OutputFormat.table,
    ranges: RangesOption = None,
) -> None:
    """Show the reference file in use, where it is, and its intervals and limits.

    Example: electrocheck ranges show --ranges my-lab.yaml
    """
    from electrocheck.reference import built_in_path

    with errors_to_exit():
        reference = load_reference(ranges)
    path = str(built_in_path()) if reference.path is None else str(reference.path)
    if output_format is OutputFormat.json:
        from electrocheck.teaching.explain import _limits

        _print_json(
            {
                "reference": reference.origin,
                "path": path,
                "title": reference.title,
                "analytes": {
                    key: {
                        "reference": [_limits(item) for item in a.reference],
                        "critical": [_limits(item) for item in a.critical],
                    }
                    for key, a in reference.analytes.items()
                },
            }
        )
        return
    from electrocheck.cli.render_teaching import render_ranges

    origin = "built-in: " + path if reference.path is None else path
    _print_rich(lambda out: render_ranges(reference, origin, out))


@ranges_app.command("validate")
def ranges_validate(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Reference file to check.", show_default=False)
    ],
) -> None:
    """Check a reference file: exit 0 if it is valid, else 2 listing every problem.

    Example: electrocheck ranges validate my-lab.yaml

    Each problem is one line on stderr: FILE:LINE: key.path: what is wrong.
    """
    from electrocheck.errors import ReferenceFileError

    try:
        reference = load_reference(file)
    except ReferenceFileError as exc:
        for problem in sorted(exc.problems, key=_line_of):
            typer.echo(f"electrocheck: error: {_one_line(problem)}", err=True)
        count = len(exc.problems)
        typer.echo(f"electrocheck: {file}: {count} problem{'s' * (count != 1)}", err=True)
        raise typer.Exit(ExitCode.ERROR) from None
    typer.echo(
        f"{file}: valid ({len(reference.analytes)} analytes, {len(reference.sources)} sources)"
    )


@ranges_app.command("init")
def ranges_init(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="[PATH]", help="Where to write the copy; - for stdout.", show_default=True
        ),
    ] = Path("electrocheck-ranges.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a copy of the built-in reference file to start your lab's own from.

    Example: electrocheck ranges init my-lab.yaml

    Edit the copy (its header explains every key), check it with ranges validate, and use it
    with --ranges my-lab.yaml or ELECTROCHECK_RANGES=my-lab.yaml.
    """
    from electrocheck.reference import built_in_path

    text = built_in_path().read_bytes()
    if str(path) == "-":
        sys.stdout.buffer.write(text)
        return
    if path.is_dir():
        fail(f"{path} is a directory; give a file name")
    if path.exists() and not force:
        fail(f"{path} exists; give --force to overwrite it")
    try:
        target = path.resolve()  # through a symbolic link, to the file it names
        if target.exists() and not target.is_file():  # a device or a pipe: write into it
            with target.open("wb") as out:
                out.write(text)
        else:
            from electrocheck.formats.files import write_whole

            write_whole(target, text)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    typer.echo(f"wrote {path}; check it with: electrocheck ranges validate {path}", err=True)


def _line_of(problem: str) -> int:
    """The line number in ``FILE:LINE: key: problem`` (0 when there is none)."""
    import re

    found = re.search(r":(\d+): ", problem)
    return int(found.group(1)) if found else 0


def _patient(age: str | None, sex: str | None, symptomatic: bool) -> Patient:
    return Patient(
        age_days=None if age is None else parse_age(age),
        sex=None if sex is None else parse_sex(sex),
        symptomatic=symptomatic,
    )


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=not _unicode(sys.stdout)) + "\n")


def _print_rich(draw: Any) -> None:
    from electrocheck.cli.render import print_rendered

    print_rendered(draw, sys.stdout)


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        analyte, sep, column = item.partition("=")
        if not sep or not analyte.strip() or not column:
            fail(f"--map {item!r}: expected ANALYTE=COLUMN, e.g. --map potassium='K+ (mmol/L)'")
        mapping[analyte.strip()] = column
    return mapping


def _unicode(stream: object) -> bool:
    """Whether a text stream can take any character (it cannot under PYTHONIOENCODING=ascii)."""
    return "utf" in (getattr(stream, "encoding", None) or "utf-8").lower()


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, and keep any traceback from the user."""
    _stop_cleanly_on_sigterm()
    # An exception Python can only ignore (Ctrl-C landing while a file object is being
    # closed) would print a traceback of its own: the interruption is reported as such.
    sys.unraisablehook = _ignore
    try:
        try:
            app(args=argv, prog_name="electrocheck")
        finally:
            sys.stdout.flush()  # a closed pipe or a full disk shows here, not at exit
    except OSError as exc:
        _quiet_stdout()
        print(f"electrocheck: error: cannot write output: {exc.strerror or exc}", file=sys.stderr)
        return ExitCode.ERROR
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else ExitCode.ERROR)
    except KeyboardInterrupt:
        print("electrocheck: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a defect: report it in one line rather than a traceback
        print(
            f"electrocheck: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            "(please report this)",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL
    return ExitCode.OK


def _ignore(unraisable: object) -> None:
    """Say nothing of an exception Python cannot raise (see :func:`main`)."""


def _stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into an exception, so that a half-written output file is removed on the
    way out, as for Ctrl-C (a plain SIGTERM would end the process where it stands)."""
    import signal

    def stop(signum: int, frame: object) -> None:
        print("electrocheck: terminated", file=sys.stderr)
        raise SystemExit(ExitCode.TERMINATED)

    with contextlib.suppress(ValueError, OSError):  # not the main thread, or no SIGTERM
        signal.signal(signal.SIGTERM, stop)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
