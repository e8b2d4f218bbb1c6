"""A quick check of several values at once: the core of ``electrocheck check``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from electrocheck.clinical.corrections import CovariateValue, correct, read_covariate_token
from electrocheck.clinical.interpret import interpret_token
from electrocheck.clinical.patterns import matching
from electrocheck.clinical.result import Result
from electrocheck.clinical.unit_choice import AS_ENTERED, UnitChoice
from electrocheck.errors import ValueTokenError, quote
from electrocheck.reference import Reference
from electrocheck.reference.patient import UNKNOWN, Patient

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


def run_check(
    reference: Reference,
    arguments: Iterable[str],
    patient: Patient = UNKNOWN,
    units: UnitChoice = AS_ENTERED,
) -> CheckReport:
    """Interpret each value argument; the first bad one raises an :class:`InputError`.

    Covariates among the arguments (``alb=2.5g/dL``, ``glu=450mg/dL``) are not interpreted
    themselves: each adds the corrected result of the analyte it corrects, just after it.
    ``units`` gives the unit system results are shown in and the units of values given
    without one (see :mod:`~electrocheck.clinical.unit_choice`).
    """
    values, covariates = _split(reference, group_arguments(list(arguments)))
    given = frozenset(covariates)
    results: list[Result] = []
    corrected: set[str] = set()
    for token, unit in values:
        result = interpret_token(
            reference, token, unit, patient=patient, covariates=given, units=units
        )
        results.append(result)
        correction = reference.correction_of(result.analyte)
        if correction is not None and correction.covariate in covariates:
            covariate = covariates[correction.covariate]
            results.append(correct(reference, result, covariate, patient, units.system))
            corrected.add(correction.covariate)
    counts = Counter(result.analyte for result in results)
    warnings = [
        f"{analyte} was given {count} times; each value is interpreted on its own"
        for analyte, count in counts.items()
        if count > 1
    ]
    warnings += [
        f"{quote(value.shown)}: nothing to correct (no {_corrected_by(reference, key)} given)"
        for key, value in covariates.items()
        if key not in corrected
    ]
    found = matching(reference, ((r.analyte, r.flag) for r in results))
    return CheckReport(
        reference.origin,
        tuple(results),
        tuple(warnings),
        patient,
        tuple(p.note for p in found),
        tuple(p.id for p in found),
    )


def _split(
    reference: Reference, groups: list[tuple[str, str | None]]
) -> tuple[list[tuple[str, str | None]], dict[str, CovariateValue]]:
    """Analyte values, and covariates by key (each given at most once)."""
    values: list[tuple[str, str | None]] = []
    covariates: dict[str, CovariateValue] = {}
    for token, unit in groups:
        name = token.partition("=")[0]
        if reference.covariate(name) is None:
            values.append((token, unit))
            continue
        value = read_covariate_token(reference, token, unit)
        key = value.covariate.key
        if key in covariates:
            raise ValueTokenError(
                f"{quote(value.shown)}: {key} was already given ({quote(covariates[key].shown)})"
            )
        covariates[key] = value
    return values, covariates


def _corrected_by(reference: Reference, covariate: str) -> str:
    names = [c.corrects for c in reference.corrections.values() if c.covariate == covariate]
    return " or ".join(names) or "value it corrects"
