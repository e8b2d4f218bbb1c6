"""Properties of conversion and flagging over random values (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from electrocheck import ElectrocheckError, interpret, load_reference
from electrocheck.clinical.result import FLAGS
from electrocheck.units.resolve import resolve_unit

REF = load_reference()
ANALYTES = st.sampled_from(sorted(REF.analytes))
UNITS = st.sampled_from(["mmol/L", "mg/dL", "mEq/L", "µmol/L", "mg/L", "g/L", "mg%"])
POSITIVE = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(analyte=ANALYTES, unit=UNITS, value=POSITIVE)
def test_conversion_round_trips(analyte: str, unit: str, value: float) -> None:
    record = REF.analytes[analyte]
    factor = record.factor_to_mmol(resolve_unit(unit))
    assert record.to_mmol(value, resolve_unit(unit)) / factor == pytest.approx(value, rel=1e-9)


def _flag(analyte: str, value: float, unit: str) -> str | None:
    try:
        return interpret(REF, analyte, value, unit).flag
    except ElectrocheckError:
        return None


def _plausible(analyte: str, unit: str) -> st.SearchStrategy[float]:
    """Values in ``unit`` whose mmol/L equivalent lies inside the analyte's plausible bounds."""
    record = REF.analytes[analyte]
    factor = record.factor_to_mmol(resolve_unit(unit))
    return st.floats(record.plausible.low_mmol / factor, record.plausible.high_mmol / factor)


@given(data=st.data(), analyte=ANALYTES, unit=UNITS)
def test_flags_are_monotone_in_the_value(data: st.DataObject, analyte: str, unit: str) -> None:
    a = data.draw(_plausible(analyte, unit))
    b = data.draw(_plausible(analyte, unit))
    low, high = sorted((a, b))
    flag_low, flag_high = _flag(analyte, low, unit), _flag(analyte, high, unit)
    assert flag_low is not None and flag_high is not None
    assert FLAGS.index(flag_low) <= FLAGS.index(flag_high)


SAME_SYSTEM = st.sampled_from(
    [
        ("mmol/L", "mEq/L"),
        ("mmol/L", "µmol/L"),
        ("mg/dL", "mg/L"),
        ("mg/dL", "g/L"),
        ("mg/dL", "mg%"),
    ]
)


@given(data=st.data(), analyte=ANALYTES, units=SAME_SYSTEM)
def test_same_amount_in_two_units_of_one_system_gets_the_same_flag(
    data: st.DataObject, analyte: str, units: tuple[str, str]
) -> None:
    record = REF.analytes[analyte]
    first, second = (resolve_unit(u) for u in units)
    value = data.draw(_plausible(analyte, units[0]))
    other = value * record.factor_to_mmol(first) / record.factor_to_mmol(second)
    mmol = record.to_mmol(value, first)
    # At a limit itself float noise may fall either way; everywhere else the flags agree.
    limits = [record.interval_for(first), record.critical_for(first), record.plausible]
    assume(all(abs(mmol - x) > 1e-7 * x for lim in limits for x in (lim.low_mmol, lim.high_mmol)))
    assert _flag(analyte, value, units[0]) == _flag(analyte, other, units[1])
