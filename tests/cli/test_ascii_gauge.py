"""A console that cannot show the gauge's block characters (cp1252, ascii) gets the gauge, and
its legend, in ASCII rather than a row of question marks."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TextIO

import pytest
from typer.testing import CliRunner

from electrocheck.cli import app
from electrocheck.cli.render import CHECK_GAUGE_WIDTH, print_check, print_rendered
from electrocheck.cli.render_teaching import render_explain, render_sweep
from electrocheck.clinical.check import run_check
from electrocheck.reference import Reference
from electrocheck.teaching import gauge as gauges
from electrocheck.teaching.explain import explain
from electrocheck.teaching.sweep import sweep

BLOCKS = "".join(gauges.ASCII)
PANEL = ["ca=7.6mg/dL", "mg=1.1mg/dL", "k=3.1", "na=128"]


def _written(encoding: str, draw: Callable[[TextIO], None]) -> str:
    """What a console in ``encoding`` receives, decoded back."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, newline="\n")
    draw(stream)
    stream.flush()
    return raw.getvalue().decode(encoding)


def _check_gauges(ref: Reference) -> list[str]:
    report = run_check(ref, PANEL)
    return [
        gauges.gauge(gauges.scale_of(ref, r, width=CHECK_GAUGE_WIDTH), r.value, CHECK_GAUGE_WIDTH)
        for r in report.results
    ]


# --------------------------------------------------------------------------- the alphabet


def test_each_gauge_character_has_its_own_ascii_one() -> None:
    assert set(gauges.ASCII) == {
        gauges.CRITICAL,
        gauges.ABNORMAL,
        gauges.NORMAL,
        gauges.CUT,
        gauges.VALUE,
        gauges.OFF_LOW,
        gauges.OFF_HIGH,
    }
    shown = list(gauges.ASCII.values())
    assert all(len(c) == 1 and c.isascii() and c.isprintable() for c in shown)
    assert len(set(shown)) == len(shown)
    # Not "?" (what an unknown character becomes) nor "|" (rich's ASCII column rule).
    assert not {"?", "|", " "} & set(shown)


@pytest.mark.parametrize(
    ("encoding", "blocks"),
    [
        ("utf-8", True),
        ("UTF8", True),
        ("utf-16", True),
        ("cp1252", False),
        ("ascii", False),
        ("latin-1", False),
        ("cp437", False),  # has the shades, not the dot or the arrows: all in ASCII, not a mix
        ("no-such-encoding", False),
        (None, True),
    ],
)
def test_shows_blocks(encoding: str | None, blocks: bool) -> None:
    assert gauges.shows_blocks(encoding) is blocks


def test_in_ascii_by_hand() -> None:
    assert gauges.in_ascii("▓▓▒┊▒░●░▒┊▓◀▶ x") == "##=:=-o-=:#<> x"


# --------------------------------------------------------------------------- consoles


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_check_table_in_ascii(ref: Reference, encoding: str) -> None:
    report = run_check(ref, PANEL)
    text = _written(encoding, lambda out: print_check(report, out, ref))
    assert not set(BLOCKS) & set(text)
    for line in _check_gauges(ref):
        assert gauges.in_ascii(line) in text
    assert "?" * 5 not in text
    assert "# critical  = outside the interval  - within it  : grade cut-point  o the value" in text


def test_check_table_in_utf8_keeps_the_blocks(ref: Reference) -> None:
    report = run_check(ref, PANEL)
    text = _written("utf-8", lambda out: print_check(report, out, ref))
    for line in _check_gauges(ref):
        assert line in text
    assert "▓ critical  ▒ outside the interval  ░ within it  ┊ grade cut-point" in text


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_sweep_in_ascii(ref: Reference, encoding: str) -> None:
    result = sweep(ref, "k", 2, 8)
    text = _written(encoding, lambda out: print_rendered(lambda c: render_sweep(result, c), out))
    assert not set(BLOCKS) & set(text)
    for row in result.rows:
        assert gauges.in_ascii(row.gauge) in text
    assert "o the value" in text


def test_explain_in_ascii_is_readable(ref: Reference) -> None:
    data = explain(ref, "mg")
    text = _written("cp1252", lambda out: print_rendered(lambda c: render_explain(data, c), out))
    assert "Magnesium" in text and "below 1.2" in text


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("charset", ["cp1252", "ascii"])
def test_commands_on_a_cp1252_or_ascii_console(ref: Reference, charset: str) -> None:
    runner = CliRunner(charset=charset)
    checked = runner.invoke(app, ["check", *PANEL])
    assert checked.exit_code == 0
    text = checked.stdout_bytes.decode(charset)
    for line in _check_gauges(ref):
        assert gauges.in_ascii(line) in text
    swept = runner.invoke(app, ["sweep", "k", "--from", "2", "--to", "8"])
    text = swept.stdout_bytes.decode(charset)
    for row in sweep(ref, "k", 2, 8).rows:
        assert gauges.in_ascii(row.gauge) in text
    assert "?" * 3 not in text


def test_commands_on_a_utf8_console(ref: Reference) -> None:
    text = CliRunner(charset="utf-8").invoke(app, ["check", *PANEL]).stdout
    for line in _check_gauges(ref):
        assert line in text
