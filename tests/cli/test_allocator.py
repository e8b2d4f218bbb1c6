"""polars' allocator options: set by the console script before polars loads, never over
the user's own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from electrocheck.cli import allocator


@pytest.fixture
def unset(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(allocator.VARIABLE, raising=False)
    monkeypatch.delitem(sys.modules, "polars", raising=False)
    return monkeypatch


def test_set_when_polars_is_not_loaded_and_the_user_set_nothing(
    unset: pytest.MonkeyPatch,
) -> None:
    assert allocator.share_one_arena() is True
    assert os.environ[allocator.VARIABLE] == allocator.OPTIONS


def test_the_users_own_setting_is_kept(unset: pytest.MonkeyPatch) -> None:
    unset.setenv(allocator.VARIABLE, "narenas:8")
    assert allocator.share_one_arena() is False
    assert os.environ[allocator.VARIABLE] == "narenas:8"


def test_too_late_once_polars_is_loaded(unset: pytest.MonkeyPatch) -> None:
    unset.setitem(sys.modules, "polars", object())
    assert allocator.share_one_arena() is False
    assert allocator.VARIABLE not in os.environ


def test_the_console_entry_sets_it_before_any_command_loads_polars() -> None:
    program = (
        "import os, sys\n"
        "from electrocheck.cli import main\n"
        "sys.argv = ['electrocheck', '--version']\n"
        "code = main()\n"
        f"print(code, os.environ.get({allocator.VARIABLE!r}))\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != allocator.VARIABLE}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=environment
    )
    assert done.stdout.splitlines()[-1] == f"0 {allocator.OPTIONS}", done.stderr
