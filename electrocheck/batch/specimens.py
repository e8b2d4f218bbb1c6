"""Specimens, and test names electrocheck does not know: words, not numbers.

electrocheck's limits are those of serum, plasma and whole blood. A row whose specimen column
says urine, or whose test name says "Potassium, urine", is another specimen: it is counted,
never read against serum limits. A specimen text that is neither a blood specimen nor another
known one is an unknown specimen: not interpreted either, and reported, because it could be
either. A test name that is not one the reference file knows may still look like an
electrolyte (``K+``, ``POTASSIUM LVL``, ``Kalium``): such a row is reported apart from other
tests, and ``--strict`` and ``--fail-on`` do not let it pass unseen.

The words are data: the reference file's ``specimens`` and ``lookalike`` sections, which
:class:`~electrocheck.reference.SpecimenWords` holds (``reference.specimen_words``); a file
without them knows no other specimen and no lookalike name. Pure functions of text and those
words, applied once per distinct name or specimen and cached; no dataframe engine.
"""

from __future__ import annotations

from functools import lru_cache

from electrocheck.reference import SpecimenWords
from electrocheck.reference.names import plain_words as words

BLOOD, OTHER, UNKNOWN = "blood", "other", "unknown"


@lru_cache(maxsize=4096)
def specimen_kind(text: str | None, known: SpecimenWords) -> str:
    """:data:`BLOOD` for serum, plasma, whole blood and a blank cell; :data:`OTHER` for urine
    and the other fluids; :data:`UNKNOWN` for a text that is neither (by the ``known`` words of
    the reference file's ``specimens`` section)."""
    found = words(text)
    if text is None or not found or " ".join(text.casefold().split()) in known.not_given:
        return BLOOD
    if any(word in known.other for word in found) or set(found) <= known.other_codes:
        return OTHER
    if any(word in known.blood for word in found) or set(found) <= known.blood_codes:
        return BLOOD
    return UNKNOWN


@lru_cache(maxsize=4096)
def names_other_specimen(name: str | None, known: SpecimenWords) -> bool:
    """Whether a test name or header names a specimen other than blood
    (``Potassium, urine``, ``Sodium [Moles/volume] in Urine``, ``K, CSF``)."""
    return any(word in known.other for word in words(name))


@lru_cache(maxsize=4096)
def looks_like_electrolyte(name: str | None, known: SpecimenWords) -> bool:
    """Whether a test name or header that the reference file does not know looks like the
    name of a calcium, magnesium, potassium or sodium result (``K+``, ``POTASSIUM LVL``,
    ``Kalium``, ``Ca++ (mmol/L)``), and not of another specimen, a ratio or a salt (by the
    ``known`` words of the reference file's ``lookalike`` section)."""
    found = words(name)
    if (
        not found
        or names_other_specimen(name, known)
        or any(w in known.not_a_result for w in found)
    ):
        return False
    if any(word in known.electrolyte_words for word in found):
        return True
    symbols, qualifiers = known.electrolyte_symbols, known.qualifiers
    return any(word in symbols for word in found) and all(
        word in symbols or word in qualifiers for word in found
    )


__all__ = [
    "BLOOD",
    "OTHER",
    "UNKNOWN",
    "looks_like_electrolyte",
    "names_other_specimen",
    "specimen_kind",
    "words",
]
