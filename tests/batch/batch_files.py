"""Running ``electrocheck batch`` on a small file the test writes, and reading its rows back
(shared by the batch tests; pytest puts this folder on sys.path)."""

from __future__ import annotations

import csv
import io
import json
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


def jsonl_rows(text: str) -> list[dict[str, Any]]:
    """The row records of JSON Lines output, each result joined to its texts (from the first
    record, by analyte and direction) as a reader of the file would: check's fields."""
    records = [json.loads(line) for line in text.splitlines()]
    kind = next(key for key in records[0] if key.endswith("record"))  # "record", "ec_record"
    assert records[0][kind] == "texts" and all(r[kind] == "row" for r in records[1:])
    texts = records[0]["texts"]
    rows = records[1:]
    for row in rows:
        for key, value in row.items():
            if key.endswith("results") and isinstance(value, list):
                for result in value:
                    result.update(texts[result["analyte"]][result["direction"]])
    return rows
