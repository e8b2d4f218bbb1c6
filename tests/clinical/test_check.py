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
