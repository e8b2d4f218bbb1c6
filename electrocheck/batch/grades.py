"""Grades and notes of the distinct rows of a batch that have a flag.

Few rows (each distinct input is interpreted once per file), so each is graded by the core's
own functions, as ``check`` grades it: :func:`~electrocheck.clinical.interpret.evaluate`
against the reference limits, or :func:`~electrocheck.clinical.interpret.graded` where the
row's flag comes from the lab's own limits; a censored value gets a note that says so.
"""

from __future__ import annotations

import polars as pl

from electrocheck.batch.patient import AGE, SEX, SYMPTOMATIC, patient_of
from electrocheck.clinical.interpret import Measured, critical_note, evaluate, graded
from electrocheck.clinical.result import assumed_unit_note
from electrocheck.reference import Reference
from electrocheck.units.resolve import resolve_unit

CENSORED_NOTES = {
    "<": "censored result: the true value is below this bound, and counts as beyond a limit "
    "or cut-point equal to it",
    "<=": "censored result: the true value is at or below this bound; interpreted at it",
    ">": "censored result: the true value is above this bound, and counts as beyond a limit "
    "or cut-point equal to it",
    ">=": "censored result: the true value is at or above this bound; interpreted at it",
}
LAB_LIMITS_NOTE = "flagged against the lab's own reference limits given in this row"
#: Where the row's own limits could not be used (out of order, or not meeting the reference
#: interval at all: limits in another unit than the value's).
LAB_LIMITS_REFUSED_NOTE = (
    "the lab's limits given in this row were not used: they are out of order or do not "
    "overlap the reference interval (another unit than the value's?); flagged against the "
    "reference file's"
)
#: Where a one-sided range (<5.1, >=135) gives one of the lab's limits.
ONE_LAB_LIMIT_NOTES = {
    "low": "flagged against the lab's own lower limit given in this row, and the reference "
    "file's upper limit",
    "high": "flagged against the lab's own upper limit given in this row, and the reference "
    "file's lower limit",
}


def with_grades(step: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Grades and notes of the distinct rows that have a flag, by the core's own functions
    (few rows: each distinct input is interpreted once per file)."""
    grades: list[int | None] = []
    bases: list[str | None] = []
    notes: list[list[str] | None] = []
    columns = ("analyte", "number", "canonical", "assumed", "mmol", "flag", "lab_sides", "censor")
    rows = step.select(*columns, "lab_refused", AGE, SEX, SYMPTOMATIC, "covariate").iter_rows()
    for row in rows:
        analyte, number, canonical, assumed, mmol, flag, sides, censor, refused, *who, cov = row
        if flag is None:
            grades.append(None)
            bases.append(None)
            notes.append(None)
            continue
        record = reference.analytes[analyte]
        unit = resolve_unit(canonical)
        patient = patient_of(reference, *who)
        correction = reference.correction_of(analyte)
        # Graded in place of the corrected value only where there is one (never censored).
        corrects = correction is not None and cov and censor is None
        given = frozenset({correction.covariate}) if corrects and correction else frozenset()
        if sides is not None:  # the lab's own limits: flagged in the engine, graded by the core
            grade, basis, extra = graded(reference, record, flag, mmol, unit, patient, given)
            found = [assumed_unit_note(unit.spelling)] if assumed else []
            found.append(ONE_LAB_LIMIT_NOTES.get(sides, LAB_LIMITS_NOTE))
            if flag in ("LL", "HH"):
                found.append(critical_note(record.critical_for(unit, patient), flag))
            if flag != "N":
                found.extend(record.caveats)
            found.extend(extra)
        else:
            result = evaluate(
                reference, Measured(record, "", number, unit, assumed, mmol), patient, given
            )
            grade, basis, found = result.grade, result.grade_basis, list(result.notes)
            if refused:
                found.append(LAB_LIMITS_REFUSED_NOTE)
        if censor in CENSORED_NOTES:
            found.insert(int(bool(assumed)), CENSORED_NOTES[censor])
        grades.append(grade)
        bases.append(basis)
        notes.append(found)
    return step.with_columns(
        pl.Series("grade", grades, dtype=pl.Int8),
        pl.Series("grade_basis", bases, dtype=pl.String),
        pl.Series("notes", notes, dtype=pl.List(pl.String)),
    )


__all__ = [
    "CENSORED_NOTES",
    "LAB_LIMITS_NOTE",
    "LAB_LIMITS_REFUSED_NOTE",
    "ONE_LAB_LIMIT_NOTES",
    "with_grades",
]
