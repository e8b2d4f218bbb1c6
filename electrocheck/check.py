"""A quick check of several values at once: the core of ``electrocheck check``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from electrocheck.errors import ValueTokenError, quote
from electrocheck.interpret import Result, interpret_token
from electrocheck.reference import Reference

#: What ``--fail-on`` accepts, and the flags that meet each condition.
FAIL_ON: dict[str, frozenset[str]] = {
    "abnormal": frozenset({"LL", "L", "H", "HH"}),
    "critical": frozenset({"LL", "HH"}),
}


@dataclass(frozen=True)
class CheckReport:
    """The results of one check, with run-level warnings."""

    reference: str
    results: tuple[Result, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``check --format json``."""
        return {
            "reference": self.reference,
            "results": [result.to_dict() for result in self.results],
            "warnings": list(self.warnings),
        }

    def fails(self, condition: str | None) -> bool:
        """Whether a ``--fail-on`` condition is met (``None`` never is)."""
        if condition is None:
            return False
        flags = FAIL_ON[condition]
        return any(result.flag in flags for result in self.results)


def group_arguments(arguments: Sequence[str]) -> list[tuple[str, str | None]]:
    """Pair each ``NAME=NUMBER`` argument with a unit given as the next argument, so that
    ``na=128 mEq/L`` typed without quotes means what it says."""
    groups: list[tuple[str, str | None]] = []
    for argument in arguments:
        if "=" in argument:
            groups.append((argument, None))
        elif groups and groups[-1][1] is None:
            groups[-1] = (groups[-1][0], argument)
        else:
            raise ValueTokenError(
                f"{quote(argument)}: expected NAME=NUMBER[UNIT], e.g. ca=9.2mg/dL or k=4.1"
            )
    return groups


def run_check(reference: Reference, arguments: Iterable[str]) -> CheckReport:
    """Interpret each value argument; the first bad one raises an :class:`InputError`."""
    results = tuple(
        interpret_token(reference, token, unit) for token, unit in group_arguments(list(arguments))
    )
    counts = Counter(result.analyte for result in results)
    warnings = tuple(
        f"{analyte} was given {count} times; each value is interpreted on its own"
        for analyte, count in counts.items()
        if count > 1
    )
    return CheckReport(reference.origin, results, warnings)
