"""The ``medications`` section of the reference file: the built-in medicines, how their names
are looked up, the section read only when needed, and a changed copy's problems, each
reported with its file, line and key path."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import DELETE, set_at

from electrocheck.errors import ReferenceFileError, UnknownMedicineError
from electrocheck.reference import Reference, built_in_path, load_reference
from electrocheck.reference.load import split_medications
from electrocheck.reference.medicines import fold_drug


@pytest.mark.parametrize(
    ("name", "drug"),
    [
        ("cetuximab", "cetuximab"),
        ("Erbitux", "cetuximab"),
        ("ERBITUX", "cetuximab"),
        ("Keytruda", "pembrolizumab"),
        ("Xgeva", "denosumab"),
        ("Prolia", "denosumab"),
        ("zoledronic-acid", "zoledronic acid"),
        ("Zometa", "zoledronic acid"),
        ("Zytiga", "abiraterone"),
        ("Vectibix", "panitumumab"),
        ("Opdivo", "nivolumab"),
        ("cyclosporine", "ciclosporin"),
        ("HCTZ", "hydrochlorothiazide"),
        ("Bactrim", "trimethoprim"),
    ],
)
def test_names_find_their_medicine(ref: Reference, name: str, drug: str) -> None:
    assert ref.medications.find(name).key == drug


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty drug name"),
        ("  ", "empty drug name"),
        ("HCT", "may mean hydrocortisone or hydrochlorothiazide"),
        ("platinum", "may mean cisplatin or carboplatin or oxaliplatin"),
        ("cetuximb", "unknown drug 'cetuximb' (nearest: cetuximab)"),
        ("paracetamol", "unknown drug 'paracetamol'"),
    ],
)
def test_names_refused(ref: Reference, name: str, message: str) -> None:
    with pytest.raises(UnknownMedicineError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ref.medications.find(name)


def test_every_effect_is_sourced_and_names_an_analyte(ref: Reference) -> None:
    cited = {**ref.sources, **ref.medications.sources}
    assert not set(ref.sources) & set(ref.medications.sources)
    for drug in ref.medications.drugs.values():
        assert drug.source in cited
        for effect in drug.effects:
            assert effect.source in cited
            assert effect.analyte in ref.analytes
            assert effect.direction in ("low", "high")


def test_the_built_in_codes_are_sourced(ref: Reference) -> None:
    """A code only with the source it was read in, which gives it; no OMOP code is made up."""
    cited = {**ref.sources, **ref.medications.sources}
    drugs = ref.medications.drugs.values()
    assert all(d.omop is None for d in drugs)
    assert all((d.atc is None) == (d.codes_source is None) for d in drugs)
    assert all((d.rxnorm is None) == (d.rxnorm_source is None) for d in drugs)
    assert sum(d.atc is not None for d in drugs) == 48
    assert sum(d.rxnorm is not None for d in drugs) == 46
    for drug in drugs:
        for code, source in ((drug.atc, drug.codes_source), (drug.rxnorm, drug.rxnorm_source)):
            if code is not None:
                assert source in cited
                assert re.search(rf"\b{code}\b", cited[source]), (drug.key, code, source)


@pytest.mark.parametrize(
    ("code", "drug"),
    [
        ("L01FE01", "cetuximab"),
        ("l01fe01", "cetuximab"),
        ("L01XA01", "cisplatin"),
        ("L01FF02", "pembrolizumab"),
        ("A02BC01", "omeprazole"),
        ("C03CA01", "furosemide"),
        ("L01CA02", "vincristine"),
        ("H02AB07", "prednisone"),
        ("C03XA01", "tolvaptan"),
        ("J01EA01", "trimethoprim"),
        # RxNorm ingredient codes
        ("2555", "cisplatin"),
        ("318341", "cetuximab"),
        ("4603", "furosemide"),
        ("38413", "torasemide"),
        ("3264", "dexamethasone"),
        ("5492", "hydrocortisone"),
        ("3008", "ciclosporin"),
        ("69749", "valsartan"),
        ("11202", "vincristine"),
        ("1547545", "pembrolizumab"),
        ("77655", "zoledronic acid"),
        ("644", "amiloride"),
    ],
)
def test_codes_find_their_medicine(ref: Reference, code: str, drug: str) -> None:
    assert ref.medications.find(code).key == drug


@pytest.mark.parametrize(
    "code",
    [
        "L01CA03",  # one past vincristine's ATC code: not a medicine of the file
        "L01CA",  # a group, not a substance
        "2556",  # one past cisplatin's RxNorm code
        "25550",
        "11203",  # one past vincristine's RxNorm code
        "8888888",  # a number no medicine of the file has
    ],
)
def test_a_code_not_given_is_unknown(ref: Reference, code: str) -> None:
    with pytest.raises(UnknownMedicineError, match=f"unknown drug '{code}'"):
        ref.medications.find(code)


@pytest.mark.parametrize(
    ("drug", "analyte", "direction", "explains"),
    [
        ("cetuximab", "magnesium", "low", True),
        ("cetuximab", "magnesium", "high", False),
        ("cetuximab", "potassium", "low", False),
        ("foscarnet", "ionized_calcium", "low", True),
        ("foscarnet", "calcium", "low", False),  # total calcium may stay normal
        ("pembrolizumab", "potassium", "high", True),
        ("hydrochlorothiazide", "calcium", "high", True),
    ],
)
def test_effects(ref: Reference, drug: str, analyte: str, direction: str, explains: bool) -> None:
    found = ref.medications.drugs[drug].effect_on(analyte, direction)
    assert (found is not None) == explains


def test_the_section_is_kept_apart_with_its_line_numbers() -> None:
    text = built_in_path().read_text(encoding="utf-8")
    rest, section = split_medications(text)
    assert section is not None and "\nmedications:" not in rest
    lines, section_lines = text.split("\n"), section.split("\n")
    start = lines.index("medications:")
    assert section_lines[start:] == lines[start:]  # each line at its number
    assert rest.split("\n")[:start] == lines[:start]


def test_a_section_before_another_keeps_the_lines_after_it() -> None:
    text = "a: 1\nmedications:\n  drugs: {}\n# note\nb: 2\n"
    rest, section = split_medications(text)
    assert rest == "a: 1\n\n\n\nb: 2\n"
    assert section == "\nmedications:\n  drugs: {}\n# note\n"
    assert split_medications("a: 1\nmedications: {}\n") == ("a: 1\nmedications: {}\n", None)


def test_a_file_without_the_section_has_no_medicines(write_reference: Callable[..., Path]) -> None:
    reference = load_reference(write_reference(set_at("medications", DELETE)))
    assert dict(reference.medications.drugs) == {}
    with pytest.raises(UnknownMedicineError):
        reference.medications.find("cetuximab")


def test_a_section_in_flow_style_is_read_with_the_rest(
    write_reference: Callable[..., Path], built_in_data: dict[str, Any]
) -> None:
    drugs = {"cetuximab": built_in_data["medications"]["drugs"]["cetuximab"]}
    text = built_in_path().read_text(encoding="utf-8")
    rest, _ = split_medications(text)
    own = built_in_data["medications"]["sources"]
    flow = rest + "medications: " + json.dumps({"sources": own, "drugs": drugs}) + "\n"
    reference = load_reference(write_reference(text=flow))
    assert list(reference.medications.drugs) == ["cetuximab"]


def _medicine(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def entry(data: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = data["medications"]["drugs"][key]
        return found

    return entry


def _edit_drug(key: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        entry = _medicine(key)(data)
        if value is DELETE:
            del entry[field]
        else:
            entry[field] = value

    return edit


def _edit_effect(key: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        effect = _medicine(key)(data)["effects"][0]
        if value is DELETE:
            del effect[field]
        else:
            effect[field] = value

    return edit


def _twice(data: dict[str, Any]) -> None:
    effects = _medicine("cetuximab")(data)["effects"]
    effects.append(dict(effects[0]))


P = "medications.drugs.cetuximab"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_edit_drug("cetuximab", "brands", ["Keytruda"]), "name 'Keytruda' is also a name of"),
        (_edit_drug("cetuximab", "also", ["HCT"]), "name 'HCT' is listed as ambiguous"),
        (_edit_drug("cetuximab", "brands", ["--"]), "name '--' has no letter or digit"),
        (_edit_drug("cetuximab", "brands", []), f"{P}.brands: must be a non-empty list"),
        (_edit_drug("cetuximab", "atc", "L01"), f"{P}.atc: must be an ATC code"),
        (_edit_drug("cetuximab", "rxnorm", "abc"), f"{P}.rxnorm: must be an RxNorm code"),
        (_edit_drug("cetuximab", "omop", 0), f"{P}.omop: must be an OMOP concept id"),
        (_edit_drug("cetuximab", "omop", True), f"{P}.omop: must be an OMOP concept id"),
        (_edit_drug("cetuximab", "source", "nowhere"), f"{P}.source: unknown source 'nowhere'"),
        (_edit_drug("cetuximab", "source", DELETE), f"{P}.source: missing"),
        (
            _edit_drug("cetuximab", "codes_source", "nowhere"),
            f"{P}.codes_source: unknown source 'nowhere'",
        ),
        (
            _edit_drug("cetuximab", "rxnorm_source", "nowhere"),
            f"{P}.rxnorm_source: unknown source 'nowhere'",
        ),
        (
            _edit_drug("tolvaptan", "rxnorm_source", "rxnorm-cpic"),
            "medications.drugs.tolvaptan.rxnorm_source: is given without `rxnorm:`",
        ),
        (_edit_drug("cetuximab", "rxnorm", DELETE), f"{P}.rxnorm_source: is given without"),
        (_edit_drug("cetuximab", "effects", []), f"{P}.effects: must be a non-empty list"),
        (_edit_drug("cetuximab", "colour", "red"), f"{P}.colour: unknown key"),
        (_edit_effect("cetuximab", "analyte", "chloride"), "unknown analyte 'chloride'"),
        (_edit_effect("cetuximab", "direction", "down"), "direction: must be low or high"),
        (_edit_effect("cetuximab", "mechanism", ""), "mechanism: must be non-empty text"),
        (_edit_effect("cetuximab", "onset", DELETE), "effects[0].onset: missing"),
        (_edit_effect("cetuximab", "source", "x"), "effects[0].source: unknown source 'x'"),
        (_twice, f"{P}.effects[1]: low magnesium is given twice"),
        (set_at("medications.drugs", {}), "medications.drugs: must be a non-empty mapping"),
        (set_at("medications.drugs", DELETE), "medications.drugs: missing"),
        (set_at("medications.ambiguous", {}), "medications.ambiguous: must be a non-empty list"),
        (
            set_at("medications.ambiguous.0.drugs", ["hydrocortisone", "aspirin"]),
            "medications.ambiguous[0].drugs[1]: unknown medicine 'aspirin'",
        ),
        (
            set_at("medications.ambiguous.0.drugs", ["hydrocortisone", "hydrocortisone"]),
            "medications.ambiguous[0].drugs: must name at least two medicines",
        ),
        (set_at("medications.ambiguous.0.source", "x"), "ambiguous[0].source: unknown source"),
        (set_at("medications", []), "medications: must be a mapping"),
        (set_at("medications.sources", []), "medications.sources: must be a non-empty mapping"),
        (
            set_at("medications.sources.oronsky-2017", "again"),
            "medications.sources.oronsky-2017: is also a source of the file's `sources:`",
        ),
        (set_at("medications.sources.drug-names", ""), "sources.drug-names: must be non-empty"),
    ],
)
def test_refused(
    write_reference: Callable[..., Path], edit: Callable[[dict[str, Any]], None], expected: str
) -> None:
    file = write_reference(edit)
    with pytest.raises(ReferenceFileError) as info:  # at load, or at first use
        load_reference(file).medications  # noqa: B018
    problems = info.value.problems
    assert all(problem.startswith(f"{file}:") for problem in problems), problems
    assert all(problem.split(":")[1].isdigit() for problem in problems), problems
    assert any(expected in problem for problem in problems), problems


def test_a_problem_names_the_line_of_the_key(write_reference: Callable[..., Path]) -> None:
    file = write_reference(_edit_effect("cetuximab", "direction", "down"))
    with pytest.raises(ReferenceFileError) as info:
        load_reference(file).medications  # noqa: B018
    (problem,) = info.value.problems
    line = int(problem.split(":")[1])
    assert "direction: down" in file.read_text(encoding="utf-8").split("\n")[line - 1]


def test_given_twice_is_refused(write_reference: Callable[..., Path]) -> None:
    text = built_in_path().read_text(encoding="utf-8")
    file = write_reference(text=text + "medications: {}\n")
    with pytest.raises(ReferenceFileError, match="medications: given twice"):
        load_reference(file)


def test_fold_drug() -> None:
    assert fold_drug("Zoledronic Acid") == fold_drug("zoledronic-acid") == "zoledronicacid"


def test_codes_a_laboratory_adds_find_the_medicine(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        entry = data["medications"]["drugs"]["cetuximab"]
        entry.update(atc="L01FE01", rxnorm="318341", omop=1234567)

    medicines = load_reference(write_reference(edit)).medications
    for code in ("L01FE01", "l01fe01", "318341", "1234567"):
        assert medicines.find(code).key == "cetuximab"
    assert medicines.omop == {1234567: "cetuximab"}


@pytest.mark.parametrize(
    ("fields", "rxnorm", "rxnorm_source"),
    [
        ({"rxnorm": "8888888"}, "8888888", None),  # a laboratory's own code needs no source
        ({"rxnorm": 8888888, "rxnorm_source": "rxnorm-cpic"}, "8888888", "rxnorm-cpic"),
        ({"rxnorm": "8888888", "rxnorm_source": "drug-names"}, "8888888", "drug-names"),
    ],
)
def test_an_rxnorm_code_with_or_without_its_source(
    write_reference: Callable[..., Path],
    fields: dict[str, Any],
    rxnorm: str,
    rxnorm_source: str | None,
) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["medications"]["drugs"]["tolvaptan"].update(fields)

    drug = load_reference(write_reference(edit)).medications.find(rxnorm)
    assert (drug.key, drug.rxnorm, drug.rxnorm_source) == ("tolvaptan", rxnorm, rxnorm_source)
