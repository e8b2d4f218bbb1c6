"""One label, one answer: `check`, a batch file's wide header and a batch file's long row
read every name labs write the same way (one lookup, Reference.analyte_key), and refuse the
same names. Also `--alias` on both commands, and a lab file's `aliases:` section."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from lab_names import NEVER, SPELLINGS  # pytest puts tests/ on sys.path ("prepend" imports)
from typer.testing import CliRunner

from electrocheck.batch.columns import wide_prefixes
from electrocheck.batch.layout import LayoutOptions, detect_layout
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.clinical.check import run_check
from electrocheck.errors import InputError, UnknownAnalyteError
from electrocheck.reference import Reference, built_in_path

runner = CliRunner()

#: A low value of each analyte in mmol/L, so that every answer carries a flag worth comparing.
LOW = {"calcium": 1.9, "ionized_calcium": 1.0, "magnesium": 0.5, "potassium": 3.1, "sodium": 128}
LABELS = [label for label, _ in SPELLINGS] + [label for label in NEVER if label.strip()]


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"ELECTROCHECK_RANGES": None})


def _check(ref: Reference, label: str, value: float) -> tuple[str, str] | None:
    """(analyte, flag) as check answers ``label=value``, or None when it does not know it."""
    try:
        (result,) = run_check(ref, [f"{label}={value}mmol/L"]).results
    except UnknownAnalyteError:
        return None
    return result.analyte, result.flag


def _value(label: str) -> float:
    key = dict(SPELLINGS).get(label)
    return LOW[key] if key else 4.1


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_check_and_a_long_batch_file_give_each_label_the_same_answer(
    ref: Reference, tmp_path: Path
) -> None:
    file = tmp_path / "long.csv"
    with file.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["test", "value", "unit"])
        writer.writerows([label, _value(label), "mmol/L"] for label in LABELS)
    result = run("batch", str(file), "--quiet")
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert [row["test"] for row in rows] == LABELS
    for label, row in zip(LABELS, rows, strict=True):
        batch = (row["analyte"], row["flag"]) if row["analyte"] else None
        assert batch == _check(ref, label, _value(label)), label
    assert sum(bool(row["analyte"]) for row in rows) == len(SPELLINGS)


@pytest.mark.parametrize("label", LABELS, ids=repr)
def test_check_and_a_wide_header_give_each_label_the_same_answer(
    ref: Reference, label: str
) -> None:
    answer = _check(ref, label, _value(label))
    try:
        layout = detect_layout([f"{label} (mmol/L)", "id"], ref, LayoutOptions())
    except InputError:  # no column names an analyte
        assert answer is None
        return
    assert answer is not None and [c.analyte for c in layout.wide] == [answer[0]]


def test_the_wide_headers_of_issue_11(ref: Reference) -> None:
    header = ["K+", "Na+", "Ca++ (mg/dL)", "Potassium (K) [mmol/L]", "Mg2+", "iCa", "Urine K"]
    layout = detect_layout(header, ref, LayoutOptions())
    found = [(c.header, c.analyte, c.header_unit and c.header_unit.spelling) for c in layout.wide]
    assert found == [
        ("K+", "potassium", None),
        ("Na+", "sodium", None),
        ("Potassium (K) [mmol/L]", "potassium", "mmol/L"),
        ("Mg2+", "magnesium", None),
        ("iCa", "ionized_calcium", None),
    ]


def test_a_wide_batch_file_flags_each_header_as_check_does(ref: Reference, tmp_path: Path) -> None:
    labels = [label for label, _ in SPELLINGS]
    header = [f"{label} (mmol/L)" for label in labels]
    file = tmp_path / "wide.csv"
    with file.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerow([_value(label) for label in labels])
    result = run("batch", str(file), "--quiet")
    assert result.exit_code == 0, result.output
    (row,) = _rows(result.stdout)
    layout = detect_layout(header, ref, LayoutOptions())
    assert [c.header for c in layout.wide] == header
    for label, column, prefix in zip(labels, layout.wide, wide_prefixes(layout.wide), strict=True):
        assert (column.analyte, row[f"{prefix}flag"]) == _check(ref, label, _value(label)), label


# --------------------------------------------------------------------------- --alias


def test_check_alias_option() -> None:
    result = run("check", "--alias", "Kalium X=k", "Kalium X=3.1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"analyte": "potassium"' in result.stdout
    result = run("check", "--alias", "Kalium X=k", "--alias", "ALB-S=alb", "Kalium X=3.1")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alias", "K+=na", "K+=4.1"], "--alias 'K+=na': 'K+' already names potassium"),
        (["--alias", "X=chlorid", "X=3"], "--alias 'X=chlorid': unknown analyte 'chlorid'"),
        (["--alias", "Kalium", "k=3"], "--alias 'Kalium': expected LABEL=ANALYTE"),
        (["Kalium X=3.1"], "unknown analyte 'Kalium X'"),
        (["pottasium=3.1"], "unknown analyte 'pottasium' (did you mean 'potassium'?)"),
    ],
)
def test_check_refuses_a_bad_alias_or_name(args: list[str], message: str) -> None:
    result = run("check", *args)
    assert result.exit_code == ExitCode.ERROR, result.output
    assert result.stdout == "" and result.stderr.startswith("electrocheck: error: ")
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_batch_alias_option_reads_wide_headers_and_long_test_names(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("id,Kalium X (mmol/L),Na\n1,3.1,140\n", encoding="utf-8")
    result = run("batch", str(wide), "--quiet", "--alias", "Kalium X=potassium")
    assert result.exit_code == 0, result.output
    (row,) = _rows(result.stdout)
    assert (row["potassium_flag"], row["sodium_flag"]) == ("L", "N")
    without = run("batch", str(wide), "--quiet")
    assert "potassium_flag" not in _rows(without.stdout)[0]

    long = tmp_path / "long.csv"
    long.write_text("test,value,unit\nKalium X,3.1,mmol/L\nK+,2.0,mmol/L\n", encoding="utf-8")
    result = run("batch", str(long), "--quiet", "--alias", "Kalium X=k")
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert [(r["analyte"], r["flag"]) for r in rows] == [("potassium", "L"), ("potassium", "LL")]


def test_batch_refuses_a_bad_alias(tmp_path: Path) -> None:
    file = tmp_path / "wide.csv"
    file.write_text("K\n3.1\n", encoding="utf-8")
    result = run("batch", str(file), "--alias", "K+=sodium")
    assert result.exit_code == ExitCode.ERROR, result.output
    assert "--alias 'K+=sodium': 'K+' already names potassium" in result.stderr


def test_a_lab_files_aliases_section_serves_check_and_batch(tmp_path: Path) -> None:
    text = built_in_path().read_text("utf-8")
    lab = tmp_path / "lab.yaml"
    lab.write_text(text + "\naliases:\n  Kalium X: potassium\n", encoding="utf-8")
    result = run("check", "Kalium X=3.1", "--ranges", str(lab), "--format", "json")
    assert result.exit_code == 0 and '"analyte": "potassium"' in result.stdout, result.output
    long = tmp_path / "long.csv"
    long.write_text("test,value\nKalium X,3.1\n", encoding="utf-8")
    result = run("batch", str(long), "--quiet", "--ranges", str(lab))
    assert [r["analyte"] for r in _rows(result.stdout)] == ["potassium"]
    assert run("ranges", "validate", str(lab)).exit_code == 0


def test_a_lab_files_clashing_alias_is_refused(tmp_path: Path) -> None:
    text = built_in_path().read_text("utf-8")
    lab = tmp_path / "lab.yaml"
    lab.write_text(text + "\naliases:\n  K+: sodium\n", encoding="utf-8")
    line = len(lab.read_text("utf-8").splitlines())
    result = run("ranges", "validate", str(lab))
    assert result.exit_code == ExitCode.ERROR
    assert f"{lab}:{line}: aliases.K+: 'K+' already names potassium" in result.stderr


@pytest.mark.parametrize(
    "text",
    ["test,value,unit\nCa++,1.1,mmol/L\nK,4.0,mmol/L\n", "mrn,Ca++,K\n1,1.1,4.0\n"],
    ids=["long", "wide"],
)
def test_batch_reads_a_name_two_analytes_go_by_as_neither_and_fails_on_it(
    tmp_path: Path, text: str
) -> None:
    file = tmp_path / "labs.csv"
    file.write_text(text, encoding="utf-8")
    result = run("batch", str(file), "--fail-on", "critical", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == ExitCode.CONDITION_MET, result.output
    assert "could not be interpreted" in result.stderr
    settled = run("batch", str(file), "--alias", "Ca++=ica", "--quiet")
    assert settled.exit_code == 0, settled.output
    assert "ionized_calcium" in settled.stdout
