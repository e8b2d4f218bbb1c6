"""The batch engine's corrected values (electrocheck.batch.corrected_values) against the core.

The column-wise arithmetic must give, float for float, what the core's ``corrected_value``
gives for the same measured value and covariate cell: each case is a tiny frame of rows, in
every unit of the measured value and of the covariate, with the rows that have no corrected
value (no flag, censored, no number, no usable covariate) among them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from electrocheck.batch.corrected_values import CorrectedValues
from electrocheck.batch.covariates import CovariateReader
from electrocheck.clinical.corrections import corrected_value, read_covariate
from electrocheck.errors import InputError, ReferenceFileError
from electrocheck.reference import Reference, load_reference
from electrocheck.units.resolve import resolve_unit
from electrocheck.units.tokens import parse_number

SCHEMA = {
    "in_number": pl.Float64,
    "in_spelling": pl.String,
    "in_flag": pl.String,
    "in_censored": pl.String,
    "cov_text": pl.String,
    "cov_unit": pl.String,
}
#: A measured value: number, unit spelling, flag, censoring sign.
Measured = tuple[float | None, str | None, str | None, str | None]
#: A covariate cell and the unit its column gives.
Cell = tuple[str | None, str | None]


def computed(
    ref: Reference, key: str, measured: list[Measured], cells: list[Cell]
) -> tuple[list[float | None], list[str | None], list[str | None]]:
    """The corrected values, units and errors of every measured value beside every cell."""
    correction = ref.corrections[key]
    reader = CovariateReader(ref, correction.covariate, correction.covariate, {})
    rows = pl.DataFrame([(*m, *c) for m in measured for c in cells], schema=SCHEMA, orient="row")
    values, units, errors = CorrectedValues(ref, correction, reader).values(rows)
    assert (values.name, units.name, errors.name) == ("c_value", "c_unit", "c_error")
    assert (values.dtype, units.dtype, errors.dtype) == (pl.Float64, pl.String, pl.String)
    assert len(values) == len(units) == len(errors) == rows.height
    return values.to_list(), units.to_list(), errors.to_list()


def core(
    ref: Reference, key: str, measured: Measured, cell: Cell
) -> tuple[float | None, str | None]:
    """The corrected value and unit ``check`` computes, or (None, None) where there is none."""
    number, spelling, flag, censored = measured
    text, column_unit = cell
    if number is None or spelling is None or flag is None or censored is not None:
        return None, None
    if text is None or not text.strip():
        return None, None
    correction = ref.corrections[key]
    try:
        value, unit = parse_number(text, text)
        given = read_covariate(ref, correction.covariate, value, unit or column_unit, text)
    except InputError:
        return None, None
    found = corrected_value(ref, correction.corrects, number, spelling, given, explain=False)
    return found.value, found.unit


def assert_as_core(ref: Reference, key: str, measured: list[Measured], cells: list[Cell]) -> None:
    values, units, errors = computed(ref, key, measured, cells)
    expected = [core(ref, key, m, c) for m in measured for c in cells]
    assert values == [value for value, _ in expected]  # the same floats
    assert units == [unit for _, unit in expected]
    assert errors == [None] * len(expected)


CALCIUM = [
    (2.1, "mmol/L", "L", None),
    (8.0, "mg/dL", "L", None),
    (80.0, "mg/L", "L", None),
    (0.08, "g/L", "L", None),
    (8.0, "mg%", "L", None),
    (4.2, "mEq/L", "L", None),
    (2100.0, "µmol/L", "L", None),
    (2.4, "mmol/L", "N", None),
    (12.1, "mg/dL", "H", None),
]
ALBUMIN = [
    ("2.5 g/dL", None),
    ("25 g/L", None),
    ("25", "g/L"),  # its unit in its column
    ("2.5", "g/dL"),
    ("2.5", None),  # g/dL assumed
    ("2.5 g/dL", "g/L"),  # the cell's unit wins
    ("4.0 g/dL", None),  # at the pivot: nothing added
    ("40 g/L", None),
    ("5.2 g/dL", None),  # above the pivot: taken off
    ("52 g/L", None),
    ("0.5 g/dL", None),  # at the plausible bound
    ("7 g/dL", None),  # at the plausible bound
]


@pytest.mark.parametrize("measured", CALCIUM)
def test_corrected_calcium_in_every_unit_as_check(ref: Reference, measured: Measured) -> None:
    assert_as_core(ref, "corrected_calcium", [measured], ALBUMIN)


def test_the_rows_of_one_frame_in_every_unit_as_check(ref: Reference) -> None:
    assert_as_core(ref, "corrected_calcium", CALCIUM, ALBUMIN)


SODIUM = [
    (130.0, "mmol/L", "L", None),
    (130.0, "mEq/L", "L", None),
    (150.0, "mmol/L", "H", None),
]
GLUCOSE = [
    ("300 mg/dL", None),
    ("16.7 mmol/L", None),  # converted by glucose's molar mass
    ("16.7", "mmol/L"),
    ("100 mg/dL", None),  # at the pivot
    ("99 mg/dL", None),  # below: one-sided, nothing added
    ("5 mmol/L", None),
    ("101 mg/dL", None),
    ("100.5 mg/dL", None),  # less than one unit above the pivot: still added
    ("3000 mg/dL", None),
    ("0.3 g/L", None),  # another mass unit
    ("16.7 mEq/L", None),  # refused as check refuses it: glucose has no valence
]


@pytest.mark.parametrize("measured", SODIUM)
def test_corrected_sodium_one_sided_as_check(ref: Reference, measured: Measured) -> None:
    assert_as_core(ref, "corrected_sodium", [measured], GLUCOSE)


def test_below_the_pivot_a_one_sided_correction_adds_nothing(ref: Reference) -> None:
    (formula,) = ref.corrections["corrected_sodium"].formulas
    assert formula.one_sided and formula.direction == "above"
    below = f"{formula.pivot * 0.9:g} {formula.covariate_unit}"
    above = f"{formula.pivot * 2:g} {formula.covariate_unit}"
    values, units, _ = computed(
        ref, "corrected_sodium", [(130.0, "mmol/L", "L", None)], [(below, None), (above, None)]
    )
    assert values == [130.0, 130.0 + formula.add * formula.pivot / formula.per]
    assert units == [formula.unit, formula.unit]


def test_calcium_in_mg_per_litre_is_corrected_in_mg_per_decilitre(ref: Reference) -> None:
    # 80 mg/L is 8 mg/dL; with albumin 2.5 g/dL the formula of the file adds its share.
    formula = ref.corrections["corrected_calcium"].formula_for(resolve_unit("mg/L"))
    assert (formula.unit, formula.covariate_unit) == ("mg/dL", "g/dL")
    values, units, _ = computed(
        ref, "corrected_calcium", [(80.0, "mg/L", "L", None)], [("2.5 g/dL", None)]
    )
    expected = 8.0 + formula.add * (formula.pivot - 2.5) / formula.per
    assert values == [pytest.approx(expected, rel=1e-12)]
    assert units == ["mg/dL"]


NO_VALUE: list[Measured] = [
    (2.1, "mmol/L", None, None),  # no flag: the value was not interpreted
    (2.1, "mmol/L", "L", "<"),  # censored
    (2.1, "mmol/L", "L", "<="),
    (None, "mmol/L", "L", None),
    (2.1, None, "L", None),
]
NO_COVARIATE: list[Cell] = [
    (None, None),
    ("", None),
    ("   ", "g/L"),
    ("low", None),  # not a number
    ("1000 g/dL", None),  # implausible
    ("0.4 g/dL", None),  # just below the plausible bound
    ("2.5 mmol/L", None),  # a unit albumin cannot be converted from
]


def test_rows_without_a_corrected_value(ref: Reference) -> None:
    measured = [*NO_VALUE, (2.1, "mmol/L", "L", None)]
    cells = [*NO_COVARIATE, ("25 g/L", None)]
    values, units, _ = computed(ref, "corrected_calcium", measured, cells)
    usable = [v is not None for v in values]
    assert usable == [False] * (len(measured) * len(cells) - 1) + [True]
    assert units == [None] * (len(measured) * len(cells) - 1) + ["mmol/L"]
    assert_as_core(ref, "corrected_calcium", measured, cells)


def test_a_frame_with_no_corrected_value(ref: Reference) -> None:
    values, units, errors = computed(ref, "corrected_calcium", NO_VALUE, NO_COVARIATE)
    size = len(NO_VALUE) * len(NO_COVARIATE)
    assert (values, units, errors) == ([None] * size, [None] * size, [None] * size)


def test_float_noise_is_dropped_as_check_drops_it(ref: Reference) -> None:
    # 2.2 + 0.02 * (40 - 35) is 2.3000000000000003 in floats: reported as check reports it.
    formula = ref.corrections["corrected_calcium"].formula_for(resolve_unit("mmol/L"))
    raw = 2.2 + formula.add * (formula.pivot - 35.0) / formula.per
    measured: Measured = (2.2, "mmol/L", "L", None)
    values, _, _ = computed(ref, "corrected_calcium", [measured], [("35 g/L", None)])
    assert values == [core(ref, "corrected_calcium", measured, ("35 g/L", None))[0]]
    assert values != [raw]


def test_a_formula_that_wants_its_covariate_in_substance_units(
    write_reference: Callable[..., Path],
) -> None:
    # A file whose sodium correction takes glucose in mmol/L: a glucose given in mg/dL is
    # converted by its molar mass.
    def in_substance(data: dict[str, Any]) -> None:
        (formula,) = data["corrections"]["corrected_sodium"]["formulas"]
        formula.update(covariate_unit="mmol/L", pivot=5.55, per=5.55)

    ref = load_reference(write_reference(in_substance))
    (formula,) = ref.corrections["corrected_sodium"].formulas
    assert formula.covariate_unit == "mmol/L"
    assert_as_core(ref, "corrected_sodium", SODIUM, GLUCOSE)
    values, _, _ = computed(ref, "corrected_sodium", SODIUM[:1], [("300 mg/dL", None)])
    assert values[0] is not None and values[0] > SODIUM[0][0]


def test_a_formula_that_wants_its_covariate_in_equivalents_is_refused(
    write_reference: Callable[..., Path],
) -> None:
    # Glucose has no valence: no glucose could ever be converted to mEq/L for the formula.
    def in_equivalents(data: dict[str, Any]) -> None:
        (formula,) = data["corrections"]["corrected_sodium"]["formulas"]
        formula.update(covariate_unit="mEq/L", pivot=5.55, per=5.55)

    with pytest.raises(ReferenceFileError, match=r"covariate_unit: .*needs a valence"):
        load_reference(write_reference(in_equivalents))


#: Eleven spellings of a calcium unit: as many as the table of formulas has columns, and six
#: albumin cells, as many as the table of covariates has: a table built without saying its
#: rows are rows would be read column by column.
ELEVEN_UNITS = ["mmol/L", "mg/dL", "mEq/L", "mg/L", "g/L", "mg%", "µmol/L", "g/dL", "mmol/dL"]
ELEVEN_UNITS += ["µg/mL", "nmol/L"]
SIX_CELLS: list[Cell] = [("2.5 g/dL", None), ("25 g/L", None), ("3 g/dL", None)]
SIX_CELLS += [("30", "g/L"), ("4.5 g/dL", None), ("45 g/L", None)]


def test_tables_as_wide_as_they_are_long(ref: Reference) -> None:
    record = ref.analytes["calcium"]
    measured: list[Measured] = [
        (2.1 / record.factor_to_mmol(resolve_unit(unit)), unit, "L", None) for unit in ELEVEN_UNITS
    ]
    assert len(set(ELEVEN_UNITS)) == 11 and len(SIX_CELLS) == 6
    assert_as_core(ref, "corrected_calcium", measured, SIX_CELLS)
    assert_as_core(ref, "corrected_calcium", measured[:1], SIX_CELLS)
