"""Recognizing wide and long layouts from a header."""

from __future__ import annotations

import pytest

from electrocheck.batch.layout import LayoutOptions, detect_layout
from electrocheck.errors import InputError
from electrocheck.reference import Reference


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["mrn", "Calcium (mg/dL)", "K [mmol/L]"],
            [("calcium", "mg/dL", None), ("potassium", "mmol/L", None)],
        ),
        (
            ["id", "ca", "MG", "Na"],
            [("calcium", None, None), ("magnesium", None, None), ("sodium", None, None)],
        ),
        (["id", "17861-6", "2823-3"], [("calcium", None, None), ("potassium", None, None)]),
        (["id", "Calcium", "calcium_unit"], [("calcium", None, 2)]),
        (["id", "Calcium", "Calcium Units"], [("calcium", None, 2)]),
        (["Potassium, Serum", "K UOM"], [("potassium", None, 1)]),
        (["Calcium, Total (mg/dL)"], [("calcium", "mg/dL", None)]),
        # A bracket that is not a unit is part of the name, compared as every name is.
        (["Potassium (serum)"], [("potassium", None, None)]),
        (["Potassium (furlongs)"], []),
    ],
)
def test_wide_headers(ref: Reference, header: list[str], expected: list[tuple]) -> None:
    if not expected:
        with pytest.raises(InputError, match="no column names an analyte"):
            detect_layout(header, ref, LayoutOptions())
        return
    layout = detect_layout(header, ref, LayoutOptions())
    assert layout.kind == "wide"
    got = [
        (c.analyte, c.header_unit.spelling if c.header_unit else None, c.unit_column)
        for c in layout.wide
    ]
    assert got == expected


@pytest.mark.parametrize(
    "header",
    [
        ["subject_id", "label", "value", "valuenum", "valueuom"],
        ["Patient", "Test Name", "Result", "Units"],
        ["id", "LOINC", "Value", "UOM"],
        ["id", "analyte", "result", "unit", "ref_range_lower", "ref_range_upper"],
    ],
)
def test_long_headers(ref: Reference, header: list[str]) -> None:
    layout = detect_layout(header, ref, LayoutOptions())
    assert layout.kind == "long" and layout.long is not None
    assert layout.long.tests and (layout.long.value is not None)


def test_long_columns_found(ref: Reference) -> None:
    header = [
        "subject_id",
        "label",
        "value",
        "valuenum",
        "valueuom",
        "ref_range_lower",
        "ref_range_upper",
    ]
    long = detect_layout(header, ref, LayoutOptions()).long
    assert long is not None
    assert (long.tests, long.value, long.numeric, long.unit, long.low, long.high) == (
        (1,),
        2,
        3,
        4,
        5,
        6,
    )
    forced = detect_layout(header, ref, LayoutOptions(file_ranges=True)).long
    assert forced is not None and forced.low is None and forced.high is None


def test_map_overrides_recognition(ref: Reference) -> None:
    layout = detect_layout(
        ["id", "K+ (mmol/L)", "x"], ref, LayoutOptions(mapping={"potassium": "K+ (mmol/L)"})
    )
    assert [(c.analyte, c.index, c.header_unit.spelling) for c in layout.wide] == [
        ("potassium", 1, "mmol/L")
    ]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("header", "options", "message"),
    [
        (["a", "b"], LayoutOptions(), "no column names an analyte"),
        (["a", "b"], LayoutOptions(mapping={"k": "zz"}), "no column named 'zz'"),
        (["a", "b"], LayoutOptions(mapping={"chloride": "a"}), "unknown analyte"),
        (["a", "value"], LayoutOptions(layout="long"), "no test column"),
        (["test", "b"], LayoutOptions(layout="long"), "no value column"),
        (["a", "b"], LayoutOptions(layout="diagonal"), "unknown layout"),
    ],
)
def test_unusable_headers(
    ref: Reference, header: list[str], options: LayoutOptions, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        detect_layout(header, ref, options)
