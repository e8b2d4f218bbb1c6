"""The flag of a value in mmol/L, and whether the value is plausible at all."""

from __future__ import annotations

from electrocheck.clinical.compare import above, below
from electrocheck.reference import Analyte, Limits


def classify(mmol: float, interval: Limits, critical: Limits) -> str:
    """The flag of a value in mmol/L against a reference interval and critical limits."""
    if below(mmol, critical.low_mmol):
        return "LL"
    if above(mmol, critical.high_mmol):
        return "HH"
    if below(mmol, interval.low_mmol):
        return "L"
    if above(mmol, interval.high_mmol):
        return "H"
    return "N"


def plausible(analyte: Analyte, mmol: float) -> bool:
    """Whether a value in mmol/L lies within the analyte's plausible bounds."""
    bounds = analyte.plausible
    return not (below(mmol, bounds.low_mmol) or above(mmol, bounds.high_mmol))
