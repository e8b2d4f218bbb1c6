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
    # Micrograms: the clinical "mcg" and the micro sign (made "u" before the lookup).
    "ug/dl": "µg/dL",
    "mcg/dl": "µg/dL",
    "ug/l": "µg/L",
    "mcg/l": "µg/L",
    "ug/ml": "µg/mL",
    "mcg/ml": "µg/mL",
    # The cubic decimetre is the litre, as SI-minded labs write it.
    "mmol/dm3": "mmol/dm3",
    "mmol/dm^3": "mmol/dm3",
    "mmol/dm³": "mmol/dm3",
    "mol/dm3": "mol/dm3",
    "mol/dm^3": "mol/dm3",
    "mol/dm³": "mol/dm3",
}

#: Lab spellings matched exactly as written, because there a change of case changes the
#: meaning: ``mM`` is millimolar, but ``MM`` megamolar to pint (and ``mm`` millimetres);
#: ``mval`` is the German milli-val (the milliequivalent, "mval/l"), ``Mval`` a mega-val. The
#: all-capital ``MVAL/L`` is a lab system printing every unit in capitals, as ``MMOL/L`` is.
#: (A spelling outside both tables that pint would read with the prefix M-, mega, is refused
#: by :mod:`electrocheck.units.resolve`: no lab reports a value in millions.)
EXACT_SPELLINGS: dict[str, str] = {
    "mM": "mM",
    "uM": "µM",
    "mval/l": "mval/L",
    "mval/L": "mval/L",
    "mVal/l": "mval/L",
    "mVal/L": "mval/L",
    "MVAL/L": "mval/L",
}

#: The expression pint is given for a canonical spelling, where the two differ. pint reads
#: ``mg/100mL`` as (mg/100)*mL, ``%`` as a percent and ``dm3`` as a unit named "dm3", so those
#: are written out.
PINT_EXPRESSIONS: dict[str, str] = {
    "µmol/L": "umol/L",
    "mg%": "mg/(100 mL)",
    "mg/100mL": "mg/(100 mL)",
    "µg/dL": "ug/dL",
    "µg/L": "ug/L",
    "µg/mL": "ug/mL",
    "µM": "uM",
    "mmol/dm3": "mmol/dm**3",
    "mol/dm3": "mol/dm**3",
}

_SPACE = re.compile(r"\s+")


def canonical_spelling(raw: str) -> str:
    """The canonical spelling of a unit as written by a lab; unknown ones come back cleaned."""
    cleaned = _SPACE.sub("", raw).replace("\u00b5", "u").replace("\u03bc", "u")
    exact = EXACT_SPELLINGS.get(cleaned)
    if exact is not None:
        return exact
    return LAB_SPELLINGS.get(cleaned.casefold(), cleaned)


def canonical_spellings() -> set[str]:
    """Every canonical spelling of both tables: the spellings of the pre-built unit table."""
    return {*LAB_SPELLINGS.values(), *EXACT_SPELLINGS.values()}
