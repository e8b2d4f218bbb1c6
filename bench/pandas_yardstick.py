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
adult reference and critical limits and graded by the CTCAE cuts, all read from the reference
file; the rows are written back with the mmol/L value, flag, grade and errors of each analyte.
Wide files (bench/gen_wide.py, bench/gen_mixed.py) and long ones (bench/gen_long.py: test,
value and unit columns) are read. Age, sex, lab flags, patterns, spasm risk and the summary
that electrocheck adds are left out: the yardstick does less than electrocheck, not more.
"""

from __future__ import annotations

import re
import sys

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


def limits(reference, key: str) -> dict[str, float | list[tuple[int, float]]]:  # type: ignore[no-untyped-def]
    analyte = reference.analytes[key]
    normal = next(x for x in analyte.reference if x.age is None and x.sex is None)
    critical = next(x for x in analyte.critical if x.age is None and x.sex is None)
    return {
        "low": normal.low_mmol,
        "high": normal.high_mmol,
        "crit_low": critical.low_mmol,
        "crit_high": critical.high_mmol,
        "plaus_low": analyte.plausible.low_mmol,
        "plaus_high": analyte.plausible.high_mmol,
        "grades_low": [(g, mmol) for g, _, mmol in analyte.grade_low.criteria[0].cuts],
        "grades_high": [(g, mmol) for g, _, mmol in analyte.grade_high.criteria[0].cuts],
    }


def factors(spellings: pd.Series, molar_mass: float, valence: float) -> pd.Series:
    """Factor to mmol/L of each distinct spelling (NaN where it is not a unit)."""
    out = {}
    for spelling in spellings.dropna().unique():  # a few spellings per column, not rows
        try:
            out[spelling] = resolve_unit(spelling).factor_to_mmol(molar_mass, int(valence))
        except UnitError:
            out[spelling] = np.nan
    return pd.Series(out, dtype="float64")


def interpret(
    text: pd.Series, unit_column: pd.Series | None, header_unit: str | None, reference, key: str
) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    analyte = reference.analytes[key]
    parts = text.str.extract(NUMBER)
    unit = parts["unit"].replace("", np.nan)
    if unit_column is not None:
        unit = unit.fillna(unit_column.str.strip().replace("", np.nan))
    unit = unit.fillna(header_unit or analyte.default_unit)
    table = factors(unit, analyte.molar_mass.value, analyte.valence.value)
    factor = unit.map(table)
    mmol = parts["number"].astype("float64") * factor
    cut = limits(reference, key)
    plausible = mmol.between(cut["plaus_low"], cut["plaus_high"])
    mmol = mmol.where(plausible).round(4)
    flag = pd.Series(
        np.select(
            [
                mmol < cut["crit_low"],
                mmol < cut["low"],
                mmol > cut["crit_high"],
                mmol > cut["high"],
                mmol.notna(),
            ],
            ["LL", "L", "HH", "H", "N"],
            default="",
        ),
        index=text.index,
    ).replace("", None)
    grade = pd.Series(np.where(flag.isin(["L", "LL", "H", "HH"]), 1, 0), index=text.index)
    for g, value in cut["grades_low"]:
        grade = grade.mask(mmol < value, g)
    for g, value in cut["grades_high"]:
        grade = grade.mask(mmol > value, g)
    grade = grade.astype("Int8").where(mmol.notna())
    error = pd.Series(None, index=text.index, dtype="object")
    error = error.mask(text.notna() & parts["number"].isna(), f"{key}: no number")
    error = error.mask(parts["number"].notna() & factor.isna(), f"{key}: unknown unit")
    error = error.mask(factor.notna() & parts["number"].notna() & ~plausible, f"{key}: implausible")
    return pd.DataFrame({"mmol_l": mmol, "flag": flag, "grade": grade, "error": error})


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
