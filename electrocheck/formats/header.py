"""Finding the header under lines of title: what a header line looks like.

Lab exports often open with a title, a date or a patient line above the column names. A
reader looks for the header among the first :data:`TITLE_LINES` lines (or rows of a sheet)
by one rule for both (:func:`choose_header`): the first that looks like a header
(:func:`looks_like_header`), in which the caller finds a layout, and that has as many fields
as the record below it. A line of data is never taken for one: it holds values.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


def choose_header(
    first: int,
    row_at: Callable[[int], list[str] | None],
    row_after: Callable[[int], list[str] | None],
    accept: Callable[[list[str]], bool],
) -> int:
    """The index of the header at or below ``first``: ``row_at(i)`` is the row at ``i`` (None
    when blank or past the end), ``row_after(i)`` the record below it, and ``accept`` says
    whether the caller finds a layout in a row.

    A title that names an analyte ("Potassium", "Report: Calcium, Magnesium") is accepted as
    a header too, but the header is the row that starts the records: it has as many fields
    as the record below it. So the first row is kept when it is accepted and fits; else the
    first row below that looks like a header, is accepted and fits; else, when the first row
    is not accepted, the first below that looks like a header and is accepted."""
    header = row_at(first) or []
    accepted = accept(header)
    if accepted and _fits(header, row_after(first)):
        return first
    for fitting in (True,) if accepted else (True, False):
        for candidate in range(first + 1, TITLE_LINES):
            row = row_at(candidate)
            if row is None or not (looks_like_header(row) and accept(row)):
                continue
            if not fitting or _fits(row, row_after(candidate)):
                return candidate
    return first


def _fits(header: list[str], record: list[str] | None) -> bool:
    """Whether the record below a header has as many fields (or there is none at hand)."""
    return record is None or len(record) == len(header)


__all__ = ["TITLE_LINES", "choose_header", "looks_like_header"]
