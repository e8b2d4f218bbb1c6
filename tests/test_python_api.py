"""The Python API as a notebook uses it: any number type, text, None; friendly check();
pandas and polars frames; run_batch's defaults; errors that are always electrocheck's; and a
package root that stays light."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import electrocheck
from electrocheck import (
    ArgumentError,
    CheckReport,
    ElectrocheckError,
    ImplausibleValueError,
    PatientError,
    Reference,
    Result,
    UnitError,
    UnknownAnalyteError,
    ValueTokenError,
    check,
    interpret,
    interpret_frame,
    interpret_token,
    load_reference,
    run_batch,
    run_check,
)

# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    "value",
    [
        3.1,
        np.float64(3.1),
        np.float32(3.1),
        np.float16(3.1),
        Decimal("3.1"),
        Decimal("3.10"),
        Fraction(31, 10),
        "3.1",
        " 3.1 ",
        "3.1\t",
        "+3.1",
    ],
    ids=repr,
)
def test_any_real_number_or_its_text_is_the_same_value(ref: Reference, value: Any) -> None:
    result = interpret(ref, "k", value)
    shown = f"k={value.strip()}" if isinstance(value, str) else "k=3.1"  # text as written
    assert result.to_dict() == interpret(ref, "k", 3.1, input=shown).to_dict()
    assert result.input == shown and result.entered_value == 3.1


@pytest.mark.parametrize(
    "value", [3, np.int8(3), np.int16(3), np.int32(3), np.int64(3), np.uint8(3), "3"], ids=repr
)
def test_integers_of_any_type_are_the_same_value(ref: Reference, value: Any) -> None:
    assert interpret(ref, "k", value).to_dict() == interpret(ref, "k", 3.0).to_dict()


@pytest.mark.parametrize(
    ("value", "unit", "flag", "entered_unit", "shown"),
    [
        ("3.1 mmol/L", None, "L", "mmol/L", "k=3.1 mmol/L"),
        ("3.1mmol/L", None, "L", "mmol/L", "k=3.1mmol/L"),
        ("  3.1   mEq/L ", None, "L", "mEq/L", "k=3.1   mEq/L"),
        ("3.1", "mmol/L", "L", "mmol/L", "k=3.1mmol/L"),
        ("3.1", " ", "L", "mmol/L", "k=3.1 "),
    ],
)
def test_text_may_carry_its_unit_as_a_token_does(
    ref: Reference, value: str, unit: str | None, flag: str, entered_unit: str, shown: str
) -> None:
    result = interpret(ref, "k", value, unit)
    assert (result.flag, result.entered_unit, result.input) == (flag, entered_unit, shown)
    token = interpret_token(ref, f"k={value.strip()}")
    assert token.value == result.value and token.flag == result.flag


def test_a_unit_in_the_text_and_another_beside_it_is_refused(ref: Reference) -> None:
    with pytest.raises(ValueTokenError, match=r"'k=3\.1 mmol/L' already has a unit; 'mg/dL'"):
        interpret(ref, "k", "3.1 mmol/L", "mg/dL")


def test_none_is_no_value(ref: Reference) -> None:
    assert interpret(ref, "k", None) is None
    assert interpret(ref, "k", None, "mmol/L") is None
    with pytest.raises(UnknownAnalyteError):  # the name is still checked
        interpret(ref, "no such thing", None)


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        (True, ArgumentError, "True is not a number"),
        (False, ArgumentError, "False is not a number"),
        (np.bool_(True), ArgumentError, "is not a number"),
        (float("nan"), ValueTokenError, "NaN is not a value; pass None"),
        (np.float64("nan"), ValueTokenError, "NaN is not a value; pass None"),
        (Decimal("NaN"), ValueTokenError, "NaN is not a value; pass None"),
        (Decimal("sNaN"), ValueTokenError, "not a usable number"),
        (float("inf"), ValueTokenError, "finite"),
        (-math.inf, ValueTokenError, "finite"),
        (Decimal("Infinity"), ValueTokenError, "finite"),
        (10**400, ValueTokenError, "too large"),
        (Fraction(10**400, 3), ValueTokenError, "too large"),
        (-3.1, ValueTokenError, ">= 0"),
        ("-3.1", ValueTokenError, "negative"),
        ("nan", ValueTokenError, "not a finite number"),
        ("", ValueTokenError, "holds no number"),
        ("   ", ValueTokenError, "holds no number"),
        ("three", ValueTokenError, "not a number"),
        ("3,1", ValueTokenError, "decimal point"),
        ("3.1 kg", UnitError, "mass"),
        (object(), ArgumentError, "not object"),
        (3 + 1j, ArgumentError, "not complex"),
        (b"3.1", ArgumentError, "not bytes"),
        ([3.1], ArgumentError, "not list"),
        (np.array([3.1]), ArgumentError, "not ndarray"),
    ],
    ids=repr,
)
def test_values_no_concentration_can_be_are_refused(
    ref: Reference, value: Any, error: type, words: str
) -> None:
    with pytest.raises(error, match=words.replace(".", r"\.").replace("(", r"\(")):
        interpret(ref, "k", value)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda ref: interpret(ref, 42, 3.1), "analyte"),
        (lambda ref: interpret(ref, None, 3.1), "analyte"),
        (lambda ref: interpret(ref, "k", 3.1, unit=5), "unit"),
        (lambda ref: interpret(ref, "k", 3.1, unit=b"mmol/L"), "unit"),
        (lambda ref: interpret(ref, "k", 3.1, input=1), "input"),
        (lambda ref: interpret(ref, "k", 3.1, patient="adult"), "patient"),
        (lambda ref: interpret(ref, "k", 3.1, covariates="albumin"), "covariates"),
        (lambda ref: interpret(ref, "k", 3.1, covariates=[1]), "covariates"),
        (lambda ref: interpret("built-in", "k", 3.1), "reference"),
        (lambda ref: interpret(None, "k", 3.1), "reference"),
        (lambda ref: interpret_token(ref, 3.1), "token"),
        (lambda ref: interpret_token(ref, "k=3.1", 5), "unit"),
        (lambda ref: run_check(ref, [3.1]), "arguments"),
        (lambda ref: run_check(ref, ["k=3.1"], "64"), "patient"),
        (lambda ref: run_check("ref", ["k=3.1"]), "reference"),
        (lambda ref: load_reference(123), "path"),
        (lambda ref: load_reference(b"my-lab.yaml"), "path"),
        (lambda ref: interpret_frame("not a frame"), "frame"),
        (lambda ref: interpret_frame(pl.Series("K", [3.1])), "frame"),
        (lambda ref: interpret_frame(pd.Series([3.1], name="K")), "frame"),
        (lambda ref: interpret_frame(pl.DataFrame({"K": [3.1]}), "ref"), "reference"),
        (lambda ref: interpret_frame(pl.DataFrame({"K": [3.1]}), ref, {}), "options"),
        (lambda ref: run_batch(3, None), "source"),
        (lambda ref: run_batch("labs.csv", 3), "output"),
        (lambda ref: run_batch("labs.csv", None, ref, {"layout": "wide"}), "options"),
        (lambda ref: run_batch("labs.csv", None, ref, None, progress=3), "progress"),
        (lambda ref: check(3.1), "value"),
        (lambda ref: check({1: 3.1}), "name"),
        (lambda ref: check(k=(3.1, 5)), "unit of k"),
        (lambda ref: check(k=3.1, sex=1), "sex"),
        (lambda ref: check(k=3.1, age=True), "age"),
        (lambda ref: check(k=3.1, symptomatic=1), "symptomatic"),
        (lambda ref: check(k=3.1, reference=5), "reference"),
    ],
)
def test_arguments_of_the_wrong_type_raise_argument_error(
    ref: Reference, call: Any, argument: str
) -> None:
    with pytest.raises(ArgumentError) as info:
        call(ref)
    assert str(info.value).startswith(argument) or argument in str(info.value)
    assert isinstance(info.value, TypeError)  # what Python raises for such a call, too


_ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.complex_numbers(),
    st.text(max_size=30),
    st.text(alphabet="0123456789. +-,e", max_size=12),
    st.from_regex(r"\s*[0-9]{1,4}(\.[0-9]{0,3})?\s*(mmol/L|mg/dL|mEq/L|g/L|kg|mmol)?\s*"),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.builds(object),
    st.sampled_from([np.float32(2.2), np.int64(140), np.bool_(False), np.float64("nan")]),
)


@settings(max_examples=400, deadline=None)
@given(
    analyte=st.one_of(st.sampled_from(["k", "Na", "ca", "mg", "K+", "2823-3"]), _ANYTHING),
    value=_ANYTHING,
    unit=st.one_of(st.sampled_from(["mmol/L", "mg/dL", "mEq/L", "", " "]), _ANYTHING),
)
def test_any_python_value_gives_a_result_none_or_an_electrocheck_error(
    analyte: Any, value: Any, unit: Any
) -> None:
    ref = load_reference()
    try:
        result = interpret(ref, analyte, value, unit)
    except ElectrocheckError:
        return
    assert result is None or isinstance(result, Result)
    if result is not None:
        assert result.flag in {"LL", "L", "N", "H", "HH"} and math.isfinite(result.value)


# --------------------------------------------------------------------------- check()


@pytest.mark.parametrize(
    ("args", "kwargs", "inputs"),
    [
        ((["ca=7.6mg/dL", "k=3.1"],), {}, ["ca=7.6mg/dL", "k=3.1"]),
        (("ca=7.6mg/dL", "k=3.1"), {}, ["ca=7.6mg/dL", "k=3.1"]),
        (("ca=7.6mg/dL", ["k=3.1"]), {}, ["ca=7.6mg/dL", "k=3.1"]),
        (((t for t in ["na=128", "mEq/L"]),), {}, ["na=128 mEq/L"]),
        ((), {"ca": "7.6mg/dL", "k": 3.1}, ["ca=7.6mg/dL", "k=3.1"]),
        ((), {"ca": (7.6, "mg/dL"), "k": np.float32(3.1)}, ["ca=7.6 mg/dL", "k=3.1"]),
        ((), {"k": Decimal("3.10"), "na": 128}, ["k=3.1", "na=128"]),
        ((), {"k": 4.0}, ["k=4"]),
        ((), {"na": 1.4e2, "ca": 2.2e0}, ["na=140", "ca=2.2"]),
        (({"K+": 3.1, "Calcium": "7.6 mg/dL"},), {}, ["K+=3.1", "Calcium=7.6 mg/dL"]),
        (("mg=1.1mg/dL",), {"k": 3.1}, ["mg=1.1mg/dL", "k=3.1"]),
    ],
)
def test_check_takes_tokens_lists_and_values_by_name(
    args: tuple[Any, ...], kwargs: dict[str, Any], inputs: list[str]
) -> None:
    report = check(*args, **kwargs)
    assert isinstance(report, CheckReport)
    assert [r.input for r in report.results] == inputs


def test_a_number_by_name_is_written_without_an_exponent() -> None:
    with pytest.raises(ImplausibleValueError, match=r"'k=0\.00001'"):
        check(k=1e-5)


def test_check_gives_what_run_check_gives(ref: Reference) -> None:
    from electrocheck import Patient, parse_age, parse_sex

    tokens = ["ca=7.6mg/dL", "alb=2.5g/dL", "mg=1.1mg/dL", "k=3.1", "na=128"]
    patient = Patient(parse_age("10d"), parse_sex("F"), symptomatic=True)
    expected = run_check(ref, tokens, patient).to_dict()
    assert check(tokens, age="10d", sex="F", symptomatic=True).to_dict() == expected
    assert check(tokens, age="10d", sex="female", symptomatic="yes").to_dict() == expected
    named = check(
        ca="7.6mg/dL",
        alb="2.5g/dL",
        mg="1.1mg/dL",
        k=3.1,
        na=128,
        age="10d",
        sex="F",
        symptomatic=True,
    )
    assert named.to_dict() == expected


@pytest.mark.parametrize(
    ("age", "days"),
    [(64, 64 * 365.25), (0.5, 0.5 * 365.25), ("10d", 10.0), (np.int64(3), 3 * 365.25)],
)
def test_check_age_as_text_or_years(age: Any, days: float) -> None:
    assert check(k=3.1, age=age).patient.age_days == pytest.approx(days)


@pytest.mark.parametrize("age", [0, -1, float("nan"), "3 weeks ago", 200])
def test_check_refuses_ages_as_the_command_does(age: Any) -> None:
    with pytest.raises(PatientError):
        check(k=3.1, age=age)


def test_check_leaves_none_out_with_a_warning() -> None:
    report = check(ca="7.6mg/dL", k=None, mg=(None, "mg/dL"))
    assert [r.analyte for r in report.results] == ["calcium"]
    assert report.warnings == (
        "k: no value (None): not interpreted",
        "mg: no value (None): not interpreted",
    )
    with pytest.raises(ValueTokenError):  # a token with nothing after '=' is still an error
        check("k=")


def test_check_reads_a_reference_file_by_path(tmp_path: Path) -> None:
    from electrocheck.reference import built_in_path

    path = tmp_path / "my-lab.yaml"
    path.write_text(built_in_path().read_text(encoding="utf-8"), encoding="utf-8")
    for chosen in (path, str(path), load_reference(path)):
        assert check(k=3.1, reference=chosen).reference == str(path)
    assert check(k=3.1).reference == "built-in"


# --------------------------------------------------------------------------- frames


FRAME = {"id": [1, 2, 3], "K": [3.1, 4.0, None], "Calcium (mg/dL)": ["7.6", None, "9.2"]}


def test_pandas_in_pandas_out_with_the_same_answers_as_polars(ref: Reference) -> None:
    polars_out = interpret_frame(pl.DataFrame(FRAME), ref)
    frame = pd.DataFrame(FRAME, index=["a", "b", "c"])
    before = frame.copy()
    pandas_out = interpret_frame(frame, ref)
    assert isinstance(pandas_out, pd.DataFrame)
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is left alone
    assert list(pandas_out.index) == ["a", "b", "c"]
    assert list(pandas_out.columns) == polars_out.columns
    pd.testing.assert_frame_equal(pandas_out[list(FRAME)], frame)  # own columns unchanged
    for name in polars_out.columns[len(FRAME) :]:
        got = [None if pd.isna(v) else v for v in pandas_out[name]]
        assert got == polars_out[name].to_list(), name
    assert str(pandas_out["potassium_grade"].dtype) == "Int8"


def test_lazy_polars_stays_lazy_and_pandas_is_not_imported_by_electrocheck() -> None:
    lazy = interpret_frame(pl.DataFrame(FRAME).lazy())
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect()["potassium_flag"].to_list() == ["L", "N", None]


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"K": [3.1, "4.0", None, "<2.0"]}),  # mixed objects, as from a sheet
        pd.DataFrame({"K": pd.array([3.1, 4.0, None, 2.0], dtype="Float64")}),
        pd.DataFrame({"K": pd.Categorical(["3.1", "4.0", None, "2.0"])}),
        pd.DataFrame({"K": [3.1, 4.0, float("nan"), 2.0]}, index=[5, 5, 6, 7]),
    ],
)
def test_pandas_columns_of_any_kind(frame: pd.DataFrame) -> None:
    checked = interpret_frame(frame)
    assert checked["potassium_flag"].iloc[0] == "L" and checked["potassium_flag"].iloc[1] == "N"
    assert list(checked.index) == list(frame.index)


def test_pandas_frames_that_cannot_be_read_are_refused() -> None:
    doubled = pd.DataFrame([[3.1, 4.0]], columns=["K", "K"])
    with pytest.raises(ElectrocheckError, match="more than one column called 'K'"):
        interpret_frame(doubled)
    clash = interpret_frame(pd.DataFrame({"K": [3.1], "potassium_flag": ["x"]}))
    assert (clash["potassium_flag"].iloc[0], clash["ec_potassium_flag"].iloc[0]) == ("x", "L")
    with pytest.raises(ElectrocheckError, match="no column names an analyte"):
        interpret_frame(pd.DataFrame({"x": [1]}))


def test_pandas_without_pyarrow_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pyarrow(*args: object, **kwargs: object) -> None:
        raise ImportError("pyarrow is required", name="pyarrow")

    monkeypatch.setattr(pl, "from_pandas", no_pyarrow)
    with pytest.raises(
        ElectrocheckError, match=r"needs pyarrow to be read: pip install 'electrocheck\[pandas\]'"
    ):
        interpret_frame(pd.DataFrame({"K": ["3.1"]}))


# --------------------------------------------------------------------------- run_batch


def test_run_batch_needs_only_the_files(tmp_path: Path, ref: Reference) -> None:
    from electrocheck import BatchOptions

    source = tmp_path / "labs.csv"
    source.write_text("id,K,Na\n1,3.1,128\n2,4.0,140\n", encoding="utf-8")
    summary = run_batch(source, tmp_path / "out.csv")
    explicit = run_batch(str(source), str(tmp_path / "again.csv"), ref, BatchOptions())
    assert summary.rows_read == explicit.rows_read == 2
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "again.csv").read_bytes()
    jsonl = run_batch(source, tmp_path / "out.jsonl")
    assert jsonl.results == 4
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["record"] == "texts"
    first = next(electrocheck.read_jsonl(tmp_path / "out.jsonl"))
    assert first["record"] == "row"
    assert [r["flag"] for r in first["results"]] == ["L", "L"]


# --------------------------------------------------------------------------- the package


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.strip().splitlines()[-1])}


@pytest.mark.parametrize(
    ("code", "loaded", "not_loaded"),
    [
        ("import electrocheck", set(), {"polars", "pandas", "numpy", "pyarrow"}),
        (
            "from electrocheck import check, interpret, load_reference\n"
            "check(k=3.1); interpret(load_reference(), 'k', '3.1 mmol/L')",
            set(),
            {"polars", "pandas", "numpy", "pyarrow"},
        ),
        ("from electrocheck import interpret_frame, run_batch", {"polars"}, {"pandas"}),
        ("import electrocheck; electrocheck.BatchOptions", {"polars"}, {"pandas"}),
    ],
)
def test_the_package_root_loads_polars_only_for_the_batch_names(
    code: str, loaded: set[str], not_loaded: set[str]
) -> None:
    modules = _loaded_after(code)
    assert loaded <= modules
    assert not (not_loaded & modules)


def test_every_public_name_is_at_the_root_and_listed() -> None:
    for name in electrocheck.__all__:
        assert getattr(electrocheck, name) is not None
    assert set(electrocheck.__all__) <= set(dir(electrocheck))
    with pytest.raises(AttributeError):
        electrocheck.no_such_name  # noqa: B018


def test_the_package_is_marked_typed() -> None:
    assert resources.files("electrocheck").joinpath("py.typed").is_file()


@pytest.mark.parametrize("lazy", [False, True])
def test_interpret_frame_reads_a_long_frame_with_patient_and_time_row_by_row(lazy: bool) -> None:
    # Panels need a first reading of the whole file (run_batch); a frame gets each row alone,
    # with the columns of a long file that has no key columns, and never a defect.
    frame = pl.DataFrame(
        {
            "patient_id": ["P1", "P1"],
            "collected": ["2026-03-01 08:00", "2026-03-01 08:00"],
            "test": ["Potassium", "Calcium"],
            "value": ["3.1", "7.6"],
            "unit": ["mmol/L", "mg/dL"],
        }
    )
    checked = interpret_frame(frame.lazy() if lazy else frame)
    if isinstance(checked, pl.LazyFrame):
        checked = checked.collect()
    assert checked["flag"].to_list() == ["L", "L"]
    assert "panel" not in checked.columns and "row_kind" not in checked.columns
