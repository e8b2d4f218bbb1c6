"""Values handed to the Python API: each kind of number and of text, and each refusal with its
message."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest

from electrocheck.errors import ArgumentError, ValueTokenError
from electrocheck.units.tokens import parse_number
from electrocheck.units.values import read_value

NO_VALUE = "give a number such as 3.1, or None for no value"


@pytest.mark.parametrize(
    ("value", "number", "unit"),
    [
        (3.1, 3.1, ""),
        (3, 3.0, ""),
        (0, 0.0, ""),
        (-1.0, -1.0, ""),  # a negative number is the interpretation's to refuse
        (" 3.1 mmol/L", 3.1, "mmol/L"),
        ("3.1", 3.1, ""),
        (Decimal("3.10"), 3.1, ""),
        (Fraction(31, 10), 3.1, ""),
    ],
)
def test_numbers_and_text_that_hold_a_number(value: object, number: float, unit: str) -> None:
    got = read_value("k", value)
    assert got == (number, unit)
    assert isinstance(got[0], float)


def test_a_number_that_remembers_its_digits_is_kept_as_it_is() -> None:
    written, _ = parse_number("3.10", "k=3.10")
    number, unit = read_value("k", written)
    assert number is written and unit == ""


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("  ", ValueTokenError, f"'k=': the text holds no number; {NO_VALUE}"),
        ("", ValueTokenError, f"'k=': the text holds no number; {NO_VALUE}"),
        (True, ArgumentError, f"'k': the value True is not a number; {NO_VALUE}"),
        (False, ArgumentError, f"'k': the value False is not a number; {NO_VALUE}"),
        (object(), ArgumentError, f"'k': the value must be a number, not object; {NO_VALUE}"),
        (1j, ArgumentError, f"'k': the value must be a number, not complex; {NO_VALUE}"),
        (
            float("nan"),
            ValueTokenError,
            "'k=nan': NaN is not a value; pass None for a missing value",
        ),
        (
            Decimal("NaN"),
            ValueTokenError,
            "'k=NaN': NaN is not a value; pass None for a missing value",
        ),
        (float("inf"), ValueTokenError, "'k=inf': the value must be a finite number"),
        (float("-inf"), ValueTokenError, "'k=-inf': the value must be a finite number"),
        (Decimal("Infinity"), ValueTokenError, "'k=Infinity': the value must be a finite number"),
        (10**400, ValueTokenError, "'k': the number is too large"),
        (Fraction(10**400, 1), ValueTokenError, "'k': the number is too large"),
        (
            Decimal("sNaN"),
            ValueTokenError,
            "'k': not a usable number (cannot convert signaling NaN to float)",
        ),
    ],
)
def test_what_is_not_a_value_is_refused_with_its_message(
    value: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        read_value("k", value)
    assert str(info.value) == message


class _Numpyish(float):
    """A stand-in for a numpy float32: a real number from module ``numpy`` whose float has
    more digits than its text."""

    __module__ = "numpy"

    def __str__(self) -> str:
        return "3.1"


class _NumpyBool:
    """A stand-in for numpy's bool_, which is not a Python bool."""


_NumpyBool.__name__ = "bool_"


def test_a_numpy_float_is_read_by_its_text() -> None:
    assert read_value("k", _Numpyish(3.0999999046325684)) == (3.1, "")


def test_a_numpy_boolean_is_not_a_value() -> None:
    with pytest.raises(ArgumentError, match="is not a number"):
        read_value("k", _NumpyBool())


def test_a_float_is_returned_for_an_int() -> None:
    number, _ = read_value("k", 3)
    assert isinstance(number, float) and not math.isnan(number)


def test_text_that_is_no_number_is_refused_naming_it() -> None:
    with pytest.raises(ValueTokenError) as info:
        read_value("k", "abc")
    assert str(info.value).startswith("'k=abc': 'abc' is not a number")


class _NumpyTwoBool:
    """A stand-in for numpy 2's bool, named ``bool`` but not Python's."""


_NumpyTwoBool.__name__ = "bool"


def test_a_numpy_2_boolean_is_not_a_value() -> None:
    with pytest.raises(ArgumentError, match="is not a number"):
        read_value("k", _NumpyTwoBool())
