"""CTCAE grades of a value, from the cut-points in the reference file.

A value within the reference interval is grade 0. A value beyond it is grade 1, or the
highest grade whose cut-point it lies beyond; a value equal to a cut-point keeps the milder
grade (">11.5 - 12.5" is above 11.5 up to and including 12.5). Cut-points are compared in
mmol/L with the same float tolerance as the flags, and a value is graded by the criteria
written in its own unit, so 8.0 mg/dL meets the mg/dL cut-point of 8.0 exactly even though
8.0 mg/dL is not exactly 2.0 mmol/L.
"""

from __future__ import annotations

from dataclasses import dataclass

from electrocheck.clinical.compare import above, below
from electrocheck.reference import Analyte, Criterion, GradeScale
from electrocheck.reference.patient import Patient
from electrocheck.units.resolve import Unit

#: Which side of the interval each flag is on.
SIDE_OF_FLAG = {"LL": "low", "L": "low", "H": "high", "HH": "high"}


@dataclass(frozen=True)
class Grade:
    """A grade (None where the file has no criterion), what gave it, and a note for the
    reader where symptoms would change it."""

    grade: int | None
    basis: str
    note: str | None = None


def numeric_grade(criterion: Criterion, side: str, mmol: float) -> int:
    """The grade the numbers alone give an abnormal value: 1, or the highest cut-point's."""
    beyond = below if side == "low" else above
    grade = 1
    for level, _, cut_mmol in criterion.cuts:
        if beyond(mmol, cut_mmol):
            grade = level
    return grade


def grade_value(analyte: Analyte, flag: str, mmol: float, unit: Unit, patient: Patient) -> Grade:
    """The CTCAE grade of a value of ``analyte`` with ``flag``, entered in ``unit``."""
    if analyte.grade_low is None and analyte.grade_high is None:
        return Grade(None, "no grade criteria for this analyte in the reference file")
    if flag == "N":
        return Grade(0, "within the reference interval")
    side = SIDE_OF_FLAG[flag]
    scale = analyte.grades(side)
    if scale is None:
        return Grade(None, f"no grade criteria for {side} {analyte.label.lower()}")
    return _graded(scale, side, mmol, unit, patient)


def _graded(scale: GradeScale, side: str, mmol: float, unit: Unit, patient: Patient) -> Grade:
    criterion = scale.criterion_for(unit)
    grade = numeric_grade(criterion, side, mmol)
    basis = f"{scale.term}, {criterion.unit} criteria ({criterion.source})"
    note = None
    if criterion.symptomatic is not None and grade == criterion.symptomatic[0]:
        becomes = criterion.symptomatic[1]
        if patient.symptomatic:
            grade = becomes
            basis += "; symptomatic"
        else:
            basis += "; asymptomatic assumed"
            note = f"grade {grade} assumes no symptoms; with symptoms it would be grade {becomes}"
    return Grade(grade, basis, note)
