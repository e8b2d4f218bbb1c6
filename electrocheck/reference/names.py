"""Names: how two names are compared, the one rule every lookup of a name goes through, and
where a name added by an alias goes.

A name (an analyte's key, alias, LOINC code, LOINC name; ``check``'s ``NAME=``; a batch file's
header or test name) is *folded* before it is looked up, and the names of the reference file
are folded the same way when it is loaded:

1. case and accents do not count (``CALCIUM IONISÉ`` is ``calcium ionise``);
2. a charge written after a symbol is one form: ``Ca++``, ``Ca2+``, ``Ca 2+`` and ``Ca²⁺`` are
   all ``ca2+``, ``K+`` is ``k+`` (the charge is kept: ``K+`` is a name of its own, which the
   reference file lists);
3. punctuation and spacing do not count: the name is its words, runs of letters or of digits
   (``2823-3`` and ``7.4`` stay whole), in order (``Potassium, serum`` is ``potassium serum``);
4. the words the reference file lists under ``names: ignore`` are left out: words that say the
   specimen is blood (serum, plasma, whole blood) or that the result is a level. ``K, serum``,
   ``Potassium Lvl`` and ``LOINC:2823-3`` are then ``k``, ``potassium`` and ``2823-3``.

Nothing else is dropped, so a name that says anything more (``urine``, ``ionized``,
``corrected``, ``24h``) keeps saying it, and matches only a name of the file that says it too.
Which words may be left out is domain knowledge, and lives in the reference file.

An alias (the file's ``aliases:`` section, ``--alias LABEL=ANALYTE``) goes through
:func:`place_alias` wherever it is given: folded like every other name, naming an analyte or
covariate by any of its names, and never a name of another one.

Pure functions of text; no records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from electrocheck.errors import InputError, quote

# A charge after a letter: "++", "2+", " 2+", "+" (superscripts are plain after NFKD).
_CHARGE = re.compile(r"(?<=[^\W\d_])\s?([0-9])?(\++)(?![\w+])")
# A name's words: digits (with the "-" or "." of a code or a pH), or letters and a charge.
_WORD = re.compile(r"[0-9]+(?:[.\-][0-9]+)*|[^\W\d_]+(?:[0-9]?\+)?")

ANALYTES, COVARIATES = "analytes", "covariates"


def _charge(match: re.Match[str]) -> str:
    digit, pluses = match.group(1), match.group(2)
    charge = int(digit) if digit else len(pluses)
    return "+" if charge == 1 else f"{charge}+"


def fold_name(text: str, ignore: frozenset[str] = frozenset()) -> str:
    """``text`` as names are compared (see the module's rule): its words, lower case and
    without accents, a charge in one form, without the words of ``ignore``. An empty result
    names nothing."""
    folded = text.casefold()
    if not folded.isascii():
        import unicodedata  # only for names with accents

        folded = "".join(
            c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
        )
    if "+" in folded:
        folded = _CHARGE.sub(_charge, folded)
    return " ".join(word for word in _WORD.findall(folded) if word not in ignore)


def nearest(name: str, candidates: Iterable[str], ignore: frozenset[str]) -> str | None:
    """The candidate closest to ``name`` once both are folded, if one is close enough to be
    a likely misspelling (``pottasium``: ``potassium``). Only ever a hint for a message:
    never a match."""
    import difflib  # only when a name is unknown

    target = fold_name(name, ignore)
    if not target:
        return None
    shown: dict[str, str] = {}
    for candidate in candidates:
        shown.setdefault(fold_name(candidate, ignore), candidate)
    shown.pop("", None)
    found = difflib.get_close_matches(target, list(shown), n=1, cutoff=0.8)
    return shown[found[0]] if found else None


def loinc_check_digit(number: str) -> int:
    """The check digit of a LOINC code's number (``2823`` -> 3): LOINC's mod 10 rule, from the
    right every other digit doubled (its digits summed), then the distance to the next ten."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10


# --------------------------------------------------------------------------- aliases


class AliasProblem(ValueError):
    """An alias that cannot be added; ``unknown`` when its analyte is not known."""

    def __init__(self, message: str, unknown: bool = False) -> None:
        super().__init__(message)
        self.unknown = unknown


def place_alias(
    names: Mapping[str, str],
    covariate_names: Mapping[str, str],
    ignore: frozenset[str],
    label: str,
    target: str,
) -> tuple[str, str, str]:
    """Where alias ``label`` of ``target`` (any name of an analyte or a covariate) goes:
    (``analytes`` or ``covariates``, the key it names, ``label`` folded). Raises
    :class:`AliasProblem` when ``label`` is nothing but ignored words, ``target`` names
    nothing, or ``label`` already names another analyte or covariate."""
    folded = fold_name(label, ignore)
    if not folded:
        raise AliasProblem(
            f"{quote(label)} is only words that `names: ignore` leaves out, so it names nothing"
        )
    wanted = fold_name(target, ignore)
    if wanted in names:
        section, key = ANALYTES, names[wanted]
    elif wanted in covariate_names:
        section, key = COVARIATES, covariate_names[wanted]
    else:
        raise AliasProblem(f"{quote(target)} is not an analyte or covariate", unknown=True)
    other = names.get(folded) or covariate_names.get(folded)
    if other is not None and other != key:
        raise AliasProblem(f"{quote(label)} already names {other}{read_as(label, folded)}")
    return section, key, folded


def read_as(name: str, folded: str) -> str:
    """`` (read as 'k')`` when folding changed more than the case of ``name``."""
    return "" if folded == name.casefold() else f" (read as {quote(folded)})"


#: A word of a specimen text or a test name as batch reads them (letters and digits).
PLAIN_WORD = re.compile(r"[^\W_]+")


def plain_words(text: str | None) -> tuple[str, ...]:
    """The words of a specimen text or test name, case-folded: letters and digits, nothing
    else left out (``K+ (mmol/L)`` -> k, mmol, l). The words of the file's ``specimens`` and
    ``lookalike`` sections are folded alike."""
    return tuple(PLAIN_WORD.findall(text.casefold())) if text else ()


def parse_alias(text: str, option: str = "--alias") -> tuple[str, str]:
    """``LABEL=ANALYTE`` -> (label, analyte). The last ``=`` splits them, so a label may hold
    one; neither may be blank."""
    label, sep, target = text.rpartition("=")
    if not sep or not label.strip() or not target.strip():
        raise InputError(
            f"{option} {quote(text)}: expected LABEL=ANALYTE, e.g. {option} 'Kalium=potassium'"
        )
    return label.strip(), target.strip()


def parse_aliases(options: Iterable[str], option: str = "--alias") -> list[tuple[str, str]]:
    """Each ``LABEL=ANALYTE`` of ``options`` as (label, analyte)."""
    return [parse_alias(text, option) for text in options]


__all__ = [
    "ANALYTES",
    "COVARIATES",
    "PLAIN_WORD",
    "AliasProblem",
    "fold_name",
    "loinc_check_digit",
    "nearest",
    "parse_alias",
    "parse_aliases",
    "place_alias",
    "plain_words",
    "read_as",
]
