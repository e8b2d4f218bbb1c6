"""A sweep: one analyte interpreted at evenly spaced values, to show how flag, grade and
spasm risk change as a value moves (``electrocheck sweep``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from electrocheck.clinical.interpret import interpret
from electrocheck.clinical.result import Result, denoise
from electrocheck.clinical.unit_choice import AS_ENTERED, UnitChoice
from electrocheck.errors import InputError, quote
from electrocheck.reference import Reference
from electrocheck.reference.patient import UNKNOWN, Patient
from electrocheck.teaching.gauge import Scale, gauge, scale_of
from electrocheck.units.resolve import resolve_unit

#: Most values one sweep shows.
MAX_STEPS = 200
#: Values a sweep aims at when no step is given.
DEFAULT_STEPS = 20
#: Where the unit of a sweep came from when it is the reference file's default unit.
FILE_DEFAULT = "reference file"


@dataclass(frozen=True)
class SweepRow:
    """One value of a sweep: its result, or why it has none (not plausible)."""

    value: float
    result: Result | None
    error: str | None
    gauge: str


@dataclass(frozen=True)
class Sweep:
    analyte: str
    label: str
    unit: str
    patient: Patient
    rows: tuple[SweepRow, ...]
    # Where the unit came from: "--unit", "ELECTROCHECK_DEFAULT_UNITS", "--units si" ...
    unit_from: str = FILE_DEFAULT

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``sweep --format json``."""
        return {
            "analyte": self.analyte,
            "unit": self.unit,
            "unit_from": self.unit_from,
            "patient": {
                "age_days": self.patient.age_days,
                "sex": self.patient.sex,
                "symptomatic": self.patient.symptomatic,
            },
            "rows": [
                {
                    "entered_value": row.value,
                    "gauge": row.gauge,
                    "error": row.error,
                    "result": None if row.result is None else row.result.to_dict(),
                }
                for row in self.rows
            ],
        }


def nice_step(start: float, stop: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about DEFAULT_STEPS values."""
    rough = abs(stop - start) / DEFAULT_STEPS
    if not (math.isfinite(rough) and rough > 0):
        raise InputError(f"cannot sweep from {start:g} to {stop:g}: give a wider range")
    power = 10 ** math.floor(math.log10(rough))
    # Within float noise of the rough step counts as reaching it (5 * 1e-05 for 5.0000001e-05).
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= rough * (1 - 1e-9)))


def sweep(
    reference: Reference,
    analyte: str,
    start: float,
    stop: float,
    step: float | None = None,
    unit: str | None = None,
    patient: Patient = UNKNOWN,
    units: UnitChoice = AS_ENTERED,
) -> Sweep:
    """Interpret ``analyte`` from ``start`` towards ``stop`` (included when a step lands
    on it) every ``step``, in ``unit``; when None, in the unit ``units`` gives a value
    without one (see :mod:`~electrocheck.clinical.unit_choice`), whose system also chooses
    the unit the results' limits are shown in. Raises :class:`InputError` for a bad range
    or step, or one that would give more than MAX_STEPS values."""
    record = reference.analyte(analyte)
    chosen, source = (unit, "--unit") if unit else units.assumed(record)
    spelling = resolve_unit(chosen).spelling
    unit_from = FILE_DEFAULT if source is None else source
    for name, number in (("--from", start), ("--to", stop)):
        if not math.isfinite(number) or number < 0:
            raise InputError(f"{name} {number:g}: expected a finite number >= 0")
    if start == stop:
        raise InputError("--from and --to are the same value: nothing to sweep")
    step = nice_step(start, stop) if step is None else step
    if not math.isfinite(step) or step <= 0:
        raise InputError(f"--step {quote(str(step))}: expected a number greater than 0")
    steps = abs(stop - start) / step * (1 + 1e-9)
    count = math.floor(steps) + 1 if math.isfinite(steps) else None
    if count is None or count > MAX_STEPS:
        shown = "too many" if count is None else f"{count}"
        raise InputError(
            f"{shown} values from {start:g} to {stop:g} every {step:g}: at most {MAX_STEPS}; "
            "give a larger --step"
        )
    direction = 1 if stop > start else -1
    values = [denoise(start + direction * i * step) for i in range(count)]
    results: list[tuple[float, Result | None, str | None]] = []
    for value in values:
        try:
            results.append(
                (
                    value,
                    interpret(reference, analyte, value, spelling, patient=patient, units=units),
                    None,
                )
            )
        except InputError as exc:
            results.append((value, None, str(exc)))
    found = [r for _, r, _ in results if r is not None]
    rows = []
    if found:
        # The scale holds the values that have a result: not implausible ones (or infinity).
        scale: Scale = scale_of(reference, found[0], [r.value for r in found])
        for value, result, error in results:
            shown = gauge(scale, None if result is None else result.value)
            rows.append(SweepRow(value, result, error, shown))
    else:
        rows = [SweepRow(value, None, error, "") for value, _, error in results]
    return Sweep(record.key, record.label, spelling, patient, tuple(rows), unit_from)
