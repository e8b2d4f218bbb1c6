"""A pattern's `when` asks of each analyte a side (low, high) or a flag beyond a critical
limit (LL, HH); `includes` names the patterns its conditions always meet. Both are checked
with file, line and key path; files written before them stay valid."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import Edit, refused, set_at  # pytest puts this folder on sys.path

from electrocheck.reference import PATTERN_LEVELS, Reference, built_in_path, load_reference

EDTA = 5  # the index of edta-contamination among the built-in patterns


def test_the_built_in_edta_pattern_asks_for_critical_flags(ref: Reference) -> None:
    edta = ref.patterns[EDTA]
    assert edta.id == "edta-contamination"
    assert edta.when == (("potassium", "HH"), ("calcium", "LL"))
    assert edta.includes == ("tumour-lysis-ca",)
    assert edta.measured  # the calcium in the tube, not the albumin-corrected one
    assert "cornes-2008-edta" in edta.sources and "cornes-2008-edta" in ref.sources
    assert "Redraw before treating" in edta.note and "told apart" in edta.note


def test_levels_hold_the_flags_from_one_end() -> None:
    assert PATTERN_LEVELS == {
        "low": ("LL", "L"),
        "high": ("H", "HH"),
        "LL": ("LL",),
        "HH": ("HH",),
    }


def test_a_file_with_sides_only_and_no_includes_stays_valid(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["patterns"] = data["patterns"][:5]  # as files written before LL, HH, includes

    ref = load_reference(write_reference(edit))
    assert [p.includes for p in ref.patterns] == [()] * 5


INVALID = [
    (
        "a level in lower case",
        set_at(f"patterns.{EDTA}.when", {"potassium": "hh", "calcium": "LL"}),
        f"patterns[{EDTA}].when.potassium: expected a known analyte and low, high, LL or HH, "
        "not 'potassium': 'hh'",
    ),
    (
        "a flag that is no level",
        set_at(f"patterns.{EDTA}.when", {"potassium": "H", "calcium": "LL"}),
        f"patterns[{EDTA}].when.potassium: expected a known analyte and low, high, LL or HH",
    ),
    (
        "a list of flags",
        set_at(f"patterns.{EDTA}.when", {"potassium": ["H", "HH"], "calcium": "LL"}),
        f"patterns[{EDTA}].when.potassium: expected a known analyte and low, high, LL or HH",
    ),
    (
        "includes an unknown pattern",
        set_at(f"patterns.{EDTA}.includes", ["tumour-lysis"]),
        f"patterns[{EDTA}].includes[0]: 'tumour-lysis' is not the id of another pattern",
    ),
    (
        "includes itself",
        set_at(f"patterns.{EDTA}.includes", ["edta-contamination"]),
        f"patterns[{EDTA}].includes[0]: 'edta-contamination' is not the id of another pattern",
    ),
    (
        "includes a pattern it does not imply",
        set_at(f"patterns.{EDTA}.includes", ["tumour-lysis-ca", "mg-first-ca"]),
        f"patterns[{EDTA}].includes[1]: 'mg-first-ca' is not met whenever edta-contamination is",
    ),
    (
        "includes a pattern of a milder level the other way round",
        set_at("patterns.3.includes", ["edta-contamination"]),
        "patterns[3].includes[0]: 'edta-contamination' is not met whenever tumour-lysis-ca is",
    ),
    (
        "includes not a list",
        set_at(f"patterns.{EDTA}.includes", "tumour-lysis-ca"),
        f"patterns[{EDTA}].includes: must be a non-empty list, not text",
    ),
    (
        "values neither measured nor corrected",
        set_at(f"patterns.{EDTA}.values", "raw"),
        f"patterns[{EDTA}].values: expected corrected or measured, not 'raw'",
    ),
    (
        "values a list",
        set_at(f"patterns.{EDTA}.values", ["measured"]),
        f"patterns[{EDTA}].values: expected corrected or measured, not a list",
    ),
    (
        "values a number",
        set_at(f"patterns.{EDTA}.values", 1),
        f"patterns[{EDTA}].values: expected corrected or measured, not a number",
    ),
    (
        "values with a sign of the specimen",
        set_at(f"patterns.{EDTA + 1}.values", "measured"),
        f"patterns[{EDTA + 1}].values: not with `specimen:`: the pattern of a sign judges the "
        "values as measured",
    ),
]


def test_a_bad_values_is_the_only_problem_named(write_reference: Callable[..., Path]) -> None:
    # The pattern is kept: no problem follows from it (an includes naming it, say).
    path = write_reference(set_at("patterns.3.values", "raw"))
    assert [p.split(": ", 1)[1] for p in refused(path)] == [
        "patterns[3].values: expected corrected or measured, not 'raw'"
    ]


@pytest.mark.parametrize(("values", "measured"), [("measured", True), ("corrected", False)])
def test_values_say_which_a_pattern_judges(
    write_reference: Callable[..., Path], values: str, measured: bool
) -> None:
    ref = load_reference(write_reference(set_at(f"patterns.{EDTA}.values", values)))
    assert ref.patterns[EDTA].measured is measured
    assert not any(p.measured for n, p in enumerate(ref.patterns) if n != EDTA)


def test_a_pattern_without_values_judges_the_corrected_results(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["patterns"][EDTA]["values"]  # as files written before it

    ref = load_reference(write_reference(edit))
    assert not ref.patterns[EDTA].measured


@pytest.mark.parametrize(
    ("edit", "message"), [(i[1], i[2]) for i in INVALID], ids=[i[0] for i in INVALID]
)
def test_a_broken_level_or_includes_is_refused_with_its_key_path(
    write_reference: Callable[..., Path], edit: Edit, message: str
) -> None:
    problems = refused(write_reference(edit))
    assert any(message in problem for problem in problems), problems


def test_the_line_of_a_broken_include_is_its_own(write_reference: Callable[..., Path]) -> None:
    path = write_reference(set_at(f"patterns.{EDTA}.includes", ["nothing-here"]))
    (problem,) = refused(path)
    line = int(problem.split(":")[1])
    assert "nothing-here" in path.read_text("utf-8").splitlines()[line - 1]


def test_the_quoted_pattern_message_is_real(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "reference-file.md").read_text("utf-8")
    quoted = next(line for line in page.splitlines() if "patterns[5].when.potassium" in line)
    text = built_in_path().read_text("utf-8")
    changed = text.replace(
        "when: {potassium: HH, calcium: LL}", "when: {potassium: H, calcium: LL}"
    )
    assert changed != text
    (tmp_path / "my-lab.yaml").write_text(changed, encoding="utf-8")
    problems = refused(tmp_path / "my-lab.yaml")
    assert [f"electrocheck: error: {p.replace(str(tmp_path) + '/', '')}" for p in problems] == [
        quoted
    ]


def test_a_pattern_includes_one_that_asks_the_same_level(
    write_reference: Callable[..., Path],
) -> None:
    # A pattern that asks calcium low with potassium high includes the tumour-lysis one,
    # which asks the same levels: whenever the first is met the second is.
    def edit(data: dict[str, Any]) -> None:
        ids = [p["id"] for p in data["patterns"]]
        lysis = copy.deepcopy(data["patterns"][ids.index("tumour-lysis-ca")])
        wider = {**lysis, "id": "lysis-with-mg", "brief": None, "includes": ["tumour-lysis-ca"]}
        wider["when"] = {**lysis["when"], "magnesium": "low"}
        data["patterns"].append({k: v for k, v in wider.items() if v is not None})

    ref = load_reference(write_reference(edit))
    wider = next(p for p in ref.patterns if p.id == "lysis-with-mg")
    lysis = next(p for p in ref.patterns if p.id == "tumour-lysis-ca")
    assert wider.includes == ("tumour-lysis-ca",)
    assert set(lysis.when) < set(wider.when)  # the same levels, one analyte more
