"""Results that may be false by a sign of their specimen, read from a lab file's columns: a
haemolysis index or flag, a comment that says haemolysed, a platelet or white-cell count.

The signs and the columns they are read from are data (``specimen_signs`` in the reference
file); the patterns that need one are the ``patterns`` entries with ``specimen:``
(:attr:`~electrocheck.reference.Reference.specimen_patterns`). A row matches such a pattern
when its result of the pattern's analyte meets the pattern's level (potassium high) and one of
its own columns shows the sign (a wide row: any of its results; a long row: its own result).
The pattern's id joins the row's ``patterns``; in a long file's JSON Lines its note, with the
column and the cell that showed the sign, joins ``pattern_notes``. Flags and grades stay.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from electrocheck.batch.cells import constant
from electrocheck.batch.columns import FLAG_CODES, NOTES_SEP, PATTERN_NOTES
from electrocheck.batch.patterns import meets
from electrocheck.reference import Pattern, Reference
from electrocheck.reference.model import SpecimenSign, header_squeezed, header_unit

#: The separator of a sign's test name and value in a panel's table.
_US = "\x1f"
#: A number at the start of a cell, and what follows it.
_NUMBER = r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(.*?)\s*$"


@dataclass(frozen=True)
class _Column:
    index: int
    header: str
    comment: bool  # a free-text comment: only its words are read


class SpecimenSigns:
    """The sign columns of one file's header, and the patterns they can show."""

    def __init__(self, header: Sequence[str], reference: Reference) -> None:
        self.reference = reference
        self.columns: dict[str, list[_Column]] = {}
        for key, sign in reference.specimen_signs.items():
            found = []
            for i, name in enumerate(header):
                unit = header_unit(name)
                if sign.units and unit and unit not in sign.units:
                    continue  # a count in a unit it is not known in: not read
                if header_squeezed(name) in sign.columns:
                    found.append(_Column(i, name.strip(), False))
                elif header_squeezed(name) in sign.comment_columns:
                    found.append(_Column(i, name.strip(), True))
            if found:
                self.columns[key] = found
        self.patterns: list[Pattern] = [
            p for p in reference.specimen_patterns if p.specimen in self.columns
        ]

        # A long file's panels: a sign may be a test of the panel too (a Platelets row).
        self.in_panels = sorted({str(p.specimen) for p in reference.specimen_patterns})

    @property
    def active(self) -> bool:
        """Whether the file has a column any pattern's sign is read from."""
        return bool(self.patterns)

    def with_panel_facts(
        self, frame: pl.DataFrame, tests: tuple[int, ...], value: pl.Expr, unit: pl.Expr
    ) -> pl.DataFrame:
        """``frame`` (rows of a long file's panels) with, for each sign a pattern needs, where
        a row's test (any of the ``tests`` columns) names the sign and its ``value`` (with its
        ``unit``) shows it, the test's name and the value, ``name<US>value``, as
        ``sg_<sign>``. Test names are squeezed once per distinct name, and only the rows of a
        sign's tests read."""
        found = []
        for key in self.in_panels:
            sign = self.reference.specimen_signs[key]
            named = constant("", False, frame.height, pl.Boolean)
            for i in tests:
                names = frame[f"c{i}"].drop_nulls().unique().to_list()
                mine = [n for n in names if header_squeezed(n) in sign.columns]
                if mine:
                    named = named | frame[f"c{i}"].is_in(mine).fill_null(False)
            column = constant(f"sg_{key}", None, frame.height, pl.String)
            if named.any():
                cell = pl.concat_str(value.str.strip_chars(), pl.lit(" "), unit.fill_null(""))
                rows = frame.filter(named).select(
                    cell.str.strip_chars().alias("cell"),
                    pl.col(f"c{tests[0]}").str.strip_chars().alias("name"),
                )
                showing = _showing(rows["cell"], sign, False)
                shown = rows.select(
                    pl.when(pl.col("cell").is_in(showing.implode())).then(
                        pl.concat_str("name", pl.lit(_US), "cell")
                    )
                ).to_series()
                column = column.scatter(named.arg_true(), shown)
            found.append(column)
        return frame.with_columns(found) if found else frame

    def panel_aggregates(self) -> list[pl.Expr]:
        """How ``sg_<sign>`` is folded into one per panel: the first row that shows it."""
        return [pl.col(f"sg_{k}").drop_nulls().first().alias(f"sg_{k}") for k in self.in_panels]

    def shown(self, frame: pl.DataFrame, key: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
        """Whether each row of ``frame`` shows the sign ``key``, the header of the first
        column that shows it, and that column's cell. Each distinct cell is read once."""
        sign = self.reference.specimen_signs[key]
        present: pl.Expr = pl.lit(False)
        header: pl.Expr = pl.lit(None, pl.String)
        value: pl.Expr = pl.lit(None, pl.String)
        for column in reversed(self.columns[key]):  # the first column's evidence wins
            cell = pl.col(f"c{column.index}").str.strip_chars()
            showing = _showing(frame[f"c{column.index}"], sign, column.comment)
            # The cells as written: no row's text is stripped to find them.
            here = pl.col(f"c{column.index}").is_in(showing.implode()).fill_null(False)
            present = present | here
            header = pl.when(here).then(pl.lit(column.header)).otherwise(header)
            value = pl.when(here).then(cell).otherwise(value)
        return present, header, value

    def wide(
        self, frame: pl.DataFrame, patterns: pl.Series, analytes: list[str], flags: list[pl.Series]
    ) -> pl.Series:
        """A wide batch's ``patterns`` with the ids of the patterns of a sign each row
        matches: ``analytes`` and ``flags`` (as :data:`FLAG_CODES`) are its result columns'."""
        codes = {f"f{i}": flag for i, flag in enumerate(flags)}
        found = frame.select(pl.col(f"c{c.index}") for cs in self.columns.values() for c in cs)
        found = found.with_columns(pl.Series(n, s) for n, s in codes.items())
        ids = []
        present_of: dict[str, pl.Expr] = {}  # each sign's cells read once, for all its patterns
        for pattern in self.patterns:
            takes_part = pl.all_horizontal(
                pl.any_horizontal(
                    [meets(pl.col(f"f{i}"), level) for i, a in enumerate(analytes) if a == key]
                    or [pl.lit(False)]
                ).fill_null(False)
                for key, level in pattern.when
            )
            sign = str(pattern.specimen)
            if sign not in present_of:
                present_of[sign] = self.shown(frame, sign)[0]
            present = present_of[sign]
            ids.append(pl.when(takes_part & present).then(pl.lit(pattern.id)))
        added: pl.Series = found.select(
            pl.concat_str([pl.lit(patterns), *ids], separator="; ", ignore_nulls=True)
            .replace("", None)
            .alias(patterns.name)
        ).to_series()
        return added

    def long(self, frame: pl.DataFrame, analyte: str, flag: str, ids: str) -> pl.DataFrame:
        """A long batch (in panels) with the ids and notes of the patterns of a sign each
        row's result matches: its ``analyte`` and ``flag`` columns, and its ``ids``. The sign
        is the row's own columns', else its panel's (``sg_<sign>``: a test of the panel)."""
        code = pl.col(flag).replace_strict(FLAG_CODES, default=None, return_dtype=pl.Int8)
        added_ids, added_notes = [], []
        parts: list[pl.Expr] = []
        for pattern in self.reference.specimen_patterns:
            if len(pattern.when) != 1:
                continue  # a long row holds one result: a pattern of one analyte
            ((key, level),) = pattern.when
            sign = str(pattern.specimen)
            present, header, value = (
                self.shown(frame, sign)
                if sign in self.columns
                else (pl.lit(False), pl.lit(None, pl.String), pl.lit(None, pl.String))
            )
            if f"sg_{sign}" in frame.columns:  # a test of the panel shows it
                panel = pl.col(f"sg_{sign}").str.split_exact(_US, 1).struct
                header = pl.when(present).then(header).otherwise(panel.field("field_0"))
                value = pl.when(present).then(value).otherwise(panel.field("field_1"))
                present = present | pl.col(f"sg_{sign}").is_not_null()
            takes_part = (pl.col(analyte) == key) & meets(code, level).fill_null(False) & present
            parts.append(takes_part)
            added_ids.append(pl.when(takes_part).then(pl.lit(pattern.id)))
            added_notes.append(pl.when(takes_part).then(_note(pattern.note, header, value)))
        if not parts or not frame.select(pl.any_horizontal(parts).fill_null(False).any()).item():
            return frame  # no row takes part in one: its ids and notes stay as they are
        return frame.with_columns(
            pl.concat_str([pl.col(ids), *added_ids], separator="; ", ignore_nulls=True)
            .replace("", None)
            .alias(ids),
            pl.concat_str(
                [pl.col(PATTERN_NOTES), *added_notes], separator=NOTES_SEP, ignore_nulls=True
            )
            .replace("", None)
            .alias(PATTERN_NOTES),
        )


def sign_counts(reference: Reference, ids: pl.Series) -> dict[str, int]:
    """How many rows hold each pattern of a sign, from their ``"; "``-joined ``ids``."""
    mine = [p.id for p in reference.specimen_patterns]
    found = ids.drop_nulls().str.split("; ").explode()
    counts = found.filter(found.is_in(mine)).value_counts()
    return {str(name): int(count) for name, count in counts.iter_rows()}


def _showing(cells: pl.Series, sign: SpecimenSign, comment: bool) -> pl.Series:
    """The distinct cells of ``cells``, as written, that show ``sign`` (read stripped)."""
    distinct = cells.drop_nulls().unique().to_frame("cell")
    stripped = pl.col("cell").str.strip_chars()
    return distinct.filter(_shows(stripped, sign, comment).fill_null(False))["cell"]


def _shows(cell: pl.Expr, sign: SpecimenSign, comment: bool) -> pl.Expr:
    """Whether a cell shows ``sign``: a number above its limit (in one of its units), a
    whole text that says so, or one of its words, and none of its negations."""
    lower = cell.str.to_lowercase()
    negated = _any_word(lower, sign.negations)
    said = _any_word(lower, sign.words)
    if comment:
        return said & ~negated
    number = cell.str.extract(_NUMBER, 1).cast(pl.Float64, strict=False)
    written = cell.str.extract(_NUMBER, 2)
    rest = _unit(written)
    unit_ok = (written == "") | (rest.is_in(list(sign.units)) if sign.units else pl.lit(False))
    is_number = number.is_not_null() & unit_ok
    above = is_number & (number > sign.above) if sign.above is not None else pl.lit(False)
    whole = lower.str.replace_all(r"\s+", " ").is_in(list(sign.positive))
    return pl.when(is_number).then(above).otherwise((whole | said) & ~negated)


def _unit(text: pl.Expr) -> pl.Expr:
    """A unit as :func:`~electrocheck.reference.model.squeezed` squeezes it."""
    return text.str.to_lowercase().str.replace_all("[µμ]", "u").str.replace_all(r"[\W_]+", "")


def _squeezed(name: pl.Expr) -> pl.Expr:
    """A test's name as :func:`~electrocheck.reference.model.header_squeezed` squeezes it."""
    without_unit = name.str.to_lowercase().str.replace_all(r"\([^)]*\)|\[[^\]]*\]", " ")
    return _unit(without_unit)


def _any_word(text: pl.Expr, words: frozenset[str]) -> pl.Expr:
    if not words:
        return pl.lit(False)
    pattern = r"(?:^|[^\w])(?:" + "|".join(re.escape(w) for w in sorted(words)) + r")(?:$|[^\w])"
    return text.str.contains(pattern)


def _note(note: str, header: pl.Expr, value: pl.Expr) -> pl.Expr:
    """A pattern's note with ``{column}`` and ``{value}`` filled in for each row."""
    parts: list[pl.Expr] = []
    for piece in re.split(r"(\{column\}|\{value\})", note):
        if piece == "{column}":
            parts.append(header)
        elif piece == "{value}":
            parts.append(pl.concat_str(pl.lit("'"), value, pl.lit("'")))
        elif piece:
            parts.append(pl.lit(piece))
    return pl.concat_str(parts)


__all__ = ["SpecimenSigns", "sign_counts"]
