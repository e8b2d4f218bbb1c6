"""Checks of ``patterns`` (notes for analytes abnormal together) and ``spasm_care`` (what
helps spasms besides correcting the electrolyte).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from electrocheck.errors import quote
from electrocheck.reference.check_base import Checker, _Invalid, _join, _kind, _line
from electrocheck.reference.model import PATTERN_LEVELS, Pattern

#: What a pattern may ask of an analyte (a tuple: a list in the file is compared, not hashed),
#: and as a message names it.
_KNOWN = tuple(PATTERN_LEVELS)
_LEVELS = ", ".join(_KNOWN[:-1]) + f" or {_KNOWN[-1]}"


def read_patterns(
    c: Checker, top: Any, known: set[str], written: set[str], signs: set[str] | None = None
) -> tuple[Pattern, ...]:
    node = top.get("patterns")
    if node is None:
        return ()
    if not isinstance(node, list):
        c.fail("patterns", f"must be a list, not {_kind(node)}", _line(top, "patterns"))
        return ()
    found = [
        c.attempt(
            partial(
                read_pattern,
                c,
                item,
                f"patterns[{i}]",
                _line(node, i),
                known,
                written,
                signs or set(),
            )
        )
        for i, item in enumerate(node)
    ]
    kept = tuple(p for p in found if p is not None)
    ids = [p.id for p in kept]
    for i, name in enumerate(ids):
        if name in ids[:i]:
            c.fail(f"patterns[{i}].id", f"{quote(name)} is used twice", _line(node, i))
    by_id = {p.id: p for p in kept}
    for i, item in enumerate(node):
        if not isinstance(item, dict) or item.get("id") not in by_id or "includes" not in item:
            continue
        pattern, listed = by_id[item["id"]], item["includes"]
        for j, other in enumerate(pattern.includes):
            where, at = f"patterns[{i}].includes[{j}]", _line(listed, j)
            if other not in by_id or other == pattern.id:
                c.fail(where, f"{quote(other)} is not the id of another pattern", at)
            elif not _implies(pattern, by_id[other]):
                c.fail(where, f"{quote(other)} is not met whenever {pattern.id} is", at)
    return kept


def _implies(one: Pattern, other: Pattern) -> bool:
    """Whether every flag that meets ``one``'s levels meets ``other``'s: each analyte of
    ``other`` asked by ``one`` at a level whose flags are among those of ``other``'s. The
    levels alone: where one judges the values as measured and the other the corrected ones,
    a corrected result may still leave the other unmet (its brief then says both anyway)."""
    asked = dict(one.when)
    return all(
        a in asked and set(PATTERN_LEVELS[asked[a]]) <= set(PATTERN_LEVELS[level])
        for a, level in other.when
    )


def read_pattern(
    c: Checker,
    node: Any,
    path: str,
    line: int | None,
    known: set[str],
    written: set[str],
    signs: set[str],
) -> Pattern:
    m = c.mapping(
        node,
        path,
        line,
        {"id", "when", "note", "sources"},
        frozenset({"brief", "includes", "specimen", "values"}),
    )
    name = c.text(m["id"], f"{path}.id", _line(m, "id"))
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name):
        raise c.fail(
            f"{path}.id", "must be lower-case words joined by '-', such as mg-first-k", line
        )
    # A pattern of a specimen's sign (batch only) asks for one analyte or more; any other
    # for two or more.
    specimen = c.attempt(lambda: _specimen(c, m, path, signs)) if "specimen" in m else None
    fewest = 1 if "specimen" in m else 2
    when = m["when"]
    if not isinstance(when, dict) or len(when) < fewest:
        many = "one or more analytes" if fewest == 1 else "two or more analytes"
        raise c.fail(f"{path}.when", f"must map {many} to {_LEVELS}", line)
    for analyte, side in when.items():
        if (analyte not in known and analyte not in written) or side not in _KNOWN:
            c.fail(
                f"{path}.when.{_join(path, analyte).rsplit('.', 1)[-1]}",
                f"expected a known analyte and {_LEVELS}, not {quote(analyte)}: {quote(side)}",
                _line(when, analyte),
            )
    note = c.text(m["note"], f"{path}.note", _line(m, "note"))
    fields = set(re.findall(r"\{([^{}]*)\}", note))
    allowed = _FIELDS if "specimen" in m else set()
    if fields - allowed or note.count("{") != note.count("}"):
        where = "a pattern with `specimen:` may hold {column} and {value}, no other"
        raise c.fail(
            f"{path}.note",
            f"braces: {where}" if "specimen" in m else "braces are for patterns with `specimen:`",
            _line(m, "note"),
        )
    # Optional: where a pattern has no brief form, the first screen shows its note.
    brief = c.attempt(
        lambda: c.brief(m["brief"], f"{path}.brief", _line(m, "brief")) if "brief" in m else ""
    )
    sources = c.source_list(m["sources"], f"{path}.sources", _line(m, "sources"))
    # Optional: the ids of patterns whose levels this one's always meet (checked when all are
    # read); its brief then says theirs too, and a first screen shows it alone.
    includes = (
        c.texts(m["includes"], f"{path}.includes", _line(m, "includes")) if "includes" in m else ()
    )
    # Optional: which values the pattern judges (a corrected result standing in, or not).
    # A problem is recorded, and the pattern kept, so that no other problem follows from it.
    values = m.get("values", "corrected")
    if "values" in m and "specimen" in m:
        c.fail(
            f"{path}.values",
            "not with `specimen:`: the pattern of a sign judges the values as measured",
            _line(m, "values"),
        )
    elif values not in _VALUES:
        shown = quote(values) if isinstance(values, str) else _kind(values)
        c.fail(
            f"{path}.values", f"expected {' or '.join(_VALUES)}, not {shown}", _line(m, "values")
        )
    if brief is None or any(a not in known or s not in _KNOWN for a, s in when.items()):
        raise _Invalid()
    if "specimen" in m and specimen is None:
        raise _Invalid()
    pairs = tuple((str(a), str(s)) for a, s in when.items())
    measured = values == "measured"
    return Pattern(name, pairs, note, sources, brief or None, includes, specimen, measured)


#: What a pattern's ``values`` may say: judged on the corrected results where there are
#: (the default), or on the values as measured.
_VALUES = ("corrected", "measured")


#: What the note of a pattern with ``specimen:`` may hold in braces: the header of the column
#: that showed the sign, and its cell as written.
_FIELDS = {"column", "value"}


def _specimen(c: Checker, m: Any, path: str, signs: set[str]) -> str:
    sign = c.text(m["specimen"], f"{path}.specimen", _line(m, "specimen"))
    if sign not in signs:
        known = ", ".join(sorted(signs)) or "none: add a `specimen_signs` section"
        raise c.fail(
            f"{path}.specimen",
            f"{quote(sign)} is not a sign of `specimen_signs` (known: {known})",
            _line(m, "specimen"),
        )
    return sign


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
