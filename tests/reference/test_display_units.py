"""An analyte's display units (``display_units: {si, conventional}``): the built-in choices, the
unit system of a unit derived from them, and the validation of users' files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import DELETE, refused, set_at  # pytest puts this folder on sys.path

from electrocheck.reference import DisplayUnits, Reference, load_reference
from electrocheck.units.resolve import resolve_unit

BUILT_IN = {
    "calcium": ("mmol/L", "mg/dL"),
    "ionized_calcium": ("mmol/L", "mg/dL"),
    "magnesium": ("mmol/L", "mg/dL"),
    "potassium": ("mmol/L", "mEq/L"),
    "sodium": ("mmol/L", "mEq/L"),
}


@pytest.mark.parametrize(("key", "units"), BUILT_IN.items())
def test_built_in_display_units(ref: Reference, key: str, units: tuple[str, str]) -> None:
    shown = ref.analytes[key].display_units
    assert (shown.si, shown.conventional) == units
    assert (shown.of("si"), shown.of("conventional")) == units


def test_an_unknown_system_is_a_defect() -> None:
    with pytest.raises(ValueError, match="unknown unit system 'metric'"):
        DisplayUnits().of("metric")


# Which system a unit belongs to, from the kind of the SI display unit: not from its spelling.
SYSTEMS = [
    ("calcium", "mg/dL", "conventional"),
    ("calcium", "MG/DL", "conventional"),
    ("calcium", "mg/L", "conventional"),
    ("calcium", "mg%", "conventional"),
    ("calcium", "mg/100mL", "conventional"),
    ("calcium", "g/L", "conventional"),
    ("calcium", "mEq/L", "conventional"),
    ("calcium", "mmol/L", "si"),
    ("calcium", "MMOL/L", "si"),
    ("calcium", "µmol/L", "si"),
    ("calcium", "mol/L", "si"),
    ("magnesium", "mg/dL", "conventional"),
    ("magnesium", "mEq/L", "conventional"),
    ("magnesium", "mmol/L", "si"),
    ("potassium", "mEq/L", "conventional"),
    ("potassium", "mg/dL", "conventional"),
    ("potassium", "mmol/L", "si"),
    ("sodium", "mEq/L", "conventional"),
    ("sodium", "mmol/L", "si"),
]


@pytest.mark.parametrize(("key", "unit", "system"), SYSTEMS)
def test_system_of_a_unit(ref: Reference, key: str, unit: str, system: str) -> None:
    assert ref.analytes[key].system_of(resolve_unit(unit)) == system


def test_a_file_without_display_units_shows_mmol_per_litre(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        for analyte in data["analytes"].values():
            del analyte["display_units"]

    ref = load_reference(write_reference(edit))
    calcium = ref.analytes["calcium"]
    assert calcium.display_units == DisplayUnits("mmol/L", "mmol/L")
    assert calcium.system_of(resolve_unit("mg/dL")) == "conventional"
    assert calcium.display_units.of("conventional") == "mmol/L"


def test_a_lab_may_choose_other_display_units(write_reference: Callable[..., Path]) -> None:
    path = write_reference(
        set_at("analytes.calcium.display_units", {"si": "mmol/L", "conventional": "mEq/L"})
    )
    calcium = load_reference(path).analytes["calcium"]
    assert calcium.display_units == DisplayUnits("mmol/L", "mEq/L")
    assert calcium.system_of(resolve_unit("mg/dL")) == "conventional"


DU = "analytes.calcium.display_units"
INVALID = [
    (DU, "mg/dL", f"{DU}: must be a mapping, not text"),
    (DU, {"si": "mmol/L"}, f"{DU}.conventional: missing"),
    (DU, {"conventional": "mg/dL"}, f"{DU}.si: missing"),
    (
        DU,
        {"si": "mmol/L", "conventional": "mg/dL", "metric": "g/L"},
        f"{DU}.metric: unknown key (allowed: conventional, si)",
    ),
    (f"{DU}.si", "wibble", f"{DU}.si: unit 'wibble' is not a unit electrocheck knows"),
    (f"{DU}.si", "kg", f"{DU}.si: unit 'kg' is a mass, not a concentration"),
    (f"{DU}.si", "", f"{DU}.si: must be non-empty text"),
    (f"{DU}.si", "mg/dL", f"{DU}.si: must be a substance unit such as mmol/L, not 'mg/dL'"),
    (f"{DU}.si", "mEq/L", f"{DU}.si: must be a substance unit such as mmol/L, not 'mEq/L'"),
    (
        f"{DU}.conventional",
        "mmol/L",
        f"{DU}.conventional: must be a mass or equivalent unit such as mg/dL or mEq/L, not "
        "'mmol/L': a substance unit is the SI system",
    ),
    (
        f"{DU}.conventional",
        "µmol/L",
        f"{DU}.conventional: must be a mass or equivalent unit",
    ),
    (
        f"{DU}.conventional",
        "mg/L",
        f"{DU}.conventional: must be one of the analyte's units (mmol/L, mg/dL, mEq/L), not 'mg/L'",
    ),
    (
        f"{DU}.si",
        "µmol/L",
        f"{DU}.si: must be one of the analyte's units (mmol/L, mg/dL, mEq/L), not 'µmol/L'",
    ),
    (
        "analytes.potassium.display_units.conventional",
        "mg/dL",
        "analytes.potassium.display_units.conventional: must be one of the analyte's units "
        "(mmol/L, mEq/L), not 'mg/dL'",
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), INVALID, ids=[i[2][-60:] for i in INVALID])
def test_invalid_display_units_name_file_key_path_and_problem(
    write_reference: Callable[..., Path], path: str, value: Any, message: str
) -> None:
    problems = refused(write_reference(set_at(path, value)))
    assert any(message in problem for problem in problems), problems


def test_units_a_problem_of_their_own_are_not_compared(
    write_reference: Callable[..., Path],
) -> None:
    # With `units` itself broken, only that is reported, not every display unit against it.
    problems = refused(write_reference(set_at("analytes.calcium.units", "mmol/L")))
    assert [p for p in problems if "display_units" in p] == [], problems


def test_every_problem_of_display_units_is_listed(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["analytes"]["calcium"]["display_units"] = {"si": "mg/dL", "conventional": "mmol/L"}

    problems = refused(write_reference(edit))
    # (calcium is then refused as a whole, and the names that list it say so too)
    assert [p.split(": ", 1)[1].split(":")[0] for p in problems if "display_units" in p] == [
        "analytes.calcium.display_units.si",
        "analytes.calcium.display_units.conventional",
    ]


def test_display_units_are_optional(write_reference: Callable[..., Path]) -> None:
    path = write_reference(set_at("analytes.sodium.display_units", DELETE))
    assert load_reference(path).analytes["sodium"].display_units == DisplayUnits()
