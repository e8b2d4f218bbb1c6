"""Running ``electrocheck batch`` on a small file the test writes, and reading its rows back
(shared by the batch tests; pytest puts this folder on sys.path)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()


def run(tmp_path: Path, text: str, *args: str) -> Any:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["batch", str(source), "--quiet", *args])


def rows(result: Any) -> list[dict[str, str]]:
    assert result.exit_code in (ExitCode.OK, ExitCode.CONDITION_MET), result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))
