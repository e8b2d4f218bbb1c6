"""`check` with values at times (``na=118@08:00 na=126@20:00``): the series under the table,
its notes as batch writes them, the JSON, and the errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from screens import SCREEN, check_json, off_the_first_screen
from typer.testing import CliRunner

from electrocheck import load_reference, run_series
from electrocheck.cli import app
from electrocheck.cli.render import print_check
from electrocheck.cli.render_series import SPARKS, sparkline

runner = CliRunner()
ENV = {"COLUMNS": "80", "LINES": "24", "NO_COLOR": None, "FORCE_COLOR": None}
RISING = ["na=116@08:00", "na=122@16:00", "na=130@04:00", "k=3.1"]


def check(*args: str) -> str:
    result = runner.invoke(app, ["check", *args], env=ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_series_line_shows_each_value_flag_and_time_and_the_last_change() -> None:
    out = check(*RISING)
    text = " ".join(out.split())  # unwrapped
    assert (
        "~ Sodium ▁▄█ mmol/L: 116 LL day 1 08:00, 122 L 16:00, 130 L day 2 04:00; last change "
        "+8 mmol/L, +16 per 24 h" in text
    )
    assert out.startswith("Analyte") and "\nSodium     130 mmol/L*" in out  # the latest


ROSE = (
    "sodium rose 14 mmol/L in 20 h (from 116 at day 1 08:00): faster than the 10 mmol/L per 24 "
    "h limit (Spasovski 2014)"
)
WHY = " - too fast a correction of chronic low sodium risks osmotic demyelination"
RISE = "sodium rising over 3 results since day 1 08:00 (116 to 130 mmol/L)"
RULE = (
    ": electrocheck's trend rule, 3 or more results each higher than the last, 5 mmol/L or "
    "more in all"
)


def test_the_notes_are_batchs_in_short_and_an_earlier_critical_value_is_said() -> None:
    out = " ".join(check(*RISING).split())
    assert f"! {ROSE} ! {RISE} ! critical earlier: Sodium 116 LL at day 1 08:00 *" in out
    assert WHY not in out and RULE not in out
    assert out.endswith("More: --explain")


def test_explain_and_json_have_the_notes_in_full() -> None:
    out = " ".join(check(*RISING, "--explain").split())
    assert f"day 2 04:00: {ROSE}{WHY} ! day 2 04:00: {RISE}{RULE}" in out
    notes = check_json(RISING)["series"][0]["points"][-1]["change_notes"]
    assert notes == [ROSE + WHY, RISE + RULE]


def test_a_delta_check_is_shown_without_its_source_until_explain() -> None:
    args = ["na=140@2026-03-01T10:00", "na=126@2026-03-03T10:00"]
    delta = (
        "! review before release: sodium changed by 14 mmol/L in 48 h (from 140 at 2026-03-01 "
        "10:00), more than the delta check's 13 mmol/L within 72 h"
    )
    source = " (AACC example: a laboratory's own limit)"
    assert delta + " *" in " ".join(check(*args).split())
    assert delta[2:] + source in " ".join(check(*args, "--explain").split())


def test_a_trend_is_said_once_at_the_last_value_of_its_run() -> None:
    out = " ".join(check("k=4.0@08:00", "k=3.4@10:00", "k=3.0@12:00", "k=2.9@14:00").split())
    assert out.count("potassium falling over") == 1
    assert "potassium falling over 4 results" in out


def test_the_first_screen_still_shows_what_matters() -> None:
    args = ["na=116@08:00", "na=122@16:00", "na=130@04:00", "k=2.6", "mg=0.3", "ca=1.9"]
    out = check(*args)
    assert off_the_first_screen(out, check_json(args)) == []
    assert len(out.rstrip("\n").split("\n")) <= SCREEN
    assert max(len(line) for line in out.splitlines()) <= 80


def test_the_critical_notes_are_red_on_a_terminal() -> None:
    report = run_series(load_reference(), RISING)
    buffer = io.StringIO()
    from rich.console import Console

    from electrocheck.cli.render import render_check

    console = Console(file=buffer, force_terminal=True, width=80, color_system="standard")
    render_check(report, console, load_reference())
    lines = buffer.getvalue().splitlines()
    rose = next(line for line in lines if "sodium rose" in line)
    trend = next(line for line in lines if "sodium rising" in line)
    assert "\x1b[1;31m" in rose and "\x1b[1;31m" not in trend  # bold red; the trend yellow
    assert "\x1b[33m" in trend


def test_explain_has_the_series_in_full() -> None:
    out = check(*RISING, "--explain")
    assert "Sodium over time" in out
    assert "day 1 16:00     122    L     3        +6       +18" in out


def test_json_has_the_series_with_batchs_names() -> None:
    data = check_json(RISING)
    assert [r["analyte"] for r in data["results"]] == ["sodium", "potassium"]
    (series,) = data["series"]
    assert (series["analyte"], series["label"]) == ("sodium", "Sodium")
    last = series["points"][-1]
    assert set(last) == {
        "time",
        "result",
        "previous_value_mmol_l",
        "previous_time",
        "change_mmol_l",
        "change_per_24h",
        "trend",
        "change_notes",
    }
    assert (last["time"], last["previous_time"], last["change_mmol_l"]) == (
        "day 2 04:00",
        "day 1 16:00",
        8.0,
    )
    assert (last["change_per_24h"], last["trend"], len(last["change_notes"])) == (16.0, "rising", 2)
    assert last["result"]["flag"] == "L" and series["points"][0]["result"]["flag"] == "LL"
    assert "series" not in check_json(["na=130"])


@pytest.mark.parametrize(
    ("args", "code"),
    [(["k=2.6@08:00", "k=3.6@20:00"], 1), (["k=3.4@08:00", "k=3.6@20:00"], 0)],
)
def test_fail_on_critical_counts_an_earlier_value(args: list[str], code: int) -> None:
    assert runner.invoke(app, ["check", *args, "--fail-on", "critical"]).exit_code == code


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["na=118@08:00", "na=126@2026-03-01T20:00"], "has a clock time and"),
        (["na=118@08:00", "na=126"], "'na=126' has no time, and another sodium value has one"),
        (["na=118@25:00"], "'25:00' is not a time of day"),
        (["na=118@soon"], "time 'soon' cannot be read"),
        (["alb=25@08:00", "ca=2.0@08:00"], "alb takes no time"),
    ],
)
def test_a_bad_time_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("electrocheck: error: ") and message in line
    assert "Traceback" not in result.output


def test_a_bad_value_in_a_series_is_reported_and_the_rest_shown() -> None:
    result = runner.invoke(app, ["check", "k=3.0@08:00", "k=x@12:00", "k=3.5@16:00"], env=ENV)
    assert result.exit_code == 2
    assert "3 L 08:00, 3.5 N 16:00" in result.stdout
    assert result.stdout.rstrip().endswith("More: --explain")  # the earlier value was low
    assert result.stderr.count("\n") == 1 and "'x' is not a number" in result.stderr


def test_an_unquoted_date_and_time_is_read_whole() -> None:
    out = check("na=118@2026-03-01", "08:00", "na=126@2026-03-01", "20:00")
    assert "118 LL 2026-03-01 08:00, 126 L 20:00" in " ".join(out.split())


def test_a_console_without_blocks_gets_the_sparkline_in_ascii() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252", newline="\n")
    print_check(run_series(load_reference(), RISING), stream, load_reference())
    stream.flush()
    text = raw.getvalue().decode("cp1252")
    assert "~ Sodium _~# mmol/L" in text and "?" not in text


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ([1.0, 2.0], "▁█"),
        ([3.0, 3.0, 3.0], "▄▄▄"),
        ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], SPARKS),
        ([5.0], "▄"),
    ],
)
def test_sparkline(values: list[float], line: str) -> None:
    assert sparkline(values) == line


def test_a_plain_check_does_not_load_polars_and_a_series_does() -> None:
    probe = (
        "import sys\nfrom electrocheck.cli.commands import main\n"
        "main(['check', {args}])\n"
        "print('polars' in sys.modules, file=sys.stderr)"
    )
    loaded = []
    for args in ("'k=3.1', 'na=128'", "'k=3.1@08:00', 'k=3.4@20:00'"):
        done = subprocess.run(
            [sys.executable, "-c", probe.format(args=args)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        loaded.append(done.stderr.strip().splitlines()[-1])
    assert loaded == ["False", "True"]


def test_help_says_how_to_give_times() -> None:
    out = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"}).stdout
    assert "NAME=VALUE@TIME" in " ".join(out.split())
    json.dumps(out)  # text only
