"""Columnar interpretation of lab results with polars.

:func:`interpret_batch` takes one batch of rows (every column text, as read from a CSV) and
adds the result columns. The rules are those of :func:`electrocheck.interpret.interpret`,
written as polars expressions: the same parsing of a number and its unit, the same unit
resolution (each distinct spelling resolved once, then applied as a factor), the same limits
with the same tolerance. ``tests/test_batch_same_answer.py`` holds the two paths equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from electrocheck.batch.derived import FLAG_CODES, Corrector, PatternFinder
from electrocheck.batch.layout import AnalyteColumn, CovariateColumn, Layout, PatientColumns
from electrocheck.batch.patient import (
    AGE,
    PATIENT_ERROR,
    SEX,
    SYMPTOMATIC,
    CovariateReader,
    canonical_columns,
    patient_of,
    symptoms_matter,
    with_patient,
)
from electrocheck.clinical.compare import LIMIT_TOLERANCE
from electrocheck.clinical.interpret import (
    Measured,
    ambiguity,
    assumed_unit_note,
    critical_note,
    evaluate,
    graded,
    population_of,
    report_round,
)
from electrocheck.errors import UnitError, quote
from electrocheck.reference import Analyte, Reference
from electrocheck.units.resolve import resolve_unit
from electrocheck.units.tokens import NUMBER_PATTERN

# A cell: an optional censoring sign, a plain decimal number (as in ``check``), a unit.
CELL_PATTERN = (
    r"(?is)^\s*(?P<censor><=|>=|<|>|less\s+than|greater\s+than)?\s*"
    rf"(?P<number>{NUMBER_PATTERN})\s*(?P<unit>.*?)\s*$"
)
RANGE_PATTERN = rf"^\s*(?P<low>{NUMBER_PATTERN})\s*(?:-|–|to)\s*(?P<high>{NUMBER_PATTERN})\s*$"
#: A decimal comma (4,1), refused as in ``check``.
_DECIMAL_COMMA = r"^\s*\+?[0-9]+,[0-9]"
_SEP = "\x1f"  # joins analyte and unit into one lookup key; cannot occur in either
#: The column in which a reader hands over a row's structural problem (too many fields).
ROW_ERROR = "x_row_error"


@dataclass(frozen=True)
class Source:
    """Where one result per row comes from: a wide analyte column, or the long value column."""

    name: str  # the column name used in error messages
    prefix: str  # of the added columns: "potassium_" (wide) or "" (long)
    text: pl.Expr  # the cell text
    numeric: pl.Expr | None  # a numeric twin, used when the text holds no number
    unit: pl.Expr | str | None  # from a unit column (an expression) or the header (text)
    analyte: pl.Expr | str  # the analyte key: per row (long layout) or one for all (wide)
    low: pl.Expr | None = None  # the lab's own limits in the row's unit (long layout)
    high: pl.Expr | None = None
    # Whether the covariate of the analyte's graded correction is in the row (albumin for
    # calcium): then the measured value is not graded, as in check.
    covariate: pl.Expr | None = None


def internal_names(count: int) -> list[str]:
    """Column names used inside the engine, whatever the header says (it may repeat names)."""
    return [f"c{i}" for i in range(count)]


def output_names(layout: Layout) -> list[str]:
    """Names of the columns the engine adds, in order."""
    if layout.kind == "long":
        return [
            "analyte",
            "value_mmol_l",
            "flag",
            "grade",
            "spasm_risk",
            "censored",
            "limits",
            "errors",
        ]
    names: list[str] = []
    for prefix in [*wide_prefixes(layout.wide), *derived_prefixes(layout)]:
        names += [
            f"{prefix}mmol_l",
            f"{prefix}flag",
            f"{prefix}grade",
            f"{prefix}spasm_risk",
            f"{prefix}censored",
        ]
    return [*names, "patterns", "errors"]


def derived_prefixes(layout: Layout) -> list[str]:
    """``corrected_calcium_``, for each correction the wide layout has both inputs of."""
    return [f"{key}_" for key, _, _ in layout.corrections]


def error_columns(layout: Layout) -> list[str]:
    """The columns of a processed batch that hold one kind of error each: every source's,
    the patient columns', every covariate's and every correction's."""
    count = len(layout.wide) if layout.kind == "wide" else 1
    return (
        [f"e{i}" for i in range(count)]
        + (["ep"] if layout.patient != PatientColumns() else [])
        + [f"ec{j}" for j in range(len(layout.covariates))]
        + [f"ed{k}" for k in range(len(layout.corrections))]
    )


def detail_columns(layout: Layout) -> list[str]:
    """The struct columns of a processed batch that hold full results, for JSON Lines."""
    count = len(layout.wide) if layout.kind == "wide" else 1
    return [f"d{i}" for i in range(count)] + [f"dd{k}" for k in range(len(layout.corrections))]


def wide_prefixes(columns: Iterable[AnalyteColumn]) -> list[str]:
    """``potassium_``, and ``potassium_2_`` for a second potassium column."""
    seen: dict[str, int] = {}
    prefixes = []
    for column in columns:
        seen[column.analyte] = seen.get(column.analyte, 0) + 1
        count = seen[column.analyte]
        prefixes.append(f"{column.analyte}_" if count == 1 else f"{column.analyte}_{count}_")
    return prefixes


def sources(layout: Layout, reference: Reference) -> list[Source]:
    """The result sources of a layout, as expressions over the internal column names."""
    if layout.kind == "wide":
        found = []
        presence = _covariate_presence(layout, reference)
        for i, (column, prefix) in enumerate(
            zip(layout.wide, wide_prefixes(layout.wide), strict=True)
        ):
            header_unit = None if column.header_unit is None else column.header_unit.spelling
            unit: pl.Expr | str | None = header_unit
            if column.unit_column is not None:
                unit = _blank_to_null(pl.col(f"c{column.unit_column}"))
                if header_unit is not None:
                    unit = unit.fill_null(pl.lit(header_unit))
            found.append(
                Source(
                    column.header,
                    prefix,
                    pl.col(f"c{column.index}"),
                    None,
                    unit,
                    column.analyte,
                    covariate=presence.get(i),
                )
            )
        return found
    long = layout.long
    assert long is not None
    analyte = pl.coalesce(
        [
            _normalized(pl.col(f"c{i}")).replace_strict(dict(reference.names), default=None)
            for i in long.tests
        ]
    )
    value = pl.col(f"c{long.value}") if long.value is not None else pl.col(f"c{long.numeric}")
    numeric = (
        pl.col(f"c{long.numeric}") if long.value is not None and long.numeric is not None else None
    )
    unit = _blank_to_null(pl.col(f"c{long.unit}")) if long.unit is not None else None
    low = high = None
    if long.low is not None and long.high is not None:
        low, high = pl.col(f"c{long.low}"), pl.col(f"c{long.high}")
    elif long.range is not None:
        parts = pl.col(f"c{long.range}").str.extract_groups(RANGE_PATTERN)
        low, high = parts.struct.field("low"), parts.struct.field("high")
    name = layout.header[long.value if long.value is not None else long.numeric]  # type: ignore[index]
    return [Source(name, "", value, numeric, unit, analyte, low, high)]


def _covariate_presence(layout: Layout, reference: Reference) -> dict[int, pl.Expr]:
    """For the wide column a graded correction corrects (the first calcium column), whether
    the row holds a usable covariate (column ``cv{j}``, added by the interpreter)."""
    return {
        i: pl.col(f"cv{j}").is_not_null()
        for key, i, j in layout.corrections
        if reference.corrections[key].graded
    }


def _blank(series: pl.Series, rows: pl.Series) -> pl.Series:
    """``series`` with ``rows`` set to null."""
    return pl.select(pl.when(rows).then(None).otherwise(series).alias(series.name)).to_series()


def _covariate_unit(column: CovariateColumn) -> pl.Expr:
    """A covariate's unit from its unit column, else its header; null when neither."""
    header = None if column.header_unit is None else column.header_unit.spelling
    if column.unit_column is None:
        return pl.lit(header, pl.String)
    return _blank_to_null(pl.col(f"c{column.unit_column}")).fill_null(pl.lit(header, pl.String))


def _normalized(text: pl.Expr) -> pl.Expr:
    """A test name as the reference file's name index holds it: squeezed and case-folded."""
    return text.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


def _blank_to_null(text: pl.Expr) -> pl.Expr:
    stripped = text.str.strip_chars()
    return pl.when(stripped == "").then(None).otherwise(stripped)


def _number(text: pl.Expr) -> pl.Expr:
    """A plain decimal number (as in a value: no exponent, sign, NaN or infinity), or null."""
    return text.str.extract(rf"^\s*({NUMBER_PATTERN})\s*$", 1).cast(pl.Float64, strict=False)


# --------------------------------------------------------------------------- constants


@lru_cache(maxsize=8)
def constants_table(reference: Reference) -> pl.DataFrame:
    """One row per analyte of the reference file, joined to every row by analyte key."""
    rows = []
    for key, a in reference.analytes.items():
        rows.append(
            {
                "analyte": key,
                "plaus_low": a.plausible.low_mmol,
                "plaus_high": a.plausible.high_mmol,
                "default_unit": a.default_unit,
                "risk_low": a.low.spasm_risk,
                "risk_high": a.high.spasm_risk,
                "role": a.muscle_role,
                "effect_low": a.low.effect,
                "effect_high": a.high.effect,
                "causes_low": list(a.low.causes),
                "causes_high": list(a.high.causes),
                "caveats": list(a.caveats),
                "label": a.label,
            }
        )
    return pl.DataFrame(rows)


# --------------------------------------------------------------------------- units


_PAIR_SCHEMA = {
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


def _pair_key(analyte: pl.Expr, spelling: pl.Expr) -> pl.Expr:
    """The lookup key of a value's limits: analyte, unit, age segment and sex."""
    return pl.concat_str(
        analyte,
        pl.lit(_SEP),
        spelling,
        pl.lit(_SEP),
        pl.col(AGE).cast(pl.String).fill_null(""),
        pl.lit(_SEP),
        pl.col(SEX).fill_null(""),
    )


def _resolve_pairs(
    reference: Reference, pairs: Iterable[tuple[str, str, int | None, str | None]]
) -> pl.DataFrame:
    """Resolve each distinct (analyte, unit spelling, age segment, sex) once: the factor to
    mmol/L and the limits that apply (as :func:`electrocheck.interpret.interpret` picks
    them), or the reason the unit cannot be used."""
    rows = []
    for analyte_key, spelling, segment, sex in pairs:
        row: dict[str, Any] = dict.fromkeys(_PAIR_SCHEMA)
        row["key"] = _SEP.join(
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
    return pl.DataFrame(rows, schema=_PAIR_SCHEMA, orient="row")


# --------------------------------------------------------------------------- one batch


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
    interpreted once, the first time it is seen, and joined to every row that holds it.
    """

    #: Distinct combinations remembered per source before the memory is cleared, so that a
    #: file of all-different values cannot make it grow without bound.
    MEMORY_ROWS = 200_000

    def __init__(
        self,
        layout: Layout,
        reference: Reference,
        *,
        detail: bool = False,
        symptomatic: bool = False,
    ) -> None:
        self.layout = layout
        self.reference = reference
        self.detail = detail
        self.symptomatic = symptomatic
        self.sources = sources(layout, reference)
        self.fields = _CSV_FIELDS + (_DETAIL_FIELDS if detail else ())
        self.known: list[pl.DataFrame | None] = [None] * len(self.sources)
        # The patient columns the file lacks, and the value each has for every row.
        self.patient: dict[str, Any] = {}
        for name, column, value in (
            (AGE, layout.patient.age, None),
            (SEX, layout.patient.sex, None),
            (SYMPTOMATIC, layout.patient.symptomatic, symptomatic),
        ):
            if column is None:
                self.patient[name] = value
        self.readers = [
            CovariateReader(reference, c.covariate, _plain(c.header), {}) for c in layout.covariates
        ]
        corrected = {i for _, i, _ in layout.corrections}
        # A wide CSV needs neither the analyte (one per column) nor the limits' origin (the
        # reference file's, always): fewer columns to join to every row.
        lean = tuple(
            f
            for f in self.fields
            if detail or layout.kind == "long" or f not in ("analyte", "limits")
        )
        self.source_fields = [
            lean + (("number", "spelling") if i in corrected and not detail else ())
            for i in range(len(self.sources))
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

    def interpret(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Add the result columns to a batch whose columns are ``c0``, ``c1`` ... (text).

        The added columns are named ``r0``, ``r1`` ... in the order of :func:`output_names`,
        and each source's own error ``e0``, ``e1`` ... (joined in the ``errors`` column).
        With ``detail``, every source's full result is added too, as a struct column ``d0``,
        ``d1`` ..., for the JSON Lines writer.
        """
        added: list[pl.Series] = []
        details: list[pl.Series] = []
        errors: list[pl.Series] = []
        frame = self._with_patient(frame)
        frame, covariate_errors = self._with_covariates(frame)
        results = []
        for i, source in enumerate(self.sources):
            result = self._source(i, frame)
            results.append(result)
            names = self._names(source)
            added += [result[key].alias(name) for key, name in names.items()]
            errors.append(result["error"].alias(f"e{i}"))
            if self.detail:
                details.append(result.select(self.fields).to_struct(f"d{i}"))
        if PATIENT_ERROR in frame.columns:
            errors.append(frame[PATIENT_ERROR].alias("ep"))
        errors += covariate_errors
        flags = [result["flag_code"] for result in results]
        for k, (key, i, j) in enumerate(self.layout.corrections):
            result = self._corrected(k, frame, results[i], j)
            flags.append(result["flag_code"])
            added += [result[f].alias(f"{key}_{name}") for f, name in _WIDE_NAMES.items()]
            errors.append(result["error"].alias(f"ed{k}"))
            if self.detail:
                details.append(result.to_struct(f"dd{k}"))
        if PATIENT_ERROR in frame.columns:
            # A row whose age, sex or symptoms cannot be read gets no results, as in check:
            # its limits and grades are not known.
            unknown = frame[PATIENT_ERROR].is_not_null()
            if unknown.any():
                added = [_blank(series, unknown) for series in added]
                flags = [_blank(series, unknown) for series in flags]
                details = [_blank(series, unknown) for series in details]
        by_name = {series.name: series for series in added}
        if self.layout.kind == "wide":
            by_name["patterns"] = (
                self.patterns.patterns(flags)
                if self.patterns is not None
                else pl.Series("patterns", [None] * frame.height, dtype=pl.String)
            )
        # A row's own problem (more fields than the header, from the csv reader) comes first.
        row_errors = [frame[ROW_ERROR]] if ROW_ERROR in frame.columns else []
        by_name["errors"] = _joined_errors(row_errors + errors)
        wanted = output_names(self.layout)
        columns = [by_name[name].alias(f"r{i}") for i, name in enumerate(wanted)]
        return frame.with_columns(columns + errors + details)

    def _with_patient(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with the patient columns, where the file has any."""
        if len(self.patient) == 3:  # no patient column: every row as the fixed values
            return frame
        return with_patient(frame, self.layout, self.reference, self.symptomatic)

    def _with_covariates(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.Series]]:
        """``cv{j}`` (true where covariate column j holds a usable value) and its errors."""
        added, errors = [], []
        for j, (column, reader) in enumerate(
            zip(self.layout.covariates, self.readers, strict=True)
        ):
            text = frame[f"c{column.index}"]
            unit = frame.with_columns(_covariate_unit(column).alias("u"))["u"]
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
            symptoms = pl.Series(SYMPTOMATIC, [False] * frame.height, dtype=pl.Boolean)
        rows = pl.DataFrame(
            [
                measured["number"].alias("in_number"),
                measured["spelling"].alias("in_spelling"),
                measured["flag"].alias("in_flag"),
                measured["censored"].alias("in_censored"),
                frame.with_columns(analyte.text.alias("text"))["text"],
                frame[f"c{column.index}"].alias("cov_text"),
                frame.with_columns(_covariate_unit(column).alias("cov_unit"))["cov_unit"],
                patient[AGE],
                patient[SEX],
                symptoms,
            ]
        )
        return self.correctors[k].results(rows)

    def _patient_column(self, frame: pl.DataFrame, name: str, dtype: Any) -> pl.Series:
        if name in self.patient:
            return pl.Series(name, [self.patient[name]] * frame.height, dtype=dtype)
        return frame[name]

    def _names(self, source: Source) -> dict[str, str]:
        """The result fields a source writes, and the column names it writes them under."""
        if self.layout.kind == "long":
            return _LONG_NAMES
        return {key: f"{source.prefix}{name}" for key, name in _WIDE_NAMES.items()}

    def _source(self, index: int, frame: pl.DataFrame) -> pl.DataFrame:
        fields = self.source_fields[index]
        inputs, _ = _inputs(self.sources[index], self.patient, self.reference)
        keys = list(inputs)
        rows = frame.select(**inputs)
        known = self.known[index]
        if known is not None:
            joined = rows.join(known, on=keys, how="left", nulls_equal=True, maintain_order="left")
            missing = joined["seen"].is_null()
            if not missing.any():  # the usual case once a file is under way
                return joined.select(fields)
            if known.height > self.MEMORY_ROWS:
                known = None  # forget, so that all-different values cannot grow it forever
        new = (rows if known is None else rows.filter(missing)).unique()
        found = self._interpret_distinct(index, new)
        known = found if known is None else pl.concat([known, found])
        self.known[index] = known
        joined = rows.join(known, on=keys, how="left", nulls_equal=True, maintain_order="left")
        return joined.select(fields)

    def _interpret_distinct(self, index: int, rows: pl.DataFrame) -> pl.DataFrame:
        """Results of distinct input rows, with the column name before each error."""
        varying, fixed = _inputs(self.sources[index], self.patient, self.reference)
        keys = list(varying)
        rows = rows.with_columns(pl.lit(v, _INPUT_TYPES[k]).alias(k) for k, v in fixed.items())
        error = pl.col("error")
        prefix = pl.lit(f"{_plain(self.sources[index].name)}: ")
        found = (
            _interpret_distinct(rows, self.reference)
            .select(*keys, *self.source_fields[index])
            .with_columns(
                error=pl.when(error.is_not_null()).then(pl.concat_str(prefix, error)),
                seen=pl.lit(True),
            )
        )
        # Reported numbers are rounded by the function check uses (polars rounds ties away
        # from zero, Python's formatting to even: 2.0625 would differ). Few rows: cheap.
        numbers = [
            name
            for name in ("mmol_l", "low", "high", "crit_low", "crit_high")
            if name in found.columns
        ]
        return found.with_columns(
            pl.Series(
                name,
                [None if v is None else report_round(v) for v in found[name]],
                dtype=pl.Float64,
            )
            for name in numbers
        )


def _inputs(
    source: Source, patient: dict[str, Any], reference: Reference
) -> tuple[dict[str, pl.Expr], dict[str, Any]]:
    """The inputs a source's result depends on: those that vary from row to row (its distinct
    rows are interpreted once and joined back on them), and those fixed for the whole file.
    ``patient`` holds the patient columns the file does not have, with their fixed value.
    For one analyte, ages and sexes that get the same limits are one input, and symptoms
    are one only where they can change a grade."""
    varying: dict[str, pl.Expr] = {"text": source.text}
    fixed: dict[str, Any] = {}
    for name in (AGE, SEX, SYMPTOMATIC):
        if name in patient:
            fixed[name] = patient[name]
        else:
            varying[name] = pl.col(name)
    if isinstance(source.analyte, str):
        if AGE in varying or SEX in varying:
            segment, sex = canonical_columns(
                reference,
                source.analyte,
                varying.get(AGE, pl.lit(None, pl.Int32)),
                varying.get(SEX, pl.lit(None, pl.String)),
            )
            varying.update({AGE: segment, SEX: sex})
            fixed.pop(AGE, None)
            fixed.pop(SEX, None)
        if SYMPTOMATIC in varying and not symptoms_matter(reference, source.analyte):
            del varying[SYMPTOMATIC]
            fixed[SYMPTOMATIC] = False
    if source.covariate is not None:
        varying["covariate"] = source.covariate
    else:
        fixed["covariate"] = False
    for name, value in (("key_analyte", source.analyte), ("unit_column", source.unit)):
        if isinstance(value, pl.Expr):
            varying[name] = value
        else:
            fixed[name] = value
    for name, expr in (
        ("numeric", source.numeric),
        ("row_low", source.low),
        ("row_high", source.high),
    ):
        if expr is not None:
            varying[name] = expr
    return varying, fixed


# The result fields each layout writes, and the names it writes them under.
_LONG_NAMES = {
    "analyte": "analyte",
    "mmol_l": "value_mmol_l",
    "flag": "flag",
    "grade": "grade",
    "risk": "spasm_risk",
    "censored": "censored",
    "limits": "limits",
}
_WIDE_NAMES = {
    "mmol_l": "mmol_l",
    "flag": "flag",
    "grade": "grade",
    "risk": "spasm_risk",
    "censored": "censored",
}


def _joined_errors(errors: list[pl.Series]) -> pl.Series:
    """One text per row: every cell's error, joined; none when no cell failed."""
    frame = pl.DataFrame(errors)
    # Few rows have errors: join the texts of those rows only.
    failed = frame.select(pl.any_horizontal(pl.all().is_not_null()))
    rows = failed.to_series().arg_true()
    none = pl.Series("errors", [None] * frame.height, dtype=pl.String)
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


#: The fields of a source's result: those the CSV needs, then those only JSON Lines needs.
_CSV_FIELDS = (
    "analyte",
    "mmol_l",
    "flag",
    "grade",
    "risk",
    "censored",
    "limits",
    "error",
    "flag_code",  # the flag as a small number, for the patterns across columns
)
_DETAIL_FIELDS = (
    "low",
    "high",
    "spelling",
    "input",
    "assumed",
    "role",
    "effect",
    "causes",
    "caveats",
    "label",
    "number",
    "crit_low",
    "crit_high",
    "grade_basis",
    "population",
    "notes",
)
_INPUT_TYPES: dict[str, Any] = {
    "key_analyte": pl.String,
    "unit_column": pl.String,
    AGE: pl.Int32,
    SEX: pl.String,
    SYMPTOMATIC: pl.Boolean,
    "covariate": pl.Boolean,
}
#: The inputs a distinct row is known by (see :func:`_inputs`).
_INPUT_NAMES = (
    "key_analyte",
    "text",
    "unit_column",
    "numeric",
    "row_low",
    "row_high",
    AGE,
    SEX,
    SYMPTOMATIC,
    "covariate",
)


def _interpret_distinct(rows: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    rows = rows.with_columns(analyte=pl.col("key_analyte"))
    for name in ("numeric", "row_low", "row_high"):
        if name not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(name))
    cell = pl.col("text").str.extract_groups(CELL_PATTERN)
    step = rows.with_columns(
        censor=cell.struct.field("censor")
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .replace({"less than": "<", "greater than": ">"}),
        number_text=pl.when(pl.col("text").str.contains(_DECIMAL_COMMA))
        .then(None)
        .otherwise(cell.struct.field("number")),
        cell_unit=_blank_to_null(cell.struct.field("unit")),
        numeric_value=_number(pl.col("numeric")),
        low_value=_number(pl.col("row_low")),
        high_value=_number(pl.col("row_high")),
    ).join(constants_table(reference), on="analyte", how="left", maintain_order="left")
    # The text wins when it holds a number; a masked or wordy text falls back to its
    # numeric twin (value "___" beside valuenum 4.1).
    numeric = pl.col("numeric_value")
    use_numeric = (
        pl.col("number_text").is_null()
        & numeric.is_not_null()
        & (numeric >= 0)
        & numeric.is_finite()
    )
    step = step.with_columns(
        number=pl.when(use_numeric)
        .then(numeric)
        .otherwise(pl.col("number_text").cast(pl.Float64, strict=False)),
        censor=pl.when(use_numeric).then(None).otherwise(pl.col("censor")),
        spelling=pl.coalesce(
            pl.when(use_numeric).then(None).otherwise(pl.col("cell_unit")),
            pl.col("unit_column"),
            pl.col("default_unit"),
        ),
        assumed=pl.col("unit_column").is_null() & (use_numeric | pl.col("cell_unit").is_null()),
    ).with_columns(key=_pair_key(pl.col("analyte"), pl.col("spelling")))
    pairs = (
        step.filter(pl.col("number").is_not_null() & pl.col("analyte").is_not_null())
        .select("analyte", "spelling", AGE, SEX)
        .unique()
    )
    step = step.join(
        _resolve_pairs(reference, pairs.iter_rows()), on="key", how="left", maintain_order="left"
    )
    step = _grades(_refuse_ambiguous(_flag_stages(step), reference), reference)
    return step.select(*_INPUT_NAMES, *_outputs())


def _refuse_ambiguous(step: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Unitless values that are abnormal in the default unit but normal in another of the
    analyte's units get no result and an error, exactly as in ``check``."""
    suspects = step.with_row_index("row").filter(
        pl.col("assumed") & pl.col("flag").is_in(["L", "LL", "H", "HH"])
    )
    messages: dict[int, str] = {}
    for row, analyte, number, canonical, flag, segment, sex in suspects.select(
        "row", "analyte", "number", "canonical", "flag", AGE, SEX
    ).iter_rows():
        record = reference.analytes[analyte]
        patient = patient_of(reference, segment, sex, False)
        message = ambiguity(record, number, resolve_unit(canonical), flag, patient)
        if message is not None:
            messages[row] = message
    if not messages:
        return step.with_columns(ambiguous=pl.lit(None, pl.String))
    ambiguous = pl.Series(
        "ambiguous", [messages.get(i) for i in range(step.height)], dtype=pl.String
    )
    refused = ambiguous.is_not_null()
    return step.with_columns(
        ambiguous,
        mmol=pl.when(refused).then(None).otherwise(pl.col("mmol")),
        flag=pl.when(refused).then(None).otherwise(pl.col("flag")),
        side=pl.when(refused).then(None).otherwise(pl.col("side")),
    )


_CENSORED_NOTES = {
    "<": "censored result: the true value is below this bound, and counts as beyond a limit "
    "or cut-point equal to it",
    "<=": "censored result: the true value is at or below this bound; interpreted at it",
    ">": "censored result: the true value is above this bound, and counts as beyond a limit "
    "or cut-point equal to it",
    ">=": "censored result: the true value is at or above this bound; interpreted at it",
}
#: A strict bound (<2.5) is moved this far (relative) past itself before it is compared: past
#: the tolerance within which a value equals a limit, far below any reported digit.
_STRICT = 2 * LIMIT_TOLERANCE
LAB_LIMITS_NOTE = "flagged against the lab's own reference limits given in this row"


def _grades(step: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Grades and notes of the distinct rows that have a flag, by the core's own functions
    (few rows: each distinct input is interpreted once per file)."""
    grades: list[int | None] = []
    bases: list[str | None] = []
    notes: list[list[str] | None] = []
    columns = ("analyte", "number", "canonical", "assumed", "mmol", "flag", "lab", "censor")
    for row in step.select(*columns, AGE, SEX, SYMPTOMATIC, "covariate").iter_rows():
        analyte, number, canonical, assumed, mmol, flag, lab, censor, *who, covariate = row
        if flag is None:
            grades.append(None)
            bases.append(None)
            notes.append(None)
            continue
        record = reference.analytes[analyte]
        unit = resolve_unit(canonical)
        patient = patient_of(reference, *who)
        correction = reference.correction_of(analyte)
        # Graded in place of the corrected value only where there is one (never censored).
        corrects = correction is not None and covariate and censor is None
        given = frozenset({correction.covariate}) if corrects and correction else frozenset()
        if lab:  # the lab's own limits: flagged in the engine, graded by the core
            grade, basis, extra = graded(reference, record, flag, mmol, unit, patient, given)
            found = [assumed_unit_note(unit.spelling)] if assumed else []
            found.append(LAB_LIMITS_NOTE)
            if flag in ("LL", "HH"):
                found.append(critical_note(record.critical_for(unit, patient), flag))
            if flag != "N":
                found.extend(record.caveats)
            found.extend(extra)
        else:
            result = evaluate(
                reference, Measured(record, "", number, unit, assumed, mmol), patient, given
            )
            grade, basis, found = result.grade, result.grade_basis, list(result.notes)
        if censor in _CENSORED_NOTES:
            found.insert(int(bool(assumed)), _CENSORED_NOTES[censor])
        grades.append(grade)
        bases.append(basis)
        notes.append(found)
    return step.with_columns(
        pl.Series("grade", grades, dtype=pl.Int8),
        pl.Series("grade_basis", bases, dtype=pl.String),
        pl.Series("notes", notes, dtype=pl.List(pl.String)),
    )


def _below(x: pl.Expr, limit: pl.Expr) -> pl.Expr:
    return x < limit * (1 - LIMIT_TOLERANCE)  # as electrocheck.interpret.below


def _above(x: pl.Expr, limit: pl.Expr) -> pl.Expr:
    return x > limit * (1 + LIMIT_TOLERANCE)  # as electrocheck.interpret.above


def _flag_stages(step: pl.DataFrame) -> pl.DataFrame:
    col = pl.col
    nudge = (
        pl.when(col("censor") == "<")
        .then(pl.lit(1 - _STRICT))
        .when(col("censor") == ">")
        .then(pl.lit(1 + _STRICT))
        .otherwise(pl.lit(1.0))
    )
    step = step.with_columns(
        raw=col("number") * col("factor") * nudge,
        row_low_mmol=col("low_value") * col("factor"),
        row_high_mmol=col("high_value") * col("factor"),
    )
    step = step.with_columns(
        implausible=_below(col("raw"), col("plaus_low")) | _above(col("raw"), col("plaus_high")),
        lab=col("row_low_mmol").is_not_null()
        & col("row_high_mmol").is_not_null()
        & (col("row_low_mmol") < col("row_high_mmol")),
    )
    step = step.with_columns(
        mmol=pl.when(col("implausible")).then(None).otherwise(col("raw")),
        low=pl.when(col("lab")).then(col("row_low_mmol")).otherwise(col("ref_low")),
        high=pl.when(col("lab")).then(col("row_high_mmol")).otherwise(col("ref_high")),
    )
    step = step.with_columns(
        flag=pl.when(col("mmol").is_null())
        .then(None)
        .when(_below(col("mmol"), col("crit_low")))
        .then(pl.lit("LL"))
        .when(_above(col("mmol"), col("crit_high")))
        .then(pl.lit("HH"))
        .when(_below(col("mmol"), col("low")))
        .then(pl.lit("L"))
        .when(_above(col("mmol"), col("high")))
        .then(pl.lit("H"))
        .otherwise(pl.lit("N"))
    )
    return step.with_columns(
        side=pl.when(col("flag").is_in(["L", "LL"]))
        .then(pl.lit("low"))
        .when(col("flag").is_in(["H", "HH"]))
        .then(pl.lit("high"))
    )


def _outputs() -> list[pl.Expr]:
    col = pl.col
    found = col("mmol").is_not_null()
    return [
        pl.when(found).then(col("analyte")).alias("analyte"),
        col("mmol").alias("mmol_l"),  # rounded afterwards, as check rounds it
        col("flag"),
        col("flag")
        .replace_strict(FLAG_CODES, default=None, return_dtype=pl.Int8)
        .alias("flag_code"),
        col("grade"),
        pl.when(col("side") == "low")
        .then(col("risk_low"))
        .when(col("side") == "high")
        .then(col("risk_high"))
        .when(found)
        .then(pl.lit("none"))
        .alias("risk"),
        pl.when(found).then(col("censor")).alias("censored"),
        pl.when(found)
        .then(pl.when(col("lab")).then(pl.lit("lab")).otherwise(pl.lit("reference")))
        .alias("limits"),
        _error_message().alias("error"),
        col("low"),
        col("high"),
        col("canonical").alias("spelling"),
        _blank_to_null(col("text")).alias("input"),
        col("assumed"),
        col("role"),
        pl.when(col("side") == "low")
        .then(col("effect_low"))
        .when(col("side") == "high")
        .then(col("effect_high"))
        .alias("effect"),
        pl.when(col("side") == "low")
        .then(col("causes_low"))
        .when(col("side") == "high")
        .then(col("causes_high"))
        .alias("causes"),
        pl.when(col("side").is_not_null()).then(col("caveats")).alias("caveats"),
        col("label"),
        col("number"),
        col("crit_low"),
        col("crit_high"),
        col("grade_basis"),
        pl.when(found).then(col("population")).alias("population"),
        col("notes"),
    ]


def _error_message() -> pl.Expr:
    """Why a non-empty cell of a known analyte gave no result."""
    text = _blank_to_null(pl.col("text"))
    shown = pl.concat_str(pl.lit("'"), _shorten(text.str.replace_all(r"[\r\n]+", " ")), pl.lit("'"))
    failed = pl.col("number").is_null()
    return (
        pl.when(pl.col("analyte").is_null() | (text.is_null() & failed))
        .then(None)
        .when(failed & text.str.starts_with("-"))
        .then(pl.concat_str(shown, pl.lit(" is negative, and a concentration cannot be")))
        .when(failed & text.str.to_lowercase().str.contains(r"^\+?(nan|inf)"))
        .then(pl.concat_str(shown, pl.lit(" is not a finite number")))
        .when(failed & text.str.contains(_DECIMAL_COMMA))
        .then(pl.concat_str(shown, pl.lit(": use a decimal point, not a comma")))
        .when(failed)
        .then(pl.concat_str(shown, pl.lit(" is not a number")))
        .when(pl.col("unit_error").is_not_null())
        .then(pl.col("unit_error"))
        .when(pl.col("ambiguous").is_not_null())
        .then(pl.col("ambiguous"))
        .when(pl.col("implausible"))
        .then(
            pl.concat_str(
                pl.col("number").cast(pl.String),
                pl.lit(" "),
                pl.col("canonical"),
                pl.lit(" is not a plausible "),
                pl.col("analyte"),
                pl.lit(" level"),
            )
        )
    )


def _shorten(text: pl.Expr, limit: int = 57) -> pl.Expr:
    return (
        pl.when(text.str.len_chars() > limit)
        .then(pl.concat_str(text.str.slice(0, limit), pl.lit("...")))
        .otherwise(text)
    )


def _plain(name: str) -> str:
    """A column name for an error message: one line, not too long."""
    text = " ".join(name.split())
    return text if len(text) <= 60 else quote(text)


__all__ = ["BatchInterpreter", "internal_names", "interpret_batch", "output_names", "sources"]
