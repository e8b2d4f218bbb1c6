"""What a batch run writes: the output format and, for delimited text, its delimiter.

The format is ``--format`` when given; else the one ``-o``'s extension names (``.csv``,
``.tsv``, ``.jsonl``, ``.parquet``; an extension electrocheck does not write, such as
``.json`` or ``.xlsx``, is refused rather than filled with CSV); else that of the input:
tab-separated for a tab-separated input, CSV otherwise.

CSV keeps the input's delimiter (a semicolon file stays a semicolon file) except a tab, which
makes TSV; ``--output-delimiter`` chooses another.

FHIR R4 (``fhir``) is chosen by ``--format`` alone (``.json`` and ``.ndjson`` name other
things too): NDJSON for an NDJSON input, a ``collection`` Bundle for any other
(:func:`fhir_form`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from electrocheck.errors import InputError, quote

#: The formats a batch run writes.
OUTPUT_FORMATS = ("csv", "tsv", "jsonl", "parquet", "fhir")
#: Output extensions, and the format each means.
EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_WRITTEN = ".csv, .tsv, .jsonl or .parquet"
#: Extensions of formats that are not written, and what to do instead.
REFUSED_EXTENSIONS = {
    ".json": "JSON Lines is written, one object per line: name the file .jsonl",
    ".xlsx": f"spreadsheets are not written: name the file {_WRITTEN}",
    ".xls": f"spreadsheets are not written: name the file {_WRITTEN}",
    ".ods": f"spreadsheets are not written: name the file {_WRITTEN}",
    ".gz": "compressed output is not written: write to stdout and pipe it, e.g. | gzip > OUT.gz",
    ".bz2": "compressed output is not written: write to stdout and pipe it, e.g. | bzip2",
    ".xz": "compressed output is not written: write to stdout and pipe it, e.g. | xz",
    ".zst": "compressed output is not written: write to stdout and pipe it, e.g. | zstd",
    ".zip": "compressed output is not written: write the file, then zip it",
}


@dataclass(frozen=True)
class OutputPlan:
    """The format of the output (``csv``, ``jsonl``, ``parquet`` or ``fhir``) and, for CSV,
    the delimiter (a tab for TSV)."""

    format: str
    delimiter: str = ","


def fhir_form(input_form: str | None) -> str:
    """How FHIR output is written: ``ndjson`` for an NDJSON input (``input_form`` is the
    FHIR reading's ``NDJSON``), else ``bundle`` (a Bundle, an Observation, or any other
    input: one file of results, as a FHIR server takes a ``collection``)."""
    return "ndjson" if input_form == "NDJSON" else "bundle"


def requested_format(output: str | Path | None, given: str | None) -> str | None:
    """The format asked for: ``given``, else by ``output``'s extension; None to follow the
    input. Raises :class:`InputError` for an unknown format or an extension not written."""
    if given is not None:
        if given not in OUTPUT_FORMATS:
            raise InputError(f"unknown format {quote(given)}; expected {', '.join(OUTPUT_FORMATS)}")
        return given
    if output is None or str(output) == "-":
        return None
    suffix = Path(output).suffix.lower()
    if suffix in REFUSED_EXTENSIONS:
        raise InputError(
            f"-o {quote(str(output))}: {REFUSED_EXTENSIONS[suffix]} (or say which format "
            "with --format)"
        )
    return EXTENSIONS.get(suffix)


def output_plan(requested: str | None, delimiter: str | None, input_delimiter: str) -> OutputPlan:
    """The format and delimiter to write (``delimiter`` is ``--output-delimiter``, already a
    character; ``input_delimiter`` the input's, ``,`` for a spreadsheet)."""
    if requested is None and delimiter is not None:
        return OutputPlan("csv", delimiter)
    fmt = requested or ("tsv" if input_delimiter == "\t" else "csv")
    if fmt in ("jsonl", "parquet", "fhir"):
        if delimiter is not None:
            raise InputError(f"--output-delimiter applies to csv and tsv output, not {fmt}")
        return OutputPlan(fmt)
    if fmt == "tsv":
        if delimiter not in (None, "\t"):
            raise InputError(
                f"--output-delimiter {quote(delimiter)} contradicts tsv output (tab-separated)"
            )
        return OutputPlan("csv", "\t")
    if delimiter is not None:
        return OutputPlan("csv", delimiter)
    return OutputPlan("csv", "," if input_delimiter == "\t" else input_delimiter)


__all__ = [
    "EXTENSIONS",
    "OUTPUT_FORMATS",
    "REFUSED_EXTENSIONS",
    "OutputPlan",
    "fhir_form",
    "output_plan",
    "requested_format",
]
