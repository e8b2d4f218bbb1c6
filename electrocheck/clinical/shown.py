"""A result in the unit it is shown in: its value, reference interval, critical limits and
grade cut-points in the display unit of a unit system.

The system is the value's own (``mg/dL``, ``mg/L``, ``mg%`` and ``mEq/L`` are conventional;
``mmol/L`` and ``µmol/L`` are SI: :meth:`~electrocheck.reference.Analyte.system_of`, from the
reference file's ``display_units``), or the one asked for (``--units``). The display unit is
the analyte's unit of that system (calcium: mmol/L or mg/dL; potassium: mmol/L or mEq/L).

The numbers are always those of the limits that judged the value. Where those limits are
written in the display unit, they are shown as written (calcium 7.6 mg/dL: 8.5-10.2 mg/dL);
where they are written in another unit they are converted with the analyte's factor and
rounded to 4 significant digits, and ``converted`` says so. An entry of the file written in
the display unit for the same patient is not taken in their place: it may differ by rounding
(8.5 mg/dL is 2.121 mmol/L, the SI entry says 2.15), and a value must never be seen inside
limits that flagged it, or outside limits it was judged within.
"""

from __future__ import annotations

from electrocheck.clinical.result import Applied, Result, Shown, format_number, report_round
from electrocheck.reference import UNIT_SYSTEMS, Analyte, Criterion, Limits
from electrocheck.units.resolve import Unit, resolve_unit


def shown_limits(result: Result, system: str | None = None) -> Shown | None:
    """``result`` in the display unit of ``system`` (``"si"`` or ``"conventional"``; None:
    the system of the unit the value was entered in). None for a result built by hand,
    without the limits that judged it.

    >>> from electrocheck import interpret, load_reference, shown_limits
    >>> shown = shown_limits(interpret(load_reference(), "ca", 7.6, "mg/dL"), "si")
    >>> (shown.unit, shown.low, shown.high)
    ('mmol/L', 2.121, 2.545)
    """
    if result.applied is None:
        return None
    return shown_of(result.applied, result.entered_value, result.value, system)


def shown_of(applied: Applied, entered: float, mmol: float, system: str | None = None) -> Shown:
    """The value (``entered`` in ``applied.unit``, ``mmol`` in mmol/L) and the limits of
    ``applied``, in the display unit of ``system`` (None: the value's own system)."""
    record = applied.analyte
    if system is not None and system not in UNIT_SYSTEMS:
        raise ValueError(f"unknown unit system {system!r}; expected one of {UNIT_SYSTEMS}")
    system = system or record.system_of(applied.unit)
    target = resolve_unit(record.display_units.of(system))
    converted: list[str] = []
    if applied.unit.spelling == target.spelling:
        value = entered
    else:
        value = in_unit(record, mmol, target)
        converted.append("value")
    low, high = _pair(record, applied.interval, target, "interval", converted)
    critical_low, critical_high = _pair(record, applied.critical, target, "critical", converted)
    cuts: list[tuple[str, int, float]] = []
    for side in ("low", "high"):
        scale = record.grades(side)
        if scale is not None:
            criterion = scale.criterion_for(applied.unit)
            cuts += [(side, grade, v) for grade, v in cuts_in(record, criterion, target)]
            if criterion.unit != target.spelling:
                converted.append(f"cut_points.{side}")
    return Shown(
        system,
        target.spelling,
        value,
        low,
        high,
        critical_low,
        critical_high,
        tuple(cuts),
        tuple(converted),
    )


def in_unit(record: Analyte, mmol: float, unit: Unit) -> float:
    """A value of ``record`` in mmol/L, converted to ``unit`` and rounded as reported."""
    return report_round(mmol / record.factor_to_mmol(unit))


def limits_in(record: Analyte, limits: Limits, unit: Unit) -> tuple[float, float]:
    """``limits`` in ``unit``: as written when written in it, else converted."""
    if limits.unit == unit.spelling:
        return limits.low, limits.high
    return in_unit(record, limits.low_mmol, unit), in_unit(record, limits.high_mmol, unit)


def cuts_in(record: Analyte, criterion: Criterion, unit: Unit) -> tuple[tuple[int, float], ...]:
    """The cut-points of ``criterion`` in ``unit``, ``(grade, value)``: as written when
    written in it, else converted."""
    if criterion.unit == unit.spelling:
        return tuple((grade, value) for grade, value, _ in criterion.cuts)
    return tuple((grade, in_unit(record, mmol, unit)) for grade, _, mmol in criterion.cuts)


def _pair(
    record: Analyte, limits: Limits, unit: Unit, name: str, converted: list[str]
) -> tuple[float, float]:
    if limits.unit != unit.spelling:
        converted.append(name)
    return limits_in(record, limits, unit)


def interval_text(shown: Shown) -> str:
    """The reference interval as a cell shows it: ``8.5–10.2 mg/dL``."""
    return f"{format_number(shown.low)}–{format_number(shown.high)} {shown.unit}"


def critical_text(shown: Shown) -> str:
    """The critical limits as text, with the digits the file writes: ``6.0 / 13.0 mg/dL``."""
    return (
        f"{format_number(shown.critical_low)} / {format_number(shown.critical_high)} {shown.unit}"
    )
