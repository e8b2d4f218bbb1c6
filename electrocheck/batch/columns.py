"""The names of the columns of a processed batch, and of the fields of a result.

A source's result (one analyte of a row) is a set of fields (:data:`CSV_FIELDS`, and with
them :data:`DETAIL_FIELDS` for JSON Lines), of the types in :data:`FIELD_TYPES`. The engine
adds them to a batch under internal names: ``r0``, ``r1`` ... in the order of
:func:`output_names` (the names the CSV output gives them), each kind of error in its own
column (:func:`error_columns`) and, for JSON Lines, every full result as a struct column
(:func:`detail_columns`). The writer and the summary read a batch by these names.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from electrocheck.batch.layout import AnalyteColumn, Layout, PatientColumns


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


# The result fields each layout writes, and the names it writes them under.
LONG_NAMES = {
    "analyte": "analyte",
    "mmol_l": "value_mmol_l",
    "flag": "flag",
    "grade": "grade",
    "risk": "spasm_risk",
    "censored": "censored",
    "limits": "limits",
}
WIDE_NAMES = {
    "mmol_l": "mmol_l",
    "flag": "flag",
    "grade": "grade",
    "risk": "spasm_risk",
    "censored": "censored",
}

#: The fields of a source's result: those the CSV needs, then those only JSON Lines needs.
CSV_FIELDS = (
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
DETAIL_FIELDS = (
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
#: Types of a source's result fields, for results made outside the engine's expressions.
FIELD_TYPES: dict[str, pl.DataType] = {
    "analyte": pl.String(),
    "mmol_l": pl.Float64(),
    "flag": pl.String(),
    "flag_code": pl.Int8(),
    "grade": pl.Int8(),
    "risk": pl.String(),
    "censored": pl.String(),
    "limits": pl.String(),
    "error": pl.String(),
    "number": pl.Float64(),
    "spelling": pl.String(),
    "low": pl.Float64(),
    "high": pl.Float64(),
    "input": pl.String(),
    "assumed": pl.Boolean(),
    "role": pl.String(),
    "effect": pl.String(),
    "causes": pl.List(pl.String()),
    "caveats": pl.List(pl.String()),
    "label": pl.String(),
    "crit_low": pl.Float64(),
    "crit_high": pl.Float64(),
    "grade_basis": pl.String(),
    "population": pl.String(),
    "notes": pl.List(pl.String()),
}
#: Flags as small numbers, in order from low to high.
FLAG_CODES = {"LL": 1, "L": 2, "N": 3, "H": 4, "HH": 5}


__all__ = [
    "CSV_FIELDS",
    "DETAIL_FIELDS",
    "FIELD_TYPES",
    "FLAG_CODES",
    "LONG_NAMES",
    "WIDE_NAMES",
    "derived_prefixes",
    "detail_columns",
    "error_columns",
    "output_names",
    "wide_prefixes",
]
