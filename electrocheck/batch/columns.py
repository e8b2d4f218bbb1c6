"""The names of the columns of a processed batch, and of the fields of a result.

A source's result (one analyte of a row) is a set of fields (:data:`CSV_FIELDS`, and with
them :data:`DETAIL_FIELDS` for JSON Lines), of the types in :data:`FIELD_TYPES`. The engine
adds them to a batch under internal names: ``r0``, ``r1`` ... in the order of
:func:`added_names` (written as :func:`output_names`: with a prefix, ``ec_``, when an input
column has taken one of them; see :func:`name_prefix`), each kind of error in its own column
(:func:`error_columns`), what became of each source's value (:func:`fate_columns`, codes of
:data:`FATES`) and, for JSON Lines, every full result as a struct column
(:func:`detail_columns`). The writer and the summary read a batch by these names.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from electrocheck.batch.layout import AnalyteColumn, Layout, PatientColumns


def output_names(layout: Layout) -> list[str]:
    """Names of the columns the engine adds, in order, as they are written: those of
    :func:`added_names`, with the prefix of :func:`name_prefix`."""
    prefix = name_prefix(layout)
    return [prefix + name for name in added_names(layout)]


def added_names(layout: Layout) -> list[str]:
    """Names of the columns the engine adds, in order, before any prefix: the engine, the
    summary and the writers find the columns of a processed batch by these."""
    if layout.kind == "long":
        panels = list(PANEL_NAMES) if layout.panels is not None else []
        if layout.panels is not None and layout.panels.patient is not None:
            panels += CHANGE_NAMES if layout.panels.time is not None else []
        return [*result_names(layout, 0).values(), "errors", *panels, *medication_names(layout)]
    names: list[str] = []
    for i in range(len(layout.wide)):
        names += result_names(layout, i).values()
    for prefix in derived_prefixes(layout):
        names += [f"{prefix}{name}" for name in WIDE_NAMES.values()]
    return [*names, "patterns", "errors", *medication_names(layout)]


#: The column of the patient's medicines that explain a result (``batch --medications``).
MEDICATIONS = "medications"


def medication_names(layout: Layout) -> list[str]:
    """The columns of the medicines that explain each result, last of the added columns:
    ``medications`` in a long file; in a wide file one per result, ``potassium_medications``
    (and ``corrected_calcium_medications``). None without ``--medications``."""
    if not layout.medications:
        return []
    if layout.kind == "long":
        return [MEDICATIONS]
    return [f"{p}{MEDICATIONS}" for p in (*wide_prefixes(layout.wide), *derived_prefixes(layout))]


def result_names(layout: Layout, i: int) -> dict[str, str]:
    """The result fields source ``i`` writes (before any prefix), and their column names."""
    names = LONG_NAMES if layout.kind == "long" else WIDE_NAMES
    if writes_lab_flag(layout, i):
        at = list(names).index("flag") + 1
        items = list(names.items())
        names = dict([*items[:at], ("lab_flag", "lab_flag"), *items[at:]])
    if layout.kind == "long":
        return names
    prefix = wide_prefixes(layout.wide)[i]
    return {key: f"{prefix}{name}" for key, name in names.items()}


def writes_lab_flag(layout: Layout, i: int) -> bool:
    """Whether source ``i`` writes the lab's flag: where the file has a flag column for it,
    or everywhere with ``--lab-flags``. (A flag written in a cell, ``2.6 LL``, is read
    whatever the file's columns; the output columns depend on the header alone.)"""
    if layout.lab_flags:
        return True
    if layout.kind == "long":
        return layout.long is not None and layout.long.flag is not None
    return layout.wide[i].flag_column is not None


#: The keys a JSON Lines object adds to a row's fields, before any prefix.
JSON_KEYS = ("record", "results", "patterns", "errors", "pattern_notes")
#: Prefixes of electrocheck's output names, the first that no input column has taken.
NAME_PREFIXES = ("", "ec_", *(f"ec{n}_" for n in range(2, 100)))


def name_prefix(layout: Layout) -> str:
    """The prefix of every name electrocheck adds to a file's rows, in CSV and in JSON Lines
    alike: none, unless an input column already has one of those names (compared ignoring
    case, as SQLite and spreadsheets do); then ``ec_`` (or ``ec2_``, ``ec3_`` ... if an
    ``ec_`` name is taken too). Input fields keep their names."""
    taken = {name.casefold() for name in layout.header}
    names = [name.casefold() for name in (*added_names(layout), *JSON_KEYS)]
    for prefix in NAME_PREFIXES:
        if not any(prefix + name in taken for name in names):
            return prefix
    raise AssertionError("no free prefix")  # a header would need 100 taken prefixes


def json_keys(layout: Layout) -> dict[str, str]:
    """The keys of ``results``, ``patterns`` and ``errors`` in a JSON Lines object."""
    prefix = name_prefix(layout)
    return {key: prefix + key for key in JSON_KEYS}


def derived_prefixes(layout: Layout) -> list[str]:
    """``corrected_calcium_``, for each correction the wide layout has both inputs of."""
    return [f"{key}_" for key, _, _ in layout.corrections]


def error_columns(layout: Layout) -> list[str]:
    """The columns of a processed batch that hold one kind of error each: every source's,
    the patient columns', every covariate's, every correction's and the specimen's."""
    return (
        [f"e{i}" for i in range(source_count(layout))]
        + (["ep"] if layout.patient != PatientColumns() else [])
        + [f"ec{j}" for j in range(len(layout.covariates))]
        + [f"ed{k}" for k in range(len(layout.corrections))]
        + ([SPECIMEN_ERROR] if layout.specimen is not None else [])
    )


def fate_columns(layout: Layout) -> list[str]:
    """The columns of a processed batch that hold each source's :data:`FATES` code."""
    return [f"f{i}" for i in range(source_count(layout))]


def source_count(layout: Layout) -> int:
    return len(layout.wide) if layout.kind == "wide" else 1


def detail_columns(layout: Layout) -> list[str]:
    """The struct columns of a processed batch that hold full results, for JSON Lines."""
    count = source_count(layout)
    return [f"d{i}" for i in range(count)] + [f"dd{k}" for k in range(len(layout.corrections))]


def detail_lab_flags(layout: Layout) -> list[bool]:
    """For each of :func:`detail_columns`, whether its results carry ``lab_flag``."""
    count = source_count(layout)
    return [writes_lab_flag(layout, i) for i in range(count)] + [False] * len(layout.corrections)


def wide_prefixes(columns: Iterable[AnalyteColumn]) -> list[str]:
    """``potassium_``, and ``potassium_2_`` for a second potassium column."""
    seen: dict[str, int] = {}
    prefixes = []
    for column in columns:
        seen[column.analyte] = seen.get(column.analyte, 0) + 1
        count = seen[column.analyte]
        prefixes.append(f"{column.analyte}_" if count == 1 else f"{column.analyte}_{count}_")
    return prefixes


#: The columns a long file whose rows are grouped into panels adds after ``errors``: whether
#: the row is the input's or one electrocheck added (a corrected result), the input row (from
#: 1) it is or derives from, its panel (numbered in order of patient, then time), the panel's
#: collection time, the ids of the patterns its result takes part in, and notes on its panel.
PANEL_NAMES = ("row_kind", "source_row", "panel", "panel_time", "patterns", "panel_notes")
ROW_KINDS = ("input", "added")
#: The columns a long file with a patient and a collection time adds after those: each
#: result's previous result of the patient and analyte (in mmol/L), its time, the change
#: from it (mmol/L) and its rate per 24 h, a trend (``falling``, ``rising``) and notes.
CHANGE_NAMES = (
    "previous_value_mmol_l",
    "previous_time",
    "change_mmol_l",
    "change_per_24h",
    "trend",
    "change_notes",
)
#: The column of a processed batch of panels that holds the notes of the patterns each row
#: takes part in, joined by :data:`NOTES_SEP` until JSON Lines splits them.
PATTERN_NOTES, NOTES_SEP = "k_pattern_notes", "\x1e"

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
    "fate",  # what became of the value: a code of FATES, for the summary
)
DETAIL_FIELDS = (
    "lab_flag",
    "low",
    "high",
    "spelling",
    "input",
    "assumed",
    "caveats",
    "number",
    "crit_low",
    "crit_high",
    "grade_basis",
    "population",
    "notes",
    "json",  # the whole result as JSON text, made with the other fields (batch.jsonl)
)
#: Types of a source's result fields, for results made outside the engine's expressions.
FIELD_TYPES: dict[str, pl.DataType] = {
    "analyte": pl.String(),
    "mmol_l": pl.Float64(),
    "flag": pl.String(),
    "lab_flag": pl.String(),
    "fate": pl.Int8(),
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
    "json": pl.String(),
}
#: Flags as small numbers, in order from low to high.
FLAG_CODES = {"LL": 1, "L": 2, "N": 3, "H": 4, "HH": 5}

#: What became of a value (a long file's row, or a cell of a wide file's analyte column):
#: the codes of a source's ``fate`` field, and the name each is counted under.
NO_VALUE, INTERPRETED, DISAGREES, UNREADABLE = 0, 1, 2, 3
OTHER_TEST, LOOKALIKE, OTHER_SPECIMEN, UNKNOWN_SPECIMEN, STRUCTURAL = 4, 5, 6, 7, 8
COVARIATE = 9  # a row of albumin or glucose: read by the panels to correct a result
FATES = {
    INTERPRETED: "interpreted",
    DISAGREES: "interpreted",  # and the lab's own flag says otherwise
    UNREADABLE: "unreadable",
    NO_VALUE: "no_value",
    OTHER_TEST: "other_test",
    COVARIATE: "covariate",
    LOOKALIKE: "unrecognised_electrolyte",
    OTHER_SPECIMEN: "other_specimen",
    UNKNOWN_SPECIMEN: "unknown_specimen",
    STRUCTURAL: "structural_error",
}
#: The column of a processed batch that holds the specimen's error, where a row's specimen
#: is not one electrocheck knows.
SPECIMEN_ERROR = "es"


__all__ = [
    "CHANGE_NAMES",
    "CSV_FIELDS",
    "DETAIL_FIELDS",
    "FATES",
    "FIELD_TYPES",
    "FLAG_CODES",
    "JSON_KEYS",
    "LONG_NAMES",
    "MEDICATIONS",
    "NOTES_SEP",
    "PANEL_NAMES",
    "PATTERN_NOTES",
    "ROW_KINDS",
    "SPECIMEN_ERROR",
    "WIDE_NAMES",
    "added_names",
    "derived_prefixes",
    "detail_columns",
    "detail_lab_flags",
    "error_columns",
    "fate_columns",
    "json_keys",
    "medication_names",
    "name_prefix",
    "output_names",
    "result_names",
    "source_count",
    "wide_prefixes",
    "writes_lab_flag",
]
