"""Terminal rendering of check results with rich (imported only for table output).

Colour is used only on a terminal; rich honours NO_COLOR and narrows to the terminal width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from electrocheck.clinical.check import CheckReport
from electrocheck.clinical.result import FLAG_WORDS, Result, assumed_unit_note, format_number
from electrocheck.clinical.shown import interval_text
from electrocheck.reference import Reference
from electrocheck.teaching import gauge as gauges

FLAG_STYLES = {
    "LL": "bold white on red",
    "L": "bold yellow",
    "N": "green",
    "H": "bold yellow",
    "HH": "bold white on red",
}
GRADE_STYLES = {3: "bold red", 4: "bold white on red"}
RISK_STYLES = {"none": "dim", "low": "", "moderate": "yellow", "high": "bold red"}
GAUGE_STYLES = {
    gauges.CRITICAL: "red",
    gauges.ABNORMAL: "yellow",
    gauges.NORMAL: "green",
    gauges.CUT: "bold",
    gauges.VALUE: "bold",
    gauges.OFF_LOW: "bold",
    gauges.OFF_HIGH: "bold",
}
LEGEND = (
    f"{gauges.CRITICAL} beyond a critical limit  {gauges.ABNORMAL} outside the interval  "
    f"{gauges.NORMAL} within it  {gauges.CUT} grade cut-point  {gauges.VALUE} the value"
)
#: Cells of the gauge under each reference interval in check's table.
CHECK_GAUGE_WIDTH = 13


def gauge_text(line: str) -> Text:
    """A gauge, each character in its zone's colour (colour only on a terminal)."""
    text = Text()
    for char in line:
        text.append(char, style=GAUGE_STYLES.get(char, ""))
    return text


def console(file: TextIO | None = None) -> Console:
    """A console on ``file``; outside a terminal rich uses 80 columns and no colour. Markup
    is off: text from a reference file is printed as written, never read as ``[style]``."""
    return Console(file=file, highlight=False, markup=False)


def print_check(report: CheckReport, file: TextIO, reference: Reference) -> None:
    """Print a check to ``file``."""
    print_rendered(lambda out: render_check(report, out, reference), file)


def print_rendered(draw: Callable[[Console], None], file: TextIO) -> None:
    """Print what ``draw`` renders to ``file``, without the trailing spaces rich pads lines
    with; in ASCII gauges when ``file``'s encoding cannot hold the gauge's characters."""
    out = console(file)
    with out.capture() as captured:
        draw(out)
    text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
    encoding = getattr(file, "encoding", None) or "utf-8"
    if not gauges.shows_blocks(encoding):  # cp1252, ascii: the gauges and legend in ASCII
        text = gauges.in_ascii(text)
    # A terminal that cannot show a dash or a bullet gets "?" rather than a crash.
    file.write(text.encode(encoding, errors="replace").decode(encoding))


def render_check(report: CheckReport, out: Console, reference: Reference) -> None:
    """Print the results table, then what each abnormal value means."""
    out.print(results_table(report.results, reference))
    out.print(_footnotes(report))
    for result in report.results:
        if result.abnormal:
            out.print()
            out.print(explanation(result))
    out.print()
    out.print(
        Text(f"Reference: {report.reference}. Decision support, not a diagnosis.", style="dim")
    )


def results_table(results: tuple[Result, ...], reference: Reference) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
    )
    table.add_column("Analyte")
    table.add_column("Entered", overflow="fold")
    table.add_column("mmol/L", justify="right")
    table.add_column("Reference", justify="center")
    table.add_column("Flag", justify="center")
    table.add_column("Grade", justify="center")
    table.add_column("Spasm risk")
    for result in results:
        entered = f"{result.entered_value:g} {result.entered_unit}"
        if result.unit_assumed:
            entered += "*"
        table.add_row(
            result.label,
            entered,
            format_number(result.value),
            _reference_cell(result, reference),
            Text(f" {result.flag} ", style=FLAG_STYLES[result.flag]),
            Text(_grade(result), style=GRADE_STYLES.get(result.grade or 0, "")),
            Text(result.spasm_risk, style=RISK_STYLES.get(result.spasm_risk, "")),
        )
    return table


def _reference_cell(result: Result, reference: Reference) -> Text:
    """The interval in the unit shown (the value's unit system, or --units), and under it
    the gauge of the value."""
    shown = result.shown
    interval = (
        f"{format_number(result.low)}–{format_number(result.high)} mmol/L"
        if shown is None
        else interval_text(shown)
    )
    cell = Text(f"{interval}\n")
    scale = gauges.scale_of(reference, result, width=CHECK_GAUGE_WIDTH)
    line = gauges.gauge(scale, result.value, CHECK_GAUGE_WIDTH)
    return cell.append_text(gauge_text(line))


def _grade(result: Result) -> str:
    return "–" if result.grade is None else str(result.grade)


def _footnotes(report: CheckReport) -> Table:
    """Assumed units, notes and warnings, each with a marker and a hanging indent."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column()
    assumed: dict[str, list[str]] = {}
    for result in report.results:
        if result.unit_assumed:
            assumed.setdefault(result.entered_unit, []).append(result.label)
    for unit, labels in assumed.items():
        grid.add_row(
            "*", Text(f"no unit given: {unit} assumed for {', '.join(labels)}", style="dim")
        )
    populations: dict[str, list[str]] = {}
    for result in report.results:
        populations.setdefault(result.population, []).append(result.label)
    if report.patient.age_days is None and report.patient.sex is None:
        grid.add_row("·", Text("no age given: adult limits apply (give --age)", style="dim"))
    else:
        for population, labels in populations.items():
            grid.add_row(
                "·",
                Text(f"limits for {population}: {', '.join(labels)}", style="dim"),
            )
    for result in report.results:
        for note in result.notes:
            if note != assumed_unit_note(result.entered_unit):
                grid.add_row("!", Text(f"{result.label}: {note}", style="yellow"))
    for warning in report.warnings:
        grid.add_row("!", Text(warning, style="yellow"))
    for pattern in report.patterns:
        grid.add_row("»", Text(pattern, style="bold magenta"))
    if report.results:
        grid.add_row("", Text(LEGEND, style="dim"))
    return grid


def explanation(result: Result) -> Group:
    """What an abnormal value means for muscle, and its cancer-related causes."""
    heading = Text()
    heading.append(f"{result.label} ", style="bold")
    heading.append(f" {result.flag} ", style=FLAG_STYLES[result.flag])
    heading.append(f" {FLAG_WORDS[result.flag]}")
    if result.grade is not None:
        heading.append(f" · CTCAE grade {result.grade}", style=GRADE_STYLES.get(result.grade, ""))
    heading.append(" · spasm risk ")
    heading.append(result.spasm_risk, style=RISK_STYLES.get(result.spasm_risk, ""))
    direction = "low" if result.flag in ("L", "LL") else "high"
    causes = Table.grid(padding=(0, 1))
    causes.add_column(width=1)
    causes.add_column()
    for cause in result.cancer_causes:
        causes.add_row("•", cause)
    body = Group(
        _labelled("In muscle", result.muscle_role),
        _labelled(f"When {direction}", result.effect or ""),
        Text("Cancer-related causes to look for:", style="bold"),
        Padding(causes, (0, 0, 0, 1), expand=False),
    )
    return Group(heading, Padding(body, (0, 0, 0, 2), expand=False))


def _labelled(label: str, text: str) -> Text:
    line = Text()
    line.append(f"{label}: ", style="bold")
    line.append(text)
    return line
