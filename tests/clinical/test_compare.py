"""Comparing a value with a limit: strictly beyond, by more than float noise, from both sides."""

from __future__ import annotations

import pytest

from electrocheck.clinical.compare import LIMIT_TOLERANCE, above, below


def test_the_tolerance_is_one_part_in_a_billion() -> None:
    assert LIMIT_TOLERANCE == 1e-9


@pytest.mark.parametrize(
    ("value", "limit", "is_below", "is_above"),
    [
        (2.0, 2.0, False, False),  # equal: neither
        (2.0 * (1 - 0.5e-9), 2.0, False, False),  # within the tolerance below: equal
        (2.0 * (1 + 0.5e-9), 2.0, False, False),  # within the tolerance above: equal
        (2.0 * (1 - 2e-9), 2.0, True, False),  # just past the tolerance below
        (2.0 * (1 + 2e-9), 2.0, False, True),  # just past the tolerance above
        (1.9, 2.0, True, False),
        (2.1, 2.0, False, True),
        (0.0, 0.0, False, False),
        (-1.0, 0.0, True, False),
        (1.0, 0.0, False, True),
    ],
)
def test_below_and_above(value: float, limit: float, is_below: bool, is_above: bool) -> None:
    assert below(value, limit) is is_below
    assert above(value, limit) is is_above


def test_85_mg_per_l_equals_8_5_mg_per_dl_despite_float_noise() -> None:
    # The same calcium through two float factors differs in the last bits.
    in_mmol_from_mg_l = 85 / 40.078
    in_mmol_from_mg_dl = 8.5 * 10 / 40.078
    assert not below(in_mmol_from_mg_l, in_mmol_from_mg_dl)
    assert not above(in_mmol_from_mg_l, in_mmol_from_mg_dl)
