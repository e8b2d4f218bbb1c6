"""Corrected results through ``run_check``: calcium corrected for albumin (graded in place of
the measured calcium) and sodium corrected for glucose (flagged, not graded)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from electrocheck import interpret, load_reference
from electrocheck.clinical.check import CheckReport, run_check
from electrocheck.clinical.corrections import (
    correct,
    corrected_result,
    corrected_value,
    read_covariate,
    read_covariate_token,
)
from electrocheck.clinical.result import Result
from electrocheck.errors import (
    AmbiguousUnitError,
    ImplausibleValueError,
    InputError,
    UnitError,
    ValueTokenError,
)
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient

CALCIUM_MG_DL_PER_MMOL_L = 40.078 / 10  # 1 mmol/L of calcium is 4.0078 mg/dL
GLUCOSE_MG_DL_PER_MMOL_L = 180.156 / 10  # 1 mmol/L of glucose is 18.0156 mg/dL


def _result(report: CheckReport, analyte: str) -> Result:
    found = [r for r in report.results if r.analyte == analyte]
    assert len(found) == 1, [r.analyte for r in report.results]
    return found[0]


# Hand calculations. mg/dL: Ca + 0.8 x (4.0 - albumin g/dL); mmol/L: Ca + 0.02 x (40 - albumin
# g/L). Flags against 8.5-10.2 mg/dL or 2.15-2.55 mmol/L; grades by the CTCAE cut-points of
# the formula's unit (mg/dL: 8.0/7.0/6.0 low, 11.5/12.5/13.5 high; mmol/L: 2.0/1.75/1.5).
CALCIUM = [
    # (calcium, albumin, corrected, unit, flag, grade)
    ("ca=7.6mg/dL", "alb=2.5g/dL", 8.8, "mg/dL", "N", 0),  # 7.6 + 0.8 x 1.5
    ("ca=1.9mmol/L", "alb=25g/L", 2.2, "mmol/L", "N", 0),  # 1.9 + 0.02 x 15
    ("ca=7.6mg/dL", "alb=25g/L", 8.8, "mg/dL", "N", 0),  # 25 g/L = 2.5 g/dL
    ("ca=1.9mmol/L", "alb=2.5g/dL", 2.2, "mmol/L", "N", 0),  # 2.5 g/dL = 25 g/L
    ("ca=3.8mEq/L", "alb=25g/L", 2.2, "mmol/L", "N", 0),  # 3.8 mEq/L = 1.9 mmol/L
    ("ca=10.0mg/dL", "alb=5.0g/dL", 9.2, "mg/dL", "N", 0),  # 10.0 + 0.8 x -1.0
    ("ca=2.6mmol/L", "alb=50g/L", 2.4, "mmol/L", "N", 0),  # 2.6 + 0.02 x -10
    ("ca=6.5mg/dL", "alb=2.0g/dL", 8.1, "mg/dL", "L", 1),  # 6.5 + 1.6
    ("ca=7.2mg/dL", "alb=3.0g/dL", 8.0, "mg/dL", "L", 1),  # at the cut-point 8.0
    ("ca=6.8mg/dL", "alb=3.0g/dL", 7.6, "mg/dL", "L", 2),
    ("ca=6.0mg/dL", "alb=3.0g/dL", 6.8, "mg/dL", "L", 3),  # 6.0 + 0.8
    ("ca=1.8mmol/L", "alb=30g/L", 2.0, "mmol/L", "L", 1),  # at the cut-point 2.0
    ("ca=1.5mmol/L", "alb=35g/L", 1.6, "mmol/L", "L", 3),  # below 1.75, not below 1.5
    ("ca=11.0mg/dL", "alb=2.0g/dL", 12.6, "mg/dL", "H", 3),  # above 12.5, not above 13.5
    ("ca=9.8mg/dL", "alb=3.0g/dL", 10.6, "mg/dL", "H", 1),
]


@pytest.mark.parametrize(("calcium", "albumin", "corrected", "unit", "flag", "grade"), CALCIUM)
def test_corrected_calcium(
    ref: Reference,
    calcium: str,
    albumin: str,
    corrected: float,
    unit: str,
    flag: str,
    grade: int,
) -> None:
    report = run_check(ref, [calcium, albumin])
    assert [r.analyte for r in report.results] == ["calcium", "corrected_calcium"]
    result = _result(report, "corrected_calcium")
    assert result.entered_value == pytest.approx(corrected)
    assert result.entered_unit == unit
    mmol = corrected / CALCIUM_MG_DL_PER_MMOL_L if unit == "mg/dL" else corrected
    assert result.value == pytest.approx(mmol)
    assert (result.flag, result.grade) == (flag, grade)
    assert result.label == "Corrected calcium"
    assert result.input == f"{calcium} {albumin}"
    assert not report.warnings


@pytest.mark.parametrize(("calcium", "albumin"), [(c[0], c[1]) for c in CALCIUM])
def test_measured_calcium_is_not_graded_when_albumin_is_given(
    ref: Reference, calcium: str, albumin: str
) -> None:
    measured = _result(run_check(ref, [calcium, albumin]), "calcium")
    assert measured.grade is None
    assert "corrected_calcium" in measured.grade_basis
    assert measured.grade_basis.startswith("not graded")


def test_measured_calcium_keeps_its_own_flag(ref: Reference) -> None:
    report = run_check(ref, ["ca=7.6mg/dL", "alb=2.5g/dL"])
    assert _result(report, "calcium").flag == "L"
    assert _result(report, "calcium").entered_value == 7.6
    assert _result(report, "corrected_calcium").flag == "N"


def test_corrected_result_follows_its_measured_value(ref: Reference) -> None:
    report = run_check(ref, ["alb=2.5g/dL", "k=4.0", "ca=7.6mg/dL", "mg=2.0mg/dL"])
    assert [r.analyte for r in report.results] == [
        "potassium",
        "calcium",
        "corrected_calcium",
        "magnesium",
    ]


def test_albumin_without_a_unit_is_taken_as_g_dl_and_said(ref: Reference) -> None:
    result = _result(run_check(ref, ["ca=7.6mg/dL", "alb=2.5"]), "corrected_calcium")
    assert result.entered_value == pytest.approx(8.8)
    assert "no unit given for albumin: g/dL assumed" in result.notes


def test_corrected_calcium_notes_give_the_formula_and_caveats(ref: Reference) -> None:
    notes = _result(run_check(ref, ["ca=7.6mg/dL", "alb=2.5g/dL"]), "corrected_calcium").notes
    formula = notes[0]
    assert formula.startswith("corrected = 7.6 + 0.8 x (4 - albumin 2.5 g/dL) = 8.8 mg/dL")
    assert "albumin-correction" in formula
    caveats = " ".join(notes[1:])
    for word in ("paraprotein", "myeloma", "ionized calcium", "30 g/L"):
        assert word in caveats, word


def test_corrected_calcium_notes_in_mmol_l(ref: Reference) -> None:
    notes = _result(run_check(ref, ["ca=1.9mmol/L", "alb=25g/L"]), "corrected_calcium").notes
    assert notes[0].startswith("corrected = 1.9 + 0.02 x (40 - albumin 25 g/L) = 2.2 mmol/L")


def test_calcium_without_albumin_is_graded_and_says_so(ref: Reference) -> None:
    report = run_check(ref, ["ca=7.6mg/dL"])
    assert [r.analyte for r in report.results] == ["calcium"]
    result = report.results[0]
    assert result.grade == 2  # below 8.0, not below 7.0 mg/dL
    assert "no corrected calcium" in result.grade_basis
    assert (
        "CTCAE grades calcium corrected for albumin; with no corrected calcium (give "
        "albumin), the measured "
        "value was graded"
    ) in result.notes


def test_normal_calcium_without_albumin_needs_no_albumin_note(ref: Reference) -> None:
    result = run_check(ref, ["ca=9.2mg/dL"]).results[0]
    assert result.grade == 0
    assert not any("albumin" in note for note in result.notes)


# Sodium: Na + 1.6 x (glucose mg/dL - 100) / 100, and nothing when glucose is 100 or less.
SODIUM = [
    ("glu=450mg/dL", 128 + 1.6 * 3.5, "L"),  # 133.6
    ("glu=25mmol/L", 128 + 1.6 * (25 * GLUCOSE_MG_DL_PER_MMOL_L - 100) / 100, "L"),  # 133.606
    ("glu=100mg/dL", 128.0, "L"),
    ("glu=90mg/dL", 128.0, "L"),
    ("glu=5mmol/L", 128.0, "L"),  # 90.08 mg/dL
    ("glu=1000mg/dL", 128 + 1.6 * 9.0, "N"),  # 142.4
    ("glu=1400mg/dL", 128 + 1.6 * 13.0, "H"),  # 148.8
]


@pytest.mark.parametrize(("glucose", "corrected", "flag"), SODIUM)
def test_corrected_sodium(ref: Reference, glucose: str, corrected: float, flag: str) -> None:
    report = run_check(ref, ["na=128", glucose])
    assert [r.analyte for r in report.results] == ["sodium", "corrected_sodium"]
    result = _result(report, "corrected_sodium")
    assert result.entered_value == pytest.approx(corrected)
    assert result.value == pytest.approx(corrected)
    assert result.flag == flag
    assert result.grade is None
    assert result.grade_basis.startswith("not graded")
    # CTCAE grades the measured sodium: 128 is 125-129, grade 2.
    measured = _result(report, "sodium")
    assert (measured.flag, measured.grade) == ("L", 2)
    assert "not graded" not in measured.grade_basis


def test_corrected_sodium_formula_note(ref: Reference) -> None:
    notes = _result(run_check(ref, ["na=128", "glu=450mg/dL"]), "corrected_sodium").notes
    assert notes[0].startswith("corrected = 128 + 1.6/100 x (glucose 450 - 100 mg/dL) = 133.6")
    assert any("Hillier" in note for note in notes)


def test_glucose_at_or_below_100_adds_nothing_and_says_why(ref: Reference) -> None:
    notes = _result(run_check(ref, ["na=128", "glu=90mg/dL"]), "corrected_sodium").notes
    assert "0 when not above 100" in notes[0]
    assert "= 128 mmol/L" in notes[0]


def test_corrected_sodium_grade_is_not_switched_by_symptoms(ref: Reference) -> None:
    report = run_check(ref, ["na=128", "glu=450mg/dL"], Patient(symptomatic=True))
    assert _result(report, "sodium").grade == 3
    assert _result(report, "corrected_sodium").grade is None


def test_both_corrections_in_one_check(ref: Reference) -> None:
    report = run_check(ref, ["na=128", "ca=7.6mg/dL", "glu=450mg/dL", "alb=2.5g/dL"])
    assert [r.analyte for r in report.results] == [
        "sodium",
        "corrected_sodium",
        "calcium",
        "corrected_calcium",
    ]
    assert not report.warnings


# --------------------------------------------------------------------------- errors


def test_albumin_given_twice_is_an_error(ref: Reference) -> None:
    with pytest.raises(ValueTokenError, match="albumin was already given"):
        run_check(ref, ["ca=7.6mg/dL", "alb=2.5g/dL", "albumin=25g/L"])


def test_albumin_implausible_in_its_default_unit_hints_at_g_l(ref: Reference) -> None:
    with pytest.raises(ImplausibleValueError) as info:
        run_check(ref, ["ca=7.6mg/dL", "alb=25"])
    message = str(info.value)
    assert "'alb=25'" in message and "g/L" in message


@pytest.mark.parametrize(
    ("tokens", "error"),
    [
        (["ca=7.6mg/dL", "alb=25g/dL"], ImplausibleValueError),  # 250 g/L
        (["ca=7.6mg/dL", "alb=0.4g/dL"], ImplausibleValueError),  # 4 g/L
        (["na=128", "glu=400mmol/L"], ImplausibleValueError),  # 7206 mg/dL
        (["ca=7.6mg/dL", "alb=0.5mmol/L"], UnitError),  # albumin has no molar mass
        # Equivalents count charges; glucose and albumin have no valence to count them by.
        (["na=128", "glu=5mEq/L"], UnitError),
        (["na=128", "glu=5meq/l"], UnitError),
        (["ca=7.6mg/dL", "alb=3mEq/L"], UnitError),
        (["ca=7.6mg/dL", "alb=2.5kg"], UnitError),
        (["ca=7.6mg/dL", "alb=-2.5g/dL"], ValueTokenError),
        (["ca=7.6mg/dL", "alb=abc"], ValueTokenError),
        (["ca=7.6mg/dL", "alb=2.5g/dL", "g/L"], ValueTokenError),  # a unit twice
        # A corrected calcium of 0.55 + 0.02 x (40 - 70) = -0.05 mmol/L cannot be.
        (["ca=0.55mmol/L", "alb=70g/L"], ImplausibleValueError),
    ],
)
def test_bad_covariates_are_refused(ref: Reference, tokens: list[str], error: type) -> None:
    assert issubclass(error, InputError)
    with pytest.raises(error):
        run_check(ref, tokens)


def test_albumin_without_calcium_is_a_warning(ref: Reference) -> None:
    report = run_check(ref, ["k=4.0", "alb=2.5g/dL"])
    assert [r.analyte for r in report.results] == ["potassium"]
    assert len(report.warnings) == 1
    assert "nothing to correct" in report.warnings[0] and "calcium" in report.warnings[0]


def test_albumin_does_not_correct_ionized_calcium(ref: Reference) -> None:
    report = run_check(ref, ["ica=1.0", "alb=2.5g/dL"])
    assert [r.analyte for r in report.results] == ["ionized_calcium"]
    assert report.results[0].grade == 1  # at the cut-point 1.0: graded as measured
    assert "nothing to correct" in report.warnings[0]


def test_glucose_without_sodium_is_a_warning(ref: Reference) -> None:
    report = run_check(ref, ["glu=450mg/dL", "k=4.1"])
    assert [r.analyte for r in report.results] == ["potassium"]
    assert "nothing to correct (no sodium given)" in report.warnings[0]


@pytest.mark.parametrize(
    "tokens", [["glu=450mg/dL"], ["alb=2.5g/dL"], ["alb=25g/L", "glu=300mg/dL"]]
)
def test_a_covariate_alone_is_an_error(ref: Reference, tokens: list[str]) -> None:
    # Nothing to interpret: an empty answer would read as "all normal".
    with pytest.raises(ValueTokenError, match=r"no electrolyte value to interpret; .*nothing to"):
        run_check(ref, tokens)


@pytest.mark.parametrize(
    ("tokens", "analyte", "flag", "grade"),
    [
        # 7.2 + 0.8 x (4.0 - 3.0) = 8.0 exactly, though float arithmetic gives 8.000000000000002:
        # on the cut-point, so grade 1, not 2.
        (["ca=7.2mg/dL", "alb=3.0g/dL"], "corrected_calcium", "L", 1),
        # 130 + 1.6 x 312 / 100 = 134.992: still below 135, not rounded up into the interval.
        (["na=130", "glu=412mg/dL"], "corrected_sodium", "L", None),
    ],
)
def test_corrected_values_are_compared_unrounded_but_free_of_float_noise(
    ref: Reference, tokens: list[str], analyte: str, flag: str, grade: int | None
) -> None:
    result = _result(run_check(ref, tokens), analyte)
    assert (result.flag, result.grade) == (flag, grade)


@pytest.mark.parametrize("token", ["glu=20", "glu=90", "alb=5.5"])
def test_unitless_covariate_plausible_in_two_units_is_refused(ref: Reference, token: str) -> None:
    with pytest.raises(AmbiguousUnitError, match="no unit given"):
        run_check(ref, ["ca=2.0", "na=128", token])


# --------------------------------------------------------------------------- the parts alone
# corrected_value, corrected_result and correct called directly, as the batch engine calls
# them (explain=False), so that each guard is held by this module's own tests.


@pytest.mark.parametrize(
    "calcium",
    # 8.0 mg/dL written in each conventional unit: the mg/dL formula applies after the entered
    # value is converted to mg/dL (80 mg/L = 0.08 g/L = 8 mg% = 8.0 mg/dL).
    ["ca=80mg/L", "ca=0.08g/L", "ca=8mg%", "ca=8.0mg/dL"],
)
def test_calcium_in_any_mass_unit_is_converted_before_the_formula(
    ref: Reference, calcium: str
) -> None:
    result = _result(run_check(ref, [calcium, "alb=2.5g/dL"]), "corrected_calcium")
    # 8.0 + 0.8 x (4.0 - 2.5) = 9.2 mg/dL, flagged N against 8.5-10.2 mg/dL.
    assert (result.entered_value, result.entered_unit) == (pytest.approx(9.2), "mg/dL")
    assert result.value == pytest.approx(9.2 / CALCIUM_MG_DL_PER_MMOL_L)
    assert (result.flag, result.grade) == ("N", 0)


@pytest.mark.parametrize("explain", [True, False])
def test_corrected_value_with_and_without_its_explanation(ref: Reference, explain: bool) -> None:
    given = read_covariate(ref, "alb", 2.5, None, "alb=2.5")
    found = corrected_value(ref, "calcium", 80.0, "mg/L", given, explain=explain)
    assert (found.value, found.unit) == (pytest.approx(9.2), "mg/dL")
    assert found.correction.key == "corrected_calcium"
    if explain:
        assert found.lead_notes[0] == "no unit given for albumin: g/dL assumed"
        assert found.lead_notes[1].startswith("corrected = 8 + 0.8 x (4 - albumin 2.5 g/dL)")
    else:
        assert found.lead_notes == ()


@pytest.mark.parametrize(
    ("analyte", "covariate", "value", "unit"),
    [
        ("calcium", "glu", 300.0, "mg/dL"),  # glucose corrects sodium, not calcium
        ("sodium", "alb", 2.5, "g/dL"),  # albumin corrects calcium, not sodium
        ("potassium", "alb", 2.5, "g/dL"),  # nothing corrects potassium
    ],
)
def test_a_covariate_corrects_only_its_own_analyte(
    ref: Reference, analyte: str, covariate: str, value: float, unit: str
) -> None:
    given = read_covariate(ref, covariate, value, unit, f"{covariate}={value:g}{unit}")
    with pytest.raises(ValueTokenError, match="does not correct " + analyte):
        corrected_value(ref, analyte, 2.0, "mmol/L", given)


@pytest.mark.parametrize(
    ("tokens", "corrected", "flag", "grade"),
    [
        # 0.9 + 0.02 x (40 - 45) = 0.8 mmol/L: real, critical and grade 4; never refused.
        (["ca=0.9", "alb=45g/L"], 0.8, "LL", 4),
        # 0.6 + 0.02 x (40 - 45) = 0.5 mmol/L: the calcium record's lowest plausible value.
        (["ca=0.6", "alb=45g/L"], 0.5, "LL", 4),
        # 4.8 + 0.02 x (40 - 10) = 5.4 mmol/L: high but plausible (below 6.0).
        (["ca=4.8mmol/L", "alb=10g/L"], 5.4, "HH", 4),
    ],
)
def test_corrected_values_at_the_edges_of_plausible_are_kept(
    ref: Reference, tokens: list[str], corrected: float, flag: str, grade: int
) -> None:
    result = _result(run_check(ref, tokens), "corrected_calcium")
    assert result.value == pytest.approx(corrected)
    assert (result.flag, result.grade) == (flag, grade)


@pytest.mark.parametrize(
    ("tokens", "shown"),
    [
        # 5.9 + 0.02 x (40 - 10) = 6.5 mmol/L: above the plausible 6.0, refused, never HH.
        (["ca=5.9", "alb=10g/L"], "6.5 mmol/L"),
        # 0.5 + 0.02 x (40 - 45) = 0.4 mmol/L: below the plausible 0.5.
        (["ca=0.5", "alb=45g/L"], "0.4 mmol/L"),
        # 0.55 + 0.02 x (40 - 70) = -0.05 mmol/L: not a concentration at all.
        (["ca=0.55", "alb=70g/L"], "-0.05 mmol/L"),
    ],
)
def test_implausible_corrected_values_are_refused(
    ref: Reference, tokens: list[str], shown: str
) -> None:
    with pytest.raises(ImplausibleValueError, match=f"would be {shown}, which is not plausible"):
        run_check(ref, tokens)


def test_corrected_result_refuses_zero(ref: Reference) -> None:
    given = read_covariate(ref, "alb", 45.0, "g/L", "alb=45g/L")
    found = corrected_value(ref, "calcium", 0.1, "mmol/L", given, explain=False)  # 0.0
    with pytest.raises(ImplausibleValueError, match="would be 0 mmol/L"):
        corrected_result(ref, found)


@pytest.mark.parametrize(
    ("value", "unit", "accepted"),
    [
        (5.0, "g/L", True),  # the plausible bounds 5-70 g/L, both included
        (4.99, "g/L", False),
        (70.0, "g/L", True),
        (70.01, "g/L", False),
        (0.5, "g/dL", True),  # 5 g/L written in g/dL
        (0.49, "g/dL", False),
        (7.0, "g/dL", True),
        (7.01, "g/dL", False),
    ],
)
def test_albumin_plausible_bounds_from_both_sides(
    ref: Reference, value: float, unit: str, accepted: bool
) -> None:
    shown = f"alb={value:g}{unit}"
    if accepted:
        assert read_covariate(ref, "alb", value, unit, shown).value == value
    else:
        with pytest.raises(ImplausibleValueError, match="not a plausible albumin level"):
            read_covariate(ref, "alb", value, unit, shown)


@pytest.mark.parametrize(
    ("name", "value", "unit", "shown", "error", "message"),
    [
        ("xyz", 2.5, "g/dL", "xyz=2.5g/dL", ValueTokenError, "'xyz=2.5g/dL': not a covariate"),
        (
            "alb",
            2.5,
            "furlongs",
            "alb=2.5furlongs",
            UnitError,
            "'alb=2.5furlongs': unit 'furlongs'",
        ),
        (
            "alb",
            -2.5,
            "g/dL",
            "alb=-2.5g/dL",
            ValueTokenError,
            "'alb=-2.5g/dL': the value must be a finite number >= 0",
        ),
        (
            "alb",
            6,
            None,
            "Alb = 6",
            AmbiguousUnitError,
            "'Alb = 6': no unit given, and 6 is a plausible albumin level in g/dL and in g/L; "
            "write Alb=6g/dL or Alb=6g/L",
        ),
        (
            "alb",
            6,
            None,
            "6",
            AmbiguousUnitError,
            "'6': no unit given, and 6 is a plausible albumin level in g/dL and in g/L; "
            "write albumin=6g/dL or albumin=6g/L",
        ),
        (
            "alb",
            900,
            None,
            "alb=900",
            ImplausibleValueError,
            "'alb=900': 900 g/dL is not a plausible albumin level (plausible 5-70 g/L); "
            "give its unit (g/L?)",
        ),
        (
            "alb",
            900,
            "g/L",
            "alb=900g/L",
            ImplausibleValueError,
            "'alb=900g/L': 900 g/L is not a plausible albumin level (plausible 5-70 g/L)",
        ),
    ],
)
def test_covariate_messages_name_the_covariate_as_given(
    ref: Reference,
    name: str,
    value: float,
    unit: str | None,
    shown: str,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error) as info:
        read_covariate(ref, name, value, unit, shown)
    assert str(info.value).startswith(message)
    if error is ImplausibleValueError:
        assert str(info.value) == message


def test_covariate_token_with_a_unit_beside_it(ref: Reference) -> None:
    assert read_covariate_token(ref, "alb=2.5", "g/dL").shown == "alb=2.5 g/dL"
    assert read_covariate_token(ref, "alb=2.5g/dL", None).shown == "alb=2.5g/dL"
    with pytest.raises(ValueTokenError) as info:
        read_covariate_token(ref, "alb=2.5g/dL", "g/L")
    assert str(info.value) == "'alb=2.5g/dL' already has a unit; 'g/L' is one too many"


def test_a_covariate_of_another_correction_is_named_in_the_refusal(ref: Reference) -> None:
    glucose = read_covariate_token(ref, "glu=100mg/dL", None)
    with pytest.raises(ValueTokenError) as info:
        corrected_value(ref, "calcium", 7.6, "mg/dL", glucose)
    assert str(info.value) == "'glu=100mg/dL' does not correct calcium"


def test_the_one_sided_formula_says_when_it_adds_nothing(ref: Reference) -> None:
    glucose = read_covariate_token(ref, "glu=90mg/dL", None)
    found = corrected_value(ref, "sodium", 130, "mmol/L", glucose)
    assert found.lead_notes == (
        "corrected = 130 + 1.6/100 x (glucose 90 - 100 mg/dL), 0 when not above 100 "
        "= 130 mmol/L (katz-1973)",
    )


def test_a_corrected_result_is_not_an_assumed_unit_and_shows_the_system_asked(
    ref: Reference,
) -> None:
    measured = interpret(ref, "ca", 7.6, "mg/dL")
    albumin = read_covariate_token(ref, "alb=2.5g/dL", None)
    result = correct(ref, measured, albumin, system="si")
    assert result.unit_assumed is False
    assert (result.shown.system, result.shown.unit) == ("si", "mmol/L")
    assert result.input == "ca=7.6mg/dL alb=2.5g/dL"
    assert not any("no unit given" in note for note in result.notes)
    assert correct(ref, measured, albumin).shown.system == "conventional"
    found = corrected_value(ref, "calcium", 7.6, "mg/dL", albumin)
    assert corrected_result(ref, found).input == ""
    assert corrected_result(ref, found, system="si").shown.system == "si"


def test_an_implausible_corrected_value_is_refused_naming_both_values(ref: Reference) -> None:
    measured = interpret(ref, "ca", 5.9, "mmol/L")
    albumin = read_covariate_token(ref, "alb=10g/L", None)
    with pytest.raises(ImplausibleValueError) as info:
        correct(ref, measured, albumin)
    assert str(info.value) == (
        "'ca=5.9mmol/L alb=10g/L': the corrected calcium would be 6.5 mmol/L, which is not "
        "plausible: check both values and their units"
    )


def test_a_corrected_value_of_zero_is_refused_even_where_the_file_allows_zero(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["analytes"]["calcium"]["plausible"]["low"] = 0

    ref = load_reference(write_reference(edit))
    measured = interpret(ref, "ca", 0.0, "mg/dL")
    albumin = read_covariate_token(ref, "alb=4g/dL", None)
    with pytest.raises(ImplausibleValueError, match="the corrected calcium would be 0 mg/dL"):
        correct(ref, measured, albumin)


def test_every_other_unit_of_an_implausible_covariate_is_offered(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["covariates"]["albumin"]["units"] = ["g/dL", "g/L", "mg/dL"]

    ref = load_reference(write_reference(edit))
    with pytest.raises(ImplausibleValueError) as info:
        read_covariate(ref, "alb", 900000, None, "alb=900000")
    assert str(info.value).endswith("give its unit (g/L, mg/dL?)")


def test_the_name_in_an_ambiguity_is_the_one_written(ref: Reference) -> None:
    with pytest.raises(AmbiguousUnitError) as info:
        read_covariate(ref, "alb", 6, None, "alb=6")
    assert str(info.value).endswith("write alb=6g/dL or alb=6g/L")
