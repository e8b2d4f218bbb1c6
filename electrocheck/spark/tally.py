"""The run's summary, counted by the tasks and added up on the driver.

Each task counts its rows as ``batch`` counts its batches
(:func:`~electrocheck.batch.summary.count_batch`) and sends its
:class:`~electrocheck.batch.summary.Summary` through a Spark accumulator, under the number
of its partition: a task Spark runs again (after a failure, or to rebuild a lost partition)
replaces its partition's count instead of adding to it. :func:`added_up` folds the
partitions' counts into one summary, in the order of the partitions.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pyspark.accumulators import AccumulatorParam

from electrocheck.batch.summary import NAMES_KEPT, PanelSummary, Summary

Counts = dict[int, Summary]


class PartitionCounts(AccumulatorParam[Counts]):
    """An accumulator of the summaries of partitions, by partition number."""

    def zero(self, value: Counts) -> Counts:
        return {}

    def addInPlace(self, value1: Counts, value2: Counts) -> Counts:
        value1.update(value2)
        return value1


def added_up(base: Summary, counts: Counts) -> Summary:
    """``base`` (the driver's layout, columns and warnings) with every partition's counts."""
    for part in sorted(counts):
        _add(base, counts[part])
    return base


def _add(total: Summary, part: Summary) -> None:
    for name in (
        "rows_read",
        "rows_written",
        "blank_lines",
        "results",
        "cell_errors",
        "rows_with_errors",
        "lab_flag_disagreements",
    ):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    for counter in ("flags", "fates", "unnamed", "lookalike_columns", "patterns"):
        getattr(total, counter).update(getattr(part, counter))
    for column, fates in part.by_column.items():
        total.by_column.setdefault(column, Counter()).update(fates)
    for fate, names in part.named.items():
        kept = total.named.setdefault(fate, Counter())
        for name, count in names.items():
            if name in kept or len(kept) < NAMES_KEPT:
                kept[name] += count
            else:
                total.unnamed[fate] += count
    if not total.unread_columns:
        total.unread_columns = list(part.unread_columns)
    if part.panels is not None:
        total.panels = _panels_added(total.panels, part.panels)


def _panels_added(total: PanelSummary | None, part: PanelSummary) -> PanelSummary:
    if total is None:
        total = PanelSummary(columns=dict(part.columns), window=part.window)
    total.panels += part.panels
    total.rows_in_panels += part.rows_in_panels
    total.added += part.added
    total.shared_specimens += part.shared_specimens
    total.alone.update(part.alone)
    total.notes.update(part.notes)
    total.patterns.update(part.patterns)
    return total


def accumulator(context: Any) -> Any:
    """A new accumulator of partition counts on the SparkContext ``context``."""
    return context.accumulator({}, PartitionCounts())


__all__ = ["Counts", "PartitionCounts", "accumulator", "added_up"]
