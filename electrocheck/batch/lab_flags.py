"""The lab's own flag of a result, beside electrocheck's.

A lab writes its flag after the number (``2.6 LL``, ``3.1 (L)``, ``3.1*``; see
:mod:`~electrocheck.batch.cells`) or in a column of its own (``flag``, ``abnormal_flag``,
``interpretation``). electrocheck keeps it as written and compares its direction with its own
flag: a lab's low flag against electrocheck's N or high, a lab's normal against an abnormal
one, a lab's flag of an abnormal value without a direction (``A``, ``*``, ``abnormal``)
against electrocheck's N. Critical and non-critical flags of the same direction agree: the
lab's critical limits are its own. A disagreement adds a note to the result.
"""

from __future__ import annotations

import polars as pl

LOW, HIGH, NORMAL, ABNORMAL = "low", "high", "normal", "abnormal"

#: The lab's flags, upper case, without brackets, ``*`` or ``!``, and what each says.
DIRECTIONS: dict[str, str] = {
    **dict.fromkeys(
        ("L", "LL", "LO", "LOW", "CL", "LC", "LU", "<", "CRIT LOW", "CRITICAL LOW"), LOW
    ),
    **dict.fromkeys(("PANIC LOW", "LOW CRITICAL", "LOW PANIC"), LOW),
    **dict.fromkeys(
        ("H", "HH", "HI", "HIGH", "CH", "HC", "HU", ">", "CRIT HIGH", "CRITICAL HIGH"), HIGH
    ),
    **dict.fromkeys(("PANIC HIGH", "HIGH CRITICAL", "HIGH PANIC"), HIGH),
    **dict.fromkeys(("N", "NL", "NORM", "NORMAL", "WNL"), NORMAL),
    **dict.fromkeys(("A", "AA", "ABN", "ABNORMAL", "C", "CRIT", "CRITICAL", "PANIC"), ABNORMAL),
    # PCORnet's ABN_IND: abnormal low and high, abnormal and critical without a direction
    # (its CL, CH and NL are above).
    "AL": LOW,
    "AH": HIGH,
    "AB": ABNORMAL,
    "CR": ABNORMAL,
}
#: Flags of electrocheck that each direction of the lab's disagrees with.
DISAGREEING = {
    LOW: ["N", "H", "HH"],
    HIGH: ["N", "L", "LL"],
    NORMAL: ["L", "LL", "H", "HH"],
    ABNORMAL: ["N"],
}


def direction(lab_flag: pl.Expr) -> pl.Expr:
    """What a lab's flag says (:data:`LOW`, :data:`HIGH`, :data:`NORMAL`, :data:`ABNORMAL`),
    or null for a flag electrocheck cannot read (``D``, ``R``, ``Y``)."""
    core = (
        lab_flag.str.to_uppercase()
        .str.replace_all(r"[\(\)\[\]\*!]", "")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    marked_only = lab_flag.str.contains(r"^[\s\*!]+$")
    return (
        pl.when(marked_only)
        .then(pl.lit(ABNORMAL))
        .otherwise(core.replace_strict(DIRECTIONS, default=None, return_dtype=pl.String))
    )


def disagrees(lab_flag: pl.Expr, flag: pl.Expr) -> pl.Expr:
    """Whether the lab's flag and electrocheck's disagree in direction (false where either
    is missing)."""
    said = direction(lab_flag)
    found = pl.lit(False)
    for side, flags in DISAGREEING.items():
        found = found | ((said == side) & flag.is_in(flags))
    return found.fill_null(False)


def disagreement_note(lab_flag: pl.Expr, flag: pl.Expr, lab_limits: pl.Expr) -> pl.Expr:
    """The note of a result whose flag disagrees with the lab's."""
    return pl.concat_str(
        pl.lit("the lab's own flag, "),
        lab_flag,
        pl.lit(", disagrees with electrocheck's, "),
        flag,
        pl.when(lab_limits)
        .then(pl.lit(""))
        .otherwise(
            pl.lit(
                ": the row does not give the lab's limits, and electrocheck used the "
                "reference file's"
            )
        ),
    )


__all__ = [
    "ABNORMAL",
    "DIRECTIONS",
    "HIGH",
    "LOW",
    "NORMAL",
    "direction",
    "disagreement_note",
    "disagrees",
]
