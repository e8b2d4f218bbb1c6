"""Running ``electrocheck batch`` on a small file the test writes, and reading its rows back
(shared by the batch tests; pytest puts this folder on sys.path)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from electrocheck import read_jsonl
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


def jsonl_rows(text: str) -> list[dict[str, Any]]:
    """The row records of JSON Lines output, each result whole (found by its id and joined to
    its texts, as :func:`electrocheck.read_jsonl` reads them): check's fields. The output's
    shape is checked on the way: the texts first, each id written once."""
    lines = [line for line in text.split("\n") if line]  # not splitlines: U+2028 in cells
    records = [json.loads(line) for line in lines]
    kind = next(iter(records[0]))  # "record", or "ec_record"
    assert records[0][kind] == "texts"
    ids = [r["id"] for r in records if r[kind] == "result"]
    assert len(ids) == len(set(ids)), "an id written twice"
    assert {r[kind] for r in records[1:]} <= {"result", "row"}
    return list(read_jsonl(lines))
