"""What is known about the patient: age, sex, and whether there are symptoms.

Reference intervals and critical limits may depend on age and sex, and CTCAE grades on
symptoms. Ages are held in days, so that a newborn's 10 days and an adult's 64 years are on
one scale; the calendar factors below are not clinical numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from electrocheck.errors import PatientError, quote

#: Days per age unit. A year is 365.25 days and a month a twelfth of it.
DAYS_PER: dict[str, float] = {
    "d": 1.0,
    "w": 7.0,
    "mo": 365.25 / 12,
    "y": 365.25,
}
_UNIT_WORDS: dict[str, str] = {
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
    "m": "mo",  # in ages, m is months (minutes make no sense here)
    "mo": "mo",
    "mos": "mo",
    "month": "mo",
    "months": "mo",
    "y": "y",
    "yr": "y",
    "yrs": "y",
    "year": "y",
    "years": "y",
}
_AGE = re.compile(r"\s*(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>[A-Za-z]*)\s*")
#: Oldest age accepted, in years: beyond it, the number is more likely a typo.
MAX_AGE_YEARS = 130

SEXES = ("female", "male")
_SEX_WORDS = {"f": "female", "female": "female", "w": "female", "m": "male", "male": "male"}
_SYMPTOM_WORDS = {
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "symptomatic": True,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
    "asymptomatic": False,
}

AGE_HELP = "years (64, 0.5) or with a unit: 10d, 6w, 6mo, 3y"


def parse_age(text: str) -> float:
    """An age in days from ``64`` (years), ``10d``, ``6w``, ``6mo`` or ``3y``.

    >>> from electrocheck import parse_age
    >>> parse_age("10d"), parse_age("6w"), parse_age("2y")
    (10.0, 42.0, 730.5)
    """
    match = _AGE.fullmatch(text)
    unit = _UNIT_WORDS.get(match.group("unit").casefold() or "y") if match else None
    if match is None or unit is None:
        raise PatientError(f"age {quote(text)}: expected {AGE_HELP}")
    number = float(match.group("number"))
    if number == 0 and unit == "y":
        # Exports that count whole years write 0 for every baby, and the limits of a newborn
        # and of a ten-month-old differ: refuse rather than guess day 0.
        raise PatientError(
            f"age {quote(text)}: 0 years does not say which limits apply; give a child under "
            "one year's age in days, weeks or months (10d, 6w, 6mo)"
        )
    days = number * DAYS_PER[unit]
    if not math.isfinite(days) or days > MAX_AGE_YEARS * DAYS_PER["y"]:
        raise PatientError(f"age {quote(text)} is not a plausible age")
    return days


def parse_sex(text: str) -> str:
    """``female`` or ``male`` from F, M, female, male (any case).

    >>> from electrocheck import parse_sex
    >>> parse_sex("F"), parse_sex(" Male ")
    ('female', 'male')
    """
    sex = _SEX_WORDS.get(text.strip().casefold())
    if sex is None:
        raise PatientError(f"sex {quote(text)}: expected female or male (F or M)")
    return sex


def parse_symptomatic(text: str) -> bool:
    """Whether a cell such as ``yes``, ``Y``, ``1``, ``no`` says there are symptoms."""
    found = _SYMPTOM_WORDS.get(text.strip().casefold())
    if found is None:
        raise PatientError(f"symptomatic {quote(text)}: expected yes or no")
    return found


def format_age(days: float) -> str:
    """An age in the unit a clinician would use: 10 d, 6 mo, 3 y."""
    for unit, limit in (("d", 28), ("mo", 2 * DAYS_PER["y"])):
        if days < limit:
            return f"{days / DAYS_PER[unit]:.3g} {unit}"
    return f"{days / DAYS_PER['y']:.3g} y"


@dataclass(frozen=True)
class AgeBand:
    """Ages from ``start`` (inclusive) to ``end`` (exclusive), in days."""

    start: float
    end: float
    text: str  # as written in the file: "11d to 3y"

    def holds(self, days: float) -> bool:
        return self.start <= days < self.end


@dataclass(frozen=True)
class Patient:
    """The patient a value belongs to. Everything is optional: with no age, adult limits
    apply, and the result's population says the age was not given.

    >>> from electrocheck import Patient, interpret, load_reference, parse_age, parse_sex
    >>> baby = Patient(age_days=parse_age("10d"), sex=parse_sex("F"), symptomatic=True)
    >>> baby.describe()
    'age 10 d, female'
    >>> ref = load_reference()
    >>> interpret(ref, "k", 3.1).population, interpret(ref, "k", 3.1, patient=baby).population
    ('adults (age not given)', 'age 7d to 30d; critical limits for age 0d to 28d')
    """

    age_days: float | None = None
    sex: str | None = None
    symptomatic: bool = False

    def describe(self) -> str:
        parts = ["age not given" if self.age_days is None else f"age {format_age(self.age_days)}"]
        if self.sex:
            parts.append(self.sex)
        return ", ".join(parts)


#: A patient of whom nothing is known: adult intervals, asymptomatic grades.
UNKNOWN = Patient()
