"""electrocheck: interpret serum electrolyte results for muscle cramps and spasms in cancer care.

The package is a library first: load a reference file, interpret values, serialize results.
The command-line interface in :mod:`electrocheck.cli` is a thin layer over it.

    >>> from electrocheck import load_reference, interpret
    >>> ref = load_reference()
    >>> interpret(ref, "ca", 7.6, "mg/dL").flag
    'L'
"""

__version__ = "0.1.0"

from electrocheck.clinical.check import CheckReport, run_check
from electrocheck.clinical.interpret import interpret, interpret_token
from electrocheck.clinical.result import Result, Shown
from electrocheck.clinical.shown import shown_limits
from electrocheck.clinical.unit_choice import UnitChoice
from electrocheck.errors import (
    AmbiguousUnitError,
    ElectrocheckError,
    ImplausibleValueError,
    InputError,
    ReferenceFileError,
    UnitError,
    UnitSettingError,
    UnknownAnalyteError,
    ValueTokenError,
)
from electrocheck.reference import Reference, load_reference
from electrocheck.reference.patient import Patient, parse_age, parse_sex

__all__ = [
    "AmbiguousUnitError",
    "CheckReport",
    "ElectrocheckError",
    "ImplausibleValueError",
    "InputError",
    "Patient",
    "Reference",
    "ReferenceFileError",
    "Result",
    "Shown",
    "UnitChoice",
    "UnitError",
    "UnitSettingError",
    "UnknownAnalyteError",
    "ValueTokenError",
    "__version__",
    "interpret",
    "interpret_token",
    "load_reference",
    "parse_age",
    "parse_sex",
    "run_check",
    "shown_limits",
]
