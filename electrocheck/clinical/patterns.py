"""Notes for results of different analytes that are abnormal together.

The patterns are data (``patterns:`` in the reference file): low magnesium with low
potassium or calcium, high potassium with low calcium, very high potassium with very low
calcium (a specimen that may be false). A pattern asks of each analyte a side (``low``,
``high``) or a flag beyond a critical limit (``LL``, ``HH``): the levels of
:data:`~electrocheck.reference.PATTERN_LEVELS`. A corrected result stands in for the analyte
it corrects, so albumin-corrected calcium decides where it was given; except in a pattern
judged on the values as measured (``values: measured``: a false result of the tube).
"""

from __future__ import annotations

from collections.abc import Iterable

from electrocheck.reference import PATTERN_LEVELS, Pattern, Reference


def levels_of(flag: str | None) -> list[str]:
    """The levels of :data:`~electrocheck.reference.PATTERN_LEVELS` a flag meets: ``LL`` is
    low and LL, ``L`` low only."""
    return [level for level, flags in PATTERN_LEVELS.items() if flag in flags]


def sides(
    reference: Reference, flags: Iterable[tuple[str, str | None]], stand_in: bool = True
) -> set[tuple[str, str]]:
    """The (analyte, level) pairs that ``(analyte key, flag)`` pairs put a patient on: its
    side (low, high), and LL or HH beyond a critical limit. ``stand_in=False``: the measured
    values' own (a corrected result does not stand in for the analyte it corrects)."""
    measured: set[tuple[str, str]] = set()
    corrected: dict[str, set[tuple[str, str]]] = {}
    for key, flag in flags:
        levels = levels_of(flag)
        correction = reference.corrections.get(key)
        if correction is not None and flag is not None:  # None: no corrected result
            stands_for = corrected.setdefault(correction.corrects, set())
            stands_for.update((correction.corrects, level) for level in levels)
        measured.update((key, level) for level in levels)
    if not stand_in:
        return measured
    # Where a corrected result exists, it replaces the measured one.
    kept = {pair for pair in measured if pair[0] not in corrected}
    return kept.union(*corrected.values())


def matching(reference: Reference, flags: Iterable[tuple[str, str | None]]) -> list[Pattern]:
    """Every pattern the results match, in the order of the reference file."""
    given = list(flags)
    standing_in, measured = sides(reference, given), sides(reference, given, stand_in=False)
    return [
        pattern
        for pattern in reference.patterns
        if all(
            condition in (measured if pattern.measured else standing_in)
            for condition in pattern.when
        )
    ]


def find_patterns(reference: Reference, flags: Iterable[tuple[str, str | None]]) -> list[str]:
    """The notes of every pattern the results match, in the order of the reference file."""
    return [pattern.note for pattern in matching(reference, flags)]
