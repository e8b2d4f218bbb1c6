"""Checks of ``specimen_signs`` (optional): the columns of a lab file that say a specimen's
results may be false, and how their cells are read. A sign is named by the ``specimen:`` of a
``patterns`` entry; batch reads it (:mod:`electrocheck.batch.signs`).

Header names and units are compared squeezed (:func:`~electrocheck.reference.model.squeezed`:
case, spaces and punctuation do not count; a header's unit in brackets is left out of its
name); words and whole cells case-folded.
"""

from __future__ import annotations

from functools import partial
from types import MappingProxyType
from typing import Any

from electrocheck.reference.check_base import Checker, _Invalid, _kind, _line
from electrocheck.reference.model import SpecimenSign, squeezed
from electrocheck.reference.names import PLAIN_WORD

_LISTS = ("comment_columns", "words", "positive", "negations", "units")


def read_signs(c: Checker, top: Any) -> MappingProxyType[str, SpecimenSign]:
    """The ``specimen_signs`` section: none when the file does not have it."""
    node = top.get("specimen_signs")
    if node is None:
        return MappingProxyType({})
    if not isinstance(node, dict) or not node:
        c.fail(
            "specimen_signs",
            f"must be a non-empty mapping, not {_kind(node)}",
            _line(top, "specimen_signs"),
        )
        return MappingProxyType({})
    found = {
        str(key): c.attempt(partial(read_sign, c, str(key), value, _line(node, key)))
        for key, value in node.items()
    }
    return MappingProxyType({k: v for k, v in found.items() if v is not None})


def read_sign(c: Checker, key: str, node: Any, line: int | None) -> SpecimenSign:
    path = f"specimen_signs.{key}"
    m = c.mapping(node, path, line, {"columns", "sources"}, frozenset({*_LISTS, "above"}))
    columns = c.attempt(
        lambda: c.words(m["columns"], f"{path}.columns", _line(m, "columns"), squeezed)
    )
    lists: dict[str, frozenset[str] | None] = {}
    for name in _LISTS:
        if name in m:
            where, at = f"{path}.{name}", _line(m, name)
            if name in ("comment_columns", "units"):
                read = partial(c.words, m[name], where, at, squeezed)
            elif name == "positive":  # whole cells: 2+, yes
                read = partial(
                    c.words, m[name], where, at, lambda t: " ".join(t.casefold().split())
                )
            else:
                read = partial(
                    c.words,
                    m[name],
                    where,
                    at,
                    str.casefold,
                    PLAIN_WORD,
                    "one word of letters or digits",
                )
            lists[name] = c.attempt(read)
    above = c.attempt(lambda: _above(c, m, path)) if "above" in m else None
    sources = c.attempt(lambda: c.source_list(m["sources"], f"{path}.sources", _line(m, "sources")))
    if "comment_columns" in m and "words" not in m:
        c.fail(
            f"{path}.comment_columns",
            "given without `words` to find in a comment",
            _line(m, "comment_columns"),
        )
        raise _Invalid()
    if "units" in m and "above" not in m:
        c.fail(f"{path}.units", "given without `above`: units of a number", _line(m, "units"))
        raise _Invalid()
    if not any(k in m for k in ("words", "positive", "above")):
        raise c.fail(path, "says no sign: give `above`, `words` or `positive`", line)
    if (
        columns is None
        or sources is None
        or None in lists.values()
        or ("above" in m and above is None)
    ):
        raise _Invalid()
    return SpecimenSign(
        key,
        columns,
        above=above,
        sources=sources,
        **{name: value for name, value in lists.items() if value is not None},
    )


def _above(c: Checker, m: Any, path: str) -> float:
    node, where = m["above"], f"{path}.above"
    entry = c.mapping(node, where, _line(m, "above"), {"value", "source"})
    value = c.number(entry["value"], f"{where}.value", _line(entry, "value"))
    c.source(entry["source"], f"{where}.source", _line(entry, "source"))
    return float(value)


__all__ = ["read_signs"]
