"""Notes for results of different analytes that are abnormal together.

The patterns are data (``patterns:`` in the reference file): low magnesium with low
potassium or calcium, high potassium with low calcium. A corrected result stands in for the
analyte it corrects, so albumin-corrected calcium decides where it was given.
"""

from __future__ import annotations

from collections.abc import Iterable

from electrocheck.clinical.grading import SIDE_OF_FLAG
from electrocheck.reference import Pattern, Reference


def sides(reference: Reference, flags: Iterable[tuple[str, str | None]]) -> set[tuple[str, str]]:
    """The (analyte, side) pairs that ``(analyte key, flag)`` pairs put a patient on."""
    measured: set[tuple[str, str]] = set()
    corrected: dict[str, set[tuple[str, str]]] = {}
    for key, flag in flags:
        side = SIDE_OF_FLAG.get(flag or "")
        correction = reference.corrections.get(key)
        if correction is not None and flag is not None:  # None: no corrected result
            stands_for = corrected.setdefault(correction.corrects, set())
            if side is not None:
                stands_for.add((correction.corrects, side))
        if side is not None:
            measured.add((key, side))
    # Where a corrected result exists, it replaces the measured one.
    kept = {pair for pair in measured if pair[0] not in corrected}
    return kept.union(*corrected.values())


def matching(reference: Reference, flags: Iterable[tuple[str, str | None]]) -> list[Pattern]:
    """Every pattern the results match, in the order of the reference file."""
    found = sides(reference, flags)
    return [
        pattern
        for pattern in reference.patterns
        if all(condition in found for condition in pattern.when)
    ]


def find_patterns(reference: Reference, flags: Iterable[tuple[str, str | None]]) -> list[str]:
    """The notes of every pattern the results match, in the order of the reference file."""
    return [pattern.note for pattern in matching(reference, flags)]
