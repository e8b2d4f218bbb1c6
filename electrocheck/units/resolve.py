"""Unit spellings and conversion to mmol/L.

A unit goes through three steps:

1. *Spelling.* White space is dropped and both micro characters (U+00B5 MICRO SIGN and
   U+03BC GREEK SMALL LETTER MU) become ``u``. The result is looked up as written among
   :data:`~electrocheck.units.spellings.EXACT_SPELLINGS` (``mM``, ``mval/l``: spellings whose
   meaning changes with their case), then, ignoring case, among
   :data:`~electrocheck.units.spellings.LAB_SPELLINGS`, the clinical spellings that lab systems
   export in any case (``MMOL/L``, ``MG/DL``, ``mEq/l``). Only these are matched without
   regard to case: pint is case sensitive, and lower-casing blindly would be wrong elsewhere
   (``MMOL/L`` read by pint as written is megamole per litre). A spelling not in the lists goes
   to pint exactly as written, but for a cube written ``dm3`` (``mol/m3``: ``m**3``), and never
   with the prefix M-: pint would read ``MM`` as megamolar, and no lab reports in millions.
2. *Kind and factor.* pint resolves the spelling once per process into a kind (substance, mass
   or equivalents per volume) and a factor to that kind's base unit; see
   :mod:`electrocheck.units.pint_bridge`.
3. *The analyte.* Mass becomes substance through the analyte's molar mass and equivalents
   through its valence, both read from the reference file, giving a factor to mmol/L that is
   applied to the value.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from electrocheck.errors import UnitError, quote
from electrocheck.units.spellings import PINT_EXPRESSIONS, canonical_spelling

#: The unit every result is reported in.
MMOL_PER_L = "mmol/L"

EXPECTED_UNITS = "expected a concentration such as mmol/L, mg/dL or mEq/L"
#: Longest unit text handed to pint.
MAX_UNIT_LENGTH = 40
#: What a unit outside the lab spellings may look like: letters, and at most one slash, the
#: unit after it perhaps cubed (``mol/m3``, ``mg/cm³``).
_PLAIN_UNIT = re.compile(r"[A-Za-z]+(?:/[A-Za-z]+(?:3|³|\^3|\*\*3)?)?")
_CUBED = re.compile(r"(?:3|³|\^3|\*\*3)$")


@dataclass(frozen=True)
class Unit:
    """A resolved unit: its canonical spelling, its kind, and its factor to the kind's base."""

    spelling: str
    kind: str  # "substance" (mol/L), "mass" (g/L) or "equivalent" (Eq/L)
    to_base: float

    def factor_to_mmol(self, molar_mass: float, valence: int) -> float:
        """Factor from this unit to mmol/L for an ion of this molar mass and valence."""
        if self.kind == "substance":
            return self.to_base * 1000.0
        if self.kind == "mass":
            return self.to_base / molar_mass * 1000.0
        return self.to_base / abs(valence) * 1000.0


def _packaged(name: str) -> str:
    """A data file of this package, as text: beside this module, as a wheel installs it.
    importlib.resources (a few ms of every start, with what it imports) only for a package
    that is not plain files: one imported from a zip (Spark's ``--py-files``), where the path
    beside the module is inside the zip and cannot be opened."""
    try:
        with open(os.path.join(os.path.dirname(__file__), name), encoding="utf-8") as file:
            return file.read()
    except OSError:
        from importlib import resources

        return resources.files("electrocheck.units").joinpath(name).read_text("utf-8")


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, float]]:
    text = _packaged("unit_table.json")
    return {expr: (kind, float(factor)) for expr, (kind, factor) in json.loads(text).items()}


@cache
def resolve_unit(raw: str) -> Unit:
    """Resolve a unit spelling; each distinct spelling is resolved once per process.

    Raises :class:`UnitError` naming the spelling when it is empty, unknown, or not a
    concentration.
    """
    spelling = canonical_spelling(raw)
    if not spelling:
        raise UnitError("empty unit")
    expression = PINT_EXPRESSIONS.get(spelling, spelling)
    known = _table().get(expression)
    if known is not None:
        return Unit(spelling, *known)
    try:
        _check_plain_unit(expression)
        expression = _CUBED.sub("**3", expression)
        if not _could_be_unit(expression):  # spares loading pint for "furlongs" or "abc"
            raise UnitError("is not a unit electrocheck knows")
        _refuse_mega(expression)
        from electrocheck.units.pint_bridge import resolve_with_pint

        kind, factor = resolve_with_pint(expression)
    except UnitError as exc:
        raise UnitError(f"unit {quote(raw.strip())} {exc}; {EXPECTED_UNITS}") from None
    return Unit(spelling, kind, factor)


def _check_plain_unit(expression: str) -> None:
    """Refuse anything but a plain unit before pint sees it.

    pint evaluates expressions: it would read ``mmol/L*2`` as twice a millimole per litre,
    ``0.5mmol/L`` (from the typo ``k=4.1 0.5mmol/L``) as half of one, and would spend hours
    on ``9**9**9``. A unit from a lab is letters with at most one slash; anything else is
    refused, so no number hidden in a unit can change a value. (The lab spellings that do
    hold a number, such as mg/100mL, are lab spellings and never reach here.)
    """
    if len(expression) > MAX_UNIT_LENGTH:
        raise UnitError(f"is longer than {MAX_UNIT_LENGTH} characters")
    if not _PLAIN_UNIT.fullmatch(expression):
        raise UnitError("is not a plain unit: only letters and one '/' are accepted")


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], tuple[str, ...]]:
    """The unit names and prefixes defined in ``units.txt``, the file pint's registry is
    built from (``tests/test_units.py`` checks that pint agrees)."""
    names: set[str] = set()
    prefixes: list[str] = [""]
    text = _packaged("units.txt")
    for line in text.splitlines():
        parts = [part.strip() for part in line.split("#", 1)[0].split("=")]
        if len(parts) < 2:
            continue
        spellings = [parts[0], *parts[2:]]
        if parts[0].endswith("-"):
            prefixes += [p[:-1] for p in spellings if p.endswith("-")]
        else:
            names.update(spellings)
    return frozenset(names), tuple(prefixes)


def _known(word: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``word`` is one of these prefixes and a unit of ``units.txt``."""
    names, _ = _vocabulary()
    candidates = {word, word[:-1]} if word.endswith("s") else {word}  # pint allows plurals
    return any(
        word.startswith(prefix) and word[len(prefix) :] in names
        for word in candidates
        for prefix in prefixes
    )


def _parts(expression: str) -> list[str]:
    """The words of a plain unit: ``mg/dm**3`` -> ``["mg", "dm"]``."""
    return [part.removesuffix("**3") for part in expression.split("/")]


def _could_be_unit(expression: str) -> bool:
    """Whether every part of a plain unit is a prefix and a unit of ``units.txt``."""
    _, prefixes = _vocabulary()
    return all(_known(part, prefixes) for part in _parts(expression))


def _refuse_mega(expression: str) -> None:
    """Refuse a unit pint would read with the prefix M- (mega): ``MM`` is megamolar to pint,
    ``Mval/l`` megaval per litre, where the lab meant milli- (``mM``, ``mval/l``)."""
    parts = _parts(expression)
    if any(p.startswith("M") and not _known(p, ("",)) and _known(p[1:], ("",)) for p in parts):
        meant = "/".join("m" + p[1:] if p.startswith("M") else p for p in expression.split("/"))
        raise UnitError(
            "would read as mega- (M-), a million times too large; for milli- write a small m "
            f"({meant.replace('**3', '3')})"
        )
