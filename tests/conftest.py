"""Shared fixtures: the built-in reference, and modified copies of it for validation tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from electrocheck.reference import Reference, built_in_path, load_reference

# The profile of mutation runs (bench/mutation.py sets HYPOTHESIS_PROFILE=mutation): the same
# examples in every run, no example database carried between runs, and no deadline, since a
# mutant may be slower without being wrong.
settings.register_profile("mutation", derandomize=True, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: The names every result of ``check --format json`` carries (scripts depend on them).
CHECK_RESULT_NAMES = frozenset(
    {
        "analyte",
        "input",
        "value",
        "unit",
        "low",
        "high",
        "flag",
        "spasm_risk",
        "muscle_role",
        "effect",
        "cancer_causes",
        "notes",
    }
)


@pytest.fixture(autouse=True)
def _no_unit_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run without the unit settings of the shell they are started from: a test that
    wants one sets it."""
    for name in ("ELECTROCHECK_UNITS", "ELECTROCHECK_DEFAULT_UNITS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def check_result_names() -> frozenset[str]:
    return CHECK_RESULT_NAMES


@pytest.fixture(scope="session")
def ref() -> Reference:
    return load_reference()


@pytest.fixture(scope="session")
def built_in_data() -> dict[str, Any]:
    return yaml.safe_load(built_in_path().read_text(encoding="utf-8"))


@pytest.fixture
def write_reference(tmp_path: Path, built_in_data: dict[str, Any]) -> Callable[..., Path]:
    """Write a copy of the built-in file, changed by ``edit(data)``, and return its path."""
    counter = iter(range(10_000))

    def write(
        edit: Callable[[dict[str, Any]], None] | None = None, text: str | None = None
    ) -> Path:
        path = tmp_path / f"ref{next(counter)}.yaml"
        if text is None:
            data = yaml.safe_load(yaml.safe_dump(built_in_data))  # a deep copy
            if edit is not None:
                edit(data)
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
