"""electrocheck batch: layouts, messy files, errors, output, exit codes, the Python API."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from batch_files import jsonl_rows  # pytest puts tests/batch on sys.path
from typer.testing import CliRunner

import electrocheck.formats.delimited as delimited
from electrocheck import read_jsonl
from electrocheck.batch.jsonl import ResultIds
from electrocheck.batch.run import interpret_frame, run_batch
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.errors import InputError
from electrocheck.reference import Reference

runner = CliRunner()


def batch(tmp_path: Path, content: str | bytes, *args: str, name: str = "in.csv") -> Any:
    source = tmp_path / name
    source.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return runner.invoke(app, ["batch", str(source), "--quiet", *args])


def rows(result: Any) -> list[dict[str, str]]:
    assert result.exit_code == ExitCode.OK, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


WIDE = (
    "mrn,Calcium (mg/dL),Magnesium,Magnesium Units,K [mmol/L],Sodium,note\n"
    "1,7.6,1.1,mg/dL,3.1,128 mEq/L,first\n"
    "2,9.2,0.8,MMOL/L,abc,140 furlongs,second\n"
    "3,,0.9,mmol/l,4.0,,third\n"
)


def test_wide_layout_adds_columns_and_keeps_every_row(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, WIDE))
    assert [r["mrn"] for r in out] == ["1", "2", "3"]
    assert [r["note"] for r in out] == ["first", "second", "third"]
    first = out[0]
    assert (first["calcium_mmol_l"], first["calcium_flag"], first["calcium_spasm_risk"]) == (
        "1.896",
        "L",
        "high",
    )
    assert (first["magnesium_mmol_l"], first["magnesium_flag"]) == ("0.4526", "L")
    assert (first["potassium_flag"], first["sodium_mmol_l"], first["sodium_flag"]) == (
        "L",
        "128.0",
        "L",
    )
    assert first["errors"] == ""
    second = out[1]
    assert second["potassium_mmol_l"] == "" and second["sodium_flag"] == ""
    assert "K [mmol/L]: 'abc' is not a number" in second["errors"]
    assert "Sodium: unit 'furlongs' is not a unit electrocheck knows" in second["errors"]
    assert second["magnesium_flag"] == "N"  # 0.8 mmol/L, unit from the companion column
    third = out[2]
    assert third["calcium_mmol_l"] == "" and third["errors"] == ""  # empty is not an error


def test_output_header_is_input_header_plus_results(tmp_path: Path) -> None:
    result = batch(tmp_path, WIDE)
    header = result.stdout.splitlines()[0].split(",")
    assert header[:7] == [
        "mrn",
        "Calcium (mg/dL)",
        "Magnesium",
        "Magnesium Units",
        "K [mmol/L]",
        "Sodium",
        "note",
    ]
    assert header[7:] == [
        f"{a}_{c}"
        for a in ("calcium", "magnesium", "potassium", "sodium")
        for c in ("mmol_l", "flag", "grade", "spasm_risk", "censored")
    ] + ["patterns", "errors"]


LONG = (
    "subject_id,label,value,valuenum,valueuom,ref_range_lower,ref_range_upper\n"
    "1,Potassium,4.1,4.1,mEq/L,3.3,5.1\n"
    '2,"Calcium, Total",___,8.1,mg/dL,8.4,10.3\n'
    "3,Creatinine,1.1,1.1,mg/dL,0.5,1.2\n"
    "4,Magnesium,<0.5,,mg/dL,1.6,2.6\n"
    "5,Sodium,GREATER THAN 180,,mEq/L,,\n"
    "6,Potassium,abc,,mEq/L,3.3,5.1\n"
    "7,Potassium,3.4,3.4,mmol/L,3.3,5.1\n"
    "8,2823-3,3.4,3.4,mmol/L,,\n"
    '9,"Sodium, Whole Blood",LESS THAN 100,,mmol/L,,\n'
)


def test_long_layout(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, LONG))
    got = [(r["analyte"], r["value_mmol_l"], r["flag"], r["censored"], r["limits"]) for r in out]
    assert got == [
        ("potassium", "4.1", "N", "", "lab"),
        ("calcium", "2.021", "L", "", "lab"),  # masked text: the numeric column is used
        ("", "", "", "", ""),  # creatinine passes through untouched
        ("magnesium", "0.2057", "LL", "<", "lab"),
        ("sodium", "180.0", "HH", ">", "reference"),
        ("", "", "", "", ""),
        ("potassium", "3.4", "N", "", "lab"),  # the lab's 3.3-5.1, not the file's 3.5-5.0
        ("potassium", "3.4", "L", "", "reference"),
        ("sodium", "100.0", "LL", "<", "reference"),
    ]
    assert out[5]["errors"] == "value: 'abc' is not a number"
    assert out[2]["label"] == "Creatinine" and out[2]["errors"] == ""


def test_file_ranges_ignores_the_labs_limits(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, LONG, "--file-ranges"))
    assert (out[6]["flag"], out[6]["limits"]) == ("L", "reference")


def test_range_column(tmp_path: Path) -> None:
    text = "test,result,units,reference range\nK,3.4,mmol/L,3.3-5.1\nK,3.4,mmol/L,\n"
    out = rows(batch(tmp_path, text))
    assert [(r["flag"], r["limits"]) for r in out] == [("N", "lab"), ("L", "reference")]


def test_options_name_the_long_columns(tmp_path: Path) -> None:
    text = "who,what,how much,measure\n1,K,3.1,mmol/L\n"
    out = rows(
        batch(
            tmp_path,
            text,
            "--layout",
            "long",
            "--test-column",
            "what",
            "--value-column",
            "how much",
            "--unit-column",
            "measure",
        )
    )
    assert out[0]["flag"] == "L"


def test_map_option(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, "id,K+ (mmol/L)\n1,6.5\n", "--map", "k=K+ (mmol/L)"))
    assert out[0]["potassium_flag"] == "HH"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom", "\ufeffid,K\n1,3.1\n2,4.0\n"),
        ("crlf", "id,K\r\n1,3.1\r\n2,4.0\r\n"),
        ("no final newline", "id,K\n1,3.1\n2,4.0"),
        ("blank lines", "\nid,K\n1,3.1\n\n2,4.0\n\n"),
        ("semicolon", "id;K\n1;3.1\n2;4.0\n"),
        ("tab", "id\tK\n1\t3.1\n2\t4.0\n"),
        ("quoted", 'id,K\n"1, the first","3.1"\n"2\nsecond line",4.0\n'),
    ],
)
def test_messy_files_keep_every_row(tmp_path: Path, name: str, content: str) -> None:
    result = batch(tmp_path, content)
    assert result.exit_code == ExitCode.OK, result.output
    delimiter = ";" if name == "semicolon" else "\t" if name == "tab" else ","
    # The output keeps the input's delimiter (docs/batch.md, "Files as they arrive").
    out = list(csv.DictReader(io.StringIO(result.stdout), delimiter=delimiter))
    assert [r["potassium_flag"] for r in out] == ["L", "N"]
    assert len(out) == 2


def test_quoted_fields_come_out_unchanged(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, 'id,K,note\n1,3.1,"a, b"\n2,4.0,"two\nlines"\n'))
    assert [r["note"] for r in out] == ["a, b", "two\nlines"]


def test_ragged_rows_are_kept_and_explained(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, "id,K,note\n1,3.1\n2,4.0,x,extra,more\n3,5.5,z\n"))
    assert [r["potassium_flag"] for r in out] == ["L", "N", "H"]
    assert out[0]["note"] == "" and out[0]["errors"] == ""
    assert "row has 5 fields, the header 3" in out[1]["errors"]
    assert "'extra'" in out[1]["errors"]


def test_latin1_file_is_read_as_windows_1252(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,K,note\n1,3.1,Müller\n2,4.0,ok\n".encode("latin-1"))
    result = runner.invoke(app, ["batch", str(path)])
    assert result.exit_code == ExitCode.OK
    assert "not UTF-8" in result.stderr
    out = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["potassium_flag"] for r in out] == ["L", "N"] and out[0]["note"] == "Müller"


def test_latin1_after_a_long_utf8_start_is_read_too(tmp_path: Path) -> None:
    start = "".join(f"{i},4.0,ok\n" for i in range(200_000)).encode()
    path = _write(tmp_path, b"id,K,note\n" + start + "9,3.1,Müller\n".encode("latin-1"))
    result = runner.invoke(app, ["batch", str(path), "-q"])
    out = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(out) == 200_001 and out[-1]["note"] == "Müller"


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "raw.csv"
    path.write_bytes(data)
    return path


def test_header_only_and_one_row(tmp_path: Path) -> None:
    assert rows(batch(tmp_path, "id,K\n")) == []
    assert [r["potassium_flag"] for r in rows(batch(tmp_path, "id,K\n1,7.5\n"))] == ["HH"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("\n\n", "is empty"),
        ("id,name\n1,x\n", "no column names an analyte"),
    ],
)
def test_unusable_files_exit_2(tmp_path: Path, content: str, message: str) -> None:
    result = batch(tmp_path, content)
    assert result.exit_code == ExitCode.ERROR and result.stdout == ""
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_missing_file_and_directory(tmp_path: Path) -> None:
    for target in (tmp_path / "absent.csv", tmp_path):
        result = runner.invoke(app, ["batch", str(target)])
        assert result.exit_code == ExitCode.ERROR and "cannot read" in result.stderr


def test_stdin_to_stdout(tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", "-", "-q"], input="id,K\n1,3.1\n")
    assert result.exit_code == ExitCode.OK
    assert result.stdout.splitlines()[1].startswith("1,3.1,3.1,L,1,moderate")


def test_output_file_is_written_whole_with_normal_permissions(tmp_path: Path) -> None:
    source = _write(tmp_path, WIDE.encode())
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(target)])
    assert result.exit_code == ExitCode.OK and result.stdout == ""
    assert "3 rows read, 3 written" in result.stderr
    assert len(list(csv.DictReader(target.open()))) == 3
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".electrocheck")] == []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_output_may_not_be_the_input(tmp_path: Path) -> None:
    source = _write(tmp_path, WIDE.encode())
    result = runner.invoke(app, ["batch", str(source), "-o", str(source)])
    assert result.exit_code == ExitCode.ERROR and "is the input file" in result.stderr
    assert source.read_bytes() == WIDE.encode()


def test_failed_run_leaves_no_output(tmp_path: Path) -> None:
    source = _write(tmp_path, b"id,name\n1,x\n")
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(target)])
    assert result.exit_code == ExitCode.ERROR and not target.exists()
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ([], ExitCode.OK),
        (["--strict"], ExitCode.CONDITION_MET),
        (["--fail-on", "abnormal"], ExitCode.CONDITION_MET),
        # WIDE has no critical value, but two cells that could not be read: either could be.
        (["--fail-on", "critical"], ExitCode.CONDITION_MET),
        (["--fail-on", "critical", "--unknown-ok"], ExitCode.OK),
    ],
)
def test_exit_codes(tmp_path: Path, args: list[str], code: ExitCode) -> None:
    assert batch(tmp_path, WIDE, *args).exit_code == code


def test_strict_passes_a_clean_file(tmp_path: Path) -> None:
    assert batch(tmp_path, "id,K\n1,4.0\n", "--strict").exit_code == ExitCode.OK


def test_summary_on_stderr_only(tmp_path: Path) -> None:
    source = _write(tmp_path, WIDE.encode())
    result = runner.invoke(app, ["batch", str(source)])
    assert "3 rows read, 3 written" in result.stderr
    assert "potassium: L 1, N 1" in result.stderr
    assert "rows read" not in result.stdout


def test_jsonl_results_are_shaped_like_check(
    tmp_path: Path, check_result_names: frozenset[str]
) -> None:
    result = batch(tmp_path, WIDE, "--format", "jsonl")
    objects = jsonl_rows(result.stdout)
    assert len(objects) == 3
    first = objects[0]
    assert first["mrn"] == "1" and first["note"] == "first"
    assert set(first["results"][0]) >= check_result_names
    calcium = first["results"][0]
    assert (calcium["analyte"], calcium["value"], calcium["flag"]) == ("calcium", 1.896, "L")
    assert calcium["cancer_causes"] and calcium["effect"]
    assert objects[1]["errors"][0].startswith("K [mmol/L]: 'abc'")
    assert [r["analyte"] for r in objects[2]["results"]] == ["magnesium", "potassium"]


def test_jsonl_writes_the_texts_once(tmp_path: Path, ref: Reference) -> None:
    result = batch(tmp_path, WIDE, "--format", "jsonl")
    texts, *objects = (json.loads(line) for line in result.stdout.splitlines())
    assert list(texts) == ["record", "texts"] and texts["record"] == "texts"
    # The analytes of the file's columns (in a long file: all, and the corrections).
    assert list(texts["texts"]) == ["calcium", "magnesium", "potassium", "sodium"]
    calcium = ref.analytes["calcium"]
    assert texts["texts"]["calcium"]["low"] == {
        "label": calcium.label,
        "muscle_role": calcium.muscle_role,
        "effect": calcium.low.effect,
        "cancer_causes": list(calcium.low.causes),
    }
    assert texts["texts"]["calcium"]["normal"]["effect"] is None
    long = batch(tmp_path, "test,value\nK,3.1\n", "--format", "jsonl")
    every = json.loads(long.stdout.splitlines()[0])["texts"]
    assert list(every) == [*ref.analytes, *ref.corrections]
    corrected = every["corrected_calcium"]["high"]
    assert corrected["label"] == ref.corrections["corrected_calcium"].label
    assert corrected["effect"] == calcium.high.effect
    # Each result refers to the texts by analyte and direction, and repeats none.
    assert [o["record"] for o in objects].count("row") == 3
    results = [o for o in objects if o["record"] == "result"]
    directions = {"LL": "low", "L": "low", "N": "normal", "H": "high", "HH": "high"}
    assert all(r["direction"] == directions[r["flag"]] for r in results)
    assert {r["direction"] for r in results} >= {"low", "normal"}
    assert all({"muscle_role", "effect", "cancer_causes", "label"}.isdisjoint(r) for r in results)


@pytest.mark.parametrize("block", [8, 1 << 20])  # a batch per row, or one batch
def test_jsonl_writes_each_distinct_result_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    # Four rows, two of them alike, and a value whose unit differs only in its spelling: each
    # distinct result is written once, just before the first row that lists it, numbered
    # from 1 in the order the rows bring them, however the file is cut into batches; the
    # rows list them by id, in their columns' order.
    monkeypatch.setattr(delimited, "BLOCK_BYTES", block)
    text = "mrn,K,Calcium (mg/dL)\n1,3.1,7.6\n2,3.1,7.6\n3,4.0,\n4,3.1 mmol/L,7.6\n"
    result = batch(tmp_path, text, "--format", "jsonl")
    _, *records = (json.loads(line) for line in result.stdout.splitlines())
    rows = [r["results"] for r in records if r["record"] == "row"]
    assert rows == [[1, 2], [1, 2], [3], [4, 2]]
    written = [r["id"] for r in records if r["record"] == "result"]
    assert written == [1, 2, 3, 4]
    kinds = [(r["record"], r.get("id")) for r in records]
    assert kinds == [
        ("result", 1),
        ("result", 2),
        ("row", None),
        ("row", None),
        ("result", 3),
        ("row", None),
        ("result", 4),
        ("row", None),
    ]
    results = {r["id"]: r for r in records if r["record"] == "result"}
    assert [results[n]["input"] for n in written] == ["3.1", "7.6", "4.0", "3.1 mmol/L"]
    assert [r["analyte"] for r in jsonl_rows(result.stdout)[3]["results"]] == [
        "potassium",
        "calcium",
    ]


def test_jsonl_memory_counts_distinct_results_not_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two distinct results in 60 cells, the second first met in a batch that holds the first
    # too, the memory holding 2: nothing is forgotten, so the output is the same however the
    # file is cut into batches.
    monkeypatch.setattr(ResultIds, "MEMORY", 2)
    text = "K\n" + "4.0\n" * 20 + "4.0\n3.0\n" * 20
    outputs = set()
    for block in (8, 40, 1 << 20):
        monkeypatch.setattr(delimited, "BLOCK_BYTES", block)
        result = batch(tmp_path, text, "--format", "jsonl")
        assert result.stdout.count('"record":"result"') == 2
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_jsonl_ids_stay_unique_when_results_are_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the results it remembers, the writer forgets them: a result seen again is written
    # again under a new id, so that no id ever means two results.
    monkeypatch.setattr(ResultIds, "MEMORY", 2)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 8)  # a batch per row or two
    values = ["3.1", "3.2", "3.3", "3.1", "3.2", "3.1"]
    text = "K\n" + "\n".join(values) + "\n"
    result = batch(tmp_path, text, "--format", "jsonl")
    _, *records = (json.loads(line) for line in result.stdout.splitlines())
    ids = [r["id"] for r in records if r["record"] == "result"]
    assert ids == list(range(1, len(ids) + 1)) and len(ids) > 3  # written again
    rows = jsonl_rows(result.stdout)
    assert [row["results"][0]["input"] for row in rows] == values


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["not json"], "line 1 is not a record of electrocheck's JSON Lines"),
        (['{"K": "3.1"}'], "line 1 is not a record of electrocheck's JSON Lines"),
        (["[1, 2]"], "line 1 is not a record of electrocheck's JSON Lines"),
        (
            ['{"record":"texts","texts":{}}', "", '{"record":"row","results":[7]}'],
            "line 3 lists result 7, which no earlier line gives",
        ),
    ],
)
def test_read_jsonl_names_the_line_it_cannot_read(lines: list[str], message: str) -> None:
    with pytest.raises(InputError) as raised:
        list(read_jsonl(lines))
    assert str(raised.value) == message


def test_read_jsonl_reads_prefixed_keys(tmp_path: Path) -> None:
    # A file with a column named "results": every key electrocheck adds is "ec_" prefixed.
    out = tmp_path / "out.jsonl"
    source = tmp_path / "in.csv"
    source.write_text("results,K\nmine,3.1\nmine too,3.1\n", encoding="utf-8")
    run_batch(source, out)
    rows = list(read_jsonl(out))
    assert [row["results"] for row in rows] == ["mine", "mine too"]  # the input's own
    assert [row["ec_results"][0]["flag"] for row in rows] == ["L", "L"]
    assert rows[0]["ec_results"][0]["effect"]  # its texts joined back
    assert out.read_text(encoding="utf-8").count('"ec_record":"result"') == 1


def test_formula_looking_error_cannot_start_a_formula(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, "id,=K\n1,abc\n", "--map", "k==K"))
    assert out[0]["errors"].startswith("'=K: ")


def test_interpret_frame_on_dataframe_and_lazyframe(ref: Reference) -> None:
    frame = pl.DataFrame({"id": [1, 2], "K": [3.1, 4.0], "Calcium (mg/dL)": ["7.6", None]})
    eager = interpret_frame(frame, ref)
    assert eager["id"].to_list() == [1, 2]  # original columns unchanged, types kept
    assert eager["potassium_flag"].to_list() == ["L", "N"]
    assert eager["calcium_mmol_l"].to_list() == [1.896, None]
    lazy = interpret_frame(frame.lazy(), ref)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().equals(eager)


def test_output_to_a_device_is_written_not_replaced(tmp_path: Path) -> None:
    source = _write(tmp_path, WIDE.encode())
    result = runner.invoke(app, ["batch", str(source), "-o", os.devnull, "-q"])
    assert result.exit_code == ExitCode.OK
    assert Path(os.devnull).is_char_device()
    to_dir = runner.invoke(app, ["batch", str(source), "-o", str(tmp_path)])
    assert to_dir.exit_code == ExitCode.ERROR and "is a directory" in to_dir.stderr


@pytest.mark.parametrize(
    ("content", "flags"),
    [
        ("\tK\tNa\n1\t4.1\t140\n", [("N", "N")]),  # an empty first header cell (TSV)
        ("id,K,Na\n1,4.1,140\n,,\n2,3.0,130\n", [("N", "N"), ("L", "L")]),
    ],
)
def test_header_and_empty_rows(tmp_path: Path, content: str, flags: list[tuple[str, str]]) -> None:
    out = rows(batch(tmp_path, content, "--output-delimiter", ","))  # TSV in would be TSV out
    assert [(r["potassium_flag"], r["sodium_flag"]) for r in out] == flags


def test_row_of_empty_fields_with_extra_field_is_kept(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, "id,K\n1,4.1\n,,9.9\n2,3.0\n"))
    assert len(out) == 3 and "row has 3 fields" in out[1]["errors"]


def test_stray_quote_does_not_lose_rows_or_hang(tmp_path: Path) -> None:
    body = "".join(f"{i},4.0,note\n" for i in range(300_000))
    text = 'id,K,comment\n0,3.1,patient is 5" tall\n' + body
    out = rows(batch(tmp_path, text))
    assert len(out) == 300_001 and out[0]["comment"] == 'patient is 5" tall'
    assert out[0]["potassium_flag"] == "L" and out[-1]["id"] == "299999"


def test_header_that_cannot_be_read_is_exit_2(tmp_path: Path) -> None:
    result = batch(tmp_path, 'id,"K\n1,4.1\n')  # a quote that never closes
    assert result.exit_code == ExitCode.ERROR and "header" in result.stderr


def test_lines_ended_by_cr_alone_are_read(tmp_path: Path) -> None:
    # Once refused with the csv module's "new-line character seen in unquoted field".
    assert [r["potassium_flag"] for r in rows(batch(tmp_path, "id,K\r1,4.1\r"))] == ["N"]


def test_huge_cell_in_a_ragged_file(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, "id,K,note\n1,3.1," + "x" * 200_000 + "\n2,4.0,a,b\n"))
    assert len(out[0]["note"]) == 200_000 and "row has 4 fields" in out[1]["errors"]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("٣.١", "is not a number"),  # Arabic-Indic digits: refused, as check refuses them
        ("４.１", "is not a number"),
        ("4,1", "use a decimal point"),
    ],
)
def test_odd_numbers_give_errors_not_crashes(tmp_path: Path, cell: str, message: str) -> None:
    out = rows(batch(tmp_path, f'id,K\n1,"{cell}"\n'))
    assert out[0]["potassium_flag"] == "" and message in out[0]["errors"]


def test_lab_limits_must_be_plain_numbers(tmp_path: Path) -> None:
    text = (
        "test,value,unit,low,high\n"
        "K,5.2,mmol/L,3.5,nan\nK,5.2,mmol/L,3.5,1e1\nK,5.2,mmol/L,3.5,5.5\n"
    )
    out = rows(batch(tmp_path, text))
    assert [(r["flag"], r["limits"]) for r in out] == [
        ("H", "reference"),
        ("H", "reference"),
        ("N", "lab"),
    ]


def test_rounding_ties_match_check(tmp_path: Path) -> None:
    out = rows(batch(tmp_path, "id,K\n1,2.0625\n2,1.0625\n"))
    assert [r["potassium_mmol_l"] for r in out] == ["2.062", "1.062"]  # as check's 4 digits


def test_jsonl_keys_never_clash(tmp_path: Path) -> None:
    result = batch(
        tmp_path,
        "K,K_2,K,errors,results,patterns\n4.1,a,b,c,d,e\n",
        "--format",
        "jsonl",
        "--map",
        "k=K",
    )
    first = jsonl_rows(result.stdout)[0]
    # Input fields keep their names (a repeated one made unique); electrocheck's own keys
    # take the prefix ec_, as its CSV columns would.
    assert list(first) == [
        "ec_record",
        "K",
        "K_2",
        "K_3",
        "errors",
        "results",
        "patterns",
        "ec_results",
        "ec_patterns",
        "ec_errors",
    ]
    assert first["errors"] == "c" and first["ec_results"][0]["flag"] == "N"


def test_jsonl_results_carry_the_fields_of_check(tmp_path: Path) -> None:
    result = batch(tmp_path, "id,Calcium (mg/dL)\n1,5.6\n", "--format", "jsonl")
    calcium = jsonl_rows(result.stdout)[0]["results"][0]
    assert (calcium["label"], calcium["entered_value"], calcium["unit_assumed"]) == (
        "Calcium (total)",
        5.6,
        False,
    )
    assert (calcium["critical_low"], calcium["critical_high"]) == (1.497, 3.244)
    assert any("critical limit" in n for n in calcium["notes"])
    assert any("albumin" in n for n in calcium["notes"])


def test_run_batch_returns_the_summary(tmp_path: Path, ref: Reference) -> None:
    from electrocheck.batch.run import BatchOptions, run_batch

    summary = run_batch(_write(tmp_path, WIDE.encode()), tmp_path / "out.csv", ref, BatchOptions())
    data = summary.to_dict()
    assert (data["layout"], data["rows_read"], data["rows_written"]) == ("wide", 3, 3)
    assert data["flags"]["potassium"] == {"L": 1, "N": 1}
    assert (data["cell_errors"], data["rows_with_errors"]) == (2, 1)


# -- grades, patients, corrections


def _csv(result: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize(
    ("test", "value", "unit", "flag", "grade"),
    [
        # A strict bound is beyond a limit or cut-point equal to it.
        ("K", "<2.5", "mmol/L", "LL", "4"),
        ("K", "less than 2.5", "mmol/L", "LL", "4"),
        ("Na", ">160", "mmol/L", "HH", "4"),
        ("Na", "<120", "mmol/L", "LL", "4"),
        ("Calcium", "<6.0", "mg/dL", "LL", "4"),
        # At or below: interpreted at the bound.
        ("K", "<=2.5", "mmol/L", "LL", "3"),
        ("K", "2.5", "mmol/L", "LL", "3"),
    ],
)
def test_censored_values_are_graded_beyond_a_strict_bound(
    tmp_path: Path, test: str, value: str, unit: str, flag: str, grade: str
) -> None:
    row = _csv(batch(tmp_path, f"test,value,unit\n{test},{value},{unit}\n"))[0]
    assert (row["flag"], row["grade"]) == (flag, grade)


def test_a_row_whose_age_cannot_be_read_gets_no_results(tmp_path: Path) -> None:
    rows = _csv(batch(tmp_path, "age,sex,K\n10 days old,F,5.8\n10d,X,5.8\n0,,7.0\n10d,F,5.8\n"))
    assert [r["potassium_flag"] for r in rows] == ["", "", "", "N"]
    assert "age '10 days old'" in rows[0]["errors"]
    assert "sex 'X'" in rows[1]["errors"]
    assert "0 years" in rows[2]["errors"]


def test_batch_grades_and_corrects_per_row(tmp_path: Path) -> None:
    content = "age,Calcium (mg/dL),Albumin (g/dL),K,Sodium,Glucose\n64,7.6,2.5,3.1,130,412 mg/dL\n"
    row = _csv(batch(tmp_path, content))[0]
    assert (row["calcium_flag"], row["calcium_grade"]) == ("L", "")  # graded as corrected
    assert (row["corrected_calcium_flag"], row["corrected_calcium_grade"]) == ("N", "0")
    assert (row["corrected_sodium_flag"], row["corrected_sodium_grade"]) == ("L", "")
    assert row["potassium_grade"] == "1"


def test_only_a_corrected_column_loses_its_grade(tmp_path: Path) -> None:
    rows = _csv(batch(tmp_path, "Calcium,Calcium (mg/dL),Albumin\n,8.0,2.5\n<1.5,,2.5\n"))
    # The second calcium column is not corrected, so it is graded as measured.
    assert (rows[0]["calcium_2_flag"], rows[0]["calcium_2_grade"]) == ("L", "1")
    # A censored calcium gets no corrected value, so it keeps its grade.
    assert (rows[1]["calcium_grade"], rows[1]["corrected_calcium_flag"]) == ("4", "")


def test_fail_on_counts_corrected_results(tmp_path: Path) -> None:
    result = batch(tmp_path, "Calcium,Albumin\n2.9,20 g/L\n", "--fail-on", "critical")
    assert result.exit_code == ExitCode.CONDITION_MET
    assert _csv(result)[0]["corrected_calcium_flag"] == "HH"


def test_summary_says_adult_limits_without_an_age_column(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("K\n4.1\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(source)])
    assert "no age column: adult limits were used" in result.stderr
    source.write_text("age,K\n40,4.1\n", encoding="utf-8")
    assert "no age column" not in runner.invoke(app, ["batch", str(source)]).stderr


def test_lazy_frame_with_a_correction_stays_lazy(ref: Reference) -> None:
    frame = pl.DataFrame({"Calcium": ["2.0"], "Albumin": ["2.5"]}).lazy()
    checked = interpret_frame(frame, ref)
    assert isinstance(checked, pl.LazyFrame)
    assert checked.collect()["corrected_calcium_flag"].to_list() == ["N"]


def test_patterns_column_when_no_pattern_names_a_column_of_the_file(tmp_path: Path) -> None:
    # Found by fuzzing: sodium appears in no pattern, so the pattern expression was a
    # literal and gave one value for a batch of many rows.
    rows = _csv(batch(tmp_path, "mrn,Sodium\n1,128\n2,140\n3,150\n"))
    assert [r["patterns"] for r in rows] == ["", "", ""]
    assert [r["sodium_flag"] for r in rows] == ["L", "N", "H"]
