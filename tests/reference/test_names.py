"""The names labs write: the folding rule, the built-in names and LOINC codes, what must never
be read as a serum analyte, the `names` and `aliases` sections of a file, and `with_aliases`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lab_names import NEVER, SPELLINGS  # pytest puts tests/ on sys.path ("prepend" imports)
from reference_edits import refused, set_at  # pytest puts this folder on sys.path

from electrocheck.errors import InputError, ReferenceFileError, UnknownAnalyteError
from electrocheck.reference import (
    Reference,
    built_in_path,
    fold_name,
    load_reference,
    with_aliases,
)
from electrocheck.reference.names import loinc_check_digit, parse_alias, parse_aliases


@pytest.mark.parametrize(("label", "key"), SPELLINGS, ids=[s for s, _ in SPELLINGS])
def test_each_spelling_names_its_analyte(ref: Reference, label: str, key: str) -> None:
    assert ref.analyte_key(label) == key
    assert ref.analyte(label).key == key


@pytest.mark.parametrize("label", NEVER, ids=[repr(n) for n in NEVER])
def test_other_specimens_and_corrected_calcium_never_match(ref: Reference, label: str) -> None:
    assert ref.analyte_key(label) is None
    with pytest.raises(UnknownAnalyteError):
        ref.analyte(label)


def test_ionized_and_total_calcium_never_fold_into_each_other(ref: Reference) -> None:
    ionized = {label for label, key in SPELLINGS if key == "ionized_calcium"}
    total = {label for label, key in SPELLINGS if key == "calcium"}
    assert all(ref.analyte_key(label) == "ionized_calcium" for label in ionized)
    assert all(ref.analyte_key(label) == "calcium" for label in total)
    for name in ref.analytes["ionized_calcium"].aliases:
        assert ref.analyte_key(name) == "ionized_calcium"
    for name in ref.analytes["calcium"].aliases:
        assert ref.analyte_key(name) == "calcium"


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Potassium, Serum", "potassium serum"),
        ("  POTASSIUM   LVL ", "potassium lvl"),
        ("Ca++", "ca2+"),
        ("Ca2+", "ca2+"),
        ("Ca 2+", "ca2+"),
        ("Ca²⁺", "ca2+"),
        ("K+", "k+"),
        ("Calcium ionisé", "calcium ionise"),
        ("LOINC:2823-3", "loinc 2823-3"),
        ("adjusted to pH 7.4", "adjusted to ph 7.4"),
        ("Potassium 24h", "potassium 24 h"),
        ("Na+/K+", "na+ k+"),
        ("", ""),
    ],
)
def test_folding_rule(text: str, folded: str) -> None:
    assert fold_name(text) == folded


def test_folding_leaves_out_only_the_words_given() -> None:
    ignore = frozenset({"serum", "lvl"})
    assert fold_name("Potassium, serum, lvl", ignore) == "potassium"
    assert fold_name("Potassium, urine", ignore) == "potassium urine"
    assert fold_name("Serum", ignore) == ""


def test_the_words_left_out_are_data(ref: Reference) -> None:
    assert {"serum", "plasma", "blood", "lvl", "level", "total", "loinc"} <= ref.ignore
    assert not ref.ignore & {"urine", "fluid", "csf", "ionized", "corrected", "free", "rbc"}


# --------------------------------------------------------------------------- LOINC

#: Codes the built-in file must hold (see reference_ranges.yaml for each name).
CODES = {
    "calcium": {"17861-6", "2000-8", "49765-1", "1996-8", "42857-3", "42593-4"},
    "ionized_calcium": {
        "1994-3",
        "1995-0",
        "38230-9",
        "17863-2",
        "47596-2",
        "12180-6",
        "17864-0",
        "34581-9",
        "41645-3",
        "41644-6",
        "41646-1",
        "59470-5",
        "47598-8",
        "53139-2",
        "59472-1",
        "59473-9",
    },
    "magnesium": {"19123-9", "2601-3", "21377-7", "2593-2"},
    "potassium": {
        "2823-3",
        "6298-4",
        "77142-8",
        "32713-0",
        "39789-3",
        "39790-1",
        "41656-0",
        "22760-3",
        "75940-7",
    },
    "sodium": {"2951-2", "2947-0", "77139-4", "32717-1", "39791-9", "39792-7", "41657-8"},
}


def test_built_in_loinc_codes(ref: Reference) -> None:
    for key, codes in CODES.items():
        assert set(ref.analytes[key].loinc) == codes, key
        for code in codes:
            assert ref.analyte_key(code) == key
            assert ref.analyte_key(f"LOINC:{code}") == key


def test_every_code_is_named_and_its_names_find_it(ref: Reference) -> None:
    for record in (*ref.analytes.values(), *ref.covariates.values()):
        assert record.loinc_codes and record.loinc == tuple(t.code for t in record.loinc_codes)
        for term in record.loinc_codes:
            number, digit = term.code.split("-")
            assert loinc_check_digit(number) == int(digit), term.code
            assert term.name is not None, term.code  # the code's source
            lookup = ref.analyte_key if record.key in ref.analytes else ref.covariate_key
            for name in (term.code, term.name, term.short):
                if name is not None:
                    assert lookup(name) == record.key, name


def test_serum_codes_of_the_names_say_what_they_measure(ref: Reference) -> None:
    for record in ref.analytes.values():
        for term in record.loinc_codes:
            assert term.name is not None
            words = fold_name(term.name).split()
            assert "urine" not in words and "corrected" not in words and "fluid" not in words
            assert ("ionized" in words) == (record.key == "ionized_calcium"), term.name


@pytest.mark.parametrize(("number", "digit"), [("2823", 3), ("17861", 6), ("12345", 5)])
def test_loinc_check_digit(number: str, digit: int) -> None:
    assert loinc_check_digit(number) == digit


# --------------------------------------------------------------------------- hints


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("pottasium", "potassium"),
        ("sodum", "sodium"),
        ("magnesum", "magnesium"),
        ("calcum", "calcium"),
    ],
)
def test_a_misspelling_gets_a_hint_never_a_match(ref: Reference, typed: str, hint: str) -> None:
    assert ref.analyte_key(typed) is None
    assert ref.nearest_name(typed) == hint
    with pytest.raises(UnknownAnalyteError, match=f"did you mean '{hint}'"):
        ref.analyte(typed)


@pytest.mark.parametrize("typed", ["chloride", "phosphate", "x", "Potassium, urine"])
def test_no_hint_for_other_tests(ref: Reference, typed: str) -> None:
    with pytest.raises(UnknownAnalyteError) as info:
        ref.analyte(typed)
    assert "did you mean" not in str(info.value)


# --------------------------------------------------------------------------- with_aliases


def test_with_aliases_adds_names_to_a_new_reference(ref: Reference) -> None:
    added = with_aliases(ref, [("Kalium X", "k"), ("Ca ges.", "Calcium"), ("Alb-S", "alb")])
    assert added is not ref and ref.analyte_key("Kalium X") is None
    assert added.analyte_key("kalium x") == "potassium"
    assert added.analyte_key("CA GES") == "calcium"
    assert added.covariate_key("alb s") == "albumin"
    assert "Kalium X" in added.analytes["potassium"].aliases
    assert added.analytes["sodium"] is ref.analytes["sodium"]
    assert with_aliases(ref, []) is ref


def test_an_alias_of_another_analytes_name_is_refused(ref: Reference) -> None:
    with pytest.raises(InputError, match=r"'K\+' already names potassium"):
        with_aliases(ref, [("K+", "na")])
    with pytest.raises(InputError, match="'X' already names potassium"):
        with_aliases(ref, [("X", "k"), ("X", "na")])
    with pytest.raises(InputError, match="names nothing"):
        with_aliases(ref, [("serum", "k")])
    assert with_aliases(ref, [("K+", "potassium")]).analyte_key("K+") == "potassium"


def test_an_alias_of_an_unknown_analyte_is_refused(ref: Reference) -> None:
    with pytest.raises(UnknownAnalyteError, match=r"--alias 'X=pottasium': .*did you mean"):
        with_aliases(ref, [("X", "pottasium")])


@pytest.mark.parametrize("text", ["Kalium", "=k", "Kalium=", "  =  "])
def test_alias_option_needs_label_and_analyte(text: str) -> None:
    with pytest.raises(InputError, match="expected LABEL=ANALYTE"):
        parse_alias(text)


def test_alias_option_splits_at_the_last_equals_sign(ref: Reference) -> None:
    assert parse_alias(" K (a=b) = k ") == ("K (a=b)", "k")
    added = with_aliases(ref, parse_aliases(["Kalium X=k"]))
    assert added.analyte_key("Kalium X") == "potassium"


# --------------------------------------------------------------------------- a lab's file


def test_a_labs_aliases_section_adds_names(write_reference: Callable[..., Path]) -> None:
    file = write_reference(set_at("aliases", {"Kalium X": "k", "ALB-S": "albumin"}))
    ref = load_reference(file)
    assert ref.analyte_key("KALIUM X") == "potassium"
    assert ref.covariate_key("alb s") == "albumin"
    assert "Kalium X" in ref.analytes["potassium"].aliases


INVALID = [
    (
        "aliases",
        {"K+": "sodium"},
        "aliases.K+: 'K+' already names potassium",
    ),
    ("aliases", {"Kalium X": "chlorid"}, "aliases.Kalium X: 'chlorid' is not an analyte"),
    ("aliases", {"serum": "k"}, "aliases.serum: 'serum' is only words"),
    ("aliases", {"X": 3}, "aliases.X: must name an analyte or covariate"),
    ("aliases", [], "aliases: must be a non-empty mapping"),
    ("names", {"ignore": ["serum", "two words"]}, "names.ignore[1]: must be one word"),
    ("names", {"ignore": ["2"]}, "names.ignore[0]: must be one word of letters"),
    ("names", {"skip": ["serum"]}, "names.skip: unknown key"),
    (
        "names",
        {"ignore": ["serum"], "ambiguous": {"Ca++": ["calcium"]}},
        "names.ambiguous.Ca++: must list two or more analytes of this file",
    ),
    (
        "names",
        {"ignore": ["serum"], "ambiguous": {"Ca++": ["calcium", "chlorid"]}},
        "names.ambiguous.Ca++: must list two or more analytes of this file",
    ),
    (
        "names",
        {"ignore": ["serum"], "ambiguous": {"K+": ["potassium", "sodium"]}},
        "names.ambiguous.K+: 'K+' is also a name of potassium",
    ),
    (
        "analytes.sodium.aliases",
        ["na", "Potassium, serum"],
        "analytes.sodium: name 'Potassium, serum' is also used by potassium (read as 'potassium')",
    ),
    (
        "analytes.sodium.aliases",
        ["na", "Serum, plasma"],
        "analytes.sodium: name 'Serum, plasma' is only words that `names: ignore` leaves out",
    ),
    ("analytes.potassium.loinc.0.code", "2823-4", "its check digit would be 3"),
    ("analytes.potassium.loinc.0.code", "K-2823", "'K-2823' is not a LOINC code"),
    ("analytes.potassium.loinc.0", {"code": "2823-3"}, "analytes.potassium.loinc[0].name: missing"),
    (
        "analytes.potassium.loinc.0",
        {"code": "2823-3", "name": "x", "long": "y"},
        "analytes.potassium.loinc[0].long: unknown key",
    ),
    ("analytes.potassium.loinc", [], "analytes.potassium.loinc: must be a non-empty list"),
    (
        "analytes.ionized_calcium.loinc.0.code",
        "17861-6",
        "analytes.ionized_calcium: name '17861-6' is also used by calcium",
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), INVALID, ids=[i[2][:60] for i in INVALID])
def test_invalid_names_are_refused_with_file_line_and_key_path(
    write_reference: Callable[..., Path], path: str, value: Any, message: str
) -> None:
    problems = refused(write_reference(set_at(path, value)))
    assert any(message in problem for problem in problems), problems


def test_a_name_clash_is_reported_at_its_own_line(write_reference: Callable[..., Path]) -> None:
    text = built_in_path().read_text("utf-8")
    assert text.count("Natrium, sodio,") == 1
    file = write_reference(text=text.replace("Natrium, sodio,", "Kalium, sodio,"))
    lines = file.read_text("utf-8").splitlines()
    line = next(n for n, t in enumerate(lines, 1) if "Kalium, sodio," in t)
    with pytest.raises(ReferenceFileError, match=rf":{line}: analytes\.sodium: name 'Kalium'"):
        load_reference(file)


def test_an_entrys_key_used_by_another_is_reported_at_the_key(
    write_reference: Callable[..., Path],
) -> None:
    # Potassium takes "sodium" as an alias first: the clash is sodium's own key, reported at
    # the line of that key; a LOINC code clash, at the line of the code.
    def edit(data: dict[str, Any]) -> None:
        data["analytes"]["potassium"]["aliases"].append("sodium")
        data["analytes"]["sodium"]["loinc"][1]["code"] = "2823-3"  # potassium's

    file = write_reference(edit)
    lines = file.read_text("utf-8").splitlines()
    key = lines.index("  sodium:") + 1
    code = next(n for n, t in enumerate(lines, 1) if t.endswith("code: 2823-3") and n > key)
    problems = refused(file)
    assert f"{file}:{key}: analytes.sodium: name 'sodium' is also used by potassium" in problems
    assert any(p.startswith(f"{file}:{code}: analytes.sodium: name '2823-3'") for p in problems)


def test_an_older_file_still_loads(write_reference: Callable[..., Path]) -> None:
    """Plain codes and no `names` section, as files written before the section: every name
    still found as written, and nothing left out of names."""

    def edit(data: dict[str, Any]) -> None:
        del data["names"]
        for record in (*data["analytes"].values(), *data["covariates"].values()):
            record["loinc"] = [term["code"] for term in record["loinc"]]

    ref = load_reference(write_reference(edit))
    assert ref.ignore == frozenset()
    assert ref.analyte_key("LOINC 2823-3") is None and ref.analyte_key("2823-3") == "potassium"
    assert ref.analyte_key("Potassium, serum") == "potassium"
    assert ref.analyte_key("K+") == "potassium"
