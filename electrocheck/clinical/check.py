"""A quick check of several values at once: the core of ``electrocheck check``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from electrocheck.clinical.corrections import CovariateValue, correct, read_covariate_token
from electrocheck.clinical.interpret import interpret_token
from electrocheck.clinical.patterns import matching
from electrocheck.clinical.result import Result
from electrocheck.errors import InputError, ValueTokenError, quote
from electrocheck.reference import Reference
from electrocheck.reference.patient import UNKNOWN, Patient
from electrocheck.units.tokens import NUMBER_PATTERN

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
    patient: Patient = UNKNOWN
    patterns: tuple[str, ...] = ()  # notes
    pattern_ids: tuple[str, ...] = ()
    #: Values that could not be read, one message each (only with ``keep_going``).
    errors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``check --format json``."""
        return {
            "reference": self.reference,
            "patient": {
                "age_days": self.patient.age_days,
                "sex": self.patient.sex,
                "symptomatic": self.patient.symptomatic,
            },
            "results": [result.to_dict() for result in self.results],
            "patterns": list(self.patterns),
            "pattern_ids": list(self.pattern_ids),
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }

    def fails(self, condition: str | None) -> bool:
        """Whether a ``--fail-on`` condition is met (``None`` never is)."""
        if condition is None:
            return False
        flags = FAIL_ON[condition]
        return any(result.flag in flags for result in self.results)


_NUMBER_ALONE = re.compile(rf"{NUMBER_PATTERN}\S*")


def group_arguments(
    arguments: Sequence[str], errors: list[str] | None = None
) -> list[tuple[str, str | None]]:
    """Pair each ``NAME=NUMBER`` argument with a unit given as the next argument, so that
    ``na=128 mEq/L`` typed without quotes means what it says.

    An argument that is neither raises a :class:`ValueTokenError`, or with ``errors`` given
    is added to it and skipped.
    """
    groups: list[tuple[str, str | None]] = []
    skip = False
    for index, argument in enumerate(arguments):
        if skip:
            skip = False
            continue
        if "=" in argument:
            groups.append((argument, None))
        elif groups and groups[-1][1] is None:
            groups[-1] = (groups[-1][0], argument)
        else:
            following = arguments[index + 1] if index + 1 < len(arguments) else ""
            # "K 3.1": a name and its number typed apart; the number goes with the message.
            skip = "=" not in following and _NUMBER_ALONE.fullmatch(following) is not None
            message = _stray_argument(argument, following if skip else None)
            if errors is None:
                raise ValueTokenError(message)
            errors.append(message)
    return groups


def _stray_argument(argument: str, number: str | None) -> str:
    if number is not None:
        return (
            f"{quote(f'{argument} {number}')}: join the name and the number with '=': "
            f"{argument}={number}"
        )
    return f"{quote(argument)}: expected NAME=NUMBER[UNIT], e.g. ca=9.2mg/dL or k=4.1"


def run_check(
    reference: Reference,
    arguments: Iterable[str],
    patient: Patient = UNKNOWN,
    *,
    keep_going: bool = False,
) -> CheckReport:
    """Interpret each value argument.

    The first value that cannot be read raises an :class:`InputError`; with ``keep_going``
    it is reported in :attr:`CheckReport.errors` instead and the other values are still
    interpreted, so one mistyped value hides nothing else.

    Covariates among the arguments (``alb=2.5g/dL``, ``glu=450mg/dL``) are not interpreted
    themselves: each adds the corrected result of the analyte it corrects, just after it.
    A check with covariates and no value to correct raises an :class:`InputError`.
    """
    errors: list[str] | None = [] if keep_going else None
    groups = group_arguments(list(arguments), errors)
    values, covariates = _split(reference, groups, errors)
    given = frozenset(covariates)
    results: list[Result] = []
    corrected: set[str] = set()
    for token, unit in values:
        try:
            result = interpret_token(reference, token, unit, patient=patient, covariates=given)
        except InputError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        results.append(result)
        correction = reference.correction_of(result.analyte)
        if correction is not None and correction.covariate in covariates:
            results.append(correct(reference, result, covariates[correction.covariate], patient))
            corrected.add(correction.covariate)
    uncorrected = [
        f"{quote(value.shown)}: nothing to correct (no {_corrected_by(reference, key)} given)"
        for key, value in covariates.items()
        if key not in corrected
    ]
    if not results and not errors:
        # An empty answer would read as "nothing abnormal".
        why = "; ".join(uncorrected) or "no value was given (expected NAME=NUMBER[UNIT])"
        raise ValueTokenError(f"no electrolyte value to interpret; {why}")
    counts = Counter(result.analyte for result in results)
    warnings = [
        f"{analyte} was given {count} times; each value is interpreted on its own"
        for analyte, count in counts.items()
        if count > 1
    ]
    warnings += uncorrected
    found = matching(reference, ((r.analyte, r.flag) for r in results))
    return CheckReport(
        reference.origin,
        tuple(results),
        tuple(warnings),
        patient,
        tuple(p.note for p in found),
        tuple(p.id for p in found),
        tuple(errors or ()),
    )


def _split(
    reference: Reference, groups: list[tuple[str, str | None]], errors: list[str] | None
) -> tuple[list[tuple[str, str | None]], dict[str, CovariateValue]]:
    """Analyte values, and covariates by key (each given at most once)."""
    values: list[tuple[str, str | None]] = []
    covariates: dict[str, CovariateValue] = {}
    for token, unit in groups:
        name = token.partition("=")[0]
        if reference.covariate(name) is None:
            values.append((token, unit))
            continue
        try:
            value = read_covariate_token(reference, token, unit)
            key = value.covariate.key
            if key in covariates:
                raise ValueTokenError(
                    f"{quote(value.shown)}: {key} was already given "
                    f"({quote(covariates[key].shown)})"
                )
        except InputError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        covariates[key] = value
    return values, covariates


def _corrected_by(reference: Reference, covariate: str) -> str:
    names = [c.corrects for c in reference.corrections.values() if c.covariate == covariate]
    return " or ".join(names) or "value it corrects"
