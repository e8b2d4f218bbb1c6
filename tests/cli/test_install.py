"""The installed command, run as a user would: a subprocess in another folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script() -> str:
    beside = Path(sys.executable).with_name("electrocheck")
    found = str(beside) if beside.exists() else shutil.which("electrocheck")
    assert found, "the electrocheck script is not installed"
    return found


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"ELECTROCHECK_RANGES", "PYTHONPATH"}}
    env["NO_COLOR"] = "1"
    return env


def test_installed_script_runs_from_another_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [_script(), "check", "k=4.1", "ca=7.6mg/dL", "--format", "json"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["reference"] == "built-in"
    assert [r["flag"] for r in data["results"]] == ["N", "L"]
    assert done.stderr == ""


def test_installed_script_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [_script(), "check", "ca=9.2"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_wheel_carries_the_reference_file_and_finds_it(tmp_path: Path) -> None:
    """A non-editable install finds the built-in file from any folder."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    wheel = next((tmp_path / "dist").glob("electrocheck-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        packaged = archive.read("electrocheck/reference_ranges.yaml")
        names = set(archive.namelist())
    assert packaged == (ROOT / "reference_ranges.yaml").read_bytes()
    assert {
        "electrocheck/units/unit_table.json",
        "electrocheck/units/units.txt",
        "electrocheck/py.typed",
    } <= names

    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert (target / "electrocheck" / "py.typed").is_file()  # type checkers use the hints
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _clean_env() | {"PYTHONPATH": str(target)}
    code = "from electrocheck.reference import built_in_path; print(built_in_path())"
    where = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(target)
    done = subprocess.run(
        [sys.executable, "-m", "electrocheck", "check", "na=128", "-f", "json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["flag"] == "L"
