"""Parquet and Arrow IPC tables: each column read as the text a CSV export of it holds, a
slice of rows at a time; a column of no such type, or a damaged file, refused in one line."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from electrocheck.errors import InputError
from electrocheck.formats import columnar
from electrocheck.formats.columnar import as_text, open_table, table_batches
from electrocheck.formats.content import sniff
from electrocheck.formats.frame import ROW_ERROR

UTC = dt.timezone.utc

# (a value, its column's type, the text read from it)
TEXTS: list[tuple[Any, pl.DataType, str | None]] = [
    ("3.1", pl.String(), "3.1"),
    ("<1.0 mmol/L", pl.String(), "<1.0 mmol/L"),
    ("", pl.String(), None),  # an empty text is no value, as an empty CSV field
    (None, pl.String(), None),
    (1001, pl.Int64(), "1001"),  # integers stay integers
    (3023103, pl.Int32(), "3023103"),
    (7, pl.UInt8(), "7"),
    (4.0, pl.Float64(), "4.0"),  # a float keeps its point: not the integer 4
    (3.1, pl.Float64(), "3.1"),
    (0.1 + 0.2, pl.Float64(), "0.30000000000000004"),  # every digit the number holds
    (128.0, pl.Float64(), "128.0"),
    (-0.5, pl.Float64(), "-0.5"),
    (3.1, pl.Float32(), "3.1"),  # the float32 nearest 3.1, as the shortest text for it
    (Decimal("4.10"), pl.Decimal(10, 2), "4.10"),  # a decimal keeps its scale
    (True, pl.Boolean(), "true"),
    (dt.date(2026, 3, 1), pl.Date(), "2026-03-01"),
    (dt.datetime(2026, 3, 1, 8, 0), pl.Datetime("us"), "2026-03-01 08:00:00"),
    (dt.datetime(2026, 3, 1, 8, 0), pl.Datetime("ns"), "2026-03-01 08:00:00"),
    (dt.datetime(2026, 3, 1, 8, 0), pl.Datetime("ms"), "2026-03-01 08:00:00"),
    (dt.datetime(2026, 3, 1, 8, 0, 1, 500000), pl.Datetime("us"), "2026-03-01 08:00:01.500"),
    (
        dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
        pl.Datetime("us", "UTC"),
        "2026-03-01 08:00:00+00:00",
    ),
    (dt.time(8, 30), pl.Time(), "08:30:00"),
    (dt.time(8, 30, 15, 250000), pl.Time(), "08:30:15.250"),
    ("mmol/L", pl.Categorical(), "mmol/L"),
    ("SER", pl.Enum(["SER", "PLAS"]), "SER"),
    (None, pl.Null(), None),
]


@pytest.mark.parametrize(("value", "dtype", "text"), TEXTS)
def test_each_type_is_read_as_the_text_a_csv_export_holds(
    value: Any, dtype: pl.DataType, text: str | None
) -> None:
    frame = pl.DataFrame({"v": pl.Series([value], dtype=dtype)})
    assert frame.select(as_text("v", frame.schema["v"])).item() == text


def test_a_time_zone_other_than_utc_keeps_its_offset() -> None:
    berlin = pl.Series([dt.datetime(2026, 3, 1, 7, 0)]).dt.replace_time_zone("UTC")
    frame = pl.DataFrame({"v": berlin.dt.convert_time_zone("Europe/Berlin")})
    assert frame.select(as_text("v", frame.schema["v"])).item() == "2026-03-01 08:00:00+01:00"


# (a column of a type that holds no text a result is read from, how the message names it)
REFUSED: list[tuple[pl.Series, str]] = [
    (pl.Series("person_id", [b"\x00\x01"], dtype=pl.Binary), "Binary"),
    (pl.Series("value_as_number", [[4.1, 4.2]]), "List(Float64)"),
    (pl.Series("value_as_number", [{"value": 4.1, "unit": "mmol/L"}]), "Struct("),
    (pl.Series("value_as_number", [[4.1, 4.2]], dtype=pl.Array(pl.Float64, 2)), "Array("),
    (pl.Series("collected", [dt.timedelta(hours=1)]), "Duration("),
]


@pytest.mark.parametrize(("series", "named"), REFUSED)
def test_a_column_of_no_readable_type_is_refused_naming_it(
    tmp_path: Path, series: pl.Series, named: str
) -> None:
    path = tmp_path / "labs.parquet"
    pl.DataFrame([pl.Series("K", [4.1]), series]).write_parquet(path)
    with pytest.raises(InputError) as info:
        open_table(path, "'labs.parquet'", "parquet")
    message = str(info.value)
    assert message.startswith(f"'labs.parquet': column '{series.name}' is of type {named}")
    assert "write it as text or numbers" in message and "\n" not in message


def _table(path: Path, kind: str) -> bytes:
    frame = pl.DataFrame({"mrn": list(range(1, 101)), "K": [4.1] * 100})
    if kind == "parquet":
        frame.write_parquet(path)
    elif kind == "ipc":
        frame.write_ipc(path)
    else:
        frame.write_ipc_stream(path)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("kind", "description"),
    [
        ("parquet", "a Parquet file"),
        ("ipc", "an Arrow IPC file (Feather)"),
        ("ipc_stream", "an Arrow IPC stream"),
    ],
)
def test_each_table_is_known_by_its_bytes_whatever_its_name(
    tmp_path: Path, kind: str, description: str
) -> None:
    path = tmp_path / "labs.csv"
    _table(path, kind)
    content = sniff(path, "'labs.csv'")
    assert (content.kind, content.table, content.description) == ("table", kind, description)
    table = open_table(path, "'labs.csv'", kind)
    assert table.header == ["mrn", "K"] and table.height == 100


# An IPC stream has no footer: cut after its last batch (only the end marker lost), it is
# whole, and cut between two batches, no reader can tell. Cut inside a batch, it is refused.
@pytest.mark.parametrize(
    ("kind", "keep"),
    [(kind, keep) for kind in ("parquet", "ipc") for keep in (0.5, 0.9, 0.99)]
    + [("ipc_stream", 0.5), ("ipc_stream", 0.9)],
)
def test_a_table_cut_short_is_refused_in_one_line(tmp_path: Path, kind: str, keep: float) -> None:
    whole = _table(tmp_path / "whole", kind)
    path = tmp_path / "labs.parquet"
    path.write_bytes(whole[: int(len(whole) * keep)])
    with pytest.raises(InputError) as info:
        table = open_table(path, "'labs.parquet'", kind)
        for _ in table_batches(table):
            pass
    message = str(info.value)
    assert message.startswith("'labs.parquet' starts like a")
    assert "cannot be read (damaged, or cut short?)" in message and "\n" not in message


def test_a_parquet_file_of_garbage_after_its_magic_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "labs.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    with pytest.raises(InputError, match="cannot be read"):
        open_table(path, "'labs.parquet'", "parquet")


def test_a_compressed_table_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "labs.parquet.gz"
    path.write_bytes(gzip.compress(_table(tmp_path / "whole", "parquet")))
    with pytest.raises(InputError) as info:
        sniff(path, "'labs.parquet.gz'")
    assert str(info.value) == (
        "'labs.parquet.gz' is a Parquet file, gzip-compressed: decompress it first "
        "(Parquet and Arrow compress their columns themselves)"
    )


def test_a_table_without_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "labs.parquet"
    pl.DataFrame().write_parquet(path)
    with pytest.raises(InputError, match=r"'labs\.parquet' is a Parquet file without any column"):
        open_table(path, "'labs.parquet'", "parquet")


def test_batches_keep_the_rows_in_order_and_count_up_to_the_file_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(columnar, "TABLE_BATCH_ROWS", 7)
    path = tmp_path / "labs.parquet"
    pl.DataFrame({"mrn": list(range(30)), "K": [4.1] * 30}).write_parquet(path, row_group_size=10)
    table = open_table(path, "'labs.parquet'", "parquet")
    batches = list(table_batches(table))
    assert [batch.height for batch, _ in batches] == [7, 7, 7, 7, 2]
    assert pl.concat([b for b, _ in batches])["c0"].to_list() == [str(i) for i in range(30)]
    positions = [position for _, position in batches]
    assert positions == sorted(positions) and positions[-1] == path.stat().st_size


@pytest.mark.parametrize(
    ("rows", "kept"),
    [
        ({"mrn": [1, None], "K": [4.1, None]}, True),  # a row with no value is a row
        ({"mrn": [1, 2], "K": [4.1, None]}, False),
        ({"mrn": [None, 2], "K": [4.1, None]}, False),
    ],
)
def test_a_row_with_no_value_is_kept_not_taken_for_a_blank_line(
    tmp_path: Path, rows: dict[str, list[Any]], kept: bool
) -> None:
    path = tmp_path / "labs.parquet"
    pl.DataFrame(rows).write_parquet(path)
    ((batch, _),) = table_batches(open_table(path, "'labs.parquet'", "parquet"))
    assert (ROW_ERROR in batch.columns) == kept
    if kept:
        assert batch[ROW_ERROR].null_count() == batch.height  # no row has an error
