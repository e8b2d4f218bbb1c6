"""Sweeps: evenly spaced values of one analyte, each interpreted as check would."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from electrocheck.clinical.interpret import interpret
from electrocheck.errors import InputError, UnknownAnalyteError
from electrocheck.reference import Reference
from electrocheck.reference.patient import Patient
from electrocheck.teaching.gauge import OFF_HIGH, OFF_LOW, VALUE, WIDTH
from electrocheck.teaching.sweep import DEFAULT_STEPS, MAX_STEPS, nice_step, sweep

K_VALUES = [2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0]


# --------------------------------------------------------------------------- nice_step


@pytest.mark.parametrize(
    ("start", "stop", "step"),
    [
        (2, 8, 0.5),  # 6 / 20 = 0.3: the round steps 0.1, 0.2, 0.5 -> 0.5
        (8, 2, 0.5),  # the direction does not matter
        (0, 1, 0.05),  # 0.05 is itself round
        (100, 180, 5),  # 4 -> 5
        (0, 4, 0.2),  # 0.2 is itself round
        (0, 12, 1),  # 0.6 -> 1 (ten times 0.1)
        (0, 30, 2),  # 1.5 -> 2
        (0, 1000, 50),  # 50 is itself round
        (1.0, 1.3, 0.02),  # 0.015 -> 0.02
    ],
)
def test_nice_step_by_hand(start: float, stop: float, step: float) -> None:
    assert nice_step(start, stop) == pytest.approx(step, rel=1e-12)


@given(
    start=st.floats(min_value=0, max_value=1e4),
    span=st.floats(min_value=1e-3, max_value=1e4),
)
def test_nice_step_is_round_and_gives_about_twenty_values(start: float, span: float) -> None:
    step = nice_step(start, start + span)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(mantissa == pytest.approx(m) for m in (1, 2, 5))
    count = span / step
    # A step within float noise of the rough one counts as reaching it.
    assert DEFAULT_STEPS / 2.5 <= count * (1 + 1e-9) <= DEFAULT_STEPS * (1 + 1e-6)


# --------------------------------------------------------------------------- values


def test_default_potassium_sweep(ref: Reference) -> None:
    result = sweep(ref, "k", 2, 8)
    assert [row.value for row in result.rows] == K_VALUES
    assert (result.analyte, result.label, result.unit) == ("potassium", "Potassium", "mmol/L")


def test_descending_sweep_is_reversed(ref: Reference) -> None:
    down = sweep(ref, "k", 8, 2)
    assert [row.value for row in down.rows] == K_VALUES[::-1]
    up = sweep(ref, "k", 2, 8)
    assert [r.result.to_dict() for r in down.rows if r.result] == [
        r.result.to_dict() for r in reversed(up.rows) if r.result
    ]


@pytest.mark.parametrize(
    ("start", "stop", "step", "values"),
    [
        (3.0, 3.3, 0.1, [3.0, 3.1, 3.2, 3.3]),  # 3.0 + 3 * 0.1 is 3.3000000000000003
        (3.3, 3.0, 0.1, [3.3, 3.2, 3.1, 3.0]),
        (0.7, 1.0, 0.1, [0.7, 0.8, 0.9, 1.0]),  # (1.0 - 0.7) / 0.1 is 3.0000000000000004
        (4.0, 4.3, 0.1, [4.0, 4.1, 4.2, 4.3]),
        (2.0, 3.0, 0.3, [2.0, 2.3, 2.6, 2.9]),  # a step that does not reach the end
        (2.0, 2.06, 0.02, [2.0, 2.02, 2.04, 2.06]),
        (100, 180, None, [100.0 + 5 * i for i in range(17)]),
    ],
)
def test_values_are_exact(
    ref: Reference, start: float, stop: float, step: float | None, values: list[float]
) -> None:
    analyte = "na" if start >= 100 else "k"
    assert [row.value for row in sweep(ref, analyte, start, stop, step).rows] == values


def test_at_most_max_steps_values(ref: Reference) -> None:
    assert MAX_STEPS == 200
    assert len(sweep(ref, "k", 1, 200, 1).rows) == MAX_STEPS  # 1, 2, ..., 200
    with pytest.raises(InputError, match="201 values from 0 to 200 every 1: at most 200"):
        sweep(ref, "k", 0, 200, 1)


# --------------------------------------------------------------------------- results


def test_every_row_is_interpreted_as_check_would(ref: Reference) -> None:
    for row in sweep(ref, "k", 2, 8).rows:
        assert row.result is not None and row.error is None
        assert row.result.to_dict() == interpret(ref, "k", row.value, "mmol/L").to_dict()


@given(
    start=st.floats(min_value=0.8, max_value=15.0),
    stop=st.floats(min_value=0.8, max_value=15.0),
    symptomatic=st.booleans(),
)
def test_any_plausible_sweep_agrees_with_interpret(
    ref: Reference, start: float, stop: float, symptomatic: bool
) -> None:
    if abs(start - stop) < 1e-6:
        return
    patient = Patient(symptomatic=symptomatic)
    result = sweep(ref, "k", start, stop, patient=patient)
    for row in result.rows:
        expected = interpret(ref, "k", row.value, "mmol/L", patient=patient)
        assert row.result is not None and row.result.to_dict() == expected.to_dict()
    marks = [row.gauge.index(VALUE) for row in result.rows]
    assert marks == sorted(marks, reverse=stop < start)


#: Potassium, adults: interval 3.5-5.0, critical 2.8/6.2; CTCAE hypokalemia grade 3 below 3.0,
#: grade 4 below 2.5, grade 1 (2 with symptoms) from 3.0 to the interval; hyperkalemia grade 2
#: above 5.5, 3 above 6.0, 4 above 7.0. A value equal to a limit is on the milder side.
K_GRADES = {
    2.0: ("LL", 4),
    2.5: ("LL", 3),
    3.0: ("L", 1),
    3.5: ("N", 0),
    4.0: ("N", 0),
    5.0: ("N", 0),
    5.5: ("H", 1),
    6.0: ("H", 2),
    6.5: ("HH", 3),
    7.0: ("HH", 3),
    7.5: ("HH", 4),
    8.0: ("HH", 4),
}


def test_flags_and_grades_along_potassium(ref: Reference) -> None:
    rows = {row.value: row.result for row in sweep(ref, "k", 2, 8).rows}
    found = {v: (r.flag, r.grade) for v, r in rows.items() if v in K_GRADES and r is not None}
    assert found == K_GRADES
    assert rows[3.0] is not None and rows[3.0].spasm_risk == "moderate"
    assert rows[4.0] is not None and rows[4.0].spasm_risk == "none"
    assert rows[6.5] is not None and rows[6.5].spasm_risk == "low"


def test_symptomatic_patient(ref: Reference) -> None:
    rows = {
        r.value: r.result for r in sweep(ref, "k", 2, 8, patient=Patient(symptomatic=True)).rows
    }
    assert rows[3.0] is not None and (rows[3.0].flag, rows[3.0].grade) == ("L", 2)
    assert rows[2.5] is not None and rows[2.5].grade == 3  # only grade 1 becomes 2


def test_newborn_limits(ref: Reference) -> None:
    # 7 to 30 days: interval 3.4-6.0; first 28 days: critical 2.8/7.8.
    result = sweep(ref, "k", 2, 8, patient=Patient(age_days=10))
    rows = {r.value: r.result for r in result.rows}
    flags = {v: r.flag for v, r in rows.items() if r is not None}
    assert (flags[5.5], flags[6.0], flags[6.5], flags[7.5], flags[8.0]) == (
        "N",
        "N",
        "H",
        "H",
        "HH",
    )
    assert all(r is not None and r.population.startswith("age 7d to 30d") for r in rows.values())
    assert result.to_dict()["patient"] == {"age_days": 10, "sex": None, "symptomatic": False}


def test_implausible_values_keep_their_rows(ref: Reference) -> None:
    # Calcium is plausible from 0.5 to 6.0 mmol/L.
    result = sweep(ref, "ca", 0, 8, unit="mmol/L")
    assert [row.value for row in result.rows] == [0.5 * i for i in range(17)]
    refused = [row.value for row in result.rows if row.result is None]
    assert refused == [0.0, 6.5, 7.0, 7.5, 8.0]
    for row in result.rows:
        if row.result is None:
            assert row.error is not None and "not a plausible calcium level" in row.error
            assert len(row.gauge) == WIDTH and not {VALUE, OFF_LOW, OFF_HIGH} & set(row.gauge)
        else:
            assert row.error is None and VALUE in row.gauge


def test_all_values_implausible(ref: Reference) -> None:
    result = sweep(ref, "k", 20, 30)
    assert len(result.rows) == 21
    assert all(row.result is None and row.error for row in result.rows)


def test_unit_mg_dl(ref: Reference) -> None:
    result = sweep(ref, "ca", 6, 12, unit="mg/dL")
    assert result.unit == "mg/dL"
    assert [row.value for row in result.rows] == [6.0 + 0.5 * i for i in range(13)]
    for row in result.rows:
        assert row.result is not None and row.result.entered_unit == "mg/dL"
        assert row.result.to_dict() == interpret(ref, "ca", row.value, "mg/dL").to_dict()
    first = result.rows[0].result
    assert first is not None and first.value == pytest.approx(6.0 * 10 / 40.078)


@pytest.mark.parametrize("unit", ["mg/dl", "MG/DL", "mg/dL"])
def test_unit_spellings(ref: Reference, unit: str) -> None:
    assert sweep(ref, "ca", 8, 9, unit=unit).unit == "mg/dL"


@pytest.mark.parametrize("name", ["k", "K", "potassium", "Potassium", "2823-3"])
def test_names(ref: Reference, name: str) -> None:
    result = sweep(ref, name, 2, 8)
    assert result.analyte == "potassium" and len(result.rows) == 13


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("start", "stop", "step", "message"),
    [
        (3, 3, None, "same value"),
        (3.0, 3.0, 0.1, "same value"),
        (-1, 3, None, "--from -1"),
        (3, -1, None, "--to -1"),
        (math.nan, 3, None, "--from nan"),
        (3, math.inf, None, "--to inf"),
        (2, 8, 0, "--step"),
        (2, 8, -0.5, "--step"),
        (2, 8, math.nan, "--step"),
        (2, 8, math.inf, "--step"),
        (2, 8, 0.01, "601 values"),
        (0, 1000, 1, "at most 200"),
    ],
)
def test_bad_ranges(
    ref: Reference, start: float, stop: float, step: float | None, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        sweep(ref, "k", start, stop, step)


def test_unknown_analyte(ref: Reference) -> None:
    with pytest.raises(UnknownAnalyteError, match="chloride"):
        sweep(ref, "chloride", 2, 8)


@pytest.mark.parametrize("unit", ["wibble", "kg", "mmHg"])
def test_unknown_or_wrong_unit(ref: Reference, unit: str) -> None:
    with pytest.raises(InputError):
        sweep(ref, "k", 2, 8, unit=unit)


@pytest.mark.parametrize(
    ("start", "stop", "step"),
    [(2, 8, 1e-320), (0, 1e308, 1e-300), (0, 5e-324, None)],
)
def test_extreme_steps_are_input_errors(
    ref: Reference, start: float, stop: float, step: float | None
) -> None:
    with pytest.raises(InputError):
        sweep(ref, "k", start, stop, step)


# --------------------------------------------------------------------------- JSON form


def test_to_dict(ref: Reference) -> None:
    result = sweep(ref, "k", 2, 8, patient=Patient(symptomatic=True))
    data = result.to_dict()
    assert set(data) == {"analyte", "unit", "unit_from", "patient", "rows"}
    assert data["unit_from"] == "reference file"
    assert (data["analyte"], data["unit"]) == ("potassium", "mmol/L")
    assert data["patient"] == {"age_days": None, "sex": None, "symptomatic": True}
    assert len(data["rows"]) == 13
    for row, value in zip(data["rows"], K_VALUES, strict=True):
        assert set(row) == {"entered_value", "gauge", "error", "result"}
        assert row["entered_value"] == value and row["error"] is None
        assert len(row["gauge"]) == WIDTH and row["gauge"].count(VALUE) == 1
        assert row["result"]["entered_value"] == value and row["result"]["flag"] in (
            "LL",
            "L",
            "N",
            "H",
            "HH",
        )
    assert data["rows"][2]["result"]["grade"] == 2  # 3.0, with symptoms


def test_to_dict_of_a_refused_value(ref: Reference) -> None:
    data = sweep(ref, "ca", 0, 8, unit="mmol/L").to_dict()
    first = data["rows"][0]
    assert first["entered_value"] == 0.0 and first["result"] is None
    assert "not a plausible calcium level" in first["error"]
