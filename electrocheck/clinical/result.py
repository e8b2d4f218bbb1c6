"""The one result record: what a value means, in the form ``check``, batch and JSON share.

Also the flags in their order, and the rules for the numbers a result reports (significant
digits, float noise), so every output rounds alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from electrocheck.reference import Analyte, Limits
from electrocheck.units.resolve import MMOL_PER_L, Unit

#: Interpretation flags (HL7 v2 table 0078 / FHIR ObservationInterpretation), low to high.
FLAGS: tuple[str, ...] = ("LL", "L", "N", "H", "HH")
ABNORMAL = frozenset({"LL", "L", "H", "HH"})
FLAG_WORDS = {
    "LL": "critically low",
    "L": "low",
    "N": "normal",
    "H": "high",
    "HH": "critically high",
}
CRITICAL = frozenset({"LL", "HH"})

#: Significant digits of the numbers electrocheck reports (not of those it compares).
REPORT_DIGITS = 4


def report_round(value: float) -> float:
    """Round a reported number to :data:`REPORT_DIGITS` significant digits."""
    return float(f"{value:.{REPORT_DIGITS}g}")


#: Significant digits a computed value (a corrected calcium) keeps before it is compared:
#: enough for any real difference, few enough to drop the float noise of arithmetic
#: (7.2 + 0.8 x 1.0 = 8.000000000000002 must meet the cut-point 8.0 as 8.0).
COMPUTED_DIGITS = 10


def denoise(value: float) -> float:
    """A computed value rounded to :data:`COMPUTED_DIGITS` significant digits."""
    return float(f"{value:.{COMPUTED_DIGITS}g}")


def format_number(value: float) -> str:
    """A reported number as text, without float noise or a trailing ``.0``; a number that
    remembers its digits (as the reference file or the user wrote it) keeps them."""
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else f"{report_round(value):g}"


# Applied and Shown are named tuples, not dataclasses: defining a frozen dataclass costs more at
# every start of the program.


class Applied(NamedTuple):
    """What a result was judged by, as the reference file writes it: the analyte whose limits
    apply (calcium for corrected calcium), the unit of the value, and the reference interval
    and critical limits chosen. Enough to show the limits in any unit
    (:func:`electrocheck.clinical.shown.shown_limits`)."""

    analyte: Analyte
    unit: Unit
    interval: Limits
    critical: Limits


class Shown(NamedTuple):
    """A result's value, limits and grade cut-points in the unit they are shown in: the
    display unit of a unit system (the value's own, or one asked for). Each number is as the
    reference file writes it where the limits applied are written in this unit, and else
    converted from them (see ``converted``); never another entry's numbers.

    >>> from electrocheck import interpret, load_reference
    >>> shown = interpret(load_reference(), "ca", 7.6, "mg/dL").shown
    >>> (shown.unit, shown.low, shown.high, shown.critical_low)
    ('mg/dL', 8.5, 10.2, 6.0)
    """

    system: str  # "si" or "conventional"
    unit: str
    value: float
    low: float
    high: float
    critical_low: float
    critical_high: float
    cut_points: tuple[tuple[str, int, float], ...]  # (side, grade, value), low side first
    converted: tuple[str, ...]  # what was converted: value, interval, critical, cut_points.low

    def to_dict(self) -> dict[str, Any]:
        """The ``shown`` block of a result's JSON."""
        return {
            "system": self.system,
            "unit": self.unit,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "critical_low": self.critical_low,
            "critical_high": self.critical_high,
            "cut_points": {
                side: {str(g): v for s, g, v in self.cut_points if s == side} or None
                for side in ("low", "high")
            },
            "converted": list(self.converted),
        }


class Explanation(NamedTuple):
    """A medicine of the patient that explains a result: its generic name, the name it was
    given as (a brand name, an ATC code), what it does (the mechanism) and when (the onset),
    and the source that says so."""

    drug: str
    given_as: str
    effect: str
    source: str
    onset: str = ""

    def to_dict(self) -> dict[str, str]:
        """One entry of a result's ``medications`` in JSON."""
        return {
            "drug": self.drug,
            "given_as": self.given_as,
            "effect": self.effect,
            "source": self.source,
        }


@dataclass(frozen=True)
class Result:
    """The interpretation of one value. Numbers are in mmol/L unless named ``entered_*``;
    ``shown`` holds them in the unit the value was entered in (or the one asked for).

    >>> from electrocheck import interpret, load_reference
    >>> result = interpret(load_reference(), "k", 2.6)
    >>> (result.flag, result.grade, result.critical, result.spasm_risk)
    ('LL', 3, True, 'moderate')
    >>> (result.low, result.high, result.entered_unit, result.unit_assumed)
    (3.5, 5.0, 'mmol/L', True)
    """

    analyte: str
    label: str
    input: str
    entered_value: float
    entered_unit: str
    unit_assumed: bool
    value: float
    low: float
    high: float
    critical_low: float
    critical_high: float
    flag: str
    grade: int | None
    grade_basis: str
    population: str  # whom the limits are for: "adults (age not given)", "age 11d to 3y"
    spasm_risk: str
    muscle_role: str
    effect: str | None
    cancer_causes: tuple[str, ...]
    notes: tuple[str, ...]
    # The value and limits in the unit shown: the display unit of the value's unit system, or
    # of the system asked for (--units). None only for a result built by hand.
    shown: Shown | None = None
    # What the result was judged by, for showing it in another unit (not part of the JSON).
    applied: Applied | None = field(default=None, repr=False, compare=False)
    # The patient's medicines that explain an abnormal result, by drug name (``check --on``).
    medications: tuple[Explanation, ...] = ()

    @property
    def abnormal(self) -> bool:
        return self.flag in ABNORMAL

    @property
    def critical(self) -> bool:
        return self.flag in CRITICAL

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this result; scripts depend on these names."""
        return {
            "analyte": self.analyte,
            "input": self.input,
            "value": report_round(self.value),
            "unit": MMOL_PER_L,
            "low": report_round(self.low),
            "high": report_round(self.high),
            "flag": self.flag,
            "spasm_risk": self.spasm_risk,
            "muscle_role": self.muscle_role,
            "effect": self.effect,
            "cancer_causes": list(self.cancer_causes),
            "notes": list(self.notes),
            "label": self.label,
            "entered_value": self.entered_value,
            "entered_unit": self.entered_unit,
            "unit_assumed": self.unit_assumed,
            "critical_low": report_round(self.critical_low),
            "critical_high": report_round(self.critical_high),
            "grade": self.grade,
            "grade_basis": self.grade_basis,
            "population": self.population,
            "shown": None if self.shown is None else self.shown.to_dict(),
            "medications": [m.to_dict() for m in self.medications],
        }


def assumed_unit_note(unit: str, source: str | None = None) -> str:
    """The note a result carries when its unit was not given; ``source`` says where the unit
    came from when it is not the reference file's default unit (``ELECTROCHECK_DEFAULT_UNITS``,
    ``--units conventional``)."""
    note = f"no unit given: {unit} assumed"
    return note if source is None else f"{note} ({source})"
