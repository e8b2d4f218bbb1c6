"""Specimens, and test names electrocheck does not know: words, not numbers.

electrocheck's limits are those of serum, plasma and whole blood. A row whose specimen column
says urine, or whose test name says "Potassium, urine", is another specimen: it is counted,
never read against serum limits. A specimen text that is neither a blood specimen nor another
known one is an unknown specimen: not interpreted either, and reported, because it could be
either. A test name that is not one the reference file knows may still look like an
electrolyte (``K+``, ``POTASSIUM LVL``, ``Kalium``): such a row is reported apart from other
tests, and ``--strict`` and ``--fail-on`` do not let it pass unseen.

Pure functions of text, applied once per distinct name or specimen; no dataframe engine.
"""

from __future__ import annotations

import re
from functools import lru_cache

BLOOD, OTHER, UNKNOWN = "blood", "other", "unknown"

#: Words of a specimen text that name a blood specimen (serum, plasma, whole blood).
BLOOD_WORDS = frozenset(
    {
        "blood",
        "bld",
        "serum",
        "sera",
        "ser",
        "plasma",
        "plas",
        "plsm",
        "serpl",
        "wb",
        "sst",
        "heparin",
        "heparinised",
        "heparinized",
        "hep",
        "venous",
        "arterial",
        "capillary",
        "cord",
        "art",
        "ven",
        "abg",
        "vbg",
        "cbg",
        "blut",
        "vollblut",
        "sang",
        "sangre",
        "sangue",
        "siero",
        "suero",
        "sérum",
    }
)
#: A whole specimen text of these letters alone is a blood specimen (S, P, S/P, B, BL).
BLOOD_CODES = frozenset({"s", "p", "b", "sp", "bl", "pl"})
#: A specimen text that says none is given, as a blank cell does (N/A, none, null).
NOT_GIVEN = frozenset({"n/a", "na", "none", "null", "nil", "not given", "unknown", "?"})
#: Words that name a specimen other than blood. A specimen or test name holding one of
#: them is another specimen, whatever else it says ("Serum, pleural" is not serum).
OTHER_WORDS = frozenset(
    {
        "urine",
        "urines",
        "urinary",
        "urin",
        "urina",
        "orina",
        "harn",
        "ur",
        "uri",
        "csf",
        "cerebrospinal",
        "spinal",
        "liquor",
        "pleural",
        "pleura",
        "ascites",
        "ascitic",
        "peritoneal",
        "synovial",
        "joint",
        "stool",
        "stools",
        "feces",
        "faeces",
        "fecal",
        "faecal",
        "heces",
        "feci",
        "selles",
        "sweat",
        "saliva",
        "salivary",
        "dialysate",
        "effluent",
        "drain",
        "drainage",
        "fluid",
        "fluids",
        "amniotic",
        "gastric",
        "bile",
        "biliary",
        "pericardial",
        "bal",
        "bronchoalveolar",
        "bronchial",
        "lavage",
        "sputum",
        "tissue",
        "vitreous",
        "milk",
        "semen",
        "seminal",
        "tears",
        "ostomy",
        "nasogastric",
        "emesis",
        "vomitus",
        "wound",
        "abscess",
        "cyst",
        "pancreatic",
        "chyle",
        "chylous",
        "marrow",
        # Red cells: an intracellular level, not the serum one ("Red blood cells").
        "rbc",
        "rbcs",
        "erythrocyte",
        "erythrocytes",
        "erythrocytaire",
        "erythrozyten",
        "eritrocitos",
        "eritrociti",
        "cells",  # not "red" alone: a red-top tube holds serum
        "intracellular",
    }
)
#: A whole specimen text of this letter alone is urine.
OTHER_CODES = frozenset({"u"})

#: Words that make a test name look like an electrolyte, in the languages labs write.
ELECTROLYTE_WORDS = frozenset(
    {
        "potassium",
        "potassio",
        "potasio",
        "kalium",
        "sodium",
        "sodio",
        "natrium",
        "calcium",
        "calcio",
        "kalzium",
        "magnesium",
        "magnesio",
        "kalemia",
        "kalaemia",
        "kaliemia",
        "kaliémie",
        "natremia",
        "natraemia",
        "natrémie",
        "calcemia",
        "calcaemia",
        "calcémie",
        "magnesemia",
        "magnésémie",
    }
)
#: Element symbols, as a name's words: K, Na, Ca, Mg, iCa, and Ca2+ or Mg2+ as one word.
ELECTROLYTE_SYMBOLS = frozenset({"k", "na", "ca", "mg", "ica", "cai", "ca2", "mg2"})
#: Words that may stand beside a symbol in an electrolyte's name (K+ (mmol/L), Na lvl).
NAME_QUALIFIERS = frozenset(
    {
        "serum",
        "plasma",
        "blood",
        "whole",
        "bld",
        "ser",
        "plas",
        "wb",
        "s",
        "p",
        "b",
        "lvl",
        "level",
        "total",
        "tot",
        "ionized",
        "ionised",
        "ionisé",
        "ion",
        "free",
        "i",
        "poc",
        "poct",
        "stat",
        "istat",
        "result",
        "value",
        "val",
        "test",
        "conc",
        "concentration",
        "venous",
        "arterial",
        "art",
        "ven",
        "cap",
        "capillary",
        "abg",
        "vbg",
        "gas",
        "2",
        "mmol",
        "l",
        "meq",
        "dl",
        "umol",
        "mm",
        "mval",
        "dm3",
        "in",
        "or",
        "and",
        "of",
        "lab",
        "moles",
        "volume",
        "mass",
        "mol",
    }
)
#: Words that make a name something else, although it names an electrolyte: a ratio, an
#: excretion, a salt given as a drug, or a column about a result rather than the result.
NOT_A_RESULT = frozenset(
    {
        # A corrected calcium is computed from a measured one (which electrocheck corrects
        # itself, given albumin): a column of them is another test, not a lost result.
        "corrected",
        "korrigiert",
        "korrigiertes",
        "corrige",
        "corregido",
        "corretto",
        "ratio",
        "excretion",
        "excreted",
        "fractional",
        "clearance",
        "crystal",
        "crystals",
        "oxalate",
        "phosphate",
        "product",
        "creatinine",
        "creat",
        "channel",
        "gap",
        "chloride",
        "bicarbonate",
        "citrate",
        "gluconate",
        "sulfate",
        "sulphate",
        "carbonate",
        "acetate",
        "dose",
        "dosage",
        "infusion",
        "tablet",
        "tablets",
        "supplement",
        "replacement",
        "flag",
        "flags",
        "unit",
        "units",
        "uom",
        "range",
        "ref",
        "reference",
        "low",
        "high",
        "comment",
        "comments",
        "note",
        "notes",
        "interpretation",
        "date",
        "time",
        "abnormal",
        "normal",
        "score",
        "index",
        "order",
        "ordered",
        "collected",
        "specimen",
        "status",
        "id",
        "code",
    }
)

_WORD = re.compile(r"[^\W_]+")


def words(text: str | None) -> tuple[str, ...]:
    """The words of a name, case-folded: letters and digits (``K+ (mmol/L)`` -> k, mmol, l)."""
    return tuple(_WORD.findall(text.casefold())) if text else ()


@lru_cache(maxsize=4096)
def specimen_kind(text: str | None) -> str:
    """:data:`BLOOD` for serum, plasma, whole blood and a blank cell; :data:`OTHER` for urine
    and the other fluids; :data:`UNKNOWN` for a text that is neither."""
    found = words(text)
    if text is None or not found or " ".join(text.casefold().split()) in NOT_GIVEN:
        return BLOOD
    if any(word in OTHER_WORDS for word in found) or set(found) <= OTHER_CODES:
        return OTHER
    if any(word in BLOOD_WORDS for word in found) or set(found) <= BLOOD_CODES:
        return BLOOD
    return UNKNOWN


@lru_cache(maxsize=4096)
def names_other_specimen(name: str | None) -> bool:
    """Whether a test name or header names a specimen other than blood
    (``Potassium, urine``, ``Sodium [Moles/volume] in Urine``, ``K, CSF``)."""
    return any(word in OTHER_WORDS for word in words(name))


@lru_cache(maxsize=4096)
def looks_like_electrolyte(name: str | None) -> bool:
    """Whether a test name or header that the reference file does not know looks like the
    name of a calcium, magnesium, potassium or sodium result (``K+``, ``POTASSIUM LVL``,
    ``Kalium``, ``Ca++ (mmol/L)``), and not of another specimen, a ratio or a salt."""
    found = words(name)
    if not found or names_other_specimen(name) or any(w in NOT_A_RESULT for w in found):
        return False
    if any(word in ELECTROLYTE_WORDS for word in found):
        return True
    return any(word in ELECTROLYTE_SYMBOLS for word in found) and all(
        word in ELECTROLYTE_SYMBOLS or word in NAME_QUALIFIERS for word in found
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
