"""Unit spellings as labs write them, and the canonical spelling each one means.

Data only, at the bottom of :mod:`electrocheck.units`: both the resolver
(:mod:`electrocheck.units.resolve`) and the pint bridge that generates the unit table
(:mod:`electrocheck.units.pint_bridge`) read it, so neither imports the other to learn it.
"""

from __future__ import annotations

import re

#: Lab spellings, keyed by their case-folded form, and the one canonical spelling each means.
LAB_SPELLINGS: dict[str, str] = {
    "mmol/l": "mmol/L",
    "mol/l": "mol/L",
    "umol/l": "µmol/L",
    "mcmol/l": "µmol/L",
    "meq/l": "mEq/L",
    "eq/l": "Eq/L",
    "mg/dl": "mg/dL",
    "mg/l": "mg/L",
    "mg/ml": "mg/mL",
    "g/l": "g/L",
    "g/dl": "g/dL",
    # Milligrams per 100 mL, the older "milligram percent".
    "mg%": "mg%",
    "mg/100ml": "mg/100mL",
}

#: The expression pint is given for a canonical spelling, where the two differ. pint reads
#: ``mg/100mL`` as (mg/100)*mL, and ``%`` as a percent, so those are written out.
PINT_EXPRESSIONS: dict[str, str] = {
    "µmol/L": "umol/L",
    "mg%": "mg/(100 mL)",
    "mg/100mL": "mg/(100 mL)",
}

_SPACE = re.compile(r"\s+")


def canonical_spelling(raw: str) -> str:
    """The canonical spelling of a unit as written by a lab; unknown ones come back cleaned."""
    cleaned = _SPACE.sub("", raw).replace("\u00b5", "u").replace("\u03bc", "u")
    return LAB_SPELLINGS.get(cleaned.casefold(), cleaned)
