"""electrocheck: interpret serum electrolyte results for muscle cramps and spasms in cancer care.

The package is a library first: load a reference file, interpret values, serialize results.
The command-line interface in :mod:`electrocheck.cli` is a thin layer over it. The public API
is the names in ``__all__``, all importable from here:

- :func:`check`: a panel of values for one patient, as ``electrocheck check`` does; and
  :func:`run_check`, the same with a loaded reference and a :class:`Patient`;
- :func:`interpret` and :func:`interpret_token`: one value, to a :class:`Result`;
- :func:`check_series` and :func:`run_series`: the same with values at times
  (``"na=118@08:00"``), compared over time as ``batch`` compares a long file's;
- :func:`interpret_frame` and :func:`run_batch`: a polars or pandas frame, a lab export;
  :func:`read_jsonl`, the rows of a batch's JSON Lines with their results whole;
- :func:`load_reference`: the built-in reference file or a laboratory's own;
- the records :class:`Result`, :class:`CheckReport`, :class:`Patient`, :class:`Reference`,
  :class:`BatchOptions`, :class:`LayoutOptions`, and the errors, all under
  :class:`ElectrocheckError`.

    >>> import electrocheck
    >>> report = electrocheck.check(ca="7.6mg/dL", k=3.1, age="64", sex="F")
    >>> [(r.analyte, r.flag) for r in report.results]
    [('calcium', 'L'), ('potassium', 'L')]
    >>> ref = electrocheck.load_reference()
    >>> electrocheck.interpret(ref, "ca", 7.6, "mg/dL").flag
    'L'

The batch names (:func:`interpret_frame`, :func:`run_batch`, :func:`read_jsonl`,
:class:`BatchOptions`, :class:`LayoutOptions`, :func:`check_series`, :func:`run_series`) are
loaded on first use, so that ``import electrocheck`` and the quick check never load polars.
"""

from __future__ import annotations

__version__ = "0.1.0"

import gc as _gc

# Importing the package builds thousands of objects that live as long as the process (the
# records, typer's commands): the collector would scan them again and again for nothing, a
# few ms of every start. It is held off while the package loads, and set back at the end.
_threshold = _gc.get_threshold()
_gc.set_threshold(max(_threshold[0], 50_000), *_threshold[1:])

from typing import TYPE_CHECKING, Any

from electrocheck.clinical.check import CheckReport, check, run_check
from electrocheck.clinical.interpret import interpret, interpret_token
from electrocheck.clinical.result import Result, Shown
from electrocheck.clinical.shown import shown_limits
from electrocheck.clinical.unit_choice import UnitChoice
from electrocheck.errors import (
    AmbiguousUnitError,
    ArgumentError,
    ElectrocheckError,
    ImplausibleValueError,
    InputError,
    PatientError,
    ReferenceFileError,
    UnitError,
    UnitSettingError,
    UnknownAnalyteError,
    UnknownMedicineError,
    ValueTokenError,
)
from electrocheck.reference import Reference, load_reference
from electrocheck.reference.patient import Patient, parse_age, parse_sex

if TYPE_CHECKING:
    from electrocheck.batch.jsonl import read_jsonl
    from electrocheck.batch.layout import LayoutOptions
    from electrocheck.batch.run import BatchOptions, interpret_frame, run_batch
    from electrocheck.batch.series import check_series, run_series

#: The batch names, by the module each is loaded from on first use (they need polars).
_LAZY = {
    "BatchOptions": "electrocheck.batch.run",
    "LayoutOptions": "electrocheck.batch.layout",
    "interpret_frame": "electrocheck.batch.run",
    "run_batch": "electrocheck.batch.run",
    "read_jsonl": "electrocheck.batch.jsonl",
    "check_series": "electrocheck.batch.series",
    "run_series": "electrocheck.batch.series",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'electrocheck' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value  # loaded once; later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AmbiguousUnitError",
    "ArgumentError",
    "BatchOptions",
    "CheckReport",
    "ElectrocheckError",
    "ImplausibleValueError",
    "InputError",
    "LayoutOptions",
    "Patient",
    "PatientError",
    "Reference",
    "ReferenceFileError",
    "Result",
    "Shown",
    "UnitChoice",
    "UnitError",
    "UnitSettingError",
    "UnknownAnalyteError",
    "UnknownMedicineError",
    "ValueTokenError",
    "__version__",
    "check",
    "check_series",
    "interpret",
    "interpret_frame",
    "interpret_token",
    "load_reference",
    "parse_age",
    "parse_sex",
    "read_jsonl",
    "run_batch",
    "run_check",
    "run_series",
    "shown_limits",
]

_gc.set_threshold(*_threshold)
