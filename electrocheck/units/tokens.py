"""Parsing the value tokens of ``electrocheck check``: ``NAME=NUMBER[UNIT]``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from electrocheck.errors import ValueTokenError, quote

# A plain decimal number: labs do not send exponents, and refusing them keeps "2e" from
# silently meaning something.
#: A plain decimal number, in ASCII digits (Python's \\d would also take "٣.١").
NUMBER_PATTERN = r"\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_NUMBER = re.compile(rf"\s*({NUMBER_PATTERN})\s*")
_EXAMPLE = "expected NAME=NUMBER[UNIT], e.g. ca=9.2mg/dL or k=4.1"


class Written(float):
    """A number that remembers how it was written, so that it is shown with its digits:
    ``5.0`` stays ``5.0`` and ``0.70`` stays ``0.70`` where ``f"{x:g}"`` gives ``5`` and
    ``0.7``. It compares, hashes and computes as the float it is; arithmetic gives a plain
    float, so a converted or computed number never carries digits it does not have."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, value: float, text: str) -> Written:
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __reduce__(self) -> tuple[type[Written], tuple[float, str]]:
        return (Written, (float(self), self.text))


def written(text: str) -> Written:
    """The number of a plain decimal ``text`` (``+3.10``, ``.5``, ``3.``), as written:
    without a sign, with a digit before and after any decimal point."""
    digits = text.lstrip("+")
    if digits.endswith("."):
        digits = digits[:-1]
    if digits.startswith("."):
        digits = "0" + digits
    return Written(float(digits), digits)


@dataclass(frozen=True)
class Token:
    """One parsed value token."""

    text: str  # as the user wrote it
    name: str
    value: float
    unit: str  # "" when none was given


def parse_number(text: str, token: str) -> tuple[float, str]:
    """Split ``text`` into a non-negative finite number and the unit text after it."""
    match = _NUMBER.match(text)
    if match is None:
        raise ValueTokenError(f"{quote(token)}: {_not_a_number(text)}")
    value = written(match.group(1))
    if not math.isfinite(value):  # digits only, but "1" * 400 overflows to inf
        raise ValueTokenError(f"{quote(token)}: the number is too large")
    rest = text[match.end() :]
    if rest[:1] == "," and rest[1:2].isascii() and rest[1:2].isdigit():
        raise ValueTokenError(
            f"{quote(token)}: use a decimal point, not a comma ({quote(text.strip())})"
        )
    return value, rest.strip()


def _not_a_number(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return f"no value after '='; {_EXAMPLE}"
    if stripped.startswith("-"):
        return f"{quote(stripped)} is negative, and a concentration cannot be"
    if stripped.lstrip("+").casefold().startswith(("nan", "inf")):
        return f"{quote(stripped)} is not a finite number"
    return f"{quote(stripped)} is not a number; {_EXAMPLE}"


def parse_token(text: str) -> Token:
    """Parse ``NAME=NUMBER[UNIT]``; the unit may follow the number with or without a space."""
    name, sep, rest = text.partition("=")
    if not sep or not name.strip():
        raise ValueTokenError(f"{quote(text)}: {_EXAMPLE}")
    if "=" in rest:
        raise ValueTokenError(f"{quote(text)}: {_one_per_argument(text)}")
    value, unit = parse_number(rest, text)
    return Token(text=text, name=name.strip(), value=value, unit=unit)


def _one_per_argument(text: str) -> str:
    """The message for several values run together (``k=3.1,na=128``), with the right form."""
    parts = [part for part in re.split(r"[\s,;]+", text) if part]
    return f"one value per argument, separated by spaces: {' '.join(parts)}"
