"""The skeleton of panels as one polars plan over the whole file: the least a design that
groups a long file's rows into panels in a single pass of whole-file polars steps would
spend, with no clinical work in it.

    python bench/panels_skeleton.py FILE OUT

FILE is a file of bench/gen_long_panels.py (patient_id, birth_date, collected, specimen_id,
test, value, unit). The skeleton reads it, gives each distinct (test, value, unit) a flag
code and a value in mmol/L by a made-up rule (a stand-in for the interpretation), reads each
distinct collection time and date of birth, folds the rows of each specimen into one row
(per analyte: how many results, the lowest and highest flag, the value a correction
corrects; the first albumin and glucose), numbers the panels in order of patient and time,
computes a corrected value by arithmetic, joins each row to its panel, compares each result
with the patient's one before (sort, shift), makes a note where an analyte repeats, adds a
row after each calcium and sodium, and writes the 27 columns electrocheck writes with
panels. What it leaves out: the interpretation itself (flags, grades and texts by the
reference file), the corrected results' interpretation, the patterns, the signs of the
specimen, trends of three results, delta checks, shared specimens, the panel window and
every check of a bad cell or key. So the time it takes is a lower bound, not an estimate.
``bench/panels.py --skeleton`` runs it beside electrocheck, as a process of its own as
electrocheck is (its start counted alike).
"""

from __future__ import annotations

import sys

import polars as pl

ANALYTES = ("potassium", "sodium", "calcium", "magnesium")
COVARIATES = ("albumin", "glucose")
KEYS = ["patient_id", "specimen_id"]
ISO = "%Y-%m-%dT%H:%M:%S"


def interpreted(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row with an analyte, a flag code and a value: each distinct (test, value, unit)
    once, joined back (as the engine works), by a made-up rule."""
    col = pl.col
    distinct = rows.select("test", "value", "unit").unique()
    number = col("value").cast(pl.Float64, strict=False)
    analyte = col("test").str.to_lowercase()
    distinct = distinct.with_columns(
        pl.when(analyte.is_in(ANALYTES)).then(analyte).alias("a"),
        analyte.alias("name"),
        number.alias("x"),
        (number * 0.25).alias("mmol"),
        pl.when(number < 3)
        .then(1)
        .when(number > 140)
        .then(3)
        .otherwise(2)
        .cast(pl.Int8)
        .alias("code"),
    )
    return rows.join(distinct, on=["test", "value", "unit"], how="left", maintain_order="left")


def timed(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row's collection time and age, each distinct text read once."""
    col = pl.col
    times = rows.select("collected").unique()
    times = times.with_columns(
        col("collected").str.to_datetime("%Y-%m-%d %H:%M", strict=False).alias("when")
    )
    rows = rows.join(times, on="collected", how="left", maintain_order="left")
    births = rows.select("birth_date").unique()
    births = births.with_columns(
        col("birth_date").str.to_date("%Y-%m-%d", strict=False).alias("born")
    )
    rows = rows.join(births, on="birth_date", how="left", maintain_order="left")
    return rows.with_columns(
        ((col("when").dt.date() - col("born")).dt.total_days() / 365.25).alias("age")
    )


def panels_of(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per specimen, numbered in order of patient and time, with a corrected value."""
    col = pl.col
    found = [pl.len().alias("rows"), col("when").min().alias("t_min")]
    for a in ANALYTES:
        of = col("a") == a
        found += [
            of.sum().alias(f"n_{a}"),
            col("code").filter(of).min().alias(f"lo_{a}"),
            col("code").filter(of).max().alias(f"hi_{a}"),
            col("x").filter(of).first().alias(f"x_{a}"),
        ]
    for v in COVARIATES:
        of = col("name") == v
        found += [of.sum().alias(f"nv_{v}"), col("x").filter(of).first().alias(f"x_{v}")]
    table = rows.group_by(KEYS).agg(found).sort(["patient_id", "t_min", "specimen_id"])
    table = table.with_row_index("panel", offset=1)
    corrected = col("x_calcium") + 0.8 * (4 - col("x_albumin"))
    return table.with_columns(
        corrected.alias("cca"),
        (pl.when(col("hi_magnesium") == 1).then(1).otherwise(0) * (col("lo_potassium") == 1)).alias(
            "bits"
        ),
    )


def changes(rows: pl.DataFrame) -> pl.DataFrame:
    """Each result's value and time before, the change and its rate per 24 h."""
    col = pl.col
    results = rows.select("row", "patient_id", "a", "when", "mmol").filter(col("a").is_not_null())
    results = results.sort(["patient_id", "a", "when", "row"])
    same = (col("patient_id") == col("patient_id").shift()) & (col("a") == col("a").shift())
    results = results.with_columns(
        pl.when(same).then(col("mmol").shift()).alias("prev"),
        pl.when(same).then(col("when").shift()).alias("prev_t"),
    )
    hours = (col("when") - col("prev_t")).dt.total_seconds() / 86_400
    return results.select(
        "row",
        "prev",
        "prev_t",
        (col("mmol") - col("prev")).alias("change"),
        ((col("mmol") - col("prev")) / hours).alias("rate"),
    )


def output(rows: pl.DataFrame) -> pl.DataFrame:
    """The 27 columns of electrocheck's output with panels, each corrected row after its
    input row."""
    col = pl.col
    text = pl.lit(None, pl.String)
    out = rows.select(
        "patient_id",
        "birth_date",
        "collected",
        "specimen_id",
        "test",
        "value",
        "unit",
        col("a").alias("analyte"),
        col("mmol").alias("value_mmol_l"),
        col("code").cast(pl.String).alias("flag"),
        pl.lit(0).alias("grade"),
        pl.lit("none").alias("spasm_risk"),
        text.alias("censored"),
        pl.lit("reference").alias("limits"),
        text.alias("errors"),
        pl.lit("input").alias("row_kind"),
        (col("row") + 1).alias("source_row"),
        "panel",
        col("t_min").dt.to_string(ISO).alias("panel_time"),
        pl.when(col("bits") > 0).then(pl.lit("low_mg_low_k")).alias("patterns"),
        pl.when(col("n_sodium") > 1)
        .then(pl.format("{} sodium results", col("n_sodium")))
        .alias("panel_notes"),
        col("prev").alias("previous_value_mmol_l"),
        col("prev_t").dt.to_string(ISO).alias("previous_time"),
        col("change").round(2).alias("change_mmol_l"),
        col("rate").round(2).alias("change_per_24h"),
        text.alias("trend"),
        text.alias("change_notes"),
        (col("row") * 2).alias("order"),
    )
    added = out.filter(col("analyte").is_in(["calcium", "sodium"])).with_columns(
        (col("order") + 1).alias("order"), pl.lit("added").alias("row_kind")
    )
    return pl.concat([out, added]).sort("order").drop("order")


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    rows = pl.read_csv(source, infer_schema=False).with_row_index("row")
    rows = timed(interpreted(rows))
    rows = rows.join(panels_of(rows), on=KEYS, how="left", maintain_order="left")
    rows = rows.join(changes(rows), on="row", how="left", maintain_order="left")
    output(rows).write_csv(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
