"""Reading the cells of a lab export, as polars expressions.

A result cell holds an optional censoring sign, a plain decimal number (as in ``check``: no
exponent, sign, NaN or infinity), perhaps a unit and perhaps the lab's flag (``<0.6``,
``128 mEq/L``, ``2.6 LL``, ``3.1 mmol/L (L)``, ``3.1*``); a decimal comma (``4,1``) is
refused, as in ``check``. A flag is a standalone last word (see :data:`FLAG_SPLIT`): ``L`` in
``3.1 mmol/L`` is the unit's, ``L`` in ``3.1 mmol/L L`` a flag. A long export may add a
numeric twin of the value (``valuenum``) and the lab's own limits, in two columns or as one
range (``3.5-5.1``, ``3.5 - 5.1 mmol/L``, ``<5.1``, ``>=135``), and either layout a column
of the lab's flags. The expressions here take these texts apart; nothing is looked up or
compared.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from electrocheck.formats.frame import ROW_ERROR
from electrocheck.units.tokens import NUMBER_PATTERN

# A cell: an optional censoring sign, a plain decimal number (as in ``check``), a unit.
CELL_PATTERN = (
    r"(?is)^\s*(?P<censor><=|>=|<|>|less\s+than|greater\s+than)?\s*"
    rf"(?P<number>{NUMBER_PATTERN})\s*(?P<unit>.*?)\s*$"
)
#: A lab's reference range: ``3.5-5.1``, ``3.5 - 5.1 mmol/L``, ``(3.5-5.1)``, or one limit,
#: ``<5.1``, ``<=5.1``, ``>=135``, ``> 135 mmol/L``, with perhaps a unit after it.
RANGE_PATTERN = (
    r"(?i)^\s*[\(\[]?\s*(?:"
    rf"(?P<low>{NUMBER_PATTERN})\s*(?:-|–|—|to)\s*(?P<high>{NUMBER_PATTERN})"
    rf"|(?:<=|<|≤|less\s+than|below|up\s+to)\s*(?P<upper>{NUMBER_PATTERN})"
    rf"|(?:>=|>|≥|greater\s+than|above)\s*(?P<lower>{NUMBER_PATTERN})"
    r")\s*[\)\]]?\s*(?P<unit>[^\s\d\.\-–—<>].*?)?\s*$"
)
#: The lab's flags, as written after a result (uppercase letters, or words in any case).
FLAG_CODES_PATTERN = r"(?:LL|HH|AA|CL|CH|LU|HU|L|H|N|A|C)"
FLAG_WORDS_PATTERN = (
    r"(?i:(?:crit(?:ical)?|panic)(?:\s+(?:low|high))?|low|high|normal|abnormal|abn)"
)
_PLAIN_FLAG = rf"(?:{FLAG_CODES_PATTERN}|{FLAG_WORDS_PATTERN})"
# A flag that is a word of its own: plain, or a code marked with * or ! (*H, LL*, H!).
_WORD_FLAG = rf"(?:{_PLAIN_FLAG}|[*!]+{FLAG_CODES_PATTERN}[*!]*|{FLAG_CODES_PATTERN}[*!]+)"
# A flag that may touch what comes before it: in brackets, or * and ! alone.
_TOUCHING_FLAG = rf"(?:\(\s*{_PLAIN_FLAG}\s*\)|\[\s*{_PLAIN_FLAG}\s*\]|[*!]+)"
#: What follows a cell's number, split into a unit and the lab's flag: the whole of it a
#: flag (``2.6LL``, ``2.6 LL``, ``3.1 Low``); else a unit, white space and a flag word that
#: does not follow a ``/`` (``3.1 mmol/L H``; but ``mmol / L`` is a unit); else a unit and a
#: flag in brackets or ``*`` or ``!``, touching or not (``3.1 mmol/L(L)``, ``3.1*``).
FLAG_SPLIT = (
    rf"^(?:(?P<flag3>{_WORD_FLAG})"
    rf"|(?P<unit2>.*?[^/\s])\s+(?P<flag2>{_WORD_FLAG})"
    rf"|(?P<unit1>.*?)\s*(?P<flag1>{_TOUCHING_FLAG}))$"
)
#: A decimal comma (4,1), refused as in ``check``.
DECIMAL_COMMA = r"^\s*\+?[0-9]+,[0-9]"


def with_cell_parts(rows: pl.DataFrame) -> pl.DataFrame:
    """Distinct ``rows`` (columns ``text``, ``numeric``, ``row_low``, ``row_high``,
    ``row_range`` and ``flag_column``) with the parts of their cells: the censoring sign, the
    number's text (none with a decimal comma), the unit and the flag written in the cell, the
    numeric twin and the lab's limits as numbers (``one_sided`` when a range gives one limit
    alone, and ``range_unit`` when it names its unit), and the lab's flag (``lab_flag``: its
    flag column's, else the cell's). What no row has (a range, a flag column, anything after
    a number) is not looked for."""
    col = pl.col
    cell = col("text").str.extract_groups(CELL_PATTERN)
    step = rows.with_columns(
        censor=cell.struct.field("censor")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .replace({"less than": "<", "greater than": ">"}),
        number_text=pl.when(col("text").str.contains(DECIMAL_COMMA))
        .then(None)
        .otherwise(cell.struct.field("number")),
        rest=blank_to_null(cell.struct.field("unit")),
        numeric_value=number(col("numeric")),
    )
    parts: dict[str, pl.Expr] = {"cell_unit": col("rest"), "cell_flag": pl.lit(None, pl.String)}
    if _any(step, "rest"):
        split = col("rest").str.extract_groups(FLAG_SPLIT)
        flag = pl.coalesce(*(split.struct.field(f"flag{i}") for i in (1, 2, 3)))
        unit = pl.coalesce(split.struct.field("unit1"), split.struct.field("unit2"))
        parts = {
            "cell_unit": pl.when(flag.is_null()).then(col("rest")).otherwise(blank_to_null(unit)),
            "cell_flag": squeezed(flag),
        }
    limits: dict[str, pl.Expr] = {
        "low_value": number(col("row_low")),
        "high_value": number(col("row_high")),
        "one_sided": pl.lit(False),
        "range_unit": pl.lit(None, pl.String),
    }
    if _any(step, "row_range"):
        parsed = col("row_range").str.extract_groups(RANGE_PATTERN)
        low = pl.coalesce(col("row_low"), parsed.struct.field("low"), parsed.struct.field("lower"))
        high = pl.coalesce(
            col("row_high"), parsed.struct.field("high"), parsed.struct.field("upper")
        )
        limits = {
            "low_value": number(low),
            "high_value": number(high),
            "one_sided": col("row_range").is_not_null()
            & (
                parsed.struct.field("upper").is_not_null()
                | parsed.struct.field("lower").is_not_null()
            ),
            "range_unit": blank_to_null(parsed.struct.field("unit")),
        }
    lab_flag = parts["cell_flag"]
    if _any(step, "flag_column"):
        lab_flag = pl.coalesce(squeezed(blank_to_null(col("flag_column"))), lab_flag)
    return step.with_columns(**parts, **limits, lab_flag=lab_flag).drop("rest")


def _any(frame: pl.DataFrame, column: str) -> bool:
    """Whether any row has a value in ``column``."""
    return frame[column].null_count() < frame.height


def number_and_unit() -> dict[str, pl.Expr]:
    """The number a distinct row is interpreted at, its censoring sign, the unit spelling it
    is read in (the cell's, else the unit column's, else the analyte's ``default_unit``) and
    whether that unit was assumed, from the columns of :func:`with_cell_parts`."""
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


def squeezed(text: pl.Expr) -> pl.Expr:
    """A text with its white space trimmed, and runs of it made one space."""
    return text.str.strip_chars().str.replace_all(r"\s+", " ")


def without_blank_lines(batch: pl.DataFrame, originals: list[str]) -> tuple[pl.DataFrame, int]:
    """``batch`` without its blank lines, and how many there were. polars reads a blank line
    as a row with every field missing: not a row of data. (The csv module tells blank lines
    apart itself and keeps rows of empty fields.)"""
    if ROW_ERROR in batch.columns:
        return batch, 0
    if any(batch[name].null_count() == 0 for name in originals):  # no row is all missing
        return batch, 0
    blank = batch.select(pl.all_horizontal(pl.col(originals).is_null())).to_series()
    if not blank.any():
        return batch, 0
    return batch.filter(~blank), int(blank.sum())


def constant(name: str, value: float | str | bool | None, height: int, dtype: Any) -> pl.Series:
    """A column of ``height`` rows that all hold ``value`` (built without a Python list)."""
    return pl.Series(name, [], dtype=dtype).extend_constant(value, height)


def blank_to_null(text: pl.Expr) -> pl.Expr:
    stripped = text.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def number(text: pl.Expr) -> pl.Expr:
    """A plain decimal number (as in a value: no exponent, sign, NaN or infinity), or null."""
    return text.str.extract(rf"^\s*({NUMBER_PATTERN})\s*$", 1).cast(pl.Float64, strict=False)


__all__ = [
    "CELL_PATTERN",
    "DECIMAL_COMMA",
    "FLAG_SPLIT",
    "RANGE_PATTERN",
    "blank_to_null",
    "constant",
    "number",
    "number_and_unit",
    "squeezed",
    "with_cell_parts",
    "without_blank_lines",
]
