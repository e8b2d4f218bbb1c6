"""A bounded fuzz run of every target in tests/fuzz.py (the long run is in the README)."""

from __future__ import annotations

import pytest
from fuzz import run  # pytest puts tests/ on sys.path (no __init__.py: "prepend" imports)

CASES = {"tokens": 3000, "reference": 250, "csv": 80, "cli": 300}


@pytest.mark.parametrize("target", sorted(CASES))
def test_fuzz_finds_nothing(target: str) -> None:
    tried, failures = run(target, CASES[target], None, seed=7)
    assert tried == CASES[target]
    assert failures == []
