from __future__ import annotations

import pickle

import pytest

from electrocheck.clinical.result import format_number
from electrocheck.errors import ValueTokenError, quote
from electrocheck.units.tokens import Written, parse_token, written


@pytest.mark.parametrize(
    ("text", "name", "value", "unit"),
    [
        ("ca=7.6mg/dL", "ca", 7.6, "mg/dL"),
        ("ca=7.6 mg/dL", "ca", 7.6, "mg/dL"),
        ("na=128 mEq/L", "na", 128.0, "mEq/L"),
        ("k=3.1", "k", 3.1, ""),
        ("K = 3.1", "K", 3.1, ""),
        ("k=.5", "k", 0.5, ""),
        ("k=4.", "k", 4.0, ""),
        ("k=+4.1", "k", 4.1, ""),
        ("potassium=0", "potassium", 0.0, ""),
    ],
)
def test_tokens_parse(text: str, name: str, value: float, unit: str) -> None:
    token = parse_token(text)
    assert (token.name, token.value, token.unit) == (name, value, unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("k", "expected NAME=NUMBER[UNIT]"),
        ("=4", "expected NAME=NUMBER[UNIT]"),
        ("k=", "no value after '='"),
        ("k=abc", "'abc' is not a number"),
        ("k=-3.1", "is negative"),
        ("k=nan", "not a finite number"),
        ("k=inf", "not a finite number"),
        ("k=-inf", "is negative"),
        ("k=4,1", "decimal point"),
        ("k=" + "9" * 400, "too large"),
    ],
)
def test_bad_tokens_name_the_token(text: str, expected: str) -> None:
    with pytest.raises(ValueTokenError) as info:
        parse_token(text)
    assert quote(text) in str(info.value) and expected in str(info.value)
    assert len(str(info.value)) < 200


@pytest.mark.parametrize("text", ["k=٣.١", "k=４.１"])
def test_only_ascii_digits_are_numbers(text: str) -> None:
    with pytest.raises(ValueTokenError, match="is not a number"):
        parse_token(text)


@pytest.mark.parametrize(
    ("text", "right_form"),
    [
        ("k=3.1,na=128", "k=3.1 na=128"),
        ("k=3.1, na=128 mEq/L", "k=3.1 na=128 mEq/L"),
        ("k=3.1;na=128;mg=0.5", "k=3.1 na=128 mg=0.5"),
    ],
)
def test_values_run_together_get_the_right_form(text: str, right_form: str) -> None:
    with pytest.raises(ValueTokenError, match="one value per argument") as caught:
        parse_token(text)
    assert str(caught.value).endswith(f"separated by spaces: {right_form}")


@pytest.mark.parametrize(
    ("token", "digits"),
    [("ica=1.0", "1.0"), ("mg=0.70", "0.70"), ("k=+3.10", "3.10"), ("k=.5", "0.5"), ("k=4.", "4")],
)
def test_a_token_keeps_the_digits_it_was_written_with(token: str, digits: str) -> None:
    value = parse_token(token).value
    assert format_number(value) == digits
    assert value == float(digits)  # and is the number it says


def test_a_written_number_computes_as_a_plain_float() -> None:
    value = written("5.0")
    assert isinstance(value, Written) and value == 5.0 and hash(value) == hash(5.0)
    for computed in (value * 1.0, value + 0, value / 2):
        assert type(computed) is float and format_number(computed) != "5.0"
    assert pickle.loads(pickle.dumps(value)).text == "5.0"
    assert format_number(5.0) == "5" and format_number(0.1 + 0.2) == "0.3"


EXAMPLE = "expected NAME=NUMBER[UNIT], e.g. ca=9.2mg/dL or k=4.1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("k=-1", "'k=-1': '-1' is negative, and a concentration cannot be"),
        ("k= -1 ", "'k= -1 ': '-1' is negative, and a concentration cannot be"),
        ("k=+nan", "'k=+nan': '+nan' is not a finite number"),
        ("k=Inf", "'k=Inf': 'Inf' is not a finite number"),
        ("k=Xnan", f"'k=Xnan': 'Xnan' is not a number; {EXAMPLE}"),
        ("k=3,1", "'k=3,1': use a decimal point, not a comma ('3,1')"),
        ("k=3,1mmol/L", "'k=3,1mmol/L': use a decimal point, not a comma ('3,1mmol/L')"),
        ("k=3,1a", "'k=3,1a': use a decimal point, not a comma ('3,1a')"),
        ("k=3,1١", "'k=3,1١': use a decimal point, not a comma ('3,1١')"),
        (
            "k=3.1,na=128",
            "'k=3.1,na=128': one value per argument, separated by spaces: k=3.1 na=128",
        ),
    ],
)
def test_refusals_name_the_text_as_written(text: str, message: str) -> None:
    with pytest.raises(ValueTokenError) as info:
        parse_token(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("k=3,", ","),  # a comma with no digit after it is not a decimal comma
        ("k=3,a", ",a"),
        ("k=3,١", ",١"),  # nor one with a digit that is not ASCII
        ("k=3x1", "x1"),  # a digit after something else is part of the unit text
    ],
)
def test_a_comma_is_refused_only_before_an_ascii_digit(text: str, unit: str) -> None:
    token = parse_token(text)
    assert (token.text, token.value, token.unit) == (text, 3.0, unit)


@pytest.mark.parametrize(("text", "value", "digits"), [("10.", 10.0, "10"), ("+.5", 0.5, "0.5")])
def test_written_numbers_drop_only_the_point_and_the_sign(
    text: str, value: float, digits: str
) -> None:
    number = written(text)
    assert (number, number.text) == (value, digits)
