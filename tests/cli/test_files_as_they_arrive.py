"""`electrocheck batch` on files as they arrive: compressed, any line ends and encoding, title
lines, any delimiter, and the output in the format asked for. Every refusal is one line."""

from __future__ import annotations

import bz2
import csv
import gzip
import importlib.util
import io
import json
import lzma
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from electrocheck import read_jsonl
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode

runner = CliRunner()
HAS_ZSTD = importlib.util.find_spec("zstandard") is not None

WIDE = "mrn,K,Sodium\n1,2.6,128 mEq/L\n2,4.1,140\n"
FLAGS = [("1", "LL"), ("2", "N")]
LONG = "test;value;unit\nPotassium;2.6;mmol/L\nSodium;140;mmol/L\n"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # short names in messages


def batch(*args: str, stdin: bytes | None = None) -> Any:
    return runner.invoke(app, ["batch", *args], input=stdin)


def rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def flags(text: str, delimiter: str = ",") -> list[tuple[str, str]]:
    return [(r["mrn"], r["potassium_flag"]) for r in rows(text, delimiter)]


def _zstd(data: bytes) -> bytes:
    import zstandard

    return bytes(zstandard.ZstdCompressor().compress(data))


COMPRESSED: list[tuple[str, Callable[[bytes], bytes]]] = [
    ("gzip", gzip.compress),
    ("bzip2", bz2.compress),
    ("xz", lzma.compress),
    pytest.param("zstd", _zstd, marks=pytest.mark.skipif(not HAS_ZSTD, reason="no zstandard")),  # type: ignore[list-item]
]


@pytest.mark.parametrize(("kind", "compress"), COMPRESSED)
@pytest.mark.parametrize("name", ["labs.csv", "labs.csv.gz", "labs"])
def test_compressed_input_is_known_by_its_content(
    kind: str, compress: Callable[[bytes], bytes], name: str
) -> None:
    Path(name).write_bytes(compress(WIDE.encode()))
    result = batch(name, "-q")
    assert result.exit_code == ExitCode.OK, result.output
    assert flags(result.stdout) == FLAGS


def test_compressed_stdin(tmp_path: Path) -> None:
    result = batch("-", "-q", stdin=gzip.compress(("Report\r" + WIDE.replace("\n", "\r")).encode()))
    assert result.exit_code == ExitCode.OK, result.output
    assert flags(result.stdout) == FLAGS


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_read_once(tmp_path: Path) -> None:
    # As bash's <(zcat labs.csv.gz) gives it: a path that is a pipe, not a file.
    os.mkfifo("labs.pipe")

    def feed() -> None:
        with open("labs.pipe", "wb") as pipe:
            pipe.write(gzip.compress(WIDE.encode()))

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        result = batch("labs.pipe", "-q")
    finally:
        feeder.join(timeout=60)
    assert result.exit_code == ExitCode.OK, result.output
    assert flags(result.stdout) == FLAGS


def test_a_damaged_gzip_file_is_one_line_and_leaves_no_output() -> None:
    data = gzip.compress(("mrn,K\n" + "1,4.1\n" * 20_000).encode())
    Path("labs.csv.gz").write_bytes(data[: len(data) // 2])
    result = batch("labs.csv.gz", "-o", "out.csv")
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert result.stderr == (
        "electrocheck: error: 'labs.csv.gz' is gzip-compressed, but the compressed data is "
        "damaged or cut short: copy the file again, or test it with gzip -t\n"
    )
    assert not Path("out.csv").exists()


# (line ends of the file) - a CR-only file once gave Python's "new-line character
# seen in unquoted field - do you need to open the file in universal-newline mode?"
LINE_ENDS = {
    "LF": WIDE,
    "CRLF": WIDE.replace("\n", "\r\n"),
    "CR": WIDE.replace("\n", "\r"),
    "mixed": "mrn,K,Sodium\r1,2.6,128 mEq/L\r\n2,4.1,140\n",
    "CR, no final": WIDE.replace("\n", "\r").rstrip("\r"),
}


@pytest.mark.parametrize("ends", sorted(LINE_ENDS))
def test_any_line_ends(ends: str) -> None:
    Path("labs.csv").write_bytes(LINE_ENDS[ends].encode())
    result = batch("labs.csv", "-q")
    assert result.exit_code == ExitCode.OK, result.output
    assert flags(result.stdout) == FLAGS


def test_a_long_cr_file_in_many_blocks_keeps_every_row() -> None:
    body = "".join(f"{i},{(4.0, 4.1, 5.6)[i % 3]},140\r" for i in range(200_000))
    Path("labs.csv").write_bytes(("mrn,K,Sodium\r" + body).encode())
    result = batch("labs.csv", "-q")
    out = rows(result.stdout)
    assert len(out) == 200_000 and out[-1]["mrn"] == "199999"
    assert [r["potassium_flag"] for r in out[:3]] == ["N", "N", "H"]


def test_title_lines_are_found_and_reported() -> None:
    Path("labs.csv").write_text("Lab export\nPrinted 2026-03-02 by LIS\n\n" + WIDE)
    result = batch("labs.csv")
    assert result.exit_code == ExitCode.OK, result.output
    assert flags(result.stdout) == FLAGS
    assert (
        "2 lines of title above the header (line 4) were not read: 'Lab export', ..."
    ) in result.stderr


def test_title_lines_above_a_long_export() -> None:
    Path("labs.csv").write_bytes(
        b"Cumulative report\r\rMRN 1001\r" + LONG.replace("\n", "\r").encode()
    )
    result = batch("labs.csv")
    assert result.exit_code == ExitCode.OK, result.output
    assert [r["flag"] for r in rows(result.stdout, ";")] == ["LL", "N"]
    assert "2 lines of title above the header (line 4) were not read" in result.stderr


def test_skip_lines_names_the_header() -> None:
    Path("labs.csv").write_text("Lab export\nmrn,Kalium X\n" + WIDE)
    result = batch("labs.csv", "--skip-lines", "2", "-q")
    assert flags(result.stdout) == FLAGS


def test_the_message_names_the_header_that_was_read() -> None:
    Path("labs.csv").write_text("Report of 2026-03-02\nmrn,Kal,Nat\n1,3.1,140\n")
    result = batch("labs.csv")
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert result.stderr.startswith("electrocheck: error: no column names an analyte")
    assert result.stderr.endswith(
        "(the header read was line 1 of 'labs.csv': 'Report of 2026-03-02'); if the header is "
        "further down, give --skip-lines N\n"
    )
    skipped = batch("labs.csv", "--skip-lines", "1")
    assert skipped.stderr.endswith(
        "(the header read was line 2 of 'labs.csv': 'mrn', 'Kal', 'Nat')\n"
    )


@pytest.mark.parametrize(
    ("content", "args", "delimiter"),
    [
        (WIDE.replace(",", "\t"), [], "\t"),
        (WIDE.replace(",", ";"), [], ";"),
        (WIDE.replace(",", "|"), [], "|"),
        ("sep=;\r\n" + WIDE.replace(",", ";"), [], ";"),
        (WIDE.replace(",", "\t"), ["--output-delimiter", "comma"], ","),
        (WIDE.replace(",", ";"), ["--output-delimiter", "tab"], "\t"),
        (WIDE.replace(",", ";"), ["--delimiter", ";", "--format", "tsv"], "\t"),
        (WIDE, ["--format", "tsv"], "\t"),
    ],
)
def test_the_delimiter_is_kept_unless_told_otherwise(
    content: str, args: list[str], delimiter: str
) -> None:
    Path("labs.txt").write_text(content)
    result = batch("labs.txt", "-q", *args)
    assert result.exit_code == ExitCode.OK, result.output
    header = result.stdout.splitlines()[0]
    assert header.split(delimiter)[:3] == ["mrn", "K", "Sodium"]
    assert flags(result.stdout, delimiter) == FLAGS


def test_a_long_semicolon_export_stays_semicolon() -> None:
    Path("labs.csv").write_text(LONG)
    result = batch("labs.csv", "-q")
    out = rows(result.stdout, ";")
    assert [r["flag"] for r in out] == ["LL", "N"]


@pytest.mark.parametrize(
    ("encoding", "args"),
    [
        ("utf-16", []),  # with its byte-order mark
        ("utf-16-le", []),  # without: known by its zero bytes
        ("utf-16-be", []),
        ("utf-16-le", ["--encoding", "utf-16-le"]),
        ("cp1252", ["--encoding", "cp1252"]),
        ("cp1252", []),  # not UTF-8: read as cp1252, with a warning
    ],
)
def test_encodings(encoding: str, args: list[str]) -> None:
    Path("labs.txt").write_bytes(("mrn\tK\tSodium\tnote\n1\t2.6\t128\tcafé\n").encode(encoding))
    result = batch("labs.txt", "-q", *args)
    assert result.exit_code == ExitCode.OK, result.output
    out = rows(result.stdout, "\t")
    assert (out[0]["potassium_flag"], out[0]["note"]) == ("LL", "café")


def test_a_wrong_encoding_given_is_one_line() -> None:
    Path("labs.csv").write_bytes("mrn,K,note\n1,3.1,café\n".encode("cp1252"))
    result = batch("labs.csv", "--encoding", "utf-8")
    assert result.exit_code == ExitCode.ERROR
    assert result.stderr == (
        "electrocheck: error: 'labs.csv' is not UTF-8 text (byte 0xe9 is not valid in it): "
        "give the file's encoding with --encoding, e.g. cp1252\n"
    )
    assert "not UTF-8" in batch("labs.csv").stderr  # not given: read as cp1252, with a warning


@pytest.mark.parametrize(
    ("name", "args", "kind"),
    [
        ("out.csv", [], "csv"),
        ("out.tsv", [], "tsv"),
        ("out.jsonl", [], "jsonl"),
        ("out.parquet", [], "parquet"),
        ("out.jsonl", ["--format", "csv"], "csv"),
        ("out.data", ["--format", "parquet"], "parquet"),
        ("out.json", ["--format", "jsonl"], "jsonl"),
    ],
)
def test_the_output_format_follows_the_extension(name: str, args: list[str], kind: str) -> None:
    Path("labs.csv").write_text(WIDE)
    result = batch("labs.csv", "-o", name, "-q", *args)
    assert result.exit_code == ExitCode.OK, result.output
    written = Path(name)
    if kind == "jsonl":
        texts = json.loads(written.read_text().splitlines()[0])
        first = next(read_jsonl(written))
        assert (texts["record"], first["record"]) == ("texts", "row")
        assert first["results"][0]["flag"] == "LL"
    elif kind == "parquet":
        frame = pl.read_parquet(written)
        assert frame["potassium_flag"].to_list() == ["LL", "N"]
        assert frame["potassium_mmol_l"].dtype == pl.Float64  # typed, not text
        assert frame["mrn"].to_list() == ["1", "2"]  # the input's fields as they were
    else:
        assert flags(written.read_text(), "\t" if kind == "tsv" else ",") == FLAGS


def test_parquet_of_a_long_file_with_repeated_names_and_python_fallback() -> None:
    # A ragged row makes the csv module read the file: the parquet output is the same.
    Path("labs.csv").write_text("test,value,test\nPotassium,2.6,x\nSodium,140,y,extra\n")
    result = batch("labs.csv", "-o", "out.parquet", "-q")
    assert result.exit_code == ExitCode.OK, result.output
    frame = pl.read_parquet("out.parquet")
    assert frame.columns[:3] == ["test", "value", "test_2"]
    assert frame["flag"].to_list() == ["LL", "N"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "out.json"], "-o 'out.json': JSON Lines is written, one object per line"),
        (["-o", "out.xlsx"], "-o 'out.xlsx': spreadsheets are not written"),
        (["-o", "out.csv.gz"], "-o 'out.csv.gz': compressed output is not written"),
        (["--output-delimiter", "x"], "unknown delimiter 'x' (--output-delimiter)"),
        (["--delimiter", "x"], "unknown delimiter 'x' (--delimiter); expected , ; | or tab"),
        (["--encoding", "nope"], "unknown encoding 'nope' (--encoding)"),
        (["--sheet", "Labs"], "--sheet applies to spreadsheets; 'labs.csv' is delimited text"),
        (["--skip-lines", "9"], "'labs.csv' has 3 lines: --skip-lines 9 leaves no header row"),
    ],
)
def test_options_that_do_not_fit_are_one_line(args: list[str], message: str) -> None:
    Path("labs.csv").write_text(WIDE)
    result = batch("labs.csv", *args)
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert result.stderr.startswith(f"electrocheck: error: {message}")
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in Path().iterdir()) == ["labs.csv"]  # nothing written


def test_an_option_error_under_jsonl_is_json() -> None:
    Path("labs.csv").write_text(WIDE)
    result = batch("labs.csv", "--format", "jsonl", "--output-delimiter", ";")
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    error = json.loads(result.stderr)
    assert error == {"error": error["error"], "exit": 2}
    assert error["error"].startswith("--output-delimiter applies to csv")
    assert sorted(p.name for p in Path().iterdir()) == ["labs.csv"]  # nothing written


# Files that are no lab export: one line that says what the file is and what would work.
NOT_EXPORTS = [
    (b"%PDF-1.5\n", "'labs.csv' is a PDF document, not a lab export: export the results"),
    (b"<!DOCTYPE html><html>", "'labs.csv' is an HTML page (a web report saved under"),
    (b"PK\x03\x04" + b"\x00" * 30, "'labs.csv' starts like a zip file (an .xlsx workbook is one)"),
    (b"", "'labs.csv' is empty: a header row is needed"),
    (gzip.compress(b""), "'labs.csv' is empty: a header row is needed"),
]


@pytest.mark.parametrize(("data", "message"), NOT_EXPORTS)
def test_what_is_no_lab_export_is_refused_in_one_line(data: bytes, message: str) -> None:
    Path("labs.csv").write_bytes(data)
    result = batch("labs.csv")
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert result.stderr.startswith(f"electrocheck: error: {message}")
    assert result.stderr.count("\n") == 1
    for leak in ("Traceback", "universal-newline", "polars", "Error:", "calamine"):
        assert leak not in result.stderr


@pytest.mark.parametrize(
    "title",
    ["Potassium\n\n", "Report: Calcium, Magnesium\n", "Sodium, Potassium, Calcium, Magnesium\n"],
    ids=["one-name", "two-names", "four-names"],
)
def test_a_title_that_names_an_analyte_is_not_taken_for_the_header(
    tmp_path: Path, title: str
) -> None:
    # Read as the header, such a title made every row an error, or read a potassium as
    # magnesium; the header is the line whose fields the records below it match.
    file = tmp_path / "labs.csv"
    file.write_text(title + "test,value,unit\nPotassium,7.1,mmol/L\nSodium,118,mmol/L\n")
    result = CliRunner().invoke(app, ["batch", str(file), "--quiet"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["analyte"], r["flag"]) for r in rows] == [("potassium", "HH"), ("sodium", "LL")]
