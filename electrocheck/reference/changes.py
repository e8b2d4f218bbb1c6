"""The records of the reference file's ``changes`` section: how a patient's results of one
analyte are compared in time order (how fast a low value may be raised, a laboratory's delta
checks, a trend). Amounts are in mmol/L, periods in hours. (Named tuples rather than frozen
dataclasses: they are defined at every start, and cost less.)"""

from __future__ import annotations

from typing import NamedTuple


class RiseLimit(NamedTuple):
    """At most ``rise`` mmol/L within ``hours``, as ``cite`` (a key of ``sources``) says."""

    rise: float
    hours: float
    source: str
    cite: str  # how a note names the source: "Spasovski 2014"


class CorrectionRate(NamedTuple):
    """How fast a low value of ``analyte`` may be raised: each of ``limits``."""

    analyte: str
    limits: tuple[RiseLimit, ...]
    note: str  # why it matters, said after the limit


class DeltaCheck(NamedTuple):
    """A laboratory's delta check: a result that differs from the previous one of ``analyte``
    by more than ``change`` mmol/L within ``hours`` is reviewed before release."""

    analyte: str
    change: float
    hours: float
    source: str
    cite: str


class TrendRule(NamedTuple):
    """``results`` or more consecutive results moving one way, by at least ``min_change``
    (analyte, mmol/L) in all."""

    results: int
    min_change: tuple[tuple[str, float], ...]
    source: str


class Changes(NamedTuple):
    """The ``changes`` section; empty where a file has none.

    >>> from electrocheck import load_reference
    >>> changes = load_reference().changes
    >>> [(x.rise, x.hours) for x in changes.correction_rates[0].limits]
    [(10.0, 24.0), (18.0, 48.0)]
    """

    correction_rates: tuple[CorrectionRate, ...] = ()
    delta_checks: tuple[DeltaCheck, ...] = ()
    trend: TrendRule | None = None

    @property
    def empty(self) -> bool:
        return not (self.correction_rates or self.delta_checks or self.trend)


__all__ = ["Changes", "CorrectionRate", "DeltaCheck", "RiseLimit", "TrendRule"]
