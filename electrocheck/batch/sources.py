"""Where the results of a row come from, and the inputs each result depends on.

A wide file has one source per analyte column, a long file one source, its value column. A
:class:`Source` says, as expressions over a batch's internal column names (``c0``, ``c1``
...), where a source's cell text, unit, numeric twin, lab limits (two columns, or a range's
text), lab flags and analyte (or a long file's test columns) are found.
:func:`source_inputs` lists what a source's result depends on, row by row or for the whole
file: the engine interprets each distinct combination of them once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from electrocheck.batch import warehouse
from electrocheck.batch.cells import blank_to_null
from electrocheck.batch.columns import wide_prefixes
from electrocheck.batch.layout import Layout
from electrocheck.batch.patient import AGE, SEX, SYMPTOMATIC, canonical_columns, symptoms_matter
from electrocheck.errors import quote
from electrocheck.reference import Reference

#: The column the engine adds to a batch of a file with a specimen column: the kind of each
#: row's specimen (a code of :data:`~electrocheck.batch.naming.SPECIMEN_KINDS`).
SPECIMEN_KIND = "sp_kind"
#: The column a long file's batch holds when its rows are grouped into panels: whether the
#: row's panel has a usable covariate of the graded correction of the row's analyte (albumin
#: for calcium): then the measured value is not graded, as in check.
PANEL_COVARIATE = "pn_covariate"


@dataclass(frozen=True)
class Source:
    """Where one result per row comes from: a wide analyte column, or the long value column."""

    name: str  # the column name used in error messages
    prefix: str  # of the added columns: "potassium_" (wide) or "" (long)
    text: pl.Expr  # the cell text
    numeric: pl.Expr | None  # a numeric twin, used when the text holds no number
    unit: pl.Expr | str | None  # from a unit column (an expression) or the header (text)
    # The analyte key, one for all rows (wide); None where the test columns name it (long).
    analyte: str | None
    low: pl.Expr | None = None  # the lab's own limits in the row's unit (long layout)
    high: pl.Expr | None = None
    range: pl.Expr | None = None  # the lab's reference range as text (3.5-5.1, <5.1)
    flag: pl.Expr | None = None  # the lab's own flag, from a column of flags
    # A long file's test columns (name, then codes), read once per distinct row: see
    # :class:`~electrocheck.batch.naming.TestNames`.
    tests: tuple[pl.Expr, ...] = ()
    # Whether the covariate of the analyte's graded correction is in the row (albumin for
    # calcium): then the measured value is not graded, as in check.
    covariate: pl.Expr | None = None


def sources(layout: Layout, reference: Reference) -> list[Source]:
    """The result sources of a layout, as expressions over the internal column names."""
    if layout.kind == "wide":
        found = []
        presence = _covariate_presence(layout, reference)
        for i, (column, prefix) in enumerate(
            zip(layout.wide, wide_prefixes(layout.wide), strict=True)
        ):
            header_unit = None if column.header_unit is None else column.header_unit.spelling
            unit: pl.Expr | str | None = header_unit
            if column.unit_column is not None:
                unit = blank_to_null(pl.col(f"c{column.unit_column}"))
                if header_unit is not None:
                    unit = unit.fill_null(pl.lit(header_unit))
            found.append(
                Source(
                    column.header,
                    prefix,
                    pl.col(f"c{column.index}"),
                    None,
                    unit,
                    column.analyte,
                    covariate=presence.get(i),
                    range=_column(column.range_column),
                    flag=_column(column.flag_column),
                )
            )
        return found
    long = layout.long
    assert long is not None
    value = pl.col(f"c{long.value}") if long.value is not None else pl.col(f"c{long.numeric}")
    numeric = (
        pl.col(f"c{long.numeric}") if long.value is not None and long.numeric is not None else None
    )
    low = high = rng = None
    if long.low is not None and long.high is not None:
        low, high = pl.col(f"c{long.low}"), pl.col(f"c{long.high}")
    elif long.range is not None:
        rng = pl.col(f"c{long.range}")
    name = layout.header[long.value if long.value is not None else long.numeric]  # type: ignore[index]
    tests = warehouse.test_expressions(layout, reference)
    covariate = pl.col(PANEL_COVARIATE) if layout.panels is not None else None
    flag = _column(long.flag)
    table = layout.warehouse
    unit = warehouse.unit_expression(layout, reference)
    if table is not None and table.name == "pcornet":
        if table.modifier is not None:
            number = numeric if numeric is not None else value
            value = warehouse.pcornet_value(value, number, pl.col(f"c{table.modifier}"))
        if low is not None and high is not None:
            rng = warehouse.pcornet_range(
                low, high, _column(table.low_modifier), _column(table.high_modifier)
            )
            low = high = None
        if flag is not None:
            flag = warehouse.pcornet_flag(flag)
    return [
        Source(
            name,
            "",
            value,
            numeric,
            unit,
            None,
            low,
            high,
            rng,
            flag,
            tests,
            covariate,
        )
    ]


def _column(index: int | None) -> pl.Expr | None:
    return None if index is None else blank_to_null(pl.col(f"c{index}"))


def _covariate_presence(layout: Layout, reference: Reference) -> dict[int, pl.Expr]:
    """For the wide column a graded correction corrects (the first calcium column), whether
    the row holds a usable covariate (column ``cv{j}``, added by the interpreter)."""
    return {
        i: pl.col(f"cv{j}").is_not_null()
        for key, i, j in layout.corrections
        if reference.corrections[key].graded
    }


INPUT_TYPES: dict[str, Any] = {
    "key_analyte": pl.String,
    "unit_column": pl.String,
    AGE: pl.Int32,
    SEX: pl.String,
    SYMPTOMATIC: pl.Boolean,
    "covariate": pl.Boolean,
}
#: The inputs a distinct row is known by (see :func:`source_inputs`).
INPUT_NAMES = (
    "key_analyte",
    "text",
    "unit_column",
    "numeric",
    "row_low",
    "row_high",
    "row_range",
    "flag_column",
    AGE,
    SEX,
    SYMPTOMATIC,
    "covariate",
)


def source_inputs(
    source: Source, patient: dict[str, Any], reference: Reference
) -> tuple[dict[str, pl.Expr], dict[str, Any]]:
    """The inputs a source's result depends on: those that vary from row to row (its distinct
    rows are interpreted once and joined back on them), and those fixed for the whole file.
    ``patient`` holds the patient columns the file does not have, with their fixed value.
    For one analyte, ages and sexes that get the same limits are one input, and symptoms
    are one only where they can change a grade."""
    varying: dict[str, pl.Expr] = {"text": source.text}
    fixed: dict[str, Any] = {}
    for name in (AGE, SEX, SYMPTOMATIC):
        if name in patient:
            fixed[name] = patient[name]
        else:
            varying[name] = pl.col(name)
    if isinstance(source.analyte, str):
        if AGE in varying or SEX in varying:
            segment, sex = canonical_columns(
                reference,
                source.analyte,
                varying.get(AGE, pl.lit(None, pl.Int32)),
                varying.get(SEX, pl.lit(None, pl.String)),
            )
            varying.update({AGE: segment, SEX: sex})
            fixed.pop(AGE, None)
            fixed.pop(SEX, None)
        if SYMPTOMATIC in varying and not symptoms_matter(reference, source.analyte):
            del varying[SYMPTOMATIC]
            fixed[SYMPTOMATIC] = False
    if source.covariate is not None:
        varying["covariate"] = source.covariate
    else:
        fixed["covariate"] = False
    for name, value in (("key_analyte", source.analyte), ("unit_column", source.unit)):
        if isinstance(value, pl.Expr):
            varying[name] = value
        else:
            fixed[name] = value
    for i, test in enumerate(source.tests):
        varying[test_key(i)] = test
    for name, expr in (
        ("numeric", source.numeric),
        ("row_low", source.low),
        ("row_high", source.high),
        ("row_range", source.range),
        ("flag_column", source.flag),
    ):
        if expr is not None:
            varying[name] = expr
    return varying, fixed


def test_key(i: int) -> str:
    """The input name of a long file's test column ``i``."""
    return f"test{i}"


def plain(name: str) -> str:
    """A column name for an error message: one line, not too long."""
    text = " ".join(name.split())
    return text if len(text) <= 60 else quote(text)


__all__ = [
    "INPUT_NAMES",
    "INPUT_TYPES",
    "PANEL_COVARIATE",
    "SPECIMEN_KIND",
    "Source",
    "plain",
    "source_inputs",
    "sources",
    "test_key",
]
