"""A quick check of several values at once: the core of ``electrocheck check``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from electrocheck.clinical.corrections import (
    CovariateValue,
    correct,
    corrected_value,
    read_covariate_token,
)
from electrocheck.clinical.grading import grade_value
from electrocheck.clinical.interpret import critical_note, interpret_token, measured_graded_note
from electrocheck.clinical.patterns import matching
from electrocheck.clinical.result import Result, assumed_unit_note
from electrocheck.errors import ValueTokenError, quote
from electrocheck.reference import Reference
from electrocheck.reference.patient import UNKNOWN, Patient
from electrocheck.units.resolve import resolve_unit

#: What ``--fail-on`` accepts, and the flags that meet each condition.
FAIL_ON: dict[str, frozenset[str]] = {
    "abnormal": frozenset({"LL", "L", "H", "HH"}),
    "critical": frozenset({"LL", "HH"}),
}


@dataclass(frozen=True)
class Brief:
    """A result's notes as the first screen of ``check`` shows them.

    What that screen says once for all results is taken out of ``notes`` and kept as data: a
    unit assumed (the table marks it), the critical limit a value is beyond, and the grade a
    value would have with symptoms. The caveats of the analyte or correction become the
    reference file's one line (``caveat_brief``) where it has one; a value graded as measured
    says so in short; a correction's formula is left to the full notes.
    """

    notes: tuple[str, ...] = ()  # the notes that stay, short where a short form is known
    caveat: str | None = None  # the caveats, in the reference file's one line
    critical_limit: str | None = None  # the critical limit the value is beyond: "< 2.8 mmol/L"
    with_symptoms: int | None = None  # the grade with symptoms, where the grade assumed none


@dataclass(frozen=True)
class CheckReport:
    """The results of one check, with run-level warnings."""

    reference: str
    results: tuple[Result, ...]
    warnings: tuple[str, ...]
    patient: Patient = UNKNOWN
    patterns: tuple[str, ...] = ()  # notes
    pattern_ids: tuple[str, ...] = ()
    pattern_briefs: tuple[str, ...] = ()  # each pattern's note in one line (the note if none)
    briefs: tuple[Brief, ...] = ()  # each result's notes in short, in the order of results

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
            "pattern_briefs": list(self.pattern_briefs),
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
    reference: Reference, arguments: Iterable[str], patient: Patient = UNKNOWN
) -> CheckReport:
    """Interpret each value argument; the first bad one raises an :class:`InputError`.

    Covariates among the arguments (``alb=2.5g/dL``, ``glu=450mg/dL``) are not interpreted
    themselves: each adds the corrected result of the analyte it corrects, just after it.
    """
    values, covariates = _split(reference, group_arguments(list(arguments)))
    given = frozenset(covariates)
    results: list[Result] = []
    briefs: list[Brief] = []
    corrected: set[str] = set()
    for token, unit in values:
        result = interpret_token(reference, token, unit, patient=patient, covariates=given)
        results.append(result)
        briefs.append(brief_of(reference, result, patient))
        correction = reference.correction_of(result.analyte)
        if correction is not None and correction.covariate in covariates:
            covariate = covariates[correction.covariate]
            results.append(correct(reference, result, covariate, patient))
            how = corrected_value(
                reference, result.analyte, result.entered_value, result.entered_unit, covariate
            )
            briefs.append(brief_of(reference, results[-1], patient, formula=how.lead_notes[-1]))
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
        tuple(p.short for p in found),
        tuple(briefs),
    )


def brief_of(
    reference: Reference, result: Result, patient: Patient = UNKNOWN, formula: str | None = None
) -> Brief:
    """The notes of ``result`` in short (see :class:`Brief`); ``formula`` is the note of a
    corrected result that shows its formula."""
    correction = reference.corrections.get(result.analyte)
    record = reference.analytes[correction.corrects if correction else result.analyte]
    unit = resolve_unit(result.entered_unit)
    short: dict[str, str | None] = {}  # a note and its short form; None leaves it out
    if result.unit_assumed:
        short[assumed_unit_note(unit.spelling)] = None
    if formula is not None:
        short[formula] = None
    critical_limit = None
    if result.critical:
        limits = record.critical_for(unit, patient)
        short[critical_note(limits, result.flag)] = None
        low = result.flag == "LL"
        critical_limit = (
            f"{'<' if low else '>'} {limits.low if low else limits.high:g} {limits.unit}"
        )
    with_symptoms = None
    grade = grade_value(record, result.flag, result.value, unit, patient)
    if grade.note is not None and grade.note in result.notes:
        short[grade.note] = None
        symptomatic = replace(patient, symptomatic=True)
        with_symptoms = grade_value(record, result.flag, result.value, unit, symptomatic).grade
    graded_instead = reference.correction_of(record.key) if correction is None else None
    if graded_instead is not None:
        short[measured_graded_note(record.key, graded_instead)] = (
            f"graded as measured; give {graded_instead.covariate} for the corrected grade"
        )
    caveats = correction or record
    caveat = None
    if caveats.caveat_brief and any(text in result.notes for text in caveats.caveats):
        caveat = caveats.caveat_brief
        short.update(dict.fromkeys(caveats.caveats))
    notes = tuple(short.get(note, note) for note in result.notes)
    return Brief(tuple(n for n in notes if n is not None), caveat, critical_limit, with_symptoms)


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
