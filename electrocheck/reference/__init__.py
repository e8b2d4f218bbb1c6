"""The reference file: its typed records, loading, and validation section by section.

Above :mod:`electrocheck.units`; below everything clinical. :mod:`.model` holds the records;
:mod:`.load` reads a file; ``check_base`` and one ``check_*`` module per section of the file
validate it (``check_file`` the whole). Import records from here:

    >>> from electrocheck.reference import load_reference
    >>> load_reference().analyte("k").label
    'Potassium'
"""

from electrocheck.reference.load import built_in_path, load_reference
from electrocheck.reference.model import (
    BUILT_IN,
    FORMAT,
    MAX_FILE_BYTES,
    PATTERN_LEVELS,
    SPASM_RISKS,
    UNIT_SYSTEMS,
    Analyte,
    Correction,
    Covariate,
    Criterion,
    Direction,
    DisplayUnits,
    Formula,
    GradeScale,
    Limits,
    LoincCode,
    Pattern,
    Reference,
    Sourced,
    SpecimenWords,
    select_limits,
    unit_system,
    with_aliases,
)
from electrocheck.reference.names import fold_name

__all__ = [
    "BUILT_IN",
    "FORMAT",
    "MAX_FILE_BYTES",
    "PATTERN_LEVELS",
    "SPASM_RISKS",
    "UNIT_SYSTEMS",
    "Analyte",
    "Correction",
    "Covariate",
    "Criterion",
    "Direction",
    "DisplayUnits",
    "Formula",
    "GradeScale",
    "Limits",
    "LoincCode",
    "Pattern",
    "Reference",
    "Sourced",
    "SpecimenWords",
    "built_in_path",
    "fold_name",
    "load_reference",
    "select_limits",
    "unit_system",
    "with_aliases",
]
