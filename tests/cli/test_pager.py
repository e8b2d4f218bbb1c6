"""The pager, in the process: which one runs, with which options, and what happens when it
is quit before it has read everything or cannot start."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from electrocheck.cli import pager


@pytest.mark.parametrize(
    ("environ", "argv"),
    [
        ({}, ["less"]),
        ({"LESS": "-M"}, ["less"]),
        ({"PAGER": "less -S"}, ["less", "-S"]),
        ({"PAGER": "'/opt/my pager/bin/pg' -x"}, ["/opt/my pager/bin/pg", "-x"]),
        ({"PAGER": "more"}, ["more"]),
        ({"PAGER": ""}, None),
        ({"PAGER": "   "}, None),
        ({"PAGER": "cat"}, None),
        ({"PAGER": " cat "}, None),
        ({"PAGER": "cat -v"}, ["cat", "-v"]),
        ({"PAGER": "it's"}, ["it's"]),  # unbalanced quote: tried as written, fails to start
    ],
)
def test_the_pager_is_pager_else_less(environ: dict[str, str], argv: list[str] | None) -> None:
    assert pager.command(environ) == argv


def _recorder(tmp_path: Path, body: str) -> dict[str, str]:
    script = tmp_path / "pager.py"
    script.write_text(body)
    return {"PAGER": f"{sys.executable} {script}"}


def test_a_pager_gets_the_text_and_less_its_options(tmp_path: Path) -> None:
    record = tmp_path / "record"
    environ = _recorder(
        tmp_path,
        "import os, sys\n"
        f"open({str(record)!r}, 'w').write(os.environ['LESS'] + '|' + sys.stdin.read())\n",
    )
    with open(tmp_path / "terminal", "w") as terminal:
        assert pager.page("line one\nline two\n", terminal, environ) is True
    assert record.read_text() == "FRX|line one\nline two\n"


def test_a_pager_quit_before_reading_all_ends_quietly(tmp_path: Path) -> None:
    # Far more than a pipe holds: the write blocks until the pager has gone, then fails.
    environ = _recorder(tmp_path, "import os, sys\nsys.stdin.buffer.read(10)\nos.close(0)\n")
    with open(tmp_path / "terminal", "w") as terminal:
        assert pager.page("x" * 4_000_000, terminal, environ) is True


@pytest.mark.parametrize("command", ["/nonexistent/pager", "cat", ""])
def test_no_pager_or_one_that_cannot_start_shows_nothing(tmp_path: Path, command: str) -> None:
    with open(tmp_path / "terminal", "w") as terminal:
        assert pager.page("text\n", terminal, {"PAGER": command}) is False
    assert (tmp_path / "terminal").read_text() == ""


def test_text_for_a_file_is_written_as_it_is(tmp_path: Path) -> None:
    with open(tmp_path / "out", "w") as out:
        pager.show("a\n" * 500, out)  # not a terminal: never paged
    assert (tmp_path / "out").read_text() == "a\n" * 500
