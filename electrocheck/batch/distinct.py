"""Interpreting one source's rows, each distinct combination of its inputs once.

Lab columns repeat themselves: a potassium column holds a few hundred distinct texts in a
million rows. A :class:`SourceInterpreter` interprets each distinct combination of a source's
inputs (text, unit, ...; see :func:`~electrocheck.batch.sources.source_inputs`) the first
time it is seen, remembers the result and joins it to every row that holds it.
:func:`interpret_distinct` is the interpretation itself, stage by stage: the cells taken
apart, the analyte's constants and the unit's factor and limits joined, then the value
flagged, graded and given its result fields.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import polars as pl

from electrocheck.batch.cells import cell_parts, number_and_unit
from electrocheck.batch.flags import flag_stages, refuse_ambiguous
from electrocheck.batch.grades import with_grades
from electrocheck.batch.patient import AGE, SEX
from electrocheck.batch.results import outputs
from electrocheck.batch.sources import INPUT_NAMES, INPUT_TYPES, Source, plain, source_inputs
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
    ) -> None:
        self.source = source
        self.patient = patient  # the patient columns the file lacks, with their fixed value
        self.reference = reference
        self.fields = fields  # the result fields to give for each row
        self.known: pl.DataFrame | None = None

    def results(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The result ``fields`` of each row of ``frame``."""
        fields = self.fields
        inputs, _ = source_inputs(self.source, self.patient, self.reference)
        keys = list(inputs)
        rows = frame.select(**inputs)
        known = self.known
        if known is not None:
            joined = rows.join(known, on=keys, how="left", nulls_equal=True, maintain_order="left")
            missing = joined["seen"].is_null()
            if not missing.any():  # the usual case once a file is under way
                return joined.select(fields)
            if known.height > self.MEMORY_ROWS:
                known = None  # forget, so that all-different values cannot grow it forever
        new = (rows if known is None else rows.filter(missing)).unique()
        found = self._interpret_distinct(new)
        known = found if known is None else pl.concat([known, found])
        self.known = known
        joined = rows.join(known, on=keys, how="left", nulls_equal=True, maintain_order="left")
        return joined.select(fields)

    def _interpret_distinct(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Results of distinct input rows, with the column name before each error."""
        varying, fixed = source_inputs(self.source, self.patient, self.reference)
        keys = list(varying)
        rows = rows.with_columns(pl.lit(v, INPUT_TYPES[k]).alias(k) for k, v in fixed.items())
        error = pl.col("error")
        prefix = pl.lit(f"{plain(self.source.name)}: ")
        found = (
            interpret_distinct(rows, self.reference)
            .select(*keys, *self.fields)
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


def interpret_distinct(rows: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """The inputs (:data:`~electrocheck.batch.sources.INPUT_NAMES`) and result fields of
    distinct input rows."""
    rows = rows.with_columns(analyte=pl.col("key_analyte"))
    for name in ("numeric", "row_low", "row_high"):
        if name not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(name))
    step = rows.with_columns(**cell_parts()).join(
        constants_table(reference), on="analyte", how="left", maintain_order="left"
    )
    step = step.with_columns(**number_and_unit()).with_columns(
        key=pair_key(pl.col("analyte"), pl.col("spelling"))
    )
    pairs = (
        step.filter(pl.col("number").is_not_null() & pl.col("analyte").is_not_null())
        .select("analyte", "spelling", AGE, SEX)
        .unique()
    )
    step = step.join(
        resolve_pairs(reference, pairs.iter_rows()), on="key", how="left", maintain_order="left"
    )
    step = with_grades(refuse_ambiguous(flag_stages(step), reference), reference)
    return step.select(*INPUT_NAMES, *outputs())


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


__all__ = ["SourceInterpreter", "constants_table", "interpret_distinct"]
