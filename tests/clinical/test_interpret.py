"""Interpretation of single values: flags on both sides of every limit, risks, notes, errors."""

from __future__ import annotations

import pytest

from electrocheck import UnitChoice, interpret
from electrocheck.clinical.interpret import (
    As,
    Measured,
    evaluate,
    interpret_token,
    require_concentration,
)
from electrocheck.errors import (
    AmbiguousUnitError,
    ArgumentError,
    ElectrocheckError,
    ImplausibleValueError,
    UnitError,
    UnknownAnalyteError,
    ValueTokenError,
)
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient
from electrocheck.units.resolve import resolve_unit

# Hand-checked against the built-in file: each limit from both sides, in its own unit.
BOUNDARIES = [
    # potassium: reference 3.5-5.0, critical 2.8/6.2 mmol/L
    ("k", 2.79, "mmol/L", "LL"),
    ("k", 2.8, "mmol/L", "L"),
    ("k", 2.81, "mmol/L", "L"),
    ("k", 3.49, "mmol/L", "L"),
    ("k", 3.5, "mmol/L", "N"),
    ("k", 3.51, "mmol/L", "N"),
    ("k", 4.99, "mmol/L", "N"),
    ("k", 5.0, "mmol/L", "N"),
    ("k", 5.01, "mmol/L", "H"),
    ("k", 6.19, "mmol/L", "H"),
    ("k", 6.2, "mmol/L", "H"),
    ("k", 6.21, "mmol/L", "HH"),
    # sodium: reference 135-145, critical 120/160 mmol/L
    ("na", 119.9, "mmol/L", "LL"),
    ("na", 120, "mmol/L", "L"),
    ("na", 134.9, "mmol/L", "L"),
    ("na", 135, "mmol/L", "N"),
    ("na", 145, "mmol/L", "N"),
    ("na", 145.1, "mmol/L", "H"),
    ("na", 160, "mmol/L", "H"),
    ("na", 160.1, "mmol/L", "HH"),
    # calcium: reference 8.5-10.2, critical 6.0/13.0 mg/dL
    ("ca", 5.99, "mg/dL", "LL"),
    ("ca", 6.0, "mg/dL", "L"),
    ("ca", 8.49, "mg/dL", "L"),
    ("ca", 8.5, "mg/dL", "N"),
    ("ca", 10.2, "mg/dL", "N"),
    ("ca", 10.21, "mg/dL", "H"),
    ("ca", 13.0, "mg/dL", "H"),
    ("ca", 13.01, "mg/dL", "HH"),
    # ... and in mmol/L, against the SI interval 2.15-2.55 and critical limits 1.50/3.24
    ("ca", 2.14, "mmol/L", "L"),
    ("ca", 2.15, "mmol/L", "N"),
    ("ca", 2.55, "mmol/L", "N"),
    ("ca", 2.56, "mmol/L", "H"),
    ("ca", 1.49, "mmol/L", "LL"),
    ("ca", 1.50, "mmol/L", "L"),
    ("ca", 3.24, "mmol/L", "H"),
    ("ca", 3.25, "mmol/L", "HH"),
    ("ca", 4.29, "mEq/L", "L"),
    ("ca", 4.30, "mEq/L", "N"),  # 2.15 mmol/L = 4.30 mEq/L
    # magnesium: reference 1.7-2.4, critical 1.0/4.7 mg/dL
    ("mg", 0.99, "mg/dL", "LL"),
    ("mg", 1.0, "mg/dL", "L"),
    ("mg", 1.69, "mg/dL", "L"),
    ("mg", 1.7, "mg/dL", "N"),
    ("mg", 2.4, "mg/dL", "N"),
    ("mg", 2.41, "mg/dL", "H"),
    ("mg", 4.7, "mg/dL", "H"),
    ("mg", 4.71, "mg/dL", "HH"),
    # A limit written in another unit of the same kind: equal amounts are equal, whatever
    # the float factors (85 mg/L = 8.5 mg/dL; 3500 µmol/L = 3.5 mmol/L).
    ("ca", 84.9, "mg/L", "L"),
    ("ca", 85, "mg/L", "N"),
    ("ca", 0.085, "g/L", "N"),
    ("ca", 102, "mg/L", "N"),
    ("ca", 102.1, "mg/L", "H"),
    ("ca", 8.5, "mg%", "N"),
    ("ca", 130, "mg/L", "H"),
    ("ca", 130.1, "mg/L", "HH"),
    ("ca", 60, "mg/L", "L"),
    ("mg", 17, "mg/L", "N"),
    ("mg", 24, "mg/L", "N"),
    ("mg", 10, "mg/L", "L"),
    ("k", 3500, "µmol/L", "N"),
    ("k", 3499, "µmol/L", "L"),
    ("k", 2800, "umol/L", "L"),
    ("k", 0.0035, "mol/L", "N"),
    ("na", 135, "mEq/L", "N"),
    ("na", 0.135, "mol/L", "N"),
    # ... in mmol/L, against the SI interval 0.70-0.99 and critical limits 0.41/1.93
    ("mg", 0.40, "mmol/L", "LL"),
    ("mg", 0.41, "mmol/L", "L"),
    ("mg", 0.69, "mmol/L", "L"),
    ("mg", 0.70, "mmol/L", "N"),
    ("mg", 0.99, "mmol/L", "N"),
    ("mg", 1.00, "mmol/L", "H"),
    ("mg", 1.93, "mmol/L", "H"),
    ("mg", 1.94, "mmol/L", "HH"),
    # ... in mEq/L (valence 2), against the SI interval: 0.70 mmol/L = 1.40 mEq/L
    ("mg", 1.39, "mEq/L", "L"),
    ("mg", 1.40, "mEq/L", "N"),
]


@pytest.mark.parametrize(("name", "value", "unit", "flag"), BOUNDARIES)
def test_flags_on_both_sides_of_every_limit(
    ref: Reference, name: str, value: float, unit: str, flag: str
) -> None:
    assert interpret(ref, name, value, unit).flag == flag


def _limit_cases(ref: Reference) -> list[tuple[str, Patient, str, float, str, str]]:
    """Every limit in the file, just below, at and just above it, in the limit's own unit,
    for a patient of the age band and sex the interval is written for."""
    cases = []
    for key, analyte in ref.analytes.items():
        for interval in analyte.reference:
            patient = Patient(interval.age.start if interval.age else None, interval.sex)
            unit = resolve_unit(interval.unit)
            assert analyte.interval_for(unit, patient) is interval
            critical = analyte.critical_for(unit, patient)
            for limit, limit_unit, below, at, above in [
                (critical.low, critical.unit, "LL", "L", "L"),
                (interval.low, interval.unit, "L", "N", "N"),
                (interval.high, interval.unit, "N", "N", "H"),
                (critical.high, critical.unit, "H", "H", "HH"),
            ]:
                step = limit * 1e-4
                cases += [
                    (key, patient, limit_unit, limit - step, "below", below),
                    (key, patient, limit_unit, limit, "at", at),
                    (key, patient, limit_unit, limit + step, "above", above),
                ]
    return cases


def test_every_limit_in_the_file_from_both_sides(ref: Reference) -> None:
    cases = _limit_cases(ref)
    intervals = sum(len(analyte.reference) for analyte in ref.analytes.values())
    assert intervals == 21 and len(cases) == intervals * 12
    for key, patient, unit, value, where, flag in cases:
        result = interpret(ref, key, value, unit, patient=patient)
        assert result.flag == flag, (key, patient, where, value, unit)


@pytest.mark.parametrize(
    ("name", "value", "risk"),
    [
        ("ca", 1.9, "high"),
        ("ca", 3.0, "low"),
        ("mg", 0.5, "high"),
        ("mg", 1.2, "low"),
        ("k", 3.0, "moderate"),
        ("k", 5.8, "low"),
        ("na", 128, "moderate"),
        ("na", 150, "moderate"),
        ("k", 4.0, "none"),
    ],
)
def test_spasm_risk_follows_direction(ref: Reference, name: str, value: float, risk: str) -> None:
    assert interpret(ref, name, value, "mmol/L").spasm_risk == risk


def test_abnormal_result_carries_texts(ref: Reference) -> None:
    result = interpret(ref, "Magnesium", 1.1, "mg/dL")
    analyte = ref.analytes["magnesium"]
    assert result.analyte == "magnesium"
    assert result.effect == analyte.low.effect
    assert result.cancer_causes == analyte.low.causes
    assert result.muscle_role == analyte.muscle_role
    assert result.value == pytest.approx(1.1 * 10 / 24.305)


def test_normal_result_has_no_effect(ref: Reference) -> None:
    result = interpret(ref, "k", 4.1)
    assert (result.flag, result.effect, result.cancer_causes) == ("N", None, ())


def test_missing_unit_is_assumed_and_said(ref: Reference) -> None:
    result = interpret(ref, "k", 4.1)
    assert result.unit_assumed and result.entered_unit == "mmol/L"
    assert any("no unit given" in note for note in result.notes)
    assert not interpret(ref, "k", 4.1, "mmol/L").unit_assumed


@pytest.mark.parametrize("value", [1.7, 1.8, 2.0, 2.4])
def test_unitless_value_that_another_unit_makes_normal_is_refused(
    ref: Reference, value: float
) -> None:
    # Magnesium 2.0 is critically high in mmol/L but normal in mg/dL: ask for the unit.
    with pytest.raises(AmbiguousUnitError, match=r"as mg/dL it is .* normal"):
        interpret(ref, "mg", value)
    assert interpret(ref, "mg", value, "mg/dL").flag == "N"


@pytest.mark.parametrize(("name", "value"), [("mg", 0.5), ("mg", 1.2), ("k", 3.1), ("ca", 2.0)])
def test_unitless_value_abnormal_in_every_unit_is_interpreted(
    ref: Reference, name: str, value: float
) -> None:
    assert interpret(ref, name, value).flag != "N"


def test_implausible_value_lists_readings_when_no_unit_is_normal(ref: Reference) -> None:
    with pytest.raises(ImplausibleValueError) as info:
        interpret_token(ref, "ca=6.5")
    assert "as mg/dL 1.622 mmol/L (L)" in str(info.value)


def test_abnormal_calcium_carries_the_albumin_caveat(ref: Reference) -> None:
    assert any("albumin" in note for note in interpret(ref, "ca", 7.0, "mg/dL").notes)
    assert not interpret(ref, "ca", 9.0, "mg/dL").notes


def test_critical_note_gives_the_limit_in_mmol_too(ref: Reference) -> None:
    notes = interpret(ref, "mg", 5.0, "mg/dL").notes
    assert "above 4.7 mg/dL = 1.934 mmol/L" in notes[0]


def test_critical_value_gets_urgent_note(ref: Reference) -> None:
    assert any("critical limit" in note for note in interpret(ref, "k", 2.0).notes)


def test_names_are_case_insensitive_and_include_loinc(ref: Reference) -> None:
    for name in ("K", "potassium", "POTASSIUM", "Potassium, Serum", "2823-3"):
        assert interpret(ref, name, 4.1).analyte == "potassium"


def test_implausible_value_hints_at_the_probable_unit(ref: Reference) -> None:
    with pytest.raises(ImplausibleValueError) as info:
        interpret_token(ref, "ca=9.2")
    message = str(info.value)
    assert "'ca=9.2'" in message and "as mg/dL" in message and "ca=9.2mg/dL" in message


def test_implausible_in_stated_unit_is_refused(ref: Reference) -> None:
    with pytest.raises(ImplausibleValueError, match="mg/dL"):
        interpret(ref, "na", 140, "mg/dL")  # 140 mg/dL sodium = 61 mmol/L


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("x", 1.0, None), UnknownAnalyteError),
        (("k", -1.0, None), ValueTokenError),
        (("k", float("nan"), None), ValueTokenError),
        (("k", float("inf"), None), ValueTokenError),
        (("k", 4.0, "kg"), UnitError),
        (("k", 4.0, "wibble"), UnitError),
    ],
)
def test_api_refuses_bad_input(ref: Reference, args: tuple, error: type) -> None:
    with pytest.raises(error):
        interpret(ref, *args)


def test_float_noise_never_reaches_output(ref: Reference) -> None:
    result = interpret(ref, "ca", 10.3, "mg/dL").to_dict()
    for key in ("value", "low", "high", "critical_low", "critical_high"):
        assert len(repr(result[key])) <= 7, (key, result[key])


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_a_value(ref: Reference, value: bool) -> None:
    # True would otherwise be read as 1 mmol/L of potassium: critically low.
    with pytest.raises(ArgumentError, match="is not a number"):
        interpret(ref, "potassium", value, "mmol/L")


@pytest.mark.parametrize("value", [True, False, "3.1", None])
def test_require_concentration_refuses_what_is_not_a_number(value: object) -> None:
    with pytest.raises(ValueTokenError, match="'k=x': the value must be a number"):
        require_concentration(value, "k=x")


# Critical results, in mmol/L: each text comes from the side of the critical limit crossed.
CRITICAL = [
    # (analyte, value, flag, spasm risk, critical note)
    ("ca", 1.0, "LL", "high", "beyond the critical limit (below 1.5 mmol/L)"),
    ("ca", 3.6, "HH", "low", "beyond the critical limit (above 3.24 mmol/L)"),
    ("k", 2.4, "LL", "moderate", "beyond the critical limit (below 2.8 mmol/L)"),
    ("k", 6.8, "HH", "low", "beyond the critical limit (above 6.2 mmol/L)"),
    ("mg", 0.3, "LL", "high", "beyond the critical limit (below 0.41 mmol/L)"),
    ("na", 118, "LL", "moderate", "beyond the critical limit (below 120 mmol/L)"),
    ("na", 162, "HH", "moderate", "beyond the critical limit (above 160 mmol/L)"),
]


@pytest.mark.parametrize(("name", "value", "flag", "risk", "note"), CRITICAL)
def test_critical_results_carry_the_texts_of_their_side(
    ref: Reference, name: str, value: float, flag: str, risk: str, note: str
) -> None:
    result = interpret(ref, name, value, "mmol/L")
    side = ref.analyte(name).low if flag == "LL" else ref.analyte(name).high
    assert (result.flag, result.spasm_risk) == (flag, risk)
    assert result.spasm_risk == side.spasm_risk
    assert (result.effect, result.cancer_causes) == (side.effect, side.causes)
    assert any(n.startswith(note) for n in result.notes), result.notes


@pytest.mark.parametrize(
    ("patient", "population"),
    [
        (Patient(), "adults (age not given)"),
        (Patient(age_days=3), "age 0d to 11d; critical limits for age 0d to 18y"),
        (Patient(age_days=40 * 365.25, sex="F"), "adults"),
    ],
)
def test_the_population_names_whose_limits_were_used(
    ref: Reference, patient: Patient, population: str
) -> None:
    assert interpret(ref, "ca", 9.0, "mg/dL", patient=patient).population == population


@pytest.mark.parametrize(
    ("value", "adult", "newborn"),
    [
        # Without a unit calcium is read in mmol/L: 4.0 is critically high. As mEq/L it is
        # 2.0 mmol/L, low for an adult (2.15-2.55) but normal for a newborn (8.0 mg/dL =
        # 1.996 mmol/L and up), so only for the newborn does the unit decide the answer.
        (4.0, "HH", "ambiguous"),
        (3.99, "HH", "HH"),  # 1.995 mmol/L as mEq/L: low for a newborn too
    ],
)
def test_the_patients_limits_decide_whether_the_unit_is_in_doubt(
    ref: Reference, value: float, adult: str, newborn: str
) -> None:
    assert interpret(ref, "ca", value).flag == adult
    if newborn == "ambiguous":
        with pytest.raises(AmbiguousUnitError, match="as mEq/L it is 2 mmol/L, normal"):
            interpret(ref, "ca", value, patient=Patient(age_days=3))
    else:
        assert interpret(ref, "ca", value, patient=Patient(age_days=3)).flag == newborn


def test_a_whole_result_field_by_field(ref: Reference) -> None:
    result = interpret(ref, "k", 3.1, "mmol/L")
    potassium = ref.analytes["potassium"]
    assert (result.analyte, result.label, result.input) == ("potassium", "Potassium", "k=3.1mmol/L")
    assert (result.entered_value, result.entered_unit, result.unit_assumed) == (
        3.1,
        "mmol/L",
        False,
    )
    assert (result.value, result.low, result.high) == (3.1, 3.5, 5.0)
    assert (result.critical_low, result.critical_high) == (2.8, 6.2)
    assert (result.flag, result.grade) == ("L", 1)
    assert result.grade_basis == "Hypokalemia, mmol/L criteria (ctcae-v5); asymptomatic assumed"
    assert result.population == "adults (age not given)"
    assert (result.spasm_risk, result.effect) == (potassium.low.spasm_risk, potassium.low.effect)
    assert result.cancer_causes == potassium.low.causes
    assert result.muscle_role == potassium.muscle_role
    assert result.notes == ("grade 1 assumes no symptoms; with symptoms it would be grade 2",)
    assert (result.shown.system, result.shown.unit, result.shown.value) == ("si", "mmol/L", 3.1)
    assert result.applied.analyte is potassium
    assert result.applied.unit == resolve_unit("mmol/L")
    assert result.applied.interval == potassium.interval_for(resolve_unit("mmol/L"))


def test_the_unit_system_chosen_is_the_system_shown(ref: Reference) -> None:
    result = interpret(ref, "ca", 7.6, "mg/dL", units=UnitChoice(system="si"))
    assert (result.entered_unit, result.shown.system, result.shown.unit) == (
        "mg/dL",
        "si",
        "mmol/L",
    )
    assert interpret(ref, "ca", 7.6, "mg/dL").shown.system == "conventional"


def test_the_input_given_is_the_input_shown(ref: Reference) -> None:
    assert interpret(ref, "k", 3.1, "mmol/L", input="K 3.1").input == "K 3.1"
    with pytest.raises(ValueTokenError, match=r"^'K -1': the value must be a finite number"):
        interpret(ref, "k", -1, "mmol/L", input="K -1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("k", -1, "mmol/L"), "'k=-1mmol/L': the value must be a finite number >= 0"),
        (("k", 3.1, "furlongs"), "'k=3.1furlongs': unit 'furlongs' is not a unit"),
        (("k", 3.1, 5), "unit: expected text such as 'mmol/L' or 'mg/dL', not int 5"),
    ],
)
def test_messages_name_the_value_as_entered(ref: Reference, args: tuple, message: str) -> None:
    with pytest.raises(ElectrocheckError) as info:
        interpret(ref, *args)
    assert str(info.value).startswith(message)


def test_an_input_that_is_not_text_is_refused(ref: Reference) -> None:
    with pytest.raises(ArgumentError, match=r"^input: expected text such as 'k=3\.1', not int 5"):
        interpret(ref, "k", 3.1, "mmol/L", input=5)  # type: ignore[arg-type]


DEFAULT_UNITS = UnitChoice(
    defaults={"potassium": "mmol/L", "magnesium": "mmol/L"},
    defaults_from="ELECTROCHECK_DEFAULT_UNITS",
)


def test_a_unit_assumed_from_a_setting_says_where_it_came_from(ref: Reference) -> None:
    notes = interpret(ref, "k", 3.1, units=DEFAULT_UNITS).notes
    assert notes[0] == "no unit given: mmol/L assumed (ELECTROCHECK_DEFAULT_UNITS)"
    assert interpret(ref, "k", 3.1).notes[0] == "no unit given: mmol/L assumed"
    with pytest.raises(ImplausibleValueError) as info:
        interpret(ref, "k", 30, units=DEFAULT_UNITS)
    assert str(info.value).endswith(
        "check the value and its unit (mmol/L was assumed from ELECTROCHECK_DEFAULT_UNITS)"
    )
    with pytest.raises(ImplausibleValueError) as info:
        interpret(ref, "k", 30)
    assert str(info.value).endswith("check the value and its unit")
    with pytest.raises(AmbiguousUnitError) as info:
        interpret(ref, "mg", 2.0, units=DEFAULT_UNITS)
    assert str(info.value).endswith(
        "write mg=2mg/dL or mg=2mmol/L (mmol/L was assumed from ELECTROCHECK_DEFAULT_UNITS)"
    )


def test_a_unit_given_beside_a_token(ref: Reference) -> None:
    result = interpret_token(ref, "ca=7.6", "mg/dL")
    assert (result.input, result.entered_unit, result.unit_assumed) == (
        "ca=7.6 mg/dL",
        "mg/dL",
        False,
    )
    alone = interpret_token(ref, "k=3.1mmol/L")
    assert (alone.input, alone.entered_unit, alone.unit_assumed) == ("k=3.1mmol/L", "mmol/L", False)
    assert interpret_token(ref, "k=3.1", None).input == "k=3.1"
    with pytest.raises(
        ValueTokenError, match=r"^'k=3.1mmol/L' already has a unit; 'mg/dL' is one too many$"
    ):
        interpret_token(ref, "k=3.1mmol/L", "mg/dL")


@pytest.mark.parametrize(
    ("token", "unit", "message"),
    [
        (5, None, "token: expected text such as 'k=3.1' or 'ca=7.6mg/dL', not int 5"),
        ("k=3.1", 5, "unit: expected text such as 'mmol/L' or 'mg/dL', not int 5"),
    ],
)
def test_a_token_or_unit_that_is_not_text_is_refused(
    ref: Reference, token: object, unit: object, message: str
) -> None:
    with pytest.raises(ArgumentError) as info:
        interpret_token(ref, token, unit)  # type: ignore[arg-type]
    assert str(info.value) == message


def test_a_token_passes_on_patient_covariates_and_units(ref: Reference) -> None:
    assert interpret_token(ref, "k=3.1", patient=Patient(symptomatic=True)).grade == 2
    assert interpret_token(ref, "ca=7.6mg/dL", covariates=frozenset({"albumin"})).grade is None
    assert interpret_token(ref, "ca=7.6mg/dL", units=UnitChoice(system="si")).shown.unit == (
        "mmol/L"
    )


def test_calcium_is_graded_as_measured_only_without_albumin(ref: Reference) -> None:
    alone = interpret(ref, "ca", 7.6, "mg/dL")
    assert alone.grade == 2
    assert alone.grade_basis == (
        "Hypocalcemia, mg/dL criteria (ctcae-v5); no corrected calcium, so the measured value "
        "was graded"
    )
    assert alone.notes[-1] == (
        "CTCAE grades calcium corrected for albumin; with no corrected calcium (give albumin), "
        "the measured value was graded"
    )
    with_albumin = interpret(ref, "ca", 7.6, "mg/dL", covariates=frozenset({"albumin"}))
    assert with_albumin.grade is None
    assert with_albumin.grade_basis == "not graded: CTCAE grades corrected_calcium instead"
    assert not any("CTCAE grades" in note for note in with_albumin.notes)
    # A normal calcium is grade 0 and says nothing of its correction.
    normal = interpret(ref, "ca", 9.2, "mg/dL")
    assert (normal.grade, normal.grade_basis, normal.notes) == (
        0,
        "within the reference interval",
        (),
    )


def test_the_symptom_note_goes_only_with_a_grade(ref: Reference) -> None:
    # Calcium 8.2 mg/dL is grade 1, where symptoms would make it 2; given albumin it is not
    # graded, and the note on symptoms goes with the grade.
    alone = interpret(ref, "ca", 8.2, "mg/dL")
    assert "grade 1 assumes no symptoms; with symptoms it would be grade 2" in alone.notes
    with_albumin = interpret(ref, "ca", 8.2, "mg/dL", covariates=frozenset({"albumin"}))
    assert not any("symptoms" in note for note in with_albumin.notes)


def _measured_calcium(ref: Reference) -> Measured:
    record = ref.analytes["calcium"]
    unit = resolve_unit("mg/dL")
    return Measured(record, "ca=7.6mg/dL", 7.6, unit, False, record.to_mmol(7.6, unit))


@pytest.mark.parametrize("graded", [True, False])
def test_a_result_that_speaks_for_another(ref: Reference, graded: bool) -> None:
    speaks_as = As("corrected_thing", "Corrected thing", graded, ("its own note",))
    result = evaluate(ref, _measured_calcium(ref), speaks_as=speaks_as)
    assert (result.analyte, result.label) == ("corrected_thing", "Corrected thing")
    assert result.notes[-1] == "its own note"
    assert not any("albumin" in note for note in result.notes)  # not the calcium caveats
    if graded:
        assert result.grade == 2
        assert result.grade_basis == "Hypocalcemia, mg/dL criteria (ctcae-v5)"
    else:
        assert result.grade is None
        assert result.grade_basis == "not graded: CTCAE grades the measured calcium"


def test_zero_is_a_concentration_though_an_implausible_one(ref: Reference) -> None:
    require_concentration(0.0, "k=0")  # no error: 0 is a number >= 0
    with pytest.raises(ImplausibleValueError, match="is not a plausible potassium level"):
        interpret(ref, "k", 0, "mmol/L")
