"""electrocheck: interpret serum electrolyte results for muscle cramps and spasms in cancer care.

The package is a library first: load a reference file, interpret values, serialize results.
The command-line interface in :mod:`electrocheck.cli.commands` is a thin layer over it.

    >>> from electrocheck import load_reference, interpret
    >>> ref = load_reference()
    >>> interpret(ref, "ca", 7.6, "mg/dL").flag
    'L'
"""

__version__ = "0.1.0"

from electrocheck.clinical.interpret import Result, interpret, interpret_token
from electrocheck.errors import (
    AmbiguousUnitError,
    ElectrocheckError,
    ImplausibleValueError,
    InputError,
    ReferenceFileError,
    UnitError,
    UnknownAnalyteError,
    ValueTokenError,
)
from electrocheck.reference.model import Reference, load_reference

__all__ = [
    "AmbiguousUnitError",
    "ElectrocheckError",
    "ImplausibleValueError",
    "InputError",
    "Reference",
    "ReferenceFileError",
    "Result",
    "UnitError",
    "UnknownAnalyteError",
    "ValueTokenError",
    "__version__",
    "interpret",
    "interpret_token",
    "load_reference",
]
