"""Checks of the names in a reference file: the ``names`` section (the words a name is
compared without), each entry's ``loinc`` codes and their LOINC names, the index of every
name an analyte or covariate is known by, and the ``aliases`` section that adds names.

Names are compared folded (:mod:`~electrocheck.reference.names`); two entries whose names
fold alike are refused, as is a name that folds to nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import partial
from types import MappingProxyType
from typing import Any

from electrocheck.errors import quote
from electrocheck.reference.check_base import Checker, _Invalid, _kind, _line
from electrocheck.reference.model import Analyte, Covariate, LoincCode
from electrocheck.reference.names import (
    ANALYTES,
    AliasProblem,
    fold_name,
    loinc_check_digit,
    place_alias,
    read_as,
)

_CODE = re.compile(r"[0-9]{1,7}-[0-9]")
_LETTERS = re.compile(r"[^\W\d_]+")


def read_ignore(c: Checker, top: Any, key: str = "ignore") -> frozenset[str]:
    """The words of ``names: ignore`` (or ``names: blood_gas``), folded (none when the file
    does not have them)."""
    if "names" not in top:
        return frozenset()
    optional = frozenset({"ambiguous", "blood_gas"})
    m = c.mapping(top["names"], "names", _line(top, "names"), {"ignore"}, optional)
    if key not in m:
        return frozenset()
    return c.words(
        m[key], f"names.{key}", _line(m, key), fold_name, _LETTERS, "one word of letters"
    )


def read_ambiguous(
    c: Checker, top: Any, names: Mapping[str, str], ignore: frozenset[str], known: set[str]
) -> dict[str, tuple[str, ...]]:
    """``names: ambiguous``: names that more than one analyte goes by (``Ca++`` is total
    calcium on some reports and ionized calcium on others), folded -> the analytes they may
    mean. Such a name matches none of them: the user says which (``--alias``). ``ignore`` is
    the fold for these names: the file's ``ignore`` words less its ``blood_gas`` words, which
    tell a blood-gas report's calcium from a chemistry report's."""
    section = top.get("names")
    if not isinstance(section, dict) or "ambiguous" not in section:
        return {}
    node = section["ambiguous"]
    if not isinstance(node, dict):
        raise c.fail(
            "names.ambiguous", f"must be a mapping, not {_kind(node)}", _line(section, "ambiguous")
        )
    found: dict[str, tuple[str, ...]] = {}
    for name, targets in node.items():
        path, line = f"names.ambiguous.{name}", _line(node, name)
        folded = fold_name(str(name), ignore)
        keys = c.texts(targets, path, line)
        if len(set(keys)) < 2 or not set(keys) <= known:
            c.fail(path, f"must list two or more analytes of this file, not {list(keys)}", line)
        elif folded in names:
            c.fail(path, f"{quote(str(name))} is also a name of {names[folded]}", line)
        else:
            found[folded] = tuple(keys)
    return found


def read_loinc(c: Checker, node: Any, path: str, line: int | None) -> tuple[LoincCode, ...]:
    """``loinc``: a list of ``{code, name, short}`` (the LOINC long common name is the code's
    source; the short name is optional), or of plain codes as older files give them."""
    if not isinstance(node, list) or not node:
        raise c.fail(path, f"must be a non-empty list, not {_kind(node)}", line)
    found = [
        c.attempt(partial(_loinc_code, c, item, f"{path}[{i}]", _line(node, i)))
        for i, item in enumerate(node)
    ]
    if any(item is None for item in found):
        raise _Invalid()
    return tuple(found)


def _loinc_code(c: Checker, node: Any, path: str, line: int | None) -> LoincCode:
    if isinstance(node, dict):
        m = c.mapping(node, path, line, {"code", "name"}, frozenset({"short", "omop"}))
        code = c.attempt(lambda: c.text(m["code"], f"{path}.code", _line(m, "code")))
        name = c.attempt(lambda: c.text(m["name"], f"{path}.name", _line(m, "name")))
        short = (
            c.attempt(lambda: c.text(m["short"], f"{path}.short", _line(m, "short")))
            if "short" in m
            else None
        )
        omop = (
            c.attempt(lambda: concept_id(c, m["omop"], f"{path}.omop", _line(m, "omop")))
            if "omop" in m
            else None
        )
        if (
            code is None
            or name is None
            or any(key in m and value is None for key, value in (("short", short), ("omop", omop)))
        ):
            raise _Invalid()
        path, line = f"{path}.code", _line(m, "code")
    else:
        code, name, short, omop = c.text(node, path, line), None, None, None
    if not _CODE.fullmatch(code):
        raise c.fail(path, f"{quote(code)} is not a LOINC code such as 2823-3", line)
    number, digit = code.split("-")
    if loinc_check_digit(number) != int(digit):
        raise c.fail(
            path,
            f"{quote(code)} is not a LOINC code: its check digit would be "
            f"{loinc_check_digit(number)}",
            line,
        )
    return LoincCode(code, name, short, omop)


def concept_id(c: Checker, node: Any, path: str, line: int | None) -> int:
    """An OMOP concept id: a whole number greater than 0 (0 is OMOP's "no matching
    concept")."""
    if isinstance(node, bool) or not isinstance(node, int) or node <= 0:
        raise c.fail(
            path, f"must be an OMOP concept id (a whole number > 0), not {quote(node)}", line
        )
    return node


def names_of(record: Analyte | Covariate) -> Iterator[tuple[str, str, int | None]]:
    """Every name of an entry, each with where it is written: (name, what, index)."""
    yield record.key, "key", None
    for i, alias in enumerate(record.aliases):
        yield alias, "aliases", i
    for i, code in enumerate(record.loinc):
        yield code, "loinc", i
    for i, term in enumerate(record.loinc_codes):
        for name in (term.name, term.short):
            if name is not None:
                yield name, "loinc", i


def name_index(
    c: Checker,
    records: Mapping[str, Analyte | Covariate],
    node: Any,
    ignore: frozenset[str],
    section: str = ANALYTES,
) -> dict[str, str]:
    """Every name of ``records`` folded -> the key of its entry. A name two entries share, or
    one that folds to nothing, is reported at its own line."""
    names: dict[str, str] = {}
    for record in records.values():
        for name, what, index in names_of(record):
            folded = fold_name(name, ignore)
            other = names.setdefault(folded, record.key) if folded else None
            if other == record.key:
                continue
            problem = (
                f"name {quote(name)} is also used by {other}{read_as(name, folded)}"
                if other is not None
                else f"name {quote(name)} is only words that `names: ignore` leaves out"
            )
            c.fail(f"{section}.{record.key}", problem, _where(node, record.key, what, index))
    return names


def _where(node: Any, key: str, what: str, index: int | None) -> int | None:
    """The line a name of entry ``key`` is written on (found only for a problem)."""
    entry = node.get(key) if isinstance(node, dict) else None
    place = entry.get(what) if isinstance(entry, dict) else None
    line = None if index is None else _line(place, index)
    return line or _line(node, key)


def read_aliases(
    c: Checker,
    top: Any,
    names: dict[str, str],
    covariate_names: dict[str, str],
    ignore: frozenset[str],
    ambiguous: Mapping[str, tuple[str, ...]] = MappingProxyType({}),
    strict: frozenset[str] = frozenset(),
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The ``aliases`` section (``LABEL: analyte``, optional): each label added to ``names``
    or ``covariate_names``; returns the labels added, by the key they name, and the ambiguous
    names (folded by ``strict``) that an alias settled, with the analyte each now names."""
    node = top.get("aliases")
    settled: dict[str, str] = {}
    if node is None:
        return {}, settled
    if not isinstance(node, dict) or not node:
        c.fail("aliases", f"must be a non-empty mapping, not {_kind(node)}", _line(top, "aliases"))
        return {}, settled
    added: dict[str, list[str]] = {}
    for label, target in node.items():
        path, line = f"aliases.{label}", _line(node, label)
        if not isinstance(label, str) or not label.strip():
            c.fail(f"aliases.{quote(label)}", "an alias must be non-empty text", line)
            continue
        if not isinstance(target, str) or not target.strip():
            c.fail(path, f"must name an analyte or covariate, not {_kind(target)}", line)
            continue
        if fold_name(label, strict) in ambiguous:  # the lab says which analyte it means
            key = names.get(fold_name(target, ignore))
            if key is None:
                c.fail(path, f"{quote(target)} is not an analyte", line)
            else:
                settled[fold_name(label, strict)] = key
                added.setdefault(key, []).append(label)
            continue
        try:
            section, key, folded = place_alias(names, covariate_names, ignore, label, target)
        except AliasProblem as exc:
            c.fail(path, str(exc), line)
            continue
        (names if section == ANALYTES else covariate_names)[folded] = key
        added.setdefault(key, []).append(label)
    return added, settled


__all__ = ["name_index", "names_of", "read_aliases", "read_ambiguous", "read_ignore", "read_loinc"]
