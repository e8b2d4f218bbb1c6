"""Notes for results abnormal together: magnesium first, and the tumour lysis pattern; a
corrected result stands in for the value it corrects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from electrocheck.clinical.check import run_check
from electrocheck.clinical.patterns import find_patterns
from electrocheck.reference import Reference, load_reference

# The opening words of each pattern note of the built-in file, in the file's order.
MG_K = "Low magnesium with low potassium"
MG_CA = "Low magnesium with low calcium"
MG_ICA = "Low magnesium with low ionized calcium"
TLS = "High potassium with low calcium is the pattern of tumour lysis syndrome"
TLS_ICA = "High potassium with low ionized calcium is the pattern of tumour lysis syndrome"


def _heads(notes: tuple[str, ...] | list[str]) -> list[str]:
    return [note.split(":", 1)[0] for note in notes]


CHECKS = [
    (["mg=1.1mg/dL", "k=3.1"], [MG_K]),
    (["mg=0.5", "k=2.7"], [MG_K]),  # critically low counts as low
    (["mg=1.1mg/dL", "ca=7.6mg/dL"], [MG_CA]),
    (["mg=1.1mg/dL", "ica=1.0"], [MG_ICA]),
    (["k=6.5", "ca=7.0mg/dL"], [TLS]),
    (["k=5.2", "ca=2.1mmol/L"], [TLS]),  # mildly high and mildly low is enough
    (["k=6.5", "ica=1.0"], [TLS_ICA]),
    # Token order does not matter; notes come in the file's order.
    (["mg=1.1mg/dL", "k=3.1", "ca=7.6mg/dL"], [MG_K, MG_CA]),
    (["ca=7.6mg/dL", "k=3.1", "mg=1.1mg/dL"], [MG_K, MG_CA]),
    (["k=6.5", "ca=7.0mg/dL", "mg=0.5"], [MG_CA, TLS]),
    (["k=6.5", "ca=7.0mg/dL", "ica=1.0"], [TLS, TLS_ICA]),
    # No pattern: one analyte alone, a normal partner, or the wrong side.
    (["k=6.5"], []),
    (["mg=1.1mg/dL"], []),
    (["ca=7.0mg/dL"], []),
    (["mg=2.0mg/dL", "k=3.1"], []),
    (["mg=1.1mg/dL", "k=4.0"], []),
    (["mg=1.1mg/dL", "k=5.5"], []),
    (["mg=3.0mg/dL", "k=3.1"], []),
    (["mg=3.0mg/dL", "ca=7.0mg/dL"], []),
    (["k=3.1", "ca=7.0mg/dL"], []),
    (["k=6.5", "ca=11.0mg/dL"], []),
    (["k=6.5", "ca=9.0mg/dL"], []),
    (["mg=1.1mg/dL", "na=128", "k=5.5"], []),
    # Corrected calcium stands in for the measured calcium.
    (["ca=7.6mg/dL", "alb=2.5g/dL", "k=6.5"], []),  # corrected 8.8: normal
    (["ca=7.6mg/dL", "alb=2.5g/dL", "mg=1.1mg/dL"], []),
    (["ca=7.6mg/dL", "alb=4.0g/dL", "k=6.5"], [TLS]),  # corrected 7.6: still low
    (["ca=8.6mg/dL", "alb=5.0g/dL", "k=6.5"], [TLS]),  # measured normal, corrected 7.8 low
    (["ca=8.6mg/dL", "alb=5.0g/dL", "mg=1.1mg/dL"], [MG_CA]),
    (["ca=9.0mg/dL", "alb=2.0g/dL", "k=6.5"], []),  # corrected 10.6: high, not low
    # Corrected sodium is in no pattern, and changes nothing.
    (["na=128", "glu=450mg/dL", "mg=1.1mg/dL", "k=3.1"], [MG_K]),
]


@pytest.mark.parametrize(("tokens", "expected"), CHECKS)
def test_patterns_of_a_check(ref: Reference, tokens: list[str], expected: list[str]) -> None:
    report = run_check(ref, tokens)
    assert _heads(report.patterns) == expected
    assert report.to_dict()["patterns"] == list(report.patterns)


def test_pattern_note_is_the_file_text(ref: Reference) -> None:
    report = run_check(ref, ["mg=1.1mg/dL", "k=3.1"])
    assert report.patterns == (ref.patterns[0].note,)
    assert "replace the magnesium together with the potassium" in report.patterns[0]


def test_magnesium_patterns_never_ask_to_delay_a_critical_replacement(ref: Reference) -> None:
    # Practice replaces magnesium together with potassium or calcium, and never delays
    # potassium or intravenous calcium for a critical value.
    for pattern in ref.patterns:
        if "magnesium" in pattern.when:
            assert "first" not in pattern.note, pattern.id
            assert "together" in pattern.note and "Never delay" in pattern.note, pattern.id


FLAGS = [
    ([("magnesium", "L"), ("potassium", "L")], [MG_K]),
    ([("magnesium", "LL"), ("potassium", "LL")], [MG_K]),
    ([("potassium", "L"), ("magnesium", "L")], [MG_K]),
    ([("magnesium", "L"), ("potassium", "H")], []),
    ([("magnesium", "L"), ("potassium", "N")], []),
    ([("magnesium", "L"), ("potassium", None)], []),
    ([("magnesium", None), ("potassium", "L")], []),
    ([("magnesium", "L")], []),
    ([], []),
    ([("calcium", "L"), ("potassium", "HH")], [TLS]),
    ([("ionized_calcium", "LL"), ("potassium", "H")], [TLS_ICA]),
    ([("calcium", "L"), ("ionized_calcium", "L"), ("magnesium", "L")], [MG_CA, MG_ICA]),
    # A corrected result replaces the measured one, whichever comes first.
    ([("calcium", "L"), ("corrected_calcium", "N"), ("potassium", "H")], []),
    ([("corrected_calcium", "N"), ("calcium", "L"), ("potassium", "H")], []),
    ([("calcium", "N"), ("corrected_calcium", "L"), ("potassium", "H")], [TLS]),
    ([("calcium", "L"), ("corrected_calcium", "H"), ("potassium", "H")], []),
    # A corrected result without a flag (None) is no corrected result: the measured stands.
    ([("calcium", "L"), ("corrected_calcium", None), ("potassium", "H")], [TLS]),
    ([("calcium", "N"), ("corrected_calcium", None), ("potassium", "H")], []),
    ([("corrected_calcium", "LL"), ("magnesium", "L")], [MG_CA]),
    # Corrected calcium does not stand in for ionized calcium.
    ([("ionized_calcium", "L"), ("corrected_calcium", "N"), ("potassium", "H")], [TLS_ICA]),
    ([("sodium", "L"), ("corrected_sodium", "N"), ("magnesium", "L")], []),
]


@pytest.mark.parametrize(("flags", "expected"), FLAGS)
def test_find_patterns(
    ref: Reference, flags: list[tuple[str, str | None]], expected: list[str]
) -> None:
    assert _heads(find_patterns(ref, flags)) == expected


def test_patterns_come_from_the_file(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["patterns"] = [
            {
                "id": "low-na-high-k",
                "when": {"sodium": "low", "potassium": "high"},
                "note": "Low sodium with high potassium: think of adrenal insufficiency.",
                "sources": ["muscle-effects"],
            },
            {
                "id": "high-cca-high-mg",
                "when": {"corrected_calcium": "high", "magnesium": "high"},
                "note": "High corrected calcium with high magnesium: a test pattern.",
                "sources": ["muscle-effects"],
            },
        ]

    ref = load_reference(write_reference(edit))
    assert _heads(run_check(ref, ["na=128", "k=5.5"]).patterns) == [
        "Low sodium with high potassium"
    ]
    assert run_check(ref, ["mg=1.1mg/dL", "k=3.1"]).patterns == ()
    checked = run_check(ref, ["ca=10.0mg/dL", "alb=2.0g/dL", "mg=3.0mg/dL"])  # corrected 11.6
    assert _heads(checked.patterns) == ["High corrected calcium with high magnesium"]
    assert run_check(ref, ["ca=11.0mg/dL", "mg=3.0mg/dL"]).patterns == ()


def test_file_without_patterns(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["patterns"]

    ref = load_reference(write_reference(edit))
    assert ref.patterns == ()
    assert run_check(ref, ["mg=1.1mg/dL", "k=3.1"]).patterns == ()


def test_check_gives_each_pattern_its_id(ref: Reference) -> None:
    report = run_check(ref, ["mg=1.1mg/dL", "k=6.5", "ca=7.0mg/dL"])
    assert report.pattern_ids == ("mg-first-ca", "tumour-lysis-ca")
    assert report.to_dict()["pattern_ids"] == ["mg-first-ca", "tumour-lysis-ca"]
