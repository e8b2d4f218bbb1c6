"""Values handed to the Python API: Python numbers of any kind, and numeric text.

A notebook passes what it has: an ``int`` or ``float``, a ``Decimal``, a numpy scalar from a
frame, or the text of a cell (``"3.1"``, ``" 3.1 "``, ``"3.1 mmol/L"``). :func:`read_value`
turns each into the float the interpretation takes, and text by the number rules of the value
tokens (:func:`~electrocheck.units.tokens.parse_number`), so ``"3.1 mmol/L"`` reads as a token's
``3.1 mmol/L`` does. ``True`` is not 1 of anything, and NaN is not a missing value: both are
refused (``None``, the missing value, is the caller's to handle).

Nothing here imports numpy or decimal: a numpy scalar is a :class:`numbers.Real`, a
``Decimal`` is known by its type, and neither module is loaded unless the caller loaded it.
"""

from __future__ import annotations

import math
import sys
from typing import SupportsFloat, TypeAlias

from electrocheck.errors import ArgumentError, ValueTokenError, quote
from electrocheck.units.tokens import Written, parse_number

#: What the API takes for a value: any real number (int, float, Decimal, Fraction, a numpy
#: scalar), or its text, perhaps with a unit after it.
Value: TypeAlias = SupportsFloat | str

_NO_VALUE = "give a number such as 3.1, or None for no value"


def read_value(name: str, value: object) -> tuple[float, str]:
    """The number ``value`` holds, and the unit text written after it (``""`` when none).

    ``name`` is the analyte's name as given, for messages. Raises :class:`ArgumentError` for
    a value of a kind no number is (``True``, an object, a complex number) and
    :class:`ValueTokenError` for text that is not a number, NaN and infinities; a negative
    number is left to the interpretation, which refuses it with the other bad values.

    >>> read_value("k", " 3.1 mmol/L")
    (3.1, 'mmol/L')
    >>> from decimal import Decimal
    >>> read_value("k", Decimal("3.10"))
    (3.1, '')
    """
    if type(value) is float or isinstance(value, Written):  # the common cases, first
        number = value
    elif isinstance(value, str):
        return _read_text(name, value)
    else:
        number = _real(name, value)
    if math.isnan(number):
        raise ValueTokenError(
            f"{quote(f'{name}={value}')}: NaN is not a value; pass None for a missing value"
        )
    if math.isinf(number):
        raise ValueTokenError(f"{quote(f'{name}={value}')}: the value must be a finite number")
    return number, ""


def _read_text(name: str, text: str) -> tuple[float, str]:
    shown = f"{name}={text.strip()}"
    if not text.strip():
        raise ValueTokenError(f"{quote(shown)}: the text holds no number; {_NO_VALUE}")
    return parse_number(text, shown)


def _real(name: str, value: object) -> float:
    """A real number of a type other than int and float, as a float."""
    import numbers  # only for values that are neither float nor int

    if isinstance(value, bool) or type(value).__name__ in ("bool", "bool_"):  # numpy's too
        raise ArgumentError(f"{quote(name)}: the value {value!r} is not a number; {_NO_VALUE}")
    decimal = sys.modules.get("decimal")  # a Decimal exists only once decimal is imported
    is_decimal = decimal is not None and isinstance(value, decimal.Decimal)
    if not (is_decimal or isinstance(value, numbers.Real)):
        kind = type(value).__name__
        raise ArgumentError(f"{quote(name)}: the value must be a number, not {kind}; {_NO_VALUE}")
    try:
        if type(value).__module__ == "numpy" and not isinstance(value, numbers.Integral):
            # numpy prints a float32's 3.1 as 3.1; as a float it would be 3.0999999046...
            return float(str(value))
        return float(value)  # type: ignore[arg-type]
    except OverflowError:  # an int or Fraction beyond a float
        raise ValueTokenError(f"{quote(name)}: the number is too large") from None
    except (TypeError, ValueError) as exc:  # a signalling NaN, a number type that misbehaves
        raise ValueTokenError(f"{quote(name)}: not a usable number ({exc})") from None
