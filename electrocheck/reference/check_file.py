"""Checks of the reference file as a whole: the top-level keys, ``format``, ``title`` and
``sources``; each section in turn (``analytes``, ``covariates``, ``corrections``,
``spasm_care``, ``patterns``); names that two entries share; and the assembly of the
:class:`~electrocheck.reference.model.Reference`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from types import MappingProxyType
from typing import Any

from electrocheck.errors import ReferenceFileError, quote
from electrocheck.reference.check_analytes import read_analytes
from electrocheck.reference.check_base import Checker, _kind, _line
from electrocheck.reference.check_corrections import read_corrections, read_covariates
from electrocheck.reference.check_patterns import read_patterns, read_spasm_care
from electrocheck.reference.model import FORMAT, Analyte, Covariate, Reference

_TOP_OPTIONAL = frozenset({"covariates", "corrections", "patterns", "spasm_care"})


def read_reference(c: Checker, data: Any) -> Reference:
    """The :class:`Reference` of a parsed file; raises :class:`ReferenceFileError` listing
    every problem found."""
    top = c.attempt(
        lambda: c.mapping(
            data, "(top level)", 1, {"format", "title", "sources", "analytes"}, _TOP_OPTIONAL
        )
    )
    if top is None:
        raise ReferenceFileError(c.problems)
    if type(top["format"]) is not int or top["format"] != FORMAT:
        c.fail("format", f"must be {FORMAT}, not {quote(top['format'])}", _line(top, "format"))
    title = c.attempt(lambda: c.text(top["title"], "title", _line(top, "title")))
    c.attempt(lambda: read_sources(c, top["sources"], _line(top, "sources")))
    analytes = read_analytes(c, top)
    node = top["analytes"]
    names = name_index(c, analytes, node)
    covariates = read_covariates(c, top)
    covariate_names = name_index(c, covariates, top.get("covariates"), "covariates")
    for name, key in covariate_names.items():
        if name in names:
            c.fail(
                f"covariates.{key}",
                f"name {quote(name)} is also used by analyte {names[name]}",
                _line(top.get("covariates"), key),
            )
    # Keys of the file, valid or not: a broken analyte is reported once, not again by
    # every correction and pattern that names it.
    written = set(node) if isinstance(node, dict) else set()
    corrections = read_corrections(c, top, analytes, covariates, written)
    care = c.attempt(lambda: read_spasm_care(c, top)) or ((), ())
    fixes = top.get("corrections")
    written |= set(fixes) if isinstance(fixes, dict) else set()
    patterns = read_patterns(c, top, {*analytes, *corrections}, written)
    if c.problems:
        raise ReferenceFileError(c.problems)
    return Reference(
        path=c.path,
        title=title,
        sources=MappingProxyType(dict(c.sources)),
        analytes=MappingProxyType(analytes),
        names=MappingProxyType(names),
        covariates=MappingProxyType(covariates),
        covariate_names=MappingProxyType(covariate_names),
        corrections=MappingProxyType(corrections),
        patterns=patterns,
        spasm_care=care[0],
        spasm_care_sources=care[1],
    )


def read_sources(c: Checker, node: Any, line: int | None) -> None:
    if not isinstance(node, dict) or not node:
        raise c.fail("sources", f"must be a non-empty mapping, not {_kind(node)}", line)
    for key, value in node.items():
        text = c.attempt(partial(c.text, value, f"sources.{key}", _line(node, key)))
        if text is not None:
            c.sources[str(key)] = text


def name_index(
    c: Checker, analytes: Mapping[str, Analyte | Covariate], node: Any, section: str = "analytes"
) -> dict[str, str]:
    names: dict[str, str] = {}
    for analyte in analytes.values():
        for name in (analyte.key, *analyte.aliases, *analyte.loinc):
            folded = name.casefold()
            other = names.setdefault(folded, analyte.key)
            if other != analyte.key:
                c.fail(
                    f"{section}.{analyte.key}",
                    f"name {quote(name)} is also used by {other}",
                    _line(node, analyte.key),
                )
    return names
