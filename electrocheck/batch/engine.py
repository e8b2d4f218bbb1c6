"""Columnar interpretation of lab results with polars: one batch at a time.

:func:`interpret_batch` takes one batch of rows (every column text, as read from a CSV) and
adds the result columns. The rules are those of
:func:`electrocheck.clinical.interpret.interpret`, written as polars expressions: the same
parsing of a number and its unit, the same unit resolution (each distinct spelling resolved
once, then applied as a factor), the same limits with the same tolerance.
``tests/batch/test_batch_same_answer.py`` holds the two paths equal.

This module holds the orchestration: :class:`BatchInterpreter` reads the specimen, patient
columns and covariates of a batch, has each source's rows interpreted
(:mod:`~electrocheck.batch.distinct`) and each correction's
(:mod:`~electrocheck.batch.corrected`), finds the patterns, says what became of each value,
and adds it all under the column names of :mod:`~electrocheck.batch.columns`.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from electrocheck.batch.cells import constant
from electrocheck.batch.columns import (
    CHANGE_NAMES,
    COVARIATE,
    CSV_FIELDS,
    DETAIL_FIELDS,
    DISAGREES,
    INTERPRETED,
    LOOKALIKE,
    OTHER_SPECIMEN,
    PANEL_NAMES,
    SPECIMEN_ERROR,
    STRUCTURAL,
    UNKNOWN_SPECIMEN,
    UNREADABLE,
    WIDE_NAMES,
    added_names,
    medication_names,
    result_names,
    writes_lab_flag,
)
from electrocheck.batch.corrected import Corrector
from electrocheck.batch.covariates import CovariateReader, covariate_unit, with_covariates
from electrocheck.batch.distinct import SEGMENT, SourceInterpreter
from electrocheck.batch.jsonl import result_json
from electrocheck.batch.layout import Layout
from electrocheck.batch.naming import BLOOD_KIND, OTHER_KIND, UNKNOWN_KIND, SpecimenKinds
from electrocheck.batch.patient import (
    AGE,
    PATIENT_ERROR,
    SEX,
    SYMPTOMATIC,
    canonical_columns,
    symptoms_matter,
    with_patient,
)
from electrocheck.batch.patterns import PatternFinder
from electrocheck.batch.signs import SpecimenSigns
from electrocheck.batch.sources import SPECIMEN_KIND, plain, sources
from electrocheck.formats.frame import ROW_ERROR
from electrocheck.reference import Reference

#: Columns of a processed batch of a long file grouped into panels: each row's measured number
#: and its unit's spelling, for the corrected results of its panel.
MEASURED_NUMBER, MEASURED_UNIT = "m_number", "m_unit"


def interpret_batch(
    frame: pl.DataFrame,
    layout: Layout,
    reference: Reference,
    *,
    detail: bool = False,
    symptomatic: bool = False,
) -> pl.DataFrame:
    """Add the result columns to one batch (see :class:`BatchInterpreter`)."""
    return BatchInterpreter(layout, reference, detail=detail, symptomatic=symptomatic).interpret(
        frame
    )


class BatchInterpreter:
    """Interprets the batches of one file, remembering what it has interpreted.

    Lab columns repeat themselves: a potassium column holds a few hundred distinct texts in a
    million rows. Each distinct combination of a source's inputs (text, unit, ...) is
    interpreted once, the first time it is seen, and joined to every row that holds it (see
    :class:`~electrocheck.batch.distinct.SourceInterpreter`).
    """

    def __init__(
        self,
        layout: Layout,
        reference: Reference,
        *,
        detail: bool = False,
        symptomatic: bool = False,
        segments: str | None = None,
    ) -> None:
        self.layout = layout
        self.reference = reference
        self.detail = detail
        self.symptomatic = symptomatic
        self.sources = sources(layout, reference)
        self.fields = CSV_FIELDS + (DETAIL_FIELDS if detail else ())
        # The patient columns the file lacks, and the value each has for every row.
        self.patient: dict[str, Any] = {}
        birth = layout.panels.birth if layout.panels is not None else None
        for name, column, value in (
            (AGE, layout.patient.age if birth is None else birth, None),
            (SEX, layout.patient.sex, None),
            (SYMPTOMATIC, layout.patient.symptomatic, symptomatic),
        ):
            if column is None:
                self.patient[name] = value
        self.readers = [
            CovariateReader(reference, c.covariate, plain(c.header), {}) for c in layout.covariates
        ]
        corrected = {i for _, i, _ in layout.corrections}
        # A wide CSV needs neither the analyte (one per column) nor the limits' origin (the
        # reference file's, always): fewer columns to join to every row.
        lean = tuple(
            f
            for f in self.fields
            if detail or layout.kind == "long" or f not in ("analyte", "limits")
        )
        # A long file's panels correct its rows' values: the measured number and unit.
        panels = layout.panels is not None
        # CSV output whose results are written as they are joined: each source's CSV fields
        # as one text too (see distinct.segments), written as one column (see batch.writer).
        self.segmented = (
            segments is not None
            and not detail
            and layout.panels is None
            and layout.specimen is None
            and not layout.medications
            and not layout.corrections
            and len(self.patient) == 3  # no patient column, so no row's results are blanked
        )
        source_fields = [
            lean
            + (("number", "spelling") if (i in corrected or panels) and not detail else ())
            + (("lab_flag",) if writes_lab_flag(layout, i) and not detail else ())
            + ((SEGMENT,) if self.segmented else ())
            for i in range(len(self.sources))
        ]
        self.interpreters = [
            SourceInterpreter(
                source,
                self.patient,
                reference,
                fields,
                result_json(writes_lab_flag(layout, i)) if detail else None,
                (tuple(result_names(layout, i)), segments)
                if self.segmented and segments is not None
                else None,
                # The full result is its JSON text: of the fields it was made of, a row needs
                # only its columns' and the measured value's (for corrections and panels).
                tuple(
                    f
                    for f in fields
                    if f not in DETAIL_FIELDS
                    or f == "json"
                    or f in result_names(layout, i)
                    or (f in ("number", "spelling") and (i in corrected or panels))
                )
                if detail
                else None,
            )
            for i, (source, fields) in enumerate(zip(self.sources, source_fields, strict=True))
        ]
        self.correctors = [
            Corrector(reference, key, layout.wide[i].header, self.readers[j], self.fields)
            for key, i, j in layout.corrections
        ]
        self.patterns = (
            PatternFinder(
                reference,
                [c.analyte for c in layout.wide] + [key for key, _, _ in layout.corrections],
            )
            if layout.kind == "wide" and reference.patterns
            else None
        )
        self.specimens = (
            SpecimenKinds(layout.specimen, reference.specimen_words)
            if layout.specimen is not None
            else None
        )
        # Columns that say a result may be false (haemolysis, platelet and white counts).
        self.signs = SpecimenSigns(layout.header, reference)

    def interpret(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add the result columns to a batch whose columns are ``c0``, ``c1`` ... (text).

        The added columns are named ``r0``, ``r1`` ... in the order of :func:`added_names`,
        each source's own error ``e0``, ``e1`` ... (joined in the ``errors`` column), and what
        became of each source's value, ``f0``, ``f1`` ... (for the summary). A row of another
        specimen, or an unknown one, gets no results and no errors of its cells; an unknown
        specimen's row gets the specimen's error. With ``detail``, every source's full result
        is added too, as JSON text in ``d0``, ``d1`` ..., for the JSON Lines writer; with
        ``segments``, where the layout allows, each source's CSV fields as one text ``s0``,
        ``s1`` ... (see :func:`~electrocheck.batch.distinct.segments`), for the CSV writer.
        """
        added: list[pl.Series] = []
        details: list[pl.Series] = []
        errors: list[pl.Series] = []
        if self.specimens is not None:
            frame = self.specimens.add(frame)
        frame = self._with_patient(frame)
        frame, covariate_errors = with_covariates(frame, self.layout.covariates, self.readers)
        results = []
        for i in range(len(self.sources)):
            result = self.interpreters[i].results(frame)
            results.append(result)
            added += [result[key].alias(name) for key, name in self._names(i).items()]
            errors.append(result["error"].alias(f"e{i}"))
            if self.segmented:
                details.append(result[SEGMENT].alias(f"s{i}"))
            if self.detail:
                details.append(result["json"].alias(f"d{i}"))
        flags = [result["flag_code"] for result in results]
        fates = [result["fate"].alias(f"f{i}") for i, result in enumerate(results)]
        corrected_errors = []
        for k, (key, i, j) in enumerate(self.layout.corrections):
            result = self._corrected(k, frame, results[i], j)
            flags.append(result["flag_code"])
            added += [result[f].alias(f"{key}_{name}") for f, name in WIDE_NAMES.items()]
            corrected_errors.append(result["error"].alias(f"ed{k}"))
            if self.detail:
                details.append(result["json"].alias(f"dd{k}"))
        if SPECIMEN_KIND in frame.columns:
            # Another specimen's values, or an unknown specimen's, are never read against
            # serum limits: no results, and no errors of their cells.
            elsewhere = frame[SPECIMEN_KIND] != BLOOD_KIND
            if elsewhere.any():
                added = [_blank(series, elsewhere) for series in added]
                flags = [_blank(series, elsewhere) for series in flags]
                details = [_blank(series, elsewhere) for series in details]
                errors = [_blank(series, elsewhere) for series in errors]
                covariate_errors = [_blank(series, elsewhere) for series in covariate_errors]
                corrected_errors = [_blank(series, elsewhere) for series in corrected_errors]
        if PATIENT_ERROR in frame.columns:
            errors.append(frame[PATIENT_ERROR].alias("ep"))
            # A row whose age, sex or symptoms cannot be read gets no results, as in check:
            # its limits and grades are not known.
            unknown = frame[PATIENT_ERROR].is_not_null()
            if unknown.any():
                added = [_blank(series, unknown) for series in added]
                flags = [_blank(series, unknown) for series in flags]
                details = [_blank(series, unknown) for series in details]
        errors += covariate_errors + corrected_errors
        fates = self._fates(frame, fates)
        if self.layout.specimen is not None:
            errors.append(self._specimen_errors(frame, fates))
        by_name = {series.name: series for series in added}
        if self.layout.kind == "wide":
            by_name["patterns"] = (
                self.patterns.patterns(flags)
                if self.patterns is not None
                else constant("patterns", None, frame.height, pl.String)
            )
            if self.signs.active:
                analytes = [c.analyte for c in self.layout.wide]
                by_name["patterns"] = self.signs.wide(
                    frame, by_name["patterns"], analytes, flags[: len(analytes)]
                )
        if self.layout.panels is not None:
            # Filled by the panels (batch.panels.Panels.after), from the measured values.
            empty = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
            by_name.update((name, empty.alias(name)) for name in (*PANEL_NAMES, *CHANGE_NAMES))
            details += [
                results[0]["number"].alias(MEASURED_NUMBER),
                results[0]["spelling"].alias(MEASURED_UNIT),
            ]
        # Filled by batch.medications from the results, once they are known.
        medicines = medication_names(self.layout)
        if medicines:
            nothing = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
            by_name.update((name, nothing.alias(name)) for name in medicines)
        # A row's own problem (more fields than the header, from the csv reader) comes first.
        row_errors = [frame[ROW_ERROR]] if ROW_ERROR in frame.columns else []
        by_name["errors"] = _joined_errors(row_errors + errors)
        wanted = added_names(self.layout)
        columns = [by_name[name].alias(f"r{i}") for i, name in enumerate(wanted)]
        return frame.with_columns(columns + errors + fates + details)

    def _fates(self, frame: pl.DataFrame, fates: list[pl.Series]) -> list[pl.Series]:
        """What became of each source's value, row by row (codes of
        :data:`~electrocheck.batch.columns.FATES`): the value's own fate (its test's, in a long
        file), unless the row is another specimen's, or one whose patient or fields could not
        be read."""
        overrides = [
            name for name in (SPECIMEN_KIND, PATIENT_ERROR, ROW_ERROR) if name in frame.columns
        ]
        if not overrides:
            return fates
        col = pl.col
        exprs = []
        for series in fates:
            fate = col(series.name)
            if SPECIMEN_KIND in overrides:
                kind = col(SPECIMEN_KIND)
                valued = fate.is_in([INTERPRETED, DISAGREES, UNREADABLE, LOOKALIKE])
                fate = (
                    # A covariate of another fluid (urine albumin) corrects nothing either.
                    pl.when((valued | (fate == COVARIATE)) & (kind == OTHER_KIND))
                    .then(pl.lit(OTHER_SPECIMEN, pl.Int8))
                    .when(valued & (kind == UNKNOWN_KIND))
                    .then(pl.lit(UNKNOWN_SPECIMEN, pl.Int8))
                    .otherwise(fate)
                )
            if PATIENT_ERROR in overrides:
                fate = (
                    pl.when(col(PATIENT_ERROR).is_not_null() & fate.is_in([INTERPRETED, DISAGREES]))
                    .then(pl.lit(UNREADABLE, pl.Int8))
                    .otherwise(fate)
                )
            if ROW_ERROR in overrides:
                fate = (
                    pl.when(col(ROW_ERROR).is_not_null())
                    .then(pl.lit(STRUCTURAL, pl.Int8))
                    .otherwise(fate)
                )
            exprs.append(fate.alias(series.name))
        inputs = pl.DataFrame([*fates, *(frame[name] for name in overrides)])
        return inputs.select(exprs).get_columns()

    def _specimen_errors(self, frame: pl.DataFrame, fates: list[pl.Series]) -> pl.Series:
        """The error of each row whose specimen is not one electrocheck knows, where the row
        holds a value of an electrolyte."""
        index = self.layout.specimen
        assert index is not None
        unknown = pl.any_horizontal([pl.col(f.name) == UNKNOWN_SPECIMEN for f in fates])
        shown = pl.col(f"c{index}").str.replace_all(r"[\r\n]+", " ").str.strip_chars()
        message = pl.concat_str(
            pl.lit(f"{plain(self.layout.header[index])}: specimen '"),
            shown,
            pl.lit(
                "' is not one electrocheck knows (serum, plasma, whole blood; urine and other "
                "fluids): not interpreted"
            ),
        )
        return (
            pl.DataFrame([*fates, frame[f"c{index}"]])
            .select(pl.when(unknown).then(message).alias(SPECIMEN_ERROR))
            .to_series()
        )

    def with_patient(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with the patient columns, where the file has any."""
        return self._with_patient(frame)

    def patient_column(self, frame: pl.DataFrame, name: str, dtype: Any) -> pl.Series:
        """A patient column of ``frame``, or the value the file's rows all have."""
        return self._patient_column(frame, name, dtype)

    def _with_patient(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with the patient columns, where the file has any."""
        if len(self.patient) == 3:  # no patient column: every row as the fixed values
            return frame
        return with_patient(frame, self.layout, self.reference, self.symptomatic)

    def _corrected(
        self, k: int, frame: pl.DataFrame, measured: pl.DataFrame, j: int
    ) -> pl.DataFrame:
        """The corrected result of each row (correction k), from its measured result."""
        column = self.layout.covariates[j]
        analyte = self.sources[self.layout.corrections[k][1]]
        key = str(analyte.analyte)
        segment, sex = canonical_columns(self.reference, key, pl.col(AGE), pl.col(SEX))
        patient = pl.DataFrame(
            [
                self._patient_column(frame, AGE, pl.Int32),
                self._patient_column(frame, SEX, pl.String),
            ]
        ).select(segment, sex)
        symptoms = self._patient_column(frame, SYMPTOMATIC, pl.Boolean)
        if not symptoms_matter(self.reference, key):
            symptoms = constant(SYMPTOMATIC, False, frame.height, pl.Boolean)
        rows = pl.DataFrame(
            [
                measured["number"].alias("in_number"),
                measured["spelling"].alias("in_spelling"),
                measured["flag"].alias("in_flag"),
                measured["censored"].alias("in_censored"),
                frame.with_columns(analyte.text.alias("text"))["text"],
                frame[f"c{column.index}"].alias("cov_text"),
                frame.with_columns(covariate_unit(column).alias("cov_unit"))["cov_unit"],
                patient[AGE],
                patient[SEX],
                symptoms,
            ]
        )
        return self.correctors[k].results(rows)

    def _patient_column(self, frame: pl.DataFrame, name: str, dtype: Any) -> pl.Series:
        if name in self.patient:
            return constant(name, self.patient[name], frame.height, dtype)
        return frame[name]

    def _names(self, i: int) -> dict[str, str]:
        """The result fields source ``i`` writes, and the column names it writes them under."""
        return result_names(self.layout, i)


def _blank(series: pl.Series, rows: pl.Series) -> pl.Series:
    """``series`` with ``rows`` set to null."""
    return pl.select(pl.when(rows).then(None).otherwise(series).alias(series.name)).to_series()


def _joined_errors(errors: list[pl.Series]) -> pl.Series:
    """One text per row: every cell's error, joined; none when no cell failed."""
    frame = pl.DataFrame(errors)
    # Few rows have errors: join the texts of those rows only.
    failed = frame.select(pl.any_horizontal(pl.all().is_not_null()))
    rows = failed.to_series().arg_true()
    none = constant("errors", None, frame.height, pl.String)
    if rows.is_empty():
        return none
    joined = frame[rows].select(_joined_errors_expr([pl.col(e.name) for e in errors]))
    return none.scatter(rows, joined["errors"])


def _joined_errors_expr(errors: list[pl.Expr]) -> pl.Expr:
    """The ``errors`` column. A text that starts like a spreadsheet formula gets a leading
    apostrophe so that a spreadsheet shows it as text."""
    joined = pl.concat_str(errors, separator="; ", ignore_nulls=True)
    return (
        pl.when(joined == "")
        .then(None)
        .when(joined.str.contains(r"^[=+\-@\t\r]"))
        .then(pl.concat_str(pl.lit("'"), joined))
        .otherwise(joined)
        .alias("errors")
    )


__all__ = ["BatchInterpreter", "interpret_batch"]
