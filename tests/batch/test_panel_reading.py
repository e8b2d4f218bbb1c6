"""A long file grouped into panels read once in memory, twice streaming, or a part of its
patients at a time (``--sorted``): the same output, to the byte, and the same summary."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from batch_files import runner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import electrocheck.batch.panel_reading as panel_reading
import electrocheck.batch.run as run_module
import electrocheck.formats.delimited as delimited
from electrocheck import read_jsonl
from electrocheck.batch.layout import LayoutOptions
from electrocheck.batch.run import BatchOptions, run_batch
from electrocheck.cli.commands import app
from electrocheck.errors import InputError
from electrocheck.formats.frame import ROW_ERROR

_START = datetime(2026, 3, 1, 8, 0)
_TESTS = {
    "Sodium": lambda v: str(115 + v),
    "Potassium": lambda v: f"{2.0 + v / 10:.1f}",
    "Calcium": lambda v: f"{5.5 + v / 5:.1f}",
    "Albumin": lambda v: f"{1.5 + v / 10:.1f}",
    "Glucose": lambda v: str(60 + 20 * v),
    "Magnesium": lambda v: f"{0.5 + v / 20:.2f}",
}
_UNITS = {"Sodium": "mmol/L", "Potassium": "mmol/L"}


def _rows(patients: list[str]) -> st.SearchStrategy[tuple[str, int, str, str, int]]:
    """A row: patient ("": none), hours after the start, specimen number ("": none), test,
    value."""
    return st.tuples(
        st.sampled_from(patients),
        st.integers(0, 30),
        st.sampled_from(["", "1", "2", "3"]),
        st.sampled_from(sorted(_TESTS)),
        st.integers(0, 40),
    )


_ROW = _rows(["A", "B", "C", "D", " E", "F10", "F9", ""])
_FAST = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _text(rows: list[tuple[str, int, str, str, int]]) -> str:
    """A long file of ``rows``; a specimen number is its patient's own (as a lab's are)."""
    lines = [
        ",".join(
            [
                patient,
                (_START + timedelta(hours=4 * hours)).strftime("%Y-%m-%d %H:%M"),
                f"S{patient.strip()}{specimen}" if specimen else "",
                test,
                _TESTS[test](value),
                _UNITS.get(test, "mg/dL" if test != "Albumin" else "g/dL"),
            ]
        )
        for patient, hours, specimen, test, value in rows
    ]
    return "patient_id,collected,specimen_id,test,value,unit\n" + "\n".join(lines) + "\n"


def _sorted(rows: list[tuple[str, int, str, str, int]]) -> list[tuple[str, int, str, str, int]]:
    """``rows`` sorted by patient id (as polars compares texts), rows without one left where
    they fall among the others."""
    with_id = iter(sorted((r for r in rows if r[0].strip()), key=lambda r: r[0].strip()))
    return [next(with_id) if r[0].strip() else r for r in rows]


def _output(
    folder: Path, text: str, suffix: str, sorted_rows: bool = False
) -> tuple[bytes, bytes, dict[str, object]]:
    """The output, the per-patient table and the summary of the panels."""
    labs, out, patients = folder / "in.csv", folder / f"out.{suffix}", folder / "patients.csv"
    labs.write_text(text)
    options = BatchOptions(layout=LayoutOptions(sorted_rows=sorted_rows), by_patient=patients)
    summary = run_batch(labs, out, options=options)
    assert summary.panels is not None
    return out.read_bytes(), patients.read_bytes(), summary.panels.to_dict()


@_FAST
@given(
    rows=st.lists(_ROW, min_size=1, max_size=40),
    held=st.sampled_from([0, 1, 400, 1 << 20]),
    size_known=st.booleans(),
    held_bytes=st.sampled_from([0, 300, 6 << 20]),
    usual_rows=st.sampled_from([1, 3, 65_000]),
)
@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_read_once_or_twice_the_output_is_the_same(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    rows: list[tuple[str, int, str, str, int]],
    held: int,
    size_known: bool,
    held_bytes: int,
    usual_rows: int,
) -> None:
    folder = tmp_path_factory.mktemp("reading")
    text = _text(rows)
    once = _output(folder, text, suffix)
    steps = panel_reading.panel_steps

    def size_unknown(*args, **named):  # type: ignore[no-untyped-def]
        return steps(*args, **{**named, "size": None})

    with monkeypatch.context() as m:
        # Small batches, kept as read or joined (several kept in memory where the memory
        # allowed is 1 MB), and taken again in parts of a few rows or whole; a file larger
        # than the memory allowed read twice from the start (its size known), or found too
        # large once some of its batches were read (its size not known, as a compressed
        # file's text is not).
        m.setattr(delimited, "BLOCK_BYTES", 120)
        m.setattr(panel_reading, "HELD_BYTES", held_bytes)
        m.setattr(panel_reading, "USUAL_ROWS", usual_rows)
        m.setattr(panel_reading, "IN_MEMORY_BYTES", held)
        if not size_known:
            m.setattr(run_module, "panel_steps", size_unknown)
        assert _output(folder, text, suffix) == once


@_FAST
@given(
    rows=st.lists(_ROW, min_size=1, max_size=40),
    part_rows=st.integers(1, 12),
    block=st.sampled_from([60, 200, 1 << 20]),
    held_bytes=st.sampled_from([0, 300, 6 << 20]),
)
@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_sorted_parts_give_the_output_of_the_whole_file(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    rows: list[tuple[str, int, str, str, int]],
    part_rows: int,
    block: int,
    held_bytes: int,
) -> None:
    folder = tmp_path_factory.mktemp("sorted")
    text = _text(_sorted(rows))
    whole = _output(folder, text, suffix)
    with monkeypatch.context() as m:
        m.setattr(delimited, "BLOCK_BYTES", block)
        m.setattr(panel_reading, "HELD_BYTES", held_bytes)
        m.setattr(panel_reading, "PART_ROWS", part_rows)
        assert _output(folder, text, suffix, sorted_rows=True) == whole


def _by_number(rows: list[tuple[str, int, str, str, int]]) -> list[tuple[str, int, str, str, int]]:
    """``rows`` sorted by patient id as numbers (``9`` before ``10``; ``07`` after ``7``), rows
    without one left where they fall among the others."""
    with_id = iter(sorted((r for r in rows if r[0]), key=lambda r: (int(r[0]), r[0])))
    return [next(with_id) if r[0] else r for r in rows]


def _panels_apart(output: bytes) -> tuple[list[list[str]], list[tuple[str, ...]]]:
    """A CSV output's rows without their panel numbers, and each row's panel as the rows of
    the output it holds (so that two numberings of the same panels compare equal)."""
    table = list(csv.reader(io.StringIO(output.decode())))
    at = table[0].index("panel")
    members: dict[str, list[str]] = {}
    for number, row in enumerate(table[1:]):
        members.setdefault(row[at], []).append(str(number))
    rows = [row[:at] + row[at + 1 :] for row in table]
    return rows, [tuple(members[row[at]]) if row[at] else () for row in table[1:]]


@_FAST
@given(
    rows=st.lists(_rows(["1", "2", "9", "10", "11", "100", "7", "07", ""]), max_size=40),
    part_rows=st.integers(1, 12),
)
def test_ids_sorted_as_numbers_give_the_same_results(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[tuple[str, int, str, str, int]],
    part_rows: int,
) -> None:
    # A file sorted by a numeric sort: the results, patterns and changes of the whole file,
    # the same panels; only the panels' numbers may follow the parts.
    folder = tmp_path_factory.mktemp("numbers")
    text = _text(_by_number(rows))
    whole, whole_patients, whole_summary = _output(folder, text, "csv")
    with monkeypatch.context() as m:
        m.setattr(delimited, "BLOCK_BYTES", 200)
        m.setattr(panel_reading, "PART_ROWS", part_rows)
        parts, patients, summary = _output(folder, text, "csv", sorted_rows=True)
    assert _panels_apart(parts) == _panels_apart(whole)
    assert (patients, summary) == (whole_patients, whole_summary)


def test_a_file_sorted_by_patient_is_read_in_several_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [(p, h, str(h), t, 10 + h) for p in "ABCD" for h in (0, 1, 2) for t in _TESTS]
    text = _text(rows)
    whole = _output(tmp_path, text, "csv")
    parts: list[int] = []
    first_pass = panel_reading.Panels.first_pass

    def counted(self, batches, at_once=False):  # type: ignore[no-untyped-def]
        parts.append(self.first_panel)
        first_pass(self, batches, at_once)

    monkeypatch.setattr(panel_reading.Panels, "first_pass", counted)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 100)
    monkeypatch.setattr(panel_reading, "PART_ROWS", 20)
    assert _output(tmp_path, text, "csv", sorted_rows=True) == whole
    # Four patients of 18 rows, 3 panels each: parts that end where a patient does (the
    # first past 20 rows), numbered on.
    assert len(parts) > 1
    assert parts == sorted(set(parts)) and all(n % 3 == 0 for n in parts)


# -- a row out of order stops the run, naming the row; rows in order never do


@pytest.mark.parametrize("block", [40, 1 << 20])  # the row out of order in its own batch or not
def test_a_row_out_of_order_stops_the_run_and_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", block)
    rows = [("A", 0, "1", "Sodium", 1), ("", 1, "", "Sodium", 2), ("B", 0, "1", "Sodium", 3)]
    rows += [("B", 1, "1", "Potassium", 4), ("A", 2, "2", "Sodium", 5), ("C", 0, "", "Sodium", 6)]
    labs, out = tmp_path / "in.csv", tmp_path / "out.csv"
    labs.write_text(_text(rows))
    options = BatchOptions(layout=LayoutOptions(sorted_rows=True))
    with pytest.raises(InputError) as raised:
        run_batch(labs, out, options=options)
    assert str(raised.value) == (
        "--sorted: row 5 has patient_id 'A' after 'B': the rows are not sorted by patient id "
        "(sort them, or leave out --sorted)"
    )
    assert not out.exists()  # nothing written


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        # Ids of digits: named where each order broke, or once where one pair broke both.
        (
            ["10", "9", "8"],
            "the rows are sorted by patient id neither as text (row 3 has patient_id '8' "
            "after '9') nor as numbers (row 2 has patient_id '9' after '10')",
        ),
        (
            ["9", "10", "9"],
            "the rows are sorted by patient id neither as text (row 2 has patient_id '10' "
            "after '9') nor as numbers (row 3 has patient_id '9' after '10')",
        ),
        (  # two patients, not one
            ["7", "07"],
            "row 2 has patient_id '07' after '7': the rows are sorted by patient id neither "
            "as text nor as numbers",
        ),
        # Ids that are not all numbers: the order of text alone.
        (
            ["1", "2", "A", "B", "3"],
            "row 5 has patient_id '3' after 'B': the rows are not sorted by patient id",
        ),
        (
            ["1", "A", "2"],
            "row 3 has patient_id '2' after 'A': the rows are not sorted by patient id",
        ),
        (
            ["9", "10", "F", "9"],
            "row 2 has patient_id '10' after '9': the rows are not sorted by patient id",
        ),
    ],
)
@pytest.mark.parametrize("block", [30, 1 << 20])
def test_ids_in_neither_order_stop_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, ids: list[str], message: str
) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", block)
    labs, out = tmp_path / "in.csv", tmp_path / "out.csv"
    labs.write_text(_text([(p, 0, "", "Sodium", n) for n, p in enumerate(ids)]))
    with pytest.raises(InputError) as raised:
        run_batch(labs, out, options=BatchOptions(layout=LayoutOptions(sorted_rows=True)))
    assert str(raised.value) == f"--sorted: {message} (sort them, or leave out --sorted)"
    assert not out.exists()


@pytest.mark.parametrize("block", [40, 1 << 20])
def test_rows_in_order_run_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(delimited, "BLOCK_BYTES", block)
    # Equal ids, ids without a patient between them, spaces around an id, and text order
    # (F10 before F9).
    rows = [("A", 0, "1", "Sodium", 1), ("", 1, "", "Sodium", 2), ("A", 1, "", "Sodium", 3)]
    rows += [(" B", 0, "1", "Sodium", 4), ("B ", 2, "", "Sodium", 5), ("F10", 0, "", "Sodium", 6)]
    rows += [("", 0, "", "Sodium", 7), ("F9", 0, "", "Sodium", 8)]
    labs, out = tmp_path / "in.csv", tmp_path / "out.csv"
    labs.write_text(_text(rows))
    options = BatchOptions(layout=LayoutOptions(sorted_rows=True))
    assert run_batch(labs, out, options=options).rows_read == len(rows)


@pytest.mark.parametrize(
    ("header", "extra"),
    [
        ("collected,specimen_id,test,value", []),  # no patient column
        ("patient_id,collected,test,value", ["--no-panels"]),
    ],
)
def test_sorted_needs_rows_grouped_by_patient(
    tmp_path: Path, header: str, extra: list[str]
) -> None:
    labs = tmp_path / "in.csv"
    labs.write_text(header + "\n" + ",".join(["1"] * (header.count(",") - 1)) + ",K,4.1\n")
    result = runner.invoke(
        app, ["batch", str(labs), "-o", str(tmp_path / "o.csv"), "--sorted", *extra]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("electrocheck: error: --sorted reads a long file a part")
    assert "Traceback" not in result.stderr


def test_sorted_at_the_command_line(tmp_path: Path) -> None:
    rows = [("A", 0, "1", "Calcium", 10), ("A", 0, "1", "Albumin", 5), ("B", 0, "", "Sodium", 1)]
    labs, out = tmp_path / "in.csv", tmp_path / "out.jsonl"
    labs.write_text(_text(rows))
    result = runner.invoke(app, ["batch", str(labs), "-o", str(out), "--sorted", "--quiet"])
    assert result.exit_code == 0, result.stderr
    rows_out = list(read_jsonl(out))
    analytes = [[r["analyte"] for r in row["results"]] for row in rows_out]
    assert analytes == [["calcium"], ["corrected_calcium"], [], ["sodium"]]
    assert [row["panel"] for row in rows_out] == [1, 1, 1, 2]


def test_a_row_without_a_patient_does_not_end_a_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each row a batch of its own, each batch past the part's rows: the row without an id
    # must not cut patient A's rows in two (their panel, and its pattern, are one).
    rows = [("A", 0, "3", "Magnesium", 0), ("", 0, "", "Sodium", 1), ("A", 0, "3", "Calcium", 0)]
    rows += [("B", 0, "1", "Sodium", 2)]
    text = _text(rows)
    whole = _output(tmp_path, text, "csv")
    assert whole[2]["patterns"] == {"mg-first-ca": 1}
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 40)
    monkeypatch.setattr(panel_reading, "PART_ROWS", 1)
    assert _output(tmp_path, text, "csv", sorted_rows=True) == whole


# -- the blocks read, joined into larger batches


def _batch(rows: int, start: int, position: int, error: bool = False) -> tuple[pl.DataFrame, int]:
    """A batch of ``rows`` numbers from ``start`` (8 bytes each), ending at ``position``."""
    frame = pl.DataFrame({"c0": list(range(start, start + rows))}, schema={"c0": pl.Int64})
    if error:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(ROW_ERROR))
    return frame, position


@pytest.mark.parametrize(
    ("sizes", "rows", "joined", "ends"),
    [
        ([3, 3, 3], 0, [3, 3, 3], [10, 20, 30]),  # each batch already holds enough
        ([3, 3, 3], 4, [6, 3], [20, 30]),  # joined until they hold enough; the last may not
        ([3, 3, 3], 6, [6, 3], [20, 30]),
        ([3, 3, 3], 7, [9], [30]),
        ([2, 5, 1, 1], 3, [7, 2], [20, 40]),
        ([1, 1, 4, 1], 2, [2, 4, 1], [20, 30, 40]),
        ([4], 100, [4], [10]),
        ([], 5, [], []),
    ],
)
def test_batches_kept_in_memory_are_joined_in_order(
    sizes: list[int], rows: int, joined: list[int], ends: list[int]
) -> None:
    batches, start = [], 0
    for n, size in enumerate(sizes):
        batches.append(_batch(size, start, position=10 * (n + 1)))
        start += size
    found = list(panel_reading._regrouped(iter(batches), 8 * rows))
    assert [frame.height for frame, _ in found] == joined
    # Every row once, in order; each joined batch ends where its last block did.
    assert [v for frame, _ in found for v in frame["c0"]] == list(range(start))
    assert [position for _, position in found] == ends


@pytest.mark.parametrize(
    ("rows", "most", "parts"),
    [
        (10, 10, [10]),  # no longer than allowed: as it is
        (11, 10, [6, 5]),  # equal parts, not 10 and 1
        (20, 10, [10, 10]),
        (21, 10, [7, 7, 7]),
        (126_000, 65_000, [63_000, 63_000]),
        (1, 1, [1]),
        (0, 5, [0]),
    ],
)
def test_a_kept_batch_is_taken_again_in_equal_parts(
    monkeypatch: pytest.MonkeyPatch, rows: int, most: int, parts: list[int]
) -> None:
    monkeypatch.setattr(panel_reading, "USUAL_ROWS", most)
    found = list(panel_reading._parted(_batch(rows, 0, position=70)))
    assert [frame.height for frame, _ in found] == parts
    assert [v for frame, _ in found for v in frame["c0"]] == list(range(rows))
    assert {position for _, position in found} == {70}


def test_batches_with_other_columns_are_not_joined() -> None:
    # A batch with the column of rows not read whole is not joined to one without it.
    batches = [_batch(2, 0, 1), _batch(2, 2, 2, error=True), _batch(2, 4, 3, error=True)]
    found = list(panel_reading._regrouped(iter(batches), 1 << 20))
    assert [(frame.height, ROW_ERROR in frame.columns, at) for frame, at in found] == [
        (2, False, 1),
        (4, True, 3),
    ]
