"""Corrected values of a wide batch, column-wise, for the CSV output.

The CSV output needs only the corrected value and its unit, not the formula that explains
it, so the arithmetic of :func:`~electrocheck.clinical.corrections.corrected_value` is
written here as polars expressions: the same operations in the same order, so the same
floats. Only the formula of each distinct unit spelling and each distinct covariate cell are
looked up in Python; the value is then freed of float noise by the core's own function, once
per distinct value.
"""

from __future__ import annotations

import polars as pl

from electrocheck.batch.cells import constant
from electrocheck.batch.covariates import CovariateReader
from electrocheck.clinical.corrections import CovariateValue
from electrocheck.clinical.result import denoise
from electrocheck.reference import Correction, Formula, Reference
from electrocheck.units.resolve import Unit, resolve_unit


class CorrectedValues:
    """Computes one correction's corrected value and unit for every row of a batch."""

    def __init__(
        self, reference: Reference, correction: Correction, reader: CovariateReader
    ) -> None:
        self.reference = reference
        self.correction = correction
        self.reader = reader

    def values(self, rows: pl.DataFrame) -> list[pl.Series]:
        """The corrected value and unit of each row, by the arithmetic of
        :func:`~electrocheck.clinical.corrections.corrected_value` written as polars
        expressions (the same operations in the same order, so the same floats), then freed
        of float noise by the core's own function once per distinct value."""
        col = pl.col
        formulas, measured = self._formulas(rows)
        table = self._covariates(rows, formulas)
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
            else constant("", None, rows.height, pl.Float64)
        )
        unit = step.select(pl.when(usable).then(col("c_unit")))["c_unit"]
        return [
            values.alias("c_value"),
            unit.alias("c_unit"),
            constant("c_error", None, rows.height, pl.String),
        ]

    def _formulas(self, rows: pl.DataFrame) -> tuple[dict[str, Formula], pl.DataFrame]:
        """The formula of each distinct unit spelling of the measured values, and a table of
        its numbers (with the factors that take the value into the formula's unit), to join
        on ``in_spelling``."""
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
        return formulas, measured

    def _covariates(self, rows: pl.DataFrame, formulas: dict[str, Formula]) -> pl.DataFrame:
        """Each distinct covariate cell that can be used, in each unit a formula wants it in
        (``target``): its value and the factors (a, b) that take it there."""
        covariates = []
        for text, unit in rows.select("cov_text", "cov_unit").unique().iter_rows():
            given = None if text is None or not text.strip() else self.reader.read(text, unit)
            if isinstance(given, CovariateValue):
                for target in {f.covariate_unit for f in formulas.values()}:
                    a, b = _conversion(given, resolve_unit(target))
                    covariates.append((text, unit, target, given.value, a, b))
        return pl.DataFrame(
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


__all__ = ["CorrectedValues"]
