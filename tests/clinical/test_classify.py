"""The flag of a value in mmol/L against an interval and critical limits, each limit from both
sides, and the plausible bounds from both sides."""

from __future__ import annotations

import pytest

from electrocheck.clinical.classify import classify, plausible
from electrocheck.reference import Limits, Reference

INTERVAL = Limits(3.5, 5.1, "mmol/L", "test", 3.5, 5.1, "substance")
CRITICAL = Limits(2.5, 6.5, "mmol/L", "test", 2.5, 6.5, "substance")


@pytest.mark.parametrize(
    ("mmol", "flag"),
    [
        (2.4, "LL"),
        (2.5, "L"),  # at the critical limit: not beyond it
        (2.6, "L"),
        (3.4, "L"),
        (3.5, "N"),  # at the reference limit: within
        (4.2, "N"),
        (5.1, "N"),
        (5.2, "H"),
        (6.5, "H"),
        (6.6, "HH"),
    ],
)
def test_flag_of_each_limit_from_both_sides(mmol: float, flag: str) -> None:
    assert classify(mmol, INTERVAL, CRITICAL) == flag


@pytest.mark.parametrize("analyte", ["calcium", "magnesium", "potassium", "sodium"])
def test_plausible_bounds_from_both_sides(ref: Reference, analyte: str) -> None:
    record = ref.analytes[analyte]
    low, high = record.plausible.low_mmol, record.plausible.high_mmol
    assert plausible(record, low)
    assert plausible(record, high)
    assert plausible(record, (low + high) / 2)
    assert not plausible(record, low * 0.99)
    assert not plausible(record, high * 1.01)
