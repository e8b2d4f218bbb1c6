"""What must be on the first screen of `check`, and where it is in an output: the helpers of
the first-screen tests (pytest puts this folder on sys.path)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from electrocheck import load_reference
from electrocheck.cli import app

ROOT = Path(__file__).resolve().parents[2]
#: A terminal of 80 columns and 24 rows shows 23 lines of output above the shell's prompt.
COLUMNS, ROWS = 80, 24
SCREEN = ROWS - 1
CRITICAL = "critical, needs urgent attention"


def readme_checks() -> list[list[str]]:
    """The arguments of every `check` the README shows with its first screen (not JSON, not
    --explain, not an error)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for command, output in re.findall(
            r"^\$ electrocheck (check .*)\n((?:(?!\$ ).*\n)*)", block, flags=re.M
        ):
            args = shlex.split(command)[1:]
            if not output.startswith("electrocheck: error") and not {"--format", "--explain"} & set(
                args
            ):
                found.append(args)
    return found


def check_json(args: list[str]) -> dict[str, Any]:
    """What ``check ARGS --format json`` says."""
    done = CliRunner().invoke(app, ["check", *args, "--format", "json"])
    assert done.exit_code == 0, done.output
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def _row(lines: list[str], start: int, result: dict[str, Any]) -> int:
    """The line of ``result``'s row in the table, at or after ``start``, checked to show its
    flag and grade."""
    for i in range(start, len(lines)):
        if lines[i].startswith(result["label"] + " "):
            cells = re.split(r"\s{2,}", lines[i].strip())
            grade = "–" if result["grade"] is None else str(result["grade"])
            assert cells[-3:-1] == [result["flag"], grade], (lines[i], result)
            return i
    raise AssertionError(f"no row for {result['label']} after line {start}")


def what_matters(lines: list[str], data: dict[str, Any]) -> dict[str, list[int]]:
    """The lines of an output that show each flag and grade, the critical values and each
    pattern, for the check whose JSON is ``data``."""
    found: dict[str, list[int]] = {}
    at = 0
    for n, result in enumerate(data["results"]):
        at = _row(lines, at, result) + 1
        found[f"row {n} {result['label']}"] = [at - 1]
    critical = [r["label"] for r in data["results"] if r["flag"] in ("LL", "HH")]
    if critical:
        first = next(i for i, line in enumerate(lines) if line.startswith(f"! {CRITICAL}"))
        last = first
        while last + 1 < len(lines) and lines[last + 1].startswith("  "):
            last += 1
        found["critical"] = list(range(first, last + 1))
        shown = " ".join(lines[i].strip() for i in found["critical"])
        every = "every value flagged LL or HH" in shown
        assert every or all(label in shown for label in critical), (shown, critical)
    # A pattern another that matched includes is said by that one's line (its brief names both).
    patterns = {p.id: p for p in load_reference().patterns}
    said_by = {i: name for name in data["pattern_ids"] for i in patterns[name].includes}
    for name, brief in zip(data["pattern_ids"], data["pattern_briefs"], strict=True):
        shown = patterns[said_by[name]].short if name in said_by else brief
        found[f"pattern {brief}"] = [lines.index(f"» {shown}")]
    return found


def off_the_first_screen(text: str, data: dict[str, Any]) -> list[str]:
    """What matters that a reader of an 80x24 terminal would not see: outside the last 23
    lines (the screen once the output has scrolled past) or the first 23 (what a pager shows
    first)."""
    lines = text.rstrip("\n").split("\n")
    assert max(len(line) for line in lines) <= COLUMNS
    return [
        f"{name} at line {i + 1} of {len(lines)}"
        for name, where in what_matters(lines, data).items()
        for i in where
        if not (len(lines) - SCREEN <= i < SCREEN)
    ]
