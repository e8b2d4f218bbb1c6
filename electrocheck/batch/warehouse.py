"""A warehouse table's own columns, as expressions over a batch's internal column names.

An OMOP CDM ``MEASUREMENT`` row and a PCORnet ``LAB_RESULT_CM`` row say in codes what a
plain long file writes in its cells (see :class:`~electrocheck.batch.layout.WarehouseColumns`).
The expressions here write them as those cells, so that a warehouse row is read exactly as the
same result in a plain long file:

* OMOP: ``measurement_concept_id`` becomes the LOINC code of its concept (the reference
  file's ``omop:`` ids), a concept the file does not know ``OMOP concept N`` (another test),
  and 0 or a blank nothing (then ``measurement_source_value`` names the test, if the file
  has it); ``unit_concept_id`` becomes its unit where ``unit_source_value`` is blank;
* PCORnet: ``RESULT_MODIFIER`` ``LT``, ``LE``, ``GT``, ``GE`` put ``<``, ``<=``, ``>``,
  ``>=`` before ``RESULT_NUM`` (a censored value); the normal range and its modifiers become
  a range's text (``3.5-5.1``, ``<=5.1``, ``>135``) where the modifiers make one, as the
  specification allows: both limits ``EQ``; a lower limit ``GE`` or ``GT`` with no upper one
  (``NO``); an upper limit ``LE`` or ``LT`` with no lower one. Any other pair (``OT``,
  ``NI``, ``UN``, a missing limit) gives no range, and the reference file's limits apply.
  ``ABN_IND`` ``NI``, ``UN`` and ``OT`` say nothing of the result, and are read as no flag.
"""

from __future__ import annotations

import polars as pl

from electrocheck.batch.cells import blank_to_null
from electrocheck.batch.layout import Layout
from electrocheck.reference import Reference

#: RESULT_MODIFIER codes that censor a value, and the sign each writes before its number.
CENSORING = {"LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
#: NORM_MODIFIER_LOW and _HIGH codes of a limit that bounds the range, and of none.
LOWER_BOUNDS, UPPER_BOUNDS, NO_LIMIT = {"GE": ">=", "GT": ">"}, {"LE": "<=", "LT": "<"}, "NO"
#: ABN_IND codes that say nothing of the result: no information, unknown, other.
NO_FLAG = ("NI", "UN", "OT")


def column(index: int | None) -> pl.Expr | None:
    return None if index is None else blank_to_null(pl.col(f"c{index}"))


def _code(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_uppercase()


def test_expressions(layout: Layout, reference: Reference) -> tuple[pl.Expr, ...]:
    """A long file's test columns, in order, as what they name: OMOP's concept column as the
    LOINC code of its concept."""
    assert layout.long is not None
    concept = layout.warehouse.concept if layout.warehouse is not None else None
    return tuple(
        omop_test(pl.col(f"c{i}"), reference) if i == concept else pl.col(f"c{i}")
        for i in layout.long.tests
    )


def unit_expression(layout: Layout, reference: Reference) -> pl.Expr | None:
    """A long file's unit of each row: its unit column's, else (OMOP) its unit concept's."""
    assert layout.long is not None
    unit = column(layout.long.unit)
    found = layout.warehouse
    if found is not None and found.unit_concept is not None:
        return omop_unit(unit, pl.col(f"c{found.unit_concept}"), reference)
    return unit


def omop_test(concept: pl.Expr, reference: Reference) -> pl.Expr:
    """The LOINC code a ``measurement_concept_id`` stands for."""
    text = concept.str.strip_chars().str.replace(r"\.0+$", "")
    known = {str(key): code for key, code in reference.omop_concepts.items()}
    return (
        pl.when(text.is_null() | (text == "0"))
        .then(pl.lit(None, pl.String))
        .otherwise(
            text.replace_strict(known, default=None, return_dtype=pl.String).fill_null(
                pl.concat_str(pl.lit("OMOP concept "), text)
            )
        )
    )


def omop_unit(unit: pl.Expr | None, concept: pl.Expr, reference: Reference) -> pl.Expr:
    """The unit's spelling: ``unit_source_value`` where given, else the unit concept's (a
    concept the reference file does not know: none, and the analyte's default unit
    applies as for a blank unit cell)."""
    text = concept.str.strip_chars().str.replace(r"\.0+$", "")
    known = {str(key): spelling for key, spelling in reference.omop_units.items()}
    found = text.replace_strict(known, default=None, return_dtype=pl.String)
    return found if unit is None else pl.coalesce(unit, found)


def pcornet_value(text: pl.Expr, number: pl.Expr | None, modifier: pl.Expr) -> pl.Expr:
    """The value's text: a censoring modifier's sign before ``RESULT_NUM``."""
    if number is None:
        return text
    sign = _code(modifier).replace_strict(CENSORING, default=None, return_dtype=pl.String)
    return (
        pl.when(sign.is_not_null() & number.is_not_null())
        .then(pl.concat_str(sign, number.str.strip_chars()))
        .otherwise(text)
    )


def pcornet_range(
    low: pl.Expr, high: pl.Expr, low_modifier: pl.Expr | None, high_modifier: pl.Expr | None
) -> pl.Expr:
    """The normal range as a range's text (see the module's notes), or null. Without the
    modifier columns, two limits are a range."""
    low, high = low.str.strip_chars(), high.str.strip_chars()
    both = pl.concat_str(low, pl.lit("-"), high)
    if low_modifier is None or high_modifier is None:
        return both
    at_low, at_high = _code(low_modifier), _code(high_modifier)
    lower = at_low.replace_strict(LOWER_BOUNDS, default=None, return_dtype=pl.String)
    upper = at_high.replace_strict(UPPER_BOUNDS, default=None, return_dtype=pl.String)
    return (
        pl.when((at_low == "EQ") & (at_high == "EQ"))
        .then(both)
        .when(lower.is_not_null() & (at_high == NO_LIMIT))
        .then(pl.concat_str(lower, low))
        .when(upper.is_not_null() & (at_low == NO_LIMIT))
        .then(pl.concat_str(upper, high))
        .otherwise(pl.lit(None, pl.String))
    )


def pcornet_flag(flag: pl.Expr) -> pl.Expr:
    """``ABN_IND`` as the lab's flag: as written, but none for NI, UN and OT."""
    return pl.when(_code(flag).is_in(NO_FLAG)).then(pl.lit(None, pl.String)).otherwise(flag)


__all__ = [
    "CENSORING",
    "LOWER_BOUNDS",
    "NO_FLAG",
    "NO_LIMIT",
    "UPPER_BOUNDS",
    "omop_test",
    "omop_unit",
    "pcornet_flag",
    "pcornet_range",
    "pcornet_value",
    "test_expressions",
    "unit_expression",
]
