"""The `specimen_signs` section and the patterns that name a sign (`specimen:`): checked
with file, line and key path; a file without them stays valid."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import DELETE, Edit, refused, set_at  # pytest puts this folder on sys.path

from electrocheck.reference import Reference, load_reference
from electrocheck.reference.model import header_squeezed, header_unit, squeezed

HAEM = 6  # the index of haemolysed-potassium among the built-in file's patterns


def test_the_built_in_signs(ref: Reference) -> None:
    haem = ref.specimen_signs["haemolysed"]
    assert {"hemolysisindex", "hil", "hindex", "hemolyzed"} <= haem.columns
    assert "comment" in haem.comment_columns and "haemolysed" in haem.words
    assert haem.above == 50 and "lab-choice-haemolysis" in haem.sources
    assert ref.specimen_signs["platelets_high"].above == 500
    assert ref.specimen_signs["white_cells_high"].above == 50
    assert {"109l", "103ul", "kul"} <= ref.specimen_signs["platelets_high"].units
    assert [(p.id, p.specimen, p.when) for p in ref.specimen_patterns] == [
        ("haemolysed-potassium", "haemolysed", (("potassium", "high"),)),
        ("platelets-potassium", "platelets_high", (("potassium", "high"),)),
        ("white-cells-potassium", "white_cells_high", (("potassium", "high"),)),
    ]
    for pattern in ref.specimen_patterns:
        assert "{column}" in pattern.note and "{value}" in pattern.note
        assert "before treating" in pattern.note


@pytest.mark.parametrize(
    ("text", "name", "unit"),
    [
        ("Hemolysis Index", "hemolysisindex", None),
        ("hemolysis_index", "hemolysisindex", None),
        ("H-index (mg/dL)", "hindex", "mgdl"),
        ("Platelets [10^9/L]", "platelets", "109l"),
        ("PLT (10^3/µL)", "plt", "103ul"),
    ],
)
def test_headers_squeezed(text: str, name: str, unit: str | None) -> None:
    assert header_squeezed(text) == name
    assert header_unit(text) == unit
    assert squeezed("K/µL") == squeezed("K/uL") == "kul"


def test_a_file_without_signs_stays_valid(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["specimen_signs"]
        data["patterns"] = [p for p in data["patterns"] if "specimen" not in p]

    ref = load_reference(write_reference(edit))
    assert ref.specimen_signs == {} and ref.specimen_patterns == ()
    assert len(ref.patterns) == 6


INVALID = [
    (
        "a pattern naming no sign",
        set_at(f"patterns.{HAEM}.specimen", "haemolysis"),
        f"patterns[{HAEM}].specimen: 'haemolysis' is not a sign of `specimen_signs` (known: "
        "haemolysed, platelets_high, white_cells_high)",
    ),
    (
        "a sign of a file without the section",
        set_at("specimen_signs", DELETE),
        f"patterns[{HAEM}].specimen: 'haemolysed' is not a sign of `specimen_signs` (known: "
        "none: add a `specimen_signs` section)",
    ),
    (
        "one analyte without a sign",
        set_at("patterns.0.when", {"magnesium": "low"}),
        "patterns[0].when: must map two or more analytes",
    ),
    (
        "no analyte with a sign",
        set_at(f"patterns.{HAEM}.when", {}),
        f"patterns[{HAEM}].when: must map one or more analytes",
    ),
    (
        "braces in a pattern without a sign",
        set_at("patterns.0.note", "Low Mg with low K ({value})"),
        "patterns[0].note: braces are for patterns with `specimen:`",
    ),
    (
        "an unknown field in a sign's note",
        set_at(f"patterns.{HAEM}.note", "Haemolysed ({index})"),
        f"patterns[{HAEM}].note: braces: a pattern with `specimen:` may hold {{column}} and "
        "{value}, no other",
    ),
    (
        "a threshold without a source",
        set_at("specimen_signs.haemolysed.above", {"value": 50}),
        "specimen_signs.haemolysed.above.source: missing",
    ),
    (
        "a threshold of an unknown source",
        set_at("specimen_signs.haemolysed.above", {"value": 50, "source": "my-analyser"}),
        "specimen_signs.haemolysed.above.source: unknown source 'my-analyser'",
    ),
    (
        "a threshold that is no number",
        set_at("specimen_signs.platelets_high.above.value", "500/nL"),
        "specimen_signs.platelets_high.above.value: must be a number",
    ),
    (
        "comment columns without words",
        set_at("specimen_signs.haemolysed.words", DELETE),
        "specimen_signs.haemolysed.comment_columns: given without `words`",
    ),
    (
        "units without a threshold",
        set_at("specimen_signs.platelets_high.above", DELETE),
        "specimen_signs.platelets_high.units: given without `above`",
    ),
    (
        "a word of two words",
        set_at("specimen_signs.haemolysed.words", ["grossly haemolysed"]),
        "specimen_signs.haemolysed.words[0]: must be one word of letters or digits",
    ),
    (
        "a misspelt key",
        set_at("specimen_signs.haemolysed.colums", ["hil"]),
        "specimen_signs.haemolysed.colums: unknown key",
    ),
    (
        "no columns",
        set_at("specimen_signs.white_cells_high.columns", []),
        "specimen_signs.white_cells_high.columns: must be a non-empty list",
    ),
    (
        "the section not a mapping",
        set_at("specimen_signs", ["haemolysed"]),
        "specimen_signs: must be a non-empty mapping, not a list",
    ),
]


@pytest.mark.parametrize(
    ("edit", "message"), [(i[1], i[2]) for i in INVALID], ids=[i[0] for i in INVALID]
)
def test_a_broken_sign_is_refused_with_its_key_path(
    write_reference: Callable[..., Path], edit: Edit, message: str
) -> None:
    problems = refused(write_reference(edit))
    assert any(message in problem for problem in problems), problems


def test_a_sign_with_nothing_to_read_is_refused(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        sign = data["specimen_signs"]["white_cells_high"]
        del sign["above"], sign["units"]

    problems = refused(write_reference(edit))
    assert any(
        "specimen_signs.white_cells_high: says no sign: give `above`, `words` or `positive`" in p
        for p in problems
    ), problems
