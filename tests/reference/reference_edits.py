"""Edits of a reference file's data for the tests that write changed copies of it (with the
``write_reference`` fixture); pytest puts this folder on sys.path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from electrocheck.errors import ReferenceFileError
from electrocheck.reference import load_reference

Edit = Callable[[dict[str, Any]], None]

#: As a value: remove the key instead of setting it.
DELETE = object()


def set_at(path: str, value: Any) -> Edit:
    """Set (or, with :data:`DELETE`, remove) the value at a dotted path; a part indexes a
    list as a number and a mapping as written."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value

    return edit


def refused(file: Path) -> list[str]:
    """The problems loading ``file`` raises, each checked to name the file and a line."""
    with pytest.raises(ReferenceFileError) as info:
        load_reference(file)
    problems = info.value.problems
    assert all(problem.startswith(f"{file}:") for problem in problems), problems
    assert all(problem.split(":")[1].isdigit() for problem in problems), problems
    return problems
