"""Terminal rendering of check results with rich (imported only for table output).

``check`` prints a first screen that fits an 80x24 terminal for up to five values: the table,
then one line for each thing to know (notes in their short forms, from the reference file),
and with ``--explain`` after it what each value means, every note in full. Colour is used only
on a terminal (or for a pager); rich honours NO_COLOR and narrows to the terminal width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from electrocheck.clinical.check import Brief, CheckReport
from electrocheck.clinical.result import (
    FLAG_WORDS,
    Explanation,
    Result,
    assumed_unit_note,
    format_number,
)
from electrocheck.clinical.shown import interval_text
from electrocheck.reference import Reference
from electrocheck.teaching import gauge as gauges
from electrocheck.units.resolve import resolve_unit

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
    f"{gauges.CRITICAL} critical  {gauges.ABNORMAL} outside the interval  "
    f"{gauges.NORMAL} within it  {gauges.CUT} grade cut-point  {gauges.VALUE} the value"
)
#: The line that says ``--explain`` exists, under a check with an abnormal value.
EXPLAIN_HINT = "More: --explain"
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


def print_check(
    report: CheckReport,
    file: TextIO,
    reference: Reference,
    explain: bool = False,
    pager: bool = False,
) -> None:
    """Print a check to ``file``: its first screen, and with ``explain`` what each value
    means; with ``pager``, through a pager when ``file`` is a terminal it does not fit."""
    print_rendered(lambda out: render_check(report, out, reference, explain), file, pager)


def print_rendered(draw: Callable[[Console], None], file: TextIO, pager: bool = False) -> None:
    """Print what ``draw`` renders to ``file``, without the trailing spaces rich pads lines
    with; in ASCII gauges when ``file``'s encoding cannot hold the gauge's characters; with
    ``pager``, through a pager when ``file`` is a terminal the text does not fit (see
    :mod:`electrocheck.cli.pager`)."""
    out = console(file)
    with out.capture() as captured:
        draw(out)
    text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
    encoding = getattr(file, "encoding", None) or "utf-8"
    if not gauges.shows_blocks(encoding):  # cp1252, ascii: the gauges and legend in ASCII
        from electrocheck.cli.render_series import SPARKS_ASCII

        text = gauges.in_ascii(text).translate(SPARKS_ASCII)
    # A terminal that cannot show a dash or a bullet gets "?" rather than a crash.
    text = text.encode(encoding, errors="replace").decode(encoding)
    if pager:
        from electrocheck.cli.pager import show

        show(text, file)
    else:
        file.write(text)


def render_check(
    report: CheckReport, out: Console, reference: Reference, explain: bool = False
) -> None:
    """Print the first screen of a check: the results table, then one line for each thing to
    know; with ``explain``, then what each value means, with every note in full."""
    out.print(results_table(report.results, reference))
    if report.results:
        out.print(Text(LEGEND, style="dim"))
    if report.series:
        from electrocheck.cli.render_series import add_series_lines

        series = _marked()
        add_series_lines(series, report, reference.changes)
        out.print(series)
    out.print(_footnotes(report, out.width))
    closing = f"Reference: {report.reference}. Decision support, not a diagnosis."
    # An earlier value of a series that was abnormal, or a change with a note, has more to say.
    noted = any(
        point.change_notes or point.result.abnormal
        for series in report.series
        for point in series.points
    )
    if not explain and (noted or any(result.abnormal for result in report.results)):
        closing += f" {EXPLAIN_HINT}"
    out.print(Text(closing, style="dim"))
    if explain:
        _explanations(report, out, reference)


def _explanations(report: CheckReport, out: Console, reference: Reference) -> None:
    """What each abnormal value means and every note in full, then the patterns in full."""
    for result in report.results:
        notes = [n for n in result.notes if n != assumed_unit_note(result.entered_unit)]
        if result.abnormal or notes:
            causes = None
            if result.medications:
                from electrocheck.clinical.medications import other_causes

                causes = other_causes(reference, result)
            out.print()
            out.print(explanation(result, notes, causes))
    if report.series:
        from electrocheck.cli.render_series import series_explained

        for series in report.series:
            out.print()
            out.print(series_explained(series))
    if report.patterns:
        out.print()
        grid = _marked()
        for pattern in report.patterns:
            grid.add_row("»", Text(pattern, style="bold magenta"))
        out.print(grid)


def results_table(results: tuple[Result, ...], reference: Reference) -> Table:
    """The results, each on two lines (the value, then its gauge), under a header without a
    rule: a line saved for the first screen."""
    table = Table(
        box=None,
        show_edge=False,
        pad_edge=False,
        header_style="bold underline",
    )
    table.add_column("Analyte")
    table.add_column("Entered", overflow="fold")
    table.add_column("mmol/L", justify="right")
    table.add_column("Reference", justify="center")
    table.add_column("Flag", justify="center")
    table.add_column("Grade", justify="center")
    table.add_column("Spasm risk")
    for result in results:
        entered = f"{format_number(result.entered_value)} {result.entered_unit}"
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
    if shown is None:
        interval = f"{format_number(result.low)}–{format_number(result.high)} mmol/L"
    elif resolve_unit(shown.unit).spelling == resolve_unit(result.entered_unit).spelling:
        # In the unit the Entered column shows: the numbers alone keep the row one line.
        interval = f"{format_number(shown.low)}–{format_number(shown.high)}"
    else:
        interval = interval_text(shown)
    cell = Text(f"{interval}\n")
    scale = gauges.scale_of(reference, result, width=CHECK_GAUGE_WIDTH)
    line = gauges.gauge(scale, result.value, CHECK_GAUGE_WIDTH)
    return cell.append_text(gauge_text(line))


def _grade(result: Result) -> str:
    return "–" if result.grade is None else str(result.grade)


def _marked() -> Table:
    """A grid of lines, each with a one-character marker and a hanging indent."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column()
    return grid


def _footnotes(report: CheckReport, width: int) -> Table:
    """One line for each thing to know, each with a marker: assumed units and whose limits
    apply, values beyond a critical limit, the notes in short, what symptoms would change in
    the grades, warnings, and the patterns in short. ``width`` is the console's."""
    grid = _marked()
    fits = width - 2  # after the marker
    # A report made without its short forms shows its notes as they are.
    briefs = report.briefs or tuple(Brief(result.notes) for result in report.results)
    results = list(zip(report.results, briefs, strict=True))
    units, populations = _assumed_units(report.results), _populations(report)
    if units and populations and len(f"{units}  · {populations}") <= fits:
        grid.add_row("*", Text(f"{units}  · {populations}", style="dim"))
    else:
        for marker, text in (("*", units), ("·", populations)):
            if text:
                grid.add_row(marker, Text(text, style="dim"))
    critical = [(r.label, b.critical_limit) for r, b in results if b.critical_limit]
    if critical:
        line = _first_that_fits(
            fits,
            "critical, needs urgent attention: "
            + ", ".join(f"{label} {limit}" for label, limit in critical),
            "critical, needs urgent attention: " + ", ".join(label for label, _ in critical),
            "critical, needs urgent attention: every value flagged LL or HH",
        )
        grid.add_row(Text("!", style="bold red"), Text(line, style="bold red"))
    lines: list[str] = []
    for result, brief in results:
        lines += [brief.caveat] if brief.caveat else []
        lines += [f"{result.label}: {note}" for note in brief.notes]
    symptoms = [f"{r.label} {b.with_symptoms}" for r, b in results if b.with_symptoms]
    if symptoms:
        lines.append(
            _first_that_fits(
                fits,
                f"grades assume no symptoms; with symptoms: {', '.join(symptoms)}",
                f"with symptoms: {', '.join(symptoms)}",
                "grades assume no symptoms; --symptomatic grades with them",
            )
        )
    lines += report.warnings
    for line in dict.fromkeys(lines):  # a line said once, though two values give it
        grid.add_row("!", Text(line, style="yellow"))
    for pattern in report.pattern_lines or report.pattern_briefs or report.patterns:
        grid.add_row("»", Text(pattern, style="bold magenta"))
    if report.medicines:
        _medicine_lines(grid, report)
    return grid


def _medicine_lines(grid: Table, report: CheckReport) -> None:
    """The patient's medicines that explain each abnormal value, with mechanism and source,
    and once those that explain none of them."""
    for result in report.results:
        for medicine in result.medications:
            line = Text(f"{result.label} {FLAG_WORDS[result.flag]}: ", style="bold")
            line.append(f"{_drug_name(medicine)}: {medicine.effect} [{medicine.source}]")
            grid.add_row(Text("•", style="cyan"), line)
    from electrocheck.clinical.medications import without_effect

    for drug in without_effect(report):
        grid.add_row("·", Text(f"{drug}: no effect on these values", style="dim"))


def _drug_name(medicine: Explanation) -> str:
    """The generic name, and the name it was given as where that is another."""
    same = medicine.given_as.casefold() == medicine.drug.casefold()
    return medicine.drug if same else f"{medicine.drug} (as {medicine.given_as})"


def _first_that_fits(width: int, *forms: str) -> str:
    """The first of ``forms`` (each shorter than the one before) that fits on one line."""
    return next((form for form in forms if len(form) <= width), forms[-1])


def _assumed_units(results: tuple[Result, ...]) -> str:
    """The units assumed for values given without one (the table marks which with ``*``)."""
    assumed: dict[tuple[str, str], dict[str, None]] = {}  # (unit, whence) -> labels
    for result in results:
        if result.unit_assumed:
            plain = assumed_unit_note(result.entered_unit)
            note = next((n for n in result.notes if n.startswith(plain)), plain)
            # what follows the plain note says where the unit came from: " (--units si)"
            assumed.setdefault((result.entered_unit, note[len(plain) :]), {})[result.label] = None
    if len(assumed) == 1:
        (unit, whence), _ = next(iter(assumed.items()))
        return f"no unit given: {unit} assumed{whence}"
    units = "; ".join(
        f"{unit}{whence} for {', '.join(labels)}" for (unit, whence), labels in assumed.items()
    )
    return f"no unit given: {units} assumed" if units else ""


def _populations(report: CheckReport) -> str:
    """Whose limits apply."""
    if report.patient.age_days is None and report.patient.sex is None:
        return "no age given: adult limits (give --age)" if report.results else ""
    populations: dict[str, list[str]] = {}
    for result in report.results:
        populations.setdefault(result.population, []).append(result.label)
    return "; ".join(f"limits for {p}: {', '.join(labels)}" for p, labels in populations.items())


def explanation(
    result: Result, notes: list[str] | None = None, causes: tuple[str, ...] | None = None
) -> Group:
    """What a value means for muscle and its cancer-related causes (for an abnormal value),
    and its ``notes`` in full. The patient's medicines that explain it come first, with
    mechanism, onset and source; ``causes`` are then the other causes (all by default)."""
    heading = Text()
    heading.append(f"{result.label} ", style="bold")
    heading.append(f" {result.flag} ", style=FLAG_STYLES[result.flag])
    heading.append(f" {FLAG_WORDS[result.flag]}")
    if result.grade is not None:
        heading.append(f" · CTCAE grade {result.grade}", style=GRADE_STYLES.get(result.grade, ""))
    heading.append(" · spasm risk ")
    heading.append(result.spasm_risk, style=RISK_STYLES.get(result.spasm_risk, ""))
    direction = "low" if result.flag in ("L", "LL") else "high"
    parts: list[Text | Padding] = []
    if result.abnormal:
        listed = _marked()
        for cause in result.cancer_causes if causes is None else causes:
            listed.add_row("•", cause)
        parts += [
            _labelled("In muscle", result.muscle_role),
            _labelled(f"When {direction}", result.effect or ""),
        ]
        if result.medications:
            medicines = _marked()
            for m in result.medications:
                medicines.add_row("•", f"{_drug_name(m)}: {m.effect}; onset {m.onset} [{m.source}]")
            parts += [
                Text("The patient's medicines that explain it:", style="bold"),
                Padding(medicines, (0, 0, 0, 1), expand=False),
            ]
        other = "Other cancer-related causes" if result.medications else "Cancer-related causes"
        parts += [
            Text(f"{other} to look for:", style="bold"),
            Padding(listed, (0, 0, 0, 1), expand=False),
        ]
    if notes:
        grid = _marked()
        for note in notes:
            grid.add_row("!", Text(note, style="yellow"))
        parts += [Text("Notes:", style="bold"), Padding(grid, (0, 0, 0, 1), expand=False)]
    return Group(heading, Padding(Group(*parts), (0, 0, 0, 2), expand=False))


def _labelled(label: str, text: str) -> Text:
    line = Text()
    line.append(f"{label}: ", style="bold")
    line.append(text)
    return line
