"""Flagging the distinct rows of a batch: value in mmol/L, limits, flag.

The rules of :func:`electrocheck.clinical.interpret.interpret`, written as polars
expressions over the distinct rows once their unit is resolved: a censored bound is moved
just past itself, an implausible value gets no result, the lab's own limits (when the row
gives usable ones: both, or the one limit of a one-sided range such as ``<5.1``) replace the
reference interval, and the value is compared with the same tolerance as in ``check``. A
unitless value that is abnormal only in the assumed unit is then refused, as in ``check``.
"""

from __future__ import annotations

import polars as pl

from electrocheck.batch.patient import AGE, SEX, patient_of
from electrocheck.clinical.compare import LIMIT_TOLERANCE
from electrocheck.clinical.unit_doubt import ambiguity
from electrocheck.reference import Reference
from electrocheck.units.resolve import resolve_unit

#: A strict bound (<2.5) is moved this far (relative) past itself before it is compared: past
#: the tolerance within which a value equals a limit, far below any reported digit.
STRICT = 2 * LIMIT_TOLERANCE


def below(x: pl.Expr, limit: pl.Expr) -> pl.Expr:
    return x < limit * (1 - LIMIT_TOLERANCE)  # as electrocheck.clinical.compare.below


def above(x: pl.Expr, limit: pl.Expr) -> pl.Expr:
    return x > limit * (1 + LIMIT_TOLERANCE)  # as electrocheck.clinical.compare.above


def flag_stages(step: pl.DataFrame) -> pl.DataFrame:
    col = pl.col
    nudge = (
        pl.when(col("censor") == "<")
        .then(pl.lit(1 - STRICT))
        .when(col("censor") == ">")
        .then(pl.lit(1 + STRICT))
        .otherwise(pl.lit(1.0))
    )
    # The lab's limits are in the row's unit, or in the unit their range text names.
    limits_factor = (
        pl.when(col("range_unit").is_null()).then(col("factor")).otherwise(col("range_factor"))
    )
    step = step.with_columns(
        raw=col("number") * col("factor") * nudge,
        row_low_mmol=col("low_value") * limits_factor,
        row_high_mmol=col("high_value") * limits_factor,
    )
    has_low, has_high = col("row_low_mmol").is_not_null(), col("row_high_mmol").is_not_null()
    # Both limits, in order; or the one limit of a one-sided range (<5.1, >=135), the
    # reference file's on the other side, still in order.
    step = step.with_columns(
        lab_low=has_low & (has_high | col("one_sided")),
        lab_high=has_high & (has_low | col("one_sided")),
    )
    step = step.with_columns(
        implausible=below(col("raw"), col("plaus_low")) | above(col("raw"), col("plaus_high")),
        low=pl.when(col("lab_low")).then(col("row_low_mmol")).otherwise(col("ref_low")),
        high=pl.when(col("lab_high")).then(col("row_high_mmol")).otherwise(col("ref_high")),
    )
    given = (col("lab_low") | col("lab_high")).fill_null(False)
    # A lab's interval always overlaps the reference one: two that do not meet are limits in
    # another unit than the value's (a magnesium range in mg/dL beside a value in mmol/L),
    # and would flag a normal value. They are not used, and the row's notes say so.
    meets = (col("low") < col("ref_high")) & (col("high") > col("ref_low"))
    lab = (given & (col("low") < col("high")) & meets).fill_null(False)
    step = step.with_columns(
        mmol=pl.when(col("implausible")).then(None).otherwise(col("raw")),
        lab=lab,
        lab_refused=given & ~lab,
        low=pl.when(lab).then(col("low")).otherwise(col("ref_low")),
        high=pl.when(lab).then(col("high")).otherwise(col("ref_high")),
        lab_sides=pl.when(~lab)
        .then(None)
        .when(col("lab_low") & col("lab_high"))
        .then(pl.lit("both"))
        .when(col("lab_low"))
        .then(pl.lit("low"))
        .otherwise(pl.lit("high")),
    )
    step = step.with_columns(
        flag=pl.when(col("mmol").is_null())
        .then(None)
        .when(below(col("mmol"), col("crit_low")))
        .then(pl.lit("LL"))
        .when(above(col("mmol"), col("crit_high")))
        .then(pl.lit("HH"))
        .when(below(col("mmol"), col("low")))
        .then(pl.lit("L"))
        .when(above(col("mmol"), col("high")))
        .then(pl.lit("H"))
        .otherwise(pl.lit("N"))
    )
    return step.with_columns(
        side=pl.when(col("flag").is_in(["L", "LL"]))
        .then(pl.lit("low"))
        .when(col("flag").is_in(["H", "HH"]))
        .then(pl.lit("high"))
    )


def refuse_ambiguous(step: pl.DataFrame, reference: Reference) -> pl.DataFrame:
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


__all__ = ["STRICT", "above", "below", "flag_stages", "refuse_ambiguous"]
