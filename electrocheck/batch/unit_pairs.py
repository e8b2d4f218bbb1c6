"""Unit resolution in a batch: each distinct (analyte, unit spelling) pair once.

A column holds few distinct unit spellings, and a file few kinds of patient. Each distinct
(analyte, unit spelling, age segment, sex) is resolved once, by the core's own functions:
the factor that takes a value to mmol/L and the limits that apply to it, or the reason the
unit cannot be used. The table is joined to the distinct rows by :func:`pair_key`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from electrocheck.batch.patient import AGE, SEX, patient_of
from electrocheck.clinical.interpret import population_of
from electrocheck.errors import UnitError
from electrocheck.reference import Analyte, Reference
from electrocheck.units.resolve import resolve_unit

SEP = "\x1f"  # joins analyte and unit into one lookup key; cannot occur in either

PAIR_SCHEMA = {
    "key": pl.String,
    "population": pl.String,
    "factor": pl.Float64,
    "canonical": pl.String,
    "unit_error": pl.String,
    "ref_low": pl.Float64,
    "ref_high": pl.Float64,
    "crit_low": pl.Float64,
    "crit_high": pl.Float64,
}


def pair_key(analyte: pl.Expr, spelling: pl.Expr) -> pl.Expr:
    """The lookup key of a value's limits: analyte, unit, age segment and sex."""
    return pl.concat_str(
        analyte,
        pl.lit(SEP),
        spelling,
        pl.lit(SEP),
        pl.col(AGE).cast(pl.String).fill_null(""),
        pl.lit(SEP),
        pl.col(SEX).fill_null(""),
    )


def resolve_pairs(
    reference: Reference, pairs: Iterable[tuple[str, str, int | None, str | None]]
) -> pl.DataFrame:
    """Resolve each distinct (analyte, unit spelling, age segment, sex) once: the factor to
    mmol/L and the limits that apply (as :func:`electrocheck.clinical.interpret.interpret` picks
    them), or the reason the unit cannot be used."""
    rows = []
    for analyte_key, spelling, segment, sex in pairs:
        row: dict[str, Any] = dict.fromkeys(PAIR_SCHEMA)
        row["key"] = SEP.join(
            [analyte_key, spelling, "" if segment is None else str(segment), sex or ""]
        )
        try:
            unit = resolve_unit(spelling)
        except UnitError as exc:
            row["unit_error"] = str(exc)
            rows.append(row)
            continue
        analyte: Analyte = reference.analytes[analyte_key]
        patient = patient_of(reference, segment, sex, False)
        interval = analyte.interval_for(unit, patient)
        critical = analyte.critical_for(unit, patient)
        row.update(
            population=population_of(interval, patient, critical),
            factor=analyte.factor_to_mmol(unit),
            canonical=unit.spelling,
            ref_low=interval.low_mmol,
            ref_high=interval.high_mmol,
            crit_low=critical.low_mmol,
            crit_high=critical.high_mmol,
        )
        rows.append(row)
    return pl.DataFrame(rows, schema=PAIR_SCHEMA, orient="row")


__all__ = ["PAIR_SCHEMA", "SEP", "pair_key", "resolve_pairs"]
