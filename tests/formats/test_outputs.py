"""The output's format and delimiter: --format, else -o's extension, else the input's."""

from __future__ import annotations

import pytest

from electrocheck.errors import InputError
from electrocheck.formats.outputs import OutputPlan, fhir_form, output_plan, requested_format

TAB = "\t"

# (-o, --format, --output-delimiter, the input's delimiter, what is written)
PLANS = [
    (None, None, None, ",", OutputPlan("csv", ",")),
    (None, None, None, ";", OutputPlan("csv", ";")),  # semicolon in, semicolon out
    (None, None, None, TAB, OutputPlan("csv", TAB)),  # tab in, tab out
    (None, None, None, "|", OutputPlan("csv", "|")),
    ("out.csv", None, None, ";", OutputPlan("csv", ";")),
    ("out.csv", None, None, TAB, OutputPlan("csv", ",")),  # .csv never means tabs
    ("out.CSV", None, None, ",", OutputPlan("csv", ",")),
    ("out.tsv", None, None, ",", OutputPlan("csv", TAB)),
    ("out.tab", None, None, ";", OutputPlan("csv", TAB)),
    ("out.txt", None, None, TAB, OutputPlan("csv", TAB)),  # no format named: the input's
    ("out", None, None, ";", OutputPlan("csv", ";")),
    ("out.jsonl", None, None, TAB, OutputPlan("jsonl")),
    ("out.ndjson", None, None, ",", OutputPlan("jsonl")),
    ("out.parquet", None, None, ",", OutputPlan("parquet")),
    ("out.pq", None, None, ",", OutputPlan("parquet")),
    ("out.jsonl", "csv", None, TAB, OutputPlan("csv", ",")),  # --format decides
    ("out.json", "jsonl", None, ",", OutputPlan("jsonl")),
    ("out.csv.gz", "csv", None, ",", OutputPlan("csv", ",")),
    (None, "tsv", None, ";", OutputPlan("csv", TAB)),
    (None, "tsv", TAB, ";", OutputPlan("csv", TAB)),
    (None, None, ";", TAB, OutputPlan("csv", ";")),  # --output-delimiter decides
    ("out.csv", None, "|", ",", OutputPlan("csv", "|")),
    ("-", None, None, TAB, OutputPlan("csv", TAB)),
    (None, "fhir", None, ",", OutputPlan("fhir")),
    ("out.json", "fhir", None, ",", OutputPlan("fhir")),  # .json is refused without it
    ("out.ndjson", "fhir", None, TAB, OutputPlan("fhir")),
    ("out.ndjson", None, None, ",", OutputPlan("jsonl")),  # FHIR by --format alone
]


@pytest.mark.parametrize(("output", "fmt", "delimiter", "input_delimiter", "plan"), PLANS)
def test_output_plan(
    output: str | None,
    fmt: str | None,
    delimiter: str | None,
    input_delimiter: str,
    plan: OutputPlan,
) -> None:
    assert output_plan(requested_format(output, fmt), delimiter, input_delimiter) == plan


@pytest.mark.parametrize(
    ("output", "fmt", "message"),
    [
        ("out.json", None, "-o 'out.json': JSON Lines is written, one object per line: name the"),
        ("out.xlsx", None, "-o 'out.xlsx': spreadsheets are not written: name the file .csv,"),
        ("out.csv.gz", None, "-o 'out.csv.gz': compressed output is not written: write to"),
        ("out.zst", None, "-o 'out.zst': compressed output is not written"),
        (None, "xml", "unknown format 'xml'; expected csv, tsv, jsonl, parquet"),
    ],
)
def test_a_format_not_written_is_refused(output: str | None, fmt: str | None, message: str) -> None:
    with pytest.raises(InputError) as info:
        requested_format(output, fmt)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("fmt", "delimiter", "message"),
    [
        ("jsonl", ",", "--output-delimiter applies to csv and tsv output, not jsonl"),
        ("parquet", TAB, "--output-delimiter applies to csv and tsv output, not parquet"),
        ("fhir", ";", "--output-delimiter applies to csv and tsv output, not fhir"),
        ("tsv", ";", "--output-delimiter ';' contradicts tsv output (tab-separated)"),
    ],
)
def test_a_delimiter_that_does_not_fit_is_refused(fmt: str, delimiter: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        output_plan(fmt, delimiter, ",")
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("form", "written"),
    [
        ("NDJSON", "ndjson"),
        ("Bundle (collection)", "bundle"),
        ("Observation", "bundle"),
        (None, "bundle"),
    ],
)
def test_fhir_output_is_ndjson_for_ndjson_input_else_a_bundle(
    form: str | None, written: str
) -> None:
    assert fhir_form(form) == written
