"""``batch`` on Parquet and Arrow IPC tables, end to end: a table and a CSV export of the same
results give the same output, byte for byte, in every layout (wide, long, OMOP, PCORnet);
a column of no readable type or a damaged file is one line on stderr, exit 2."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()
T1, T2 = dt.datetime(2026, 3, 2, 7, 30), dt.datetime(2026, 3, 3, 6, 0)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # short names in messages


def batch(*args: str, stdin: bytes | None = None) -> Any:
    return runner.invoke(app, ["batch", *args], input=stdin, env={"ELECTROCHECK_RANGES": None})


def _csv_text(value: Any) -> str:
    """A cell as a warehouse's CSV export writes it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)  # a float as its shortest text (repr): 4.0, 3.1


def write_both(folder: Path, name: str, frame: pl.DataFrame) -> tuple[Path, Path]:
    """``frame`` as a CSV export (written by the csv module, not by polars) and as Parquet."""
    text, table = folder / f"{name}.csv", folder / f"{name}.parquet"
    with text.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(frame.columns)
        writer.writerows([_csv_text(v) for v in row] for row in frame.iter_rows())
    frame.write_parquet(table)
    return text, table


WIDE = pl.DataFrame(
    {
        "mrn": pl.Series([1001, 1002, 1003, None], dtype=pl.Int64),
        "collected": pl.Series([T1, T1, T2, T2], dtype=pl.Datetime("us")),
        "K": pl.Series([3.1, 4.0, None, 5.0], dtype=pl.Float64),
        "Sodium": pl.Series([128, 140, 161, None], dtype=pl.Int32),
        "Calcium (mg/dL)": ["7.6", "<5", "9.1 mg/dL", None],  # text: kept as written
        "Magnesium": pl.Series([0.5, 2.0, 1.25, None], dtype=pl.Float64),
        "Mg unit": ["mmol/L", "mg/dL", "MG/DL", None],
    }
)
LONG = pl.DataFrame(
    {
        "patient": pl.Series([7, 7, 7, 8], dtype=pl.Int64),
        "collected": [T1, T1, T2, T1],
        "test": pl.Series(["Potassium", "Calcium", "Potassium", "Sodium"], dtype=pl.Categorical),
        "value": [3.1, 7.6, 3.9, 128.0],
        "unit": ["mmol/L", "mg/dL", "mmol/L", "mmol/L"],
    }
)
OMOP = pl.DataFrame(
    {
        "measurement_id": pl.Series([1, 2, 3, 4, 5, 6], dtype=pl.Int64),
        "person_id": pl.Series([7, 7, 7, 7, 8, 8], dtype=pl.Int64),
        "measurement_concept_id": pl.Series(
            [3023103, 3006906, 3024561, 3023103, 3019550, 0], dtype=pl.Int32
        ),
        "measurement_date": [T1.date(), T1.date(), T1.date(), T2.date(), T1.date(), T1.date()],
        "measurement_datetime": [T1, T1, T1, T2, T1, T1],
        "value_as_number": [3.1, 7.6, 2.4, 3.9, 128.0, 4.0],
        "unit_concept_id": pl.Series([8753, 8840, None, 8753, 8753, 8753], dtype=pl.Int32),
        "unit_source_value": [None, None, "g/dL", None, None, None],
        "range_low": [3.5, 8.6, None, 3.5, None, None],
        "range_high": [5.1, 10.3, None, 5.1, None, None],
    }
)
PCORNET = pl.DataFrame(
    {
        "PATID": ["P1", "P1", "P1", "P2"],
        "SPECIMEN_SOURCE": pl.Series(["SER", "SER", "URINE", "PLAS"], dtype=pl.Categorical),
        "LAB_LOINC": ["2823-3", "2601-3", "2828-2", "17861-6"],
        "SPECIMEN_DATE": [T1.date()] * 3 + [T2.date()],
        "SPECIMEN_TIME": [dt.time(7, 30)] * 3 + [dt.time(9, 15)],
        "RESULT_NUM": [3.1, 0.3, 40.0, 8.0],
        "RESULT_MODIFIER": ["EQ", "LT", "EQ", "EQ"],
        "RESULT_UNIT": ["mmol/L", "mmol/L", "mmol/L", "mg/dL"],
        "NORM_RANGE_LOW": [3.5, 0.7, None, 8.5],
        "NORM_MODIFIER_LOW": ["EQ", "GE", "NI", "EQ"],
        "NORM_RANGE_HIGH": [5.1, None, None, 10.2],
        "NORM_MODIFIER_HIGH": ["EQ", "NO", "NI", "EQ"],
        "ABN_IND": ["AL", "NI", "NI", "AL"],
    }
)


def _same(text: Path, table: Path, *options: str) -> Any:
    """Both files' output and summary, which must be the same; the table's result."""
    from_text = batch(str(text), *options)
    from_table = batch(str(table), *options)
    assert from_text.exit_code == ExitCode.OK, from_text.output
    assert from_table.exit_code == ExitCode.OK, from_table.output
    assert from_table.stdout == from_text.stdout
    assert from_table.stderr == from_text.stderr
    return from_table


@pytest.mark.parametrize(
    ("name", "frame", "options", "interpreted"),
    [
        ("wide", WIDE, [], 12),
        ("long", LONG, [], 4),
        ("omop", OMOP, [], 5),  # with a corrected calcium
        ("omop", OMOP, ["--layout", "omop"], 5),
        ("pcornet", PCORNET, [], 3),
        ("pcornet", PCORNET, ["--layout", "pcornet"], 3),
    ],
)
def test_a_table_gives_the_output_of_the_same_results_as_csv(
    tmp_path: Path, name: str, frame: pl.DataFrame, options: list[str], interpreted: int
) -> None:
    text, table = write_both(tmp_path, name, frame)
    result = _same(text, table, *options)
    assert f"{interpreted} results" in result.stderr
    flagged = [row for row in csv.DictReader(result.stdout.splitlines()) if row.get("errors")]
    assert not any("time" in row["errors"] for row in flagged)  # every time was read


WRITERS: dict[str, Callable[[pl.DataFrame, Path], None]] = {
    "ipc": lambda frame, path: frame.write_ipc(path),
    "ipc_stream": lambda frame, path: frame.write_ipc_stream(path),
    "ipc_lz4": lambda frame, path: frame.write_ipc(path, compression="lz4"),
    "parquet_zstd": lambda frame, path: frame.write_parquet(path, compression="zstd"),
}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_arrow_ipc_and_compressed_parquet_read_as_parquet(tmp_path: Path, kind: str) -> None:
    text, _ = write_both(tmp_path, "omop", OMOP)
    other = tmp_path / "omop.data"  # known by its bytes, not its name
    WRITERS[kind](OMOP, other)
    _same(text, other)


def test_a_table_from_stdin_and_to_parquet(tmp_path: Path) -> None:
    _, table = write_both(tmp_path, "long", LONG)
    result = batch("-", "-o", "out.parquet", "--quiet", stdin=table.read_bytes())
    assert result.exit_code == ExitCode.OK, result.output
    written = pl.read_parquet("out.parquet")
    assert written["value"].to_list() == ["3.1", "7.6", "3.9", "128.0"]  # the input, as text
    assert written["flag"].to_list() == ["L", "L", "N", "L"]


def test_a_row_with_no_value_comes_out_in_place(tmp_path: Path) -> None:
    frame = pl.DataFrame({"mrn": [1, None, 3], "K": [3.1, None, 4.0]})
    frame.write_parquet("labs.parquet")
    result = batch("labs.parquet", "--quiet")
    assert result.exit_code == ExitCode.OK, result.output
    found = [(r["mrn"], r["potassium_flag"]) for r in csv.DictReader(result.stdout.splitlines())]
    assert found == [("1", "L"), ("", ""), ("3", "N")]


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (
            pl.Series("mrn", [b"1001"], dtype=pl.Binary),
            "electrocheck: error: 'labs.parquet': column 'mrn' is of type Binary",
        ),
        (
            pl.Series("K", [[3.1, 3.2]]),
            "electrocheck: error: 'labs.parquet': column 'K' is of type List(Float64)",
        ),
        (
            pl.Series("K", [{"value": 3.1, "unit": "mmol/L"}]),
            "electrocheck: error: 'labs.parquet': column 'K' is of type Struct(",
        ),
    ],
)
def test_a_column_of_the_wrong_type_is_one_line(column: pl.Series, message: str) -> None:
    frame = pl.DataFrame([column])
    if column.name != "K":
        frame = frame.with_columns(K=pl.lit(3.1))
    frame.write_parquet("labs.parquet")
    result = batch("labs.parquet")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_a_numeric_patient_column_is_read() -> None:
    pl.DataFrame({"mrn": [1001.0, 1002.0], "K": [3.1, 4.0]}).write_parquet("labs.parquet")
    result = batch("labs.parquet", "--quiet")
    assert result.exit_code == ExitCode.OK, result.output
    assert [r["mrn"] for r in csv.DictReader(result.stdout.splitlines())] == ["1001.0", "1002.0"]


@pytest.mark.parametrize("keep", [0.3, 0.97])
def test_a_damaged_table_is_one_line(tmp_path: Path, keep: float) -> None:
    _, table = write_both(tmp_path, "omop", OMOP)
    whole = table.read_bytes()
    Path("cut.parquet").write_bytes(whole[: int(len(whole) * keep)])
    result = batch("cut.parquet")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr.startswith(
        "electrocheck: error: 'cut.parquet' starts like a Parquet file but cannot be read "
        "(damaged, or cut short?): "
    )
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--delimiter", ";"],
            "--delimiter applies to delimited text; 'labs.parquet' is a Parquet",
        ),
        (["--encoding", "cp1252"], "--encoding applies to delimited text; 'labs.parquet' is a"),
        (["--skip-lines", "2"], "--skip-lines applies to delimited text; 'labs.parquet' is a"),
        (["--sheet", "1"], "--sheet applies to spreadsheets; 'labs.parquet' is a Parquet file"),
    ],
)
def test_options_of_text_are_refused_for_a_table(options: list[str], message: str) -> None:
    WIDE.write_parquet("labs.parquet")
    result = batch("labs.parquet", *options)
    assert result.exit_code == ExitCode.ERROR
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_a_table_without_an_analyte_names_its_columns() -> None:
    pl.DataFrame({"mrn": [1], "comment": ["fine"]}).write_parquet("labs.parquet")
    result = batch("labs.parquet")
    assert result.exit_code == ExitCode.ERROR
    assert "(the header read was the columns of 'labs.parquet': 'mrn', 'comment')" in (
        result.stderr
    )
    assert "--skip-lines" not in result.stderr


# --------------------------------------------------------------------------- property

ANALYTES = {  # column of a wide file, OMOP concept, unit, lowest and highest value drawn
    "potassium": ("K", 3023103, "mmol/L", 1.5, 7.5),
    "sodium": ("Sodium", 3019550, "mmol/L", 115.0, 165.0),
    "calcium": ("Calcium (mg/dL)", 3006906, "mg/dL", 5.0, 14.0),
    "magnesium": ("Magnesium (mg/dL)", 3001420, "mg/dL", 0.5, 4.0),
}
TIMES = (T1, T2, dt.datetime(2026, 3, 4, 7, 30, 15))


def _value(analyte: str) -> st.SearchStrategy[float | None]:
    _, _, _, lowest, highest = ANALYTES[analyte]
    tenths = st.integers(int(lowest * 10), int(highest * 10)).map(lambda n: n / 10)
    hundredths = st.integers(int(lowest * 100), int(highest * 100)).map(lambda n: n / 100)
    return st.none() | tenths | hundredths


@st.composite
def wide_rows(draw: st.DrawFn) -> dict[str, Any]:
    row: dict[str, Any] = {
        "mrn": draw(st.integers(1, 3)),
        "collected": draw(st.sampled_from(TIMES)),
    }
    for analyte, (column, *_) in ANALYTES.items():
        row[column] = draw(_value(analyte))
    return row


@st.composite
def omop_rows(draw: st.DrawFn) -> dict[str, Any]:
    analyte = draw(st.sampled_from(sorted(ANALYTES)))
    _, concept, unit, lowest, highest = ANALYTES[analyte]
    limits = draw(st.none() | st.tuples(st.integers(1, 4), st.integers(6, 9)))
    middle = (lowest + highest) / 2
    return {
        "person_id": draw(st.integers(1, 3)),
        "measurement_concept_id": concept,
        "measurement_datetime": draw(st.sampled_from(TIMES)),
        "value_as_number": draw(_value(analyte)),
        "unit_source_value": unit,
        "range_low": None if limits is None else round(middle * limits[0] / 5, 1),
        "range_high": None if limits is None else round(middle * limits[1] / 5, 1),
    }


WIDE_SCHEMA = {
    "mrn": pl.Int64,
    "collected": pl.Datetime("us"),
    **{column: pl.Float64 for column, *_ in ANALYTES.values()},
}
OMOP_SCHEMA = {
    "person_id": pl.Int64,
    "measurement_concept_id": pl.Int32,
    "measurement_datetime": pl.Datetime("ms"),
    "value_as_number": pl.Float64,
    "unit_source_value": pl.String,
    "range_low": pl.Float64,
    "range_high": pl.Float64,
}


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from(["wide", "omop"]).flatmap(
        lambda kind: st.tuples(
            st.just(kind),
            st.lists(wide_rows() if kind == "wide" else omop_rows(), min_size=1, max_size=12),
        )
    )
)
def test_same_results_as_csv_and_as_parquet_give_the_same_output(
    drawn: tuple[str, list[dict[str, Any]]],
) -> None:
    kind, rows = drawn
    schema = WIDE_SCHEMA if kind == "wide" else OMOP_SCHEMA
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    with tempfile.TemporaryDirectory() as name:
        text, table = write_both(Path(name), kind, frame)
        _same(text, table, "-o", "-", "--format", "jsonl")
        _same(text, table)
