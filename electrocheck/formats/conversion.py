"""What the readers that turn a standard's messages into a long table share: FHIR
(:mod:`electrocheck.formats.fhir`) and HL7 v2 (:mod:`electrocheck.formats.hl7v2`).

Each writes its rows into a temporary table the long layout then reads (FHIR into Arrow IPC
files, :mod:`~electrocheck.formats.parts`; HL7 v2 into a CSV file), and counts the problems
it met by kind, keeping where the first of each was, so that the summary names one.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


@dataclass
class ProblemTally:
    """Problems counted by kind, with where the first of each kind was."""

    problems: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # the first of each problem
    rows_without_birth: int = 0  # rows whose patient's birth date the file does not give

    def problem(self, kind: str, where: str) -> None:
        self.problems[kind] += 1
        self.examples.setdefault(kind, where)

    def add(self, later: ProblemTally) -> None:
        """Count in the problems of a later part of the same file (its first of a kind is
        named only where this part had none)."""
        self.problems.update(later.problems)
        for kind, where in later.examples.items():
            self.examples.setdefault(kind, where)
        self.rows_without_birth += later.rows_without_birth

    def problem_warnings(self, prefix: str, kinds: Mapping[str, tuple[str, str]]) -> list[str]:
        """One warning per kind met, in the order of ``kinds`` (each kind's wording for one
        and for many), naming where the first was."""
        found = []
        for kind, (one, many) in kinds.items():
            count = self.problems[kind]
            if count == 1:
                found.append(f"{prefix}: 1 {one}: {self.examples[kind]}")
            elif count:
                found.append(f"{prefix}: {count:,} {many}, the first {self.examples[kind]}")
        return found

    def birth_warnings(self, prefix: str, field_name: str = "") -> list[str]:
        """The warning of rows whose patient's birth date (``field_name``, where the format
        names it) the file does not give: read with adult limits."""
        count = self.rows_without_birth
        if not count:
            return []
        named = f" ({field_name})" if field_name else ""
        return [
            f"{prefix}: {counted(count, 'row')} whose patient's birth date{named} is not in the "
            "file: adult limits were used for them"
        ]


def counted(count: int, noun: str) -> str:
    """``1 row``, ``2 rows``, ``1,000 rows``: a count with its noun in the right number."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def ranked(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Counts, the largest first; equal ones by name, so the summary never depends on order."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def not_read(counts: Iterable[tuple[str, int]], more: str) -> str:
    """``; not read: A 3, B 1`` of ranked counts (at most six named, then ``and N {more}``),
    or nothing when there are none."""
    other = list(counts)
    if not other:
        return ""
    shown = ", ".join(f"{name} {count:,}" for name, count in other[:6])
    rest = f" and {len(other) - 6} {more}" if len(other) > 6 else ""
    return f"; not read: {shown}{rest}"


def row_writer(out: IO[str]) -> Callable[[list[str]], None]:
    """Writes a row as ``csv.writer(out).writerow`` does, byte for byte: a row whose cells
    need no quoting is joined here, several times faster; any other goes to the csv module
    (which quotes a cell with a comma, a quote or a line end; NUL is left to it too)."""
    writerow = csv.writer(out).writerow  # its lines end in CRLF, as the joined ones do
    write = out.write

    def row(cells: list[str]) -> None:
        line = ",".join(cells)
        if (
            '"' in line
            or "\n" in line
            or "\r" in line
            or "\x00" in line
            or line.count(",") != len(cells) - 1
            or len(cells) < 2
        ):
            writerow(cells)
        else:
            write(line + "\r\n")

    return row


@contextmanager
def temporary_table(kind: str) -> Iterator[Path]:
    """A path for the temporary long CSV file of a ``kind`` of input, removed when the block
    ends, however it ends."""
    handle, name = tempfile.mkstemp(prefix=f"electrocheck-{kind}-", suffix=".csv")
    os.close(handle)
    table = Path(name)
    try:
        yield table
    finally:
        table.unlink(missing_ok=True)


@contextmanager
def temporary_folder(kind: str) -> Iterator[Path]:
    """A new folder for the temporary files of a ``kind`` of input, removed with all it holds
    when the block ends, however it ends."""
    folder = Path(tempfile.mkdtemp(prefix=f"electrocheck-{kind}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


__all__ = [
    "ProblemTally",
    "not_read",
    "ranked",
    "row_writer",
    "temporary_folder",
    "temporary_table",
]
