"""``check --plot FILE`` and ``sweep --plot FILE``: a picture beside the usual output, written
whole or not at all, and matplotlib loaded only when a picture is asked for."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from electrocheck.cli import app
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()
needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None, reason="the plot extra is not installed"
)
PANEL = ["check", "ca=7.6mg/dL", "k=3.1", "na=128"]


def _left_behind(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@needs_matplotlib
@pytest.mark.parametrize("name", ["panel.png", "panel.svg", "panel.html"])
def test_check_writes_the_picture_and_prints_the_table(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    result = runner.invoke(app, [*PANEL, "--plot", str(target)])
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == runner.invoke(app, PANEL).stdout  # the table, as without --plot
    assert result.stderr == ""
    assert _left_behind(tmp_path) == [name]  # no temporary file stays
    data = target.read_bytes()
    assert len(data) > 10_000
    if name.endswith(".png"):
        assert data.startswith(b"\x89PNG")
    else:
        assert b"<svg" in data and b"7.6 mg/dL" in data


@needs_matplotlib
def test_check_plot_with_json(tmp_path: Path) -> None:
    target = tmp_path / "k.svg"
    result = runner.invoke(app, ["check", "k=3.1", "--format", "json", "--plot", str(target)])
    assert result.exit_code == ExitCode.OK
    assert json.loads(result.stdout)["results"][0]["flag"] == "L"
    assert b"3.1 mmol/L" in target.read_bytes()


@needs_matplotlib
def test_check_plot_and_fail_on(tmp_path: Path) -> None:
    target = tmp_path / "k.png"
    result = runner.invoke(app, ["check", "k=2", "--fail-on", "critical", "--plot", str(target)])
    assert result.exit_code == ExitCode.CONDITION_MET
    assert target.read_bytes().startswith(b"\x89PNG")  # written before the exit


@needs_matplotlib
def test_sweep_writes_the_picture(tmp_path: Path) -> None:
    target = tmp_path / "k.html"
    result = runner.invoke(app, ["sweep", "k", "--from", "2", "--to", "8", "--plot", str(target)])
    assert result.exit_code == ExitCode.OK, result.output
    assert "Potassium, mmol/L" in result.stdout
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "CTCAE grade" in page


def test_an_unknown_extension_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "panel.pdf"
    result = runner.invoke(app, [*PANEL, "--plot", str(target)])
    assert result.exit_code == ExitCode.ERROR
    assert result.stdout == ""
    assert "give a file name ending in .png, .svg or .html" in result.stderr
    assert _left_behind(tmp_path) == []


def test_without_matplotlib_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    for command in (PANEL, ["sweep", "k", "--from", "2", "--to", "8"]):
        result = runner.invoke(app, [*command, "--plot", str(tmp_path / "x.png")])
        assert result.exit_code == ExitCode.ERROR
        assert result.stderr == (
            "electrocheck: error: plots need matplotlib: pip install 'electrocheck[plot]'\n"
        )
        assert result.stdout == ""
    assert _left_behind(tmp_path) == []


def test_a_failed_picture_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from electrocheck.teaching import plot

    def broken(*args: object) -> bytes:
        raise plot.PlotError("the drawing failed")

    monkeypatch.setattr(plot, "plot_results", broken)
    target = tmp_path / "panel.png"
    target.write_bytes(b"the old picture")
    result = runner.invoke(app, [*PANEL, "--plot", str(target)])
    assert result.exit_code == ExitCode.ERROR
    assert target.read_bytes() == b"the old picture"
    assert _left_behind(tmp_path) == ["panel.png"]


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, [*PANEL, "--plot", str(tmp_path / "no" / "panel.svg")])
    assert result.exit_code == ExitCode.ERROR
    assert "cannot write" in result.stderr


def _modules_after(argv: list[str]) -> set[str]:
    probe = (
        "import sys, json\n"
        "from electrocheck.cli.commands import main\n"
        f"main({argv!r})\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_without_plot_matplotlib_is_not_loaded() -> None:
    loaded = _modules_after(["check", "ca=7.6mg/dL", "k=3.1"])
    assert "rich" in loaded
    assert not {name for name in loaded if name.split(".")[0] in ("matplotlib", "numpy")}


@needs_matplotlib
def test_with_plot_no_window_and_no_pyplot(tmp_path: Path) -> None:
    target = tmp_path / "k.png"
    loaded = _modules_after(["check", "k=3.1", "--format", "json", "--plot", str(target)])
    assert "matplotlib.backends.backend_agg" in loaded
    assert "matplotlib.pyplot" not in loaded
    assert not {name for name in loaded if "tkagg" in name or "qt" in name.split(".")[-1]}
    assert target.read_bytes().startswith(b"\x89PNG")
