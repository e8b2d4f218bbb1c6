"""The reference file's ``changes`` section: correction rates, delta checks and the trend
rule, read into frozen records, and refused with the file, line, key path and problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import DELETE, refused, set_at

from electrocheck.reference import load_reference
from electrocheck.reference.changes import Changes


def test_the_built_in_rules_and_their_sources() -> None:
    ref = load_reference()
    changes = ref.changes
    (sodium,) = changes.correction_rates
    assert sodium.analyte == "sodium"
    assert [(x.rise, x.hours, x.cite) for x in sodium.limits] == [
        (10.0, 24.0, "Spasovski 2014"),
        (18.0, 48.0, "Verbalis 2013"),
    ]
    (delta,) = changes.delta_checks
    assert (delta.analyte, delta.change, delta.hours) == ("sodium", 13.0, 72.0)
    assert changes.trend is not None and changes.trend.results == 3
    assert dict(changes.trend.min_change)["potassium"] == 0.5
    for source in [x.source for x in sodium.limits] + [delta.source, changes.trend.source]:
        assert source in ref.sources
    with pytest.raises(AttributeError):  # frozen records
        changes.trend.results = 2  # type: ignore[misc]


def test_a_file_without_the_section_has_no_rules(write_reference: Callable[..., Path]) -> None:
    changes = load_reference(write_reference(set_at("changes", DELETE))).changes
    assert changes == Changes() and changes.empty


@pytest.mark.parametrize("rule", ["correction_rates", "delta_checks", "trend"])
def test_a_rule_can_be_left_out(write_reference: Callable[..., Path], rule: str) -> None:
    changes = load_reference(write_reference(set_at(f"changes.{rule}", DELETE))).changes
    kept = {
        "correction_rates": changes.correction_rates != (),
        "delta_checks": changes.delta_checks != (),
        "trend": changes.trend is not None,
    }
    assert kept == {key: key != rule for key in kept}


INVALID = [
    ("changes", [1], "changes: must be a mapping, not a list"),
    ("changes.speed", 1, "changes.speed: unknown key"),
    ("changes.delta_checks", [], "changes.delta_checks: must be a non-empty list"),
    ("changes.delta_checks.0.change", -1, "changes.delta_checks[0].change: must be a finite"),
    ("changes.delta_checks.0.change", 0, "changes.delta_checks[0].change: must be greater than 0"),
    ("changes.delta_checks.0.analyte", "chloride", "changes.delta_checks[0].analyte: unknown"),
    ("changes.delta_checks.0.source", "lab-x", "changes.delta_checks[0].source: unknown source"),
    ("changes.delta_checks.0.cite", DELETE, "changes.delta_checks[0].cite: missing"),
    ("changes.correction_rates.0.limits", {}, "changes.correction_rates[0].limits: must be a"),
    ("changes.correction_rates.0.limits.1.hours", "2d", "limits[1].hours: must be a number"),
    ("changes.correction_rates.0.note", "", "changes.correction_rates[0].note: must be non-empty"),
    ("changes.trend.results", 2, "changes.trend.results: must be a whole number of 3 or more"),
    ("changes.trend.results", 3.5, "changes.trend.results: must be a whole number"),
    ("changes.trend.min_change.chloride", 1, "changes.trend.min_change.chloride: unknown analyte"),
    (
        "changes.trend.min_change.sodium",
        "five",
        "changes.trend.min_change.sodium: must be a number",
    ),
    ("changes.trend.min_change", [], "changes.trend.min_change: must map analytes to amounts"),
]


@pytest.mark.parametrize(("path", "value", "message"), INVALID, ids=[i[2][:60] for i in INVALID])
def test_invalid_changes_are_refused_with_file_line_and_key_path(
    write_reference: Callable[..., Path], path: str, value: Any, message: str
) -> None:
    problems = refused(write_reference(set_at(path, value)))
    assert any(message in problem for problem in problems), problems


def test_a_rule_given_twice_for_one_analyte_is_refused(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        checks = data["changes"]["delta_checks"]
        checks.append(dict(checks[0]))

    problems = refused(write_reference(edit))
    assert any("changes.delta_checks[1].analyte: 'sodium' is given twice" in p for p in problems)


def test_a_broken_analyte_is_reported_once(write_reference: Callable[..., Path]) -> None:
    problems = refused(write_reference(set_at("analytes.sodium.low.spasm_risk", "lots")))
    assert not any(p.split(": ", 2)[1].startswith("changes") for p in problems), problems
