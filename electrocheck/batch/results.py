"""The result fields of the distinct rows of a batch, as polars expressions.

Once a distinct row is flagged and graded (:mod:`~electrocheck.batch.flags`,
:mod:`~electrocheck.batch.grades`), :func:`outputs` picks out the fields of its result
(see :mod:`~electrocheck.batch.columns`): the side of a flag chooses the spasm risk, effect
and causes; a row without a value gets no result fields. :func:`error_message` says why a
non-empty cell of a known analyte gave no result, in the words ``check`` uses.
"""

from __future__ import annotations

import polars as pl

from electrocheck.batch.cells import DECIMAL_COMMA, blank_to_null
from electrocheck.batch.columns import FLAG_CODES


def outputs() -> list[pl.Expr]:
    """The result fields of each distinct row, as named in
    :data:`~electrocheck.batch.columns.CSV_FIELDS` and ``DETAIL_FIELDS``."""
    col = pl.col
    found = col("mmol").is_not_null()
    return [
        pl.when(found).then(col("analyte")).alias("analyte"),
        col("mmol").alias("mmol_l"),  # rounded afterwards, as check rounds it
        col("flag"),
        col("lab_flag"),
        col("fate"),
        col("flag")
        .replace_strict(FLAG_CODES, default=None, return_dtype=pl.Int8)
        .alias("flag_code"),
        col("grade"),
        pl.when(col("side") == "low")
        .then(col("risk_low"))
        .when(col("side") == "high")
        .then(col("risk_high"))
        .when(found)
        .then(pl.lit("none"))
        .alias("risk"),
        pl.when(found).then(col("censor")).alias("censored"),
        pl.when(found)
        .then(pl.when(col("lab")).then(pl.lit("lab")).otherwise(pl.lit("reference")))
        .alias("limits"),
        error_message().alias("error"),
        col("low"),
        col("high"),
        col("canonical").alias("spelling"),
        blank_to_null(col("text")).alias("input"),
        col("assumed"),
        col("role"),
        pl.when(col("side") == "low")
        .then(col("effect_low"))
        .when(col("side") == "high")
        .then(col("effect_high"))
        .alias("effect"),
        pl.when(col("side") == "low")
        .then(col("causes_low"))
        .when(col("side") == "high")
        .then(col("causes_high"))
        .alias("causes"),
        pl.when(col("side").is_not_null()).then(col("caveats")).alias("caveats"),
        col("label"),
        col("number"),
        col("crit_low"),
        col("crit_high"),
        col("grade_basis"),
        pl.when(found).then(col("population")).alias("population"),
        col("notes"),
    ]


def error_message() -> pl.Expr:
    """Why a non-empty cell of a known analyte gave no result."""
    text = blank_to_null(pl.col("text"))
    shown = pl.concat_str(pl.lit("'"), _shorten(text.str.replace_all(r"[\r\n]+", " ")), pl.lit("'"))
    failed = pl.col("number").is_null()
    return (
        pl.when(pl.col("analyte").is_null() | (text.is_null() & failed))
        .then(None)
        .when(failed & text.str.starts_with("-"))
        .then(pl.concat_str(shown, pl.lit(" is negative, and a concentration cannot be")))
        .when(failed & text.str.to_lowercase().str.contains(r"^\+?(nan|inf)"))
        .then(pl.concat_str(shown, pl.lit(" is not a finite number")))
        .when(failed & text.str.contains(DECIMAL_COMMA))
        .then(pl.concat_str(shown, pl.lit(": use a decimal point, not a comma")))
        .when(failed)
        .then(pl.concat_str(shown, pl.lit(" is not a number")))
        .when(pl.col("unit_error").is_not_null())
        .then(pl.col("unit_error"))
        .when(pl.col("ambiguous").is_not_null())
        .then(pl.col("ambiguous"))
        .when(pl.col("implausible"))
        .then(
            pl.concat_str(
                pl.col("number").cast(pl.String),
                pl.lit(" "),
                pl.col("canonical"),
                pl.lit(" is not a plausible "),
                pl.col("analyte"),
                pl.lit(" level"),
            )
        )
    )


def _shorten(text: pl.Expr, limit: int = 57) -> pl.Expr:
    return (
        pl.when(text.str.len_chars() > limit)
        .then(pl.concat_str(text.str.slice(0, limit), pl.lit("...")))
        .otherwise(text)
    )


__all__ = ["error_message", "outputs"]
