"""Ctrl-C and SIGTERM in the middle of a batch: exit 130 or 143, one line, no traceback, no
output file and no temporary file left behind, the input untouched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from electrocheck.cli.exit_codes import ExitCode


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("interrupt") / "big.csv"
    row = "1,64,7.6,2.5,1.1,3.1,128\n"
    path.write_text("mrn,age,Calcium (mg/dL),Albumin,Magnesium (mg/dL),K,Sodium\n" + row * 400_000)
    return path


@pytest.mark.parametrize(
    ("signum", "code", "message"),
    [
        (signal.SIGINT, ExitCode.INTERRUPTED, "electrocheck: interrupted"),
        (signal.SIGTERM, ExitCode.TERMINATED, "electrocheck: terminated"),
    ],
)
def test_a_stopped_batch_leaves_nothing_behind(
    tmp_path: Path, big_file: Path, signum: int, code: int, message: str
) -> None:
    before = big_file.stat().st_size
    target = tmp_path / "out.csv"
    target.write_text("an earlier output\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "electrocheck", "batch", str(big_file), "-o", str(target), "-q"],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    # Wait until the run is writing (its temporary file holds data), then stop it.
    while (
        not any(p.stat().st_size for p in tmp_path.glob(".electrocheck-*"))
        and time.monotonic() < deadline
    ):
        if process.poll() is not None:
            pytest.skip("the batch finished before it could be stopped")
        time.sleep(0.01)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in stderr
    # No temporary file left, and the earlier output untouched.
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert target.read_text() == "an earlier output\n"
    assert big_file.stat().st_size == before


def test_ctrl_c_while_reading_stdin_leaves_no_copy_of_it(tmp_path: Path) -> None:
    # stdin is first copied to a temporary file; Ctrl-C during the copy must remove it, since
    # it holds patients' results.
    spool = tmp_path / "tmp"
    spool.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "electrocheck", "batch", "-", "-o", str(tmp_path / "out.csv")],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(spool)},
    )
    assert process.stdin is not None
    process.stdin.write(b"mrn,K\n1,3.1\n")
    process.stdin.flush()
    deadline = time.monotonic() + 60
    # Python's tempfile writes and removes a probe file of its own in TMPDIR the first time it
    # looks for the folder; the copy of the data is the electrocheck-stdin file.
    while not list(spool.glob("electrocheck-stdin-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED, stderr
    assert b"Traceback" not in stderr
    assert list(spool.glob("electrocheck-*")) == [] and not (tmp_path / "out.csv").exists()
    assert all(p.stat().st_size <= 4 for p in spool.iterdir())  # at most tempfile's probe
