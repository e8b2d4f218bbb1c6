"""Writing processed batches: CSV, or JSON Lines.

Every input row comes out, in order, with its original fields unchanged and the result
columns added: as CSV, the header followed by the columns of
:func:`~electrocheck.batch.columns.output_names`; as JSON Lines, one object per row (see
:mod:`~electrocheck.batch.jsonl`).
"""

from __future__ import annotations

import csv
import io
from typing import IO

import polars as pl

from electrocheck.batch.columns import output_names
from electrocheck.batch.jsonl import json_rows
from electrocheck.batch.layout import Layout
from electrocheck.formats.frame import internal_names


class Writer:
    """Writes processed batches as CSV or JSON Lines."""

    def __init__(
        self,
        handle: IO[bytes],
        header: list[str],
        layout: Layout,
        output_format: str,
    ) -> None:
        self.handle = handle
        self.layout = layout
        self.jsonl = output_format == "jsonl"
        self.originals = internal_names(len(header))
        self.added = [f"r{i}" for i in range(len(output_names(layout)))]
        if self.jsonl:
            self.keys = _unique_keys(header)
        else:
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerow(header + output_names(layout))
            handle.write(text.getvalue().encode("utf-8"))

    def write(self, result: pl.DataFrame) -> None:
        if self.jsonl:
            json_rows(result, self.layout, self.keys).write_ndjson(self.handle)
        else:
            result.select(self.originals + self.added).write_csv(self.handle, include_header=False)


def _unique_keys(header: list[str]) -> list[str]:
    """JSON keys for the header names: a repeated name, or one the output adds itself
    (``results``, ``patterns``, ``errors``), gets ``_2``, ``_3`` ... until it is unique."""
    taken = {"results", "patterns", "errors"}
    keys = []
    for name in header:
        key, n = name, 1
        while key in taken:
            n += 1
            key = f"{name}_{n}"
        taken.add(key)
        keys.append(key)
    return keys


__all__ = ["Writer"]
