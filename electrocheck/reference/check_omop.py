"""Checks of the OMOP CDM concept ids of the reference file: the ``omop`` section (the
citation of the ids, and the unit concepts with their units) and the ``omop:`` id beside a
LOINC code of an analyte or a covariate (read by
:func:`~electrocheck.reference.check_names.read_loinc`).

A ``MEASUREMENT`` row names its test by ``measurement_concept_id``, the OMOP standard
concept of a LOINC code, and perhaps its unit by ``unit_concept_id`` alone. Each id may stand
for one LOINC code or unit only; the section is optional, and required by any ``omop:`` id.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from electrocheck.reference.check_base import Checker, _Invalid, _kind, _line
from electrocheck.reference.check_names import concept_id
from electrocheck.reference.model import Analyte, Covariate


def read_omop(
    c: Checker, top: Any, records: Mapping[str, Analyte | Covariate]
) -> tuple[dict[int, str], dict[int, str]]:
    """(measurement concept -> LOINC code, unit concept -> unit spelling), from the ``omop``
    section and the ``omop:`` ids of ``records``' LOINC codes (analytes and covariates)."""
    concepts: dict[int, str] = {}
    for record in records.values():
        for term in record.loinc_codes:
            if term.omop is None:
                continue
            if concepts.get(term.omop, term.code) != term.code:
                section = "analytes" if isinstance(record, Analyte) else "covariates"
                c.fail(
                    f"{section}.{record.key}.loinc",
                    f"OMOP concept {term.omop} is given to both {concepts[term.omop]} and "
                    f"{term.code}",
                    _line(top.get(section), record.key),
                )
            concepts[term.omop] = term.code
    if "omop" not in top:
        if concepts:
            c.fail("omop", "missing: the `omop:` concept ids of LOINC codes need their source", 1)
        return concepts, {}
    line = _line(top, "omop")
    m = c.attempt(lambda: c.mapping(top["omop"], "omop", line, {"source", "units"}))
    if m is None:
        return concepts, {}
    c.attempt(lambda: c.source(m["source"], "omop.source", _line(m, "source")))
    units = c.attempt(lambda: _units(c, m["units"], _line(m, "units"))) or {}
    return concepts, units


def _units(c: Checker, node: Any, line: int | None) -> dict[int, str]:
    if not isinstance(node, dict) or not node:
        raise c.fail("omop.units", f"must be a non-empty mapping, not {_kind(node)}", line)
    found: dict[int, str] = {}
    for key, text in node.items():
        path, at = f"omop.units.{key}", _line(node, key)
        concept = c.attempt(partial(concept_id, c, key, path, at))
        unit = c.attempt(partial(c.unit, text, path, at))
        if concept is not None and unit is not None:
            found[concept] = unit.spelling
    if len(found) < len(node):
        raise _Invalid()
    return found


__all__ = ["read_omop"]
