"""The one result record: what a value means, in the form ``check``, batch and JSON share.

Also the flags in their order, and the rules for the numbers a result reports (significant
digits, float noise), so every output rounds alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from electrocheck.units.resolve import MMOL_PER_L

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
    """A reported number as text, without float noise or a trailing ``.0``."""
    return f"{report_round(value):g}"


@dataclass(frozen=True)
class Result:
    """The interpretation of one value. Numbers are in mmol/L unless named ``entered_*``."""

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
        }


def assumed_unit_note(unit: str) -> str:
    """The note a result carries when its unit was not given."""
    return f"no unit given: {unit} assumed"
