"""Interpreting one source's rows, each distinct combination of its inputs once.

Lab columns repeat themselves: a potassium column holds a few hundred distinct texts in a
million rows. A :class:`SourceInterpreter` interprets each distinct combination of a source's
inputs (text, unit, ...; see :func:`~electrocheck.batch.sources.source_inputs`) the first
time it is seen, remembers the result and joins it to every row that holds it.
:func:`interpret_distinct` is the interpretation itself, stage by stage: the cells taken
apart, the analyte's constants and the unit's factor and limits joined, then the value
flagged, graded, compared with the lab's own flag and given its result fields.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import polars as pl

from electrocheck.batch.cells import blank_to_null, number_and_unit, with_cell_parts
from electrocheck.batch.columns import (
    COVARIATE,
    DISAGREES,
    INTERPRETED,
    LOOKALIKE,
    NO_VALUE,
    OTHER_SPECIMEN,
    OTHER_TEST,
    UNREADABLE,
)
from electrocheck.batch.flags import flag_stages, refuse_ambiguous
from electrocheck.batch.grades import with_grades
from electrocheck.batch.lab_flags import disagreement_note, disagrees
from electrocheck.batch.naming import (
    ANALYTE_NAME,
    COVARIATE_NAME,
    LOOKALIKE_NAME,
    OTHER_SPECIMEN_NAME,
    TestNames,
)
from electrocheck.batch.patient import AGE, SEX
from electrocheck.batch.results import outputs
from electrocheck.batch.sources import (
    INPUT_NAMES,
    INPUT_TYPES,
    Source,
    plain,
    source_inputs,
    test_key,
)
from electrocheck.batch.unit_pairs import pair_key, resolve_pairs
from electrocheck.clinical.result import report_round
from electrocheck.reference import Reference


class SourceInterpreter:
    """Interprets the rows of one source, remembering what it has interpreted."""

    #: Distinct combinations remembered per source before the memory is cleared, so that a
    #: file of all-different values cannot make it grow without bound.
    MEMORY_ROWS = 200_000

    def __init__(
        self,
        source: Source,
        patient: dict[str, Any],
        reference: Reference,
        fields: tuple[str, ...],
        json: pl.Expr | None = None,
        segment: tuple[tuple[str, ...], str] | None = None,
        returned: tuple[str, ...] | None = None,
    ) -> None:
        self.source = source
        self.patient = patient  # the patient columns the file lacks, with their fixed value
        self.reference = reference
        self.fields = fields  # the result fields made for each distinct input
        # Those given for each row (and remembered): where the whole result is wanted as JSON
        # text, the fields it was made of need not be joined to every row.
        self.returned = fields if returned is None else returned
        # The expression of the "json" field (the whole result as JSON text), where the
        # fields have one: made once per distinct input, like the others.
        self.json = json
        # The result fields a CSV row holds, and its delimiter, where the "segment" field
        # (those fields as the row's text) is asked for: made once per distinct input too.
        self.segment = segment
        self.known: pl.DataFrame | None = None
        # A long file's test columns name each row's analyte: read once per distinct text.
        self.tests = TestNames(reference) if source.tests else None

    def results(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The result fields of each row of ``frame`` (those :attr:`returned` names)."""
        inputs, _ = source_inputs(self.source, self.patient, self.reference)
        keys = list(inputs)
        rows = frame.select(**inputs)
        known = self.known
        if known is not None:
            joined = rows.join(known, on=keys, how="left", nulls_equal=True, maintain_order="left")
            if joined["seen"].null_count() == 0:  # the usual case once a file is under way
                return joined.select(self.returned)
            missing = joined["seen"].is_null()
            if known.height > self.MEMORY_ROWS:
                known = None  # forget, so that all-different values cannot grow it forever
        new = (rows if known is None else rows.filter(missing)).unique()
        found = self._interpret_distinct(new)
        known = found if known is None else pl.concat([known, found])
        self.known = known
        joined = rows.join(known, on=keys, how="left", nulls_equal=True, maintain_order="left")
        return joined.select(self.returned)

    def _interpret_distinct(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Results of distinct input rows, with the column name before each error."""
        varying, fixed = source_inputs(self.source, self.patient, self.reference)
        keys = list(varying)
        rows = rows.with_columns(pl.lit(v, INPUT_TYPES[k]).alias(k) for k, v in fixed.items())
        if self.tests is not None:
            tests = [test_key(i) for i in range(len(self.source.tests))]
            rows = self.tests.add(rows, tests)
        error = pl.col("error")
        prefix = pl.lit(f"{plain(self.source.name)}: ")
        fields = [f for f in self.fields if f not in ("json", SEGMENT)]
        found = (
            interpret_distinct(rows, self.reference)
            .select(*keys, *fields)
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
        found = found.with_columns(
            pl.Series(
                name,
                [None if v is None else report_round(v) for v in found[name]],
                dtype=pl.Float64,
            )
            for name in numbers
        )
        if "json" in self.fields:
            assert self.json is not None, "a json field needs its expression"
            found = found.with_columns(self.json.alias("json"))
        if SEGMENT in self.fields:
            assert self.segment is not None, "a segment field needs its fields and delimiter"
            found = found.with_columns(segments(found, *self.segment))
        return found.select(*keys, *self.returned, "seen")


#: The field of a source's result that holds its CSV fields as one text, the fields parted by
#: :data:`SEGMENT_MARK` (see :func:`segments`).
SEGMENT = "segment"
#: What parts the fields of a segment until the writer puts the delimiter in its place: the
#: unit separator, a control character that a lab export does not hold (the writer counts
#: them, and writes a batch column by column where an input cell held one).
SEGMENT_MARK = "\x1f"


def segments(found: pl.DataFrame, fields: tuple[str, ...], delimiter: str) -> pl.Series:
    """Each distinct row's ``fields`` as polars writes them in a CSV row, parted by
    :data:`SEGMENT_MARK`, so that the writer can write the row's results as one column and
    put the delimiter in place of the marks: the same bytes, and a quarter of the columns to
    write. Null for a row whose fields would be written otherwise as one text (one that polars
    quotes, or that holds the mark): the writer then writes its batch column by column."""
    selected = found.select(fields)
    plain = selected.write_csv(include_header=False, separator=delimiter).split("\n")[:-1]
    marked = selected.write_csv(include_header=False, separator=SEGMENT_MARK).split("\n")[:-1]
    if len(plain) != found.height or len(marked) != found.height:  # a field with a line end
        return pl.Series(SEGMENT, [None] * found.height, dtype=pl.String)
    special = (delimiter, '"', "\r")
    return pl.Series(
        SEGMENT,
        [
            text
            if text
            and text.replace(SEGMENT_MARK, delimiter) == written
            and not any(c in text for c in special)
            else None
            for written, text in zip(plain, marked, strict=True)
        ],
        dtype=pl.String,
    )


def interpret_distinct(rows: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """The inputs (:data:`~electrocheck.batch.sources.INPUT_NAMES`, and any other column of
    ``rows``) and result fields of distinct input rows. A ``test_class`` column (a code of
    :data:`~electrocheck.batch.naming.TEST_CLASSES`) says what a long row's test columns
    name; without it, every row is its analyte's."""
    missing = [
        pl.lit(None, pl.String).alias(name)
        for name in ("numeric", "row_low", "row_high", "row_range", "flag_column")
        if name not in rows.columns
    ]
    if "test_class" not in rows.columns:
        missing.append(pl.lit(ANALYTE_NAME, pl.Int8).alias("test_class"))
    # Inputs besides INPUT_NAMES (a long file's test columns) are kept for the join.
    added = [expr.meta.output_name() for expr in missing]
    inputs = [name for name in (*rows.columns, *added) if name not in INPUT_NAMES]
    rows = rows.with_columns(*missing, analyte=pl.col("key_analyte"))
    step = with_cell_parts(rows).join(
        constants_table(reference), on="analyte", how="left", maintain_order="left"
    )
    step = step.with_columns(**number_and_unit()).with_columns(
        key=pair_key(pl.col("analyte"), pl.col("spelling"))
    )
    used = step.filter(pl.col("number").is_not_null() & pl.col("analyte").is_not_null())
    pairs = used.select("analyte", "spelling", AGE, SEX)
    # A range that names its unit (8.6-10.2 mg/dL) is converted by that unit's factor.
    ranged = used.filter(pl.col("range_unit").is_not_null())
    if ranged.height:
        spelling = pl.col("range_unit").alias("spelling")
        pairs = pl.concat([pairs, ranged.select("analyte", spelling, AGE, SEX)])
    resolved = resolve_pairs(reference, pairs.unique().iter_rows())
    step = step.join(resolved, on="key", how="left", maintain_order="left")
    if ranged.height:
        step = step.with_columns(range_key=pair_key(pl.col("analyte"), pl.col("range_unit"))).join(
            resolved.select(range_key="key", range_factor="factor"),
            on="range_key",
            how="left",
            maintain_order="left",
        )
    else:
        step = step.with_columns(range_factor=pl.lit(None, pl.Float64))
    step = with_grades(refuse_ambiguous(flag_stages(step), reference), reference)
    return with_fates(step).select(*INPUT_NAMES, *inputs, *outputs())


def with_fates(step: pl.DataFrame) -> pl.DataFrame:
    """The lab's flag of each distinct row (of its analyte's value only), a note where it
    disagrees with electrocheck's, and what became of the value (a code of
    :data:`~electrocheck.batch.columns.FATES`): by its test columns (another test, an
    unrecognised electrolyte, another specimen named in the test), else by its value. The
    engine then tells apart the rows of another specimen by a specimen column, and those whose
    patient or fields could not be read."""
    col = pl.col
    found = col("mmol").is_not_null()
    no_value = blank_to_null(col("text")).is_null() & col("numeric_value").is_null()
    # The lab's flag of a value of the analyte's: none where there is no value to flag.
    lab_flag = pl.when(col("analyte").is_not_null() & ~no_value).then(col("lab_flag"))
    disagree = pl.lit(False)
    note = pl.lit(None, pl.String)
    if step["lab_flag"].null_count() < step.height:  # the lab flagged some of them
        disagree = found & disagrees(lab_flag, col("flag"))
        note = disagreement_note(lab_flag, col("flag"), col("lab"))
    test = col("test_class")

    def fate(code: int) -> pl.Expr:
        return pl.lit(code, pl.Int8)

    return step.with_columns(
        lab_flag=lab_flag,
        notes=pl.when(disagree).then(pl.concat_list(col("notes"), note)).otherwise(col("notes")),
        fate=pl.when(test == OTHER_SPECIMEN_NAME)
        .then(fate(OTHER_SPECIMEN))
        .when((test == LOOKALIKE_NAME) & ~no_value)
        .then(fate(LOOKALIKE))
        .when(test == COVARIATE_NAME)
        .then(fate(COVARIATE))
        .when(test != ANALYTE_NAME)
        .then(fate(OTHER_TEST))
        .when(no_value)
        .then(fate(NO_VALUE))
        .when(disagree)
        .then(fate(DISAGREES))
        .when(found)
        .then(fate(INTERPRETED))
        .otherwise(fate(UNREADABLE)),
    )


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


__all__ = [
    "SEGMENT",
    "SEGMENT_MARK",
    "SourceInterpreter",
    "constants_table",
    "interpret_distinct",
    "segments",
    "with_fates",
]
