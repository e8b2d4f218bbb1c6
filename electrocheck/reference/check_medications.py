"""Checks of the ``medications`` section of the reference file: the medicines that move
electrolytes, their names and codes, their effects with sources, and the names that may mean
more than one medicine.

Every name of a medicine (its key, ``also``, ``brands``, codes) must be its own: a name two
medicines share is refused at the line of the second, unless the section lists it under
``ambiguous``, where it matches neither.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import partial
from types import MappingProxyType
from typing import Any

from electrocheck.errors import quote
from electrocheck.reference.check_base import Checker, _Invalid, _kind, _line
from electrocheck.reference.medicines import (
    MEDICINE_DIRECTIONS,
    Ambiguity,
    Effect,
    Medicine,
    Medicines,
    fold_drug,
)

_DRUG_KEYS = {"source", "effects"}
_DRUG_OPTIONAL = frozenset(
    {"also", "brands", "atc", "rxnorm", "omop", "codes_source", "rxnorm_source"}
)
_EFFECT_KEYS = {"analyte", "direction", "mechanism", "onset", "source"}
#: An ATC code of a chemical substance (level 5): L01XC06.
_ATC = re.compile(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}")
#: An RxNorm concept unique identifier: digits.
_RXNORM = re.compile(r"[0-9]{1,9}")


def read_medications(
    c: Checker, node: Any, line: int | None, analytes: Collection[str]
) -> Medicines:
    """The :class:`Medicines` of the section ``node`` (at ``line``); ``analytes`` are the
    analyte keys an effect may name. Problems are recorded in ``c``."""
    m = c.attempt(
        lambda: c.mapping(node, "medications", line, {"drugs"}, frozenset({"ambiguous", "sources"}))
    )
    if m is None:
        return Medicines()
    own = c.attempt(lambda: _sources(c, m)) or {}
    drugs_node = m["drugs"]
    if not isinstance(drugs_node, dict) or not drugs_node:
        c.fail(
            "medications.drugs",
            f"must be a non-empty mapping, not {_kind(drugs_node)}",
            _line(m, "drugs"),
        )
        return Medicines()
    drugs: dict[str, Medicine] = {}
    for key, entry in drugs_node.items():
        path, at = f"medications.drugs.{key}", _line(drugs_node, key)
        drug = c.attempt(partial(_medicine, c, key, entry, path, at, analytes))
        if drug is not None:
            drugs[drug.key] = drug
    ambiguous = c.attempt(lambda: _ambiguous(c, m, set(drugs_node))) or {}
    names, omop = _names(c, drugs, drugs_node, ambiguous)
    return Medicines(
        sources=MappingProxyType(own),
        drugs=MappingProxyType(drugs),
        names=MappingProxyType(names),
        ambiguous=MappingProxyType(ambiguous),
        omop=MappingProxyType(omop),
    )


def _sources(c: Checker, m: Any) -> dict[str, str]:
    """The section's own sources, added to those a ``source:`` of it may name."""
    if "sources" not in m:
        return {}
    node, line = m["sources"], _line(m, "sources")
    if not isinstance(node, dict) or not node:
        raise c.fail("medications.sources", f"must be a non-empty mapping, not {_kind(node)}", line)
    found: dict[str, str] = {}
    for key, value in node.items():
        path, at = f"medications.sources.{key}", _line(node, key)
        if str(key) in c.sources:
            c.fail(path, "is also a source of the file's `sources:`", at)
            continue
        text = c.attempt(partial(c.text, value, path, at))
        if text is not None:
            found[str(key)] = text
    c.sources.update(found)
    return found


def _medicine(
    c: Checker, key: Any, node: Any, path: str, line: int | None, analytes: Collection[str]
) -> Medicine:
    before = len(c.problems)
    name = c.text(key, path, line)
    m = c.mapping(node, path, line, _DRUG_KEYS, _DRUG_OPTIONAL)
    also = c.attempt(partial(_optional_texts, c, m, "also", path)) or ()
    brands = c.attempt(partial(_optional_texts, c, m, "brands", path)) or ()
    atc = c.attempt(partial(_code, c, m, "atc", path, _ATC, "an ATC code such as L01XC06"))
    rxnorm = c.attempt(partial(_code, c, m, "rxnorm", path, _RXNORM, "an RxNorm code (digits)"))
    omop = c.attempt(partial(_omop, c, m, path))
    source = c.attempt(lambda: c.source(m["source"], f"{path}.source", _line(m, "source")))
    codes_source = c.attempt(partial(_codes_source, c, m, path))
    rxnorm_source = c.attempt(partial(_rxnorm_source, c, m, path))
    effects = c.attempt(partial(_effects, c, m["effects"], path, _line(m, "effects"), analytes))
    if source is None or effects is None or len(c.problems) > before:
        raise _Invalid()  # an entry with a problem is left out whole, reported once
    return Medicine(
        name, also, brands, atc, rxnorm, omop, source, effects, codes_source, rxnorm_source
    )


def _codes_source(c: Checker, m: Any, path: str) -> str | None:
    """The source of a medicine's codes, where it is not that of its names (optional)."""
    if "codes_source" not in m:
        return None
    return c.source(m["codes_source"], f"{path}.codes_source", _line(m, "codes_source"))


def _rxnorm_source(c: Checker, m: Any, path: str) -> str | None:
    """The source of a medicine's RxNorm code, where it is not that of its other codes
    (optional); it needs the code it is the source of."""
    if "rxnorm_source" not in m:
        return None
    at = _line(m, "rxnorm_source")
    source = c.source(m["rxnorm_source"], f"{path}.rxnorm_source", at)
    if "rxnorm" not in m:
        raise c.fail(f"{path}.rxnorm_source", "is given without `rxnorm:`, the code it cites", at)
    return source


def _optional_texts(c: Checker, m: Any, key: str, path: str) -> tuple[str, ...]:
    if key not in m:
        return ()
    return c.texts(m[key], f"{path}.{key}", _line(m, key))


def _code(c: Checker, m: Any, key: str, path: str, form: re.Pattern[str], what: str) -> str | None:
    if key not in m:
        return None
    at = _line(m, key)
    value = m[key]
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    code = c.text(text, f"{path}.{key}", at)
    if not form.fullmatch(code):
        raise c.fail(f"{path}.{key}", f"must be {what}, not {quote(code)}", at)
    return code


def _omop(c: Checker, m: Any, path: str) -> int | None:
    if "omop" not in m:
        return None
    value, at = m["omop"], _line(m, "omop")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise c.fail(
            f"{path}.omop",
            f"must be an OMOP concept id (a whole number > 0), not {quote(value)}",
            at,
        )
    return int(value)


def _effects(
    c: Checker, node: Any, path: str, line: int | None, analytes: Collection[str]
) -> tuple[Effect, ...]:
    if not isinstance(node, list) or not node:
        raise c.fail(f"{path}.effects", f"must be a non-empty list, not {_kind(node)}", line)
    found = [
        c.attempt(partial(_effect, c, item, f"{path}.effects[{i}]", _line(node, i), analytes))
        for i, item in enumerate(node)
    ]
    seen: set[tuple[str, str]] = set()
    for i, effect in enumerate(found):
        if effect is None:
            continue
        side = (effect.analyte, effect.direction)
        if side in seen:  # two texts for one effect: which one is shown would be chance
            c.fail(
                f"{path}.effects[{i}]",
                f"{effect.direction} {effect.analyte} is given twice",
                _line(node, i),
            )
        seen.add(side)
    if any(effect is None for effect in found) or len(seen) < len(found):
        raise _Invalid()
    return tuple(e for e in found if e is not None)


def _effect(
    c: Checker, node: Any, path: str, line: int | None, analytes: Collection[str]
) -> Effect:
    m = c.mapping(node, path, line, _EFFECT_KEYS)
    analyte = c.text(m["analyte"], f"{path}.analyte", _line(m, "analyte"))
    if analyte not in analytes:
        known = ", ".join(sorted(analytes))
        raise c.fail(
            f"{path}.analyte",
            f"unknown analyte {quote(analyte)} (known: {known})",
            _line(m, "analyte"),
        )
    direction = c.text(m["direction"], f"{path}.direction", _line(m, "direction"))
    if direction not in MEDICINE_DIRECTIONS:
        raise c.fail(
            f"{path}.direction",
            f"must be low or high, not {quote(direction)}",
            _line(m, "direction"),
        )
    return Effect(
        analyte,
        direction,
        c.text(m["mechanism"], f"{path}.mechanism", _line(m, "mechanism")),
        c.text(m["onset"], f"{path}.onset", _line(m, "onset")),
        c.source(m["source"], f"{path}.source", _line(m, "source")),
    )


def _ambiguous(c: Checker, m: Any, keys: set[Any]) -> dict[str, Ambiguity]:
    if "ambiguous" not in m:
        return {}
    node, line = m["ambiguous"], _line(m, "ambiguous")
    if not isinstance(node, list) or not node:
        raise c.fail("medications.ambiguous", f"must be a non-empty list, not {_kind(node)}", line)
    found: dict[str, Ambiguity] = {}
    for i, item in enumerate(node):
        path, at = f"medications.ambiguous[{i}]", _line(node, i)
        entry = c.attempt(partial(_ambiguity, c, item, path, at, keys))
        if entry is not None:
            found[fold_drug(entry.name)] = entry
    return found


def _ambiguity(c: Checker, node: Any, path: str, line: int | None, keys: set[Any]) -> Ambiguity:
    m = c.mapping(node, path, line, {"name", "drugs", "source"})
    name = c.text(m["name"], f"{path}.name", _line(m, "name"))
    drugs = c.texts(m["drugs"], f"{path}.drugs", _line(m, "drugs"))
    for j, drug in enumerate(drugs):
        if drug not in keys:
            raise c.fail(
                f"{path}.drugs[{j}]", f"unknown medicine {quote(drug)}", _line(m["drugs"], j)
            )
    if len(set(drugs)) < 2:
        raise c.fail(f"{path}.drugs", "must name at least two medicines", _line(m, "drugs"))
    source = c.source(m["source"], f"{path}.source", _line(m, "source"))
    return Ambiguity(name, drugs, source)


def _names(
    c: Checker, drugs: dict[str, Medicine], node: Any, ambiguous: dict[str, Ambiguity]
) -> tuple[dict[str, str], dict[int, str]]:
    """Every folded name and code -> medicine key, and OMOP concept id -> key; a name two
    medicines share, or one also listed as ambiguous, is reported at the second."""
    names: dict[str, str] = {}
    omop: dict[int, str] = {}
    for key, drug in drugs.items():
        path, at = f"medications.drugs.{key}", _line(node, key)
        for name in drug.names():
            folded = fold_drug(name)
            if not folded:
                c.fail(path, f"name {quote(name)} has no letter or digit", at)
            elif folded in ambiguous:
                c.fail(path, f"name {quote(name)} is listed as ambiguous", at)
            elif names.get(folded, key) != key:
                c.fail(
                    path,
                    f"name {quote(name)} is also a name of {names[folded]}: list it under "
                    "`medications: ambiguous` if it may mean either",
                    at,
                )
            else:
                names[folded] = key
        if drug.omop is not None:
            omop[drug.omop] = key
    return names, omop


__all__ = ["read_medications"]
