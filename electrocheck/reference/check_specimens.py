"""Checks of the words batch reads specimens and unknown test names by: the ``specimens``
section (blood and other specimens, and texts that say none is given) and the ``lookalike``
section (words that make a test name look like an electrolyte's, or not), both optional.

Each list's words are case-folded as :func:`~electrocheck.reference.names.plain_words` folds
a specimen text or test name, so a word is letters and digits only; ``not_given`` holds whole
texts (``n/a``, ``not given``), compared case-folded with their spaces squeezed.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from electrocheck.errors import quote
from electrocheck.reference.check_base import Checker, _line
from electrocheck.reference.model import SpecimenWords
from electrocheck.reference.names import PLAIN_WORD, fold_name

#: The lists of each section, as they are named in the file and in :class:`SpecimenWords`.
SECTIONS = {
    "specimens": ("blood", "blood_codes", "not_given", "other", "other_codes"),
    "lookalike": ("electrolyte_words", "electrolyte_symbols", "qualifiers", "not_a_result"),
}
_WORD = "one word of letters or digits"


def _phrase(text: str) -> str:
    return " ".join(text.casefold().split())


def read_specimen_words(c: Checker, top: Any, ignore: frozenset[str]) -> SpecimenWords:
    """The ``specimens`` and ``lookalike`` sections (every list optional; none when the file
    does not have them). A word of another specimen may not also be a blood word (it would
    never be one), nor a word ``names: ignore`` leaves out of names (``ignore``): a name that
    says urine must never be read as the serum analyte."""
    found: dict[str, frozenset[str]] = {}
    for section, keys in SECTIONS.items():
        if section in top:
            line = _line(top, section)
            read = partial(c.mapping, top[section], section, line, set(), frozenset(keys))
            m = c.attempt(read)
            found |= _lists(c, m, section, keys) if m is not None else {}
    record = SpecimenWords(**found)
    node = top.get("specimens")
    others = node.get("other") if isinstance(node, dict) else None
    for i, word in enumerate(others if isinstance(others, list) else ()):
        if not isinstance(word, str) or not word.strip():
            continue  # reported above
        if word.casefold() in record.blood:
            c.fail(
                f"specimens.other[{i}]",
                f"{quote(word)} is also under `blood`: a specimen holding it is another specimen",
                _line(others, i),
            )
        if fold_name(word) in ignore:
            c.fail(
                f"specimens.other[{i}]",
                f"{quote(word)} is also under `names: ignore`, which leaves it out of names: "
                "a name that says another specimen would be read as the serum analyte",
                _line(others, i),
            )
    return record


def _lists(c: Checker, m: Any, section: str, keys: tuple[str, ...]) -> dict[str, frozenset[str]]:
    found = {}
    for key in keys:
        if key in m:
            path, line = f"{section}.{key}", _line(m, key)
            if key == "not_given":
                read = partial(c.words, m[key], path, line, _phrase)
            else:
                read = partial(c.words, m[key], path, line, str.casefold, PLAIN_WORD, _WORD)
            found[key] = c.attempt(read) or frozenset()
    return found


__all__ = ["SECTIONS", "read_specimen_words"]
