"""Corrected results and cross-analyte patterns in a wide batch.

Both are computed by the core's own functions (:func:`electrocheck.corrections.correct`,
:func:`electrocheck.patterns.find_patterns`) once per distinct combination of their inputs
and joined back to the rows, so a row gets the answer ``check`` gives for the same values.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from electrocheck.batch_patient import AGE, SEX, SYMPTOMATIC, CovariateReader, patient_of
from electrocheck.corrections import CovariateValue, correct
from electrocheck.errors import InputError
from electrocheck.interpret import Result, interpret, report_round
from electrocheck.patterns import find_patterns
from electrocheck.reference import Reference

#: Types of a source's result fields (see ``batch_engine``), for results made here.
FIELD_TYPES: dict[str, pl.DataType] = {
    "analyte": pl.String(),
    "mmol_l": pl.Float64(),
    "flag": pl.String(),
    "grade": pl.Int8(),
    "risk": pl.String(),
    "censored": pl.String(),
    "limits": pl.String(),
    "error": pl.String(),
    "number": pl.Float64(),
    "spelling": pl.String(),
    "low": pl.Float64(),
    "high": pl.Float64(),
    "input": pl.String(),
    "assumed": pl.Boolean(),
    "role": pl.String(),
    "effect": pl.String(),
    "causes": pl.List(pl.String()),
    "caveats": pl.List(pl.String()),
    "label": pl.String(),
    "crit_low": pl.Float64(),
    "crit_high": pl.Float64(),
    "grade_basis": pl.String(),
    "population": pl.String(),
    "notes": pl.List(pl.String()),
}
#: Distinct input combinations remembered before the memory is cleared.
MEMORY = 100_000


def result_fields(result: Result) -> dict[str, Any]:
    """A core result as the fields of a batch result."""
    return {
        "analyte": result.analyte,
        "mmol_l": report_round(result.value),
        "flag": result.flag,
        "grade": result.grade,
        "risk": result.spasm_risk,
        "censored": None,
        "limits": "reference",
        "error": None,
        "number": result.entered_value,
        "spelling": result.entered_unit,
        "low": report_round(result.low),
        "high": report_round(result.high),
        "input": result.input,
        "assumed": result.unit_assumed,
        "role": result.muscle_role,
        "effect": result.effect,
        "causes": list(result.cancer_causes),
        "caveats": [],
        "label": result.label,
        "crit_low": report_round(result.critical_low),
        "crit_high": report_round(result.critical_high),
        "grade_basis": result.grade_basis,
        "population": result.population,
        "notes": list(result.notes),
    }


class Corrector:
    """Makes one correction's results (corrected calcium) for the rows of a wide file."""

    KEYS = ("in_number", "in_spelling", "in_flag", "in_censored", "text", "cov_text", "cov_unit")

    def __init__(
        self,
        reference: Reference,
        key: str,
        column: str,
        reader: CovariateReader,
        fields: tuple[str, ...],
    ) -> None:
        self.reference = reference
        self.correction = reference.corrections[key]
        self.column = " ".join(column.split())
        self.reader = reader
        self.fields = fields
        self.known: dict[tuple[Any, ...], dict[str, Any]] = {}

    def results(self, rows: pl.DataFrame) -> pl.DataFrame:
        """``rows`` holds KEYS and the patient columns; returns ``fields`` for each row."""
        keys = [*self.KEYS, AGE, SEX, SYMPTOMATIC]
        distinct = rows.select(keys).unique()
        if len(self.known) > MEMORY:
            self.known.clear()
        found = []
        for row in distinct.iter_rows():
            answer = self.known.get(row)
            if answer is None:
                answer = self.known[row] = self._one(*row)
            found.append((*row, *(answer.get(name) for name in self.fields)))
        schema = {**rows.select(keys).schema, **{f: FIELD_TYPES[f] for f in self.fields}}
        table = pl.DataFrame(found, schema=schema, orient="row")
        joined = rows.select(keys).join(
            table, on=keys, how="left", nulls_equal=True, maintain_order="left"
        )
        return joined.select(self.fields)

    def _one(
        self,
        number: float | None,
        spelling: str | None,
        flag: str | None,
        censored: str | None,
        text: str | None,
        cov_text: str | None,
        cov_unit: str | None,
        segment: int | None,
        sex: str | None,
        symptomatic: bool,
    ) -> dict[str, Any]:
        if number is None or spelling is None or flag is None or censored is not None:
            return {}
        if cov_text is None or not cov_text.strip():
            return {}
        given = self.reader.read(cov_text, cov_unit)
        if not isinstance(given, CovariateValue):
            return {}  # its error is reported with the covariate's column
        given = dataclasses.replace(given, shown=f"{self.reader.column}={given.shown}")
        patient = patient_of(self.reference, segment, sex, symptomatic)
        analyte = self.correction.corrects
        try:
            measured = interpret(
                self.reference,
                analyte,
                number,
                spelling,
                input=f"{self.column}={' '.join((text or '').split())}",
                patient=patient,
                covariates=frozenset({self.correction.covariate}),
            )
            return result_fields(correct(self.reference, measured, given, patient))
        except InputError as exc:
            return {"error": f"{self.correction.key}: {exc}"}


class PatternFinder:
    """The pattern notes of each row of a wide file, from the flags of its results."""

    def __init__(self, reference: Reference, analytes: list[str]) -> None:
        self.reference = reference
        self.analytes = analytes  # the analyte key of each flag column, in order
        self.known: dict[tuple[str | None, ...], str | None] = {}

    def patterns(self, flags: list[pl.Series]) -> pl.Series:
        frame = pl.DataFrame({f"f{i}": s for i, s in enumerate(flags)})
        distinct = frame.unique()
        found = []
        for row in distinct.iter_rows():
            if row not in self.known:
                notes = find_patterns(self.reference, zip(self.analytes, row, strict=True))
                self.known[row] = " | ".join(notes) or None
            found.append((*row, self.known[row]))
        table = pl.DataFrame(found, schema={**frame.schema, "patterns": pl.String()}, orient="row")
        joined = frame.join(
            table, on=list(frame.columns), how="left", nulls_equal=True, maintain_order="left"
        )
        return joined["patterns"]
