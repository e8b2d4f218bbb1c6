"""The core is a library: it imports neither typer nor rich, and the quick path stays light."""

from __future__ import annotations

import json
import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return {name.split(".")[0] for name in json.loads(done.stderr.strip().splitlines()[-1])}


def test_core_imports_neither_typer_nor_rich() -> None:
    loaded = _modules_after(
        "import electrocheck\n"
        "from electrocheck.clinical.check import run_check\n"
        "run_check(electrocheck.load_reference(), ['ca=7.6mg/dL', 'k=3.1', 'na=128', 'mEq/L'])"
    )
    assert not loaded & {"typer", "rich", "click", "polars"}


def test_json_check_loads_neither_pint_nor_rich() -> None:
    loaded = _modules_after(
        "from electrocheck.cli.commands import main\n"
        "main(['check', 'ca=7.6mg/dL', 'mg=1.1MG/DL', 'k=3.1', '--format', 'json'])"
    )
    assert "typer" in loaded
    assert not loaded & {"pint", "rich", "numpy", "pydantic", "polars"}


def test_unusual_unit_loads_pint_once_and_converts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "electrocheck", "check", "k=0.41 mmol/dL", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["value"] == 4.1
