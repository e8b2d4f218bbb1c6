"""Units at the command line: limits shown in the unit entered, --units and ELECTROCHECK_UNITS,
ELECTROCHECK_DEFAULT_UNITS, their precedence, and their errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from electrocheck import interpret_token
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.clinical.unit_choice import UnitChoice
from electrocheck.reference import Reference
from electrocheck.teaching.explain import explain

runner = CliRunner()
UNITS, DEFAULTS = "ELECTROCHECK_UNITS", "ELECTROCHECK_DEFAULT_UNITS"


def run(*args: str, **env: str) -> Any:
    return runner.invoke(app, list(args), env={"ELECTROCHECK_RANGES": None, **env})


def row(result: Any, label: str) -> str:
    assert result.exit_code == ExitCode.OK, result.output
    return next(line for line in result.stdout.splitlines() if line.startswith(label))


def results(result: Any) -> list[dict[str, Any]]:
    assert result.exit_code == ExitCode.OK, result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["results"]
    return found


def one_line_error(result: Any, text: str) -> None:
    assert result.exit_code == ExitCode.ERROR, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"electrocheck: error: {text}"), result.stderr


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize(
    ("args", "env", "label", "cell"),
    [
        # In the unit of the Entered column, the interval's numbers stand alone.
        (["ca=7.6mg/dL"], {}, "Calcium (total)", " 7.6 mg/dL     1.896     8.5–10.2 "),
        (["mg=1.1mg/dL"], {}, "Magnesium", " 1.1 mg/dL    0.4526    1.7–2.4 "),
        (["mg=0.5mmol/L"], {}, "Magnesium", " 0.5 mmol/L     0.5    0.70–0.99 "),
        (["k=3.1"], {}, "Potassium", " 3.1 mmol/L*     3.1      3.5–5.0 "),
        (["na=128", "mEq/L"], {}, "Sodium", " 128 mEq/L      128     135–145 "),
        (["ca=7.6mg/dL", "--units", "si"], {}, "Calcium (total)", "2.121–2.545 mmol/L"),
        (["ca=7.6mg/dL"], {UNITS: "si"}, "Calcium (total)", "2.121–2.545 mmol/L"),
        (["ca=1.9mmol/L", "--units", "conventional"], {}, "Calcium (total)", "8.617–10.22 mg/dL"),
        # the option wins over the variable
        (["ca=7.6mg/dL", "--units", "conventional"], {UNITS: "si"}, "Calcium", " 8.5–10.2 "),
        (["ca=1.9mmol/L", "--units", "si"], {UNITS: "conventional"}, "Calcium", " 2.15–2.55 "),
    ],
)
def test_the_table_shows_the_interval_in_the_unit_shown(
    args: list[str], env: dict[str, str], label: str, cell: str
) -> None:
    line = row(run("check", *args, **env), label)
    assert f" {' '.join(cell.split())} " in f" {' '.join(line.split())} ", line


def test_the_table_keeps_mmol_per_litre_beside_it() -> None:
    line = row(run("check", "ca=7.6mg/dL"), "Calcium (total)")
    assert "7.6 mg/dL" in line and "  1.896  " in line


# --------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("system", [None, "si", "conventional"])
@pytest.mark.parametrize("token", ["ca=7.6mg/dL", "mg=1.1mg/dL", "k=3.1mEq/L", "na=128"])
def test_json_equals_the_library_result(ref: Reference, token: str, system: str | None) -> None:
    args = ["check", token, "-f", "json"] + ([] if system is None else ["--units", system])
    expected = interpret_token(ref, token, units=UnitChoice(system, f"--units {system}"))
    assert results(run(*args)) == [expected.to_dict()]


def test_json_shown_block_of_a_mg_per_dl_value_asked_in_si() -> None:
    (data,) = results(run("check", "mg=1.1mg/dL", "-f", "json", "--units", "si"))
    assert (data["unit"], data["low"], data["high"]) == ("mmol/L", 0.6994, 0.9875)
    shown = data["shown"]
    assert (shown["system"], shown["unit"], shown["value"]) == ("si", "mmol/L", 0.4526)
    assert (shown["low"], shown["high"]) == (0.6994, 0.9875)
    assert shown["converted"] == [
        "value",
        "interval",
        "critical",
        "cut_points.low",
        "cut_points.high",
    ]


# --------------------------------------------------------------------------- default units


def test_default_units_let_a_us_user_leave_units_out() -> None:
    found = results(
        run("check", "ca=9.2", "mg=1.8", "-f", "json", **{DEFAULTS: "ca=mg/dL,mg=mg/dL"})
    )
    assert [(r["entered_unit"], r["flag"], r["unit_assumed"]) for r in found] == [
        ("mg/dL", "N", True),
        ("mg/dL", "N", True),
    ]
    assert found[0]["notes"][0] == f"no unit given: mg/dL assumed ({DEFAULTS})"
    assert found[0]["shown"]["unit"] == "mg/dL"


CONVENTIONAL = "--units conventional"


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        # the analyte's default unit > the system (option, else variable) > the file's unit
        (
            ["--units", "conventional"],
            {DEFAULTS: "mg=mg/dL"},
            [("mEq/L", CONVENTIONAL), ("mg/dL", DEFAULTS)],
        ),
        (
            ["--units", "conventional"],
            {DEFAULTS: "k=mmol/L"},
            [("mmol/L", DEFAULTS), ("mg/dL", CONVENTIONAL)],
        ),
        (
            [],
            {UNITS: "conventional"},
            [("mEq/L", f"{UNITS}=conventional"), ("mg/dL", f"{UNITS}=conventional")],
        ),
        (
            ["--units", "conventional"],
            {UNITS: "si"},
            [("mEq/L", CONVENTIONAL), ("mg/dL", CONVENTIONAL)],
        ),
        ([], {UNITS: "si", DEFAULTS: "mg=mg/dL"}, [("mmol/L", f"{UNITS}=si"), ("mg/dL", DEFAULTS)]),
        ([], {DEFAULTS: "mg=mg/dL"}, [("mmol/L", None), ("mg/dL", DEFAULTS)]),
    ],
)
def test_precedence_at_the_command_line(
    args: list[str], env: dict[str, str], expected: list[tuple[str, str | None]]
) -> None:
    found = results(run("check", "k=4.1", "mg=1.8", "-f", "json", *args, **env))
    for result, (unit, source) in zip(found, expected, strict=True):
        assert result["entered_unit"] == unit and result["unit_assumed"]
        note = f"no unit given: {unit} assumed" + ("" if source is None else f" ({source})")
        assert result["notes"][0] == note


def test_without_settings_the_file_unit_and_its_doubt_hold() -> None:
    # magnesium 1.8 without a unit: critically high as mmol/L, normal as mg/dL: refused
    result = run("check", "mg=1.8")
    one_line_error(result, "'mg=1.8': no unit given, and the unit decides the answer")
    assert "assumed from" not in result.stderr


def test_calcium_in_mg_per_dl_by_the_system_is_checked_for_doubt() -> None:
    # 2.3 as mg/dL calcium is critically low, as mmol/L normal: refused, naming the source
    result = run("check", "ca=2.3", "--units", "conventional")
    one_line_error(result, "'ca=2.3': no unit given, and the unit decides the answer")
    assert result.stderr.rstrip().endswith("(mg/dL was assumed from --units conventional)")


def test_the_table_notes_where_an_assumed_unit_came_from() -> None:
    out = run("check", "ca=9.2", **{DEFAULTS: "ca=mg/dL"}).stdout
    assert f"no unit given: mg/dL assumed ({DEFAULTS})" in out
    assert " 9.2 mg/dL* " in out and "  8.5–10.2  " in out


def test_default_units_take_names_given_with_alias() -> None:
    found = results(
        run(
            "check",
            "Kalzium X=9.2",
            "--alias",
            "Kalzium X=ca",
            "-f",
            "json",
            **{DEFAULTS: "Kalzium X=mg/dL"},
        )
    )
    assert found[0]["entered_unit"] == "mg/dL"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({UNITS: "metric"}, f"{UNITS}='metric': expected si or conventional"),
        ({DEFAULTS: "ca=wibble"}, f"{DEFAULTS}: 'ca=wibble': unit 'wibble' is not a unit"),
        ({DEFAULTS: "x=mg/dL"}, f"{DEFAULTS}: unknown analyte 'x'"),
        ({DEFAULTS: "k=mg/dL"}, f"{DEFAULTS}: 'k=mg/dL': potassium is reported in"),
        ({DEFAULTS: "ca"}, f"{DEFAULTS}: 'ca' is not NAME=UNIT"),
    ],
)
def test_bad_environment_values_are_one_line_naming_the_variable(
    env: dict[str, str], message: str
) -> None:
    # refused even when every value has its unit: a bad setting is never silently ignored
    one_line_error(run("check", "k=4.1mmol/L", **env), message)


def test_empty_variables_are_not_set() -> None:
    found = results(run("check", "k=4.1", "-f", "json", **{UNITS: "", DEFAULTS: ""}))
    assert found[0]["notes"] == ["no unit given: mmol/L assumed"]


def test_a_bad_option_value_is_a_usage_error() -> None:
    result = run("check", "k=4.1", "--units", "metric")
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""


def test_batch_reads_neither_variable(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,Calcium\n1,2.3\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["batch", str(source), "--quiet"],
        env={"ELECTROCHECK_RANGES": None, UNITS: "conventional", DEFAULTS: "ca=mg/dL"},
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert "2.3,2.3,N," in result.stdout  # 2.3 read in mmol/L, the file's default unit


# --------------------------------------------------------------------------- explain


def test_explain_in_conventional_units() -> None:
    data = json.loads(run("explain", "ca", "-f", "json", "--units", "conventional").stdout)
    assert data["shown_in"] == {"system": "conventional", "unit": "mg/dL"}
    assert [
        (r["population"], r["low"], r["high"], r["unit"], r["converted_from"])
        for r in data["reference"]
    ] == [
        ("adults", 8.5, 10.2, "mg/dL", None),
        ("age 0d to 11d", 8.0, 10.4, "mg/dL", None),
        ("age 11d to 3y", 9.0, 11.0, "mg/dL", None),
        ("age 3y to 13y", 8.8, 10.8, "mg/dL", None),
    ]
    assert [
        (c["population"], c["low"], c["high"], c["converted_from"]) for c in data["critical"]
    ] == [
        ("adults", 6.0, 13.0, None),
        ("age 0d to 18y", 6.493, 12.7, "mmol/L"),
    ]
    (low,) = data["grades"]["low"]["criteria"]
    assert (low["unit"], low["cut_points"], low["converted_from"]) == (
        "mg/dL",
        {"2": 8.0, "3": 7.0, "4": 6.0},
        None,
    )


def test_explain_in_si_units() -> None:
    data = json.loads(run("explain", "mg", "-f", "json", "--units", "si").stdout)
    adult = data["reference"][0]
    assert (adult["low"], adult["high"], adult["unit"], adult["converted_from"]) == (
        0.7,
        0.99,
        "mmol/L",
        None,
    )
    assert {r["unit"] for r in [*data["reference"], *data["critical"]]} == {"mmol/L"}


def test_explain_table_in_conventional_units() -> None:
    out = run("explain", "k", "--units", "conventional").stdout
    assert "mEq/L  uchicago-potassium (from mmol/L)" in out
    assert "mmol/L  " not in out.split("Limits", 1)[1].split("Sources", 1)[0]


def test_explain_from_the_variable_and_without_units(ref: Reference) -> None:
    by_option = run("explain", "ca", "-f", "json", "--units", "si").stdout
    assert run("explain", "ca", "-f", "json", **{UNITS: "si"}).stdout == by_option
    plain = json.loads(run("explain", "ca", "-f", "json").stdout)
    assert plain == json.loads(json.dumps(explain(ref, "ca"))) and "shown_in" not in plain
    one_line_error(run("explain", "ca", **{UNITS: "US"}), f"{UNITS}='US'")


def test_explain_overview_in_conventional_units() -> None:
    out = run("explain", "--units", "conventional").stdout
    assert "8.5–10.2 mg/dL" in out and "3.5–5 mEq/L*" in out
    assert "* converted from the unit the reference file writes it in" in out
    assert "2.15–2.55 mmol/L" not in out


# --------------------------------------------------------------------------- sweep


def test_sweep_in_conventional_units() -> None:
    result = run(
        "sweep", "ca", "--from", "8", "--to", "11", "--step", "1", "--units", "conventional"
    )
    assert result.exit_code == ExitCode.OK, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Calcium (total), mg/dL (--units conventional)")
    assert "interval 8.5–10.2 mg/dL · critical 6.0 / 13.0 mg/dL" in result.stdout
    data = json.loads(
        run(
            "sweep",
            "ca",
            "--from",
            "8",
            "--to",
            "11",
            "--step",
            "1",
            "-f",
            "json",
            **{UNITS: "conventional"},
        ).stdout
    )
    assert (data["unit"], data["unit_from"]) == ("mg/dL", f"{UNITS}=conventional")
    assert {row["result"]["shown"]["unit"] for row in data["rows"]} == {"mg/dL"}


def test_sweep_unit_by_precedence() -> None:
    def unit_of(*args: str, **env: str) -> tuple[str, str, set[str]]:
        data = json.loads(
            run("sweep", "ca", "--from", "2", "--to", "2.5", "-f", "json", *args, **env).stdout
        )
        return data["unit"], data["unit_from"], {r["result"]["shown"]["unit"] for r in data["rows"]}

    assert unit_of() == ("mmol/L", "reference file", {"mmol/L"})
    assert unit_of("--units", "conventional", **{DEFAULTS: "ca=mmol/L"}) == (
        "mmol/L",
        DEFAULTS,
        {"mg/dL"},
    )
    assert unit_of("--unit", "mmol/L", **{DEFAULTS: "ca=mg/dL"}) == ("mmol/L", "--unit", {"mmol/L"})
