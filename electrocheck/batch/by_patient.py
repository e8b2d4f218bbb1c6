"""The per-patient summary of a long file: one row per patient, the most serious first.

``electrocheck batch labs.csv -o out.csv --by-patient patients.csv`` writes, beside the
usual output, the list a clinician or a pharmacist goes through first. For each analyte a
patient has results of (as the output names them: ``calcium``, ``corrected_calcium``,
``potassium`` ...): the worst flag and the worst CTCAE grade, the number of results and of
abnormal ones, and the latest result (as written, its unit as written, in mmol/L, and its
collection time); then the patterns seen, the number of notes on changes over time of each
kind, and the fastest rise of sodium.

The table is counted from the processed batches, as the run's summary is
(:class:`PatientTable`): the results of each batch are kept in a few small columns, and
whenever they outnumber the table they are folded into it, one row per patient and analyte
(and one per patient), so memory grows with the number of patients, never with the rows of
the file.

The rules, each written here once:

- **worst flag**: by :data:`SEVERITY`, ``LL`` > ``HH`` > ``L`` > ``H`` > ``N``. Critical
  before abnormal before normal is clinical; low before high at the same level is a fixed
  choice, so that the answer never depends on the order of the rows. The counts of results
  and of abnormal results say how many there were.
- **latest**: the result with the latest collection time; at the same time, the later input
  row (as changes over time take them). A result whose time cannot be read is the latest
  only where none of the patient's results of that analyte has a time.
- **order of the patients**: a critical flag (``LL`` or ``HH``) first; then the highest
  grade, no grade last; then the most abnormal results; then the patient id, as text.
- **no patient id**: results of rows without a patient id are gathered under the empty id,
  :data:`EMPTY_ID`, in one row (they may be several patients' results), and the run's
  summary counts them: nothing is left out.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from electrocheck.batch.cells import CELL_PATTERN, blank_to_null
from electrocheck.batch.columns import added_names
from electrocheck.batch.layout import Layout
from electrocheck.batch.times import TimeReader
from electrocheck.batch.trends import tracked
from electrocheck.errors import InputError, quote
from electrocheck.formats.files import atomic_output, refuse_same_file
from electrocheck.formats.outputs import EXTENSIONS, REFUSED_EXTENSIONS, OutputPlan

#: Flags from the least to the most severe: the worst flag is the last seen of these.
SEVERITY = ("N", "H", "L", "HH", "LL")
CRITICAL = frozenset({"LL", "HH"})
ABNORMAL = frozenset({"L", "H", "LL", "HH"})
#: The patient id results of rows without one are gathered under.
EMPTY_ID = ""
#: Columns of each analyte, after the analyte's name and ``_``, in order.
ANALYTE_COLUMNS = (
    "worst_flag",
    "worst_grade",
    "results",
    "abnormal",
    "latest_value",
    "latest_unit",
    "latest_mmol_l",
    "latest_time",
)
#: Columns of changes over time, after the patterns (empty where the file has none).
CHANGE_COLUMNS = (
    "correction_rate_notes",
    "delta_check_notes",
    "trend_notes",
    "sodium_fastest_rise_per_24h",
    "sodium_fastest_rise_from",
    "sodium_fastest_rise_at",
)
#: The notes of changes over time (see :mod:`~electrocheck.batch.trends`), found in the
#: ``change_notes`` texts: a rise faster than a correction-rate limit, a delta check.
_RATE_NOTE = r"\): faster than the [0-9.]+ mmol/L per [0-9.]+ h limit \("
_DELTA_NOTE = r"review before release: "
_TIME = "%Y-%m-%dT%H:%M:%S"
#: Rows of partial tables gathered before they are folded together again.
_FOLD_AT = 200_000
_ANALYTE_KEYS = ["patient", "analyte"]
_CHANGES = ("change_per_24h", "previous_time", "change_notes", "trend")
#: The columns of a result the table per patient and analyte folds.
_ANALYTE_FIELDS = (
    *_ANALYTE_KEYS,
    *("results", "abnormal", "critical", "severity", "grade"),
    *("value", "unit", "mmol_l", "when", "row"),
    "medications",
)
#: With ``--medications``: after each analyte's columns, the medicines that explain its
#: abnormal results (each once, in alphabetical order, as the output's column joins them).
MEDICATION_COLUMN = "medications"


def require_patients(layout: Layout, shown: str, panels: bool = True) -> None:
    """Refuse ``--by-patient`` for a file whose rows do not say whose they are (``panels``:
    whether the rows are to be grouped, False for ``--no-panels``)."""
    if layout.kind != "long":
        raise InputError(
            "--by-patient needs a long file (one result per row) with a patient column; "
            f"{shown} is wide (one column per analyte)"
        )
    if not panels:
        raise InputError(
            "--by-patient reads the patient column of a long file's panels: not with --no-panels"
        )
    if layout.panels is None:
        raise InputError(
            f"--by-patient needs a patient column and a collection time column, and {shown} "
            "has no such pair found by name (patient, patient_id, mrn, subject_id ...; "
            "collected, charttime ...): name them with --patient-column and --time-column"
        )
    if layout.panels.patient is None:
        raise InputError(
            f"--by-patient needs a patient column, and {shown} has none found by name "
            "(patient, patient_id, mrn, subject_id, person_id ...): name it with "
            "--patient-column"
        )


def patient_plan(
    target: str | Path, output: str | Path | None, source: Path, main: OutputPlan
) -> OutputPlan:
    """The format of the per-patient file: by its extension (``.csv``, ``.tsv``,
    ``.jsonl``, ``.parquet`` ...), else the main output's. ``-`` is stdout, where the main
    output is a file. Refuses the input, the main output, and extensions not written."""
    shown = quote(str(target))
    if str(target) == "-":
        if output is None or str(output) == "-":
            raise InputError(
                "--by-patient -: stdout already holds the output; write the output to a file "
                "with -o, or the per-patient summary to a file"
            )
        if main.format == "parquet" and sys.stdout.isatty():
            raise InputError(
                "--by-patient -: parquet is a binary format: write it to a file, or redirect stdout"
            )
        return main
    path = Path(target)
    refuse_same_file(source, path)
    # Refused before the run, not after it: a folder, or a file in a folder that is not there.
    if path.is_dir():
        raise InputError(f"--by-patient: cannot write {shown}: it is a directory")
    if not path.resolve().parent.is_dir():
        raise InputError(
            f"--by-patient: cannot write {shown}: no such folder "
            f"{quote(str(path.resolve().parent))}"
        )
    if output is not None and str(output) != "-" and Path(output).resolve() == path.resolve():
        raise InputError(f"--by-patient {shown} is the output file; choose another")
    suffix = path.suffix.lower()
    if suffix in REFUSED_EXTENSIONS:
        raise InputError(f"--by-patient {shown}: {REFUSED_EXTENSIONS[suffix]}")
    found = EXTENSIONS.get(suffix)
    if found is None:
        return main
    if found == "tsv":
        return OutputPlan("csv", "\t")
    if found == "csv":
        return OutputPlan("csv", main.delimiter if main.format == "csv" else ",")
    return OutputPlan(found)


@dataclass
class PatientFile:
    """What the run's summary says of the per-patient file."""

    path: str
    patients: int = 0
    without_id: int = 0  # results of rows without a patient id, under EMPTY_ID

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "patients": self.patients, "results_without_id": self.without_id}


class PatientTable:
    """The per-patient summary of a long file, counted batch by batch (:meth:`add`), and
    its table (:meth:`table`) once every batch has been added.

    >>> import polars as pl
    >>> from electrocheck.batch.layout import LayoutOptions, detect_layout
    >>> from electrocheck.reference import load_reference
    >>> header = ["patient", "collected", "test", "value"]
    >>> layout = detect_layout(header, load_reference(), LayoutOptions())
    >>> PatientTable(layout).table().columns[:4]
    ['patient', 'results', 'abnormal_results', 'critical_results']
    """

    def __init__(self, layout: Layout) -> None:
        assert layout.panels is not None and layout.long is not None
        self.layout = layout
        self.tracked = tracked(layout)
        self.r = {name: f"r{i}" for i, name in enumerate(added_names(layout))}
        self.times = TimeReader()
        self.rows: list[pl.DataFrame] = []  # the results gathered since the last fold
        self.analytes: list[pl.DataFrame] = []  # folded, per patient and analyte
        self.patients: list[pl.DataFrame] = []  # folded, per patient: patterns, changes
        self.gathered = 0
        self.folded = 0
        self.without_id = 0

    # ----------------------------------------------------------------------- folding

    def add(self, result: pl.DataFrame) -> None:
        """Count one processed batch into the table."""
        rows = self._results(result)
        self.without_id += int((rows["patient"] == EMPTY_ID).sum())
        self.rows.append(rows)
        self.gathered += rows.height
        # Folded when the rows gathered since the last fold outnumber the folded table (and
        # _FOLD_AT): each fold at most doubles the rows folded, and memory stays within twice
        # the table. (A batch alone is not folded: its rows are mostly of different patients,
        # and a fold of them would save little.)
        if self.gathered > max(_FOLD_AT, self.folded):
            self._fold()

    def _fold(self) -> None:
        """The rows gathered, folded into the tables per patient and analyte, and per patient."""
        if not self.rows:
            return
        rows = pl.concat(self.rows)
        self.rows = []
        self.analytes = [_by_analyte(pl.concat([*self.analytes, rows.select(_ANALYTE_FIELDS)]))]
        # Only the rows with a pattern, a note or a sodium rise count per patient.
        noted = pl.col("patterns").is_not_null() | pl.col("rise").is_not_null()
        noted = noted | (pl.col("rate_notes") + pl.col("delta_notes") + pl.col("trend_notes") > 0)
        found = _by_patient(rows.filter(noted))
        self.patients = [_by_patient(pl.concat([*self.patients, found]))]
        self.folded, self.gathered = self.analytes[0].height, 0

    def _results(self, result: pl.DataFrame) -> pl.DataFrame:
        """The rows of a processed batch that hold a result, with what the table needs."""
        col, r = pl.col, self.r
        c = self.layout.panels
        long = self.layout.long
        assert c is not None and long is not None and c.patient is not None
        flag = col(r["flag"])
        # The few columns read, then the rows with a result: a batch has dozens of columns.
        read = {r[name] for name in ("analyte", "flag", "grade", "value_mmol_l", "source_row")}
        read |= {r["patterns"], *(r[name] for name in _CHANGES if self.tracked)}
        read |= {r[name] for name in ("medications",) if name in r}
        read |= {f"c{i}" for i in (long.value, long.numeric, long.unit) if i is not None}
        read |= {f"c{i}" for i in (c.patient, c.time, c.clock) if i is not None}
        found = result.select(sorted(read)).filter(
            flag.is_not_null() & col(r["analyte"]).is_not_null()
        )
        written: pl.Expr = pl.lit(None, pl.String)
        if long.value is not None:
            written = blank_to_null(col(f"c{long.value}"))
            if long.numeric is not None:  # a masked text (___) falls back to its twin
                holds = written.str.contains(CELL_PATTERN).fill_null(False)
                written = (
                    pl.when(holds)
                    .then(written)
                    .otherwise(pl.coalesce(blank_to_null(col(f"c{long.numeric}")), written))
                )
        unit = blank_to_null(col(f"c{long.unit}")) if long.unit is not None else pl.lit(None)
        changes: list[pl.Expr] = [pl.lit(None, pl.Float64).alias("rate")]
        changes += [pl.lit(None, pl.String).alias(n) for n in ("from", "notes", "trend")]
        if self.tracked:
            changes = [
                col(r["change_per_24h"]).cast(pl.Float64).alias("rate"),
                col(r["previous_time"]).alias("from"),
                col(r["change_notes"]).alias("notes"),
                col(r["trend"]).cast(pl.String).alias("trend"),
            ]
        rows = found.select(
            blank_to_null(col(f"c{c.patient}")).fill_null(pl.lit(EMPTY_ID)).alias("patient"),
            col(r["analyte"]).cast(pl.Categorical).alias("analyte"),  # a few names: grouped faster
            flag.alias("flag"),
            col(r["grade"]).cast(pl.Int8).alias("grade"),
            col(r["value_mmol_l"]).cast(pl.Float64).alias("mmol_l"),
            written.alias("value"),
            unit.cast(pl.String).alias("unit"),
            col(r["source_row"]).cast(pl.Int64).alias("row"),
            col(r["patterns"]).alias("patterns"),
            (col(r["medications"]) if "medications" in r else pl.lit(None, pl.String)).alias(
                "medications"
            ),
            *changes,
        )
        if c.time is not None:
            clocks = found[f"c{c.clock}"] if c.clock is not None else None
            when = self.times.read(found[f"c{c.time}"], clocks)
        else:
            when = pl.Series(None, [None] * found.height, dtype=pl.Datetime("ms"))
        rows = rows.with_columns(when.alias("when"))
        rise = (col("analyte") == "sodium") & (col("rate") > 0)
        return rows.with_columns(
            pl.lit(1, pl.Int64).alias("results"),
            col("flag").is_in(list(ABNORMAL)).cast(pl.Int64).alias("abnormal"),
            col("flag").is_in(list(CRITICAL)).cast(pl.Int64).alias("critical"),
            col("flag")
            .replace_strict({f: n for n, f in enumerate(SEVERITY)}, default=None)
            .cast(pl.Int8)
            .alias("severity"),
            col("notes").str.count_matches(_RATE_NOTE).fill_null(0).alias("rate_notes"),
            col("notes").str.count_matches(_DELTA_NOTE).fill_null(0).alias("delta_notes"),
            col("trend").is_not_null().cast(pl.Int64).alias("trend_notes"),
            pl.when(rise).then(col("rate")).alias("rise"),
            pl.when(rise).then(col("when")).alias("rise_at"),
            pl.when(rise).then(col("from")).alias("rise_from"),
        ).drop("flag", "rate", "from", "notes", "trend")

    # ----------------------------------------------------------------------- the table

    def table(self) -> pl.DataFrame:
        """One row per patient, the most serious first (see the module's rules)."""
        self._fold()
        if not self.analytes:  # no results: the table's columns alone
            self.rows = [self._results(_empty_result(self.layout, self.r))]
            self._fold()
        analytes, patients = self.analytes[0], self.patients[0]
        col = pl.col
        totals = analytes.group_by("patient").agg(
            col("results").sum(),
            col("abnormal").sum().alias("abnormal_results"),
            col("critical").sum().alias("critical_results"),
            col("grade").max().alias("worst_grade"),
        )
        table = totals
        for analyte in sorted(analytes["analyte"].unique().to_list()):
            one = analytes.filter(col("analyte") == analyte).select(
                "patient",
                *(
                    expr.alias(f"{analyte}_{name}")
                    for name, expr in zip(ANALYTE_COLUMNS, _analyte_columns(), strict=True)
                ),
                *(
                    [col(MEDICATION_COLUMN).alias(f"{analyte}_{MEDICATION_COLUMN}")]
                    if self.layout.medications
                    else []
                ),
            )
            table = table.join(one, on="patient", how="left")
        changes = patients.select(
            "patient",
            col("patterns")
            .list.join("; ")
            .str.split("; ")
            .list.unique()
            .list.sort()
            .list.join("; ")
            .replace("", None)
            .alias("patterns"),
            *(
                (col(source) if self.tracked else pl.lit(None, pl.Int64)).alias(name)
                for source, name in (
                    ("rate_notes", "correction_rate_notes"),
                    ("delta_notes", "delta_check_notes"),
                    ("trend_notes", "trend_notes"),
                )
            ),
            col("rise").alias("sodium_fastest_rise_per_24h"),
            col("rise_from").alias("sodium_fastest_rise_from"),
            col("rise_at").dt.to_string(_TIME).alias("sodium_fastest_rise_at"),
        )
        table = table.join(changes, on="patient", how="left")
        if self.tracked:  # a patient without notes has none of each kind
            counted = ("correction_rate_notes", "delta_check_notes", "trend_notes")
            table = table.with_columns(col(counted).fill_null(0))
        return table.sort(
            [
                col("critical_results") > 0,
                col("worst_grade"),
                col("abnormal_results"),
                col("patient"),
            ],
            descending=[True, True, True, False],
            nulls_last=True,
        )


def _analyte_columns() -> list[pl.Expr]:
    col = pl.col
    return [
        col("severity").replace_strict(dict(enumerate(SEVERITY)), return_dtype=pl.String),
        col("grade"),
        col("results"),
        col("abnormal"),
        col("value"),
        col("unit"),
        col("mmol_l"),
        col("when").dt.to_string(_TIME),
    ]


def _by_analyte(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per patient and analyte: counts, the worst, and the latest result. Folds
    results and rows of the table alike (a result is a row of one result)."""
    col = pl.col
    # In time order (a time not read first), then by input row: the last of each group is
    # its latest result. (One sort of the rows costs less than a sort within each group.)
    ordered = rows.sort(["when", "row"], nulls_last=False)
    return ordered.group_by(_ANALYTE_KEYS).agg(
        col("results").sum(),
        col("abnormal").sum(),
        col("critical").sum(),
        col("severity").max(),
        col("grade").max(),
        *(col(name).last() for name in ("value", "unit", "mmol_l", "when", "row")),
        # Each medicine once, of the results it explains and of tables folded before.
        col("medications")
        .drop_nulls()
        .str.split("; ")
        .explode()
        .unique()
        .sort()
        .str.join("; ")
        .replace("", None),
    )


def _by_patient(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per patient: the patterns seen, the notes on changes over time, and the
    fastest rise of sodium (the earliest of equal rises)."""
    col = pl.col

    def fastest(name: str) -> pl.Expr:
        return (
            col(name)
            .sort_by([col("rise"), col("rise_at")], descending=[True, False], nulls_last=True)
            .first()
        )

    # A row's patterns are kept as its text ("mg-first-k; tumour-lysis-ca"), each distinct
    # text once per patient, and split into ids once, for the table.
    patterns = col("patterns")
    if rows.schema["patterns"] != pl.String:  # folds of folds: lists of texts
        patterns = patterns.list.explode(keep_nulls=False, empty_as_null=False)
    return rows.group_by("patient").agg(
        patterns.drop_nulls().unique(),
        col("rate_notes").sum(),
        col("delta_notes").sum(),
        col("trend_notes").sum(),
        *(fastest(name) for name in ("rise", "rise_at", "rise_from")),
    )


def _empty_result(layout: Layout, r: dict[str, str]) -> pl.DataFrame:
    """A processed batch of no rows, with the columns the table reads."""
    names = [f"c{i}" for i in range(len(layout.header))] + list(r.values())
    return pl.DataFrame(schema=dict.fromkeys(names, pl.String))


def write_table(table: pl.DataFrame, target: str | Path, plan: OutputPlan) -> None:
    """Write the table whole or not at all: to ``target`` (``-``: stdout), as ``plan``
    says. JSON Lines holds the patterns as a list; CSV and Parquet as text joined by
    ``; `` (as the output's ``patterns`` column)."""
    with atomic_output(None if str(target) == "-" else target) as handle:
        _write(table, handle, plan)


def _write(table: pl.DataFrame, handle: IO[bytes], plan: OutputPlan) -> None:
    if plan.format == "jsonl":
        empty = pl.lit([], pl.List(pl.String))
        table.with_columns(pl.col("patterns").str.split("; ").fill_null(empty)).write_ndjson(handle)
    elif plan.format == "parquet":
        table.write_parquet(handle)
    else:
        table.write_csv(handle, separator=plan.delimiter)


__all__ = [
    "CRITICAL",
    "EMPTY_ID",
    "SEVERITY",
    "PatientFile",
    "PatientTable",
    "patient_plan",
    "require_patients",
    "write_table",
]
