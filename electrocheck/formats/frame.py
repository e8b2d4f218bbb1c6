"""The frame a reader hands over: the names of its columns.

A reader of delimited text (:mod:`electrocheck.formats.delimited`) gives every batch of rows
as text columns named by position, ``c0``, ``c1`` ..., whatever the header says (a header may
repeat names), and may add :data:`ROW_ERROR` for the rows it could not read whole. Whoever
interprets the batches (:mod:`electrocheck.batch`) reads them by these names.
"""

from __future__ import annotations

#: The column in which a reader hands over a row's structural problem (too many fields).
ROW_ERROR = "x_row_error"


def internal_names(count: int) -> list[str]:
    """Column names used inside the engine, whatever the header says (it may repeat names)."""
    return [f"c{i}" for i in range(count)]


__all__ = ["ROW_ERROR", "internal_names"]
