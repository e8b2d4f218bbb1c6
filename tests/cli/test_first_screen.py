"""The installed command at a real terminal: a pseudo-terminal of 80 columns and 24 rows.

What the README's checks show must be on the screen the terminal is left with; output longer
than the screen goes through the pager, and output that is not a terminal never does. The
pagers here are small scripts that record what they were given.
"""

from __future__ import annotations

import errno
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from screens import COLUMNS, ROWS, SCREEN, check_json, readme_checks, what_matters

termios = pytest.importorskip("termios", reason="no pseudo-terminals on this platform")
fcntl = pytest.importorskip("fcntl")
pty = pytest.importorskip("pty")

SGR = re.compile(rb"\x1b\[[0-9;]*m")
#: A check whose --explain output is longer than the screen.
LONG = ["check", "ca=7.6mg/dL", "mg=1.1mg/dL", "k=2.6", "--explain"]


def _script() -> str:
    beside = Path(sys.executable).with_name("electrocheck")
    found = str(beside) if beside.exists() else shutil.which("electrocheck")
    assert found, "the electrocheck script is not installed"
    return found


def _env(folder: Path, **changes: str | None) -> dict[str, str]:
    """The environment of a user at an xterm, with no pager chosen and colour allowed."""
    env = {k: v for k, v in os.environ.items() if k not in {"ELECTROCHECK_RANGES", "PYTHONPATH"}}
    for name in ("PAGER", "LESS", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES"):
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    env["HOME"] = str(folder)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def in_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, bytes, str]:
    """Run the installed script with stdin and stdout a pseudo-terminal of 80x24; its exit
    code, all it wrote to the terminal, and its stderr."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    process = subprocess.Popen(
        [_script(), *args],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    written = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            assert ready, "the command wrote nothing for two minutes"
            try:
                chunk = os.read(master, 65536)
            except OSError as exc:  # Linux: the other end is closed once the command ends
                assert exc.errno == errno.EIO
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(master)
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        code = process.wait(timeout=120)
    return code, written, stderr


def final_screen(written: bytes) -> list[str]:
    """The 24 rows a terminal shows after ``written``, the last the row of the prompt to come.
    Exact for output made of lines no wider than the terminal and colour codes alone, which
    is checked."""
    plain = SGR.sub(b"", written)
    assert b"\x1b" not in plain, "a control sequence other than colour"
    lines = [line.rstrip(" ") for line in plain.decode().split("\r\n")]  # blanks show as none
    assert "\r" not in "".join(lines) and max(len(line) for line in lines) <= COLUMNS
    return lines[-ROWS:]


def recorder(folder: Path, name: str = "pager") -> tuple[str, Path]:
    """A pager (a command line for $PAGER, run without a shell) that writes what it is given,
    and the LESS it sees, to a file: the command line and the file."""
    script = folder / f"{name}.py"
    record = folder / f"{name}.record"
    script.write_text(
        "import json, os, sys\n"
        f"with open({str(record)!r}, 'w') as out:\n"
        "    json.dump({'argv': sys.argv[1:], 'less': os.environ.get('LESS'),\n"
        "               'text': sys.stdin.buffer.read().decode()}, out)\n"
    )
    return f"{sys.executable} {script}", record


def recorded(record: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(record.read_text())
    return data


README_CHECKS = readme_checks()


@pytest.mark.parametrize("args", README_CHECKS, ids=" ".join)
def test_the_readme_checks_leave_what_matters_on_the_screen(
    tmp_path: Path, args: list[str]
) -> None:
    pager, record = recorder(tmp_path)
    code, written, stderr = in_terminal(["check", *args], _env(tmp_path, PAGER=pager), tmp_path)
    assert (code, stderr) == (0, "")
    assert not record.exists(), "output that fits the screen went to the pager"
    assert SGR.search(written), "no colour at a terminal"
    screen = final_screen(written)
    assert screen[-1] == ""  # the prompt's row
    found = what_matters(screen, check_json(args))  # raises when a row is not on the screen
    assert found and all(0 <= i < SCREEN for lines in found.values() for i in lines)


def test_output_longer_than_the_screen_goes_through_the_pager(tmp_path: Path) -> None:
    pager, record = recorder(tmp_path)
    code, written, stderr = in_terminal(LONG, _env(tmp_path, PAGER=pager), tmp_path)
    assert (code, stderr, written) == (0, "", b"")  # all of it went to the pager
    seen = recorded(record)
    text = seen["text"]
    assert text.count("\n") > SCREEN
    assert SGR.search(text.encode()), "the colour did not reach the pager"
    plain = SGR.sub(b"", text.encode()).decode()
    assert plain.startswith("Analyte") and "Cancer-related causes to look for:" in plain
    assert max(len(line) for line in plain.splitlines()) <= COLUMNS
    assert seen["less"] == "FRX"


@pytest.mark.parametrize(("less", "seen"), [(None, "FRX"), ("-M", "-M"), ("", "")])
def test_less_is_the_pager_when_none_is_chosen(tmp_path: Path, less: str | None, seen: str) -> None:
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    pager, record = recorder(tmp_path, "less")
    fake = bin_folder / "less"
    fake.write_text(f'#!/bin/sh\nexec {pager} "$@"\n')
    fake.chmod(0o755)
    env = _env(tmp_path, PATH=str(bin_folder), LESS=less)
    code, written, stderr = in_terminal(LONG, env, tmp_path)
    assert (code, stderr, written) == (0, "", b"")
    assert recorded(record)["less"] == seen


@pytest.mark.parametrize(
    ("why", "args", "changes"),
    [
        ("no less on the PATH", LONG, {"PATH": "{empty}"}),
        ("a pager that is not there", LONG, {"PAGER": "/nonexistent/pager -R"}),
        ("PAGER=cat", LONG, {"PAGER": "cat", "PATH": "{empty}"}),
        ("PAGER set empty", LONG, {"PAGER": ""}),
        ("--no-pager", [*LONG, "--no-pager"], {"PAGER": "{recorder}"}),
    ],
    ids=lambda case: case if isinstance(case, str) else "",
)
def test_without_a_pager_the_output_is_printed_as_it_is(
    tmp_path: Path, why: str, args: list[str], changes: dict[str, str]
) -> None:
    pager, record = recorder(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = _env(
        tmp_path,
        **{k: v.format(empty=empty, recorder=pager) for k, v in changes.items()},
    )
    code, written, stderr = in_terminal(args, env, tmp_path)
    assert (code, stderr) == (0, ""), why
    assert not record.exists()
    text = SGR.sub(b"", written).decode()
    assert text.startswith("Analyte") and "Cancer-related causes to look for:" in text
    assert text.count("\n") > SCREEN


@pytest.mark.parametrize(
    "args",
    [["explain"], ["explain", "calcium"], LONG],
    ids=["explain", "explain calcium", "check --explain"],
)
def test_redirected_output_is_never_paged(tmp_path: Path, args: list[str]) -> None:
    pager, record = recorder(tmp_path)
    done = subprocess.run(
        [_script(), *args],
        env=_env(tmp_path, PAGER=pager),
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert not record.exists()
    assert done.stdout.count(b"\n") > SCREEN and b"\x1b" not in done.stdout


@pytest.mark.parametrize("args", [["explain"], ["explain", "mg"]])
def test_explain_is_paged_too(tmp_path: Path, args: list[str]) -> None:
    pager, record = recorder(tmp_path)
    code, written, stderr = in_terminal(args, _env(tmp_path, PAGER=pager), tmp_path)
    assert (code, stderr, written) == (0, "", b"")
    assert recorded(record)["text"].count("\n") > SCREEN


def test_a_pager_quit_early_ends_the_command_quietly(tmp_path: Path) -> None:
    quitter = tmp_path / "quit.py"
    quitter.write_text("import os\nos.close(0)\n")  # gone before it reads a line
    env = _env(tmp_path, PAGER=f"{sys.executable} {quitter}")
    code, written, stderr = in_terminal([*LONG, "--fail-on", "critical"], env, tmp_path)
    assert (code, stderr, written) == (1, "", b"")  # the check's own exit code, no traceback
