"""The batch engine's flags (electrocheck.batch.flags), row by row against the core.

Each case is a tiny frame of distinct rows; the expected value and flag are what
``interpret`` (the core) gives for the same value, unit and patient, or the core's
``classify`` against the lab's limits where a row gives usable ones. Values sit at every limit
of the reference file, from both sides of the tolerance within which a value equals a limit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from batch_steps import Row, step_of  # pytest puts tests/batch on sys.path

from electrocheck import interpret
from electrocheck.batch.flags import flag_stages, refuse_ambiguous
from electrocheck.batch.patient import segment_of
from electrocheck.clinical.classify import classify
from electrocheck.clinical.compare import LIMIT_TOLERANCE
from electrocheck.clinical.unit_doubt import ambiguity
from electrocheck.errors import AmbiguousUnitError, ImplausibleValueError
from electrocheck.reference import Reference, load_reference
from electrocheck.units.resolve import resolve_unit

SIDES = {"L": "low", "LL": "low", "H": "high", "HH": "high"}
#: The limits of a row, by their column names; each is met from both sides.
LIMITS = ("plaus_low", "crit_low", "ref_low", "ref_high", "crit_high", "plaus_high")
#: How far from a limit a value sits, in parts of LIMIT_TOLERANCE: within it (equal to the
#: limit), and beyond it on each side.
STEPS = (-2.0, -0.5, 0.0, 0.5, 2.0)
#: A censored bound counts as beyond a limit equal to it: the core's answer for a value this
#: far (relative) past the bound, far beyond the tolerance and far short of the next limit.
PAST = 1e-6


def core(ref: Reference, row: Row, number: float) -> tuple[float | None, str | None]:
    """The value in mmol/L and flag ``check`` gives, or (None, None) where it refuses the
    value: implausible, or without a unit where the unit decides the answer."""
    try:
        result = interpret(ref, row.analyte, number, row.unit, patient=row.patient(ref))
    except (ImplausibleValueError, AmbiguousUnitError):
        return None, None
    return result.value, result.flag


def at_limits(ref: Reference, row: Row) -> list[Row]:
    """``row`` at each limit of its unit and patient, from both sides."""
    (limits,) = step_of(ref, [row]).select(*LIMITS, "factor").iter_rows()
    *mmol, factor = limits
    return [
        dataclasses.replace(row, number=limit / factor * (1 + step * LIMIT_TOLERANCE))
        for limit in mmol
        for step in STEPS
    ]


def flagged(ref: Reference, rows: list[Row]) -> pl.DataFrame:
    return flag_stages(step_of(ref, rows))


PATIENTS = [(None, None), (2, "female"), (10, "male")]  # adults; a neonate; an adult by age
VALUES = [
    ("calcium", "mmol/L"),
    ("calcium", "mg/dL"),
    ("calcium", "mEq/L"),
    ("calcium", "mg/L"),
    ("ionized_calcium", "mg/dL"),
    ("magnesium", "mmol/L"),
    ("magnesium", "mg/dL"),
    ("potassium", "mmol/L"),
    ("sodium", "mEq/L"),
]


@pytest.mark.parametrize(("segment", "sex"), PATIENTS)
@pytest.mark.parametrize(("analyte", "unit"), VALUES)
def test_every_limit_from_both_sides_as_check(
    ref: Reference, analyte: str, unit: str, segment: int | None, sex: str | None
) -> None:
    rows = at_limits(ref, Row(analyte, 0.0, unit, segment=segment, sex=sex))
    found = flagged(ref, rows)
    expected = [core(ref, row, row.number) for row in rows]
    assert found["flag"].to_list() == [flag for _, flag in expected]
    assert found["implausible"].to_list() == [flag is None for _, flag in expected]
    assert found["side"].to_list() == [SIDES.get(flag or "") for _, flag in expected]
    for value, (mmol, _) in zip(found["mmol"].to_list(), expected, strict=True):
        assert value == (None if mmol is None else pytest.approx(mmol, rel=1e-15))
    assert not found["lab"].any() and not found["lab_refused"].any()
    assert found["lab_sides"].null_count() == len(rows)
    assert found["low"].to_list() == found["ref_low"].to_list()
    assert found["high"].to_list() == found["ref_high"].to_list()


def test_the_limits_are_met_from_both_sides(ref: Reference) -> None:
    # The table above must hold each flag and each refusal: a value at a limit, within the
    # tolerance, is on the limit's normal side; past it, beyond.
    rows = at_limits(ref, Row("calcium", 0.0, "mmol/L"))
    flags = flag_stages(step_of(ref, rows))["flag"].to_list()
    by_limit = [flags[i : i + len(STEPS)] for i in range(0, len(flags), len(STEPS))]
    assert by_limit == [
        [None, "LL", "LL", "LL", "LL"],  # plausible low: refused below it
        ["LL", "L", "L", "L", "L"],
        ["L", "N", "N", "N", "N"],
        ["N", "N", "N", "N", "H"],
        ["H", "H", "H", "H", "HH"],
        ["HH", "HH", "HH", "HH", None],  # plausible high: refused above it
    ]


@pytest.mark.parametrize("limit", LIMITS)
def test_a_value_exactly_at_the_tolerance_equals_the_limit(ref: Reference, limit: str) -> None:
    # limit * (1 -/+ LIMIT_TOLERANCE) itself is not beyond the limit (the comparison is
    # strict), as in the core.
    (row,) = step_of(ref, [Row("potassium", 1.0, "mmol/L")]).iter_rows(named=True)
    assert row["factor"] == 1.0
    for sign in (-1, 1):
        number = row[limit] * (1 + sign * LIMIT_TOLERANCE)
        found = flagged(ref, [Row("potassium", number, "mmol/L")])
        _, flag = core(ref, Row("potassium", number), number)
        assert found["flag"].to_list() == [flag]
        assert flag is not None or limit.startswith("plaus")


CENSORS = {"<": 1 - PAST, ">": 1 + PAST, "<=": 1.0, ">=": 1.0}


@pytest.mark.parametrize("censor", sorted(CENSORS))
@pytest.mark.parametrize(("analyte", "unit"), [("calcium", "mmol/L"), ("magnesium", "mg/dL")])
def test_a_censored_value_at_each_limit(
    ref: Reference, analyte: str, unit: str, censor: str
) -> None:
    # <x counts as beyond a limit equal to x, >x likewise; <=x and >=x are read at x.
    rows = [
        dataclasses.replace(row, censor=censor)
        for row in at_limits(ref, Row(analyte, 0.0, unit))[2 :: len(STEPS)]  # at each limit
    ]
    found = flagged(ref, rows)
    expected = [core(ref, row, row.number * CENSORS[censor]) for row in rows]
    assert found["flag"].to_list() == [flag for _, flag in expected]
    at = [core(ref, row, row.number) for row in rows]
    for value, (mmol, _), (_, past), row in zip(
        found["mmol"].to_list(), at, expected, rows, strict=True
    ):
        if past is None:  # refused: out of plausible bounds once past its limit
            assert value is None
            continue
        assert value == pytest.approx(mmol, rel=1e-8)
        if censor in ("<", ">"):  # moved past the bound by more than the tolerance
            moved = value / (row.number * row_factor(ref, row))
            assert abs(moved - 1) > LIMIT_TOLERANCE
            assert (moved < 1) == (censor == "<")
        else:
            assert value == mmol


def row_factor(ref: Reference, row: Row) -> float:
    return ref.analytes[row.analyte].factor_to_mmol(resolve_unit(row.spelling(ref)))


def test_a_censored_value_flags_as_its_bound_past_the_limit(ref: Reference) -> None:
    # Written out for the reference limits of calcium in mmol/L (read from the file).
    calcium = ref.analytes["calcium"].interval_for(resolve_unit("mmol/L"))
    low, high = calcium.low_mmol, calcium.high_mmol
    rows = [
        Row("calcium", low, censor="<"),
        Row("calcium", low, censor="<="),
        Row("calcium", low),
        Row("calcium", low, censor=">"),
        Row("calcium", high, censor=">"),
        Row("calcium", high, censor=">="),
        Row("calcium", high),
        Row("calcium", high, censor="<"),
    ]
    assert flagged(ref, rows)["flag"].to_list() == ["L", "N", "N", "N", "H", "N", "N", "N"]


def lab_flags(
    ref: Reference, row: Row, low: float | None, high: float | None
) -> tuple[list[Row], list[str | None]]:
    """``row`` at each of its limits (the reference file's and the lab's) from both sides,
    and the core's flag of each against the lab's limits in mmol/L (None: not used)."""
    record = ref.analytes[row.analyte]
    unit = resolve_unit(row.spelling(ref))
    interval = record.interval_for(unit, row.patient(ref))
    critical = record.critical_for(unit, row.patient(ref))
    applied = dataclasses.replace(
        interval,
        low_mmol=interval.low_mmol if low is None else low,
        high_mmol=interval.high_mmol if high is None else high,
    )
    factor = record.factor_to_mmol(unit)
    limits = [x for x in (low, high, interval.low_mmol, interval.high_mmol) if x is not None]
    rows = [
        dataclasses.replace(row, number=limit / factor * (1 + step * LIMIT_TOLERANCE))
        for limit in limits
        for step in STEPS
    ]
    return rows, [classify(r.number * factor, applied, critical) for r in rows]


# (analyte, unit, the row's low and high, one-sided, the range's unit,
#  limits used: "both", "low", "high", None (reference), and refused)
LAB_CASES = [
    ("potassium", "mmol/L", 3.3, 5.1, False, None, "both", False),
    ("potassium", "mmol/L", 3.3, None, True, None, "low", False),  # >=3.3
    ("potassium", "mmol/L", None, 5.1, True, None, "high", False),  # <5.1
    ("potassium", "mmol/L", 3.3, None, False, None, None, False),  # a low column alone
    ("potassium", "mmol/L", None, 5.1, False, None, None, False),  # a high column alone
    ("potassium", "mmol/L", 5.1, 3.3, False, None, None, True),  # out of order
    ("potassium", "mmol/L", 4.0, 4.0, False, None, None, True),  # no interval at all
    ("potassium", "mmol/L", 5.0, 6.0, False, None, None, True),  # meets ref high only
    ("potassium", "mmol/L", 4.99, 6.0, False, None, "both", False),  # just overlaps
    ("potassium", "mmol/L", 2.0, 3.5, False, None, None, True),  # meets ref low only
    ("potassium", "mmol/L", 2.0, 3.51, False, None, "both", False),  # just overlaps
    ("potassium", "mmol/L", 5.0, None, True, None, None, True),  # >=5.0: nothing left
    ("potassium", "mmol/L", 4.9, None, True, None, "low", False),
    ("potassium", "mmol/L", None, 3.5, True, None, None, True),  # <3.5: nothing left
    ("potassium", "mmol/L", None, 3.6, True, None, "high", False),
    ("potassium", "mEq/L", 3.3, 5.1, False, None, "both", False),
    ("magnesium", "mmol/L", 1.7, 2.4, False, None, None, True),  # a mg/dL range, unnamed
    ("magnesium", "mmol/L", 1.7, 2.4, False, "mg/dL", "both", False),  # named
    ("magnesium", "mmol/L", 1.8, None, True, "mg/dL", "low", False),  # >=1.8 mg/dL
    ("magnesium", "mg/dL", 0.7, 1.0, False, None, None, True),  # a mmol/L range, unnamed
    ("magnesium", "mg/dL", 0.7, 1.0, False, "mmol/L", "both", False),
    ("magnesium", "mg/dL", 1.6, 2.3, False, "mg/dL", "both", False),
    ("calcium", "mg/dL", 2.1, 2.6, False, "mmol/L", "both", False),
]


@pytest.mark.parametrize(
    ("analyte", "unit", "low", "high", "one_sided", "range_unit", "used", "refused"), LAB_CASES
)
def test_the_labs_own_limits(
    ref: Reference,
    analyte: str,
    unit: str,
    low: float | None,
    high: float | None,
    one_sided: bool,
    range_unit: str | None,
    used: str | None,
    refused: bool,
) -> None:
    record = ref.analytes[analyte]
    range_factor = record.factor_to_mmol(resolve_unit(range_unit or unit))
    low_mmol = None if low is None else low * range_factor
    high_mmol = None if high is None else high * range_factor
    row = Row(analyte, 0.0, unit, low=low, high=high, one_sided=one_sided, range_unit=range_unit)
    applied_low = low_mmol if used in ("both", "low") else None
    applied_high = high_mmol if used in ("both", "high") else None
    rows, flags = lab_flags(ref, row, applied_low, applied_high)
    found = flagged(ref, rows)
    assert found["flag"].to_list() == flags
    assert found["lab"].to_list() == [used is not None] * len(rows)
    assert found["lab_refused"].to_list() == [refused] * len(rows)
    assert found["lab_sides"].to_list() == [used] * len(rows)
    reference = step_of(ref, [row]).row(0, named=True)
    expected_low = reference["ref_low"] if applied_low is None else applied_low
    expected_high = reference["ref_high"] if applied_high is None else applied_high
    assert found["low"].to_list() == [pytest.approx(expected_low, rel=1e-15)] * len(rows)
    assert found["high"].to_list() == [pytest.approx(expected_high, rel=1e-15)] * len(rows)


def test_a_lab_limit_past_the_critical_one_still_gives_the_critical_flag(ref: Reference) -> None:
    # The lab's limits replace the reference interval, never the critical limits.
    critical = ref.analytes["potassium"].critical_for(resolve_unit("mmol/L"))
    rows = [
        Row("potassium", critical.low_mmol * 0.99, low=2.0, high=7.0),
        Row("potassium", critical.high_mmol * 1.01, low=2.0, high=7.0),
    ]
    assert flagged(ref, rows)["flag"].to_list() == ["LL", "HH"]


def test_a_row_whose_unit_is_unknown_uses_no_limits(ref: Reference) -> None:
    # The unit of the value is unknown (no factor, no limits); its range names a unit.
    step = step_of(ref, [Row("magnesium", 0.8, low=1.7, high=2.4, range_unit="mg/dL")])
    unknown = [c for c in step.columns if c.startswith(("ref_", "crit_", "plaus_", "factor"))]
    step = step.with_columns(pl.lit(None, pl.Float64).alias(c) for c in unknown)
    found = flag_stages(step)
    assert found["lab"].to_list() == [False]
    assert found["mmol"].to_list() == [None]
    assert found["flag"].to_list() == [None]
    assert found["side"].to_list() == [None]


# Unitless values: refused where the unit decides the answer, as in check.
def neonate(ref: Reference) -> int:
    return segment_of(ref, 10.0)


def test_a_unitless_value_the_unit_decides_is_refused(ref: Reference) -> None:
    rows = [
        Row("magnesium", 0.8, None),  # normal as assumed: not looked at
        Row("magnesium", 2.0, None),  # critical in mmol/L, normal in mg/dL
        Row("potassium", 2.0, None),  # critical, and in no other unit normal
        Row("magnesium", 2.0, "mmol/L"),  # its unit given
        Row("magnesium", 0.3, None),  # low in mmol/L, critical in mg/dL: never normal
    ]
    found = refuse_ambiguous(flagged(ref, rows), ref)
    record = ref.analytes["magnesium"]
    message = ambiguity(record, 2.0, resolve_unit(record.default_unit), "HH")
    assert message is not None
    assert found["ambiguous"].to_list() == [None, message, None, None, None]
    expected = [core(ref, row, row.number) for row in rows]
    assert expected[1] == (None, None)
    assert found["flag"].to_list() == [flag for _, flag in expected]
    assert found["mmol"].to_list() == [mmol for mmol, _ in expected]
    assert found["side"].to_list() == [SIDES.get(flag or "") for _, flag in expected]


def test_the_patients_limits_decide_whether_the_unit_does(ref: Reference) -> None:
    # Magnesium 2.45: above the adults' interval in mg/dL, within a neonate's.
    rows = [Row("magnesium", 2.45, None), Row("magnesium", 2.45, None, segment=neonate(ref))]
    found = refuse_ambiguous(flagged(ref, rows), ref)
    record = ref.analytes["magnesium"]
    unit = resolve_unit(record.default_unit)
    message = ambiguity(record, 2.45, unit, "HH", rows[1].patient(ref))
    assert message is not None
    assert ambiguity(record, 2.45, unit, "HH", rows[0].patient(ref)) is None
    assert found["ambiguous"].to_list() == [None, message]
    assert found["flag"].to_list() == ["HH", None]


def test_no_unitless_value_refused(ref: Reference) -> None:
    step = flagged(ref, [Row("magnesium", 0.8, None), Row("potassium", 2.0, None)])
    found = refuse_ambiguous(step, ref)
    assert found["ambiguous"].dtype == pl.String
    assert found["ambiguous"].to_list() == [None, None]
    assert found.drop("ambiguous").equals(step)


def test_the_patients_sex_decides_whether_the_unit_does(
    write_reference: Callable[..., Path],
) -> None:
    # A file whose women have a wider magnesium interval in mg/dL: 2.45 (critical in mmol/L,
    # the default unit) is normal in mg/dL for a woman alone.
    def female_band(data: dict[str, Any]) -> None:
        bands = data["analytes"]["magnesium"]["reference"]
        bands.append({**bands[0], "sex": "female", "high": 2.5})

    ref = load_reference(write_reference(female_band))
    rows = [Row("magnesium", 2.45, None, sex=sex) for sex in (None, "male", "female")]
    found = refuse_ambiguous(flagged(ref, rows), ref)
    record = ref.analytes["magnesium"]
    unit = resolve_unit(record.default_unit)
    messages = [ambiguity(record, 2.45, unit, "HH", row.patient(ref)) for row in rows]
    assert messages[:2] == [None, None] and messages[2] is not None
    assert found["ambiguous"].to_list() == messages
    assert found["flag"].to_list() == ["HH", "HH", None]


def test_a_unitless_value_of_each_flag_is_refused_where_the_unit_decides(
    ref: Reference, write_reference: Callable[..., Path]
) -> None:
    # With the built-in file (magnesium in mmol/L by default) a high value can be normal in
    # mg/dL; with a file whose default is mg/dL, a low one can be normal in mmol/L or mEq/L.
    def mg_dl_default(data: dict[str, Any]) -> None:
        data["analytes"]["magnesium"]["default_unit"] = "mg/dL"

    mg_dl = load_reference(write_reference(mg_dl_default))
    for reference, numbers in ((ref, (1.8, 2.0)), (mg_dl, (1.5, 0.8))):
        rows = [Row("magnesium", number, None) for number in numbers]
        found = refuse_ambiguous(flagged(reference, rows), reference)
        record = reference.analytes["magnesium"]
        unit = resolve_unit(record.default_unit)
        flags = flagged(reference, rows)["flag"].to_list()
        messages = [ambiguity(record, n, unit, f) for n, f in zip(numbers, flags, strict=True)]
        assert None not in messages
        assert found["ambiguous"].to_list() == messages
        assert found["flag"].to_list() == [None, None]
        assert [core(reference, row, row.number) for row in rows] == [(None, None)] * 2
    assert flagged(ref, [Row("magnesium", n, None) for n in (1.8, 2.0)])["flag"].to_list() == [
        "H",
        "HH",
    ]
    assert flagged(mg_dl, [Row("magnesium", n, None) for n in (1.5, 0.8)])["flag"].to_list() == [
        "L",
        "LL",
    ]
