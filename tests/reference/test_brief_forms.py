"""The short forms of the reference file: a pattern's `brief` and the `caveat_brief` of an
analyte or a correction, each one line for the first screen of `check`. A broken one is
refused with its key path; a file without them loads, and its notes are shown in full."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import Edit, refused, set_at  # pytest puts this folder on sys.path

from electrocheck.clinical.check import run_check
from electrocheck.reference import Reference, load_reference
from electrocheck.reference.check_base import BRIEF_LENGTH

#: One character more than a short form may hold.
TOO_LONG = "Low Mg with low K: replace magnesium together with potassium; never delay it"[
    : BRIEF_LENGTH + 1
]

INVALID: list[tuple[str, Edit, str]] = [
    (
        "pattern brief longer than a line",
        set_at("patterns.0.brief", TOO_LONG),
        f"patterns[0].brief: must fit on one line: at most {BRIEF_LENGTH} characters, "
        f"not {BRIEF_LENGTH + 1}",
    ),
    (
        "pattern brief empty",
        set_at("patterns.1.brief", "  "),
        "patterns[1].brief: must be non-empty text, not text",
    ),
    (
        "pattern brief a list",
        set_at("patterns.2.brief", ["Low Mg", "low Ca"]),
        "patterns[2].brief: must be non-empty text, not a list",
    ),
    (
        "pattern brief misspelt",
        set_at("patterns.0.breif", "Low Mg with low K"),
        "patterns[0].breif: unknown key "
        "(allowed: brief, id, includes, note, sources, specimen, values, when)",
    ),
    (
        "analyte caveat brief longer than a line",
        set_at("analytes.calcium.caveat_brief", TOO_LONG),
        f"analytes.calcium.caveat_brief: must fit on one line: at most {BRIEF_LENGTH}",
    ),
    (
        "analyte caveat brief without caveats",
        set_at("analytes.potassium.caveat_brief", "Haemolysis raises potassium"),
        "analytes.potassium.caveat_brief: given without caveats",
    ),
    (
        "analyte caveat brief a number",
        set_at("analytes.calcium.caveat_brief", 3),
        "analytes.calcium.caveat_brief: must be non-empty text, not a number",
    ),
    (
        "correction caveat brief longer than a line",
        set_at("corrections.corrected_sodium.caveat_brief", TOO_LONG),
        "corrections.corrected_sodium.caveat_brief: must fit on one line",
    ),
]


@pytest.mark.parametrize(
    ("edit", "message"), [(i[1], i[2]) for i in INVALID], ids=[i[0] for i in INVALID]
)
def test_a_broken_short_form_is_refused_with_its_key_path(
    write_reference: Callable[..., Path], edit: Edit, message: str
) -> None:
    problems = refused(write_reference(edit))
    assert any(message in problem for problem in problems), problems


def test_a_caveat_brief_left_without_caveats_is_named(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        correction = data["corrections"]["corrected_calcium"]
        del correction["caveats"], correction["caveat_sources"]

    problems = refused(write_reference(edit))
    assert [p.split(": ", 1)[1] for p in problems] == [
        "corrections.corrected_calcium.caveat_brief: given without caveats"
    ]


def test_every_problem_of_a_pattern_is_reported_at_once(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["patterns"][0]["brief"] = TOO_LONG
        data["patterns"][0]["sources"] = ["nowhere"]

    problems = refused(write_reference(edit))
    assert sorted(p.split(": ", 1)[1].split(":")[0] for p in problems) == [
        "patterns[0].brief",
        "patterns[0].sources[0]",
    ]


def test_a_file_without_short_forms_loads_and_shows_its_notes(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        for pattern in data["patterns"]:
            del pattern["brief"]
        del data["analytes"]["calcium"]["caveat_brief"]
        for correction in data["corrections"].values():
            del correction["caveat_brief"]

    ref = load_reference(write_reference(edit))
    assert all(p.brief is None and p.short == p.note for p in ref.patterns)
    assert ref.analytes["calcium"].caveat_brief is None
    report = run_check(ref, ["ca=7.6mg/dL", "mg=1.1mg/dL", "k=3.1"])
    assert report.pattern_briefs == report.patterns and len(report.patterns) == 2
    calcium = report.briefs[0]
    assert calcium.caveat is None
    assert ref.analytes["calcium"].caveats[0] in calcium.notes


def test_the_built_in_file_has_a_short_form_for_every_pattern_and_caveat(
    ref: Reference,
) -> None:
    shorts = [p.brief for p in ref.patterns]
    shorts += [a.caveat_brief for a in ref.analytes.values() if a.caveats]
    shorts += [c.caveat_brief for c in ref.corrections.values() if c.caveats]
    assert len(shorts) == 6 + 1 + 2
    for short in shorts:
        assert short is not None and 20 <= len(short) <= BRIEF_LENGTH, short
    assert len(set(shorts)) == len(shorts)
