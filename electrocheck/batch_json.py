"""JSON Lines output of a batch: one object per input row, results shaped like ``check``'s."""

from __future__ import annotations

import polars as pl

from electrocheck.batch_engine import internal_names
from electrocheck.batch_layout import Layout
from electrocheck.units import MMOL_PER_L


def json_rows(result: pl.DataFrame, layout: Layout, keys: list[str]) -> pl.DataFrame:
    """The original fields under their header names, then ``results`` and ``errors``."""
    originals = internal_names(len(layout.header))
    count = len(layout.wide) if layout.kind == "wide" else 1
    results = pl.concat_list([_result(f"d{i}") for i in range(count)]).list.drop_nulls()
    errors = pl.concat_list([pl.col(f"e{i}") for i in range(count)]).list.drop_nulls()
    return result.select(
        *[pl.col(name).alias(key) for name, key in zip(originals, keys, strict=True)],
        results.alias("results"),
        errors.alias("errors"),
    )


def _result(column: str) -> pl.Expr:
    d = pl.col(column).struct
    flag = d.field("flag")
    notes = pl.concat_list(
        [
            pl.when(d.field("assumed")).then(
                pl.concat_str(pl.lit("no unit given: "), d.field("spelling"), pl.lit(" assumed"))
            ),
            pl.when(d.field("censored") == "<").then(
                pl.lit(
                    "censored result: the true value is at or below this bound; interpreted at it"
                )
            ),
            pl.when(d.field("censored") == ">").then(
                pl.lit(
                    "censored result: the true value is at or above this bound; interpreted at it"
                )
            ),
            pl.when(d.field("limits") == "lab").then(
                pl.lit("flagged against the lab's own reference limits given in this row")
            ),
            pl.when(flag.is_in(["LL", "HH"])).then(
                pl.lit("beyond the critical limit: needs urgent attention")
            ),
        ]
    ).list.drop_nulls()
    notes = notes.list.concat(d.field("caveats").fill_null(pl.lit([], pl.List(pl.String))))
    record = pl.struct(
        d.field("analyte").alias("analyte"),
        d.field("input").alias("input"),
        d.field("mmol_l").alias("value"),
        pl.lit(MMOL_PER_L).alias("unit"),
        d.field("low").alias("low"),
        d.field("high").alias("high"),
        flag.alias("flag"),
        d.field("risk").alias("spasm_risk"),
        d.field("role").alias("muscle_role"),
        d.field("effect").alias("effect"),
        d.field("causes").fill_null(pl.lit([], dtype=pl.List(pl.String))).alias("cancer_causes"),
        notes.alias("notes"),
        d.field("label").alias("label"),
        d.field("number").alias("entered_value"),
        d.field("spelling").alias("entered_unit"),
        d.field("assumed").alias("unit_assumed"),
        d.field("crit_low").alias("critical_low"),
        d.field("crit_high").alias("critical_high"),
        d.field("censored").alias("censored"),
        d.field("limits").alias("limits"),
    )
    return pl.when(flag.is_not_null()).then(record)
