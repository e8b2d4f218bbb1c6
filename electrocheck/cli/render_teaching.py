"""Terminal rendering of ``explain``, ``sweep`` and ``ranges show`` with rich."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from electrocheck.cli.render import FLAG_STYLES, GRADE_STYLES, LEGEND, RISK_STYLES, gauge_text
from electrocheck.clinical.result import format_number
from electrocheck.clinical.shown import critical_text, interval_text
from electrocheck.reference import Reference
from electrocheck.teaching.sweep import FILE_DEFAULT, Sweep

# --------------------------------------------------------------------------- explain


def render_explain(data: dict[str, Any], out: Console) -> None:
    heading = Text(data["label"], style="bold")
    heading.append(
        f"  names: {' · '.join(data['names'])} · LOINC {', '.join(data['loinc'])}", style="dim"
    )
    out.print(heading)
    out.print(_labelled("In muscle", data["muscle_role"]))
    for side in ("low", "high"):
        part = data[side]
        out.print()
        title = Text(f"{side.capitalize()} {data['label'].lower()}", style="bold")
        title.append(" · spasm risk ")
        title.append(part["spasm_risk"], style=RISK_STYLES.get(part["spasm_risk"], ""))
        out.print(title)
        body: list[Any] = [_labelled("Effect", part["effect"])]
        body.append(Text("Cancer-related causes:", style="bold"))
        body.append(Padding(_bullets(part["causes"]), (0, 0, 0, 1)))
        medicines = [m for m in data.get("medications", ()) if m["direction"] == side]
        if medicines:
            body.append(Text("Medicines that can cause it:", style="bold"))
            body.append(Padding(_bullets([_medicine_line(m) for m in medicines]), (0, 0, 0, 1)))
        if part["treatment"]:
            body.append(_labelled("What is done", part["treatment"]))
        out.print(Padding(Group(*body), (0, 0, 0, 2)))
    for caveat in data["caveats"]:
        out.print(Text(f"! {caveat}", style="yellow"))
    out.print()
    out.print(Text("Limits", style="bold"))
    out.print(_limits_table(data))
    if data["grades"]["low"] or data["grades"]["high"]:
        out.print()
        out.print(Text("CTCAE v5.0 grades", style="bold"))
        out.print(_grades_table(data["grades"]))
    for correction in data["corrections"]:
        out.print()
        out.print(
            _labelled(
                correction["label"],
                f"given {correction['covariate']}, as {correction['analyte']}: "
                + " ".join(correction["caveats"]),
            )
        )
    if data["spasm_care"]:
        out.print()
        out.print(
            Text("For spasms, whatever the cause, besides correcting the level:", style="bold")
        )
        out.print(
            Padding(
                _bullets([f"{m['name']}: {m['text']}" for m in data["spasm_care"]]), (0, 0, 0, 1)
            )
        )
    out.print()
    out.print(Text("Sources", style="bold"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    for key, text in data["sources"].items():
        grid.add_row(key, text)
    out.print(Padding(grid, (0, 0, 0, 1)))


def _medicine_line(medicine: dict[str, Any]) -> str:
    brands = f" ({', '.join(medicine['brands'])})" if medicine["brands"] else ""
    return f"{medicine['drug']}{brands}: {medicine['mechanism']}"


def render_overview(items: list[dict[str, Any]], out: Console) -> None:
    table = _table()
    table.add_column("Analyte")
    table.add_column("Adult interval")
    table.add_column("Critical limits")
    table.add_column("Spasm risk\nlow / high")
    for item in items:
        table.add_row(
            item["label"],
            "\n".join(
                f"{format_number(r['low'])}–{format_number(r['high'])} {r['unit']}{_mark(r)}"
                for r in item["reference"]
            ),
            "\n".join(
                f"{format_number(c['low'])} / {format_number(c['high'])} {c['unit']}{_mark(c)}"
                for c in item["critical"]
            ),
            Text.assemble(
                (item["low"]["spasm_risk"], RISK_STYLES.get(item["low"]["spasm_risk"], "")),
                " / ",
                (item["high"]["spasm_risk"], RISK_STYLES.get(item["high"]["spasm_risk"], "")),
            ),
        )
    out.print(table)
    if any(_mark(e) for item in items for e in (*item["reference"], *item["critical"])):
        out.print(Text("* converted from the unit the reference file writes it in", style="dim"))
    out.print()
    for item in items:
        out.print(_labelled(item["label"], item["muscle_role"]))
    out.print()
    out.print(Text("More on one: electrocheck explain k (or ca, ica, mg, na)", style="dim"))


def _mark(entry: dict[str, Any]) -> str:
    """``*`` after limits converted for --units from the unit they are written in."""
    return "" if entry.get("converted_from") is None else "*"


def _limits_table(data: dict[str, Any]) -> Table:
    table = _table()
    for name in ("Kind", "For", "Low", "High", "Unit", "Source"):
        table.add_column(name, justify="right" if name in ("Low", "High") else "left")
    for kind, key in (("interval", "reference"), ("critical", "critical")):
        for item in data[key]:
            table.add_row(
                kind,
                item["population"],
                f"{format_number(item['low'])}",
                f"{format_number(item['high'])}",
                item["unit"],
                _source(item),
            )
    return table


def _source(item: dict[str, Any]) -> str:
    """An entry's source, and the unit it is written in when converted for --units."""
    converted = item.get("converted_from")
    return item["source"] if converted is None else f"{item['source']} (from {converted})"


def _grades_table(grades: dict[str, Any]) -> Table:
    table = _table()
    for name in ("Term", "Unit", "Grade 2", "Grade 3", "Grade 4", "With symptoms"):
        table.add_column(name)
    for side, word in (("low", "below"), ("high", "above")):
        scale = grades[side]
        if scale is None:
            continue
        for criterion in scale["criteria"]:
            cuts = criterion["cut_points"]
            rule = criterion["symptomatic"]
            table.add_row(
                scale["term"],
                criterion["unit"]
                if criterion.get("converted_from") is None
                else f"{criterion['unit']} (from {criterion['converted_from']})",
                *(
                    f"{word} {format_number(cuts[g])}" if g in cuts else "–"
                    for g in ("2", "3", "4")
                ),
                "–" if rule is None else f"grade {rule['grade']} becomes {rule['becomes']}",
            )
    return table


# --------------------------------------------------------------------------- sweep


def render_sweep(result: Sweep, out: Console) -> None:
    first = next((row.result for row in result.rows if row.result is not None), None)
    who = "" if first is None else f" · limits for {first.population}"
    whence = "" if result.unit_from in ("--unit", FILE_DEFAULT) else f" ({result.unit_from})"
    out.print(Text(f"{result.label}, {result.unit}{whence}{who}", style="bold"))
    if first is not None and first.shown is not None:
        shown = first.shown
        out.print(f"interval {interval_text(shown)} · critical {critical_text(shown)}")
    table = _table()
    table.add_column("Value", justify="right")
    table.add_column("mmol/L", justify="right")
    table.add_column("Flag", justify="center")
    table.add_column("Grade", justify="center")
    table.add_column("Spasm risk")
    table.add_column("Gauge", no_wrap=True)
    for row in result.rows:
        r = row.result
        if r is None:
            table.add_row(f"{row.value:g}", "", "", "", Text("not plausible", style="dim"), "")
            continue
        grade = "–" if r.grade is None else str(r.grade)
        table.add_row(
            f"{row.value:g}",
            format_number(r.value),
            Text(f" {r.flag} ", style=FLAG_STYLES[r.flag]),
            Text(grade, style=GRADE_STYLES.get(r.grade or 0, "")),
            Text(r.spasm_risk, style=RISK_STYLES.get(r.spasm_risk, "")),
            gauge_text(row.gauge),
        )
    out.print(table)
    out.print(Text(LEGEND, style="dim"))


# --------------------------------------------------------------------------- ranges show


def render_ranges(reference: Reference, path: str, out: Console) -> None:
    out.print(Text(reference.title, style="bold"))
    out.print(Text(f"file: {path}", style="dim"))
    table = _table()
    for name in ("Analyte", "Kind", "For", "Low", "High", "Unit", "Source"):
        table.add_column(name, justify="right" if name in ("Low", "High") else "left")
    for analyte in reference.analytes.values():
        first = True
        for kind, items in (("interval", analyte.reference), ("critical", analyte.critical)):
            for item in items:
                table.add_row(
                    analyte.key if first else "",
                    kind,
                    item.population(),
                    f"{format_number(item.low)}",
                    f"{format_number(item.high)}",
                    item.unit,
                    item.source,
                )
                first = False
    out.print(table)
    if reference.corrections:
        out.print()
        for correction in reference.corrections.values():
            formulas = "; ".join(
                f"{f.unit}: {f.add:g}/{f.per:g} per {f.covariate_unit} {f.direction} {f.pivot:g}"
                for f in correction.formulas
            )
            out.print(
                _labelled(
                    correction.key, f"{correction.corrects} by {correction.covariate} ({formulas})"
                )
            )
    if reference.medications.drugs:
        out.print()
        out.print(_medications_table(reference))


def _medications_table(reference: Reference) -> Table:
    """Each medicine of the file: its other names and codes, what it moves, the sources."""
    table = _table()
    for name in ("Medicine", "Also known as", "Moves", "Sources"):
        table.add_column(name)
    for drug in reference.medications.drugs.values():
        codes = [
            f"{kind} {code}"
            for kind, code in (("ATC", drug.atc), ("RxNorm", drug.rxnorm))
            if code is not None
        ]
        moves = ", ".join(f"{e.direction} {e.analyte}" for e in drug.effects)
        cited = [
            drug.source,
            drug.codes_source,
            drug.rxnorm_source,
            *(e.source for e in drug.effects),
        ]
        sources = ", ".join(dict.fromkeys(s for s in cited if s is not None))
        table.add_row(drug.key, ", ".join([*drug.also, *drug.brands, *codes]), moves, sources)
    return table


def _table() -> Table:
    return Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
    )


def _bullets(items: list[str]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column()
    for item in items:
        grid.add_row("•", item)
    return grid


def _labelled(label: str, text: str) -> Text:
    line = Text()
    line.append(f"{label}: ", style="bold")
    line.append(text)
    return line
