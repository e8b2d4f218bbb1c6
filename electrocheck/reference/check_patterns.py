"""Checks of ``patterns`` (notes for analytes abnormal together) and ``spasm_care`` (what
helps spasms besides correcting the electrolyte).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from electrocheck.errors import quote
from electrocheck.reference.check_base import Checker, _Invalid, _join, _kind, _line
from electrocheck.reference.model import SIDES, Pattern


def read_patterns(c: Checker, top: Any, known: set[str], written: set[str]) -> tuple[Pattern, ...]:
    node = top.get("patterns")
    if node is None:
        return ()
    if not isinstance(node, list):
        c.fail("patterns", f"must be a list, not {_kind(node)}", _line(top, "patterns"))
        return ()
    found = [
        c.attempt(partial(read_pattern, c, item, f"patterns[{i}]", _line(node, i), known, written))
        for i, item in enumerate(node)
    ]
    kept = tuple(p for p in found if p is not None)
    ids = [p.id for p in kept]
    for i, name in enumerate(ids):
        if name in ids[:i]:
            c.fail(f"patterns[{i}].id", f"{quote(name)} is used twice", _line(node, i))
    return kept


def read_pattern(
    c: Checker, node: Any, path: str, line: int | None, known: set[str], written: set[str]
) -> Pattern:
    m = c.mapping(node, path, line, {"id", "when", "note", "sources"}, frozenset({"brief"}))
    name = c.text(m["id"], f"{path}.id", _line(m, "id"))
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name):
        raise c.fail(
            f"{path}.id", "must be lower-case words joined by '-', such as mg-first-k", line
        )
    when = m["when"]
    if not isinstance(when, dict) or len(when) < 2:
        raise c.fail(f"{path}.when", "must map two or more analytes to low or high", line)
    for analyte, side in when.items():
        if (analyte not in known and analyte not in written) or side not in SIDES:
            c.fail(
                f"{path}.when.{_join(path, analyte).rsplit('.', 1)[-1]}",
                f"expected a known analyte and low or high, not {quote(analyte)}: {quote(side)}",
                _line(when, analyte),
            )
    note = c.text(m["note"], f"{path}.note", _line(m, "note"))
    # Optional: where a pattern has no brief form, the first screen shows its note.
    brief = c.attempt(
        lambda: c.brief(m["brief"], f"{path}.brief", _line(m, "brief")) if "brief" in m else ""
    )
    sources = c.source_list(m["sources"], f"{path}.sources", _line(m, "sources"))
    if brief is None or any(a not in known or s not in SIDES for a, s in when.items()):
        raise _Invalid()
    pairs = tuple((str(a), str(s)) for a, s in when.items())
    return Pattern(name, pairs, note, sources, brief or None)


def read_spasm_care(c: Checker, top: Any) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    if "spasm_care" not in top:
        return (), ()
    path, line = "spasm_care", _line(top, "spasm_care")
    m = c.mapping(top["spasm_care"], path, line, {"measures", "sources"})
    items = m["measures"]
    if not isinstance(items, list) or not items:
        raise c.fail(f"{path}.measures", "must be a non-empty list", _line(m, "measures"))
    measures = [
        c.attempt(partial(read_measure, c, item, f"{path}.measures[{i}]", _line(items, i)))
        for i, item in enumerate(items)
    ]
    sources = c.attempt(lambda: c.source_list(m["sources"], f"{path}.sources", _line(m, "sources")))
    if None in measures or sources is None:
        raise _Invalid()
    return tuple(measures), sources


def read_measure(c: Checker, node: Any, path: str, line: int | None) -> tuple[str, str]:
    entry = c.mapping(node, path, line, {"name", "text"})
    name = c.attempt(lambda: c.text(entry["name"], f"{path}.name", _line(entry, "name")))
    text = c.attempt(lambda: c.text(entry["text"], f"{path}.text", _line(entry, "text")))
    if name is None or text is None:
        raise _Invalid()
    return name, text
