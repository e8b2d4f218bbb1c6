"""The batch engine's grades and notes (electrocheck.batch.grades), row by row against the core.

Each case is a tiny frame of distinct rows, flagged by the engine's own expressions; the
expected grade, its basis and the notes are what ``interpret`` (the core) gives for the same
value, unit, patient and covariates, or, where the row's flag comes from the lab's limits,
the core's ``graded`` with the notes that say which limits were used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from batch_steps import Row, step_of  # pytest puts tests/batch on sys.path

from electrocheck import interpret
from electrocheck.batch.flags import flag_stages, refuse_ambiguous
from electrocheck.batch.grades import (
    CENSORED_NOTES,
    LAB_LIMITS_NOTE,
    LAB_LIMITS_REFUSED_NOTE,
    ONE_LAB_LIMIT_NOTES,
    with_grades,
)
from electrocheck.batch.patient import segment_of
from electrocheck.clinical.compare import LIMIT_TOLERANCE
from electrocheck.clinical.interpret import critical_note, graded
from electrocheck.clinical.result import Result, assumed_unit_note
from electrocheck.reference import Reference, load_reference
from electrocheck.units.resolve import resolve_unit

#: A censored bound past a limit: the core's answer for a value this far past it.
PAST = {"<": 1 - 1e-6, ">": 1 + 1e-6, "<=": 1.0, ">=": 1.0}


def graded_rows(ref: Reference, rows: list[Row]) -> pl.DataFrame:
    return with_grades(refuse_ambiguous(flag_stages(step_of(ref, rows)), ref), ref)


def core(ref: Reference, row: Row) -> Result:
    """What ``check`` gives for the row's value (a censored one past its bound)."""
    correction = ref.correction_of(row.analyte)
    given = (
        frozenset({correction.covariate})
        if correction is not None and row.covariate and row.censor is None
        else frozenset()
    )
    number = row.number * PAST.get(row.censor or "", 1.0)
    return interpret(ref, row.analyte, number, row.unit, patient=row.patient(ref), covariates=given)


def expected_of(ref: Reference, row: Row) -> tuple[int | None, str, list[str]]:
    result = core(ref, row)
    notes = list(result.notes)
    if row.censor is not None:  # after the note of an assumed unit, before the others
        notes.insert(1 if row.unit is None else 0, CENSORED_NOTES[row.censor])
    return result.grade, result.grade_basis, notes


def at_grade_limits(ref: Reference, analyte: str, unit: str, **given: object) -> list[Row]:
    """A value at each cut-point of the analyte's grades in ``unit``, from both sides."""
    record = ref.analytes[analyte]
    factor = record.factor_to_mmol(resolve_unit(unit))
    cuts: list[float] = []
    for side in ("low", "high"):
        scale = record.grades(side)
        if scale is None:
            continue
        criterion = scale.criterion_for(resolve_unit(unit))
        cuts += [mmol / factor for _, _, mmol in criterion.cuts]
    interval = record.interval_for(resolve_unit(unit))
    cuts += [interval.low_mmol / factor, interval.high_mmol / factor]
    return [
        Row(analyte, cut * (1 + step * LIMIT_TOLERANCE), unit, **given)  # type: ignore[arg-type]
        for cut in cuts
        for step in (-2.0, 0.0, 2.0)
    ]


GRADE_CASES = [
    ("calcium", "mmol/L", {}),
    ("calcium", "mg/dL", {}),
    ("calcium", "mmol/L", {"symptomatic": True}),
    ("calcium", "mg/dL", {"covariate": True}),  # corrected calcium is graded instead
    ("calcium", "mmol/L", {"covariate": True, "symptomatic": True}),
    ("magnesium", "mg/dL", {}),
    ("magnesium", "mmol/L", {"symptomatic": True}),
    ("potassium", "mmol/L", {}),
    ("potassium", "mmol/L", {"covariate": True}),  # no correction of potassium
    ("sodium", "mmol/L", {"covariate": True}),  # corrected sodium is not graded
    ("sodium", "mmol/L", {"segment": 2, "sex": "female"}),
    ("ionized_calcium", "mmol/L", {}),
]


@pytest.mark.parametrize(("analyte", "unit", "given"), GRADE_CASES)
def test_each_grade_from_both_sides_as_check(
    ref: Reference, analyte: str, unit: str, given: dict[str, object]
) -> None:
    rows = at_grade_limits(ref, analyte, unit, **given)
    found = graded_rows(ref, rows)
    expected = [expected_of(ref, row) for row in rows]
    assert found["grade"].to_list() == [grade for grade, _, _ in expected]
    assert found["grade_basis"].to_list() == [basis for _, basis, _ in expected]
    assert found["notes"].to_list() == [notes for _, _, notes in expected]


def test_the_grades_met_are_graded(ref: Reference) -> None:
    # The table above holds every grade of calcium, symptoms and corrections deciding.
    found = graded_rows(ref, at_grade_limits(ref, "calcium", "mmol/L"))
    assert set(found["grade"].to_list()) == {0, 1, 2, 3, 4}
    symptomatic = at_grade_limits(ref, "calcium", "mmol/L", symptomatic=True)
    assert 1 not in graded_rows(ref, symptomatic)["grade"].to_list()
    corrected = at_grade_limits(ref, "calcium", "mmol/L", covariate=True)
    assert set(graded_rows(ref, corrected)["grade"].to_list()) == {None}


@pytest.mark.parametrize("censor", sorted(CENSORED_NOTES))
@pytest.mark.parametrize("unit", ["mmol/L", None])
@pytest.mark.parametrize("covariate", [False, True])
def test_a_censored_value_is_graded_past_its_bound_and_says_so(
    ref: Reference, censor: str, unit: str | None, covariate: bool
) -> None:
    # Calcium at each cut-point, censored; a covariate beside it does not make it corrected.
    rows = [
        dataclasses.replace(row, censor=censor, unit=unit, covariate=covariate)
        for row in at_grade_limits(ref, "calcium", "mmol/L")[1::3]  # at each cut-point
    ]
    found = graded_rows(ref, rows)
    expected = [expected_of(ref, row) for row in rows]
    assert found["grade"].to_list() == [grade for grade, _, _ in expected]
    assert found["grade_basis"].to_list() == [basis for _, basis, _ in expected]
    assert found["notes"].to_list() == [notes for _, _, notes in expected]
    assert all(CENSORED_NOTES[censor] in notes for notes in found["notes"].to_list())


def test_a_row_without_a_flag_has_no_grade_nor_notes(ref: Reference) -> None:
    rows = [
        Row("calcium", 1.0),  # graded
        Row("calcium", 100.0),  # implausible
        Row("magnesium", 2.0, None),  # the unit decides the answer
        Row("calcium", 2.3),  # normal
    ]
    found = graded_rows(ref, rows)
    assert found["flag"].to_list() == ["LL", None, None, "N"]
    assert found["grade"].to_list() == [core(ref, rows[0]).grade, None, None, 0]
    assert core(ref, rows[3]).grade == 0
    assert found["grade_basis"].to_list() == [
        core(ref, rows[0]).grade_basis,
        None,
        None,
        core(ref, rows[3]).grade_basis,
    ]
    assert found["notes"].to_list() == [
        list(core(ref, rows[0]).notes),
        None,
        None,
        list(core(ref, rows[3]).notes),
    ]
    assert found["grade"].dtype == pl.Int8
    assert found["notes"].dtype == pl.List(pl.String)


def lab_expected(ref: Reference, row: Row, flag: str, sides: str) -> tuple[object, ...]:
    """Grade, basis and notes of a row flagged against the lab's limits."""
    record = ref.analytes[row.analyte]
    unit = resolve_unit(row.spelling(ref))
    patient = row.patient(ref)
    correction = ref.correction_of(row.analyte)
    given = (
        frozenset({correction.covariate})
        if correction is not None and row.covariate and row.censor is None
        else frozenset()
    )
    mmol = row.number * record.factor_to_mmol(unit) * PAST.get(row.censor or "", 1.0)
    grade, basis, extra = graded(ref, record, flag, mmol, unit, patient, given)
    notes = [assumed_unit_note(unit.spelling)] if row.unit is None else []
    if row.censor is not None:
        notes.append(CENSORED_NOTES[row.censor])
    notes.append({"both": LAB_LIMITS_NOTE, **ONE_LAB_LIMIT_NOTES}[sides])
    if flag in ("LL", "HH"):
        notes.append(critical_note(record.critical_for(unit, patient), flag))
    if flag != "N":
        notes.extend(record.caveats)
    return grade, basis, notes + extra


# (row, the flag against the lab's limits, the limits used)
LAB_CASES = [
    (Row("potassium", 3.4, low=3.3, high=5.1), "N", "both"),  # L by the file's
    (Row("potassium", 3.25, low=3.3, high=5.1), "L", "both"),
    (Row("potassium", 5.2, low=3.3, high=5.1), "H", "both"),
    (Row("potassium", 2.0, low=3.3, high=5.1), "LL", "both"),
    (Row("potassium", 7.0, low=3.3, high=5.1), "HH", "both"),
    (Row("potassium", 3.2, None, low=3.3, high=5.1), "L", "both"),  # unit assumed
    (Row("potassium", 3.2, low=3.3, one_sided=True), "L", "low"),
    (Row("potassium", 5.05, high=5.1, one_sided=True), "N", "high"),
    (Row("potassium", 5.2, high=5.1, one_sided=True), "H", "high"),
    (Row("potassium", 3.3, low=3.3, high=5.1, censor="<"), "L", "both"),
    (Row("potassium", 3.3, None, low=3.3, high=5.1, censor="<"), "L", "both"),
    (Row("potassium", 5.1, low=3.3, high=5.1, censor=">="), "N", "both"),
    (Row("calcium", 2.1, low=2.2, high=2.6), "L", "both"),
    (Row("calcium", 2.5, low=2.0, high=2.6), "N", "both"),  # H by the file's: no caveat
    (Row("calcium", 2.1, low=2.2, high=2.6, covariate=True), "L", "both"),
    (Row("calcium", 1.9, low=2.2, high=2.6, covariate=True, censor="<"), "L", "both"),
    (Row("calcium", 1.9, low=2.2, high=2.6, symptomatic=True), "L", "both"),
    (Row("calcium", 1.4, low=2.2, high=2.6, segment=2, sex="male"), "LL", "both"),
    (Row("magnesium", 0.8, low=1.8, high=2.6, range_unit="mg/dL"), "N", "both"),
    (Row("magnesium", 0.72, low=1.8, high=2.6, range_unit="mg/dL"), "L", "both"),
]


@pytest.mark.parametrize(("row", "flag", "sides"), LAB_CASES)
def test_a_row_flagged_by_the_labs_limits(ref: Reference, row: Row, flag: str, sides: str) -> None:
    found = graded_rows(ref, [row])
    assert found["flag"].to_list() == [flag]
    assert found["lab_sides"].to_list() == [sides]
    grade, basis, notes = lab_expected(ref, row, flag, sides)
    assert found["grade"].to_list() == [grade]
    assert found["grade_basis"].to_list() == [basis]
    assert found["notes"].to_list() == [notes]


def test_refused_lab_limits_are_named_in_the_notes(ref: Reference) -> None:
    rows = [
        Row("potassium", 3.2, low=5.1, high=3.3),  # out of order
        Row("potassium", 3.2, None, low=5.1, high=3.3, censor="<"),
        Row("magnesium", 0.8, low=1.7, high=2.4),  # a mg/dL range beside mmol/L
        Row("potassium", 3.2),  # no limits given
    ]
    found = graded_rows(ref, rows)
    expected = [expected_of(ref, row) for row in rows]
    for _, _, notes in expected[:3]:
        notes.append(LAB_LIMITS_REFUSED_NOTE)
    assert found["lab_refused"].to_list() == [True, True, True, False]
    assert found["grade"].to_list() == [grade for grade, _, _ in expected]
    assert found["grade_basis"].to_list() == [basis for _, basis, _ in expected]
    assert found["notes"].to_list() == [notes for _, _, notes in expected]


def test_the_patient_chooses_the_limits_of_the_grade(ref: Reference) -> None:
    # Potassium 5.8: high for an adult, normal at 10 days; graded as check grades each.
    neonate = segment_of(ref, 10.0)
    rows = [Row("potassium", 5.8), Row("potassium", 5.8, segment=neonate, sex="female")]
    found = graded_rows(ref, rows)
    assert found["flag"].to_list() == [core(ref, row).flag for row in rows]
    assert found["flag"].to_list() == ["H", "N"]
    assert found["grade_basis"].to_list() == [core(ref, row).grade_basis for row in rows]
    assert found["notes"].to_list() == [list(core(ref, row).notes) for row in rows]


def test_a_frame_without_a_flag_keeps_the_types_of_its_columns(ref: Reference) -> None:
    found = graded_rows(ref, [Row("calcium", 100.0), Row("magnesium", 2.0, None)])
    assert found["flag"].to_list() == [None, None]
    assert found.select("grade", "grade_basis", "notes").schema == pl.Schema(
        {"grade": pl.Int8, "grade_basis": pl.String, "notes": pl.List(pl.String)}
    )
    assert found.select("grade", "grade_basis", "notes").null_count().row(0) == (2, 2, 2)


def test_the_patients_sex_chooses_the_limits_of_the_grade(
    write_reference: Callable[..., Path],
) -> None:
    # A file whose women have a lower upper limit of potassium: 4.9 is high for a woman alone.
    def female_band(data: dict[str, Any]) -> None:
        bands = data["analytes"]["potassium"]["reference"]
        bands.append({**bands[0], "sex": "female", "high": 4.8})

    ref = load_reference(write_reference(female_band))
    rows = [Row("potassium", 4.9, sex=sex) for sex in (None, "male", "female")]
    found = graded_rows(ref, rows)
    assert found["flag"].to_list() == ["N", "N", "H"]
    assert found["grade"].to_list() == [core(ref, row).grade for row in rows]
    assert found["grade_basis"].to_list() == [core(ref, row).grade_basis for row in rows]
    assert found["notes"].to_list() == [list(core(ref, row).notes) for row in rows]
