"""What a batch run read, wrote and found: the :class:`Summary`, and the counting of it.

The summary is counted batch by batch from the processed batches themselves (by the column
names of :mod:`~electrocheck.batch.columns`): rows read and written, results and their flags
per analyte, cells with errors and the rows that hold them, and the warnings of the run.

Every value is accounted for: each row of a long file, and each cell of a wide file's
analyte columns, has one fate (:data:`FATE_NAMES`): interpreted, an unreadable value, no
value, another test (named, with counts), a test that looks like an electrolyte but is not
one electrocheck knows, another specimen, an unknown specimen, or a row the reader could not
read whole (a structural error, whatever its cells gave). A wide file's columns that nothing
was read from are listed, and those whose header looks like an electrolyte's count their
values. :attr:`Summary.unknown` counts the values that could be an electrolyte's result and
were not interpreted: ``--fail-on`` fails on them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from electrocheck.batch.cells import blank_to_null
from electrocheck.batch.columns import (
    COVARIATE,
    DISAGREES,
    FATES,
    LOOKALIKE,
    OTHER_SPECIMEN,
    OTHER_TEST,
    UNKNOWN_SPECIMEN,
    added_names,
    derived_prefixes,
    error_columns,
    fate_columns,
    wide_prefixes,
)
from electrocheck.batch.layout import Layout
from electrocheck.formats.conversion import counted

if TYPE_CHECKING:  # loaded only by the runs that fill them: a CSV run needs none
    from electrocheck.batch.by_patient import PatientFile
    from electrocheck.batch.fhir_writer import FhirOutput
    from electrocheck.batch.medications import MedicationCounts
    from electrocheck.formats.fhir import FhirSummary
    from electrocheck.formats.hl7v2 import Hl7Summary

#: The fates a value is counted under, in the order they are shown.
FATE_NAMES = (
    "interpreted",
    "covariate",
    "unreadable",
    "no_value",
    "other_test",
    "unrecognised_electrolyte",
    "other_specimen",
    "unknown_specimen",
    "structural_error",
)
#: Fates whose rows are listed by name (the test's, or the test's and its specimen's).
NAMED_FATES = (
    "covariate",
    "other_test",
    "unrecognised_electrolyte",
    "other_specimen",
    "unknown_specimen",
)
#: Fates of a value that could be an electrolyte's result and was not interpreted.
# A row the reader could not read whole may hold any test, an electrolyte's among them: it
# counts, so that a critical potassium in a row with a stray comma cannot pass --fail-on.
UNKNOWN_FATES = ("unreadable", "unrecognised_electrolyte", "unknown_specimen", "structural_error")
#: Distinct names remembered per fate; the names beyond are counted together.
NAMES_KEPT = 10_000
#: Names listed per fate in the JSON summary, most frequent first.
NAMES_LISTED = 100


#: Why a long file's row is not in a panel, in the order of the codes of
#: :mod:`~electrocheck.batch.panels` (from 1).
ALONE_REASONS = ("no_patient", "no_time", "no_specimen")


@dataclass
class PanelSummary:
    """What the grouping used and found, for the run's summary."""

    columns: dict[str, str] = field(default_factory=dict)  # patient, time, specimen, birth
    window: float = 0.0
    panels: int = 0
    rows_in_panels: int = 0
    added: int = 0  # corrected results added as rows
    alone: Counter[str] = field(default_factory=Counter)  # rows interpreted alone, by reason
    notes: Counter[str] = field(default_factory=Counter)  # rows with each kind of note
    shared_specimens: int = 0
    #: Panels that match each pattern, by the pattern's id.
    patterns: Counter[str] = field(default_factory=Counter)

    def add(self, other: PanelSummary) -> None:
        """Count ``other``'s panels, rows and notes in this summary too."""
        self.panels += other.panels
        self.rows_in_panels += other.rows_in_panels
        self.added += other.added
        self.alone.update(other.alone)
        self.notes.update(other.notes)
        self.shared_specimens += other.shared_specimens
        self.patterns.update(other.patterns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "window_seconds": self.window,
            "panels": self.panels,
            "rows_in_panels": self.rows_in_panels,
            "added_rows": self.added,
            "rows_alone": {reason: self.alone[reason] for reason in ALONE_REASONS},
            "notes": dict(sorted(self.notes.items())),
            "shared_specimens": self.shared_specimens,
            "patterns": dict(sorted(self.patterns.items())),
        }


@dataclass
class Summary:
    """What a batch run read, wrote and found."""

    layout: str = ""
    columns: list[str] = field(default_factory=list)  # recognized analyte or value columns
    rows_read: int = 0
    rows_written: int = 0
    blank_lines: int = 0
    results: int = 0
    cell_errors: int = 0
    rows_with_errors: int = 0
    flags: Counter[tuple[str, str]] = field(default_factory=Counter)  # (analyte, flag) -> n
    warnings: list[str] = field(default_factory=list)
    #: What became of each value: a long file's rows, a wide file's analyte cells.
    fates: Counter[str] = field(default_factory=Counter)
    #: Wide files: the fates of each analyte column's cells.
    by_column: dict[str, Counter[str]] = field(default_factory=dict)
    #: The names of the rows of :data:`NAMED_FATES`, with their counts.
    named: dict[str, Counter[str]] = field(default_factory=dict)
    #: Rows of each named fate whose names were not kept (beyond :data:`NAMES_KEPT`).
    unnamed: Counter[str] = field(default_factory=Counter)
    #: Wide files: columns nothing was read from.
    unread_columns: list[str] = field(default_factory=list)
    #: Wide files: of them, those whose header looks like an electrolyte's, with their values.
    lookalike_columns: Counter[str] = field(default_factory=Counter)
    #: Wide files: rows that match each pattern, by the pattern's id (long files: panels,
    #: in :attr:`PanelSummary.patterns`).
    patterns: Counter[str] = field(default_factory=Counter)
    #: Results whose flag disagrees with the lab's own.
    lab_flag_disagreements: int = 0
    #: Long files grouped into panels: the columns used, the panels, rows alone and notes.
    panels: PanelSummary | None = None
    #: The per-patient file (``--by-patient``): where it went, its patients.
    by_patient: PatientFile | None = None
    #: FHIR input: the resources it held, and what was read of them.
    fhir: FhirSummary | None = None
    #: HL7 v2 input: the messages it held, and what was read of them.
    hl7: Hl7Summary | None = None
    #: The medication list joined to the results (``--medications``), or None.
    medications: MedicationCounts | None = None
    #: FHIR output: the resources written.
    fhir_output: FhirOutput | None = None

    def any_flag(self, flags: frozenset[str]) -> bool:
        return any(count for (_, flag), count in self.flags.items() if flag in flags)

    @property
    def unknown(self) -> int:
        """Values that could be an electrolyte's result and were not interpreted: unreadable
        values, tests and wide columns that look like an electrolyte but are not known,
        values of unknown specimens, and rows the reader could not read whole."""
        return sum(self.fates[f] for f in UNKNOWN_FATES) + sum(self.lookalike_columns.values())

    @property
    def unrecognised_electrolytes(self) -> int:
        """Values of tests or wide columns that look like an electrolyte but are not known."""
        return self.fates["unrecognised_electrolyte"] + sum(self.lookalike_columns.values())

    def counted(self) -> str:
        """What the fates count: a long file's rows, or a wide file's analyte cells."""
        return "cells" if self.layout == "wide" else "rows"

    def names(self, fate: str, limit: int | None = None) -> list[tuple[str, int]]:
        """The names of a fate's rows, most frequent first (then by name)."""
        found = sorted(self.named.get(fate, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        return found if limit is None else found[:limit]

    def note_unused_covariates(self) -> None:
        """Warn of covariate rows (albumin, glucose) that a run without panels could not use:
        a correction takes its covariate from the result's own panel, so without panels
        they correct nothing, which a clinician expecting corrected values must be told."""
        count = self.fates["covariate"]
        if count and self.panels is None:
            names = ", ".join(name for name, _ in self.names("covariate", 3))
            self.warnings.append(
                f"{counted(count, 'row')} of covariates ({names}) corrected nothing: a "
                "correction takes its covariate from the result's own panel, and this run made "
                "no panels (they need patient and time columns)"
            )

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, dict[str, int]] = {}
        for (analyte, flag), count in sorted(self.flags.items()):
            counts.setdefault(analyte, {})[flag] = count
        named: dict[str, Any] = {}
        for fate in NAMED_FATES:
            listed = self.names(fate)
            shown = listed[:NAMES_LISTED]
            left = listed[NAMES_LISTED:]
            named[fate] = {
                "names": [{"name": name, "count": count} for name, count in shown],
                "left_off": {
                    "names": len(left),
                    "count": sum(c for _, c in left) + self.unnamed[fate],
                },
            }
        return {
            "layout": self.layout,
            "columns": self.columns,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "blank_lines": self.blank_lines,
            "results": self.results,
            "cell_errors": self.cell_errors,
            "rows_with_errors": self.rows_with_errors,
            "flags": counts,
            "counted": self.counted(),
            "fates": {fate: self.fates[fate] for fate in FATE_NAMES},
            "by_column": {
                name: {fate: fates[fate] for fate in FATE_NAMES}
                for name, fates in self.by_column.items()
            },
            "named": named,
            "unread_columns": self.unread_columns,
            "lookalike_columns": [
                {"name": name, "count": count} for name, count in self.lookalike_columns.items()
            ],
            "unknown": self.unknown,
            "unrecognised_electrolytes": self.unrecognised_electrolytes,
            "lab_flag_disagreements": self.lab_flag_disagreements,
            "patterns": dict(sorted(self.patterns.items())),
            "panels": None if self.panels is None else self.panels.to_dict(),
            "by_patient": None if self.by_patient is None else self.by_patient.to_dict(),
            "fhir": None if self.fhir is None else self.fhir.to_dict(),
            "hl7": None if self.hl7 is None else self.hl7.to_dict(),
            "medications": None if self.medications is None else self.medications.to_dict(),
            "fhir_output": None if self.fhir_output is None else self.fhir_output.to_dict(),
            "warnings": self.warnings,
        }


def count_batch(result: pl.DataFrame, layout: Layout, summary: Summary) -> None:
    """Add what one processed batch holds to ``summary``."""
    names = added_names(layout)
    column = {name: f"r{i}" for i, name in enumerate(names)}
    summary.rows_written += result.height
    # (null counts are kept with the columns: nothing is scanned to count)
    summary.rows_with_errors += result.height - result[column["errors"]].null_count()
    if layout.kind == "long":
        counts = result.group_by(column["analyte"], column["flag"]).len().drop_nulls()
        for analyte, flag, count in counts.iter_rows():
            summary.flags[(analyte, flag)] += count
            summary.results += count
    else:
        keys = [c.analyte for c in layout.wide] + [key for key, _, _ in layout.corrections]
        prefixes = wide_prefixes(layout.wide) + derived_prefixes(layout)
        for key, prefix in zip(keys, prefixes, strict=True):
            # Counted with the nulls, then the nulls left out: cheaper than dropping them.
            flags = result[column[f"{prefix}flag"]].value_counts()
            for flag, count in flags.iter_rows():
                if flag is not None:
                    summary.flags[(key, flag)] += count
                    summary.results += count
        # Each distinct list of patterns is split once, not each row's.
        for patterns, count in result[column["patterns"]].value_counts().iter_rows():
            if patterns is not None:
                for pattern in patterns.split("; "):
                    summary.patterns[pattern] += count
    summary.cell_errors += sum(
        result.height - result[name].null_count() for name in error_columns(layout)
    )
    _count_fates(result, layout, summary)


def _count_fates(result: pl.DataFrame, layout: Layout, summary: Summary) -> None:
    """What became of each value of the batch, and the names of those not interpreted."""
    if layout.kind == "wide" and not summary.unread_columns:
        summary.unread_columns = [layout.header[i] for i in layout.unread]
    for i, name in enumerate(fate_columns(layout)):
        here: Counter[str] = Counter()
        for code, count in result[name].value_counts().iter_rows():
            if code is None:  # a row electrocheck added (a corrected result)
                continue
            here[FATES[code]] += count
            if code == DISAGREES:
                summary.lab_flag_disagreements += count
        summary.fates.update(here)
        if layout.kind == "wide":
            summary.by_column.setdefault(layout.wide[i].header, Counter()).update(here)
        if any(fate in NAMED_FATES for fate in here):
            _count_names(result, name, i, layout, summary)
    for i in layout.lookalike:
        values = result.select(blank_to_null(pl.col(f"c{i}")).is_not_null().sum()).item()
        summary.lookalike_columns[layout.header[i]] += values


def _shown_test(layout: Layout, name: str) -> pl.Expr:
    """A test column's text as the summary names it: an OMOP concept id as ``concept N``,
    and concept 0 ("no matching concept") as no name."""
    text = blank_to_null(pl.col(name))
    warehouse = layout.warehouse
    if warehouse is None or warehouse.concept is None or name != f"c{warehouse.concept}":
        return text
    concept = text.str.strip_chars().str.replace(r"\.0+$", "")
    return pl.when(concept == "0").then(None).otherwise(pl.concat_str(pl.lit("concept "), concept))


def _count_names(result: pl.DataFrame, fate: str, i: int, layout: Layout, summary: Summary) -> None:
    """Count the rows of the named fates by name: a long row's test (the first of its test
    columns that is not blank), a wide cell's column; with the specimen, where a specimen
    column put the row there (``Potassium (Urine)``). The rows are grouped by their texts
    first, and only the few groups are named."""
    named = (COVARIATE, OTHER_TEST, LOOKALIKE, OTHER_SPECIMEN, UNKNOWN_SPECIMEN)
    tests = [f"c{t}" for t in layout.long.tests] if layout.long is not None else []
    specimen = [f"c{layout.specimen}"] if layout.specimen is not None else []
    keys = [fate, *tests, *specimen]
    grouped = result.select(keys).filter(pl.col(fate).is_in(named)).group_by(keys).len()
    if tests:
        test = pl.coalesce([_shown_test(layout, t) for t in tests])
    else:
        test = pl.lit(layout.wide[i].header)
    shown = test.fill_null(pl.lit("(no test name)"))
    if specimen:
        given = blank_to_null(pl.col(specimen[0]))
        by_specimen = pl.col(fate).is_in([OTHER_SPECIMEN, UNKNOWN_SPECIMEN]) & given.is_not_null()
        shown = (
            pl.when(by_specimen)
            .then(pl.concat_str(shown, pl.lit(" ("), given, pl.lit(")")))
            .otherwise(shown)
        )
    for code, text, count in grouped.select(fate, shown.alias("name"), "len").iter_rows():
        kept = summary.named.setdefault(FATES[code], Counter())
        name = " ".join(text.split())
        if name in kept or len(kept) < NAMES_KEPT:
            kept[name] += count
        else:
            summary.unnamed[FATES[code]] += count


__all__ = [
    "ALONE_REASONS",
    "FATE_NAMES",
    "NAMED_FATES",
    "UNKNOWN_FATES",
    "PanelSummary",
    "Summary",
    "count_batch",
]
