"""Per-row patient facts and covariates for batch processing.

Age, sex and symptoms come from columns of the file (``age``, ``sex``, ``symptomatic``),
covariates (albumin, glucose) from wide columns. Each distinct cell is read once, by the
same functions ``check`` uses for ``--age``, ``--sex`` and ``alb=2.5g/dL``, and the answers
are joined back to the rows. Ages become an *age segment*: the index of the age among the
band edges of the reference file. Every age within one segment gets the same limits, so the
engine interprets a value once per segment, not once per age.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from electrocheck.batch_layout import Layout
from electrocheck.corrections import CovariateValue, read_covariate
from electrocheck.errors import InputError, quote
from electrocheck.patient import Patient, parse_age, parse_sex, parse_symptomatic
from electrocheck.reference import Reference
from electrocheck.tokens import parse_number

#: Columns this module adds to a batch.
AGE, SEX, SYMPTOMATIC, PATIENT_ERROR = "p_seg", "p_sex", "p_symptomatic", "p_error"


@lru_cache(maxsize=8)
def age_edges(reference: Reference) -> tuple[float, ...]:
    """Every age (in days) at which some band of the reference file starts or ends."""
    edges = {
        edge
        for analyte in reference.analytes.values()
        for limits in (*analyte.reference, *analyte.critical)
        if limits.age is not None
        for edge in (limits.age.start, limits.age.end)
    }
    return tuple(sorted(edges))


def patient_of(
    reference: Reference, segment: int | None, sex: str | None, symptomatic: bool
) -> Patient:
    """A patient whose age stands for every age of ``segment`` (its first day)."""
    edges = age_edges(reference)
    age = None if segment is None else (edges[segment - 1] if segment > 0 else 0.0)
    return Patient(age, sex, symptomatic)


def segment_of(reference: Reference, days: float) -> int:
    return bisect.bisect_right(age_edges(reference), days)


def _mapped(
    column: pl.Series, read: Callable[[str], Any], name: str, dtype: Any
) -> tuple[pl.Series, pl.Series]:
    """``read`` applied once per distinct non-blank text: its answers, and its errors."""
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for text in column.drop_nulls().unique().to_list():
        if not text.strip():
            continue
        try:
            answers[text] = read(text)
        except InputError as exc:
            errors[text] = f"{name}: {exc}"
    stripped = column
    return (
        stripped.replace_strict(answers, default=None, return_dtype=dtype),
        stripped.replace_strict(errors, default=None, return_dtype=pl.String),
    )


def with_patient(
    frame: pl.DataFrame, layout: Layout, reference: Reference, symptomatic: bool
) -> pl.DataFrame:
    """``frame`` with the columns AGE (segment), SEX, SYMPTOMATIC and PATIENT_ERROR."""
    columns = layout.patient
    height = frame.height
    errors: list[pl.Series] = []
    segment = pl.Series(AGE, [None] * height, dtype=pl.Int32)
    sex = pl.Series(SEX, [None] * height, dtype=pl.String)
    symptoms = pl.Series(SYMPTOMATIC, [symptomatic] * height, dtype=pl.Boolean)
    if columns.age is not None:
        segment, error = _mapped(
            frame[f"c{columns.age}"],
            lambda text: segment_of(reference, parse_age(text)),
            _name(layout, columns.age),
            pl.Int32,
        )
        errors.append(error)
    if columns.sex is not None:
        sex, error = _mapped(
            frame[f"c{columns.sex}"], parse_sex, _name(layout, columns.sex), pl.String
        )
        errors.append(error)
    if columns.symptomatic is not None:
        found, error = _mapped(
            frame[f"c{columns.symptomatic}"],
            parse_symptomatic,
            _name(layout, columns.symptomatic),
            pl.Boolean,
        )
        symptoms = found.fill_null(symptomatic)
        errors.append(error)
    error_column = (
        pl.DataFrame(errors)
        .select(pl.concat_str(pl.all(), separator="; ", ignore_nulls=True))
        .to_series()
        .replace("", None)
        if errors
        else pl.Series(PATIENT_ERROR, [None] * height, dtype=pl.String)
    )
    return frame.with_columns(
        segment.alias(AGE),
        sex.alias(SEX),
        symptoms.alias(SYMPTOMATIC),
        error_column.alias(PATIENT_ERROR),
    )


def _name(layout: Layout, index: int) -> str:
    return " ".join(layout.header[index].split())[:60]


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
