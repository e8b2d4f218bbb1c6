"""EDTA contamination: very high potassium (HH) with very low calcium (LL) in one specimen.
Its note shows beside tumour lysis's (high K with low Ca), never in place of a flag or a
grade; each threshold from both sides."""

from __future__ import annotations

import pytest

from electrocheck.clinical.check import run_check
from electrocheck.clinical.patterns import levels_of, sides
from electrocheck.reference import Reference

TLS, EDTA = "tumour-lysis-ca", "edta-contamination"

# The built-in critical limits: potassium HH above 6.2 mmol/L, calcium LL below 1.50 mmol/L
# (6.0 mg/dL).
CHECKS = [
    (["k=7.5", "ca=1.2"], [TLS, EDTA]),
    (["k=6.3", "ca=1.49"], [TLS, EDTA]),  # just beyond both critical limits
    (["k=6.2", "ca=1.2"], [TLS]),  # potassium at its critical limit: high, not very high
    (["k=7.5", "ca=1.50"], [TLS]),  # calcium at its critical limit: low, not very low
    (["k=7.5", "ca=5.9mg/dL"], [TLS, EDTA]),
    (["k=7.5", "ca=6.0mg/dL"], [TLS]),
    (["k=7.5", "ca=2.3"], []),  # calcium normal
    (["k=4.0", "ca=1.2"], []),  # potassium normal
    (["k=2.5", "ca=1.2"], []),  # potassium very low: the wrong side
    (["k=7.5", "ca=1.2", "mg=0.5"], ["mg-first-ca", TLS, EDTA]),  # often with low magnesium
    (["k=7.5", "ica=0.7"], ["tumour-lysis-ica"]),  # ionized calcium: no EDTA pattern
    # EDTA judges the calcium as measured (the tube's calcium); tumour lysis the corrected one
    # standing in for it. A low albumin lifts the corrected calcium out of LL, not the EDTA.
    (["k=7.5", "ca=5.8mg/dL", "alb=2.0g/dL"], [TLS, EDTA]),  # corrected 7.4 mg/dL: L
    (["k=7.5", "ca=5.8mg/dL", "alb=4.0g/dL"], [TLS, EDTA]),  # corrected 5.8 mg/dL: LL
    # A high albumin takes the corrected calcium into LL; the measured 6.2 is L: no EDTA.
    (["k=7.5", "ca=6.2mg/dL", "alb=5.0g/dL"], [TLS]),  # corrected 5.4 mg/dL: LL
    (["k=7.5", "ca=6.0mg/dL", "alb=2.0g/dL"], [TLS]),  # measured at its critical limit
    (["k=7.5", "ca=5.9mg/dL", "alb=2.0g/dL"], [TLS, EDTA]),  # measured just beyond it
    # The corrected calcium normal (albumin very low): tumour lysis's low calcium is not met.
    (["k=7.5", "ca=5.8mg/dL", "alb=0.5g/dL"], [EDTA]),  # corrected 8.6 mg/dL: N
]


@pytest.mark.parametrize(("tokens", "expected"), CHECKS, ids=[" ".join(c[0]) for c in CHECKS])
def test_edta_pattern_in_check(ref: Reference, tokens: list[str], expected: list[str]) -> None:
    report = run_check(ref, tokens)
    assert list(report.pattern_ids) == expected
    assert report.to_dict()["pattern_ids"] == expected


def test_the_values_keep_their_flags_and_grades(ref: Reference) -> None:
    plain = run_check(ref, ["k=7.5"]).results + run_check(ref, ["ca=1.2"]).results
    together = run_check(ref, ["k=7.5", "ca=1.2"])
    assert EDTA in together.pattern_ids
    assert [(r.flag, r.grade, r.spasm_risk) for r in together.results] == [
        (r.flag, r.grade, r.spasm_risk) for r in plain
    ]
    assert [r.flag for r in together.results] == ["HH", "LL"]


def test_both_notes_are_kept_and_one_line_says_both(ref: Reference) -> None:
    report = run_check(ref, ["k=7.5", "ca=1.2"])
    edta = next(p for p in ref.patterns if p.id == EDTA)
    tls = next(p for p in ref.patterns if p.id == TLS)
    assert report.patterns == (tls.note, edta.note)
    assert report.pattern_briefs == (tls.short, edta.short)
    assert report.pattern_lines == (edta.short,)  # the first screen: EDTA's brief says both
    assert "tumour lysis" in edta.short.lower() and "redraw" in edta.short.lower()
    only_tls = run_check(ref, ["k=6.0", "ca=1.2"])
    assert only_tls.pattern_lines == (tls.short,)


@pytest.mark.parametrize(
    ("flag", "levels"),
    [("LL", ["low", "LL"]), ("L", ["low"]), ("N", []), ("H", ["high"]), ("HH", ["high", "HH"])],
)
def test_levels_of_a_flag(flag: str, levels: list[str]) -> None:
    assert levels_of(flag) == levels


def test_corrected_calcium_stands_in_at_every_level(ref: Reference) -> None:
    found = sides(ref, [("calcium", "LL"), ("corrected_calcium", "L"), ("potassium", "HH")])
    assert ("calcium", "LL") not in found and ("calcium", "low") in found
    assert {("potassium", "high"), ("potassium", "HH")} <= found


def test_the_measured_values_own_sides(ref: Reference) -> None:
    flags = [("calcium", "LL"), ("corrected_calcium", "N"), ("potassium", "HH")]
    found = sides(ref, flags, stand_in=False)
    assert {("calcium", "LL"), ("calcium", "low"), ("potassium", "HH")} <= found
    assert not {("calcium", "low"), ("calcium", "LL")} & sides(ref, flags)


def test_only_the_edta_pattern_judges_the_measured_values(ref: Reference) -> None:
    assert [p.id for p in ref.patterns if p.measured] == [EDTA]
