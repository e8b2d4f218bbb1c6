"""Corrected results in a wide batch (corrected calcium, from calcium and albumin).

Computed by the core's own functions (:func:`electrocheck.clinical.corrections.correct`) once
per distinct combination of their inputs and joined back to the rows, so a row gets the answer
``check`` gives for the same values. For CSV output the corrected values are computed
column-wise instead (:mod:`~electrocheck.batch.corrected_values`), by the same arithmetic.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from electrocheck.batch.columns import FIELD_TYPES, FLAG_CODES
from electrocheck.batch.corrected_values import CorrectedValues
from electrocheck.batch.covariates import CovariateReader
from electrocheck.batch.jsonl import result_json
from electrocheck.batch.patient import AGE, SEX, SYMPTOMATIC, patient_of
from electrocheck.clinical.corrections import (
    Corrected,
    CovariateValue,
    corrected_result,
    corrected_value,
)
from electrocheck.clinical.result import Result, report_round
from electrocheck.errors import InputError
from electrocheck.reference import Reference
from electrocheck.units.tokens import parse_number

#: Joins a corrected value's lead notes into one text until JSON Lines needs them as a list.
_NOTES_SEP = "\x1e"
#: Distinct input combinations remembered before the memory is cleared.
MEMORY = 100_000


def result_fields(result: Result) -> dict[str, Any]:
    """A core result as the fields of a batch result."""
    return {
        "analyte": result.analyte,
        "mmol_l": report_round(result.value),
        "flag": result.flag,
        "flag_code": FLAG_CODES[result.flag],
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
        "caveats": [],
        "crit_low": report_round(result.critical_low),
        "crit_high": report_round(result.critical_high),
        "grade_basis": result.grade_basis,
        "population": result.population,
        "notes": list(result.notes),
    }


class Corrector:
    """Makes one correction's results (corrected calcium) for the rows of a wide file.

    In two steps, each done once per distinct input: the corrected value from the measured
    value and the covariate (arithmetic, and the formula with its numbers), then the result
    of each distinct corrected value for each kind of patient (flag, grade, texts). Both
    steps are the core's own functions, as ``check`` calls them.
    """

    KEYS = ("in_number", "in_spelling", "in_flag", "in_censored", "text", "cov_text", "cov_unit")
    VALUE = ("c_value", "c_unit", "c_lead", "c_input", "c_error")

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
        self.column_wise = CorrectedValues(reference, self.correction, reader)
        self.fields = fields
        self.values: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.known: pl.DataFrame | None = None  # results of distinct corrected values

    def results(self, rows: pl.DataFrame) -> pl.DataFrame:
        """``rows`` holds KEYS and the patient columns; returns ``fields`` for each row."""
        if len(self.values) > MEMORY or (self.known is not None and self.known.height > MEMORY):
            self.values.clear()
            self.known = None
        if "notes" not in self.fields:  # CSV: the corrected values alone, column-wise
            step = rows.with_columns(self.column_wise.values(rows))
        else:
            step = self._values_explained(rows)
        second = ["c_value", "c_unit", AGE, SEX, SYMPTOMATIC]
        distinct = step.select(second).unique()
        if self.known is not None:
            distinct = distinct.join(
                self.known.select(second), on=second, how="anti", nulls_equal=True
            )
        if distinct.height or self.known is None:
            found = []
            for row in distinct.iter_rows():
                answer = self._result(*row)
                found.append((*row, *(answer.get(name) for name in self.fields)))
            schema = {**distinct.schema, **{f: FIELD_TYPES[f] for f in self.fields}}
            new = pl.DataFrame(found, schema=schema, orient="row")
            self.known = new if self.known is None else pl.concat([self.known, new])
        assert self.known is not None
        joined = step.join(
            self.known, on=second, how="left", nulls_equal=True, maintain_order="left"
        )
        error = pl.coalesce(pl.col("c_error"), pl.col("error")).alias("error")
        out = [error if f == "error" else pl.col(f) for f in self.fields]
        if "input" in self.fields:
            out[self.fields.index("input")] = pl.col("c_input").alias("input")
            out[self.fields.index("notes")] = (
                pl.when(pl.col("flag").is_not_null())
                .then(pl.col("c_lead").str.split(_NOTES_SEP).list.concat(pl.col("notes")))
                .alias("notes")
            )
        fields = joined.select(out)
        if "json" in self.fields:  # the notes and input are the row's: made row by row
            fields = fields.with_columns(result_json())
        return fields

    def _values_explained(self, rows: pl.DataFrame) -> pl.DataFrame:
        """``rows`` with the VALUE columns, each distinct input computed by the core."""
        keys = list(self.KEYS)
        table = []
        for row in rows.select(keys).unique().iter_rows():
            found = self.values.get(row)
            if found is None:
                found = self.values[row] = self._compute(*row)
            table.append((*row, *found))
        value_types = [pl.Float64(), pl.String(), pl.String(), pl.String(), pl.String()]
        schema: dict[str, Any] = {
            **rows.select(keys).schema,
            **dict(zip(self.VALUE, value_types, strict=True)),
        }
        return rows.join(
            pl.DataFrame(table, schema=schema, orient="row"),
            on=keys,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )

    def _compute(
        self,
        number: float | None,
        spelling: str | None,
        flag: str | None,
        censored: str | None,
        text: str | None,
        cov_text: str | None,
        cov_unit: str | None,
    ) -> tuple[Any, ...]:
        """(corrected value, its unit, lead notes, input, error), or all None."""
        nothing = (None, None, None, None, None)
        if number is None or spelling is None or flag is None or censored is not None:
            return nothing
        if cov_text is None or not cov_text.strip():
            return nothing
        given = self.reader.read(cov_text, cov_unit)
        if not isinstance(given, CovariateValue):
            return nothing  # its error is reported with the covariate's column
        detail = "notes" in self.fields
        entered = _with_its_digits(number, text) if detail else number
        found = corrected_value(
            self.reference, self.correction.corrects, entered, spelling, given, explain=detail
        )
        if not detail:
            return (found.value, found.unit, None, None, None)
        given = dataclasses.replace(given, shown=f"{self.reader.column}={given.shown}")
        shown = f"{self.column}={' '.join((text or '').split())} {given.shown}"
        return (found.value, found.unit, _NOTES_SEP.join(found.lead_notes), shown, None)

    def _result(
        self,
        value: float | None,
        unit: str | None,
        segment: int | None,
        sex: str | None,
        symptomatic: bool,
    ) -> dict[str, Any]:
        if value is None or unit is None:
            return {}
        patient = patient_of(self.reference, segment, sex, symptomatic)
        corrected = Corrected(self.correction, value, unit, ())
        try:
            return result_fields(corrected_result(self.reference, corrected, patient))
        except InputError as exc:
            return {"error": f"{self.correction.key}: {exc}"}


def _with_its_digits(number: float, text: str | None) -> float:
    """``number`` as its cell writes it (``2.0``, not ``2``), so that the formula in the notes
    shows the digits ``check`` shows for the same value; ``number`` itself where the cell's
    text gives another number (a decimal comma, a numeric twin)."""
    if text is None:
        return number
    try:
        found, _ = parse_number(text.strip(), text)
    except InputError:
        return number
    return found if found == number else number


__all__ = ["Corrector", "result_fields"]
