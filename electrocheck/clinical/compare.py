"""Comparing a value with a limit, the same way everywhere.

A value and a limit written in different units (85 mg/L against 8.5 mg/dL) pass through
different float factors and can differ in the last bits; one part in 1e9 is far below any
lab's resolution and far above that noise. Flags, grades and the batch engine all use it.
"""

from __future__ import annotations

#: Relative margin within which a value counts as equal to a limit.
LIMIT_TOLERANCE = 1e-9


def below(value: float, limit: float) -> bool:
    """``value`` is below ``limit`` by more than float noise."""
    return value < limit * (1 - LIMIT_TOLERANCE)


def above(value: float, limit: float) -> bool:
    """``value`` is above ``limit`` by more than float noise."""
    return value > limit * (1 + LIMIT_TOLERANCE)
