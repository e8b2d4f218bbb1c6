"""The patient: reading age, sex and symptoms, and the age-banded limits they choose."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from electrocheck import interpret
from electrocheck.clinical.check import run_check
from electrocheck.errors import InputError, PatientError
from electrocheck.reference import Reference
from electrocheck.reference.patient import (
    Patient,
    format_age,
    parse_age,
    parse_sex,
    parse_symptomatic,
)

YEAR = 365.25
MONTH = YEAR / 12


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("64", 64 * YEAR),
        ("0.5", 182.625),
        (".5", 182.625),
        ("0d", 0.0),
        ("10d", 10.0),
        ("10D", 10.0),
        ("1 day", 1.0),
        ("6w", 42.0),
        ("6 weeks", 42.0),
        ("6mo", 6 * MONTH),
        ("6m", 6 * MONTH),
        ("6 months", 6 * MONTH),
        ("3y", 3 * YEAR),
        ("3 y", 3 * YEAR),
        ("3yrs", 3 * YEAR),
        ("2 years", 2 * YEAR),
        (" 64 ", 64 * YEAR),
        ("130", 130 * YEAR),  # the oldest age accepted
    ],
)
def test_parse_age(text: str, days: float) -> None:
    assert parse_age(text) == pytest.approx(days)


@pytest.mark.parametrize(
    "text",
    [
        *("", " ", "-1", "abc", "3 weeks ago", "999", "131", "1e3", "10 dogs", "3y2", "3,5", "y"),
        # 0 years: exports that count whole years say 0 for every baby; limits need more.
        *("0", "0y", "0 years", "0.0"),
    ],
)
def test_parse_age_refuses(text: str) -> None:
    with pytest.raises(PatientError, match="age"):
        parse_age(text)


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("F", "female"),
        ("f", "female"),
        ("female", "female"),
        ("Female", "female"),
        (" M ", "male"),
        ("m", "male"),
        ("male", "male"),
    ],
)
def test_parse_sex(text: str, sex: str) -> None:
    assert parse_sex(text) == sex


@pytest.mark.parametrize("text", ["x", "", "other", "fem"])
def test_parse_sex_refuses(text: str) -> None:
    with pytest.raises(PatientError, match="female or male"):
        parse_sex(text)


@pytest.mark.parametrize(
    ("text", "symptomatic"),
    [
        ("yes", True),
        ("Y", True),
        ("1", True),
        ("true", True),
        ("no", False),
        ("N", False),
        ("0", False),
        ("false", False),
    ],
)
def test_parse_symptomatic(text: str, symptomatic: bool) -> None:
    assert parse_symptomatic(text) is symptomatic


@pytest.mark.parametrize("text", ["maybe", "", "2"])
def test_parse_symptomatic_refuses(text: str) -> None:
    with pytest.raises(PatientError):
        parse_symptomatic(text)


def test_patient_error_is_an_input_error() -> None:
    assert issubclass(PatientError, InputError)
    with pytest.raises(InputError):
        parse_age("3 weeks ago")


@pytest.mark.parametrize(
    ("days", "text"),
    [(10.0, "10 d"), (6 * MONTH, "6 mo"), (18 * MONTH, "18 mo"), (64 * YEAR, "64 y")],
)
def test_format_age(days: float, text: str) -> None:
    assert format_age(days) == text


def test_patient_defaults_to_unknown_and_asymptomatic() -> None:
    patient = Patient()
    assert (patient.age_days, patient.sex, patient.symptomatic) == (None, None, False)
    assert patient.describe() == "age not given"
    assert Patient(10.0, "female").describe() == "age 10 d, female"


# --------------------------------------------------------------------------- age bands

# Hand-checked against the built-in file: the same value, flagged for an adult and a child.
AGE_BANDED = [
    # potassium: adult 3.5-5.0 (critical 2.8/6.2); 7d-30d 3.4-6.0; 1y-18y 3.8-5.1;
    # critical 0-28d 2.8/7.8, 28d-18y 2.8/6.4 mmol/L
    ("k", 5.8, "mmol/L", None, "H"),
    ("k", 5.8, "mmol/L", "10d", "N"),
    ("k", 5.8, "mmol/L", "10", "H"),  # 10 years
    ("k", 5.05, "mmol/L", "10", "N"),
    ("k", 5.05, "mmol/L", None, "H"),
    ("k", 3.7, "mmol/L", "10", "L"),
    ("k", 3.7, "mmol/L", None, "N"),
    ("k", 7.0, "mmol/L", None, "HH"),
    ("k", 7.0, "mmol/L", "5d", "H"),
    ("k", 6.3, "mmol/L", "10", "H"),
    ("k", 6.5, "mmol/L", "10", "HH"),
    ("k", 6.0, "mmol/L", "3mo", "H"),  # 30d-7mo 3.5-5.6
    ("k", 6.0, "mmol/L", "9mo", "N"),  # 7mo-1y 3.5-6.1
    # calcium: adult 8.5-10.2 mg/dL; 0-11d 8.0-10.4; 11d-3y 9.0-11.0; 3y-13y 8.8-10.8 mg/dL
    ("ca", 10.6, "mg/dL", None, "H"),
    ("ca", 10.6, "mg/dL", "2y", "N"),
    ("ca", 10.6, "mg/dL", "5d", "H"),
    ("ca", 10.6, "mg/dL", "8", "N"),
    ("ca", 8.0, "mg/dL", "5d", "N"),
    ("ca", 8.0, "mg/dL", None, "L"),
    ("ca", 8.7, "mg/dL", "8", "L"),
    ("ca", 8.7, "mg/dL", None, "N"),
    # calcium critical for children 1.62/3.17 mmol/L (adult 1.50/3.24)
    ("ca", 1.55, "mmol/L", None, "L"),
    ("ca", 1.55, "mmol/L", "8", "LL"),
    ("ca", 3.2, "mmol/L", None, "H"),
    ("ca", 3.2, "mmol/L", "8", "HH"),
    # magnesium: adult 1.7-2.4 mg/dL; 0-28d 1.7-2.5; 28d-18y 1.7-2.3 mg/dL
    ("mg", 2.45, "mg/dL", None, "H"),
    ("mg", 2.45, "mg/dL", "10d", "N"),
    ("mg", 2.35, "mg/dL", "10", "H"),
    ("mg", 2.35, "mg/dL", None, "N"),
    # sodium: interval 135-145 for all; critical adult 120/160, 0-18y 121/156 mmol/L
    ("na", 157.0, "mmol/L", "10", "HH"),
    ("na", 157.0, "mmol/L", None, "H"),
    ("na", 120.5, "mmol/L", "10", "LL"),
    ("na", 120.5, "mmol/L", None, "L"),
    ("na", 157.0, "mmol/L", "18", "H"),  # 18 years: adult limits again
    # ionized calcium: adult 1.12-1.32; 0-28d 1.10-1.46; 28d-1y 1.05-1.46; 1y-18y 1.20-1.38
    ("ica", 1.4, "mmol/L", None, "H"),
    ("ica", 1.4, "mmol/L", "6mo", "N"),
    ("ica", 1.15, "mmol/L", "5", "L"),
]


@pytest.mark.parametrize(("name", "value", "unit", "age", "flag"), AGE_BANDED)
def test_age_chooses_the_limits(
    ref: Reference, name: str, value: float, unit: str, age: str | None, flag: str
) -> None:
    patient = Patient(age_days=None if age is None else parse_age(age))
    assert interpret(ref, name, value, unit, patient=patient).flag == flag


@pytest.mark.parametrize(
    ("age", "flag_of_10_6", "flag_of_8_0", "population"),
    [
        ("10.99d", "H", "N", "age 0d to 11d"),  # 8.0-10.4 mg/dL
        ("11d", "N", "L", "age 11d to 3y"),  # a band's start is in it: 9.0-11.0 mg/dL
        ("2.99", "N", "L", "age 11d to 3y"),
        ("3y", "N", "L", "age 3y to 13y"),  # 8.8-10.8 mg/dL
        ("12.99", "N", "L", "age 3y to 13y"),
        ("13y", "H", "L", "adults"),  # a band's end is not: 8.5-10.2 mg/dL
        ("17.9", "H", "L", "adults"),  # but the children's critical limits still apply
        ("18", "H", "L", "adults"),
    ],
)
def test_band_edges(
    ref: Reference, age: str, flag_of_10_6: str, flag_of_8_0: str, population: str
) -> None:
    patient = Patient(age_days=parse_age(age))
    high = interpret(ref, "ca", 10.6, "mg/dL", patient=patient)
    low = interpret(ref, "ca", 8.0, "mg/dL", patient=patient)
    assert (high.flag, low.flag) == (flag_of_10_6, flag_of_8_0)
    # Children's critical calcium limits (Kost 1991) apply to 18 years, past the intervals.
    children = parse_age(age) < parse_age("18y")
    critical = "; critical limits for age 0d to 18y" if children else ""
    assert high.population == population + critical


# --------------------------------------------------------------------------- children's limits

# The children's limits re-checked against a second source (the comments at the entries in the
# file say which source was taken and why): each limit just below, at and just above it, at the
# start of its band, inside it and just before its end.
#   (analyte, limit, unit, ages in the band, flags below / at / above the limit)
RECHECKED_LIMITS = [
    # total calcium, 0-11d: low 8.0 mg/dL, the neonatal hypocalcaemia line (Davis's: 7.6)
    ("ca", 8.0, "mg/dL", ["0d", "3d", "10.99d"], ("L", "N", "N")),
    # ionized calcium, 0-28d: low 1.10 mmol/L (Davis's, for the whole first year: 1.05)
    ("ica", 1.10, "mmol/L", ["0d", "3d", "27.99d"], ("L", "N", "N")),
    # potassium, 30d-7mo: 3.5-5.6 mmol/L (St Boniface's, for the first year: 3.7-5.9)
    ("k", 3.5, "mmol/L", ["30d", "3mo", "6mo", "213d"], ("L", "N", "N")),
    ("k", 5.6, "mmol/L", ["30d", "3mo", "6mo", "213d"], ("N", "N", "H")),
]


def _around_the_limits() -> list[tuple[str, float, str, str, str]]:
    cases = []
    for name, limit, unit, ages, flags in RECHECKED_LIMITS:
        values = (round(limit - 0.01, 2), limit, round(limit + 0.01, 2))
        for age in ages:
            cases += [(name, v, unit, age, flag) for v, flag in zip(values, flags, strict=True)]
    return cases


@pytest.mark.parametrize(("name", "value", "unit", "age", "flag"), _around_the_limits())
def test_rechecked_children_limits_from_both_sides(
    ref: Reference, name: str, value: float, unit: str, age: str, flag: str
) -> None:
    result = interpret(ref, name, value, unit, patient=Patient(age_days=parse_age(age)))
    assert result.flag == flag


# The values the review asked about, the old limits, and the bands on either side.
RECHECKED_CASES = [
    ("ca", 7.7, "mg/dL", "3d", "L"),  # normal against Davis's 7.6: low now
    ("ca", 7.6, "mg/dL", "3d", "L"),
    ("ca", 1.99, "mmol/L", "3d", "L"),  # 8.0 mg/dL is 1.996 mmol/L
    ("ca", 2.0, "mmol/L", "3d", "N"),
    ("ca", 10.4, "mg/dL", "3d", "N"),  # the high limit is Davis's still
    ("ca", 10.41, "mg/dL", "3d", "H"),
    ("ca", 6.4, "mg/dL", "3d", "LL"),  # children's critical low 1.62 mmol/L (6.49 mg/dL)
    ("ca", 8.99, "mg/dL", "11d", "L"),  # 11d-3y: 9.0-11.0
    ("ca", 9.0, "mg/dL", "11d", "N"),
    ("ica", 1.05, "mmol/L", "3d", "L"),  # Davis's lower limit: low in the first 28 days
    ("ica", 1.46, "mmol/L", "3d", "N"),  # the high limit is Davis's still
    ("ica", 1.47, "mmol/L", "3d", "H"),
    ("ica", 0.81, "mmol/L", "3d", "LL"),  # critical 0.82 mmol/L at every age
    ("ica", 1.09, "mmol/L", "28d", "N"),  # 28d-1y: 1.05-1.46
    ("ica", 1.04, "mmol/L", "28d", "L"),
    ("ica", 1.05, "mmol/L", "28d", "N"),
    ("ica", 1.09, "mmol/L", "11mo", "N"),
    ("k", 5.7, "mmol/L", "3mo", "H"),  # normal against St Boniface's 5.9: high now
    ("k", 5.9, "mmol/L", "3mo", "H"),
    ("k", 3.6, "mmol/L", "3mo", "N"),  # low against St Boniface's 3.7
    ("k", 6.4, "mmol/L", "3mo", "H"),  # children's critical high 6.4 mmol/L
    ("k", 6.41, "mmol/L", "3mo", "HH"),
    ("k", 5.7, "mmol/L", "29.99d", "N"),  # 7d-30d: 3.4-6.0
    ("k", 5.7, "mmol/L", "7mo", "N"),  # 7mo-1y: 3.5-6.1
    ("k", 6.1, "mmol/L", "7mo", "N"),
    ("k", 6.11, "mmol/L", "7mo", "H"),
    ("k", 3.49, "mmol/L", "7mo", "L"),
]


@pytest.mark.parametrize(("name", "value", "unit", "age", "flag"), RECHECKED_CASES)
def test_rechecked_children_limits_by_hand(
    ref: Reference, name: str, value: float, unit: str, age: str, flag: str
) -> None:
    result = interpret(ref, name, value, unit, patient=Patient(age_days=parse_age(age)))
    assert result.flag == flag


@pytest.mark.parametrize(
    ("name", "age", "band", "critical_band", "limits"),
    [
        ("ca", "3d", "0d to 11d", "age 0d to 18y", [1.996, 2.595, 1.62, 3.17]),
        ("ica", "3d", "0d to 28d", "adults", [1.10, 1.46, 0.82, 1.55]),
        ("ica", "28d", "28d to 1y", "adults", [1.05, 1.46, 0.82, 1.55]),
        ("k", "3mo", "30d to 7mo", "age 28d to 18y", [3.5, 5.6, 2.8, 6.4]),
        ("k", "7mo", "7mo to 1y", "age 28d to 18y", [3.5, 6.1, 2.8, 6.4]),
    ],
)
def test_rechecked_bands_are_the_ones_used(
    ref: Reference, name: str, age: str, band: str, critical_band: str, limits: list[float]
) -> None:
    result = interpret(ref, name, 1.5, "mmol/L", patient=Patient(age_days=parse_age(age)))
    assert result.population == f"age {band}; critical limits for {critical_band}"
    found = [result.low, result.high, result.critical_low, result.critical_high]
    assert found == pytest.approx(limits, abs=0.001)


def test_population_without_age(ref: Reference) -> None:
    assert interpret(ref, "k", 4.0, "mmol/L").population == "adults (age not given)"


def test_interval_of_a_band_is_reported_in_mmol_l(ref: Reference) -> None:
    result = interpret(ref, "k", 5.8, "mmol/L", patient=Patient(age_days=parse_age("10d")))
    limits = [result.low, result.high, result.critical_low, result.critical_high]
    assert limits == pytest.approx([3.4, 6.0, 2.8, 7.8])
    assert result.population == "age 7d to 30d; critical limits for age 0d to 28d"


def test_age_band_also_decides_the_grade(ref: Reference) -> None:
    # 5.8 mmol/L in a 10-day-old is within 3.4-6.0: grade 0; in an adult, above 5.5: grade 2.
    assert interpret(ref, "k", 5.8, "mmol/L").grade == 2
    assert interpret(ref, "k", 5.8, "mmol/L", patient=Patient(age_days=10.0)).grade == 0


def test_run_check_passes_the_patient_on(ref: Reference) -> None:
    patient = Patient(age_days=parse_age("10d"), sex="female", symptomatic=True)
    report = run_check(ref, ["k=5.8", "na=127"], patient)
    assert [(r.flag, r.grade) for r in report.results] == [("N", 0), ("L", 3)]
    assert report.patient == patient
    assert report.to_dict()["patient"] == {
        "age_days": 10.0,
        "sex": "female",
        "symptomatic": True,
    }


@pytest.mark.parametrize(
    ("days", "text"),
    [(27, "27 d"), (28, "0.92 mo"), (730, "24 mo"), (731, "2 y")],  # 2 y is 730.5 days
)
def test_format_age_changes_unit_at_28_days_and_at_2_years(days: float, text: str) -> None:
    assert format_age(days) == text


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_age, "abc", "age 'abc': expected years (64, 0.5) or with a unit: 10d, 6w, 6mo, 3y"),
        (
            parse_age,
            "0y",
            "age '0y': 0 years does not say which limits apply; give a child under one year's "
            "age in days, weeks or months (10d, 6w, 6mo)",
        ),
        (parse_age, "500", "age '500' is not a plausible age"),
        (parse_sex, "x", "sex 'x': expected female or male (F or M)"),
        (parse_symptomatic, "maybe", "symptomatic 'maybe': expected yes or no"),
    ],
)
def test_patient_messages_quote_the_text_given(
    parse: Callable[[str], object], text: str, message: str
) -> None:
    with pytest.raises(PatientError) as info:
        parse(text)
    assert str(info.value) == message
