"""Per-row patient facts for batch processing.

Age, sex and symptoms come from columns of the file (``age``, ``sex``, ``symptomatic``);
covariates (albumin, glucose) are read in :mod:`~electrocheck.batch.covariates`. Each
distinct cell is read once, by the same functions ``check`` uses for ``--age`` and ``--sex``,
and the answers are joined back to the rows. Ages become an *age segment*: the index of the
age among the band edges of the reference file. Every age within one segment gets the same
limits, so the engine interprets a value once per segment, not once per age.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import polars as pl

from electrocheck.batch.cells import constant
from electrocheck.batch.layout import Layout
from electrocheck.errors import InputError
from electrocheck.reference import Reference, select_limits
from electrocheck.reference.patient import Patient, parse_age, parse_sex, parse_symptomatic
from electrocheck.units.resolve import MMOL_PER_L, resolve_unit

#: Columns this module adds to a batch.
AGE, SEX, SYMPTOMATIC, PATIENT_ERROR = "p_seg", "p_sex", "p_symptomatic", "p_error"
#: A column a batch may hold before the patient columns are read: each row's age in days
#: (from a date of birth and the collection time; see :mod:`~electrocheck.batch.panels`). Where
#: it is not null it decides the age, before an age column.
AGE_DAYS = "p_age_days"


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


_SEX_CODES = {"female": 1, "male": 2}
_SEX_OF_CODE = {0: None, 1: "female", 2: "male"}


@lru_cache(maxsize=64)
def canonical_strata(reference: Reference, analyte: str) -> dict[int, int]:
    """For one analyte, each (age segment, sex) code mapped to the code of the first one that
    gets the same limits and the same population text: a file of all ages then costs one
    interpretation per band of that analyte, not one per age segment of every analyte."""
    record = reference.analytes[analyte]
    units = (resolve_unit("mg/dL"), resolve_unit(MMOL_PER_L))  # one unit of each system
    mapping: dict[int, int] = {}
    seen: dict[tuple[object, ...], int] = {}
    for segment in (None, *range(len(age_edges(reference)) + 1)):
        for sex in (None, *_SEX_CODES):
            patient = patient_of(reference, segment, sex, False)
            chosen = tuple(
                id(select_limits(items, unit, patient))
                for items in (record.reference, record.critical)
                for unit in units
            )
            code = _code(segment, sex)
            mapping[code] = seen.setdefault((patient.age_days is None, *chosen), code)
    return mapping


def symptoms_matter(reference: Reference, analyte: str) -> bool:
    """Whether symptoms can change a grade of this analyte."""
    record = reference.analytes[analyte]
    scales = [s for s in (record.grade_low, record.grade_high) if s is not None]
    return any(c.symptomatic is not None for s in scales for c in s.criteria)


def _code(segment: int | None, sex: str | None) -> int:
    return (-1 if segment is None else segment) * 3 + 3 + _SEX_CODES.get(sex or "", 0)


def canonical_columns(
    reference: Reference, analyte: str, segment: pl.Expr, sex: pl.Expr
) -> tuple[pl.Expr, pl.Expr]:
    """``segment`` and ``sex`` replaced by their canonical stand-ins for ``analyte``."""
    code = (segment.fill_null(-1) + 1) * 3 + sex.replace_strict(
        _SEX_CODES, default=0, return_dtype=pl.Int64
    )
    canon = code.replace_strict(canonical_strata(reference, analyte), return_dtype=pl.Int64)
    stand_in = canon // 3 - 1
    return (
        pl.when(stand_in >= 0).then(stand_in).cast(pl.Int32).alias(AGE),
        (canon % 3).replace_strict(_SEX_OF_CODE, return_dtype=pl.String).alias(SEX),
    )


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
    found = column.replace_strict(answers, default=None, return_dtype=dtype)
    if not errors:
        return found, constant(name, None, len(column), pl.String)
    return found, column.replace_strict(errors, default=None, return_dtype=pl.String)


def with_patient(
    frame: pl.DataFrame, layout: Layout, reference: Reference, symptomatic: bool
) -> pl.DataFrame:
    """``frame`` with the columns AGE (segment), SEX, SYMPTOMATIC and PATIENT_ERROR."""
    columns = layout.patient
    height = frame.height
    errors: list[pl.Series] = []
    segment = constant(AGE, None, height, pl.Int32)
    sex = constant(SEX, None, height, pl.String)
    symptoms = constant(SYMPTOMATIC, symptomatic, height, pl.Boolean)
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
    if AGE_DAYS in frame.columns:
        days = frame[AGE_DAYS]
        edges = pl.Series(age_edges(reference), dtype=pl.Float64)
        found = edges.search_sorted(days.fill_null(0.0), side="right").cast(pl.Int32)
        segment = pl.select(
            pl.when(days.is_not_null()).then(found).otherwise(segment).alias(AGE)
        ).to_series()
    errors = [error for error in errors if error.null_count() < height]
    error_column = (
        pl.DataFrame(errors)
        .select(pl.concat_str(pl.all(), separator="; ", ignore_nulls=True))
        .to_series()
        .replace("", None)
        if errors
        else constant(PATIENT_ERROR, None, height, pl.String)
    )
    return frame.with_columns(
        segment.alias(AGE),
        sex.alias(SEX),
        symptoms.alias(SYMPTOMATIC),
        error_column.alias(PATIENT_ERROR),
    )


def _name(layout: Layout, index: int) -> str:
    return " ".join(layout.header[index].split())[:60]
