"""The ``electrocheck`` command: parses arguments, calls the core, renders the answer.

Data goes to stdout, messages to stderr. Every error the core raises becomes one line on
stderr and exit code 2 (see :mod:`electrocheck.exit_codes`); no traceback reaches a user.
rich is imported only when a table is drawn, so ``--format json`` starts fast.
"""

from __future__ import annotations

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
from electrocheck.check import run_check
from electrocheck.errors import ElectrocheckError
from electrocheck.exit_codes import ExitCode
from electrocheck.reference import load_reference


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
        except typer.Abort:
            raise SystemExit(ExitCode.INTERRUPTED) from None
        except Exception as exc:
            # click's usage errors carry an exit code and a message; anything else is not ours.
            if not (hasattr(exc, "exit_code") and hasattr(exc, "format_message")):
                raise
            context = getattr(exc, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if context is not None else ""
            typer.echo(f"electrocheck: error: {_one_line(exc.format_message())}{hint}", err=True)
            raise SystemExit(exc.exit_code) from None
        raise SystemExit(code if isinstance(code, int) else ExitCode.OK)


def _one_line(message: str) -> str:
    return " ".join(message.split())


app = typer.Typer(
    name="electrocheck",
    cls=_Group,
    help=(
        "Interpret serum calcium, magnesium, potassium and sodium for muscle cramps and spasms "
        "in cancer care. Decision support, not a diagnosis."
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
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", help="table for people, json for programs."),
    ] = OutputFormat.table,
    ranges: RangesOption = None,
    fail_on: Annotated[
        Optional[FailOn],  # noqa: UP045
        typer.Option(
            "--fail-on",
            help="Exit 1 when any value is abnormal (any flag but N) or critical (LL or HH).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Interpret one or more electrolyte values.

    Example: electrocheck check ca=7.6mg/dL mg=1.1mg/dL k=3.1 na=128

    Flags: N normal, L/H low/high, LL/HH beyond the critical limits. For each abnormal value
    the output says what the electrolyte does in muscle, what this change does, how likely it
    is to cause spasms, and the cancer-related causes to look for.
    """
    with errors_to_exit():
        reference = load_reference(ranges)
        report = run_check(reference, values)
    if output_format is OutputFormat.json:
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=not _unicode(sys.stdout))
        sys.stdout.write(text + "\n")
    else:
        from electrocheck.render import print_check

        print_check(report, sys.stdout)
    if report.fails(None if fail_on is None else fail_on.value):
        raise typer.Exit(ExitCode.CONDITION_MET)


def _unicode(stream: object) -> bool:
    """Whether a text stream can take any character (it cannot under PYTHONIOENCODING=ascii)."""
    return "utf" in (getattr(stream, "encoding", None) or "utf-8").lower()


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: run the app, and keep any traceback from the user."""
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
            f"electrocheck: internal error: {type(exc).__name__}: {exc} (please report this)",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL
    return ExitCode.OK


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that Python's flush at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
