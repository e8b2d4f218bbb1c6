"""Units: lab spellings, the pint bridge, the pre-built unit table, and value tokens.

The bottom layer above :mod:`electrocheck.errors`: it knows nothing of analytes beyond the
molar mass and valence it is given.
"""
