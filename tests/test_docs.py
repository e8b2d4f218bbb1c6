"""The README shows real output: every `$ electrocheck ...` example is run and compared."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electrocheck import interpret, load_reference
from electrocheck.cli.commands import app
from electrocheck.clinical.check import run_check
from electrocheck.reference import built_in_path
from electrocheck.reference.patient import Patient, parse_age

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
runner = CliRunner()


def _console_examples() -> list[tuple[str, str]]:
    examples = []
    for block in re.findall(r"```console\n(.*?)```", TEXT, flags=re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.startswith("$ electrocheck "):
                command, _, output = chunk.partition("\n")
                examples.append((command[len("$ electrocheck ") :], output.rstrip("\n")))
    return examples


EXAMPLES = _console_examples()


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 6


@pytest.fixture
def in_examples_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a scratch folder holding a copy of examples/, as the README's commands expect."""
    shutil.copytree(README.parent / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example_output_is_real(in_examples_copy: Path, command: str, expected: str) -> None:
    result = runner.invoke(app, shlex.split(command), env={"ELECTROCHECK_RANGES": None})
    assert result.output.rstrip("\n") == expected


def test_readme_polars_example_is_real(ref: object) -> None:
    import polars as pl

    from electrocheck.batch import interpret_frame

    frame = pl.DataFrame({"id": [1, 2], "K": [3.1, 4.0], "Calcium (mg/dL)": ["7.6", None]})
    checked = interpret_frame(frame, load_reference())
    assert f"{checked['potassium_flag'].to_list()}" == "['L', 'N']"
    assert "# ['L', 'N']" in TEXT


def test_readme_validation_message_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quoted = re.search(r"^electrocheck: error: my-lab\.yaml:.*$", TEXT, flags=re.M)
    assert quoted is not None
    text = (
        built_in_path().read_text("utf-8").replace("{low: 3.5, high: 5.0,", "{low: 3.5, high: 3.0,")
    )
    (tmp_path / "my-lab.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "k=4", "--ranges", "my-lab.yaml"])
    assert result.stderr.rstrip("\n") == quoted.group(0)


def test_readme_python_example_is_real() -> None:
    result = interpret(load_reference(), "ca", 7.6, "mg/dL")
    assert (result.flag, result.spasm_risk) == ("L", "high")
    assert f"('L', {str(result.value)[:8]}..., 'high')" in TEXT


def test_every_command_is_documented() -> None:
    for command in app.registered_commands:
        name = command.name or command.callback.__name__  # type: ignore[union-attr]
        assert f"electrocheck {name}" in TEXT, name


def test_ci_runs_the_readme_set_up_commands_verbatim() -> None:
    setup = TEXT.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci


def test_readme_patient_example_is_real() -> None:
    report = run_check(
        load_reference(), ["ca=7.6mg/dL", "alb=2.5g/dL", "k=5.8"], Patient(parse_age("10d"))
    )
    shown = [(r.analyte, r.flag, r.grade) for r in report.results]
    assert f"# {shown}" in TEXT
