"""The arguments of the Python API, checked where they come in.

A notebook can hand any object to any argument. What cannot be used is refused here with an
:class:`~electrocheck.errors.ArgumentError` that names the argument and shows the call that
works, rather than failing later as an ``AttributeError`` deep inside.
"""

from __future__ import annotations

from collections.abc import Iterable

from electrocheck.errors import ArgumentError, ValueTokenError, quote
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient
from electrocheck.units.values import read_value


def api_arguments(
    reference: object,
    analyte: object,
    unit: object,
    input: object,
    patient: object,
    covariates: object,
) -> frozenset[str]:
    """Check the arguments of :func:`~electrocheck.clinical.interpret.interpret` but its value;
    return the covariates' names as a frozenset."""
    require_reference(reference)
    require_text(analyte, "analyte", "'k', 'potassium' or '2823-3'")
    optional_text(unit, "unit", "'mmol/L' or 'mg/dL'")
    optional_text(input, "input", "'k=3.1'")
    require_patient(patient)
    return covariate_names(covariates)


def given_value(
    analyte: str, value: object, unit: str | None, input: str | None
) -> tuple[float, str | None, str]:
    """The number of a value given to the API, its unit (the one written after the number of
    a text, else ``unit``), and the value as shown in messages and the result's ``input``:
    ``input`` when given, else ``NAME=NUMBER[UNIT]``."""
    number, written = read_value(analyte, value)
    text = value.strip() if isinstance(value, str) else f"{number:g}"
    if written and unit and unit.strip():
        raise ValueTokenError(
            f"{quote(f'{analyte}={text}')} already has a unit; {quote(unit)} is one too many"
        )
    shown = input if input is not None else f"{analyte}={text}{'' if written else unit or ''}"
    return number, written or unit, shown


def require_reference(reference: object) -> Reference:
    """``reference`` itself, when it is a :class:`Reference`."""
    if not isinstance(reference, Reference):
        raise ArgumentError(
            f"reference: expected a Reference, from load_reference() or "
            f"load_reference('my-lab.yaml'), not {_kind(reference)}"
        )
    return reference


def require_text(value: object, argument: str, example: str) -> str:
    """``value`` itself, when it is text."""
    if not isinstance(value, str):
        raise ArgumentError(f"{argument}: expected text such as {example}, not {_kind(value)}")
    return value


def optional_text(value: object, argument: str, example: str) -> str | None:
    """``value`` itself, when it is text or None."""
    return None if value is None else require_text(value, argument, example)


def require_patient(patient: object) -> Patient:
    """``patient`` itself, when it is a :class:`Patient`."""
    if not isinstance(patient, Patient):
        raise ArgumentError(
            f"patient: expected a Patient, e.g. Patient(age_days=parse_age('64'), "
            f"sex=parse_sex('F')), not {_kind(patient)}"
        )
    return patient


def covariate_names(covariates: object) -> frozenset[str]:
    """The names of the covariates given, as a frozenset of text."""
    if isinstance(covariates, frozenset) and all(isinstance(c, str) for c in covariates):
        return covariates
    if isinstance(covariates, Iterable) and not isinstance(covariates, (str, bytes)):
        names = list(covariates)
        if all(isinstance(name, str) for name in names):
            return frozenset(names)
    raise ArgumentError(
        f"covariates: expected names of covariates such as {{'albumin'}}, not {_kind(covariates)}"
    )


def _kind(value: object) -> str:
    """What a value is, for a message: its type, and the value itself, shortened."""
    return f"{type(value).__name__} {quote(value)}"
