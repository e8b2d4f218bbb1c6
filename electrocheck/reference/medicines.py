"""The medicines of the reference file (its ``medications`` section): what each does to the
electrolytes, and the names it is known by.

A medicine is known by its generic name, other generic names and abbreviations (``also``),
brand names, and its ATC, RxNorm and OMOP codes where the file gives them. Names are compared
case-folded with spaces and punctuation squeezed out (drug names are not units: ``Erbitux``,
``ERBITUX`` and ``erbitux`` are one name). A name the file lists as ambiguous (``HCT``:
hydrocortisone or hydrochlorothiazide) matches none of the medicines it may mean.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from electrocheck.errors import UnknownMedicineError, quote

#: The sides of an analyte a medicine may move it to.
MEDICINE_DIRECTIONS: tuple[str, ...] = ("low", "high")


def fold_drug(name: str) -> str:
    """A drug name as names are compared: case-folded, without spaces or punctuation
    (``Zoledronic acid`` and ``zoledronic-acid`` are ``zoledronicacid``)."""
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass(frozen=True)
class Effect:
    """What a medicine does to one analyte: the side it moves it to, how, when, and the
    source that says so."""

    analyte: str  # an analyte key of the file
    direction: str  # "low" or "high"
    mechanism: str
    onset: str
    source: str


@dataclass(frozen=True)
class Medicine:
    """A medicine: its generic name (the key), other names and codes, and its effects."""

    key: str
    also: tuple[str, ...]  # other generic names and abbreviations
    brands: tuple[str, ...]
    atc: str | None  # None where the file gives no code
    rxnorm: str | None
    omop: int | None  # the OMOP concept id of the ingredient, where the file gives one
    source: str  # where its names (and codes, without codes_source) come from
    effects: tuple[Effect, ...]
    codes_source: str | None = None  # where its ATC and RxNorm codes come from, if apart
    rxnorm_source: str | None = None  # where its RxNorm code comes from, if apart again

    def effect_on(self, analyte: str, direction: str) -> Effect | None:
        """Its effect that moves ``analyte`` (a key) to ``direction``, if it has one."""
        return next(
            (e for e in self.effects if e.analyte == analyte and e.direction == direction), None
        )

    def names(self) -> tuple[str, ...]:
        """Every name and code it is known by, the key first."""
        return (*self.words(), *self.codes())

    def words(self) -> tuple[str, ...]:
        """The names it is known by, without its codes, the key first."""
        return (self.key, *self.also, *self.brands)

    def codes(self) -> tuple[str, ...]:
        """Its ATC, RxNorm and OMOP codes, those the file gives."""
        codes = (self.atc, self.rxnorm, None if self.omop is None else str(self.omop))
        return tuple(c for c in codes if c is not None)


def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Ambiguity:
    """A name that may mean more than one medicine, and the source that says so."""

    name: str  # as the file writes it
    drugs: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Medicines:
    """The ``medications`` section: medicines by key, and every name looked up by."""

    sources: Mapping[str, str] = field(default_factory=_empty)  # the section's own
    drugs: Mapping[str, Medicine] = field(default_factory=_empty)
    names: Mapping[str, str] = field(default_factory=_empty)  # folded name or code -> key
    ambiguous: Mapping[str, Ambiguity] = field(default_factory=_empty)  # folded name ->
    omop: Mapping[int, str] = field(default_factory=_empty)  # OMOP concept id -> key

    def find(self, name: str, codes: bool = True) -> Medicine:
        """The medicine called ``name`` (any name, or code unless ``codes`` is false: a drug
        text from a list whose digits may be a local code); raises
        :class:`~electrocheck.errors.UnknownMedicineError` for an empty, ambiguous or unknown
        name."""
        folded = fold_drug(name)
        key = self.names.get(folded)
        if key is not None and (codes or folded not in self.folded_codes):
            return self.drugs[key]
        if not folded:
            raise UnknownMedicineError(f"empty drug name {quote(name)}")
        ambiguity = self.ambiguous.get(folded)
        if ambiguity is not None:
            meant = " or ".join(ambiguity.drugs)
            raise UnknownMedicineError(f"{quote(name)} may mean {meant}: name the one given")
        near = self.nearest(name)
        hint = f" (nearest: {', '.join(near)})" if near else ""
        raise UnknownMedicineError(f"unknown drug {quote(name)}{hint}")

    @cached_property
    def folded_codes(self) -> frozenset[str]:
        """Every medicine's codes, folded as names are."""
        return frozenset(fold_drug(c) for drug in self.drugs.values() for c in drug.codes())

    def nearest(self, name: str, count: int = 3) -> list[str]:
        """The known names nearest to ``name`` (difflib), as the file writes them. Codes are
        never offered: a code one digit off is another medicine, not a misspelling."""
        import difflib  # for a hint only: not loaded at every start

        spelled = {fold_drug(n): n for drug in self.drugs.values() for n in drug.words()}
        near = difflib.get_close_matches(fold_drug(name), list(spelled), n=count, cutoff=0.6)
        return [spelled[n] for n in near]


__all__ = [
    "MEDICINE_DIRECTIONS",
    "Ambiguity",
    "Effect",
    "Medicine",
    "Medicines",
    "fold_drug",
]
