"""What a batch run read, wrote and found: the :class:`Summary`, and the counting of it.

The summary is counted batch by batch from the processed batches themselves (by the column
names of :mod:`~electrocheck.batch.columns`): rows read and written, results and their flags
per analyte, cells with errors and the rows that hold them, and the warnings of the run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from electrocheck.batch.columns import (
    derived_prefixes,
    error_columns,
    output_names,
    wide_prefixes,
)
from electrocheck.batch.layout import Layout


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

    def any_flag(self, flags: frozenset[str]) -> bool:
        return any(count for (_, flag), count in self.flags.items() if flag in flags)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, dict[str, int]] = {}
        for (analyte, flag), count in sorted(self.flags.items()):
            counts.setdefault(analyte, {})[flag] = count
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
            "warnings": self.warnings,
        }


def count_batch(result: pl.DataFrame, layout: Layout, summary: Summary) -> None:
    """Add what one processed batch holds to ``summary``."""
    names = output_names(layout)
    column = {name: f"r{i}" for i, name in enumerate(names)}
    summary.rows_written += result.height
    summary.rows_with_errors += int(result[column["errors"]].is_not_null().sum())
    if layout.kind == "long":
        counts = result.group_by(column["analyte"], column["flag"]).len().drop_nulls()
        for analyte, flag, count in counts.iter_rows():
            summary.flags[(analyte, flag)] += count
            summary.results += count
    else:
        keys = [c.analyte for c in layout.wide] + [key for key, _, _ in layout.corrections]
        prefixes = wide_prefixes(layout.wide) + derived_prefixes(layout)
        for key, prefix in zip(keys, prefixes, strict=True):
            flags = result[column[f"{prefix}flag"]].drop_nulls().value_counts()
            for flag, count in flags.iter_rows():
                summary.flags[(key, flag)] += count
                summary.results += count
    summary.cell_errors += sum(
        int(result[name].is_not_null().sum()) for name in error_columns(layout)
    )


__all__ = ["Summary", "count_batch"]
