"""Units: lab spellings, the pint bridge, the pre-built unit table, and value tokens.

The bottom layer above :mod:`electrocheck.errors`; it knows nothing of analytes beyond the
molar mass and valence it is given. Inside, imports run one way:
``resolve`` → ``pint_bridge`` (only for a spelling outside the table) → ``spellings``.
"""

from electrocheck.units.resolve import MMOL_PER_L, Unit, resolve_unit

__all__ = ["MMOL_PER_L", "Unit", "resolve_unit"]
