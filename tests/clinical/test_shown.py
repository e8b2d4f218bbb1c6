"""A result's numbers in the unit they are shown in (``Result.shown``, ``shown_limits``): the
entry written in that unit where it is the one applied, else the applied limits converted;
never numbers that disagree with the flag."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck import interpret, interpret_token, run_check
from electrocheck.clinical.result import Shown
from electrocheck.clinical.shown import critical_text, interval_text, shown_limits
from electrocheck.clinical.unit_choice import UnitChoice
from electrocheck.errors import InputError
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient

ALL = ("value", "interval", "critical", "cut_points.low", "cut_points.high")

# token, system asked for -> unit, low, high, critical low, critical high, what was converted
CASES = [
    # as entered: the entry written in the value's unit
    ("ca=7.6mg/dL", None, "mg/dL", 8.5, 10.2, 6.0, 13.0, ()),
    ("ca=1.9mmol/L", None, "mmol/L", 2.15, 2.55, 1.5, 3.24, ()),
    ("mg=1.1mg/dL", None, "mg/dL", 1.7, 2.4, 1.0, 4.7, ()),
    ("mg=0.5mmol/L", None, "mmol/L", 0.7, 0.99, 0.41, 1.93, ()),
    ("k=3.1", None, "mmol/L", 3.5, 5.0, 2.8, 6.2, ()),
    ("na=128", None, "mmol/L", 135.0, 145.0, 120.0, 160.0, ()),
    ("ica=1.0", None, "mmol/L", 1.12, 1.32, 0.82, 1.55, ()),
    # a unit of the system that is not its display unit: shown in the display unit
    ("ca=76mg/L", None, "mg/dL", 8.5, 10.2, 6.0, 13.0, ("value",)),
    ("ca=7.6mg%", None, "mg/dL", 8.5, 10.2, 6.0, 13.0, ("value",)),  # the same number
    ("ca=1900umol/L", None, "mmol/L", 2.15, 2.55, 1.5, 3.24, ("value",)),
    # mEq/L is conventional; potassium and sodium are shown in it, converted exactly
    ("k=3.1mEq/L", None, "mEq/L", 3.5, 5.0, 2.8, 6.2, ALL[1:]),
    ("na=128 mEq/L", None, "mEq/L", 135.0, 145.0, 120.0, 160.0, ALL[1:]),
    # calcium in mEq/L is judged by the SI entries (mEq/L is a substance unit to them):
    # shown in mg/dL, those limits converted, never the mg/dL entry's own numbers
    ("ca=4.3mEq/L", None, "mg/dL", 8.617, 10.22, 6.012, 12.99, ALL),
    # ionized calcium has critical limits in mmol/L only
    (
        "ica=4.4mg/dL",
        None,
        "mg/dL",
        4.5,
        5.3,
        3.286,
        6.212,
        ("critical", "cut_points.low", "cut_points.high"),
    ),
    # another system asked for: the applied limits converted
    ("ca=7.6mg/dL", "si", "mmol/L", 2.121, 2.545, 1.497, 3.244, ALL),
    ("mg=1.1mg/dL", "si", "mmol/L", 0.6994, 0.9875, 0.4114, 1.934, ALL),
    ("ca=1.9mmol/L", "conventional", "mg/dL", 8.617, 10.22, 6.012, 12.99, ALL),
    ("k=3.1mmol/L", "conventional", "mEq/L", 3.5, 5.0, 2.8, 6.2, ALL),
    ("na=128 mEq/L", "si", "mmol/L", 135.0, 145.0, 120.0, 160.0, ("value",)),
    # the system asked for is the value's own: as entered
    ("ca=7.6mg/dL", "conventional", "mg/dL", 8.5, 10.2, 6.0, 13.0, ()),
    ("k=3.1", "si", "mmol/L", 3.5, 5.0, 2.8, 6.2, ()),
]


def _token(text: str) -> tuple[str, str | None]:
    token, _, unit = text.partition(" ")
    return token, unit or None


@pytest.mark.parametrize(
    ("token", "system", "unit", "low", "high", "critical_low", "critical_high", "converted"),
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
def test_shown_numbers(
    ref: Reference,
    token: str,
    system: str | None,
    unit: str,
    low: float,
    high: float,
    critical_low: float,
    critical_high: float,
    converted: tuple[str, ...],
) -> None:
    text, separate = _token(token)
    result = interpret_token(ref, text, separate, units=UnitChoice(system))
    shown = result.shown
    assert shown is not None
    assert (shown.unit, shown.low, shown.high) == (unit, low, high)
    assert (shown.critical_low, shown.critical_high) == (critical_low, critical_high)
    assert shown.converted == converted
    assert shown.system == (system or ("si" if unit == "mmol/L" else "conventional"))
    # The same numbers from the function the table and other callers use.
    assert shown_limits(interpret_token(ref, text, separate), system) == shown


def test_seven_point_six_mg_per_dl_shows_the_mg_per_dl_interval(ref: Reference) -> None:
    result = interpret(ref, "ca", 7.6, "mg/dL")
    assert result.shown is not None
    assert interval_text(result.shown) == "8.5–10.2 mg/dL"
    assert critical_text(result.shown) == "6.0 / 13.0 mg/dL"
    # mmol/L stays in the record, as before
    assert (round(result.low, 3), round(result.high, 3)) == (2.121, 2.545)


def test_magnesium_in_mg_per_dl_shows_the_mg_per_dl_entry(ref: Reference) -> None:
    result = interpret(ref, "mg", 1.1, "mg/dL")
    assert result.shown is not None
    assert interval_text(result.shown) == "1.7–2.4 mg/dL"
    assert (result.shown.value, result.flag) == (1.1, "L")


def test_si_asked_for_a_mg_per_dl_value_shows_mmol_per_litre(ref: Reference) -> None:
    result = interpret(ref, "ca", 7.6, "mg/dL", units=UnitChoice("si"))
    assert result.shown is not None
    assert interval_text(result.shown) == "2.121–2.545 mmol/L"
    assert result.shown.value == 1.896
    # the interpretation itself does not change with the units shown
    plain = interpret(ref, "ca", 7.6, "mg/dL")
    assert dataclasses.replace(result, shown=plain.shown) == plain


CUTS = [
    (
        "ca",
        7.6,
        "mg/dL",
        None,
        {"low": {2: 8.0, 3: 7.0, 4: 6.0}, "high": {2: 11.5, 3: 12.5, 4: 13.5}},
    ),
    (
        "ca",
        1.9,
        "mmol/L",
        None,
        {"low": {2: 2.0, 3: 1.75, 4: 1.5}, "high": {2: 2.9, 3: 3.1, 4: 3.4}},
    ),
    ("mg", 1.1, "mg/dL", None, {"low": {2: 1.2, 3: 0.9, 4: 0.7}, "high": {3: 3.0, 4: 8.0}}),
    (
        "mg",
        1.1,
        "mg/dL",
        "si",
        {"low": {2: 0.4937, 3: 0.3703, 4: 0.288}, "high": {3: 1.234, 4: 3.292}},
    ),
    (
        "k",
        3.1,
        "mmol/L",
        "conventional",
        {"low": {3: 3.0, 4: 2.5}, "high": {2: 5.5, 3: 6.0, 4: 7.0}},
    ),
]


@pytest.mark.parametrize(("name", "value", "unit", "system", "cuts"), CUTS)
def test_grade_cut_points_in_the_unit_shown(
    ref: Reference,
    name: str,
    value: float,
    unit: str,
    system: str | None,
    cuts: dict[str, dict[int, float]],
) -> None:
    shown = interpret(ref, name, value, unit, units=UnitChoice(system)).shown
    assert shown is not None
    found: dict[str, dict[int, float]] = {}
    for side, grade, cut in shown.cut_points:
        found.setdefault(side, {})[grade] = cut
    assert found == cuts


def test_the_limits_of_the_patient_are_shown(ref: Reference) -> None:
    # Ten days old: the mg/dL band 8.0-10.4 applies, and the children's critical limits are
    # written in mmol/L only, so they are converted (not the adults' 6/13 mg/dL).
    report = run_check(ref, ["ca=7.6mg/dL"], Patient(10))
    shown = report.results[0].shown
    assert shown is not None
    assert (shown.low, shown.high) == (8.0, 10.4)
    assert (shown.critical_low, shown.critical_high) == (6.493, 12.7)
    assert shown.converted == ("critical",)


def test_a_corrected_result_is_shown_in_its_formula_unit_system(ref: Reference) -> None:
    _, corrected = run_check(ref, ["ca=7.6mg/dL", "alb=2.5g/dL"]).results
    assert corrected.shown is not None and corrected.analyte == "corrected_calcium"
    assert (corrected.shown.unit, corrected.shown.value) == ("mg/dL", 8.8)
    assert (corrected.shown.low, corrected.shown.high) == (8.5, 10.2)
    si = run_check(ref, ["ca=7.6mg/dL", "alb=2.5g/dL"], units=UnitChoice("si")).results[1]
    assert si.shown is not None and si.shown.unit == "mmol/L" and si.shown.low == 2.121


def test_json_shown_block(ref: Reference) -> None:
    data = interpret(ref, "ca", 7.6, "mg/dL").to_dict()
    assert data["shown"] == {
        "system": "conventional",
        "unit": "mg/dL",
        "value": 7.6,
        "low": 8.5,
        "high": 10.2,
        "critical_low": 6.0,
        "critical_high": 13.0,
        "cut_points": {
            "low": {"2": 8.0, "3": 7.0, "4": 6.0},
            "high": {"2": 11.5, "3": 12.5, "4": 13.5},
        },
        "converted": [],
    }


#: The keys of a result's JSON before ``shown``, in their order: scripts depend on them.
EARLIER_KEYS = [
    "analyte",
    "input",
    "value",
    "unit",
    "low",
    "high",
    "flag",
    "spasm_risk",
    "muscle_role",
    "effect",
    "cancer_causes",
    "notes",
    "label",
    "entered_value",
    "entered_unit",
    "unit_assumed",
    "critical_low",
    "critical_high",
    "grade",
    "grade_basis",
    "population",
]


@pytest.mark.parametrize("system", [None, "si", "conventional"])
def test_json_keeps_every_earlier_key_in_mmol_per_litre(ref: Reference, system: str | None) -> None:
    data = interpret(ref, "ca", 7.6, "mg/dL", units=UnitChoice(system)).to_dict()
    assert list(data) == [*EARLIER_KEYS, "shown", "medications"]
    assert (data["unit"], data["low"], data["high"]) == ("mmol/L", 2.121, 2.545)
    assert (data["critical_low"], data["critical_high"]) == (1.497, 3.244)


def test_a_result_without_its_limits_shows_nothing(ref: Reference) -> None:
    bare = dataclasses.replace(interpret(ref, "k", 4.1), shown=None, applied=None)
    assert shown_limits(bare) is None and bare.to_dict()["shown"] is None


def test_an_unknown_system_is_a_defect(ref: Reference) -> None:
    with pytest.raises(ValueError, match="unknown unit system"):
        shown_limits(interpret(ref, "k", 4.1), "metric")


def _flag_by(shown: Shown) -> str:
    v = shown.value
    if v < shown.critical_low:
        return "LL"
    if v < shown.low:
        return "L"
    if v <= shown.high:
        return "N"
    return "H" if v <= shown.critical_high else "HH"


def _ties(shown: Shown) -> bool:
    limits = (shown.low, shown.high, shown.critical_low, shown.critical_high)
    return shown.value in limits


# Each limit from both sides: the numbers shown place the value where its flag does.
EDGES = [
    ("ca", "mg/dL", [5.99, 6.0, 8.49, 8.5, 10.2, 10.21, 13.0, 13.01]),
    ("ca", "mmol/L", [1.49, 1.5, 2.14, 2.15, 2.55, 2.56, 3.24, 3.25]),
    ("mg", "mg/dL", [0.99, 1.0, 1.69, 1.7, 2.4, 2.41, 4.7, 4.71]),
    ("mg", "mmol/L", [0.4, 0.41, 0.69, 0.7, 0.99, 1.0, 1.93, 1.94]),
    ("k", "mmol/L", [2.79, 2.8, 3.49, 3.5, 5.0, 5.01, 6.2, 6.21]),
    ("k", "mEq/L", [2.79, 2.8, 3.49, 3.5, 5.0, 5.01, 6.2, 6.21]),
    ("na", "mEq/L", [119.9, 120, 134.9, 135, 145, 145.1, 160, 160.1]),
    ("ica", "mmol/L", [0.81, 0.82, 1.11, 1.12, 1.32, 1.33, 1.55, 1.56]),
]


@pytest.mark.parametrize(("name", "unit", "values"), EDGES)
def test_each_limit_from_both_sides_as_entered(
    ref: Reference, name: str, unit: str, values: list[float]
) -> None:
    flags = []
    for value in values:
        result = interpret(ref, name, value, unit)
        assert result.shown is not None
        assert result.shown.value == value
        assert _flag_by(result.shown) == result.flag, (value, result.shown)
        flags.append(result.flag)
    assert flags == ["LL", "L", "L", "N", "N", "H", "H", "HH"]


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["ca", "ica", "mg", "k", "na"]),
    unit=st.sampled_from(["mmol/L", "mg/dL", "mEq/L", "mg/L", "µmol/L", "mg%"]),
    number=st.decimals(min_value=0, max_value=300, places=2),
    system=st.sampled_from([None, "si", "conventional"]),
    age=st.sampled_from([None, 5, 100, 400, 2000, 8000]),
)
def test_the_numbers_shown_agree_with_the_flag(
    ref: Reference, name: str, unit: str, number: object, system: str | None, age: int | None
) -> None:
    try:
        result = interpret(
            ref, name, float(str(number)), unit, patient=Patient(age), units=UnitChoice(system)
        )
    except InputError:
        return
    shown = result.shown
    assert shown is not None
    assert shown.unit == ref.analytes[result.analyte].display_units.of(shown.system)
    if shown.converted and _ties(shown):
        return  # 4 significant digits on both sides of a limit: either side reads true
    assert _flag_by(shown) == result.flag, shown
