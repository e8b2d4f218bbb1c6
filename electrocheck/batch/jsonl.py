"""JSON Lines output of a batch: one object per input row, results shaped like ``check``'s."""

from __future__ import annotations

from typing import Any

import polars as pl

from electrocheck.batch.columns import (
    CHANGE_NAMES,
    NOTES_SEP,
    PATTERN_NOTES,
    added_names,
    detail_columns,
    detail_lab_flags,
    error_columns,
    json_keys,
    name_prefix,
    output_names,
)
from electrocheck.batch.layout import Layout
from electrocheck.formats.frame import internal_names
from electrocheck.units.resolve import MMOL_PER_L


def json_rows(result: pl.DataFrame, layout: Layout, keys: list[str]) -> pl.DataFrame:
    """The original fields under their header names, then ``results``, ``patterns`` (wide
    layout) and ``errors``."""
    originals = internal_names(len(layout.header))
    details = [
        _result(name, lab_flag)
        for name, lab_flag in zip(detail_columns(layout), detail_lab_flags(layout), strict=True)
    ]
    named = json_keys(layout)  # "results", or "ec_results" where an input column has the name
    results = pl.concat_list(details).list.drop_nulls()
    errors = pl.concat_list([pl.col(e) for e in error_columns(layout)]).list.drop_nulls()
    extra = []
    if layout.kind == "wide":
        patterns = pl.col(f"r{added_names(layout).index('patterns')}")
        extra.append(
            patterns.str.split("; ")
            .fill_null(pl.lit([], pl.List(pl.String)))
            .alias(named["patterns"])
        )
    after = []
    if layout.panels is not None:
        after = _panel_keys(layout)
    return result.select(
        *[pl.col(name).alias(key) for name, key in zip(originals, keys, strict=True)],
        results.alias(named["results"]),
        *extra,
        errors.alias(named["errors"]),
        *after,
    )


def _panel_keys(layout: Layout) -> list[pl.Expr]:
    """A long file's panel: the row's kind, its input row, its panel and the panel's time,
    the ids and notes of the patterns its result takes part in, and notes on its panel."""
    names = added_names(layout)
    shown = dict(zip(names, output_names(layout), strict=True))

    def column(name: str) -> pl.Expr:
        return pl.col(f"r{names.index(name)}")

    empty = pl.lit([], pl.List(pl.String))
    return [
        column("row_kind").alias(shown["row_kind"]),
        column("source_row").alias(shown["source_row"]),
        column("panel").alias(shown["panel"]),
        column("panel_time").alias(shown["panel_time"]),
        column("patterns").str.split("; ").fill_null(empty).alias(shown["patterns"]),
        pl.col(PATTERN_NOTES)
        .str.split(NOTES_SEP)
        .fill_null(empty)
        .alias(name_prefix(layout) + "pattern_notes"),
        column("panel_notes").str.split("; ").fill_null(empty).alias(shown["panel_notes"]),
        *_change_keys(column, shown, empty),
    ]


def _change_keys(column: Any, shown: dict[str, str], empty: pl.Expr) -> list[pl.Expr]:
    """Changes over time, where the file has them: the notes as a list."""
    return [
        (
            column(name).str.split("; ").fill_null(empty)
            if name == "change_notes"
            else column(name)
        ).alias(shown[name])
        for name in CHANGE_NAMES
        if name in shown
    ]


def _result(column: str, lab_flag: bool = False) -> pl.Expr:
    d = pl.col(column).struct
    flag = d.field("flag")
    record = pl.struct(
        d.field("analyte").alias("analyte"),
        d.field("input").alias("input"),
        d.field("mmol_l").alias("value"),
        pl.lit(MMOL_PER_L).alias("unit"),
        d.field("low").alias("low"),
        d.field("high").alias("high"),
        flag.alias("flag"),
        *([d.field("lab_flag").alias("lab_flag")] if lab_flag else []),
        d.field("risk").alias("spasm_risk"),
        d.field("role").alias("muscle_role"),
        d.field("effect").alias("effect"),
        d.field("causes").fill_null(pl.lit([], dtype=pl.List(pl.String))).alias("cancer_causes"),
        d.field("notes").fill_null(pl.lit([], dtype=pl.List(pl.String))).alias("notes"),
        d.field("label").alias("label"),
        d.field("number").alias("entered_value"),
        d.field("spelling").alias("entered_unit"),
        d.field("assumed").alias("unit_assumed"),
        d.field("crit_low").alias("critical_low"),
        d.field("crit_high").alias("critical_high"),
        d.field("grade").alias("grade"),
        d.field("grade_basis").alias("grade_basis"),
        d.field("population").alias("population"),
        d.field("censored").alias("censored"),
        d.field("limits").alias("limits"),
    )
    return pl.when(flag.is_not_null()).then(record)
