"""Finding the header under lines of title: what a header line looks like.

Lab exports often open with a title, a date or a patient line above the column names. A
reader looks for the header among the first :data:`TITLE_LINES` lines (or rows of a sheet):
the first that looks like a header (:func:`looks_like_header`) and in which the caller finds
a layout. A line of data is never taken for one: it holds values.
"""

from __future__ import annotations

import re

#: The header is looked for among this many lines (or rows) at the top of a file.
TITLE_LINES = 20

#: A field that reads as a value (``4.1``, ``128 mEq/L``, ``<0.6``, ``1001``), not a name;
#: a LOINC code (``17861-6``) or a date is not one.
_VALUE = re.compile(
    r"\s*[<>]?=?\s*[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)\s*(?:(?:[^\W\d_]|[%/]).*)?"
)


def looks_like_header(fields: list[str]) -> bool:
    """Two names or more, and no field that reads as a value: not a row of data."""
    names = [field for field in fields if field.strip()]
    return len(names) >= 2 and not any(_VALUE.fullmatch(field) for field in names)


__all__ = ["TITLE_LINES", "looks_like_header"]
