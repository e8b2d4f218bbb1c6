"""Distinct rows of a batch as the engine hands them to its clinical expressions
(:mod:`electrocheck.batch.flags`, :mod:`~electrocheck.batch.grades`), built here from the
reference file's own records, so that a test of an expression runs in milliseconds rather than
through a whole file. Each row's factor and limits are those
:func:`electrocheck.batch.unit_pairs.resolve_pairs` gives: the analyte's, for the row's unit
and patient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from electrocheck.batch.patient import AGE, SEX, SYMPTOMATIC, patient_of
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient
from electrocheck.units.resolve import resolve_unit

SCHEMA: dict[str, Any] = {
    "analyte": pl.String,
    "number": pl.Float64,
    "canonical": pl.String,
    "assumed": pl.Boolean,
    "censor": pl.String,
    "factor": pl.Float64,
    "low_value": pl.Float64,
    "high_value": pl.Float64,
    "one_sided": pl.Boolean,
    "range_unit": pl.String,
    "range_factor": pl.Float64,
    "plaus_low": pl.Float64,
    "plaus_high": pl.Float64,
    "ref_low": pl.Float64,
    "ref_high": pl.Float64,
    "crit_low": pl.Float64,
    "crit_high": pl.Float64,
    AGE: pl.Int32,
    SEX: pl.String,
    SYMPTOMATIC: pl.Boolean,
    "covariate": pl.Boolean,
}


@dataclass(frozen=True)
class Row:
    """One distinct input: a value of an analyte in a unit (or the analyte's default unit,
    ``unit=None``), perhaps censored, with the lab's limits of its row, for a patient."""

    analyte: str
    number: float
    unit: str | None = "mmol/L"
    censor: str | None = None
    low: float | None = None
    high: float | None = None
    one_sided: bool = False
    range_unit: str | None = None
    segment: int | None = None
    sex: str | None = None
    symptomatic: bool = False
    covariate: bool = False

    def spelling(self, reference: Reference) -> str:
        return self.unit or reference.analytes[self.analyte].default_unit

    def patient(self, reference: Reference) -> Patient:
        return patient_of(reference, self.segment, self.sex, self.symptomatic)


def values_of(reference: Reference, row: Row) -> dict[str, Any]:
    record = reference.analytes[row.analyte]
    unit = resolve_unit(row.spelling(reference))
    patient = row.patient(reference)
    interval, critical = record.interval_for(unit, patient), record.critical_for(unit, patient)
    range_factor = (
        None if row.range_unit is None else record.factor_to_mmol(resolve_unit(row.range_unit))
    )
    return {
        "analyte": row.analyte,
        "number": row.number,
        "canonical": unit.spelling,
        "assumed": row.unit is None,
        "censor": row.censor,
        "factor": record.factor_to_mmol(unit),
        "low_value": row.low,
        "high_value": row.high,
        "one_sided": row.one_sided,
        "range_unit": row.range_unit,
        "range_factor": range_factor,
        "plaus_low": record.plausible.low_mmol,
        "plaus_high": record.plausible.high_mmol,
        "ref_low": interval.low_mmol,
        "ref_high": interval.high_mmol,
        "crit_low": critical.low_mmol,
        "crit_high": critical.high_mmol,
        AGE: row.segment,
        SEX: row.sex,
        SYMPTOMATIC: row.symptomatic,
        "covariate": row.covariate,
    }


def step_of(reference: Reference, rows: list[Row]) -> pl.DataFrame:
    """The distinct rows, as the engine has them before it flags them."""
    return pl.DataFrame([values_of(reference, row) for row in rows], schema=SCHEMA)
