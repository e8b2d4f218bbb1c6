"""Checks of ``changes`` (optional): correction rates, delta checks and the trend rule, each
into the frozen records of :mod:`~electrocheck.reference.changes`."""

from __future__ import annotations

from functools import partial
from typing import Any

from electrocheck.errors import quote
from electrocheck.reference.changes import (
    Changes,
    CorrectionRate,
    DeltaCheck,
    RiseLimit,
    TrendRule,
)
from electrocheck.reference.check_base import Checker, _Invalid, _kind, _line


def read_changes(c: Checker, top: Any, analytes: set[str], written: set[str]) -> Changes:
    """The ``changes`` section. An analyte the file writes (``written``) that is not among the
    valid ``analytes`` has problems of its own, reported where it is written, not here."""
    return _read_changes(c, top, _Known(analytes, written))


class _Known:
    """The analytes a rule may name: those that are valid, and those written with problems."""

    def __init__(self, valid: set[str], written: set[str]) -> None:
        self.valid, self.written = valid, written

    def __contains__(self, name: object) -> bool:
        return name in self.valid

    def __iter__(self) -> Any:
        return iter(self.valid)

    def broken(self, name: object) -> bool:
        return name in self.written and name not in self.valid


def _read_changes(c: Checker, top: Any, analytes: _Known) -> Changes:
    if "changes" not in top:
        return Changes()
    path, line = "changes", _line(top, "changes")
    m = c.mapping(
        top["changes"], path, line, set(), frozenset({"correction_rates", "delta_checks", "trend"})
    )
    rates = c.attempt(lambda: _list(c, m, "correction_rates", partial(_rate, c, analytes)))
    deltas = c.attempt(lambda: _list(c, m, "delta_checks", partial(_delta, c, analytes)))
    trend = (
        c.attempt(lambda: _trend(c, m["trend"], f"{path}.trend", _line(m, "trend"), analytes))
        if "trend" in m
        else None
    )
    if rates is None or deltas is None or ("trend" in m and trend is None):
        raise _Invalid()
    return Changes(rates, deltas, trend)


def _list(c: Checker, m: Any, key: str, read: Any) -> tuple[Any, ...]:
    if key not in m:
        return ()
    node, path = m[key], f"changes.{key}"
    if not isinstance(node, list) or not node:
        raise c.fail(path, f"must be a non-empty list, not {_kind(node)}", _line(m, key))
    found = [
        c.attempt(partial(read, item, f"{path}[{i}]", _line(node, i)))
        for i, item in enumerate(node)
    ]
    if any(item is None for item in found):
        raise _Invalid()
    names = [item.analyte for item in found]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise c.fail(f"{path}[{i}].analyte", f"{quote(name)} is given twice", _line(node, i))
    return tuple(found)


def _analyte(c: Checker, node: Any, path: str, line: int | None, analytes: _Known) -> str:
    name = c.text(node, path, line)
    if analytes.broken(name):
        raise _Invalid()  # an analyte of the file with problems of its own, reported there
    if name not in analytes:
        raise c.fail(
            path, f"unknown analyte {quote(name)} (known: {', '.join(sorted(analytes))})", line
        )
    return name


def _positive(c: Checker, node: Any, path: str, line: int | None) -> float:
    value = c.number(node, path, line)
    if value <= 0:
        raise c.fail(path, "must be greater than 0", line)
    return value


def _rate(c: Checker, analytes: _Known, node: Any, path: str, line: int | None) -> CorrectionRate:
    m = c.mapping(node, path, line, {"analyte", "limits", "note"})
    analyte = c.attempt(
        lambda: _analyte(c, m["analyte"], f"{path}.analyte", _line(m, "analyte"), analytes)
    )
    note = c.attempt(lambda: c.text(m["note"], f"{path}.note", _line(m, "note")))
    items = m["limits"]
    if not isinstance(items, list) or not items:
        raise c.fail(
            f"{path}.limits", f"must be a non-empty list, not {_kind(items)}", _line(m, "limits")
        )
    limits = [
        c.attempt(partial(_limit, c, item, f"{path}.limits[{i}]", _line(items, i)))
        for i, item in enumerate(items)
    ]
    if analyte is None or note is None or None in limits:
        raise _Invalid()
    return CorrectionRate(analyte, tuple(limits), note)


def _limit(c: Checker, node: Any, path: str, line: int | None) -> RiseLimit:
    m = c.mapping(node, path, line, {"rise", "hours", "source", "cite"})
    rise = c.attempt(lambda: _positive(c, m["rise"], f"{path}.rise", _line(m, "rise")))
    hours = c.attempt(lambda: _positive(c, m["hours"], f"{path}.hours", _line(m, "hours")))
    source = c.attempt(lambda: c.source(m["source"], f"{path}.source", _line(m, "source")))
    cite = c.attempt(lambda: c.text(m["cite"], f"{path}.cite", _line(m, "cite")))
    if None in (rise, hours, source, cite):
        raise _Invalid()
    return RiseLimit(rise, hours, source, cite)


def _delta(c: Checker, analytes: _Known, node: Any, path: str, line: int | None) -> DeltaCheck:
    m = c.mapping(node, path, line, {"analyte", "change", "hours", "source", "cite"})
    analyte = c.attempt(
        lambda: _analyte(c, m["analyte"], f"{path}.analyte", _line(m, "analyte"), analytes)
    )
    change = c.attempt(lambda: _positive(c, m["change"], f"{path}.change", _line(m, "change")))
    hours = c.attempt(lambda: _positive(c, m["hours"], f"{path}.hours", _line(m, "hours")))
    source = c.attempt(lambda: c.source(m["source"], f"{path}.source", _line(m, "source")))
    cite = c.attempt(lambda: c.text(m["cite"], f"{path}.cite", _line(m, "cite")))
    if None in (analyte, change, hours, source, cite):
        raise _Invalid()
    return DeltaCheck(analyte, change, hours, source, cite)


def _trend(c: Checker, node: Any, path: str, line: int | None, analytes: _Known) -> TrendRule:
    m = c.mapping(node, path, line, {"results", "min_change", "source"})
    results = m["results"]
    if type(results) is not int or results < 3:
        c.fail(
            f"{path}.results",
            f"must be a whole number of 3 or more, not {quote(results)}",
            _line(m, "results"),
        )
        results = None
    source = c.attempt(lambda: c.source(m["source"], f"{path}.source", _line(m, "source")))
    changes = m["min_change"]
    if not isinstance(changes, dict) or not changes:
        raise c.fail(
            f"{path}.min_change",
            f"must map analytes to amounts, not {_kind(changes)}",
            _line(m, "min_change"),
        )
    found = []
    invalid = False
    for name, value in changes.items():
        where = f"{path}.min_change.{name}"
        if name not in analytes:
            if not analytes.broken(name):
                c.fail(where, f"unknown analyte {quote(name)}", _line(changes, name))
            invalid = True
            continue
        amount = c.attempt(partial(_positive, c, value, where, _line(changes, name)))
        if amount is not None:
            found.append((str(name), amount))
    if results is None or source is None or invalid or len(found) != len(changes):
        raise _Invalid()
    return TrendRule(results, tuple(found), source)


__all__ = ["read_changes"]
