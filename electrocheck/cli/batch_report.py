"""What ``electrocheck batch`` tells a person on stderr: a progress bar and a summary.

rich is imported only to draw the bar, on a terminal; a script's run imports nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from electrocheck.batch.run import Summary
from electrocheck.clinical.result import FLAGS


@contextmanager
def batch_progress(enabled: bool, stream: TextIO) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on ``stream`` while a batch runs, when it is a terminal."""
    if not enabled or not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("electrocheck batch"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_summary(summary: Summary, stream: TextIO) -> None:
    """What a batch run read, wrote and found."""
    columns = ", ".join(summary.columns)
    lines = [
        f"electrocheck batch: {summary.rows_read:,} rows read, {summary.rows_written:,} "
        f"written; {summary.layout} layout ({columns})",
        f"  {summary.results:,} results, {summary.cell_errors:,} cells with errors in "
        f"{summary.rows_with_errors:,} rows"
        + (f", {summary.blank_lines:,} blank lines skipped" if summary.blank_lines else ""),
    ]
    counts: dict[str, dict[str, int]] = {}
    for (analyte, flag), count in summary.flags.items():
        counts.setdefault(analyte, {})[flag] = count
    for analyte, flags in sorted(counts.items()):
        shown = ", ".join(f"{flag} {flags[flag]:,}" for flag in FLAGS if flag in flags)
        lines.append(f"  {analyte}: {shown}")
    lines += [f"  ! {warning}" for warning in summary.warnings]
    stream.write("\n".join(lines) + "\n")
