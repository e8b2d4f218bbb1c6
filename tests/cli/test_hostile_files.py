"""A corpus of hostile files (tests/data/hostile/, plus variants of the built-in reference
file and files too big to keep): each gives a clear error, or a correct output with every row
kept. Nothing else: no traceback, no partial output file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.reference import built_in_path

HOSTILE = Path(__file__).resolve().parents[1] / "data" / "hostile"
BUILT_IN = built_in_path().read_text(encoding="utf-8")
runner = CliRunner()


def _variant(old: str, new: str) -> Callable[[Path], Path]:
    """A copy of the built-in file with one edit, written where the test says."""

    def write(folder: Path) -> Path:
        assert old in BUILT_IN
        path = folder / "variant.yaml"
        path.write_text(BUILT_IN.replace(old, new, 1), encoding="utf-8")
        return path

    return write


def _corpus(name: str) -> Callable[[Path], Path]:
    return lambda _: HOSTILE / name


K_LOW_RISK = "      spasm_risk: moderate\n      treatment: >-\n        Replace potassium"
BAD_YAML = [
    # PyYAML keeps the last of two equal keys; a lab file with two values must be an error.
    (
        "duplicate key",
        _variant(
            K_LOW_RISK, K_LOW_RISK.replace("moderate\n", "moderate\n      spasm_risk: high\n")
        ),
        "duplicate key 'spasm_risk'",
    ),
    ("alias bomb", _corpus("alias-bomb.yaml"), "aliases (*name) are not accepted"),
    ("nesting 200 deep", _corpus("deep-nesting.yaml"), "nested more than 32 levels deep"),
    ("python tag", _corpus("python-tag.yaml"), "could not determine a constructor"),
    ("control characters", _corpus("not-yaml.yaml"), "not valid YAML"),
    (
        "a tab for indentation",
        _variant("    label: Potassium\n", "\tlabel: Potassium\n"),
        "not valid YAML",
    ),
    (
        "wrong types",
        _variant(
            "plausible: {low: 0.8, high: 15.0, unit: mmol/L, source: electrocheck-plausible}",
            'plausible: {low: yes, high: "15", unit: 42, source: [electrocheck-plausible]}',
        ),
        "must be a number, not true/false",
    ),
    (
        "a 1 MB key",
        _variant("    label: Potassium\n", f"    label: Potassium\n    {'k' * 1_000_000}: 1\n"),
        "not valid YAML",
    ),
    ("not UTF-8", lambda folder: _bytes(folder, b"format: 1\ntitle: caf\xe9\n"), "not UTF-8"),
    ("empty", lambda folder: _bytes(folder, b""), "must be a mapping"),
]


def _bytes(folder: Path, data: bytes) -> Path:
    path = folder / "bytes.yaml"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"), [(m, t) for _, m, t in BAD_YAML], ids=[n for n, _, _ in BAD_YAML]
)
def test_hostile_reference_file_is_a_clear_error(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    result = runner.invoke(app, ["ranges", "validate", str(path)])
    assert result.exit_code == ExitCode.ERROR
    assert message in result.stderr and result.stdout == ""
    assert all(len(line) < 400 for line in result.stderr.splitlines())  # never a 1 MB echo
    checked = runner.invoke(app, ["check", "k=4.1", "--ranges", str(path)])
    assert checked.exit_code == ExitCode.ERROR and checked.stderr.count("\n") == 1


def test_a_huge_string_value_loads_and_works(tmp_path: Path) -> None:
    path = _variant("title: electrocheck built-in", f"title: {'x' * 1_000_000} built-in")(tmp_path)
    result = runner.invoke(app, ["check", "k=3.1", "--ranges", str(path), "--format", "json"])
    assert result.exit_code == ExitCode.OK, result.stderr


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# (file, expected potassium flags, a fragment every error row's `errors` holds or None)
GOOD_CSV = [
    ("crlf.csv", ["L", "N"]),
    ("no-final-newline.csv", ["L", "N"]),
    ("latin1.csv", ["L", "N"]),
    ("invalid-utf8.csv", ["L", "N", "H"]),
    ("quoted-newlines.csv", ["L", "N"]),
    ("ragged.csv", ["L", "N", "N"]),
    ("nul-bytes.csv", ["L", "", ""]),
    ("formula-cells.csv", ["", "L", "N"]),
]


@pytest.mark.parametrize(("name", "flags"), GOOD_CSV, ids=[n for n, _ in GOOD_CSV])
def test_hostile_csv_keeps_every_row(tmp_path: Path, name: str, flags: list[str]) -> None:
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(HOSTILE / name), "-o", str(target), "--quiet"])
    assert result.exit_code == ExitCode.OK, result.stderr
    rows = _rows(target.read_text(encoding="utf-8"))
    assert [r["potassium_flag"] for r in rows] == flags
    for row in rows:
        # Text electrocheck writes never starts like a spreadsheet formula.
        assert not row["errors"].startswith(("=", "+", "-", "@"))
        if row["potassium_flag"] == "" and row["K" if "K" in row else "K (mmol/L)"]:
            assert row["errors"]  # every bad cell explained


def test_formula_cells_pass_through_unchanged_and_are_explained(tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", str(HOSTILE / "formula-cells.csv"), "--quiet"])
    rows = _rows(result.stdout)
    assert rows[0]["K"] == "=1+1" and "K: '=1+1' is not a number" in rows[0]["errors"]
    assert rows[2]["Sodium"].startswith("=cmd|")


def test_a_100000_character_cell_keeps_its_row(tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    source.write_text(f"mrn,K,note\n1,{'9' * 100_000},x\n2,4.1,{'y' * 100_000}\n")
    result = runner.invoke(app, ["batch", str(source), "--quiet"])
    rows = _rows(result.stdout)
    assert [r["potassium_flag"] for r in rows] == ["", "N"]
    assert len(rows[1]["note"]) == 100_000
    assert len(rows[0]["errors"]) < 300  # the message quotes the cell shortened


def test_10000_columns(tmp_path: Path) -> None:
    source = tmp_path / "wide.csv"
    header = ["mrn", *(f"c{i}" for i in range(9_998)), "K"]
    lines = [",".join(header)] + [",".join([str(r), *["x"] * 9_998, "4.1"]) for r in range(20)]
    source.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["batch", str(source), "--quiet"])
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) == 21 and all(len(row) == 10_000 + 7 for row in rows)
    assert {row[header.index("K") + 2] for row in rows[1:]} == {"N"}


def test_an_error_leaves_no_output_file(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("no,analyte,here\n1,2,3\n")
    result = runner.invoke(app, ["batch", str(source), "-o", str(target)])
    assert result.exit_code == ExitCode.ERROR
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_an_error_text_that_would_start_a_formula_is_quoted(tmp_path: Path) -> None:
    # The errors column starts with the column's name; a column called "=K" would make it
    # start like a formula, so the text gets a leading apostrophe.
    source = tmp_path / "in.csv"
    source.write_text("mrn,=K\n1,abc\n2,4.1\n")
    result = runner.invoke(app, ["batch", str(source), "--map", "k==K", "--quiet"])
    rows = _rows(result.stdout)
    assert rows[0]["errors"] == "'=K: 'abc' is not a number"
    assert rows[1]["errors"] == "" and rows[1]["potassium_flag"] == "N"


def test_bytes_windows_1252_leaves_undefined(tmp_path: Path) -> None:
    # Found by fuzzing: 0x8f is neither UTF-8 nor defined in Windows-1252.
    source = tmp_path / "in.csv"
    source.write_bytes(b"mrn,K,note\n1,3.1,caf\xe9\n2,4.0,\x8f\x81\n")
    result = runner.invoke(app, ["batch", str(source)])
    assert result.exit_code == ExitCode.OK, result.stderr
    assert [r["potassium_flag"] for r in _rows(result.stdout)] == ["L", "N"]
    assert "not UTF-8" in result.stderr
