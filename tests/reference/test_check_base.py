"""The shared checks of the reference file's validation (electrocheck.reference.check_base):
how a problem names its key path, and the kind of value it found."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import refused, set_at  # pytest puts tests/reference on sys.path

from electrocheck.errors import quote

K = "analytes.potassium"


def problems_of(file: Path) -> list[str]:
    """The problems, each without the file and line that start it."""
    return [re.sub(r"^.*?:\d+: ", "", problem) for problem in refused(file)]


def test_a_top_level_key_is_named_alone(write_reference: Callable[..., Path]) -> None:
    (problem,) = problems_of(write_reference(set_at("extra", 1)))
    assert problem.startswith("extra: unknown key (allowed: ")


KEY_40 = "k" * 40


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        (KEY_40, KEY_40),  # short plain text: as written
        (KEY_40 + "k", quote(KEY_40 + "k")),  # longer: quoted (and shortened when long)
        ("k" * 200, quote("k" * 200)),
        ("bell\x07", quote("bell\x07")),  # not printable: quoted
        (5, "5"),  # not text: its value
        (True, "True"),
    ],
)
def test_an_unknown_key_is_named_so_that_it_can_be_found(
    write_reference: Callable[..., Path], key: Any, shown: str
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["analytes"]["potassium"][key] = 1

    (problem,) = problems_of(write_reference(edit))
    assert problem.startswith(f"{K}.{shown}: unknown key (allowed: ")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (True, "true/false"),
        ({"a": 1}, "a mapping"),
        (["a"], "a list"),
        (None, "empty"),
        (1.5, "a number"),
        (3, "a number"),
        (datetime.date(2026, 11, 30), "a date"),  # YAML reads 2026-11-30 as a date
    ],
)
def test_a_wrong_value_is_named_by_its_kind(
    write_reference: Callable[..., Path], value: Any, kind: str
) -> None:
    (problem,) = problems_of(write_reference(set_at(f"{K}.label", value)))
    assert problem == f"{K}.label: must be non-empty text, not {kind}"


def test_a_number_given_as_text_is_named_text(write_reference: Callable[..., Path]) -> None:
    (problem,) = problems_of(write_reference(set_at(f"{K}.reference.0.low", "3.5")))
    assert problem == f"{K}.reference[0].low: must be a number, not text"
