"""Checks of the reference file as a whole: the top-level keys, ``format``, ``title`` and
``sources``; each section in turn (``names``, ``specimens`` and ``lookalike``, ``analytes``,
``covariates``, ``aliases``, ``corrections``, ``spasm_care``, ``specimen_signs``,
``patterns``, ``medications``); names that two
entries share (:mod:`~electrocheck.reference.check_names`); and the assembly of the
:class:`~electrocheck.reference.model.Reference`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from electrocheck.errors import ReferenceFileError, quote
from electrocheck.reference.changes import Changes
from electrocheck.reference.check_analytes import read_analytes
from electrocheck.reference.check_base import Checker, _kind, _line
from electrocheck.reference.check_corrections import read_corrections, read_covariates
from electrocheck.reference.check_names import (
    name_index,
    read_aliases,
    read_ambiguous,
    read_ignore,
)
from electrocheck.reference.check_omop import read_omop
from electrocheck.reference.check_patterns import read_patterns, read_spasm_care
from electrocheck.reference.check_signs import read_signs
from electrocheck.reference.check_specimens import read_specimen_words
from electrocheck.reference.check_trends import read_changes
from electrocheck.reference.model import FORMAT, Reference, with_labels

if TYPE_CHECKING:  # read on first use (see load): not loaded at every start
    from electrocheck.reference.medicines import Medicines

_TOP_OPTIONAL = frozenset(
    {
        "names",
        "specimens",
        "lookalike",
        "aliases",
        "covariates",
        "corrections",
        "patterns",
        "spasm_care",
        "specimen_signs",
        "changes",
        "omop",
        "medications",
    }
)


def read_reference(
    c: Checker, data: Any, medicine_reader: Callable[[], Medicines] | None = None
) -> Reference:
    """The :class:`Reference` of a parsed file; raises :class:`ReferenceFileError` listing
    every problem found. ``medicine_reader`` reads the ``medications`` section when the
    loader has kept it apart (see :mod:`~electrocheck.reference.load`); a section in ``data``
    is read here."""
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
    ignore = c.attempt(lambda: read_ignore(c, top)) or frozenset()
    specimen_words = read_specimen_words(c, top, ignore)
    analytes = read_analytes(c, top)
    node = top["analytes"]
    names = name_index(c, analytes, node, ignore)
    covariates = read_covariates(c, top)
    covariate_names = name_index(c, covariates, top.get("covariates"), ignore, "covariates")
    for name, key in covariate_names.items():
        if name in names:
            c.fail(
                f"covariates.{key}",
                f"name {quote(name)} is also used by analyte {names[name]}",
                _line(top.get("covariates"), key),
            )
    blood_gas = c.attempt(lambda: read_ignore(c, top, "blood_gas")) or frozenset()
    strict = ignore - blood_gas
    ambiguous = c.attempt(lambda: read_ambiguous(c, top, names, strict, set(analytes))) or {}
    added, settled = read_aliases(c, top, names, covariate_names, ignore, ambiguous, strict)
    analytes, covariates = with_labels(analytes, added), with_labels(covariates, added)
    # Keys of the file, valid or not: a broken analyte is reported once, not again by
    # every correction and pattern that names it.
    written = set(node) if isinstance(node, dict) else set()
    corrections = read_corrections(c, top, analytes, covariates, written)
    care = c.attempt(lambda: read_spasm_care(c, top)) or ((), ())
    fixes = top.get("corrections")
    written |= set(fixes) if isinstance(fixes, dict) else set()
    signs = read_signs(c, top)
    patterns = read_patterns(c, top, {*analytes, *corrections}, written, set(signs))
    changes = c.attempt(lambda: read_changes(c, top, set(analytes), written))
    omop_concepts, omop_units = read_omop(c, top, {**analytes, **covariates})
    if "medications" in top:
        if medicine_reader is not None:
            c.fail("medications", "given twice", _line(top, "medications"))
        from electrocheck.reference.check_medications import read_medications

        medicines = read_medications(c, top["medications"], _line(top, "medications"), analytes)
        medicine_reader = partial(_given, medicines)
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
        patterns=tuple(p for p in patterns if p.specimen is None),
        specimen_signs=signs,
        specimen_patterns=tuple(p for p in patterns if p.specimen is not None),
        spasm_care=care[0],
        spasm_care_sources=care[1],
        ignore=ignore,
        blood_gas=blood_gas,
        ambiguous=MappingProxyType(
            {name: keys for name, keys in ambiguous.items() if name not in settled}
        ),
        settled=MappingProxyType(settled),
        specimen_words=specimen_words,
        changes=changes or Changes(),
        omop_concepts=MappingProxyType(omop_concepts),
        omop_units=MappingProxyType(omop_units),
        medicine_reader=medicine_reader,
    )


def _given(medicines: Medicines) -> Medicines:
    return medicines


def read_sources(c: Checker, node: Any, line: int | None) -> None:
    if not isinstance(node, dict) or not node:
        raise c.fail("sources", f"must be a non-empty mapping, not {_kind(node)}", line)
    for key, value in node.items():
        text = c.attempt(partial(c.text, value, f"sources.{key}", _line(node, key)))
        if text is not None:
            c.sources[str(key)] = text
