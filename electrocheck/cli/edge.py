"""The edge between the core and a person: every error becomes one line and an exit code.

Data goes to stdout, messages to stderr. Every error the core raises becomes one line on
stderr and exit code 2 (see :mod:`electrocheck.cli.exit_codes`); click's usage errors, Ctrl-C,
SIGTERM and even a defect end the same way, without a traceback. When the command line asks
for JSON (``--format json``), that line is a JSON object, ``{"error": ..., "exit": 2}``, so
that a script reads errors the way it reads results. A closed stdout (``| head``)
ends quietly, with nothing on stderr, and exit code 141 (128 + SIGPIPE), as a shell reports
for any command a closed pipe stopped; never 1, which means a ``--fail-on`` condition was met.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from electrocheck.cli.exit_codes import ExitCode
from electrocheck.errors import ElectrocheckError


class OutputClosed(Exception):
    """stdout or stderr was closed by the reader (a pipe into ``head``): end quietly."""


def _closed_pipe(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.EPIPE


@contextmanager
def _pipe_closed_is_output_closed() -> Iterator[None]:
    before = _stdout_file()
    try:
        yield
    except OSError as exc:
        if _closed_pipe(exc):
            raise OutputClosed() from None
        raise
    except SystemExit as exc:
        # rich ends a write to a closed pipe itself (the help, a table): it points stdout at
        # /dev/null and exits 1. Told apart from a run whose stdout was /dev/null all along.
        if exc.code == 1 and before is not None and before != _stdout_file() == _devnull():
            raise OutputClosed() from None
        raise


def _stdout_file() -> tuple[int, int, int] | None:
    """What stdout's descriptor points at (device, inode, special device), if it has one."""
    try:
        status = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return (status.st_dev, status.st_ino, status.st_rdev)


def _devnull() -> tuple[int, int, int] | None:
    try:
        status = os.stat(os.devnull)
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_rdev)


class Group(TyperGroup):
    """Runs the app so that every error, click's usage errors included, is one line."""

    # click would turn a closed pipe into exit code 1, which means "a --fail-on condition was
    # met": it is taken out of click's hands here (in the commands, and in --help and
    # --version, which run while the context is made), and ended by run().

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # "electrocheck k=3.1 na=128" is a check: a value where a command would be.
        if args and "=" in args[0] and not args[0].startswith("-") and args[0] not in self.commands:
            args = [IMPLIED_COMMAND, *args]
        return super().parse_args(ctx, args)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _pipe_closed_is_output_closed():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _pipe_closed_is_output_closed():
            return super().invoke(ctx)

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
        _errors_as_json(wants_json(sys.argv[1:] if args is None else args))
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except typer.Abort:  # click's form of Ctrl-C
            typer.echo("electrocheck: interrupted", err=True)
            raise SystemExit(ExitCode.INTERRUPTED) from None
        except Exception as exc:
            # click's usage errors carry an exit code and a message; anything else is not ours.
            if not (hasattr(exc, "exit_code") and hasattr(exc, "format_message")):
                raise
            message = one_line(exc.format_message())
            if message:  # none when click has shown the help instead (``ranges`` alone)
                context = getattr(exc, "ctx", None)
                hint = f" (see '{context.command_path} --help')" if context is not None else ""
                report_error(f"{message}{hint}", exc.exit_code)
            raise SystemExit(exc.exit_code) from None
        if code == ExitCode.INTERRUPTED:  # typer's form of Ctrl-C: an exit code, no message
            typer.echo("electrocheck: interrupted", err=True)
        raise SystemExit(code if isinstance(code, int) else ExitCode.OK)


#: The command a value in the place of a command implies.
IMPLIED_COMMAND = "check"
#: Output formats under which errors are JSON too (``--format json``, batch's ``jsonl``).
JSON_FORMATS = ("json", "jsonl")
_FORMAT_OPTIONS = ("--format", "-f")
#: Whether errors are printed as JSON: set once per run from the command line.
_json_errors = False


def wants_json(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON output (``--format json``, ``-f json``,
    ``--format=json``, ``-fjson``)."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg in _FORMAT_OPTIONS:
            value = args[index + 1] if index + 1 < len(args) else ""
        elif arg.startswith("--format="):
            value = arg.partition("=")[2]
        elif arg.startswith("-f") and not arg.startswith("--"):
            value = arg[2:]
        else:
            continue
        if value in JSON_FORMATS:
            return True
    return False


def _errors_as_json(on: bool) -> None:
    global _json_errors
    _json_errors = on


def one_line(message: str) -> str:
    return " ".join(message.split())


def report_error(message: str, code: int = ExitCode.ERROR, *, kind: str = "error") -> None:
    """Print one error on stderr: a line of text, or a JSON object under ``--format json``."""
    if _json_errors:
        line = json.dumps({"error": one_line(message), "exit": int(code)}, ensure_ascii=False)
    else:
        line = f"electrocheck: {kind}: {one_line(message)}"
    try:
        typer.echo(line, err=True)
    except UnicodeEncodeError:  # a stderr that cannot take the user's text
        typer.echo(line.encode("ascii", "replace").decode("ascii"), err=True)


def report_warning(message: str) -> None:
    """Print one warning on stderr (a line of text, or a JSON object under ``--format
    json``): something the user should know that stops nothing, the exit code unchanged."""
    if _json_errors:
        line = json.dumps({"warning": one_line(message)}, ensure_ascii=False)
    else:
        line = f"electrocheck: warning: {one_line(message)}"
    try:
        typer.echo(line, err=True)
    except UnicodeEncodeError:  # a stderr that cannot take the user's text
        typer.echo(line.encode("ascii", "replace").decode("ascii"), err=True)


#: The value argument that stands for the values on stdin.
STDIN_ARGUMENT = "-"


def values_with_stdin(values: Sequence[str], stdin: io.TextIOBase | Any) -> list[str]:
    """The value arguments, with ``-`` replaced by the words read from ``stdin`` (values
    separated by spaces or lines, as ``echo k=3.1 na=128 | electrocheck check -`` sends)."""
    if STDIN_ARGUMENT not in values:
        return list(values)
    words = stdin.read().split()
    expanded: list[str] = []
    for value in values:
        expanded.extend(words if value == STDIN_ARGUMENT else [value])
    return expanded


def fail(message: str) -> NoReturn:
    """Print a one-line error on stderr and exit with the error code."""
    report_error(message)
    raise typer.Exit(ExitCode.ERROR)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn the core's errors into a one-line message and exit code 2."""
    try:
        yield
    except ElectrocheckError as exc:
        fail(str(exc))


def run(app: Callable[..., Any], argv: list[str] | None, prog_name: str = "electrocheck") -> int:
    """Run the app and return its exit code, keeping any traceback from the user."""
    _stop_cleanly_on_sigterm()
    # An exception Python can only ignore (Ctrl-C landing while a file object is being
    # closed) would print a traceback of its own: the interruption is reported as such.
    sys.unraisablehook = _ignore
    try:
        try:
            app(args=argv, prog_name=prog_name)
        finally:
            sys.stdout.flush()  # a closed pipe or a full disk shows here, not at exit
    except OutputClosed:
        _quiet_stdout()
        _quiet_stdout(sys.stderr)
        return ExitCode.BROKEN_PIPE
    except OSError as exc:
        _quiet_stdout()
        if _closed_pipe(exc):
            _quiet_stdout(sys.stderr)
            return ExitCode.BROKEN_PIPE
        report_error(f"cannot write output: {exc.strerror or exc}")
        return ExitCode.ERROR
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else ExitCode.ERROR)
    except KeyboardInterrupt:
        print("electrocheck: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a defect: report it in one line rather than a traceback
        return _defect(exc)
    except BaseException as exc:
        # A panic in compiled code (polars' PanicException) derives from BaseException, not
        # Exception: a defect all the same.
        if type(exc).__name__ != "PanicException":
            raise
        return _defect(exc)
    return ExitCode.OK


def _defect(exc: BaseException) -> int:
    """Report a defect in one line, as an internal error, and give its exit code."""
    report_error(
        f"{type(exc).__name__}: {exc!s} (please report this)",
        ExitCode.INTERNAL,
        kind="internal error",
    )
    return ExitCode.INTERNAL


def _ignore(unraisable: object) -> None:
    """Say nothing of an exception Python cannot raise (see :func:`run`)."""


def _stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into an exception, so that a half-written output file is removed on the
    way out, as for Ctrl-C (a plain SIGTERM would end the process where it stands)."""
    import signal

    def stop(signum: int, frame: object) -> None:
        print("electrocheck: terminated", file=sys.stderr)
        raise SystemExit(ExitCode.TERMINATED)

    with contextlib.suppress(ValueError, OSError):  # not the main thread, or no SIGTERM
        signal.signal(signal.SIGTERM, stop)


def _quiet_stdout(stream: Any = None) -> None:
    """Point stdout (or ``stream``) at /dev/null so that Python's flush at exit raises nothing
    more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, (stream or sys.stdout).fileno())
    except (OSError, ValueError, AttributeError):
        pass
