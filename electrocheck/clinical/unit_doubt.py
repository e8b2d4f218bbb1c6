"""When the unit of a value is in doubt: the other units that would make it plausible or
normal, for the message that refuses an implausible value, and for the refusal of a value
without a unit that the unit would decide (magnesium 2.0 is critical in mmol/L, normal in
mg/dL)."""

from __future__ import annotations

import math

from electrocheck.clinical.classify import classify, plausible
from electrocheck.clinical.result import FLAG_WORDS, format_number
from electrocheck.errors import AmbiguousUnitError, quote
from electrocheck.reference import Analyte
from electrocheck.reference.patient import UNKNOWN, Patient
from electrocheck.units.resolve import Unit, resolve_unit


def _alternatives(
    record: Analyte, value: float, exclude: Unit, patient: Patient = UNKNOWN
) -> list[tuple[float, str, float]]:
    """The analyte's other units in which ``value`` is plausible, closest to the reference
    interval first: ``(distance, unit, mmol)``; distance is 0 inside the interval."""
    found = []
    for order, spelling in enumerate(record.units):
        unit = resolve_unit(spelling)
        mmol = record.to_mmol(value, unit)
        if mmol == record.to_mmol(value, exclude) or not plausible(record, mmol) or mmol <= 0:
            continue
        interval = record.interval_for(unit, patient)
        low, high = interval.low_mmol, interval.high_mmol
        inside = classify(mmol, interval, record.critical_for(unit, patient)) == "N"
        distance = 0.0 if inside else min(abs(math.log(mmol / low)), abs(math.log(mmol / high)))
        found.append((distance, order, unit.spelling, mmol))
    # Closest first; on a tie, the unit listed first in the reference file.
    return [(distance, spelling, mmol) for distance, _, spelling, mmol in sorted(found)]


def implausible_message(record: Analyte, shown: str, value: float, unit: Unit) -> str:
    bounds = record.plausible
    message = (
        f"{quote(shown)}: {value:g} {unit.spelling} is not a plausible {record.key} level "
        f"(plausible {bounds.low_mmol:g}-{bounds.high_mmol:g} mmol/L)"
    )
    options = _alternatives(record, value, unit)
    if not options:
        return message + "; check the value and its unit"
    distance, spelling, alt = options[0]
    if distance == 0:  # one unit makes it normal: that is very probably the one meant
        return (
            f"{message}; as {spelling} it would be {format_number(alt)} mmol/L, within the "
            f"reference interval: write {_name(shown, record)}={value:g}{spelling} if that is "
            "what was meant"
        )
    readings = ", ".join(
        f"as {spelling} {format_number(alt)} mmol/L ({_flag_in(record, alt, spelling)})"
        for _, spelling, alt in options
    )
    return f"{message}; {readings}: give the unit it was measured in"


def refuse_if_ambiguous(
    record: Analyte, shown: str, value: float, unit: Unit, flag: str, patient: Patient
) -> None:
    found = _ambiguous_unit(record, value, unit, patient)
    if found is not None:
        name = _name(shown, record)
        raise AmbiguousUnitError(
            f"{quote(shown)}: {ambiguity(record, value, unit, flag, patient)}; write "
            f"{name}={value:g}{found} or {name}={value:g}{unit.spelling}"
        )


def _ambiguous_unit(
    record: Analyte, value: float, unit: Unit, patient: Patient = UNKNOWN
) -> str | None:
    """Another of the analyte's units in which ``value`` is normal, if there is one."""
    for distance, spelling, _ in _alternatives(record, value, unit, patient):
        if distance == 0:
            return spelling
    return None


def ambiguity(
    record: Analyte, value: float, unit: Unit, flag: str, patient: Patient = UNKNOWN
) -> str | None:
    """Why a value without a unit cannot be read, or None: it is abnormal (``flag``) in the
    default ``unit`` but normal in another of the analyte's units (magnesium 2.0 is critically
    high in mmol/L and normal in mg/dL)."""
    spelling = _ambiguous_unit(record, value, unit, patient)
    if spelling is None:
        return None
    alt = record.to_mmol(value, resolve_unit(spelling))
    return (
        f"no unit given, and the unit decides the answer: as {unit.spelling} {value:g} is "
        f"{FLAG_WORDS[flag]} ({flag}), as {spelling} it is {format_number(alt)} mmol/L, normal"
    )


def _flag_in(record: Analyte, mmol: float, spelling: str) -> str:
    unit = resolve_unit(spelling)
    return classify(mmol, record.interval_for(unit), record.critical_for(unit))


def _name(shown: str, record: Analyte) -> str:
    return shown.split("=", 1)[0].strip() if "=" in shown else record.key
