"""The first screen of `check`: for up to five values, every flag, grade, critical value and
pattern fits an 80x24 terminal; `--explain` adds the long texts after it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from screens import CRITICAL, SCREEN, check_json, off_the_first_screen, readme_checks
from typer.testing import CliRunner

from electrocheck import load_reference
from electrocheck.cli import app
from electrocheck.cli.render import EXPLAIN_HINT, LEGEND

runner = CliRunner()
ENV = {"COLUMNS": "80", "LINES": "24", "NO_COLOR": None, "FORCE_COLOR": None}


def check(*args: str) -> str:
    result = runner.invoke(app, ["check", *args], env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


README_CHECKS = readme_checks()
#: Checks of five values with the most to say: critical values, patterns, caveats, notes.
WORST = [
    ["ca=7.6mg/dL", "alb=2.5g/dL", "mg=1.1mg/dL", "k=2.6", "na=118"],
    ["k=2.6", "ca=1.9mmol/L"],
    ["ca=1.4mmol/L", "mg=0.3", "k=2.4", "na=118", "ica=0.7"],
    ["k=6.5", "ca=1.4", "ica=0.7", "mg=0.3", "na=118"],  # four patterns, five critical
    ["ca=8.2mg/dL", "ica=1.05", "k=3.2", "na=127", "mg=0.65"],  # four grades symptoms change
    ["ca=1.4", "alb=2.5", "ica=0.7", "mg=0.3", "k=2.4"],  # albumin without a unit
    ["na=127", "glu=450", "ca=1.4", "alb=2.5", "k=6.5"],  # both corrections
    ["ca=8.2mg/dL", "ca=1.4", "ica=1.05", "mg=0.65", "k=6.5"],  # calcium twice: a warning
]
#: Potassium low and high at once: all six patterns (EDTA contamination's line says tumour
#: lysis's too: five lines), and a warning. One line more than a screen, the header's: what
#: matters is still in the first 23 lines and in the last 23.
LONGEST = ["ca=1.4", "ica=1.05", "mg=0.3", "k=2.4", "k=6.5"]


def test_the_readme_shows_checks() -> None:
    assert len(README_CHECKS) >= 2
    assert ["ca=7.6mg/dL", "mg=1.1mg/dL", "k=3.1", "na=128"] in README_CHECKS


@pytest.mark.parametrize("args", [*README_CHECKS, *WORST, LONGEST], ids=" ".join)
def test_what_matters_is_on_the_first_screen(args: list[str]) -> None:
    out = check(*args)
    assert off_the_first_screen(out, check_json(args)) == []


@pytest.mark.parametrize("args", README_CHECKS + WORST, ids=" ".join)
def test_up_to_five_values_fit_on_one_screen(args: list[str]) -> None:
    assert out_lines(check(*args)) <= SCREEN


def test_the_longest_check_of_five_values_is_one_line_more() -> None:
    assert out_lines(check(*LONGEST)) == SCREEN + 1
    assert len(check_json(LONGEST)["pattern_briefs"]) == 6
    assert check(*LONGEST).count("\n» ") == 5


def out_lines(text: str) -> int:
    return len(text.rstrip("\n").split("\n"))


LEVELS = {
    "ca": ["1.4", "1.9", "8.2mg/dL", "2.4", "3.0", "3.5"],
    "ica": ["0.7", "1.05", "1.2", "1.45", "1.7"],
    "mg": ["0.3", "0.65", "0.8", "1.5", "2.5"],
    "k": ["2.4", "3.2", "4.0", "5.8", "6.5"],
    "na": ["118", "127", "132", "140", "150", "165"],
    "alb": ["2.5", "25g/L", "5.0g/dL"],
    "glu": ["450", "90mg/dL"],
}
TOKENS = st.sampled_from(sorted(LEVELS)).flatmap(
    lambda name: st.sampled_from(LEVELS[name]).map(lambda value: f"{name}={value}")
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(args=st.lists(TOKENS, min_size=1, max_size=5))
def test_any_check_of_up_to_five_values_shows_what_matters(args: list[str]) -> None:
    data = runner.invoke(app, ["check", *args, "--format", "json"])
    assume(data.exit_code == 0)  # a covariate given twice, a unit that decides: refused
    report = json.loads(data.stdout)
    assume(len(report["results"]) <= 5)  # a covariate adds a row: five rows at most
    assert off_the_first_screen(check(*args), report) == []


# --------------------------------------------------------------------------- the short forms


def test_notes_are_short_and_the_long_texts_wait_for_explain() -> None:
    ref = load_reference()
    out = check("ca=7.6mg/dL", "alb=2.5g/dL", "mg=1.1mg/dL", "k=2.6")
    for long in (
        *ref.analytes["calcium"].caveats,
        *ref.corrections["corrected_calcium"].caveats,
        ref.patterns[0].note,
        ref.analytes["magnesium"].muscle_role,
        "Cancer-related causes",
        "corrected = 7.6 + 0.8 x (4 - albumin 2.5 g/dL)",
    ):
        assert long[:40] not in out, long
    assert f"» {ref.patterns[0].brief}" in out
    assert f"! {ref.analytes['calcium'].caveat_brief}" in out
    assert f"! {ref.corrections['corrected_calcium'].caveat_brief}" in out


def test_explain_prints_the_first_screen_then_every_text_in_full() -> None:
    ref = load_reference()
    args = ["ca=7.6mg/dL", "alb=2.5g/dL", "mg=1.1mg/dL", "k=2.6"]
    brief, explained = check(*args), check(*args, "--explain")
    assert check(*args, "-e") == explained
    first = brief.replace(f" {EXPLAIN_HINT}", "")
    assert explained.startswith(first) and EXPLAIN_HINT not in explained
    rest = " ".join(explained[len(first) :].split())  # unwrapped
    for text in (
        *ref.analytes["calcium"].caveats,
        *ref.corrections["corrected_calcium"].caveats,
        ref.patterns[0].note,
        ref.analytes["magnesium"].muscle_role,
        *ref.analytes["potassium"].low.causes,
        "corrected = 7.6 + 0.8 x (4 - albumin 2.5 g/dL) = 8.8 mg/dL (albumin-correction)",
        "beyond the critical limit (below 2.8 mmol/L): needs urgent attention",
    ):
        assert " ".join(text.split()) in rest, text
    headings = [
        line.split("  ")[0] for line in explained[len(first) :].splitlines() if line[:1].isupper()
    ]
    assert headings == ["Calcium (total)", "Corrected calcium", "Magnesium", "Potassium"]


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["k=4.1"], False),
        (["k=4.1", "na=140", "ca=9.4mg/dL"], False),
        (["k=3.1"], True),
        (["k=4.1", "na=150"], True),
        (["k=3.1", "--explain"], False),
    ],
)
def test_the_hint_at_explain_comes_with_an_abnormal_value(args: list[str], hint: bool) -> None:
    out = check(*args)
    closing = [line for line in out.splitlines() if line.startswith("Reference: ")]
    assert closing[0].startswith("Reference: built-in. Decision support, not a diagnosis.")
    assert len(closing) == 1 and closing[0].endswith(EXPLAIN_HINT) is hint
    assert (EXPLAIN_HINT in out) is hint


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["k=2.6"], "critical, needs urgent attention: Potassium < 2.8 mmol/L"),
        (["ca=5.5mg/dL"], "critical, needs urgent attention: Calcium (total) < 6.0 mg/dL"),
        # with its limits (160.0, as the file writes it) the line would not fit: names only
        (["k=2.6", "na=165"], "critical, needs urgent attention: Potassium, Sodium"),
        (
            ["k=2.6", "na=165", "mg=0.3"],
            "critical, needs urgent attention: Potassium, Sodium, Magnesium",
        ),
        (
            ["k=2.6", "na=165", "mg=0.3", "ica=0.7", "ca=1.4"],
            "critical, needs urgent attention: every value flagged LL or HH",
        ),
        (["k=3.1", "na=128"], "grades assume no symptoms; with symptoms: Potassium 2, Sodium 3"),
        (
            ["ca=8.2mg/dL", "ica=1.05", "k=3.2", "na=127"],
            "with symptoms: Calcium (total) 2, Calcium (ionized) 2, Potassium 2, Sodium 3",
        ),
        (
            ["k=3.1", "--age", "10d"],
            "limits for age 7d to 30d; critical limits for age 0d to 28d: Potassium",
        ),
        (["k=3.1", "na=128", "--symptomatic"], None),
    ],
)
def test_what_is_said_once_for_all_values_is_one_line(args: list[str], line: str | None) -> None:
    out = check(*args)
    lines = [text[2:] for text in out.splitlines()]
    if line is None:
        assert "symptoms" not in out and CRITICAL not in out
    else:
        assert line in lines or any(text.endswith(line) for text in lines), out
    assert "assumes no symptoms" not in out and "beyond the critical limit" not in out


def test_the_legend_and_every_line_fit_80_columns() -> None:
    out = check("ca=7.6mg/dL", "alb=2.5g/dL", "mg=1.1mg/dL", "k=2.6", "na=118", "glu=450")
    assert LEGEND in out.splitlines()
    assert max(len(line) for line in out.splitlines()) <= 80


def test_json_keeps_its_keys_and_adds_the_pattern_briefs() -> None:
    data: dict[str, Any] = check_json(["mg=1.1mg/dL", "k=3.1", "ca=7.6mg/dL"])
    assert set(data) >= {"reference", "patient", "results", "patterns", "pattern_ids", "warnings"}
    ref = load_reference()
    by_id = {p.id: p for p in ref.patterns}
    assert data["pattern_ids"] == ["mg-first-k", "mg-first-ca"]
    assert data["patterns"] == [by_id[i].note for i in data["pattern_ids"]]
    assert data["pattern_briefs"] == [by_id[i].brief for i in data["pattern_ids"]]
    # The notes in JSON stay whole.
    assert ref.analytes["calcium"].caveats[0] in data["results"][2]["notes"]
