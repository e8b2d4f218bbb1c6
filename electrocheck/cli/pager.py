"""Long output through a pager, as git does it.

Text for a terminal that is taller than the terminal goes to a pager: ``$PAGER`` if set (set
to nothing or to ``cat``, none), else ``less``, with ``LESS=FRX`` when ``LESS`` is not set (-R
keeps the colour, -F quits at once when the text fits after all, -X leaves it on the screen).
Output that is not a terminal (a pipe, a file) is never paged. When the pager cannot start the
text is printed as it is; a pager quit before it has read everything (``q`` in less) ends the
command as if all had been shown.

Imported only when a table is printed; subprocess and shutil only when a pager is run.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import TextIO

#: $PAGER values that mean "no pager".
NO_PAGER = frozenset({"", "cat"})
#: The pager when $PAGER is not set, and the options it gets when $LESS is not set.
DEFAULT = "less"
LESS = "FRX"


def show(text: str, file: TextIO) -> None:
    """Write ``text`` to ``file``, through the pager when ``file`` is a terminal and ``text``
    is taller than it (or when the pager cannot start, directly)."""
    if not (_is_terminal(file) and _taller_than_terminal(text) and page(text, file)):
        file.write(text)


def command(environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """The pager to run, as arguments; ``None`` for none."""
    chosen = environ.get("PAGER")
    if chosen is None:
        return [DEFAULT]
    import shlex

    try:
        words = shlex.split(chosen)
    except ValueError:  # unbalanced quotes: run it as one name, and let it fail to start
        words = [chosen]
    return None if " ".join(words) in NO_PAGER else words


def page(text: str, file: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """Show ``text`` through the pager on the terminal ``file`` is; False when there is no
    pager or it cannot start (nothing is shown then)."""
    argv = command(environ)
    if argv is None:
        return False
    import subprocess

    env = dict(environ)
    env.setdefault("LESS", LESS)
    file.flush()
    try:
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=file, env=env)
    except (OSError, ValueError):
        return False
    encoding = getattr(file, "encoding", None) or "utf-8"
    # Ctrl-C belongs to the pager while it runs (less uses it to stop a search): the command
    # ignores it until the pager has ended, as git does.
    with _ctrl_c_ignored():
        assert process.stdin is not None
        try:
            process.stdin.write(text.encode(encoding, errors="replace"))
        except OSError:  # the pager was quit before it read everything: nothing more to show
            pass
        finally:
            with contextlib.suppress(OSError):
                process.stdin.close()
        process.wait()
    return True


@contextlib.contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    import signal

    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to set
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _is_terminal(file: TextIO) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _taller_than_terminal(text: str) -> bool:
    """Whether ``text`` has more lines than fit above the shell's prompt."""
    import shutil

    rows = shutil.get_terminal_size().lines
    return text.count("\n") + (not text.endswith("\n")) > rows - 1
