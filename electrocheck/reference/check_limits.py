"""Checks of limits: the ``{low, high, unit, source}`` entries of an analyte's ``plausible``,
``reference`` and ``critical`` (and of a covariate's ``plausible``).

``reference`` and ``critical`` are lists whose entries may carry an ``age`` band and a
``sex``; :func:`check_order` checks that the limits that can apply together are in order
(plausible < critical < reference), for every age band, sex and unit system.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import partial
from typing import Any

from electrocheck.errors import PatientError, quote
from electrocheck.reference.check_base import Checker, _Invalid, _kind, _line
from electrocheck.reference.model import Limits, select_limits, unit_system
from electrocheck.reference.patient import SEXES, AgeBand, Patient, parse_age
from electrocheck.units.resolve import Unit, resolve_unit

_LIMIT_KEYS = {"low", "high", "unit", "source"}
_STRATA_KEYS = frozenset({"age", "sex"})


def read_limits(
    c: Checker,
    node: Any,
    path: str,
    line: int | None,
    convert: Callable[[float, Unit], float],
    strata: bool = False,
) -> Limits:
    m = c.mapping(node, path, line, _LIMIT_KEYS, _STRATA_KEYS if strata else frozenset())
    age = c.attempt(lambda: read_age_band(c, m, path)) if "age" in m else None
    sex = c.attempt(lambda: read_sex(c, m, path)) if "sex" in m else None
    low = c.attempt(lambda: c.number(m["low"], f"{path}.low", _line(m, "low")))
    high = c.attempt(lambda: c.number(m["high"], f"{path}.high", _line(m, "high")))
    unit = c.attempt(lambda: c.unit(m["unit"], f"{path}.unit", _line(m, "unit")))
    source = c.attempt(lambda: c.source(m["source"], f"{path}.source", _line(m, "source")))
    if low is None or high is None or unit is None or source is None:
        raise _Invalid()
    if ("age" in m and age is None) or ("sex" in m and sex is None):
        raise _Invalid()
    if high <= low:
        raise c.fail(
            f"{path}.high", f"must be greater than low ({high} <= {low})", _line(m, "high")
        )
    return Limits(
        low,
        high,
        unit.spelling,
        source,
        convert(low, unit),
        convert(high, unit),
        unit_system(unit),
        age,
        sex,
    )


def read_age_band(c: Checker, m: Any, path: str) -> AgeBand:
    apath, line = f"{path}.age", _line(m, "age")
    band = c.mapping(m["age"], apath, line, {"from", "to"})
    ends = []
    for key in ("from", "to"):
        text = str(band[key]) if isinstance(band[key], (int, float, str)) else None
        try:
            if text is None or isinstance(band[key], bool):
                raise PatientError("expected an age such as 0d, 11d, 6mo or 3y")
            ends.append(parse_age(text))
        except PatientError as exc:
            raise c.fail(f"{apath}.{key}", str(exc), _line(band, key)) from None
    if not ends[0] < ends[1]:
        raise c.fail(f"{apath}.to", "must be an older age than from", _line(band, "to"))
    return AgeBand(ends[0], ends[1], f"{band['from']} to {band['to']}")


def read_sex(c: Checker, m: Any, path: str) -> str:
    if m["sex"] not in SEXES:
        raise c.fail(
            f"{path}.sex", f"must be female or male, not {quote(m['sex'])}", _line(m, "sex")
        )
    return str(m["sex"])


def read_intervals(
    c: Checker, node: Any, path: str, line: int | None, convert: _Converter
) -> tuple[Limits, ...]:
    if not isinstance(node, list) or not node:
        raise c.fail(path, f"must be a non-empty list, not {_kind(node)}", line)
    items = [
        c.attempt(
            partial(read_limits, c, item, f"{path}[{i}]", _line(node, i), convert, strata=True)
        )
        for i, item in enumerate(node)
    ]
    if any(item is None for item in items):
        raise _Invalid()
    seen: dict[tuple[str, str | None, str | None], int] = {}
    for i, item in enumerate(items):
        group = (item.system, item.age.text if item.age else None, item.sex)
        if group in seen:
            c.fail(
                f"{path}[{i}]",
                f"a second entry in {item.system} units for {item.population()} (the "
                f"first is [{seen[group]}]); only one per unit system is used",
                _line(node, i),
            )
        seen.setdefault(group, i)
    if not any(item.age is None and item.sex is None for item in items):
        raise c.fail(path, "needs an entry without age and sex (for adults)", line)
    return tuple(items)


def check_order(c: Checker, path: str, m: Any, fields: dict[str, Any]) -> None:
    """plausible.low < critical.low < reference.low < reference.high < critical.high <
    plausible.high, all in mmol/L, for every pair of interval and critical limits that
    can apply together: each age band, sex and unit system, chosen as values are."""
    plausible = fields["plausible"]
    reference, critical = fields["reference"], fields["critical"]
    reported: set[str] = set()
    for patient, unit in _cases(reference + critical):
        interval = select_limits(reference, unit, patient)
        limit = select_limits(critical, unit, patient)
        i, j = reference.index(interval), critical.index(limit)
        # (key in the file, name in messages, value in mmol/L)
        chain = [
            ("plausible", "plausible.low", plausible.low_mmol),
            ("critical", f"critical[{j}].low", limit.low_mmol),
            ("reference", f"reference[{i}].low", interval.low_mmol),
            ("reference", f"reference[{i}].high", interval.high_mmol),
            ("critical", f"critical[{j}].high", limit.high_mmol),
            ("plausible", "plausible.high", plausible.high_mmol),
        ]
        for (_, name_a, a), (key_b, name_b, b) in itertools.pairwise(chain):
            message = f"must be above {name_a} once both are in mmol/L ({b:g} <= {a:g})"
            if not a < b and message not in reported:
                reported.add(message)
                c.fail(f"{path}.{name_b}", message, _line(m, key_b))


def _cases(items: tuple[Limits, ...]) -> list[tuple[Patient, Unit]]:
    """One patient and unit for every combination of age band, sex and unit system that
    the entries can tell apart: an age at the start of each band (and at each band's end,
    where another may begin), no age, each sex and none, and each unit the entries use."""
    edges = sorted({e for i in items if i.age for e in (i.age.start, i.age.end)})
    ages: list[float | None] = [None, *edges]
    units = {i.unit: resolve_unit(i.unit) for i in items}
    return [
        (Patient(age, sex), unit)
        for age in ages
        for sex in (None, *SEXES)
        for unit in units.values()
    ]


def _unconverted(value: float, unit: Unit) -> float:
    return value


class _Converter:
    """Converts a limit to mmol/L for one analyte."""

    def __init__(self, molar_mass: float, valence: int) -> None:
        self.molar_mass = molar_mass
        self.valence = valence

    def __call__(self, value: float, unit: Unit) -> float:
        return value * unit.factor_to_mmol(self.molar_mass, self.valence)
