"""How the rows of a long file grouped into panels are read: once, twice, or a part of its
patients at a time.

:class:`~electrocheck.batch.panels.Panels` needs every row of a panel, and every earlier result
of a patient, before it can answer for any of them; its first pass builds the table of panels
and changes over time, and the run's usual pass then interprets the rows with it. The rows are
had for both passes in one of three ways:

- **Once, kept in memory**, where the file's rows fit in :data:`IN_MEMORY_BYTES` (polars'
  estimate of the text read: about 1.2 million rows of 7 short columns, whose run peaks near
  0.7 GB). The first pass reads them and keeps them, joined into batches of about
  :data:`HELD_BYTES`, and compares the changes over time while it makes the panel table, on
  another core; the usual pass takes the rows from memory (each joined batch in parts of at
  most :data:`USUAL_ROWS` rows), letting go of each batch once it is interpreted.
- **Twice, streaming**, for a larger file: the first reading builds the panel table (its
  blocks joined as above), the second interprets (in the blocks as read). Memory holds the
  table and a few small columns per row, not the rows. A file larger than
  :data:`IN_MEMORY_BYTES` on disk is read this way; a smaller one (compressed, or a
  spreadsheet) found too large while being read once is read again this way from the start.
- **A part of the patients at a time**, where the rows are declared sorted by patient
  (``--sorted``): parts of about :data:`PART_ROWS` rows that end where a patient does are each
  read once, in memory (the first pass's blocks joined as above), and interpreted before the
  next, so memory does not grow with the file. Every panel and every change over time belongs
  to one patient, so each part gives its rows the answers of the whole file, and the panels
  are numbered on from part to part. The ids may rise as text or, where all are digits, as
  numbers (see :class:`_Order`); a patient id lower than the one before it in both stops the
  run with an error naming the row: a row out of order is never put in the wrong part. Rows
  without a patient id are interpreted alone wherever they are. A specimen number shared by
  two patients is found among the patients of one part.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import polars as pl

from electrocheck.batch.cells import blank_to_null, without_blank_lines
from electrocheck.batch.engine import BatchInterpreter
from electrocheck.batch.layout import Layout
from electrocheck.batch.summary import PanelSummary
from electrocheck.batch.threads import prefetched
from electrocheck.errors import InputError, quote
from electrocheck.formats.frame import internal_names
from electrocheck.reference import Reference

if TYPE_CHECKING:  # loaded by a file grouped into panels only: see panel_steps
    from electrocheck.batch.panels import Panels

#: Bytes of rows (polars' estimate of the batches read) kept in memory to read a file once.
IN_MEMORY_BYTES = 80 << 20
#: Rows of a part of a sorted file's patients (more where the last patient runs on).
PART_ROWS = 500_000
#: Bytes of a batch with panels (polars' estimate, as for IN_MEMORY_BYTES): the blocks read
#: are joined until they hold as much for the first pass (of a file kept in memory, read
#: twice, or a part of a sorted one). Each of the many steps a batch with panels goes through
#: costs less per row on larger batches (at 1M rows of 7 short columns, batches of about
#: 126,000 rows instead of 31,500 take about a fifth off the time).
HELD_BYTES = 6 << 20
#: Rows of a batch of the usual pass of a file kept in memory, at most: each joined batch is
#: taken in equal parts of no more. Its batches in flight (being interpreted, given their
#: panels' columns, written) as large as the first pass's cost about 0.2 GB more at the peak
#: of 1M rows of 7 columns, and 0.6 GB more for a file of specimen numbers alone (more rows
#: to a joined batch), for a few percent less time (up to a tenth on a busy machine); in the
#: blocks as read, the same memory as in parts and 15 % more time.
USUAL_ROWS = 65_000

Batch = tuple[pl.DataFrame, int]  # a batch of rows, and how far into the file it ends
#: Each batch with the panels it is interpreted with (None: a file whose rows are not grouped).
Step = tuple["Panels | None", Batch]


def __getattr__(name: str) -> object:
    """``Panels``, loaded when first asked for: a file without panels never loads them."""
    if name == "Panels":
        from electrocheck.batch.panels import Panels

        return Panels
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _TooLarge(Exception):
    """The rows read so far do not fit in :data:`IN_MEMORY_BYTES`."""


def panel_steps(
    layout: Layout,
    reference: Reference,
    interpreter: BatchInterpreter,
    batches: Iterator[Batch],
    again: Callable[[], Iterator[Batch]] | None,
    reread: Callable[[], Iterator[Batch]] | None = None,
    sorted_rows: bool = False,
    size: int | None = None,
) -> tuple[PanelSummary | None, Iterator[Step]]:
    """The summary of a long file's panels (None where its rows are not grouped), and each of
    its batches with the panels it is interpreted with. ``batches`` is the file's reading;
    ``again()`` reads it from the start again for a first pass (None: it cannot be, and the
    rows are not grouped), ``reread()`` for the run's usual pass (``again`` where None);
    ``sorted_rows``: the rows are declared sorted by patient (``--sorted``); ``size``: the
    file's bytes on disk, where known."""
    if sorted_rows and (layout.panels is None or layout.panels.patient is None):
        raise InputError(
            "--sorted reads a long file a part of its patients at a time: it needs its rows "
            "grouped into panels by a patient column (give --patient-column, without "
            "--no-panels)"
        )
    if layout.panels is None or again is None:
        return None, ((None, batch) for batch in prefetched(batches))
    from electrocheck.batch.panels import Panels  # a file without panels never loads them

    panels = Panels(layout, reference, interpreter)
    if sorted_rows:
        return panels.summary, _parts(panels, prefetched(batches))
    return panels.summary, _whole(panels, batches, again, reread or again, size)


def _whole(
    panels: Panels,
    batches: Iterator[Batch],
    again: Callable[[], Iterator[Batch]],
    reread: Callable[[], Iterator[Batch]],
    size: int | None,
) -> Iterator[Step]:
    """The batches of a whole file: read once where they fit in memory, else twice (a file
    larger on disk than the memory allowed is not tried)."""
    if size is None or size <= IN_MEMORY_BYTES:
        held = _held(panels, batches)
        if held is not None:
            held.reverse()  # each batch let go of once it is taken
            while held:
                yield from ((panels, part) for part in _parted(held.pop()))
            return
        batches = reread()  # (the rows held were let go of)
        summary = panels.summary
        panels = type(panels)(panels.layout, panels.reference, panels.interpreter)
        panels.summary = summary  # (nothing was counted in it yet)
    # The first reading's blocks joined as a file's kept in memory are; the second's not:
    # larger batches in flight there would take the run past 1 GB at 5M rows.
    panels.first_pass(_regrouped(prefetched(again()), HELD_BYTES))
    yield from ((panels, batch) for batch in prefetched(batches))


def _held(panels: Panels, batches: Iterator[Batch]) -> list[Batch] | None:
    """The batches, kept while the panels' first pass reads them; None where they do not
    fit in :data:`IN_MEMORY_BYTES` (the reading then stops, and they are let go of; the
    limit is checked once per joined batch, so it may be passed by one of them)."""
    held: list[Batch] = []
    reading = prefetched(batches)

    def holding() -> Iterator[Batch]:
        size = 0.0
        for batch in _regrouped(reading, HELD_BYTES):
            held.append(batch)
            size += batch[0].estimated_size()
            if size > IN_MEMORY_BYTES:
                raise _TooLarge
            yield batch

    try:
        panels.first_pass(holding(), at_once=True)
    except _TooLarge:
        held.clear()
        _close(reading)  # the reader thread stops
        return None
    return held


def _regrouped(batches: Iterator[Batch], size: int) -> Iterator[Batch]:
    """``batches`` joined into batches of at least ``size`` bytes (polars' estimate; the last
    may hold less), each of blocks that follow each other with the same columns; each ends
    where its last block does."""
    group: list[Batch] = []
    held = 0.0
    for batch in batches:
        if group and batch[0].columns != group[0][0].columns:
            yield _joined(group)
            group, held = [], 0.0
        group.append(batch)
        held += batch[0].estimated_size()
        if held >= size:
            yield _joined(group)
            group, held = [], 0.0
    if group:
        yield _joined(group)


def _parted(batch: Batch) -> Iterator[Batch]:
    """``batch`` in equal parts of at most :data:`USUAL_ROWS` rows, in order, each said to end
    where the batch does (a batch no longer, as it is)."""
    frame, end = batch
    parts = -(-frame.height // USUAL_ROWS)
    if parts <= 1:
        yield batch
        return
    size = -(-frame.height // parts)
    for start in range(0, frame.height, size):
        yield frame.slice(start, size), end


def _joined(group: list[Batch]) -> Batch:
    """One batch of the rows of ``group``, in order, ending where its last block does."""
    if len(group) == 1:
        return group[0]
    return pl.concat([frame for frame, _ in group]), group[-1][1]


def _close(batches: Iterator[Batch]) -> None:
    close = getattr(batches, "close", None)
    if close is not None:
        close()


def _parts(panels: Panels, batches: Iterator[Batch]) -> Iterator[Step]:
    """The batches of a file sorted by patient, a part of its patients at a time."""
    columns = panels.columns
    assert columns.patient is not None
    name = f"c{columns.patient}"
    originals = internal_names(len(panels.layout.header))
    order = _Order(panels.layout.header[columns.patient])
    whole = panels.summary  # the first part's: each next part's counts join it
    part: list[Batch] = []
    rows = 0  # in the part (blank lines too)
    done = False  # whether a part was interpreted
    for batch, position in batches:
        frame, _ = without_blank_lines(batch, originals)
        before = order.last
        order.check(frame[name])
        part.append((batch, position))
        rows += batch.height
        if rows < PART_ROWS:
            continue
        head, tail = _at_last_patient(batch, name)
        if not head.height and order.last == before:  # one patient, who may run on
            continue
        part[-1] = (head, position)
        if rows > tail.height:  # the part has rows of its own
            yield from _part(panels, part)
            panels, done = _next(panels, whole), True
        part, rows = [(tail, position)], tail.height
    if part or not done:
        yield from _part(panels, part)


def _part(panels: Panels, part: list[Batch]) -> Iterator[Step]:
    """One part's batches with its panels, each let go of once it is taken."""
    # The first pass's blocks joined, the usual pass's not: larger batches in flight there
    # would take --sorted from about 0.5 GB to 0.8.
    panels.first_pass(_regrouped(iter(part), HELD_BYTES), at_once=True)
    part.reverse()
    while part:
        yield panels, part.pop()


def _next(panels: Panels, whole: PanelSummary) -> Panels:
    """The panels of the part after ``panels``'s: numbered on, counted in ``whole``."""
    assert panels.table is not None
    return type(panels)(
        panels.layout,
        panels.reference,
        panels.interpreter,
        whole,
        first_row=panels.first_row + panels.rows_kept,
        first_panel=panels.first_panel + panels.table.height,
    )


def _at_last_patient(batch: pl.DataFrame, name: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A batch cut where its last patient's rows start (rows without an id go with the rows
    before them); all of it after the cut where no row has an id."""
    ids = batch.select(blank_to_null(pl.col(name)).alias("id")).with_row_index("i")
    present = ids.drop_nulls("id")
    if present.is_empty():  # no patient starts here
        return batch.head(0), batch
    last = present["id"][-1]
    others = present.filter(pl.col("id") != last)
    cut = 0 if others.is_empty() else int(others["i"][-1]) + 1
    return batch.head(cut), batch.slice(cut)


class _Order:
    """Checks that the patient ids of a file's rows never go down, batch after batch, in one
    of two orders: as text (``F10`` before ``F9``, as ``LC_ALL=C sort`` gives them), or as
    numbers where every id is digits (``9`` before ``10``, as a numeric sort gives them).
    Either keeps each patient's rows together. The run stops at the first row past which
    neither holds, naming where each order broke."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.last: str | None = None
        self.rows = 0  # rows checked (without blank lines)
        # Where each order broke (the row, its id, the id before it; None: it holds so far),
        # and whether it was an id that is not digits that broke the order of numbers.
        self.text: tuple[int, str, str] | None = None
        self.number: tuple[int, str, str] | None = None
        self.letters = False

    def check(self, texts: pl.Series) -> None:
        ids = pl.DataFrame({"id": texts}).select(blank_to_null(pl.col("id")).alias("id"))
        present = ids.with_row_index("i").drop_nulls("id")
        if not present.height:
            self.rows += texts.len()
            return
        before = pl.col("id").shift(1)
        if self.last is not None:
            before = before.fill_null(pl.lit(self.last))
        present = present.with_columns(before.alias("before"))
        found = present.select(
            text=_first(pl.col("id") < pl.col("before")),
            number=_first(_below(pl.col("id"), pl.col("before"))),
            letters=_first(~_digits(pl.col("id"))),
        ).row(0)

        def where(i: int) -> tuple[int, str, str]:
            at, found_id, earlier = present.row(i)
            return self.rows + int(at) + 1, found_id, earlier

        if self.text is None and found[0] is not None:
            self.text = where(found[0])
        breaks = [n for n in found[1:] if n is not None]
        if self.number is None and breaks:
            self.number = where(min(breaks))
            self.letters = min(breaks) == found[2]
        if self.text is not None and self.number is not None:
            raise InputError(f"--sorted: {self._neither()} (sort them, or leave out --sorted)")
        self.last = present["id"][-1]
        self.rows += texts.len()

    def _neither(self) -> str:
        """Where the ids stopped rising in both orders."""
        assert self.text is not None and self.number is not None
        text, number, column = self.text, self.number, self.column

        def pair(broke: tuple[int, str, str]) -> str:
            row, found, earlier = broke
            return f"row {row} has {column} {quote(found)} after {quote(earlier)}"

        if self.letters:  # ids that are not numbers: the order of text alone
            return f"{pair(text)}: the rows are not sorted by patient id"
        if text == number:
            return f"{pair(text)}: the rows are sorted by patient id neither as text nor as numbers"
        return (
            f"the rows are sorted by patient id neither as text ({pair(text)}) nor as numbers "
            f"({pair(number)})"
        )


def _first(wrong: pl.Expr) -> pl.Expr:
    """The position of the first row where ``wrong`` holds, or null."""
    return wrong.fill_null(False).arg_true().first()


def _digits(ids: pl.Expr) -> pl.Expr:
    return ids.str.contains(r"^[0-9]+$")


def _below(ids: pl.Expr, before: pl.Expr) -> pl.Expr:
    """Whether an id of digits is a lower number than the one before it (a number's leading
    zeros break ties, so that ``7`` and ``007`` are not taken for one patient)."""
    a, b = ids.str.strip_chars_start("0"), before.str.strip_chars_start("0")
    la, lb = a.str.len_bytes(), b.str.len_bytes()
    return (la < lb) | ((la == lb) & ((a < b) | ((a == b) & (ids < before))))


__all__ = ["IN_MEMORY_BYTES", "PART_ROWS", "Step", "panel_steps"]
