"""What the readers that turn a standard's messages into a long table share: FHIR
(:mod:`electrocheck.formats.fhir`) and HL7 v2 (:mod:`electrocheck.formats.hl7v2`).

Each writes its rows into a temporary CSV file the long layout then reads, and counts the
problems it met by kind, keeping where the first of each was, so that the summary names one.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ProblemTally:
    """Problems counted by kind, with where the first of each kind was."""

    problems: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # the first of each problem
    rows_without_birth: int = 0  # rows whose patient's birth date the file does not give

    def problem(self, kind: str, where: str) -> None:
        self.problems[kind] += 1
        self.examples.setdefault(kind, where)

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
        rows = "1 row" if count == 1 else f"{count:,} rows"
        named = f" ({field_name})" if field_name else ""
        return [
            f"{prefix}: {rows} whose patient's birth date{named} is not in the file: adult "
            "limits were used for them"
        ]


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


__all__ = ["ProblemTally", "not_read", "ranked", "temporary_table"]
