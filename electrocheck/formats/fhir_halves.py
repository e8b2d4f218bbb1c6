"""A large Bulk Data NDJSON file read by two processes, to the rows one process gives.

Turning NDJSON lines into rows is Python work, on one core. On a machine with two or more,
an uncompressed file of at least :data:`SPLIT_BYTES` whose first line is one JSON object is
cut at a line end: a helper process (this Python, this electrocheck) reads the last
:data:`HELPER_SHARE` of it (a little under half) with
:func:`~electrocheck.formats.fhir.read_part` into Arrow IPC parts of its own while this
process reads the rest. The helper then hands over what it read (its
counts, patients, specimens and medicines: :class:`~electrocheck.formats.fhir.PartRead`),
which joins this process's, and its parts follow this process's: the rows, their order, the
line numbers in messages and the summary are those of one reading of the whole file.

A helper that cannot start, fails or hands over nothing readable leaves its half to this
process, which reads it the same way after its own: the answer never depends on the helper.
A gzipped file is read by one process (its middle cannot be found without reading it).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from electrocheck.formats.fhir import PartRead, read_part

#: Files smaller than this are read by one process: a helper's start (about 0.3 s) would
#: cost more than it saves.
SPLIT_BYTES = 64 << 20
#: The share of the file the helper reads: a little less than half, for it starts a new
#: Python and counts the lines before its share (about 0.4 s for a file of 700 MB), so that
#: both end about together.
HELPER_SHARE = 0.46
#: How far past the middle a line end is looked for (a line longer is not cut: one process).
_LINE_SEARCH = 16 << 20
#: The helper's start: the request first (the import path of this process, so that the
#: helper finds this electrocheck, whatever folder it starts in), then the work.
_START = (
    "import pickle, sys; request = pickle.loads(open(sys.argv[1], 'rb').read()); "
    "sys.path[:] = request['path']; from electrocheck.formats.fhir_halves import serve; "
    "serve(request)"
)


@dataclass
class Half:
    """The second half of a file, from byte ``start``, read by a helper process if one runs."""

    path: Path
    start: int
    known: Mapping[str, str]
    folder: Path
    process: subprocess.Popen[bytes] | None
    #: What went wrong with the helper, where its half was read here ("" where it was not).
    failure: str = ""

    def result(self) -> PartRead:
        """What the helper read; read here, the same way, where it did not."""
        process, self.process = self.process, None
        self.failure = "could not start"
        if process is not None:
            output, _ = process.communicate()
            self.failure = f"ended with exit code {process.returncode}"
            if process.returncode == 0:
                try:
                    found = pickle.loads(output)
                except Exception:  # anything unreadable: the half is read here
                    found = None
                if isinstance(found, PartRead):
                    self.failure = ""
                    return found
                self.failure = "gave back something that was not its reading"
        return read_part(self.path, self.start, self.known, self.folder)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.communicate()
        self.process = None


@contextmanager
def second_half(
    path: Path, compression: str | None, known: Mapping[str, str], folder: Path
) -> Iterator[Half | None]:
    """The second half of the NDJSON file ``path``, being read by a helper process; None where
    the whole file is read by this one (see the module). The helper is stopped when the block
    ends, however it ends."""
    start = _middle(path) if compression is None and _cores() >= 2 else None
    if start is None:
        yield None
        return
    half = Half(path, start, known, folder, _helper(path, start, known, folder))
    try:
        yield half
    finally:
        half.stop()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _middle(path: Path) -> int | None:
    """Where the helper's share of ``path`` starts (the first line that starts after the
    last :data:`HELPER_SHARE` of its bytes begins), if the file is large, its first line that
    is not blank is one JSON object (NDJSON, not one document over many lines) and such a line
    exists; else None."""
    from electrocheck.formats.fhir import _loads

    size = path.stat().st_size
    if size < SPLIT_BYTES:
        return None
    with open(path, "rb") as raw:
        head = raw.read(_LINE_SEARCH)
        lines = head.lstrip().split(b"\n", 1)
        if len(lines) < 2:
            return None
        try:
            first = _loads(lines[0])
        except (ValueError, RecursionError):
            return None
        if not isinstance(first, dict):
            return None
        middle = size - int(size * HELPER_SHARE)
        raw.seek(middle)
        found = raw.read(_LINE_SEARCH).find(b"\n")
    if found < 0 or middle + found + 1 >= size:
        return None
    return middle + found + 1


def _helper(
    path: Path, start: int, known: Mapping[str, str], folder: Path
) -> subprocess.Popen[bytes] | None:
    request = {
        "path": list(sys.path),
        "file": str(path),
        "start": start,
        "known": dict(known),
        "folder": str(folder),
    }
    asked = folder / "half.request"
    asked.write_bytes(pickle.dumps(request))
    try:
        return subprocess.Popen(
            [sys.executable, "-c", _START, str(asked)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def serve(request: dict[str, Any]) -> None:
    """The helper's work: read the half the request names, and write what was read to stdout."""
    read = read_part(
        Path(request["file"]), request["start"], request["known"], Path(request["folder"])
    )
    sys.stdout.buffer.write(pickle.dumps(read))
    sys.stdout.buffer.flush()


__all__ = ["SPLIT_BYTES", "Half", "second_half", "serve"]
