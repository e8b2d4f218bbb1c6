"""The OMOP concept ids of the reference file: the built-in ids, and a changed copy's
problems, each reported with its file, line and key path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import DELETE, refused, set_at

from electrocheck.reference import Reference, load_reference


@pytest.mark.parametrize(
    ("concept", "code", "analyte"),
    [
        (3019550, "2951-2", "sodium"),
        (3023103, "2823-3", "potassium"),
        (3006906, "17861-6", "calcium"),
        (3001420, "19123-9", "magnesium"),
    ],
)
def test_built_in_concepts_name_their_analytes(
    ref: Reference, concept: int, code: str, analyte: str
) -> None:
    assert ref.omop_concepts[concept] == code
    assert ref.analyte_key(code) == analyte


@pytest.mark.parametrize(("concept", "code"), [(3024561, "1751-7"), (3004501, "2345-7")])
def test_built_in_covariate_concepts(ref: Reference, concept: int, code: str) -> None:
    assert ref.omop_concepts[concept] == code
    assert ref.covariate_key(code) is not None


def test_built_in_units(ref: Reference) -> None:
    assert dict(ref.omop_units) == {8753: "mmol/L", 8840: "mg/dL"}


def test_every_concept_is_cited(ref: Reference) -> None:
    assert "ohdsi-dqd-concepts" in ref.sources


def _potassium_code(data: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = data["analytes"]["potassium"]["loinc"][0]
    return item


def _set_potassium_concept(value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        _potassium_code(data)["omop"] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_set_potassium_concept(0), "analytes.potassium.loinc[0].omop: must be an OMOP concept id"),
        (_set_potassium_concept(-5), "loinc[0].omop: must be an OMOP concept id"),
        (_set_potassium_concept("3023103"), "loinc[0].omop: must be an OMOP concept id"),
        (_set_potassium_concept(True), "loinc[0].omop: must be an OMOP concept id"),
        # The sodium concept given to a potassium code too.
        (
            _set_potassium_concept(3019550),
            "OMOP concept 3019550 is given to both",
        ),
        (set_at("omop.source", "no-such-source"), "omop.source: unknown source 'no-such-source'"),
        (set_at("omop.units", {8753: "furlongs"}), "omop.units.8753:"),
        (set_at("omop.units", {0: "mmol/L"}), "omop.units.0: must be an OMOP concept id"),
        (set_at("omop.units", []), "omop.units: must be a non-empty mapping"),
        (set_at("omop.colour", "red"), "omop.colour: unknown key"),
        (set_at("omop", DELETE), "omop: missing: the `omop:` concept ids of LOINC codes need"),
    ],
)
def test_refused(
    write_reference: Callable[..., Path], edit: Callable[[dict[str, Any]], None], expected: str
) -> None:
    problems = refused(write_reference(edit))
    assert any(expected in problem for problem in problems), problems


def test_a_file_without_concepts_needs_no_section(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["omop"]
        for section in ("analytes", "covariates"):
            for entry in data[section].values():
                for item in entry["loinc"]:
                    if isinstance(item, dict):
                        item.pop("omop", None)

    reference = load_reference(write_reference(edit))
    assert dict(reference.omop_concepts) == {} and dict(reference.omop_units) == {}
