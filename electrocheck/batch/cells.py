"""Reading the cells of a lab export, as polars expressions.

A result cell holds an optional censoring sign, a plain decimal number (as in ``check``: no
exponent, sign, NaN or infinity) and perhaps a unit (``<0.6``, ``128 mEq/L``); a decimal
comma (``4,1``) is refused, as in ``check``. A long export may add a numeric twin of the
value (``valuenum``) and the lab's own limits, in two columns or as one range (``3.5-5.1``).
The expressions here take these texts apart; nothing is looked up or compared.
"""

from __future__ import annotations

import polars as pl

from electrocheck.units.tokens import NUMBER_PATTERN

# A cell: an optional censoring sign, a plain decimal number (as in ``check``), a unit.
CELL_PATTERN = (
    r"(?is)^\s*(?P<censor><=|>=|<|>|less\s+than|greater\s+than)?\s*"
    rf"(?P<number>{NUMBER_PATTERN})\s*(?P<unit>.*?)\s*$"
)
RANGE_PATTERN = rf"^\s*(?P<low>{NUMBER_PATTERN})\s*(?:-|–|to)\s*(?P<high>{NUMBER_PATTERN})\s*$"
#: A decimal comma (4,1), refused as in ``check``.
DECIMAL_COMMA = r"^\s*\+?[0-9]+,[0-9]"


def cell_parts() -> dict[str, pl.Expr]:
    """The parts of a distinct row's cells (columns ``text``, ``numeric``, ``row_low`` and
    ``row_high``): the censoring sign, the number's text (none with a decimal comma), the
    unit written in the cell, and the numeric twin and the lab's limits as numbers."""
    cell = pl.col("text").str.extract_groups(CELL_PATTERN)
    return {
        "censor": cell.struct.field("censor")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .replace({"less than": "<", "greater than": ">"}),
        "number_text": pl.when(pl.col("text").str.contains(DECIMAL_COMMA))
        .then(None)
        .otherwise(cell.struct.field("number")),
        "cell_unit": blank_to_null(cell.struct.field("unit")),
        "numeric_value": number(pl.col("numeric")),
        "low_value": number(pl.col("row_low")),
        "high_value": number(pl.col("row_high")),
    }


def number_and_unit() -> dict[str, pl.Expr]:
    """The number a distinct row is interpreted at, its censoring sign, the unit spelling it
    is read in (the cell's, else the unit column's, else the analyte's ``default_unit``) and
    whether that unit was assumed, from the columns of :func:`cell_parts`."""
    # The text wins when it holds a number; a masked or wordy text falls back to its
    # numeric twin (value "___" beside valuenum 4.1).
    numeric = pl.col("numeric_value")
    use_numeric = (
        pl.col("number_text").is_null()
        & numeric.is_not_null()
        & (numeric >= 0)
        & numeric.is_finite()
    )
    return {
        "number": pl.when(use_numeric)
        .then(numeric)
        .otherwise(pl.col("number_text").cast(pl.Float64, strict=False)),
        "censor": pl.when(use_numeric).then(None).otherwise(pl.col("censor")),
        "spelling": pl.coalesce(
            pl.when(use_numeric).then(None).otherwise(pl.col("cell_unit")),
            pl.col("unit_column"),
            pl.col("default_unit"),
        ),
        "assumed": pl.col("unit_column").is_null() & (use_numeric | pl.col("cell_unit").is_null()),
    }


def normalized(text: pl.Expr) -> pl.Expr:
    """A test name as the reference file's name index holds it: squeezed and case-folded."""
    return text.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


def blank_to_null(text: pl.Expr) -> pl.Expr:
    stripped = text.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def number(text: pl.Expr) -> pl.Expr:
    """A plain decimal number (as in a value: no exponent, sign, NaN or infinity), or null."""
    return text.str.extract(rf"^\s*({NUMBER_PATTERN})\s*$", 1).cast(pl.Float64, strict=False)


__all__ = [
    "CELL_PATTERN",
    "DECIMAL_COMMA",
    "RANGE_PATTERN",
    "blank_to_null",
    "cell_parts",
    "normalized",
    "number",
    "number_and_unit",
]
