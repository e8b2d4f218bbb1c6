"""The Observations of a FHIR input, found again for writing them back interpreted.

The reading of FHIR input (:mod:`electrocheck.formats.fhir`) names each row's Observation in
its ``observation`` column: ``Observation/o1`` (its type and id), else where it was
(``line 4``, ``entry 3 of the Bundle``, ``entry 2 of the Bundle, contained``), and
``... component 2`` for a component's row. :class:`Originals` reads the input a second time,
as the reading did, and hands out the resource each name names, in the order the rows come,
which is the order of the file: NDJSON line by line (memory stays flat), a Bundle entry by
entry (a Bundle is held whole, as its reading held it).

What the rows do not name (a ``Patient``, a ``Specimen``, a report, an Observation that only
groups others) is handed out too, as it was, where it stood in the file, so that the output
holds every resource of the input. Decimals are kept as their text
(:func:`~electrocheck.formats.fhir_output.keep_decimal`).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from electrocheck.formats.fhir_output import keep_decimal
from electrocheck.formats.fhir_types import R4_RESOURCE_TYPES
from electrocheck.formats.stream import StreamReader, TextStream, first_content_line

_DECODER = json.JSONDecoder(parse_float=keep_decimal)
_COMPONENT = re.compile(r"^(.*) component (\d+)$")


def split_name(name: str) -> tuple[str, int]:
    """A row's Observation name, and its component's number (0: the Observation itself)."""
    found = _COMPONENT.match(name)
    return (found.group(1), int(found.group(2))) if found else (name, 0)


@dataclass
class Item:
    """One resource of the input, the names its rows give it, and its full URL."""

    resource: dict[str, Any]
    names: set[str] = field(default_factory=set)
    url: str | None = None
    taken: bool = False  # a row named it: written interpreted, not as it was
    inner: bool = False  # found inside another resource (a contained one, a nested Bundle's)


def _key(resource: dict[str, Any], fallback: str) -> str:
    """As the reading names a resource: ``Type/id``, else where it was."""
    kind, ident = resource.get("resourceType"), resource.get("id")
    if isinstance(kind, str) and isinstance(ident, str) and kind.strip() and ident.strip():
        return f"{kind.strip()}/{ident.strip()}"
    return fallback


def _items(resource: Any, where: str, url: str | None = None) -> Iterator[Item]:
    """A top-level resource (a line, the file, or a Bundle's entry) and those inside it that
    rows may name: a Bundle's entries (a Bundle itself is not written back, its entries are),
    and the Observations a resource contains."""
    if not isinstance(resource, dict) or resource.get("resourceType") not in R4_RESOURCE_TYPES:
        return  # counted by the reading: not a resource of FHIR R4, not written back
    if resource["resourceType"] == "Bundle":
        entries = resource.get("entry")
        for number, entry in enumerate(entries if isinstance(entries, list) else [], 1):
            if not isinstance(entry, dict):
                continue
            here = f"entry {number} of the Bundle{'' if where == 'the file' else ' in ' + where}"
            full = entry.get("fullUrl")
            yield from _items(entry.get("resource"), here, full if isinstance(full, str) else None)
        return
    item = Item(resource, url=url)
    if resource["resourceType"] == "Observation":
        item.names.add(_key(resource, where))
    yield item
    contained = resource.get("contained")
    for inner in contained if isinstance(contained, list) else []:
        if isinstance(inner, dict) and inner.get("resourceType") == "Observation":
            yield Item(inner, {_key(inner, f"{where}, contained")}, inner=True)


def _units(path: Path, shown: str, compression: str | None) -> Iterator[Item]:
    """The items of the file: NDJSON line by line, or one JSON document read whole."""
    with TextStream(path, shown, compression) as stream:
        lines = iter(io.BufferedReader(StreamReader(stream), buffer_size=1 << 20))
        first, number = first_content_line(lines)
        try:
            resource = _DECODER.decode(first.decode("utf-8"))
        except (ValueError, RecursionError):
            whole = (first + b"".join(lines)).decode("utf-8")
            yield from _items(_DECODER.decode(whole), "the file")
            return
        yield from _items(resource, f"line {number}")
        for line in lines:
            number += 1
            if len(line) < 3 and not line.strip():
                continue
            try:
                resource = _DECODER.decode(line.decode("utf-8"))
            except (ValueError, RecursionError):
                continue  # counted by the reading; not a resource to write back
            yield from _items(resource, f"line {number}")


class Originals:
    """The input's resources, handed out in the order of the rows that name them."""

    def __init__(self, path: Path, shown: str, compression: str | None) -> None:
        self._items = _units(path, shown, compression)
        self.current: Item | None = None
        self.passed: list[Item] = []  # items no row named, to write as they were

    def find(self, name: str, later: bool = False) -> Item | None:
        """The item a row's Observation name (without its component) names: the current one
        (unless ``later``), or the next that has the name, the items before it put in
        :attr:`passed`. None (and every item passed) if no item has the name."""
        if not later and self.current is not None and name in self.current.names:
            return self.current
        for item in self._items:
            self._leave()
            self.current = item
            if name in item.names:
                return item
        self._leave()
        self.current = None
        return None

    def rest(self) -> list[Item]:
        """Every item after the last one named, as they were."""
        for item in self._items:
            self._leave()
            self.current = item
        self._leave()
        self.current = None
        return self.take_passed()

    def take_passed(self) -> list[Item]:
        passed, self.passed = self.passed, []
        return passed

    def _leave(self) -> None:
        if self.current is not None and not self.current.taken and not self.current.inner:
            self.passed.append(self.current)

    def close(self) -> None:
        close = getattr(self._items, "close", None)
        if close is not None:
            close()


__all__ = ["Item", "Originals", "split_name"]
