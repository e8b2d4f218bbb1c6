"""OMOP CDM MEASUREMENT and PCORnet LAB_RESULT_CM tables: recognized by their columns, and
each of their codes read as the same result in a plain long file would be."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from electrocheck import LayoutOptions, interpret_frame
from electrocheck.batch import lab_flags
from electrocheck.batch.layout import detect_layout
from electrocheck.errors import InputError
from electrocheck.reference import Reference

OMOP = ["person_id", "measurement_concept_id", "measurement_datetime", "value_as_number"]
PCORNET = ["PATID", "LAB_LOINC", "SPECIMEN_DATE", "SPECIMEN_TIME", "RESULT_NUM", "RESULT_UNIT"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (OMOP, "omop"),
        ([*OMOP, "unit_concept_id", "measurement_source_value"], "omop"),
        ([h.upper() for h in OMOP], "omop"),  # warehouses export in either case
        (PCORNET, "pcornet"),
        ([h.lower() for h in PCORNET], "pcornet"),
        # One of the two columns alone is not the table.
        (
            [
                "person_id",
                "measurement_concept_id",
                "value_source_value",
                "measurement_source_value",
            ],
            None,
        ),
        (["PATID", "LAB_LOINC", "RAW_RESULT"], None),
        (["subject_id", "label", "value", "valueuom"], None),
    ],
)
def test_recognized_by_their_columns(
    ref: Reference, header: list[str], expected: str | None
) -> None:
    layout = detect_layout(header, ref, LayoutOptions())
    assert layout.kind == "long"
    assert (layout.warehouse.name if layout.warehouse else None) == expected


@pytest.mark.parametrize(
    ("layout", "header", "message"),
    [
        ("omop", PCORNET, "--layout omop: no measurement_concept_id, value_as_number column"),
        ("omop", ["person_id", "measurement_concept_id"], "no value_as_number column"),
        ("pcornet", OMOP, "--layout pcornet: no LAB_LOINC, RESULT_NUM column"),
        ("pcornet", ["PATID", "LAB_LOINC", "RAW_RESULT"], "no RESULT_NUM column; the file is not"),
    ],
)
def test_forced_layout_names_the_missing_columns(
    ref: Reference, layout: str, header: list[str], message: str
) -> None:
    with pytest.raises(InputError, match=message.replace("-", r"\-")) as info:
        detect_layout(header, ref, LayoutOptions(layout=layout))
    assert "\n" not in str(info.value)


def test_plain_long_layout_forced_reads_no_warehouse(ref: Reference) -> None:
    layout = detect_layout([*PCORNET, "ABN_IND"], ref, LayoutOptions(layout="long"))
    assert layout.warehouse is None and layout.long is not None


def _results(rows: list[dict[str, Any]], **options: Any) -> list[tuple[Any, ...]]:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))
    checked = interpret_frame(frame, options=LayoutOptions(panels=False, **options))
    names = ["analyte", "value_mmol_l", "flag", "censored", "limits"]
    return list(checked.select(names).iter_rows())


def _omop(**cells: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "person_id": "1",
        "measurement_concept_id": "3023103",
        "value_as_number": "3.1",
        "unit_concept_id": None,
        "unit_source_value": None,
        "range_low": None,
        "range_high": None,
    }
    return {**row, **cells}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({}, ("potassium", 3.1, "L", None, "reference")),
        (
            {"measurement_concept_id": "3019550", "value_as_number": "128"},
            ("sodium", 128.0, "L", None, "reference"),
        ),
        (
            {
                "measurement_concept_id": "3006906",
                "value_as_number": "7.6",
                "unit_concept_id": "8840",
            },
            ("calcium", 1.896, "L", None, "reference"),
        ),
        (
            {
                "measurement_concept_id": "3001420",
                "value_as_number": "1.1",
                "unit_concept_id": "8840",
            },
            ("magnesium", 0.4526, "L", None, "reference"),
        ),
        # A concept id written as a float by a database export.
        ({"measurement_concept_id": "3023103.0"}, ("potassium", 3.1, "L", None, "reference")),
        # The unit concept, and the source value before it.
        (
            {
                "measurement_concept_id": "3006906",
                "value_as_number": "2.0",
                "unit_concept_id": "8753",
            },
            ("calcium", 2.0, "L", None, "reference"),
        ),
        (
            {
                "measurement_concept_id": "3006906",
                "value_as_number": "2.0",
                "unit_concept_id": "8840",
                "unit_source_value": "mmol/L",
            },
            ("calcium", 2.0, "L", None, "reference"),
        ),
        # The lab's limits.
        ({"range_low": "3.0", "range_high": "5.0"}, ("potassium", 3.1, "N", None, "lab")),
        # Concepts electrocheck does not interpret: another test, none, blank; albumin.
        ({"measurement_concept_id": "3016723"}, (None, None, None, None, None)),
        ({"measurement_concept_id": "0"}, (None, None, None, None, None)),
        ({"measurement_concept_id": None}, (None, None, None, None, None)),
        ({"measurement_concept_id": "3024561"}, (None, None, None, None, None)),
    ],
)
def test_omop_concepts_and_units(cells: dict[str, str | None], expected: tuple[Any, ...]) -> None:
    assert _results([_omop(**cells)]) == [expected]


def test_omop_concept_zero_falls_back_to_the_source_value() -> None:
    rows = [
        {**_omop(measurement_concept_id="0"), "measurement_source_value": "LOINC:2823-3"},
        {**_omop(measurement_concept_id="0"), "measurement_source_value": "creatinine"},
    ]
    assert [r[0] for r in _results(rows)] == ["potassium", None]


def _pcornet(**cells: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "PATID": "P1",
        "LAB_LOINC": "2823-3",
        "RESULT_NUM": "3.3",
        "RESULT_MODIFIER": "EQ",
        "RESULT_UNIT": "mmol/L",
        "NORM_RANGE_LOW": "3.4",
        "NORM_MODIFIER_LOW": "EQ",
        "NORM_RANGE_HIGH": "5.1",
        "NORM_MODIFIER_HIGH": "EQ",
        "ABN_IND": None,
        "SPECIMEN_SOURCE": "SER",
    }
    return {**row, **cells}


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({}, ("potassium", 3.3, "L", None, "lab")),
        # RESULT_MODIFIER: a censored value at its bound.
        ({"RESULT_MODIFIER": "LT", "RESULT_NUM": "2.5"}, ("potassium", 2.5, "LL", "<", "lab")),
        ({"RESULT_MODIFIER": "LE", "RESULT_NUM": "2.5"}, ("potassium", 2.5, "LL", "<=", "lab")),
        ({"RESULT_MODIFIER": "GT", "RESULT_NUM": "6.5"}, ("potassium", 6.5, "HH", ">", "lab")),
        ({"RESULT_MODIFIER": "ge", "RESULT_NUM": "6.5"}, ("potassium", 6.5, "HH", ">=", "lab")),
        ({"RESULT_MODIFIER": "NI"}, ("potassium", 3.3, "L", None, "lab")),
        ({"RESULT_MODIFIER": None}, ("potassium", 3.3, "L", None, "lab")),
        # The normal range's modifiers: both EQ, or one limit with NO on the other side.
        ({"NORM_RANGE_LOW": "3.2"}, ("potassium", 3.3, "N", None, "lab")),
        (
            {
                "NORM_RANGE_LOW": None,
                "NORM_MODIFIER_LOW": "NO",
                "NORM_MODIFIER_HIGH": "LE",
                "RESULT_NUM": "5.2",
            },
            ("potassium", 5.2, "H", None, "lab"),
        ),
        (
            {
                "NORM_RANGE_LOW": None,
                "NORM_MODIFIER_LOW": "NO",
                "NORM_MODIFIER_HIGH": "LT",
                "RESULT_NUM": "5.0",
            },
            ("potassium", 5.0, "N", None, "lab"),
        ),
        (
            {"NORM_RANGE_HIGH": None, "NORM_MODIFIER_HIGH": "NO", "NORM_MODIFIER_LOW": "GE"},
            ("potassium", 3.3, "L", None, "lab"),
        ),
        (
            {
                "NORM_RANGE_HIGH": None,
                "NORM_MODIFIER_HIGH": "NO",
                "NORM_MODIFIER_LOW": "GT",
                "NORM_RANGE_LOW": "3.2",
            },
            ("potassium", 3.3, "N", None, "lab"),
        ),
        # Pairs that make no range: the reference file's limits, below which 3.3 is.
        (
            {"NORM_MODIFIER_LOW": "GT", "NORM_MODIFIER_HIGH": "LT"},
            ("potassium", 3.3, "L", None, "reference"),
        ),
        ({"NORM_MODIFIER_LOW": "OT"}, ("potassium", 3.3, "L", None, "reference")),
        (
            {"NORM_MODIFIER_LOW": "NI", "NORM_MODIFIER_HIGH": "NI"},
            ("potassium", 3.3, "L", None, "reference"),
        ),
        (
            {"NORM_MODIFIER_LOW": "EQ", "NORM_RANGE_LOW": None},
            ("potassium", 3.3, "L", None, "reference"),
        ),
    ],
)
def test_pcornet_modifiers(cells: dict[str, str | None], expected: tuple[Any, ...]) -> None:
    assert _results([_pcornet(**cells)]) == [expected]


@pytest.mark.parametrize(
    ("specimen", "analyte"),
    [
        ("SER", "potassium"),
        ("PLAS", "potassium"),
        ("BLOOD", "potassium"),
        ("SR_PLS", "potassium"),
        ("NI", "potassium"),  # no information: as a blank specimen
        ("UN", "potassium"),
        (None, "potassium"),
        ("URINE", None),  # another specimen, never read against serum limits
        ("CSF", None),
        ("OT", None),  # other: an unknown specimen
    ],
)
def test_pcornet_specimen_source(specimen: str | None, analyte: str | None) -> None:
    assert _results([_pcornet(SPECIMEN_SOURCE=specimen)])[0][0] == analyte


@pytest.mark.parametrize(
    ("abn_ind", "value", "lab_flag", "disagrees"),
    [
        ("AL", "3.3", "AL", False),
        ("CL", "2.4", "CL", False),
        ("NL", "4.0", "NL", False),
        ("AH", "5.5", "AH", False),
        ("CH", "6.6", "CH", False),
        ("AB", "5.5", "AB", False),
        ("CR", "6.6", "CR", False),
        ("NL", "3.3", "NL", True),  # the lab says normal, electrocheck L
        ("AH", "3.3", "AH", True),
        ("AL", "4.0", "AL", True),
        ("AB", "4.0", "AB", True),
        ("IN", "4.0", "IN", False),  # inconclusive: kept, says no direction
        ("NI", "3.3", None, False),  # no information, unknown, other: no flag
        ("UN", "3.3", None, False),
        ("OT", "3.3", None, False),
    ],
)
def test_pcornet_abn_ind(abn_ind: str, value: str, lab_flag: str | None, disagrees: bool) -> None:
    row = _pcornet(ABN_IND=abn_ind, RESULT_NUM=value)
    frame = pl.DataFrame([row], schema=dict.fromkeys(row, pl.String))
    checked = interpret_frame(frame, options=LayoutOptions(panels=False))
    assert checked["lab_flag"].to_list() == [lab_flag]
    flag = pl.lit(checked["flag"][0])
    assert pl.select(lab_flags.disagrees(pl.lit(lab_flag, pl.String), flag)).item() is disagrees


@pytest.mark.parametrize(
    ("header", "time", "clock"),
    [
        ([*PCORNET, "RESULT_DATE", "RESULT_TIME"], "SPECIMEN_DATE", "SPECIMEN_TIME"),
        (
            ["PATID", "LAB_LOINC", "RESULT_NUM", "RESULT_DATE", "RESULT_TIME"],
            "RESULT_DATE",
            "RESULT_TIME",
        ),
        (["PATID", "LAB_LOINC", "RESULT_NUM", "RESULT_DATE"], "RESULT_DATE", None),
        # The specimen's date is never paired with the result's time.
        (
            ["PATID", "LAB_LOINC", "RESULT_NUM", "SPECIMEN_DATE", "RESULT_TIME"],
            "SPECIMEN_DATE",
            None,
        ),
        ([*OMOP, "measurement_date", "measurement_time"], "measurement_datetime", None),
        (
            [
                "person_id",
                "measurement_concept_id",
                "value_as_number",
                "measurement_date",
                "measurement_time",
            ],
            "measurement_date",
            "measurement_time",
        ),
    ],
)
def test_collection_time_columns(
    ref: Reference, header: list[str], time: str, clock: str | None
) -> None:
    panels = detect_layout(header, ref, LayoutOptions()).panels
    assert panels is not None and panels.time is not None
    found = header[panels.time], header[panels.clock] if panels.clock is not None else None
    assert found == (time, clock)
