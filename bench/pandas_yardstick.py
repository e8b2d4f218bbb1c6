"""The yardstick of bench/polars_copy.py: the same work as ``electrocheck batch`` for the four
analytes of the bench files, written as a pandas user would, vectorised (no Python loop over
rows):

    python bench/pandas_yardstick.py IN.csv OUT.csv

Every cell is read as text; for each analyte, its number and unit are taken apart by a
regular expression (a censoring sign, a plain decimal number, a unit), the unit is the
cell's, else the companion column's, else the header's, else the analyte's default; each
distinct unit spelling is resolved once into a factor to mmol/L (electrocheck's unit table:
the same conversion), applied to the column; a value outside the analyte's plausible range,
or without a number, or in an unknown unit, is an error; the value is flagged against the
adult reference and critical limits of its unit's system (mass or substance) and graded by
the CTCAE cuts, all read from the reference file (the flags are batch's, a test checks; the
grades leave out CTCAE's symptom rules); the rows are written back with the mmol/L value,
flag, grade and errors of each analyte.
Wide files (bench/gen_wide.py, bench/gen_mixed.py) and long ones (bench/gen_long.py: test,
value and unit columns) are read. Age, sex, lab flags, patterns, spasm risk and the summary
that electrocheck adds are left out: the yardstick does less than electrocheck, not more.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np
import pandas as pd

from electrocheck.errors import UnitError
from electrocheck.reference import load_reference
from electrocheck.units import resolve_unit

NUMBER = r"(?P<censor><=|>=|<|>)?\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>.*?)\s*$"
ANALYTES = ("calcium", "magnesium", "potassium", "sodium")
HEADER_UNIT = re.compile(r"[\(\[]\s*([^\)\]]+?)\s*[\)\]]\s*$")


def columns(header: list[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """Each analyte's value column, its companion unit column and the unit in its header."""
    found: dict[str, tuple[str, str | None, str | None]] = {}
    for name in header:
        lower = name.lower()
        for key in ANALYTES:
            if (lower.startswith(key) or lower.split(" ")[0] == key[0]) and "unit" not in lower:
                companion = next((h for h in header if h.lower() == f"{key} units"), None)
                in_header = HEADER_UNIT.search(name)
                found[key] = (name, companion, in_header.group(1) if in_header else None)
    return found


def limits(reference, key: str, system: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The adult limits (mmol/L) and CTCAE cuts of an analyte for values given in a unit of
    ``system`` (mass or substance), as the reference file gives them."""
    analyte = reference.analytes[key]

    def adult(entries):  # type: ignore[no-untyped-def]
        found = [x for x in entries if x.age is None and x.sex is None]
        return next((x for x in found if x.system == system), found[0])

    def cuts(scale):  # type: ignore[no-untyped-def]
        criterion = next((c for c in scale.criteria if c.system == system), scale.criteria[0])
        return [(g, mmol) for g, _, mmol in criterion.cuts]

    normal, critical = adult(analyte.reference), adult(analyte.critical)
    return {
        "low": normal.low_mmol,
        "high": normal.high_mmol,
        "crit_low": critical.low_mmol,
        "crit_high": critical.high_mmol,
        "grades_low": cuts(analyte.grade_low),
        "grades_high": cuts(analyte.grade_high),
    }


def units(spellings: pd.Series, molar_mass: float, valence: float) -> pd.DataFrame:
    """Factor to mmol/L and unit system of each distinct spelling (NaN where it is not a
    unit): a few spellings per column, resolved once each, not once per row."""
    out = {}
    for spelling in spellings.dropna().unique():
        try:
            unit = resolve_unit(spelling)
        except UnitError:
            out[spelling] = (np.nan, "substance")
            continue
        system = "mass" if unit.kind == "mass" else "substance"
        out[spelling] = (unit.factor_to_mmol(molar_mass, int(valence)), system)
    return pd.DataFrame.from_dict(out, orient="index", columns=["factor", "system"])


def interpret(
    text: pd.Series, unit_column: pd.Series | None, header_unit: str | None, reference, key: str
) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    analyte = reference.analytes[key]
    parts = text.str.extract(NUMBER)
    unit = parts["unit"].replace("", np.nan)
    if unit_column is not None:
        unit = unit.fillna(unit_column.str.strip().replace("", np.nan))
    unit = unit.fillna(header_unit or analyte.default_unit)
    table = units(unit, analyte.molar_mass.value, analyte.valence.value)
    factor = unit.map(table["factor"])
    mass = (unit.map(table["system"]) == "mass").to_numpy()
    mmol = parts["number"].astype("float64") * factor
    plausible = mmol.between(analyte.plausible.low_mmol, analyte.plausible.high_mmol)
    mmol = mmol.where(plausible)
    by_mass, by_substance = limits(reference, key, "mass"), limits(reference, key, "substance")
    cut = {
        name: np.where(mass, by_mass[name], by_substance[name])
        for name in ("low", "high", "crit_low", "crit_high")
    }
    # The limits' float tolerance, as in check: a value on a limit is within it.
    below = mmol.to_numpy() < cut["low"] * (1 - 1e-9)
    above = mmol.to_numpy() > cut["high"] * (1 + 1e-9)
    flag = pd.Series(
        np.select(
            [
                mmol.to_numpy() < cut["crit_low"] * (1 - 1e-9),
                below,
                mmol.to_numpy() > cut["crit_high"] * (1 + 1e-9),
                above,
                mmol.notna().to_numpy(),
            ],
            ["LL", "L", "HH", "H", "N"],
            default="",
        ),
        index=text.index,
    ).replace("", None)
    grade = pd.Series(np.where(below | above, 1, 0), index=text.index)
    for scale, side in ((by_mass, mass), (by_substance, ~mass)):
        for g, value in scale["grades_low"]:
            grade = grade.mask(side & (mmol < value * (1 + 1e-9)) & below, g)
        for g, value in scale["grades_high"]:
            grade = grade.mask(side & (mmol > value * (1 - 1e-9)) & above, g)
    grade = grade.astype("Int8").where(mmol.notna())
    error = pd.Series(None, index=text.index, dtype="object")
    error = error.mask(text.notna() & parts["number"].isna(), f"{key}: no number")
    error = error.mask(parts["number"].notna() & factor.isna(), f"{key}: unknown unit")
    error = error.mask(factor.notna() & parts["number"].notna() & ~plausible, f"{key}: implausible")
    return pd.DataFrame({"mmol_l": mmol.round(4), "flag": flag, "grade": grade, "error": error})


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    reference = load_reference()
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""], engine="pyarrow")
    added = {}
    errors = []
    if {"test", "value", "unit"} <= set(frame.columns):  # long: one analyte per row
        result = pd.DataFrame(index=frame.index, columns=["mmol_l", "flag", "grade", "error"])
        test = frame["test"].str.strip().str.lower()
        for key in ANALYTES:
            rows = test == key
            found = interpret(
                frame.loc[rows, "value"], frame.loc[rows, "unit"], None, reference, key
            )
            result.loc[rows] = found
        for name in ("mmol_l", "flag", "grade"):
            added[name] = result[name]
        errors.append(result["error"])
    else:
        for key, (name, companion, header_unit) in columns(list(frame.columns)).items():
            unit_column = frame[companion] if companion else None
            found = interpret(frame[name], unit_column, header_unit, reference, key)
            for field in ("mmol_l", "flag", "grade"):
                added[f"{key}_{field}"] = found[field]
            errors.append(found["error"])
    error_text = pd.Series("", index=frame.index, dtype="object")
    for error in errors:
        error_text = error_text + ("; " + error).fillna("")
    error_text = error_text.str[2:].replace("", None)
    out = pd.concat([frame, pd.DataFrame(added), error_text.rename("errors")], axis=1)
    out.to_csv(target, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
