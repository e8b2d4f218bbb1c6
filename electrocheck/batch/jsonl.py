"""JSON Lines output of a batch: a record of texts, then each distinct result once, and one
record per input row that lists its results by id.

The first line holds the texts that depend only on a result's analyte and direction (its
label, what the electrolyte does in muscle, what the change does, its cancer-related
causes), once (:func:`texts_record`): ``{"record": "texts", "texts": {analyte: {direction:
{...}}}}``. Each input row is a line ``{"record": "row", ...}`` (:func:`json_line`) whose
``results`` are ids; each distinct result is a line ``{"record": "result", "id": N, ...}``
just before the first row that lists it (:class:`ResultIds`), shaped like ``check``'s
result without those texts and with its ``direction`` (``low``, ``high`` or ``normal``, by
the flag), by which it is found in the texts. A result with its texts added back is
``check``'s result; :func:`read_jsonl` reads the rows back so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from os import PathLike
from typing import Any

import polars as pl

from electrocheck.batch.columns import (
    CHANGE_NAMES,
    NOTES_SEP,
    PATTERN_NOTES,
    added_names,
    detail_columns,
    error_columns,
    json_keys,
    medication_names,
    name_prefix,
    output_names,
)
from electrocheck.batch.layout import Layout
from electrocheck.errors import InputError
from electrocheck.formats.frame import internal_names
from electrocheck.reference import Reference
from electrocheck.units.resolve import MMOL_PER_L

#: A result's direction, by its flag: the key of its texts under its analyte.
DIRECTIONS = {"LL": "low", "L": "low", "N": "normal", "H": "high", "HH": "high"}
#: The kinds of record (the value of ``record`` on each line).
TEXTS, RESULT, ROW = "texts", "result", "row"


def texts_record(reference: Reference, layout: Layout) -> bytes:
    """The first line: for every analyte the file's results may have (a wide file's columns
    and their corrections; in a long file, every analyte of the reference file and every
    correction), for each direction, the texts its results leave out."""
    if layout.kind == "wide":
        keys = [c.analyte for c in layout.wide] + [key for key, _, _ in layout.corrections]
    else:
        keys = [*reference.analytes, *reference.corrections]
    entries = []
    for key in dict.fromkeys(keys):  # in order, each once (a file may repeat a column)
        correction = reference.corrections.get(key)
        if correction is None:
            entries.append((key, reference.analytes[key].label, reference.analytes[key]))
        else:
            entries.append((key, correction.label, reference.analytes[correction.corrects]))
    texts: dict[str, dict[str, dict[str, Any]]] = {}
    for key, label, analyte in entries:
        sides = {"low": analyte.low, "high": analyte.high, "normal": None}
        texts[key] = {
            direction: {
                "label": label,
                "muscle_role": analyte.muscle_role,
                "effect": None if side is None else side.effect,
                "cancer_causes": [] if side is None else list(side.causes),
            }
            for direction, side in sides.items()
        }
    record = {json_keys(layout)["record"]: TEXTS, "texts": texts}
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def result_texts(layout: Layout) -> list[pl.Expr]:
    """Each result of a processed batch's rows as JSON text (null where there is none):
    the text made once per distinct input (the engine's ``d0``, ``d1`` ...), with the row's
    medicines where the run has a medication list."""
    details = [pl.col(name) for name in detail_columns(layout)]
    if layout.medications:  # each result's medicines, in place of its empty list
        details = [
            detail.str.strip_suffix(NO_MEDICATIONS)
            + pl.concat_str(
                pl.lit('"medications":['),
                pl.col(f"{MEDICATION_JSON}{i}").fill_null(""),
                pl.lit("]}"),
            )
            for i, detail in enumerate(details)
        ]
    return details


def json_line(layout: Layout, keys: list[str], results: list[pl.Expr] | None = None) -> pl.Expr:
    """A processed batch's rows as JSON text, one record per row: ``record`` (``"row"``), the
    original fields under their header names (``keys``), then ``results``, ``patterns``
    (wide layout) and ``errors`` (and a long file's panel keys).

    ``results``: what stands for each result in the list (its id: see :class:`ResultIds`);
    by default the result itself, its JSON made once per distinct input (the ``json`` field
    of :func:`result_json`), so that a row's results are joined as text, not encoded again."""
    originals = internal_names(len(layout.header))
    named = json_keys(layout)  # "results", or "ec_results" where an input column has the name
    head = pl.struct(
        pl.lit(ROW).alias(named["record"]),
        *[pl.col(name).alias(key) for name, key in zip(originals, keys, strict=True)],
    )
    details = result_texts(layout) if results is None else results
    listed = pl.concat_str(details, separator=",", ignore_nulls=True)
    # Text, not lists: a list per row costs several times the text it becomes.
    errors = pl.concat_str(
        [_quoted(pl.col(e)) for e in error_columns(layout)], separator=",", ignore_nulls=True
    )
    parts = [
        head.struct.json_encode().str.strip_suffix("}"),  # {"record":"row",...fields
        pl.lit(f",{json.dumps(named['results'])}:["),
        listed.fill_null(""),
        pl.lit("]"),
    ]
    if layout.kind == "wide":
        patterns = pl.col(f"r{added_names(layout).index('patterns')}")
        listed = patterns.str.split("; ").fill_null(pl.lit([], pl.List(pl.String)))
        parts += [pl.lit(","), _members(pl.struct(listed.alias(named["patterns"])))]
    parts += [pl.lit(f",{json.dumps(named['errors'])}:["), errors.fill_null(""), pl.lit("]")]
    if layout.panels is not None:
        parts += [pl.lit(","), _members(pl.struct(_panel_keys(layout)))]
    if layout.medications:
        parts += [pl.lit(","), _members(pl.struct(_medication_keys(layout)))]
    return pl.concat_str(*parts, pl.lit("}")).alias("line")


def _medication_keys(layout: Layout) -> list[pl.Expr]:
    """The medicines that explain each result, as lists, under the CSV's column names."""
    names = added_names(layout)
    shown = dict(zip(names, output_names(layout), strict=True))
    empty = pl.lit([], pl.List(pl.String))
    return [
        pl.col(f"r{names.index(name)}").str.split("; ").fill_null(empty).alias(shown[name])
        for name in medication_names(layout)
    ]


def _members(record: pl.Expr) -> pl.Expr:
    """A struct's JSON without its braces: ``"key":value,...``."""
    return record.struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")


def _quoted(text: pl.Expr) -> pl.Expr:
    """Text as a JSON string, quoted and escaped; null stays null."""
    encoded = pl.struct(text.alias("x")).struct.json_encode()  # {"x":"..."}
    return pl.when(text.is_not_null()).then(encoded.str.slice(5).str.strip_suffix("}"))


def _panel_keys(layout: Layout) -> list[pl.Expr]:
    """A long file's panel: the row's kind, its input row, its panel and the panel's time,
    the ids and notes of the patterns its result takes part in, and notes on its panel."""
    names = added_names(layout)
    shown = dict(zip(names, output_names(layout), strict=True))

    def column(name: str) -> pl.Expr:
        return pl.col(f"r{names.index(name)}")

    empty = pl.lit([], pl.List(pl.String))
    return [
        column("row_kind").alias(shown["row_kind"]),
        column("source_row").alias(shown["source_row"]),
        column("panel").alias(shown["panel"]),
        column("panel_time").alias(shown["panel_time"]),
        column("patterns").str.split("; ").fill_null(empty).alias(shown["patterns"]),
        pl.col(PATTERN_NOTES)
        .str.split(NOTES_SEP)
        .fill_null(empty)
        .alias(name_prefix(layout) + "pattern_notes"),
        column("panel_notes").str.split("; ").fill_null(empty).alias(shown["panel_notes"]),
        *_change_keys(column, shown, empty),
    ]


def _change_keys(column: Any, shown: dict[str, str], empty: pl.Expr) -> list[pl.Expr]:
    """Changes over time, where the file has them: the notes as a list."""
    return [
        (
            column(name).str.split("; ").fill_null(empty)
            if name == "change_notes"
            else column(name)
        ).alias(shown[name])
        for name in CHANGE_NAMES
        if name in shown
    ]


def result_json(lab_flag: bool = False) -> pl.Expr:
    """A result as JSON text, from the result fields (:data:`DETAIL_FIELDS`) of a frame:
    ``check``'s result without the texts of :func:`texts_record`, with its ``direction``,
    ``censored`` and ``limits`` (and ``lab_flag`` where the source has one). Null where
    there is no result."""
    col = pl.col
    flag = col("flag")
    record = pl.struct(
        col("analyte").alias("analyte"),
        col("input").alias("input"),
        col("mmol_l").alias("value"),
        pl.lit(MMOL_PER_L).alias("unit"),
        col("low").alias("low"),
        col("high").alias("high"),
        flag.alias("flag"),
        flag.replace_strict(DIRECTIONS, default=None).alias("direction"),
        *([col("lab_flag").alias("lab_flag")] if lab_flag else []),
        col("risk").alias("spasm_risk"),
        col("notes").fill_null(pl.lit([], dtype=pl.List(pl.String))).alias("notes"),
        col("number").alias("entered_value"),
        col("spelling").alias("entered_unit"),
        col("assumed").alias("unit_assumed"),
        col("crit_low").alias("critical_low"),
        col("crit_high").alias("critical_high"),
        col("grade").alias("grade"),
        col("grade_basis").alias("grade_basis"),
        col("population").alias("population"),
        col("censored").alias("censored"),
        col("limits").alias("limits"),
        # Filled where the run has a medication list (see json_line).
        pl.lit([], pl.List(pl.String)).alias("medications"),
    )
    return pl.when(flag.is_not_null()).then(record.struct.json_encode()).alias("json")


#: How a result's JSON ends before its medicines are known, and the column of a processed
#: batch that holds them as JSON objects for each result (``k_medications0`` ...).
NO_MEDICATIONS, MEDICATION_JSON = '"medications":[]}', "k_medications"


class ResultIds:
    """Numbers the distinct results of a run, for JSON Lines that writes each once.

    A lab file repeats its results: a million rows of four analytes hold a few hundred
    distinct ones. Each distinct result's JSON is written once, as ``{"record": "result",
    "id": N, ...}`` on the line just before the first row that holds it; the rows list the
    ids. Ids count up from 1 in the order the results first appear, row by row, so the output
    does not depend on how the file was cut into batches. The results remembered are forgotten
    past :attr:`MEMORY` (a file of all-different values): one seen again is then written
    again, under a new id, so an id always means one result."""

    #: Distinct results remembered before the memory is cleared.
    MEMORY = 100_000

    def __init__(self, layout: Layout) -> None:
        self.texts = result_texts(layout)
        self.ids = [pl.col(f"k_result_id{i}") for i in range(len(self.texts))]
        self.opening = f'{{{json.dumps(json_keys(layout)["record"])}:"{RESULT}","id":'
        self.known = pl.DataFrame(schema={"text": pl.String, "id": pl.String})
        self.next = 1

    def refer(self, batch: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The result records ``batch`` (a processed batch) brings that were not written
        before (a column ``line``, and ``row``: the batch's row that first holds it), and the
        batch with each result's id beside it (the columns :attr:`ids` stand for)."""
        count, height = len(self.texts), batch.height
        if not count:
            return pl.DataFrame(schema={"line": pl.String, "row": pl.Int64}), batch
        # Every result of the batch in one column, result after result of each row, the
        # position of each being row * count + its place in the row.
        stacked = pl.concat(
            batch.select(
                text.alias("text"),
                (pl.int_range(height, dtype=pl.Int64) * count + i).alias("at"),
            )
            for i, text in enumerate(self.texts)
        )
        found = stacked.join(self.known, on="text", how="left", maintain_order="left")
        new = found.filter(pl.col("text").is_not_null() & pl.col("id").is_null())
        lines = pl.DataFrame(schema={"line": pl.String, "row": pl.Int64})
        if new.height:
            first = new.group_by("text").agg(pl.col("at").min())
            if self.known.height + first.height > self.MEMORY:
                # Forget: this batch's results get new ids, and are written again.
                self.known = self.known.clear()
                new = stacked.filter(pl.col("text").is_not_null())
                first = new.group_by("text").agg(pl.col("at").min())
            first = first.sort("at")
            numbered = first.select(
                "text",
                pl.int_range(self.next, self.next + first.height).cast(pl.String).alias("id"),
            )
            self.next += first.height
            self.known = pl.concat([self.known, numbered])
            lines = numbered.select(
                pl.concat_str(
                    pl.lit(self.opening), "id", pl.lit(","), pl.col("text").str.slice(1)
                ).alias("line"),
                (first["at"] // count).alias("row"),
            )
            found = stacked.join(self.known, on="text", how="left", maintain_order="left")
        ids = found["id"]
        return lines, batch.with_columns(
            ids.slice(i * height, height).alias(self.ids[i].meta.output_name())
            for i in range(count)
        )


def read_jsonl(source: str | PathLike[str] | Iterable[str]) -> Iterator[dict[str, Any]]:
    """The rows of electrocheck's JSON Lines (a file's path, or its lines), in order, each
    row's ``results`` whole: every result found by its id and given its texts, as ``check``
    gives it (``--format json``, without its ``shown`` block).

    >>> from electrocheck import read_jsonl
    >>> rows = read_jsonl(['{"record":"texts","texts":{"potassium":{"low":{"label":"K"}}}}',
    ...     '{"record":"result","id":1,"analyte":"potassium","flag":"L","direction":"low"}',
    ...     '{"record":"row","K":"3.1","results":[1],"errors":[]}'])
    >>> next(rows)["results"]
    [{'analyte': 'potassium', 'flag': 'L', 'direction': 'low', 'label': 'K'}]

    Raises :class:`~electrocheck.errors.InputError` for a line that is not a record of
    electrocheck's JSON Lines, or a row that lists a result not written before it."""
    if isinstance(source, (str, PathLike)):
        with open(source, encoding="utf-8") as lines:
            yield from read_jsonl(lines)
        return
    texts: dict[str, Any] = {}
    results: dict[Any, dict[str, Any]] = {}
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        key = next(iter(record), "") if isinstance(record, dict) else ""
        if not key.endswith("record"):
            raise InputError(f"line {number} is not a record of electrocheck's JSON Lines")
        kind = record.pop(key)
        if kind == TEXTS:
            texts = record.get("texts") or {}
        elif kind == RESULT:
            results[record.pop("id", None)] = record
        elif kind == ROW:
            listed = key[: -len("record")] + "results"  # "results", or "ec_results"
            record[listed] = [_whole(results, texts, i, number) for i in record.get(listed, [])]
            yield {key: kind, **record}


def _whole(
    results: dict[Any, dict[str, Any]], texts: dict[str, Any], number: Any, line: int
) -> dict[str, Any]:
    """Result ``number`` with its texts (as :func:`read_jsonl` gives it)."""
    result = results.get(number)
    if result is None:
        raise InputError(f"line {line} lists result {number!r}, which no earlier line gives")
    shared = texts.get(result.get("analyte", ""), {}).get(result.get("direction", ""), {})
    return {**result, **shared}
