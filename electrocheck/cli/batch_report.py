"""What ``electrocheck batch`` tells a person on stderr: a progress bar and a summary; the
summary as JSON for a script; and whether ``--strict`` or ``--fail-on`` is met.

rich is imported only to draw the bar, on a terminal; a script's run imports nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from electrocheck.batch.by_patient import PatientFile
from electrocheck.batch.medications import SKIP_REASONS, MedicationCounts
from electrocheck.batch.run import Summary
from electrocheck.batch.summary import FATE_NAMES, UNKNOWN_FATES, PanelSummary
from electrocheck.clinical.check import FAIL_ON
from electrocheck.clinical.result import FLAGS
from electrocheck.errors import InputError, quote
from electrocheck.formats.conversion import counted
from electrocheck.formats.files import write_whole


@contextmanager
def batch_progress(enabled: bool, stream: TextIO) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on ``stream`` while a batch runs, when it is a terminal."""
    if not enabled or not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("electrocheck batch"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


#: How each fate of a value is shown, and the heading of the names of its rows.
FATE_LABELS = {
    "interpreted": "interpreted",
    "unreadable": "unreadable value",
    "no_value": "no value",
    "covariate": "covariate",
    "other_test": "other test",
    "unrecognised_electrolyte": "unrecognised electrolyte",
    "other_specimen": "other specimen",
    "unknown_specimen": "unknown specimen",
    "structural_error": "structural error",
}
NAMES_HEADINGS = {
    "covariate": "covariates",
    "other_test": "other tests",
    "other_specimen": "other specimens",
}
#: Names shown per line of the summary; the JSON summary lists more.
NAMES_SHOWN = 8


def print_summary(summary: Summary, stream: TextIO) -> None:
    """What a batch run read, wrote and found: every row's fate, and what was not read."""
    columns = ", ".join(summary.columns)
    lines = [
        f"electrocheck batch: {counted(summary.rows_read, 'row')} read, "
        f"{summary.rows_written:,} written; {summary.layout} layout ({columns})",
        f"  {counted(summary.results, 'result')}, {counted(summary.cell_errors, 'cell')} with "
        f"errors in {counted(summary.rows_with_errors, 'row')}"
        + (
            f", {counted(summary.blank_lines, 'blank line')} skipped" if summary.blank_lines else ""
        ),
    ]
    if summary.fhir is not None:
        lines.append(summary.fhir.line())
    if summary.hl7 is not None:
        lines.append(summary.hl7.line())
    if summary.fhir_output is not None:
        lines.append(summary.fhir_output.line())
    if summary.panels is not None:
        lines.append(_panel_lines(summary.panels)[0])
    fates = [(FATE_LABELS[f], summary.fates[f]) for f in FATE_NAMES if summary.fates[f]]
    if fates:
        lines.append(f"  {summary.counted()}: {_listed(fates)}")
    for fate, heading in NAMES_HEADINGS.items():
        if summary.fates[fate]:
            lines.append(f"  {heading}: {_names(summary, fate)}")
    if summary.unread_columns:
        shown = ", ".join(_plain(name) for name in summary.unread_columns[:NAMES_SHOWN])
        more = len(summary.unread_columns) - NAMES_SHOWN
        lines.append(f"  columns not read: {shown}" + (f" and {more:,} more" if more > 0 else ""))
    counts: dict[str, dict[str, int]] = {}
    for (analyte, flag), count in summary.flags.items():
        counts.setdefault(analyte, {})[flag] = count
    for analyte, flags in sorted(counts.items()):
        shown = ", ".join(f"{flag} {flags[flag]:,}" for flag in FLAGS if flag in flags)
        lines.append(f"  {analyte}: {shown}")
    found, where = summary.patterns, "rows"
    if summary.panels is not None:  # long files: the panels of each pattern
        found, where = summary.panels.patterns, "panels"
    if found:
        shown = _listed(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"  patterns ({where}): {shown}")
    if summary.panels is not None:
        lines += _panel_lines(summary.panels)[1:]
    if summary.by_patient is not None:
        lines += _patient_lines(summary.by_patient)
    if summary.medications is not None:
        lines += _medication_lines(summary.medications)
    lines += [f"  ! {warning}" for warning in _warnings(summary)]
    stream.write("\n".join(lines) + "\n")


def _medication_lines(counts: MedicationCounts) -> list[str]:
    """The medication list: its rows, those used, left out and of other drugs."""
    skipped = [(r.replace("_", " "), counts.skipped[r]) for r in SKIP_REASONS if counts.skipped[r]]
    other = sum(counts.other_drugs.values())
    line = (
        f"  medications ({counts.layout} list): {counted(counts.rows, 'row')}, "
        f"{counts.used:,} of medicines that move electrolytes, "
        f"{counted(counts.results_explained, 'result')} explained"
    )
    lines = [line]
    if other:
        names = ", ".join(quote(n) for n, _ in counts.other_drugs.most_common(5))
        more = ", ..." if len(counts.other_drugs) > 5 else ""
        lines.append(f"  medications of no known effect: {counted(other, 'row')} ({names}{more})")
    if skipped:
        lines.append(f"  medication rows left out: {_listed(skipped)}")
    if counts.untimed:
        lines.append("  ! no collection time: each patient's medicines joined to all results")
    return lines


def _warnings(summary: Summary) -> list[str]:
    """What the summary warns of: values that could be an electrolyte's and were not read,
    the lab's flags that disagree, then the run's own warnings."""
    found = []
    if summary.fates["unrecognised_electrolyte"]:
        found.append(
            "tests named like an electrolyte but not one electrocheck knows, not read: "
            + _names(summary, "unrecognised_electrolyte")
            + " (--alias 'LABEL=ANALYTE' reads one)"
        )
    for name, count in summary.lookalike_columns.items():
        found.append(
            f"column {_plain(name)} looks like an electrolyte but is not one electrocheck "
            f"knows: {counted(count, 'value')} not read (--alias 'LABEL=ANALYTE' or --map "
            "ANALYTE=COLUMN reads it)"
        )
    if summary.fates["unknown_specimen"]:
        found.append(
            "specimens electrocheck does not know, not interpreted: "
            + _names(summary, "unknown_specimen")
        )
    if summary.lab_flag_disagreements:
        found.append(
            f"results whose flag disagrees with the lab's own: "
            f"{summary.lab_flag_disagreements:,} (see lab_flag, and the notes of --format jsonl)"
        )
    return found + summary.warnings


#: How the reasons a row is not in a panel, and the notes on panels, are shown.
ALONE_LABELS = {
    "no_patient": "no patient id",
    "no_time": "no collection time",
    "no_specimen": "no specimen number",
}
PANEL_NOTE_LABELS = {
    "unreadable_time": "collection time not read",
    "unreadable_birth_date": "date of birth not read",
    "birth_after_collection": "date of birth after the collection time",
    "repeated_analyte": "two results or more of one analyte in a panel",
    "shared_specimen": "specimen number shared by two patients",
}
#: The notes on changes over time (see ``change_notes``), as the summary shows them.
CHANGE_NOTE_LABELS = {
    "correction_rate": "raised faster than a correction-rate limit",
    "delta_check": "beyond a delta check",
    "trend": "in a trend",
    "changes_not_compared": "not compared (two patient ids share a hash)",
}


def _panel_lines(panels: PanelSummary) -> list[str]:
    """The panels of a long file: the columns that made them, how many, and the rows that
    stood alone or got a note."""
    used = ", ".join(f"{role} {_plain(name)}" for role, name in panels.columns.items())
    if panels.window:
        used += f", within {panels.window:g} s"
    line = f"  panels: {panels.panels:,} ({used})"
    if panels.added:
        line += f"; {counted(panels.added, 'corrected result')} added"
    lines = [line]
    alone = [
        (ALONE_LABELS[reason], panels.alone[reason])
        for reason in ALONE_LABELS
        if panels.alone[reason]
    ]
    if alone:
        total = sum(count for _, count in alone)
        lines.append(
            f"  ! {counted(total, 'row')} interpreted alone, not in a panel: {_listed(alone)}"
        )
    notes = [
        (label, panels.notes[key]) for key, label in PANEL_NOTE_LABELS.items() if panels.notes[key]
    ]
    if notes:
        lines.append(f"  ! rows with notes on their panel (see panel_notes): {_listed(notes)}")
    changes = [
        (label, panels.notes[key]) for key, label in CHANGE_NOTE_LABELS.items() if panels.notes[key]
    ]
    if changes:
        lines.append(
            f"  ! results with notes on changes over time (see change_notes): {_listed(changes)}"
        )
    return lines


def _patient_lines(found: PatientFile) -> list[str]:
    """Where the per-patient summary went, and the results it holds without a patient id."""
    where = "stdout" if found.path == "-" else repr(found.path)  # whole, however long
    lines = [f"  per patient: {counted(found.patients, 'patient')}, written to {where}"]
    if found.without_id:
        lines.append(
            f"  ! {counted(found.without_id, 'result')} without a patient id: gathered under "
            "the empty patient id in the per-patient summary"
        )
    return lines


def _listed(items: list[tuple[str, int]]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in items)


def _names(summary: Summary, fate: str) -> str:
    names = summary.names(fate)
    shown = _listed([(_plain(name), count) for name, count in names[:NAMES_SHOWN]])
    left = names[NAMES_SHOWN:]
    more = sum(count for _, count in left) + summary.unnamed[fate]
    if more:
        shown += f" and {len(left):,} more names ({more:,} {summary.counted()})"
    return shown


def _plain(name: str) -> str:
    text = " ".join(name.split())
    return text if len(text) <= 40 else text[:37] + "..."


def conditions_met(
    summary: Summary, strict: bool, fail_on: str | None, unknown_ok: bool
) -> tuple[bool, list[str]]:
    """Whether ``--strict`` or ``--fail-on`` is met, and the messages that say why where the
    reason is not an error or a flag the summary already shows: a value that could be an
    electrolyte's and was not read (``--strict``), or was not interpreted (``--fail-on``,
    unless ``--unknown-ok``): it may be the critical one."""
    met = False
    reasons = []
    if strict:
        met = bool(summary.cell_errors + summary.rows_with_errors)
        if summary.unrecognised_electrolytes:
            met = True
            reasons.append(
                f"--strict: {counted(summary.unrecognised_electrolytes, 'value')} of tests or "
                "columns named like an electrolyte, but not one electrocheck knows, were not read"
            )
    if fail_on is not None:
        if summary.any_flag(FAIL_ON[fail_on]):
            met = True
        if summary.unknown and not unknown_ok:
            met = True
            parts = [
                (FATE_LABELS[fate], summary.fates[fate])
                for fate in UNKNOWN_FATES
                if summary.fates[fate]
            ]
            if summary.lookalike_columns:
                parts.append(("in unrecognised columns", sum(summary.lookalike_columns.values())))
            reasons.append(
                f"--fail-on {fail_on}: {counted(summary.unknown, 'value')} that may be an "
                f"electrolyte's could not be interpreted ({_listed(parts)}), and any of them may "
                f"be {fail_on}; --unknown-ok ignores them"
            )
    return met, reasons


def check_summary_target(path: Path) -> None:
    """Refuse, before the run, a ``--summary-json`` target that cannot be written: a folder,
    or a file in a folder that does not exist."""
    if path.is_dir():
        raise InputError(f"--summary-json: cannot write {quote(str(path))}: it is a directory")
    if not path.resolve().parent.is_dir():
        raise InputError(
            f"--summary-json: cannot write {quote(str(path))}: no such folder "
            f"{quote(str(path.resolve().parent))}"
        )


def write_summary_json(summary: Summary, path: Path) -> None:
    """The summary as JSON, written whole or not at all."""
    text = json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) + "\n"
    try:
        write_whole(path, text.encode("utf-8"))
    except OSError as exc:
        raise InputError(
            f"--summary-json: cannot write {quote(str(path))}: {exc.strerror or exc}"
        ) from None
