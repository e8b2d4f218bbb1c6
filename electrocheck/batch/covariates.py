"""Covariates of a wide batch: albumin, glucose ... in their own columns.

A covariate column is read cell by cell by the function ``check`` uses for ``alb=2.5g/dL``,
each distinct (cell, unit) once per file, with its unit from the cell, else its companion
unit column, else its header. :func:`with_covariates` marks the rows that hold a usable
covariate (the corrections and the grading of what they correct depend on it) and gives the
error of each cell that cannot be used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from electrocheck.batch.cells import blank_to_null
from electrocheck.batch.layout import CovariateColumn
from electrocheck.clinical.corrections import CovariateValue, read_covariate
from electrocheck.errors import InputError, quote
from electrocheck.reference import Reference
from electrocheck.units.tokens import parse_number


@dataclass
class CovariateReader:
    """Reads the cells of one covariate column, each distinct (cell, unit) once per file."""

    reference: Reference
    key: str
    column: str  # its header, for messages
    known: dict[tuple[str, str | None], CovariateValue | str]

    def read(self, text: str, unit: str | None) -> CovariateValue | str:
        """The covariate in a cell, or why it cannot be used."""
        found = self.known.get((text, unit))
        if found is None:
            found = self._read(text, unit)
            if len(self.known) > 100_000:  # all-different cells must not grow it forever
                self.known.clear()
            self.known[(text, unit)] = found
        return found

    def _read(self, text: str, unit: str | None) -> CovariateValue | str:
        shown = " ".join(text.split())
        try:
            value, cell_unit = parse_number(text, shown)
        except InputError:
            return f"{self.column}: {quote(shown)} is not a number"
        try:
            return read_covariate(self.reference, self.key, value, cell_unit or unit, shown)
        except InputError as exc:
            return f"{self.column}: {exc}"


def covariate_unit(column: CovariateColumn) -> pl.Expr:
    """A covariate's unit from its unit column, else its header; null when neither."""
    header = None if column.header_unit is None else column.header_unit.spelling
    if column.unit_column is None:
        return pl.lit(header, pl.String)
    return blank_to_null(pl.col(f"c{column.unit_column}")).fill_null(pl.lit(header, pl.String))


def with_covariates(
    frame: pl.DataFrame, columns: Sequence[CovariateColumn], readers: Sequence[CovariateReader]
) -> tuple[pl.DataFrame, list[pl.Series]]:
    """``cv{j}`` (true where covariate column j holds a usable value) and its errors."""
    added, errors = [], []
    for j, (column, reader) in enumerate(zip(columns, readers, strict=True)):
        text = frame[f"c{column.index}"]
        unit = frame.with_columns(covariate_unit(column).alias("u"))["u"]
        pairs = pl.DataFrame({"t": text, "u": unit})
        table = []
        for t, u in pairs.unique().iter_rows():
            if t is not None and t.strip():
                found = reader.read(t, u)
                problem = found if isinstance(found, str) else None
                table.append((t, u, None if problem else True, problem))
        schema = {"t": pl.String, "u": pl.String, "ok": pl.Boolean, "problem": pl.String}
        joined = pairs.join(
            pl.DataFrame(table, schema=schema, orient="row"),
            on=["t", "u"],
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        added.append(joined["ok"].alias(f"cv{j}"))
        errors.append(joined["problem"].alias(f"ec{j}"))
    return frame.with_columns(added), errors


__all__ = ["CovariateReader", "covariate_unit", "with_covariates"]
