"""``check --on DRUG``: the patient's medicines at the terminal, in the table's notes, in
--explain and in JSON; names that cannot be read; a check without medicines never reads the
reference file's medicines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.reference import built_in_path

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"ELECTROCHECK_RANGES": None})


@pytest.mark.parametrize(
    "options",
    [
        ["--on", "cetuximab,omeprazole"],
        ["--on", "cetuximab", "--on", "omeprazole"],
        ["--on", "Erbitux", "--on", "PRILOSEC"],
        ["--on", " erbitux , omeprazole "],
        ["--on", "L01FE01,A02BC01"],  # ATC codes
        ["--on", "318341,7646"],  # RxNorm ingredient codes
        ["--on", "318341", "--on", "A02BC01"],  # one of each
    ],
)
def test_repeatable_comma_separated_brand_names(options: list[str]) -> None:
    result = run("check", "mg=1.1mg/dL", *options, "--format", "json")
    assert result.exit_code == ExitCode.OK, result.output
    data = json.loads(result.stdout)
    drugs = [m["drug"] for m in data["results"][0]["medications"]]
    assert drugs == ["cetuximab", "omeprazole"]
    assert set(data["results"][0]["medications"][0]) == {"drug", "given_as", "effect", "source"}


@pytest.mark.parametrize(
    ("code", "drug"),
    [
        ("L01FE01", "cetuximab"),  # ATC
        ("318341", "cetuximab"),  # RxNorm, the same medicine
        ("2555", "cisplatin"),
        ("L01XA01", "cisplatin"),
        ("32592", "oxaliplatin"),
        ("263034", "panitumumab"),
    ],
)
def test_a_code_is_given_as_typed(code: str, drug: str) -> None:
    result = run("check", "mg=1.1mg/dL", "--on", code, "--format", "json")
    assert result.exit_code == ExitCode.OK, result.output
    (medicine,) = json.loads(result.stdout)["results"][0]["medications"]
    assert (medicine["drug"], medicine["given_as"]) == (drug, code)


@pytest.mark.parametrize("code", ["2556", "31834", "3183410", "L01FE09"])
def test_a_code_next_to_one_is_unknown(code: str) -> None:
    result = run("check", "mg=1.1mg/dL", "--on", code, "--format", "json")
    assert result.exit_code == ExitCode.OK
    warning = {"warning": f"--on: unknown drug '{code}'"}  # no other code offered as a hint
    assert [json.loads(line) for line in result.stderr.splitlines()] == [warning]
    assert json.loads(result.stdout)["results"][0].get("medications", []) == []


def test_the_first_screen_lists_the_medicines_then_the_one_without_effect() -> None:
    result = run("check", "mg=1.1mg/dL", "k=4.1", "--on", "Erbitux", "--on", "Keytruda")
    assert result.exit_code == ExitCode.OK, result.output
    out = result.stdout
    assert "Magnesium low: cetuximab (as Erbitux): EGFR blocked" in out
    assert "[cetuximab-mg]" in out
    assert out.count("pembrolizumab: no effect on these values") == 1
    assert result.stderr == ""


def test_explain_lists_the_medicines_first_and_the_causes_without_them() -> None:
    result = run("check", "mg=1.1mg/dL", "--on", "cetuximab", "--explain", "--no-pager")
    out = " ".join(result.stdout.split())
    first = out.index("The patient's medicines that explain it:")
    others = out.index("Other cancer-related causes to look for:")
    assert first < others
    assert "onset weeks to months" in out
    assert "Cetuximab and panitumumab" not in out[others:]
    assert "Cisplatin" in out[others:]


def test_an_unknown_name_is_a_hint_and_the_check_runs() -> None:
    result = run("check", "mg=1.1mg/dL", "--on", "cetuximb", "--on", "omeprazole")
    assert result.exit_code == ExitCode.OK
    assert result.stderr == (
        "electrocheck: warning: --on: unknown drug 'cetuximb' (nearest: cetuximab)\n"
    )
    assert "Magnesium low: omeprazole" in result.stdout


@pytest.mark.parametrize(
    ("name", "hint"),
    [("HCT", "may mean hydrocortisone or hydrochlorothiazide"), ("", "empty drug name")],
)
def test_names_refused_with_one_line(name: str, hint: str) -> None:
    result = run("check", "k=4.1", "--on", name)
    assert result.exit_code == ExitCode.OK
    assert result.stderr.count("\n") == 1 and hint in result.stderr


def test_without_on_nothing_is_said_of_medicines() -> None:
    result = run("check", "mg=1.1mg/dL")
    assert "no effect" not in result.stdout and "medications" not in result.stdout
    data = json.loads(run("check", "mg=1.1mg/dL", "--format", "json").stdout)
    assert "medications" not in data and data["results"][0]["medications"] == []


def test_a_check_without_on_never_reads_the_medicines(tmp_path: Path) -> None:
    """A broken medications section is no obstacle to a check without --on: the section is
    read only when a medicine is looked up (and then refused in one line)."""
    text = built_in_path().read_text(encoding="utf-8")
    broken = text.replace("direction: low,", "direction: down,", 1)
    assert broken != text
    lab = tmp_path / "lab.yaml"
    lab.write_text(broken, encoding="utf-8")
    assert run("check", "mg=1.1mg/dL", "--ranges", str(lab)).exit_code == ExitCode.OK
    result = run("check", "mg=1.1mg/dL", "--ranges", str(lab), "--on", "cetuximab")
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert "direction: must be low or high, not 'down'" in result.stderr
    assert result.stderr.count("\n") == 1
