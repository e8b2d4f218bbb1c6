"""Options several commands share, and the two ways a command prints its answer.

rich is imported only when a table is drawn, so ``--format json`` starts fast.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from electrocheck.clinical.unit_choice import UnitChoice, read_default_units, read_system
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient, parse_age, parse_sex

#: The environment variables of units; the ``--units`` option wins over ELECTROCHECK_UNITS.
UNITS_VARIABLE = "ELECTROCHECK_UNITS"
DEFAULT_UNITS_VARIABLE = "ELECTROCHECK_DEFAULT_UNITS"


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class UnitSystem(str, Enum):
    si = "si"
    conventional = "conventional"


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


UnitsOption = Annotated[
    Optional[UnitSystem],  # noqa: UP045
    typer.Option(
        "--units",
        help="Show limits and cut-points in each analyte's si or conventional unit (its "
        "display_units in the reference file), and read a value given without a unit in "
        "that unit. Default: each value in the system it was entered in; "
        f"{UNITS_VARIABLE} sets it too (the option wins).",
        show_default=False,
    ),
]


def unit_choice(units: UnitSystem | None, reference: Reference | None = None) -> UnitChoice:
    """The units a command uses: ``--units``, else ELECTROCHECK_UNITS; and, given the
    reference that knows the names, the analytes' default units of ELECTROCHECK_DEFAULT_UNITS.
    A bad value in either variable raises :class:`~electrocheck.errors.UnitSettingError`."""
    if units is not None:
        system: str | None = units.value
        source = f"--units {units.value}"
    else:
        system = read_system(os.environ.get(UNITS_VARIABLE), UNITS_VARIABLE)
        source = f"{UNITS_VARIABLE}={system}"
    text = os.environ.get(DEFAULT_UNITS_VARIABLE)
    defaults = (
        read_default_units(reference, text, DEFAULT_UNITS_VARIABLE)
        if reference is not None and text
        else None
    )
    if defaults is None:
        return UnitChoice(system, source)
    return UnitChoice(system, source, defaults, DEFAULT_UNITS_VARIABLE)


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
