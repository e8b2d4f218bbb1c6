"""polars' allocator options: one arena, asked for by the console script before polars
loads, added to options already there, never over an arena count already set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from electrocheck.cli import allocator


@pytest.fixture
def unset(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    # Set, then removed: the monkeypatch restores the variable (or its absence) afterwards.
    monkeypatch.setenv(allocator.VARIABLE, "")
    monkeypatch.delenv(allocator.VARIABLE)
    monkeypatch.delitem(sys.modules, "polars", raising=False)
    return monkeypatch


def test_set_when_polars_is_not_loaded_and_nothing_is_set(unset: pytest.MonkeyPatch) -> None:
    assert allocator.share_one_arena() is True
    assert os.environ[allocator.VARIABLE] == allocator.OPTIONS


def test_added_to_the_options_a_parent_that_loaded_polars_passed_on(
    unset: pytest.MonkeyPatch,
) -> None:
    unset.setenv(allocator.VARIABLE, "dirty_decay_ms:500,muzzy_decay_ms:1000")
    assert allocator.share_one_arena() is True
    assert os.environ[allocator.VARIABLE] == "dirty_decay_ms:500,muzzy_decay_ms:1000,narenas:1"


def test_an_arena_count_already_set_is_kept(unset: pytest.MonkeyPatch) -> None:
    unset.setenv(allocator.VARIABLE, "narenas:8")
    assert allocator.share_one_arena() is False
    assert os.environ[allocator.VARIABLE] == "narenas:8"


def test_too_late_once_polars_is_loaded(unset: pytest.MonkeyPatch) -> None:
    unset.setitem(sys.modules, "polars", object())
    assert allocator.share_one_arena() is False
    assert allocator.VARIABLE not in os.environ


@pytest.mark.parametrize("inherited", [None, "dirty_decay_ms:500,muzzy_decay_ms:1000"])
def test_the_console_entry_asks_before_polars_loads_and_polars_keeps_it(
    inherited: str | None,
) -> None:
    program = (
        "import os, sys\n"
        "from electrocheck.cli import main\n"
        "sys.argv = ['electrocheck', '--version']\n"
        "code = main()\n"
        "import polars\n"  # polars puts its own options first, then those it found
        f"print(code, os.environ.get({allocator.VARIABLE!r}))\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != allocator.VARIABLE}
    if inherited is not None:
        environment[allocator.VARIABLE] = inherited
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=environment
    )
    code, options = done.stdout.splitlines()[-1].split(" ", 1)
    assert code == "0", done.stderr
    assert options.endswith(f",{allocator.OPTIONS}"), options
