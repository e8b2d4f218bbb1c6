"""Checks of an analyte's ``grades``: a CTCAE scale per side (``low``, ``high``), each a term
and criteria, one per unit system, with cut-points for grades 2 to 4 and an optional
``symptomatic`` rule.
"""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any

from electrocheck.reference.check_base import Checker, _Invalid, _kind, _line
from electrocheck.reference.check_limits import _Converter
from electrocheck.reference.model import SIDES, Criterion, GradeScale, unit_system

_GRADE_KEYS = ("grade_2", "grade_3", "grade_4")


def read_grade_scales(
    c: Checker, m: Any, path: str, convert: _Converter
) -> tuple[GradeScale | None, GradeScale | None]:
    if "grades" not in m:
        return None, None
    node, gpath = m["grades"], f"{path}.grades"
    if not isinstance(node, dict) or not node:
        problem = "must not be empty" if node == {} else f"must be a mapping, not {_kind(node)}"
        raise c.fail(gpath, f"{problem} (give low:, high: or both)", _line(m, "grades"))
    g = c.mapping(node, gpath, _line(m, "grades"), set(), frozenset(SIDES))
    found = {
        side: c.attempt(
            partial(read_grade_scale, c, g[side], f"{gpath}.{side}", _line(g, side), side, convert)
        )
        for side in SIDES
        if side in g
    }
    if any(scale is None for scale in found.values()):
        raise _Invalid()
    return found.get("low"), found.get("high")


def read_grade_scale(
    c: Checker, node: Any, path: str, line: int | None, side: str, convert: _Converter
) -> GradeScale:
    m = c.mapping(node, path, line, {"term", "criteria"})
    term = c.attempt(lambda: c.text(m["term"], f"{path}.term", _line(m, "term")))
    items = m["criteria"]
    cpath = f"{path}.criteria"
    if not isinstance(items, list) or not items:
        raise c.fail(cpath, f"must be a non-empty list, not {_kind(items)}", _line(m, "criteria"))
    criteria = [
        c.attempt(partial(read_criterion, c, item, f"{cpath}[{i}]", _line(items, i), side, convert))
        for i, item in enumerate(items)
    ]
    if term is None or any(item is None for item in criteria):
        raise _Invalid()
    units = [item.unit for item in criteria]
    for i, unit in enumerate(units):
        if unit in units[:i]:
            c.fail(f"{cpath}[{i}].unit", f"a second criterion in {unit}", _line(items, i))
    return GradeScale(term, tuple(criteria))


def read_criterion(
    c: Checker, node: Any, path: str, line: int | None, side: str, convert: _Converter
) -> Criterion:
    m = c.mapping(node, path, line, {"unit", "source"}, frozenset({*_GRADE_KEYS, "symptomatic"}))
    unit = c.attempt(lambda: c.unit(m["unit"], f"{path}.unit", _line(m, "unit")))
    source = c.attempt(lambda: c.source(m["source"], f"{path}.source", _line(m, "source")))
    values = {
        int(k[-1]): c.attempt(partial(c.number, m[k], f"{path}.{k}", _line(m, k)))
        for k in _GRADE_KEYS
        if k in m
    }
    if not values:
        c.fail(path, "needs at least one of grade_2, grade_3, grade_4", line)
    symptomatic = c.attempt(lambda: read_symptom_rule(c, m, path))
    if unit is None or source is None or None in values.values() or not values:
        raise _Invalid()
    ordered = sorted(values.items())
    for (g1, v1), (g2, v2) in itertools.pairwise(ordered):
        milder_first = v1 > v2 if side == "low" else v1 < v2
        if not milder_first:
            word = "below" if side == "low" else "above"
            c.fail(
                f"{path}.grade_{g2}",
                f"must be {word} grade_{g1} ({v2:g} against {v1:g}): a worse grade lies "
                "further from the interval",
                _line(m, f"grade_{g2}"),
            )
    cuts = tuple((grade, value, convert(value, unit)) for grade, value in ordered)
    return Criterion(unit.spelling, cuts, symptomatic, source, unit_system(unit))


def read_symptom_rule(c: Checker, m: Any, path: str) -> tuple[int, int] | None:
    if "symptomatic" not in m:
        return None
    spath, line = f"{path}.symptomatic", _line(m, "symptomatic")
    rule = c.mapping(m["symptomatic"], spath, line, {"grade", "becomes"})
    grade, becomes = rule["grade"], rule["becomes"]
    if not (type(grade) is int and type(becomes) is int and 1 <= grade < becomes <= 4):
        raise c.fail(
            spath, "grade and becomes must be whole grades with 1 <= grade < becomes <= 4", line
        )
    return grade, becomes
