"""The `specimens` and `lookalike` sections: the words batch tells specimens and lookalike test
names by, read from the file, folded as batch reads a text's words, and checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from reference_edits import refused  # pytest puts this folder on sys.path

from electrocheck.batch.specimens import (
    BLOOD,
    OTHER,
    UNKNOWN,
    looks_like_electrolyte,
    names_other_specimen,
    specimen_kind,
    words,
)
from electrocheck.reference import Reference, SpecimenWords, load_reference


def _edit(section: str, key: str | None, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        if key is None:
            data[section] = value
        elif value is None:
            del data[section][key]
        else:
            data[section][key] = value

    return edit


def test_the_built_in_words_are_folded_as_a_texts_words_are(ref: Reference) -> None:
    known = ref.specimen_words
    for name in ("blood", "blood_codes", "other", "other_codes", "electrolyte_words"):
        found = getattr(known, name)
        assert found, name
        assert all(words(word) == (word,) for word in found), name
    for name in ("electrolyte_symbols", "qualifiers", "not_a_result"):
        assert all(words(word) == (word,) for word in getattr(known, name)), name
    assert {"n/a", "not given", "?", "null"} <= known.not_given
    assert "sérum" in known.blood and "cells" in known.other and "red" not in known.other
    assert "2" in known.qualifiers and "corrected" in known.not_a_result


def test_the_record_is_hashable_by_value(ref: Reference) -> None:
    known = ref.specimen_words
    copy = SpecimenWords(**{f.name: frozenset(getattr(known, f.name)) for f in fields(known)})
    assert copy == known and hash(copy) == hash(known)


def test_a_labs_other_word_makes_a_specimen_another(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["specimens"]["other"].append("Hämolysat")
        data["lookalike"]["electrolyte_words"].append("Kaliumwert")

    before = load_reference().specimen_words
    assert specimen_kind("Hämolysat", before) == UNKNOWN
    known = load_reference(write_reference(edit)).specimen_words
    assert "hämolysat" in known.other
    assert specimen_kind("HÄMOLYSAT", known) == OTHER
    assert specimen_kind("Serum", known) == BLOOD
    assert names_other_specimen("Kalium, Hämolysat", known)
    assert looks_like_electrolyte("KALIUMWERT", known)
    assert not looks_like_electrolyte("KALIUMWERT", before)


def test_a_file_without_the_sections_knows_no_other_specimen(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["specimens"], data["lookalike"]

    known = load_reference(write_reference(edit)).specimen_words
    assert known == SpecimenWords()
    assert specimen_kind("Urine", known) == UNKNOWN
    assert specimen_kind("", known) == BLOOD
    assert not names_other_specimen("Potassium, urine", known)
    assert not looks_like_electrolyte("K+", known)


def test_each_list_is_optional(write_reference: Callable[..., Path]) -> None:
    known = load_reference(write_reference(_edit("specimens", "blood_codes", None))).specimen_words
    assert known.blood_codes == frozenset() and known.other


INVALID = [
    ("specimens", None, ["urine"], "specimens: must be a mapping, not a list"),
    ("specimens", "other", "urine", "specimens.other: must be a non-empty list, not text"),
    ("specimens", "other", [], "specimens.other: must be a non-empty list, not a list"),
    (
        "specimens",
        "other",
        ["urine", 3],
        "specimens.other[1]: must be non-empty text, not a number",
    ),
    (
        "specimens",
        "blood",
        ["serum", None],
        "specimens.blood[1]: must be non-empty text, not empty",
    ),
    (
        "specimens",
        "other",
        ["urine", "pleural fluid"],
        "specimens.other[1]: must be one word of letters or digits, not 'pleural fluid'",
    ),
    ("specimens", "other_codes", ["u/"], "specimens.other_codes[0]: must be one word of"),
    ("specimens", "fluids", ["urine"], "specimens.fluids: unknown key"),
    (
        "specimens",
        "other",
        ["urine", "serum"],
        "specimens.other[1]: 'serum' is also under `blood`",
    ),
    (
        "specimens",
        "other",
        ["urine", "Level"],
        "specimens.other[1]: 'Level' is also under `names: ignore`",
    ),
    ("specimens", "not_given", {"n/a": 1}, "specimens.not_given: must be a non-empty list"),
    ("lookalike", None, "k", "lookalike: must be a mapping, not text"),
    ("lookalike", "qualifiers", ["lvl", 2], "lookalike.qualifiers[1]: must be non-empty text"),
    ("lookalike", "electrolyte_symbols", ["k+"], "lookalike.electrolyte_symbols[0]: must be one"),
    ("lookalike", "symbols", ["k"], "lookalike.symbols: unknown key"),
]


@pytest.mark.parametrize(
    ("section", "key", "value", "message"), INVALID, ids=[i[3][:60] for i in INVALID]
)
def test_invalid_word_lists_are_refused_with_file_line_and_key_path(
    write_reference: Callable[..., Path], section: str, key: str | None, value: Any, message: str
) -> None:
    problems = refused(write_reference(_edit(section, key, value)))
    assert any(message in problem for problem in problems), problems
