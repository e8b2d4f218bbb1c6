"""Cross-analyte patterns in a wide batch.

Which of the reference file's patterns (low magnesium with low potassium ...) each row
matches, from the flags of its results, by the rule of
:func:`electrocheck.clinical.patterns.sides` written as polars expressions over the flags'
codes; each distinct set of matches is named once and joined back to the rows, so a row gets
the patterns ``check`` finds for the same values.
"""

from __future__ import annotations

import polars as pl

from electrocheck.batch.columns import FLAG_CODES
from electrocheck.reference import PATTERN_LEVELS, Reference


def meets(code: pl.Expr, level: str) -> pl.Expr:
    """Whether a flag's code (:data:`FLAG_CODES`) meets a pattern's level (low, high, LL,
    HH: :data:`~electrocheck.reference.PATTERN_LEVELS`), as
    :func:`electrocheck.clinical.patterns.levels_of` says: the codes are in order, and each
    level holds the flags from one end."""
    codes = [FLAG_CODES[flag] for flag in PATTERN_LEVELS[level]]
    return code <= max(codes) if min(codes) == FLAG_CODES["LL"] else code >= min(codes)


class PatternFinder:
    """The ids of the patterns each row of a wide file matches, from the flags of its
    results: the rule of :func:`electrocheck.clinical.patterns.sides` (a corrected result stands in
    for the analyte it corrects, unless the pattern judges the values as measured) written as
    polars expressions over the flags' codes."""

    def __init__(self, reference: Reference, analytes: list[str]) -> None:
        self.reference = reference
        self.analytes = analytes  # the analyte (or correction) key of each flag column
        self.patterns_of: dict[int, str | None] = {}

    def patterns(self, codes: list[pl.Series]) -> pl.Series:
        """The ids of the patterns each row matches, ``"; "``-joined, or null. ``codes`` are
        the flags of each result column as :data:`FLAG_CODES`."""
        return self.named(self.bits(codes))

    def bits(self, codes: list[pl.Series]) -> pl.Series:
        """Which patterns each row matches, as the bits of one number (bit n: the reference
        file's pattern n)."""
        frame = pl.DataFrame([s.alias(f"f{i}") for i, s in enumerate(codes)])
        # Which patterns a row matches, as the bits of one number: few distinct numbers.
        bits = pl.sum_horizontal(
            pl.all_horizontal(self._on_side(a, side, p.measured) for a, side in p.when).cast(
                pl.Int64
            )
            * (1 << n)
            for n, p in enumerate(self.reference.patterns)
        )
        # with_columns, not select: where no pattern names a column of the file, ``bits`` is a
        # literal, and must still give one value per row.
        return frame.with_columns(bits.alias("bits"))["bits"]

    def named(self, matched: pl.Series) -> pl.Series:
        """The ``"; "``-joined ids of the patterns of each number of :meth:`bits`."""
        for value in matched.drop_nulls().unique().to_list():
            if value not in self.patterns_of:
                ids = [p.id for n, p in enumerate(self.reference.patterns) if value >> n & 1]
                self.patterns_of[value] = "; ".join(ids) or None
        if matched.is_empty():  # replace_strict would keep the integer type
            return pl.Series("patterns", [], dtype=pl.String)
        result: pl.Series = matched.replace_strict(self.patterns_of, return_dtype=pl.String)
        return result.alias("patterns")

    def _on_side(self, analyte: str, side: str, measured: bool) -> pl.Expr:
        """Whether a row's result of ``analyte`` is on ``side``: its corrected result's,
        where there is one, unless the pattern judges the ``measured`` values."""

        def on(code: pl.Expr) -> pl.Expr:
            return meets(code, side)

        own = [
            on(pl.col(f"f{i}")).fill_null(False)
            for i, key in enumerate(self.analytes)
            if key == analyte
        ]
        found = pl.any_horizontal(own) if own else pl.lit(False)
        if measured:  # the values as measured: no corrected result stands in
            return found
        for i, key in enumerate(self.analytes):
            correction = self.reference.corrections.get(key)
            if correction is not None and correction.corrects == analyte:
                code = pl.col(f"f{i}")
                found = pl.when(code.is_not_null()).then(on(code)).otherwise(found)
        return found


__all__ = ["PatternFinder", "meets"]
