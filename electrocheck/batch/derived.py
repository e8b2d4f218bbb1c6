"""Corrected results and cross-analyte patterns in a wide batch.

Both are computed by the core's own functions (:func:`electrocheck.corrections.correct`,
:func:`electrocheck.patterns.find_patterns`) once per distinct combination of their inputs
and joined back to the rows, so a row gets the answer ``check`` gives for the same values.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from electrocheck.batch.patient import AGE, SEX, SYMPTOMATIC, CovariateReader, patient_of
from electrocheck.clinical.corrections import (
    Corrected,
    CovariateValue,
    corrected_result,
    corrected_value,
)
from electrocheck.clinical.interpret import Result, denoise, report_round
from electrocheck.errors import InputError
from electrocheck.reference import Reference
from electrocheck.units.resolve import Unit, resolve_unit

#: Types of a source's result fields (see ``batch_engine``), for results made here.
FIELD_TYPES: dict[str, pl.DataType] = {
    "analyte": pl.String(),
    "mmol_l": pl.Float64(),
    "flag": pl.String(),
    "flag_code": pl.Int8(),
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
        self.fields = fields
        self.values: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.known: pl.DataFrame | None = None  # results of distinct corrected values

    def results(self, rows: pl.DataFrame) -> pl.DataFrame:
        """``rows`` holds KEYS and the patient columns; returns ``fields`` for each row."""
        if len(self.values) > MEMORY or (self.known is not None and self.known.height > MEMORY):
            self.values.clear()
            self.known = None
        if "notes" not in self.fields:  # CSV: the corrected values alone, column-wise
            step = rows.with_columns(self._values(rows))
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
        return joined.select(out)

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

    def _values(self, rows: pl.DataFrame) -> list[pl.Series]:
        """The corrected value and unit of each row, by the arithmetic of
        :func:`~electrocheck.corrections.corrected_value` written as polars expressions (the
        same operations in the same order, so the same floats), then freed of float noise by
        the core's own function once per distinct value."""
        col = pl.col
        record = self.reference.analytes[self.correction.corrects]
        spellings = rows["in_spelling"].drop_nulls().unique().to_list()
        formulas = {s: self.correction.formula_for(resolve_unit(s)) for s in spellings}
        measured = pl.DataFrame(
            [
                (
                    s,
                    f.unit,
                    f.add,
                    f.per,
                    f.pivot,
                    f.direction == "below",
                    f.one_sided,
                    s == resolve_unit(f.unit).spelling,
                    record.factor_to_mmol(resolve_unit(s)),
                    record.factor_to_mmol(resolve_unit(f.unit)),
                    f.covariate_unit,
                )
                for s, f in formulas.items()
            ],
            schema={
                "in_spelling": pl.String,
                "c_unit": pl.String,
                "add": pl.Float64,
                "per": pl.Float64,
                "pivot": pl.Float64,
                "below": pl.Boolean,
                "one_sided": pl.Boolean,
                "same": pl.Boolean,
                "f_in": pl.Float64,
                "f_out": pl.Float64,
                "target": pl.String,
            },
            orient="row",
        )
        covariates = []
        for text, unit in rows.select("cov_text", "cov_unit").unique().iter_rows():
            given = None if text is None or not text.strip() else self.reader.read(text, unit)
            if isinstance(given, CovariateValue):
                for target in {f.covariate_unit for f in formulas.values()}:
                    a, b = _conversion(given, resolve_unit(target))
                    covariates.append((text, unit, target, given.value, a, b))
        table = pl.DataFrame(
            covariates,
            schema={
                "cov_text": pl.String,
                "cov_unit": pl.String,
                "target": pl.String,
                "cov_value": pl.Float64,
                "a": pl.Float64,
                "b": pl.Float64,
            },
            orient="row",
        )
        step = rows.join(measured, on="in_spelling", how="left", maintain_order="left").join(
            table,
            on=["cov_text", "cov_unit", "target"],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        value = (
            pl.when(col("same"))
            .then(col("in_number"))
            .otherwise(col("in_number") * col("f_in") / col("f_out"))
        )
        covariate = (
            pl.when(col("a").is_null())
            .then(col("cov_value"))
            .otherwise(col("cov_value") * col("a") / col("b"))
        )
        distance = (
            pl.when(col("below")).then(col("pivot") - covariate).otherwise(covariate - col("pivot"))
        )
        correction = (
            pl.when(col("one_sided") & (distance < 0))
            .then(pl.lit(0.0))
            .otherwise(col("add") * distance / col("per"))
        )
        usable = (
            col("in_flag").is_not_null()
            & col("in_censored").is_null()
            & col("in_number").is_not_null()
            & col("cov_value").is_not_null()
        )
        raw = step.select(pl.when(usable).then(value + correction).alias("raw"))["raw"]
        rounded = {v: denoise(v) for v in raw.drop_nulls().unique().to_list()}
        values = (
            raw.replace_strict(rounded, return_dtype=pl.Float64)
            if rounded
            else pl.Series([None] * rows.height, dtype=pl.Float64)
        )
        unit = step.select(pl.when(usable).then(col("c_unit")))["c_unit"]
        return [
            values.alias("c_value"),
            unit.alias("c_unit"),
            pl.Series("c_error", [None] * rows.height, dtype=pl.String),
        ]

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
        found = corrected_value(
            self.reference, self.correction.corrects, number, spelling, given, explain=detail
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


def _conversion(given: CovariateValue, target: Unit) -> tuple[float | None, float | None]:
    """(a, b) such that the covariate in ``target`` is ``value * a / b`` as
    :meth:`~electrocheck.reference.Covariate.convert` computes it; (None, None) when the
    value is taken as it is (the same unit)."""
    unit = given.unit
    if unit.spelling == target.spelling:
        return None, None
    if unit.kind == target.kind:
        return unit.to_base, target.to_base
    mass = given.covariate.molar_mass
    assert mass is not None  # the loader refuses a formula a covariate cannot reach
    return unit.factor_to_mmol(mass.value, 1), target.factor_to_mmol(mass.value, 1)


class PatternFinder:
    """The ids of the patterns each row of a wide file matches, from the flags of its
    results: the rule of :func:`electrocheck.patterns.sides` (a corrected result stands in
    for the analyte it corrects) written as polars expressions over the flags' codes."""

    def __init__(self, reference: Reference, analytes: list[str]) -> None:
        self.reference = reference
        self.analytes = analytes  # the analyte (or correction) key of each flag column
        self.patterns_of: dict[int, str | None] = {}

    def patterns(self, codes: list[pl.Series]) -> pl.Series:
        """The ids of the patterns each row matches, ``"; "``-joined, or null. ``codes`` are
        the flags of each result column as :data:`FLAG_CODES`."""
        frame = pl.DataFrame([s.alias(f"f{i}") for i, s in enumerate(codes)])
        # Which patterns a row matches, as the bits of one number: few distinct numbers.
        bits = pl.sum_horizontal(
            pl.all_horizontal(self._on_side(a, side) for a, side in p.when).cast(pl.Int64)
            * (1 << n)
            for n, p in enumerate(self.reference.patterns)
        )
        # with_columns, not select: where no pattern names a column of the file, ``bits`` is a
        # literal, and must still give one value per row.
        matched = frame.with_columns(bits.alias("bits"))["bits"]
        for value in matched.unique().to_list():
            if value not in self.patterns_of:
                ids = [p.id for n, p in enumerate(self.reference.patterns) if value >> n & 1]
                self.patterns_of[value] = "; ".join(ids) or None
        if matched.is_empty():  # replace_strict would keep the integer type
            return pl.Series("patterns", [], dtype=pl.String)
        result: pl.Series = matched.replace_strict(self.patterns_of, return_dtype=pl.String)
        return result.alias("patterns")

    def _on_side(self, analyte: str, side: str) -> pl.Expr:
        def on(code: pl.Expr) -> pl.Expr:
            return code <= FLAG_CODES["L"] if side == "low" else code >= FLAG_CODES["H"]

        measured = [
            on(pl.col(f"f{i}")).fill_null(False)
            for i, key in enumerate(self.analytes)
            if key == analyte
        ]
        found = pl.any_horizontal(measured) if measured else pl.lit(False)
        for i, key in enumerate(self.analytes):
            correction = self.reference.corrections.get(key)
            if correction is not None and correction.corrects == analyte:
                code = pl.col(f"f{i}")
                found = pl.when(code.is_not_null()).then(on(code)).otherwise(found)
        return found


#: Flags as small numbers, in order from low to high.
FLAG_CODES = {"LL": 1, "L": 2, "N": 3, "H": 4, "HH": 5}
