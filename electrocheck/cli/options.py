"""Options several commands share, and the two ways a command prints its answer.

rich is imported only when a table is drawn, so ``--format json`` starts fast.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from electrocheck.reference.patient import Patient, parse_age, parse_sex


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class FailOn(str, Enum):
    abnormal = "abnormal"
    critical = "critical"


RangesOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time on Python 3.10
    typer.Option(
        "--ranges",
        envvar="ELECTROCHECK_RANGES",
        help="Reference file to use instead of the built-in one (same YAML format).",
        show_default=False,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="table for people, json for programs."),
]
SymptomaticOption = Annotated[
    bool,
    typer.Option(
        "--symptomatic",
        help="The patient has symptoms: where CTCAE lets symptoms decide (hypokalemia "
        "grade 1 or 2, sodium 125-129 grade 2 or 3), give the symptomatic grade.",
    ),
]
AgeOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--age",
        help="Patient age, for age-banded limits: years (64, 0.5) or 10d, 6w, 6mo, 3y. "
        "Without it, adult limits apply.",
        show_default=False,
    ),
]
NoPagerOption = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print straight to the terminal, never through a pager. Output longer than the "
        "terminal is otherwise shown with $PAGER (less by default); redirected output never is.",
    ),
]
SexOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--sex",
        help="Patient sex (female/male, F/M), for limits that differ by sex.",
        show_default=False,
    ),
]


def patient_of(age: str | None, sex: str | None, symptomatic: bool) -> Patient:
    return Patient(
        age_days=None if age is None else parse_age(age),
        sex=None if sex is None else parse_sex(sex),
        symptomatic=symptomatic,
    )


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=not _unicode(sys.stdout)) + "\n")


def print_rich(draw: Any, pager: bool = False) -> None:
    """Print what ``draw`` renders; with ``pager``, through a pager when stdout is a terminal
    the output does not fit."""
    from electrocheck.cli.render import print_rendered

    print_rendered(draw, sys.stdout, pager)


def _unicode(stream: object) -> bool:
    """Whether a text stream can take any character (it cannot under PYTHONIOENCODING=ascii)."""
    return "utf" in (getattr(stream, "encoding", None) or "utf-8").lower()
