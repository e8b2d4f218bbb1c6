"""Files as a run reads and writes them: the input as a path, the output whole or not at all.

An input is a path, or stdin copied to a temporary file first (so that it can be read again,
as a reader that gives up on polars does). An output goes to a temporary file beside its
target and is moved into place (or copied to stdout) only when all of it has been written, so
a failed run leaves no partial output; :func:`write_whole` does the same for data in memory.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO

from electrocheck.errors import InputError, quote


def umask() -> int:
    """The process's file-creation mask (read by setting it, then putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it: all of it or nothing."""
    handle, temporary = tempfile.mkstemp(prefix=".electrocheck-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o666 & ~umask())  # mkstemp made it private
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


# --------------------------------------------------------------------------- input


class input_file:
    """The input as a path; stdin, or a pipe given as a path (``<(zcat labs.csv.gz)``), is
    first copied to a temporary file."""

    def __init__(self, source: str | Path) -> None:
        self.source = str(source)
        self.spooled: Path | None = None

    def __enter__(self) -> Path:
        if self.source == "-":
            return self._spool(sys.stdin.buffer)
        path = Path(self.source)
        if path.is_file():
            return path
        if path.exists() and not path.is_dir():  # a named pipe or a device: read it once
            try:
                with open(path, "rb") as stream:
                    return self._spool(stream)
            except OSError as exc:
                raise InputError(
                    f"cannot read {quote(self.source)}: {exc.strerror or exc}"
                ) from None
        reason = "is a directory" if path.is_dir() else "does not exist"
        raise InputError(f"cannot read {quote(self.source)}: it {reason}")

    def _spool(self, stream: IO[bytes]) -> Path:
        # The name is chosen before the file exists, so that a Ctrl-C landing at any moment
        # finds it known to the cleanup below (mkstemp creates first and names after).
        self.spooled = (
            Path(tempfile.gettempdir()) / f"electrocheck-stdin-{secrets.token_hex(8)}.csv"
        )
        try:
            handle = os.open(self.spooled, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(handle, "wb") as spool:
                shutil.copyfileobj(stream, spool)
        except BaseException:  # Ctrl-C or a read error: no copy of the data stays behind
            self.spooled.unlink(missing_ok=True)
            raise
        return self.spooled

    def __exit__(self, *exc: object) -> None:
        if self.spooled is not None:
            self.spooled.unlink(missing_ok=True)


def refuse_same_file(source: Path, output: Path) -> None:
    if output.exists() and output.resolve() == source.resolve():
        raise InputError(f"the output {quote(str(output))} is the input file; choose another")


# --------------------------------------------------------------------------- output


class atomic_output:
    """A temporary file beside the target, moved into place only when all went well."""

    def __init__(self, output: str | Path | None) -> None:
        self.output = None if output is None else Path(output)
        self.direct: IO[bytes] | None = None  # a device or pipe named with -o
        self.path: Path | None = None
        self.handle: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        output = self.output
        if output is not None and output.exists() and not output.is_file():
            if output.is_dir():
                raise InputError(f"cannot write {quote(str(output))}: it is a directory")
            # A device or a pipe (-o /dev/null): write to it; it cannot be replaced.
            self.output, self.direct = None, output.open("wb")
        directory = None if self.output is None else self.output.resolve().parent
        try:
            fd, name = tempfile.mkstemp(prefix=".electrocheck-", suffix=".part", dir=directory)
        except OSError as exc:
            raise InputError(
                f"cannot write {quote(str(self.output))}: {exc.strerror or exc}"
            ) from None
        self.path = Path(name)
        self.handle = os.fdopen(fd, "w+b")
        return self.handle

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        assert self.handle is not None and self.path is not None
        try:
            if kind is None:
                self.handle.flush()
                if self.output is None:
                    target = self.direct or sys.stdout.buffer
                    self.handle.seek(0)
                    shutil.copyfileobj(self.handle, target)
                    target.flush()
                else:
                    os.fsync(self.handle.fileno())
                    os.chmod(self.path, 0o666 & ~umask())  # mkstemp made it private
                    os.replace(self.path, self.output)
        finally:
            self.handle.close()
            self.path.unlink(missing_ok=True)
            if self.direct is not None:
                self.direct.close()


__all__ = ["atomic_output", "input_file", "refuse_same_file", "umask", "write_whole"]
