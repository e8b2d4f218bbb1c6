"""CTCAE v5.0 grades: every cut-point of the built-in file from both sides, in both unit
systems, the symptomatic switch, the unit whose criteria apply, and monotonicity."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from electrocheck import interpret, load_reference
from electrocheck.clinical.grading import Grade, grade_value
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient
from electrocheck.units.resolve import resolve_unit

ASYMPTOMATIC = Patient()
SYMPTOMATIC = Patient(symptomatic=True)

# The CTCAE v5.0 cut-points of the built-in file, written out by hand from the CTCAE table:
# (analyte, unit, side, cut-point, grade of a value at the cut-point, grade just beyond it).
# A value equal to a cut-point keeps the milder grade; "beyond" is below on the low side and
# above on the high side. Grades here are those of a patient without symptoms.
CUT_POINTS: list[tuple[str, str, str, float, int, int]] = [
    # Hypocalcemia: <LLN-8.0 mg/dL (2.0 mmol/L) 1; <8.0-7.0 (2.0-1.75) 2; <7.0-6.0 (1.75-1.5) 3;
    # <6.0 (1.5) 4
    ("calcium", "mg/dL", "low", 8.0, 1, 2),
    ("calcium", "mg/dL", "low", 7.0, 2, 3),
    ("calcium", "mg/dL", "low", 6.0, 3, 4),
    ("calcium", "mmol/L", "low", 2.0, 1, 2),
    ("calcium", "mmol/L", "low", 1.75, 2, 3),
    ("calcium", "mmol/L", "low", 1.5, 3, 4),
    # Hypercalcemia: >ULN-11.5 mg/dL (2.9 mmol/L) 1; >11.5-12.5 (2.9-3.1) 2;
    # >12.5-13.5 (3.1-3.4) 3; >13.5 (3.4) 4
    ("calcium", "mg/dL", "high", 11.5, 1, 2),
    ("calcium", "mg/dL", "high", 12.5, 2, 3),
    ("calcium", "mg/dL", "high", 13.5, 3, 4),
    ("calcium", "mmol/L", "high", 2.9, 1, 2),
    ("calcium", "mmol/L", "high", 3.1, 2, 3),
    ("calcium", "mmol/L", "high", 3.4, 3, 4),
    # Ionized calcium, mmol/L only: low <LLN-1.0 1; <1.0-0.9 2; <0.9-0.8 3; <0.8 4
    ("ionized_calcium", "mmol/L", "low", 1.0, 1, 2),
    ("ionized_calcium", "mmol/L", "low", 0.9, 2, 3),
    ("ionized_calcium", "mmol/L", "low", 0.8, 3, 4),
    # ... high >ULN-1.5 1; >1.5-1.6 2; >1.6-1.8 3; >1.8 4
    ("ionized_calcium", "mmol/L", "high", 1.5, 1, 2),
    ("ionized_calcium", "mmol/L", "high", 1.6, 2, 3),
    ("ionized_calcium", "mmol/L", "high", 1.8, 3, 4),
    # Hypomagnesemia: <LLN-1.2 mg/dL (0.5 mmol/L) 1; <1.2-0.9 (0.5-0.4) 2; <0.9-0.7 (0.4-0.3) 3;
    # <0.7 (0.3) 4
    ("magnesium", "mg/dL", "low", 1.2, 1, 2),
    ("magnesium", "mg/dL", "low", 0.9, 2, 3),
    ("magnesium", "mg/dL", "low", 0.7, 3, 4),
    ("magnesium", "mmol/L", "low", 0.5, 1, 2),
    ("magnesium", "mmol/L", "low", 0.4, 2, 3),
    ("magnesium", "mmol/L", "low", 0.3, 3, 4),
    # Hypermagnesemia (no grade 2): >ULN-3.0 mg/dL (1.23 mmol/L) 1; >3.0-8.0 (1.23-3.30) 3;
    # >8.0 (3.30) 4
    ("magnesium", "mg/dL", "high", 3.0, 1, 3),
    ("magnesium", "mg/dL", "high", 8.0, 3, 4),
    ("magnesium", "mmol/L", "high", 1.23, 1, 3),
    ("magnesium", "mmol/L", "high", 3.30, 3, 4),
    # Hypokalemia: <LLN-3.0 1 (2 symptomatic); <3.0-2.5 3; <2.5 4
    ("potassium", "mmol/L", "low", 3.0, 1, 3),
    ("potassium", "mmol/L", "low", 2.5, 3, 4),
    # Hyperkalemia: >ULN-5.5 1; >5.5-6.0 2; >6.0-7.0 3; >7.0 4
    ("potassium", "mmol/L", "high", 5.5, 1, 2),
    ("potassium", "mmol/L", "high", 6.0, 2, 3),
    ("potassium", "mmol/L", "high", 7.0, 3, 4),
    # Hyponatremia: <LLN-130 1; 125-129 2 (3 symptomatic); 120-124 3; <120 4
    ("sodium", "mmol/L", "low", 130.0, 1, 2),
    ("sodium", "mmol/L", "low", 125.0, 2, 3),
    ("sodium", "mmol/L", "low", 120.0, 3, 4),
    # Hypernatremia: >ULN-150 1; >150-155 2; >155-160 3; >160 4
    ("sodium", "mmol/L", "high", 150.0, 1, 2),
    ("sodium", "mmol/L", "high", 155.0, 2, 3),
    ("sodium", "mmol/L", "high", 160.0, 3, 4),
]


def _beyond(side: str, cut: float) -> float:
    return cut * (1 - 1e-4) if side == "low" else cut * (1 + 1e-4)


def _cut_point_cases() -> list[Any]:
    cases = []
    for analyte, unit, side, cut, at, beyond in CUT_POINTS:
        name = f"{analyte}-{side}-{cut:g}{unit}"
        cases.append(pytest.param(analyte, cut, unit, at, id=f"{name}-at"))
        cases.append(pytest.param(analyte, _beyond(side, cut), unit, beyond, id=f"{name}-beyond"))
    return cases


@pytest.mark.parametrize(("analyte", "value", "unit", "grade"), _cut_point_cases())
def test_every_cut_point_from_both_sides(
    ref: Reference, analyte: str, value: float, unit: str, grade: int
) -> None:
    result = interpret(ref, analyte, value, unit, patient=ASYMPTOMATIC)
    assert result.grade == grade
    assert f"{unit} criteria" in result.grade_basis


def test_cut_point_table_covers_every_criterion_of_the_file(ref: Reference) -> None:
    # Guards the table above against a criterion added to the file but not tested.
    in_file = {
        (key, criterion.unit, side, value)
        for key, analyte in ref.analytes.items()
        for side in ("low", "high")
        for scale in [analyte.grades(side)]
        if scale is not None
        for criterion in scale.criteria
        for _, value, _ in criterion.cuts
    }
    in_table = {(analyte, unit, side, cut) for analyte, unit, side, cut, _, _ in CUT_POINTS}
    assert in_file == in_table


# With symptoms: potassium's grade 1 becomes 2, sodium's grade 2 becomes 3; others unchanged.
SYMPTOMATIC_CASES = [
    ("potassium", 3.0, 2),  # at the cut-point: grade 1, so 2 with symptoms
    ("potassium", 3.0 * (1 - 1e-4), 3),
    ("potassium", 3.2, 2),
    ("potassium", 3.49, 2),
    ("potassium", 2.5, 3),
    ("potassium", 2.5 * (1 - 1e-4), 4),
    ("potassium", 5.6, 2),  # the high side has no symptom rule
    ("sodium", 130.0, 1),  # grade 1 has no symptom rule
    ("sodium", 130.0 * (1 - 1e-4), 3),
    ("sodium", 129.5, 3),
    ("sodium", 127.0, 3),
    ("sodium", 125.0, 3),
    ("sodium", 125.0 * (1 - 1e-4), 3),
    ("sodium", 120.0, 3),
    ("sodium", 120.0 * (1 - 1e-4), 4),
    ("sodium", 152.0, 2),
]


@pytest.mark.parametrize(("analyte", "value", "grade"), SYMPTOMATIC_CASES)
def test_symptomatic_patient(ref: Reference, analyte: str, value: float, grade: int) -> None:
    assert interpret(ref, analyte, value, "mmol/L", patient=SYMPTOMATIC).grade == grade


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "grade"),
    [
        ("potassium", 3.2, "mmol/L", 1),
        ("potassium", 3.49, "mmol/L", 1),
        ("potassium", 3.0 * (1 - 1e-4), "mmol/L", 3),
        ("sodium", 129.5, "mmol/L", 2),  # 125-129 in CTCAE: 129.5 is grade 2, not ungraded
        ("sodium", 129.99, "mmol/L", 2),
        ("sodium", 134.9, "mmol/L", 1),
        ("sodium", 122.0, "mmol/L", 3),
        ("magnesium", 1.1, "mmol/L", 1),  # above the ULN 0.99, not above 1.23
        ("magnesium", 2.8, "mg/dL", 1),
        ("calcium", 2.1, "mmol/L", 1),
        ("calcium", 8.2, "mg/dL", 1),
        ("calcium", 2.7, "mmol/L", 1),
        ("ionized_calcium", 1.05, "mmol/L", 1),
        ("ionized_calcium", 1.4, "mmol/L", 1),
    ],
)
def test_values_between_limit_and_first_cut_point(
    ref: Reference, analyte: str, value: float, unit: str, grade: int
) -> None:
    assert interpret(ref, analyte, value, unit).grade == grade


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "grade"),
    [
        # Within the reference interval, limits included: grade 0.
        ("potassium", 4.0, "mmol/L", 0),
        ("potassium", 3.5, "mmol/L", 0),
        ("potassium", 5.0, "mmol/L", 0),
        ("sodium", 135.0, "mmol/L", 0),
        ("sodium", 145.0, "mmol/L", 0),
        ("calcium", 9.2, "mg/dL", 0),
        ("calcium", 8.5, "mg/dL", 0),
        ("calcium", 2.3, "mmol/L", 0),
        ("magnesium", 2.0, "mg/dL", 0),
        ("magnesium", 0.99, "mmol/L", 0),
        ("ionized_calcium", 1.2, "mmol/L", 0),
        # Just beyond a limit of the interval: grade 1.
        ("potassium", 3.5 * (1 - 1e-4), "mmol/L", 1),
        ("potassium", 5.0 * (1 + 1e-4), "mmol/L", 1),
        ("sodium", 135.0 * (1 - 1e-4), "mmol/L", 1),
        ("sodium", 145.0 * (1 + 1e-4), "mmol/L", 1),
        ("calcium", 8.5 * (1 - 1e-4), "mg/dL", 1),
        ("calcium", 10.2 * (1 + 1e-4), "mg/dL", 1),
        ("magnesium", 0.99 * (1 + 1e-4), "mmol/L", 1),
        ("magnesium", 0.70 * (1 - 1e-4), "mmol/L", 1),
        ("ionized_calcium", 1.32 * (1 + 1e-4), "mmol/L", 1),
    ],
)
def test_grade_0_within_the_interval_and_1_just_beyond(
    ref: Reference, analyte: str, value: float, unit: str, grade: int
) -> None:
    result = interpret(ref, analyte, value, unit)
    assert result.grade == grade
    assert (result.flag == "N") is (grade == 0)


def test_normal_value_basis(ref: Reference) -> None:
    assert interpret(ref, "k", 4.0, "mmol/L").grade_basis == "within the reference interval"


# --------------------------------------------------------------------------- issue examples


def test_calcium_11_6_mg_dl_is_grade_2_but_2_89_mmol_l_is_grade_1(ref: Reference) -> None:
    # 11.6 mg/dL is 2.894 mmol/L: each is graded by the criteria of its own unit.
    mass = interpret(ref, "ca", 11.6, "mg/dL")
    substance = interpret(ref, "ca", 2.89, "mmol/L")
    assert (mass.grade, substance.grade) == (2, 1)
    assert "mg/dL criteria" in mass.grade_basis
    assert "mmol/L criteria" in substance.grade_basis


def test_calcium_2_0_mmol_l_is_grade_1(ref: Reference) -> None:
    result = interpret(ref, "ca", 2.0, "mmol/L")
    assert (result.flag, result.grade) == ("L", 1)


def test_calcium_in_meq_l_is_graded_by_the_mmol_l_criteria(ref: Reference) -> None:
    result = interpret(ref, "ca", 4.0, "mEq/L")  # = 2.0 mmol/L
    assert result.value == pytest.approx(2.0)
    assert result.grade == 1
    assert "mmol/L criteria" in result.grade_basis
    assert "mEq/L criteria" not in result.grade_basis
    # Just below 4.0 mEq/L is below 2.0 mmol/L: grade 2.
    assert interpret(ref, "ca", 3.99, "mEq/L").grade == 2


def test_magnesium_in_meq_l_is_graded_by_the_mmol_l_criteria(ref: Reference) -> None:
    # 1.0 mEq/L = 0.5 mmol/L (valence 2): at the mmol/L grade-2 cut-point, so grade 1.
    assert interpret(ref, "mg", 1.0, "mEq/L").grade == 1
    assert interpret(ref, "mg", 0.99, "mEq/L").grade == 2
    assert "mmol/L criteria" in interpret(ref, "mg", 0.99, "mEq/L").grade_basis


def test_ionized_calcium_in_mg_dl_falls_back_to_mmol_l_criteria(ref: Reference) -> None:
    # 3.6 mg/dL = 0.898 mmol/L: below 0.9, grade 3 by the only (mmol/L) criteria.
    result = interpret(ref, "ica", 3.6, "mg/dL")
    assert result.grade == 3
    assert "mmol/L criteria" in result.grade_basis


def test_value_in_mg_dl_names_mg_dl_criteria(ref: Reference) -> None:
    result = interpret(ref, "mg", 1.1, "mg/dL")
    assert result.grade == 2
    assert result.grade_basis.startswith("Hypomagnesemia, mg/dL criteria (ctcae-v5)")


# One amount in another unit of the same system is graded by that system's criteria: 8.0 mg%
# and 80 mg/L are 8.0 mg/dL (1.996 mmol/L), at the mg/dL cut-point of 8.0, so grade 1 (by the
# mmol/L criteria they would be below 2.0: grade 2). 2000 µmol/L is 2.0 mmol/L, grade 1.
@pytest.mark.parametrize(
    ("value", "unit", "grade", "criteria"),
    [
        (8.0, "mg/dL", 1, "mg/dL"),
        (8.0, "mg%", 1, "mg/dL"),
        (80.0, "mg/L", 1, "mg/dL"),
        (79.9, "mg/L", 2, "mg/dL"),
        (115.0, "mg/L", 1, "mg/dL"),  # 11.5 mg/dL: at the high grade-2 cut-point
        (115.1, "mg/L", 2, "mg/dL"),
        (2000.0, "µmol/L", 1, "mmol/L"),
        (1999.0, "µmol/L", 2, "mmol/L"),
    ],
)
def test_same_amount_in_a_unit_of_the_same_system_gets_the_same_grade(
    ref: Reference, value: float, unit: str, grade: int, criteria: str
) -> None:
    result = interpret(ref, "ca", value, unit)
    assert result.grade == grade
    assert f"{criteria} criteria" in result.grade_basis


# --------------------------------------------------------------------------- symptoms


@pytest.mark.parametrize(
    ("analyte", "value", "asymptomatic", "symptomatic"),
    [("potassium", 3.2, 1, 2), ("sodium", 127.0, 2, 3)],
)
def test_symptoms_switch_the_grade_and_the_note_says_so_mmol(
    ref: Reference, analyte: str, value: float, asymptomatic: int, symptomatic: int
) -> None:
    without = interpret(ref, analyte, value, "mmol/L", patient=ASYMPTOMATIC)
    assert without.grade == asymptomatic
    assert without.grade_basis.endswith(" criteria (ctcae-v5); asymptomatic assumed")
    note = (
        f"grade {asymptomatic} assumes no symptoms; with symptoms it would be grade {symptomatic}"
    )
    assert note in without.notes

    with_symptoms = interpret(ref, analyte, value, "mmol/L", patient=SYMPTOMATIC)
    assert with_symptoms.grade == symptomatic
    assert with_symptoms.grade_basis.endswith("; symptomatic")
    assert with_symptoms.grade_basis == without.grade_basis.replace(
        "; asymptomatic assumed", "; symptomatic"
    )
    assert "asymptomatic" not in with_symptoms.grade_basis
    assert not any("symptoms" in n for n in with_symptoms.notes)


@pytest.mark.parametrize("patient", [ASYMPTOMATIC, SYMPTOMATIC])
@pytest.mark.parametrize(
    ("analyte", "value", "grade"),
    [("sodium", 122.0, 3), ("potassium", 2.7, 3), ("potassium", 5.8, 2), ("sodium", 131.0, 1)],
)
def test_grades_symptoms_do_not_decide_carry_no_symptom_note(
    ref: Reference, analyte: str, value: float, grade: int, patient: Patient
) -> None:
    result = interpret(ref, analyte, value, "mmol/L", patient=patient)
    assert result.grade == grade
    assert "symptom" not in result.grade_basis
    assert result.grade_basis.endswith("mmol/L criteria (ctcae-v5)")
    assert grade_value(
        ref.analytes[analyte], result.flag, result.value, resolve_unit("mmol/L"), patient
    ) == Grade(grade, result.grade_basis, None)
    assert not any("symptoms" in n for n in result.notes)


# --------------------------------------------------------------------------- monotonicity

REF = load_reference()


def _grade(analyte: str, value: float, unit: str, patient: Patient) -> tuple[str, int | None]:
    result = interpret(REF, analyte, value, unit, patient=patient)
    return result.flag, result.grade


@st.composite
def _pairs(draw: st.DrawFn) -> tuple[str, str, float, float]:
    analyte = draw(st.sampled_from(sorted(REF.analytes)))
    record = REF.analytes[analyte]
    unit = draw(st.sampled_from([u for u in ("mmol/L", "mg/dL") if u in record.units]))
    factor = record.factor_to_mmol(resolve_unit(unit))
    bounds = st.floats(
        record.plausible.low_mmol / factor * (1 + 1e-6),
        record.plausible.high_mmol / factor * (1 - 1e-6),
    )
    a, b = sorted((draw(bounds), draw(bounds)))
    return analyte, unit, a, b


@given(pair=_pairs(), symptomatic=st.booleans())
def test_grades_are_monotone(pair: tuple[str, str, float, float], symptomatic: bool) -> None:
    analyte, unit, a, b = pair
    patient = Patient(symptomatic=symptomatic)
    (flag_a, grade_a), (flag_b, grade_b) = (_grade(analyte, v, unit, patient) for v in (a, b))
    assert grade_a is not None and grade_b is not None
    assert (grade_a == 0) is (flag_a == "N") and (grade_b == 0) is (flag_b == "N")
    assert 0 <= grade_a <= 4 and 0 <= grade_b <= 4
    if flag_a in ("L", "LL") and flag_b in ("L", "LL"):
        assert grade_a >= grade_b  # lower is at least as bad on the low side
    if flag_a in ("H", "HH") and flag_b in ("H", "HH"):
        assert grade_a <= grade_b  # higher is at least as bad on the high side


# --------------------------------------------------------------------------- user files


def test_file_without_grades_for_an_analyte_gives_no_grade(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["analytes"]["potassium"]["grades"]

    ref = load_reference(write_reference(edit))
    for value in (3.0, 4.0, 6.5):
        result = interpret(ref, "k", value, "mmol/L")
        assert result.grade is None
        assert result.grade_basis == "no grade criteria for this analyte in the reference file"
    assert interpret(ref, "na", 127.0, "mmol/L").grade == 2  # other analytes keep theirs


def test_file_with_grades_for_one_side_only(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["analytes"]["potassium"]["grades"]["high"]

    ref = load_reference(write_reference(edit))
    high = interpret(ref, "k", 6.5, "mmol/L")
    assert high.grade is None and "no grade criteria for high potassium" in high.grade_basis
    assert interpret(ref, "k", 2.7, "mmol/L").grade == 3
    assert interpret(ref, "k", 4.0, "mmol/L").grade == 0


# CTCAE v5.0 grade 2 of hypo- and hypercalcaemia (total, corrected or ionized) ends in
# "; symptomatic": with symptoms a grade-1 value is grade 2; grades 2-4 stay as they are.
# (analyte, value, unit, grade without symptoms, grade with them), each limit from both sides.
CALCIUM_SYMPTOM_CASES = [
    ("calcium", 8.2, "mg/dL", 1, 2),
    ("calcium", 8.0, "mg/dL", 1, 2),  # a value equal to a cut-point stays on the milder side
    ("calcium", 8.0 * (1 - 1e-4), "mg/dL", 2, 2),
    ("calcium", 6.9, "mg/dL", 3, 3),
    ("calcium", 2.05, "mmol/L", 1, 2),
    ("calcium", 1.7, "mmol/L", 3, 3),
    ("calcium", 10.8, "mg/dL", 1, 2),
    ("calcium", 11.5, "mg/dL", 1, 2),
    ("calcium", 11.5 * (1 + 1e-4), "mg/dL", 2, 2),
    ("calcium", 13.0, "mg/dL", 3, 3),
    ("calcium", 2.7, "mmol/L", 1, 2),
    ("ionized_calcium", 1.05, "mmol/L", 1, 2),
    ("ionized_calcium", 1.0, "mmol/L", 1, 2),
    ("ionized_calcium", 1.0 * (1 - 1e-4), "mmol/L", 2, 2),
    ("ionized_calcium", 0.85, "mmol/L", 3, 3),
    ("ionized_calcium", 1.4, "mmol/L", 1, 2),
    ("ionized_calcium", 1.5, "mmol/L", 1, 2),
    ("ionized_calcium", 1.7, "mmol/L", 3, 3),
    ("calcium", 9.4, "mg/dL", 0, 0),  # normal: no grade to move
]


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "asymptomatic", "symptomatic"), CALCIUM_SYMPTOM_CASES
)
def test_symptoms_move_a_grade_1_calcium_to_grade_2(
    ref: Reference, analyte: str, value: float, unit: str, asymptomatic: int, symptomatic: int
) -> None:
    without = interpret(ref, analyte, value, unit, patient=ASYMPTOMATIC)
    with_symptoms = interpret(ref, analyte, value, unit, patient=SYMPTOMATIC)
    assert (without.grade, with_symptoms.grade) == (asymptomatic, symptomatic)
    note = "grade 1 assumes no symptoms; with symptoms it would be grade 2"
    assert (note in without.notes) == (asymptomatic == 1)


def test_symptoms_move_a_grade_1_corrected_calcium_to_grade_2(ref: Reference) -> None:
    from electrocheck import run_check

    tokens = ["ca=8.2mg/dL", "alb=4g/dL"]
    graded = {
        symptomatic: {
            r.analyte: r.grade
            for r in run_check(ref, tokens, Patient(symptomatic=symptomatic)).results
        }
        for symptomatic in (False, True)
    }
    assert graded[False] == {"calcium": None, "corrected_calcium": 1}
    assert graded[True] == {"calcium": None, "corrected_calcium": 2}
