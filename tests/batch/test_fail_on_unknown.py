"""--fail-on that cannot be fooled: a value of an electrolyte that could not be interpreted is
unknown, and may be the critical one; --fail-on fails on it, and says so, unless
--unknown-ok."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()
LAYOUTS = ("wide", "long")
OK, MET = ExitCode.OK, ExitCode.CONDITION_MET


def run(tmp_path: Path, text: str, *args: str) -> Any:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    return runner.invoke(app, ["batch", str(source), "-o", str(tmp_path / "out.csv"), *args])


def potassium(layout: str, *cells: str, patient: str | None = None) -> str:
    cells = tuple(f'"{c}"' if "," in c else c for c in cells)
    age = ",age" if patient is not None else ""
    tail = f",{patient}" if patient is not None else ""
    if layout == "wide":
        return f"id,K [mmol/L]{age}\n" + "".join(f"{i},{c}{tail}\n" for i, c in enumerate(cells))
    return f"id,test,value,unit{age}\n" + "".join(
        f"{i},Potassium,{c},mmol/L{tail}\n" for i, c in enumerate(cells)
    )


# (cells, --fail-on critical, --fail-on abnormal, the same with --unknown-ok)
CASES = [
    (["4.1"], OK, OK, OK, OK),
    (["4.1", ""], OK, OK, OK, OK),  # an empty cell is no value, not an unknown one
    (["3.1"], OK, MET, OK, MET),
    (["2.0"], MET, MET, MET, MET),
    (["2.0 LL"], MET, MET, MET, MET),
    (["4.1", "abc"], MET, MET, OK, OK),
    (["4.1", "4.1 furlongs"], MET, MET, OK, OK),
    (["4.1", "60"], MET, MET, OK, OK),  # not a plausible potassium: a unit or entry error
    (["4.1", "-2"], MET, MET, OK, OK),
    (["4.1", "4,1"], MET, MET, OK, OK),
    (["2.0", "abc"], MET, MET, MET, MET),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("cells", "critical", "abnormal", "critical_ok", "abnormal_ok"), CASES)
def test_unknown_values_fail_fail_on(
    tmp_path: Path,
    layout: str,
    cells: list[str],
    critical: ExitCode,
    abnormal: ExitCode,
    critical_ok: ExitCode,
    abnormal_ok: ExitCode,
) -> None:
    text = potassium(layout, *cells)
    for args, code in (
        (["--fail-on", "critical"], critical),
        (["--fail-on", "abnormal"], abnormal),
        (["--fail-on", "critical", "--unknown-ok"], critical_ok),
        (["--fail-on", "abnormal", "--unknown-ok"], abnormal_ok),
    ):
        result = run(tmp_path, text, "--quiet", *args)
        assert result.exit_code == code, args
        unknown = any(c in ("abc", "4.1 furlongs", "60", "-2", "4,1") for c in cells)
        said = "could not be interpreted" in result.stderr
        assert said == (unknown and "--unknown-ok" not in args)
    assert run(tmp_path, text, "--quiet").exit_code == OK  # without --fail-on, never


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_message_says_what_was_unknown(tmp_path: Path, layout: str) -> None:
    result = run(tmp_path, potassium(layout, "4.1", "abc", "xyz"), "--fail-on", "critical")
    assert result.exit_code == MET
    assert (
        "electrocheck batch: --fail-on critical: 2 values that may be an electrolyte's could "
        "not be interpreted (unreadable value 2), and any of them may be critical; "
        "--unknown-ok ignores them"
    ) in result.stderr


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_row_whose_patient_cannot_be_read_is_unknown(tmp_path: Path, layout: str) -> None:
    text = potassium(layout, "4.1", patient="soon")
    result = run(tmp_path, text, "--fail-on", "critical")
    assert result.exit_code == MET and "unreadable value 1" in result.stderr
    good = run(tmp_path, potassium(layout, "4.1", patient="40"), "--fail-on", "critical")
    assert good.exit_code == OK


def test_a_test_named_like_an_electrolyte_is_unknown(tmp_path: Path) -> None:
    text = "test,value,unit\nPotassium,4.1,mmol/L\nPotassium blah,7.1,mmol/L\n"
    result = run(tmp_path, text, "--fail-on", "critical")
    assert result.exit_code == MET and "unrecognised electrolyte 1" in result.stderr
    other = "test,value,unit\nPotassium,4.1,mmol/L\nCreatinine,7.1,mg/dL\n"
    assert run(tmp_path, other, "--fail-on", "critical").exit_code == OK


def test_a_wide_column_named_like_an_electrolyte_is_unknown(tmp_path: Path) -> None:
    result = run(tmp_path, "id,K,Potassium blah\n1,4.1,7.1\n", "--fail-on", "critical")
    assert result.exit_code == MET and "in unrecognised columns 1" in result.stderr
    empty = run(tmp_path, "id,K,Potassium blah\n1,4.1,\n", "--fail-on", "critical")
    assert empty.exit_code == OK


@pytest.mark.parametrize(
    "text",
    [
        # An unquoted comma in a test name: the rows cannot be read whole.
        "test,value,unit\nCalcium, ionized,0.7,mmol/L\nPotassium, serum,7.1,mmol/L\n",
        "test,value,unit\nSodium,140,mmol/L\nSodium,141,mmol/L,extra,fields\n",
    ],
)
def test_a_row_that_cannot_be_read_whole_fails_fail_on(tmp_path: Path, text: str) -> None:
    file = tmp_path / "labs.csv"
    file.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["batch", str(file), "--fail-on", "critical", "-o", str(tmp_path / "out.csv")]
    )
    assert result.exit_code == MET, result.output
    assert "(structural error" in result.stderr
    ok = CliRunner().invoke(
        app,
        [
            "batch",
            str(file),
            "--fail-on",
            "critical",
            "--unknown-ok",
            "-o",
            str(tmp_path / "o.csv"),
        ],
    )
    assert ok.exit_code == 0, ok.output
