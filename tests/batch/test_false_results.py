"""Results that may be false, in batch: the patterns that say so land on the rows involved,
in wide rows and in long panels, are counted by the summary, and never change a flag or a
grade."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batch_files import rows, run
from typer.testing import CliRunner

from electrocheck.cli.commands import app

TLS, EDTA = "tumour-lysis-ca", "edta-contamination"

#: (potassium mmol/L, calcium mmol/L, the patterns): each critical limit from both sides.
EDTA_CASES = [
    ("7.5", "1.2", [TLS, EDTA]),
    ("6.3", "1.49", [TLS, EDTA]),
    ("6.2", "1.2", [TLS]),
    ("7.5", "1.50", [TLS]),
    ("7.5", "2.3", []),
    ("4.0", "1.2", []),
]


def _ids(text: str) -> list[str]:
    return [p for p in text.split("; ") if p]


@pytest.mark.parametrize(("k", "ca", "expected"), EDTA_CASES)
def test_edta_on_a_wide_row(tmp_path: Path, k: str, ca: str, expected: list[str]) -> None:
    (row,) = rows(run(tmp_path, f"K,Calcium (mmol/L)\n{k},{ca}\n"))
    assert _ids(row["patterns"]) == expected
    assert row["potassium_flag"] in ("H", "HH", "N") and row["calcium_grade"] != ""


@pytest.mark.parametrize(("k", "ca", "expected"), EDTA_CASES)
def test_edta_in_a_long_panel(tmp_path: Path, k: str, ca: str, expected: list[str]) -> None:
    text = (
        "patient,collected,accession,test,value,unit\n"
        f"P1,2026-03-01 08:00,S1,Potassium,{k},mmol/L\n"
        f"P1,2026-03-01 08:00,S1,Calcium,{ca},mmol/L\n"
        "P1,2026-03-01 08:00,S1,Sodium,140,mmol/L\n"
        # Another specimen of the same patient an hour later: not in the panel.
        "P1,2026-03-01 09:00,S2,Potassium,4.1,mmol/L\n"
    )
    found = rows(run(tmp_path, text))
    k_row, ca_row, na_row, later = found
    # The potassium and calcium rows take part; sodium and the later specimen do not.
    if EDTA in expected:
        assert EDTA in _ids(k_row["patterns"]) and EDTA in _ids(ca_row["patterns"])
    assert set(_ids(k_row["patterns"]) + _ids(ca_row["patterns"])) == set(expected)
    assert na_row["patterns"] == "" and later["patterns"] == ""
    assert later["panel"] != k_row["panel"]


def test_edta_notes_and_flags_in_json_lines(tmp_path: Path) -> None:
    text = (
        "patient,collected,test,value,unit\n"
        "P1,2026-03-01 08:00,Potassium,7.5,mmol/L\n"
        "P1,2026-03-01 08:00,Calcium,1.2,mmol/L\n"
    )
    result = run(tmp_path, text, "--format", "jsonl")
    k_row, ca_row = (json.loads(line) for line in result.stdout.splitlines())
    for row, flag in ((k_row, "HH"), (ca_row, "LL")):
        assert row["patterns"] == [TLS, EDTA]
        assert any("EDTA contamination" in n and "Redraw" in n for n in row["pattern_notes"])
        assert row["results"][0]["flag"] == flag and row["results"][0]["grade"] == 4


def test_the_summary_counts_rows_and_panels_of_each_pattern(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("K,Calcium (mmol/L)\n7.5,1.2\n6.0,1.2\n4.0,2.3\n", encoding="utf-8")
    summary = tmp_path / "summary.json"
    out = CliRunner().invoke(
        app, ["batch", str(wide), "-o", str(tmp_path / "o.csv"), "--summary-json", str(summary)]
    )
    assert "  patterns (rows): tumour-lysis-ca 2, edta-contamination 1\n" in out.stderr
    assert json.loads(summary.read_text("utf-8"))["patterns"] == {TLS: 2, EDTA: 1}
    long = tmp_path / "long.csv"
    long.write_text(
        "patient,collected,test,value,unit\n"
        "P1,2026-03-01 08:00,Potassium,7.5,mmol/L\n"
        "P1,2026-03-01 08:00,Calcium,1.2,mmol/L\n"
        "P2,2026-03-01 08:00,Potassium,4.0,mmol/L\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(
        app, ["batch", str(long), "-o", str(tmp_path / "o.csv"), "--summary-json", str(summary)]
    )
    assert "  patterns (panels): edta-contamination 1, tumour-lysis-ca 1\n" in out.stderr
    data = json.loads(summary.read_text("utf-8"))
    assert data["panels"]["patterns"] == {EDTA: 1, TLS: 1} and data["patterns"] == {}
