from __future__ import annotations

import pytest

from electrocheck.clinical.check import group_arguments, run_check
from electrocheck.errors import InputError, ValueTokenError
from electrocheck.reference import Reference


def test_unit_may_be_a_separate_argument() -> None:
    assert group_arguments(["na=128", "mEq/L", "k=4"]) == [("na=128", "mEq/L"), ("k=4", None)]


@pytest.mark.parametrize("args", [["mEq/L"], ["k=4", "mmol/L", "mmol/L"]])
def test_stray_unit_argument_is_an_error(args: list[str]) -> None:
    with pytest.raises(ValueTokenError):
        group_arguments(args)


def test_unit_twice_is_an_error(ref: Reference) -> None:
    with pytest.raises(ValueTokenError, match="one too many"):
        run_check(ref, ["k=4mmol/L", "mEq/L"])


def test_brief_example(ref: Reference) -> None:
    report = run_check(ref, ["ca=7.6mg/dL", "mg=1.1mg/dL", "k=3.1", "na=128"])
    assert [(r.analyte, r.flag) for r in report.results] == [
        ("calcium", "L"),
        ("magnesium", "L"),
        ("potassium", "L"),
        ("sodium", "L"),
    ]
    assert report.reference == "built-in"


def test_duplicate_analyte_is_warned(ref: Reference) -> None:
    report = run_check(ref, ["k=4.1", "K=3.0"])
    assert len(report.results) == 2 and "potassium was given 2 times" in report.warnings[0]


@pytest.mark.parametrize(
    ("values", "condition", "fails"),
    [
        (["k=4.1"], "abnormal", False),
        (["k=3.4"], "abnormal", True),
        (["k=3.4"], "critical", False),
        (["k=2.7"], "critical", True),
        (["k=7.0"], "critical", True),
        (["k=2.7"], None, False),
    ],
)
def test_fail_on(ref: Reference, values: list[str], condition: str | None, fails: bool) -> None:
    assert run_check(ref, values).fails(condition) is fails


def test_first_bad_value_stops_the_check(ref: Reference) -> None:
    with pytest.raises(InputError):
        run_check(ref, ["k=4.1", "na=abc"])


# One value that cannot be read hides nothing else: with keep_going, each bad value is an
# error of the report and the others are interpreted.
KEEP_GOING = [
    # (arguments, analytes interpreted, the start of each error)
    (["k=3.1", "ca=9.2"], ["potassium"], ["'ca=9.2': 9.2 mmol/L is not a plausible calcium"]),
    (["k=abc", "na=128"], ["sodium"], ["'k=abc': 'abc' is not a number"]),
    (["K", "3.1", "na=128"], ["sodium"], ["'K 3.1': join the name and the number with '=': K=3.1"]),
    (["k=3.1,na=128"], [], ["'k=3.1,na=128': one value per argument, separated by spaces"]),
    (["chloride=100", "k=4", "x=1"], ["potassium"], ["unknown analyte 'chloride'", "unknown"]),
    (["ca=2", "alb=3", "alb=4"], ["calcium", "corrected_calcium"], ["'alb=4': albumin was"]),
    (["mEq/L", "k=4"], ["potassium"], ["'mEq/L': expected NAME=NUMBER[UNIT]"]),
]


@pytest.mark.parametrize(("args", "analytes", "errors"), KEEP_GOING)
def test_keep_going_reports_each_bad_value_and_interprets_the_rest(
    ref: Reference, args: list[str], analytes: list[str], errors: list[str]
) -> None:
    report = run_check(ref, args, keep_going=True)
    assert [r.analyte for r in report.results] == analytes
    assert len(report.errors) == len(errors)
    for error, start in zip(report.errors, errors, strict=True):
        assert error.startswith(start) or start in error
    assert report.to_dict()["errors"] == list(report.errors)


@pytest.mark.parametrize(("args", "analytes", "errors"), KEEP_GOING)
def test_without_keep_going_the_first_bad_value_raises(
    ref: Reference, args: list[str], analytes: list[str], errors: list[str]
) -> None:
    with pytest.raises(InputError):
        run_check(ref, args)


def test_a_good_check_has_no_errors(ref: Reference) -> None:
    assert run_check(ref, ["k=3.1"], keep_going=True).errors == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["K", "3.1"], "'K 3.1': join the name and the number with '=': K=3.1"),
        (["na", "128", "k=4"], "'na 128': join the name and the number with '=': na=128"),
        (["K", "k=3.1"], "'K': expected NAME=NUMBER[UNIT]"),
        (["K", "mmol/L"], "'K': expected NAME=NUMBER[UNIT]"),
    ],
)
def test_a_name_and_number_apart_get_the_right_form(args: list[str], message: str) -> None:
    with pytest.raises(ValueTokenError) as caught:
        group_arguments(args)
    assert str(caught.value) == message or str(caught.value).startswith(message)


def test_nothing_to_interpret_is_an_error(ref: Reference) -> None:
    with pytest.raises(ValueTokenError, match="no electrolyte value to interpret; no value"):
        run_check(ref, [])
