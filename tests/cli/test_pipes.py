"""A closed stdout (`electrocheck ... | head`) ends quietly with exit code 141 (128 + SIGPIPE),
never 1, which means a --fail-on condition was met; nothing is left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from electrocheck.cli.exit_codes import ExitCode

WIDE = "mrn,K,Sodium\n" + "".join(f"{i},2.6,128\n" for i in range(20_000))


def _run(
    args: list[str], folder: Path, *, close: str = "stdout", stdin: bytes | None = None
) -> tuple[int, bytes]:
    """Run electrocheck with stdout (or stderr) a pipe whose reader has already gone, so the
    first write fails as it does behind `| head`; the exit code and what reached stderr."""
    tmp = folder / "tmp"
    tmp.mkdir(exist_ok=True)
    reader, writer = os.pipe()
    os.close(reader)
    other = subprocess.PIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "electrocheck", *args],
            input=stdin,
            stdout=writer if close == "stdout" else other,
            stderr=writer if close == "stderr" else other,
            cwd=folder,
            env={**os.environ, "TMPDIR": str(tmp), "ELECTROCHECK_RANGES": ""},
            timeout=120,
            check=False,
        )
    finally:
        os.close(writer)
    assert list(tmp.iterdir()) == [], "a temporary file was left behind"
    assert not list(folder.glob(".electrocheck-*")), "a partial output was left behind"
    return done.returncode, (done.stderr if close == "stdout" else done.stdout) or b""


@pytest.mark.parametrize(
    "args",
    [
        ["batch", "labs.csv"],
        ["batch", "labs.csv", "--fail-on", "critical"],  # the condition is met: still not 1
        ["batch", "labs.csv", "--strict", "--format", "jsonl", "-q"],
        ["batch", "-"],
        ["check", "k=2.6", "na=128", "--fail-on", "abnormal"],
        ["check", "k=2.6", "--format", "json"],
        ["explain", "potassium"],
        ["ranges", "show"],
        ["--help"],
        ["batch", "--help"],
        ["--version"],
    ],
)
def test_a_closed_stdout_ends_quietly_with_141(tmp_path: Path, args: list[str]) -> None:
    source = tmp_path / "labs.csv"
    source.write_text(WIDE)
    code, stderr = _run(args, tmp_path, stdin=WIDE.encode() if "-" in args else None)
    assert (code, stderr) == (ExitCode.BROKEN_PIPE, b"")


def test_a_closed_stderr_after_a_whole_output_file(tmp_path: Path) -> None:
    (tmp_path / "labs.csv").write_text(WIDE)
    code, stdout = _run(["batch", "labs.csv", "-o", "out.csv"], tmp_path, close="stderr")
    assert (code, stdout) == (ExitCode.BROKEN_PIPE, b"")
    assert (tmp_path / "out.csv").read_text().count("\n") == 20_001  # written whole first


def test_a_closed_stdout_unused_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "labs.csv").write_text(WIDE)
    code, _ = _run(["batch", "labs.csv", "-o", "out.csv", "--fail-on", "critical"], tmp_path)
    assert code == ExitCode.CONDITION_MET


def test_stdout_that_is_dev_null_is_no_closed_pipe(tmp_path: Path) -> None:
    # rich ends a write to a closed pipe by pointing stdout at /dev/null and exiting 1; a run
    # whose stdout was /dev/null from the start keeps its own exit code.
    with open(os.devnull, "wb") as null:
        done = subprocess.run(
            [sys.executable, "-m", "electrocheck", "check", "k=2.6", "--fail-on", "abnormal"],
            stdout=null,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    assert (done.returncode, done.stderr) == (ExitCode.CONDITION_MET, b"")
