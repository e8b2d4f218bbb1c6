"""The patient's medicines that explain a result: names read against the reference file's
``medications`` section, and each abnormal result given those of them that move its analyte
to its side (``check --on``; batch's ``--medications`` joins the same effects by patient and
time, see :mod:`electrocheck.batch.medications`).

A medicine explains a result when the file gives it an effect on the result's analyte (on
the analyte a correction corrects, for a corrected result) in the result's direction: low
for L and LL, high for H and HH. Medicines are listed by generic name, in alphabetical order,
everywhere.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import NamedTuple

from electrocheck.clinical.check import CheckReport
from electrocheck.clinical.result import Explanation, Result
from electrocheck.errors import UnknownMedicineError
from electrocheck.reference import Reference
from electrocheck.reference.medicines import Medicine

#: The side of an analyte each abnormal flag is on.
FLAG_SIDES = {"LL": "low", "L": "low", "H": "high", "HH": "high"}


class Given(NamedTuple):
    """A medicine of the patient, and the name it was given as."""

    drug: Medicine
    given_as: str


class GivenMedicines(NamedTuple):
    """The medicines read from names, and a message for each name that could not be read."""

    given: tuple[Given, ...]
    problems: tuple[str, ...]


def split_names(names: Iterable[str]) -> list[str]:
    """Each name of ``names``, where one may hold several separated by commas
    (``--on cetuximab,omeprazole``), stripped; an empty one is kept (and refused)."""
    return [part.strip() for name in names for part in name.split(",")]


def read_medicines(reference: Reference, names: Iterable[str]) -> GivenMedicines:
    """The medicines called ``names`` (generic or brand names, or codes, any case), each
    once, in alphabetical order; a name that is empty, unknown or ambiguous is left out with
    a message saying why (and, for an unknown name, the nearest known ones)."""
    found: dict[str, Given] = {}
    problems: list[str] = []
    for name in split_names(names):
        try:
            drug = reference.medications.find(name)
        except UnknownMedicineError as exc:
            problems.append(f"--on: {exc}")
            continue
        found.setdefault(drug.key, Given(drug, name))
    return GivenMedicines(tuple(found[key] for key in sorted(found)), tuple(problems))


def analyte_of(reference: Reference, key: str) -> str:
    """The analyte whose effects explain a result of ``key``: the analyte itself, or the one
    a correction corrects (corrected calcium is explained as calcium)."""
    correction = reference.corrections.get(key)
    return key if correction is None else correction.corrects


def explanations(
    reference: Reference, result: Result, given: Iterable[Given]
) -> tuple[Explanation, ...]:
    """The medicines of ``given`` that explain ``result``, or none for a normal result."""
    side = FLAG_SIDES.get(result.flag)
    if side is None:
        return ()
    analyte = analyte_of(reference, result.analyte)
    found = []
    for drug, given_as in given:
        effect = drug.effect_on(analyte, side)
        if effect is not None:
            found.append(
                Explanation(drug.key, given_as, effect.mechanism, effect.source, effect.onset)
            )
    return tuple(found)


def explained(
    reference: Reference, results: Iterable[Result], given: tuple[Given, ...]
) -> tuple[Result, ...]:
    """``results``, each with the medicines of ``given`` that explain it."""
    return tuple(
        dataclasses.replace(result, medications=explanations(reference, result, given))
        for result in results
    )


def with_medicines(
    reference: Reference, report: CheckReport, given: tuple[Given, ...]
) -> CheckReport:
    """``report`` with each result given the medicines of ``given`` that explain it, and
    the medicines themselves (those of a series' earlier values are not explained)."""
    return dataclasses.replace(
        report,
        results=explained(reference, report.results, given),
        medicines=tuple((drug.key, given_as) for drug, given_as in given),
    )


def without_effect(report: CheckReport) -> tuple[str, ...]:
    """The generic names of the report's medicines that explain none of its results."""
    return tuple(drug for drug, _ in report.medicines if not report.explained_by(drug))


def other_causes(reference: Reference, result: Result) -> tuple[str, ...]:
    """The result's cancer-related causes, less those that name a medicine already listed
    as explaining it (by any of its names): said once, with its mechanism."""
    names = {
        name for m in result.medications for name in reference.medications.drugs[m.drug].names()
    }
    if not names:
        return result.cancer_causes
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    return tuple(cause for cause in result.cancer_causes if not pattern.search(cause))


__all__ = [
    "FLAG_SIDES",
    "Given",
    "GivenMedicines",
    "analyte_of",
    "explained",
    "explanations",
    "other_causes",
    "read_medicines",
    "split_names",
    "with_medicines",
    "without_effect",
]
