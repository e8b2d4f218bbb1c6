"""The patient's medicines that explain a result: names read, effects matched by analyte and
side, a corrected result explained as the analyte it corrects, the general causes without the
medicines already listed."""

from __future__ import annotations

import pytest

from electrocheck import check, load_reference
from electrocheck.clinical.medications import (
    explanations,
    other_causes,
    read_medicines,
    split_names,
    with_medicines,
    without_effect,
)
from electrocheck.reference import Reference


def _explained(ref: Reference, values: list[str], names: list[str]) -> dict[str, list[str]]:
    given = read_medicines(ref, names).given
    report = with_medicines(ref, check(values, reference=ref), given)
    return {r.analyte: [m.drug for m in r.medications] for r in report.results}


def test_split_names() -> None:
    assert split_names(["cetuximab, omeprazole", "Xgeva"]) == ["cetuximab", "omeprazole", "Xgeva"]
    assert split_names(["a,,b"]) == ["a", "", "b"]


@pytest.mark.parametrize(
    ("values", "names", "expected"),
    [
        # Each limit from both sides: magnesium 1.7 mg/dL is the low limit (N), 1.69 is low.
        (["mg=1.69mg/dL"], ["cetuximab"], {"magnesium": ["cetuximab"]}),
        (["mg=1.7mg/dL"], ["cetuximab"], {"magnesium": []}),
        (["mg=2.4mg/dL"], ["cetuximab"], {"magnesium": []}),
        (["mg=2.41mg/dL"], ["cetuximab"], {"magnesium": []}),  # high: cetuximab lowers it
        (["k=3.49"], ["abiraterone"], {"potassium": ["abiraterone"]}),
        (["k=3.5"], ["abiraterone"], {"potassium": []}),
        (["k=5.01"], ["Keytruda"], {"potassium": ["pembrolizumab"]}),
        (["k=5.0"], ["Keytruda"], {"potassium": []}),
        (["k=2.0"], ["abiraterone"], {"potassium": ["abiraterone"]}),  # LL is low too
        (["na=128"], ["cisplatin", "Opdivo"], {"sodium": ["cisplatin", "nivolumab"]}),
        (["mg=1.1mg/dL"], ["omeprazole", "Erbitux"], {"magnesium": ["cetuximab", "omeprazole"]}),
        # The same medicine by two names is listed once.
        (["mg=1.1mg/dL"], ["Erbitux", "cetuximab"], {"magnesium": ["cetuximab"]}),
        # Foscarnet lowers ionized calcium, not total calcium.
        (
            ["ica=0.9", "ca=7.6mg/dL"],
            ["foscarnet"],
            {"ionized_calcium": ["foscarnet"], "calcium": []},
        ),
    ],
)
def test_explained(
    ref: Reference, values: list[str], names: list[str], expected: dict[str, list[str]]
) -> None:
    assert _explained(ref, values, names) == expected


def test_a_corrected_calcium_is_explained_as_calcium(ref: Reference) -> None:
    found = _explained(ref, ["ca=7.0mg/dL", "alb=4.0g/dL"], ["Xgeva"])
    assert found == {"calcium": ["denosumab"], "corrected_calcium": ["denosumab"]}


def test_the_explanation_carries_mechanism_source_and_name_given(ref: Reference) -> None:
    given = read_medicines(ref, ["ERBITUX"]).given
    result = check(["mg=1.1mg/dL"], reference=ref).results[0]
    (found,) = explanations(ref, result, given)
    effect = ref.medications.drugs["cetuximab"].effects[0]
    assert found.to_dict() == {
        "drug": "cetuximab",
        "given_as": "ERBITUX",
        "effect": effect.mechanism,
        "source": "cetuximab-mg",
    }
    assert found.onset == effect.onset


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        ([""], "--on: empty drug name"),
        (["cetuximb"], "--on: unknown drug 'cetuximb' (nearest: cetuximab)"),
        (["HCT"], "--on: 'HCT' may mean hydrocortisone or hydrochlorothiazide"),
    ],
)
def test_names_that_cannot_be_read(ref: Reference, names: list[str], problem: str) -> None:
    read = read_medicines(ref, [*names, "cetuximab"])
    assert [g.drug.key for g in read.given] == ["cetuximab"]
    assert len(read.problems) == 1 and read.problems[0].startswith(problem)


def test_a_medicine_that_explains_nothing(ref: Reference) -> None:
    given = read_medicines(ref, ["cetuximab", "omeprazole", "Keytruda"]).given
    report = with_medicines(ref, check(["mg=1.1mg/dL", "k=4.1"], reference=ref), given)
    assert without_effect(report) == ("pembrolizumab",)
    data = report.to_dict()["medications"]
    assert data == [
        {"drug": "cetuximab", "given_as": "cetuximab", "explains": ["magnesium"]},
        {"drug": "omeprazole", "given_as": "omeprazole", "explains": ["magnesium"]},
        {"drug": "pembrolizumab", "given_as": "Keytruda", "explains": []},
    ]


def test_the_general_causes_without_the_medicines_listed(ref: Reference) -> None:
    given = read_medicines(ref, ["Erbitux"]).given
    result = with_medicines(ref, check(["mg=1.1mg/dL"], reference=ref), given).results[0]
    others = other_causes(ref, result)
    assert not any("etuximab" in cause for cause in others)
    assert set(others) == {c for c in result.cancer_causes if "etuximab" not in c}
    assert len(others) == len(result.cancer_causes) - 1


def test_without_medicines_the_causes_are_all(ref: Reference) -> None:
    result = check(["mg=1.1mg/dL"], reference=ref).results[0]
    assert other_causes(ref, result) == result.cancer_causes
    assert result.to_dict()["medications"] == []
    assert "medications" not in check(["mg=1.1mg/dL"], reference=ref).to_dict()


def test_a_file_without_medicines_explains_nothing() -> None:
    import dataclasses

    bare = dataclasses.replace(load_reference(), medicine_reader=None)
    read = read_medicines(bare, ["cetuximab"])
    assert read.given == () and "unknown drug 'cetuximab'" in read.problems[0]


def test_check_on(ref: Reference) -> None:
    report = check(mg="1.1mg/dL", k=4.1, on="Erbitux", reference=ref)
    assert [[m.drug for m in r.medications] for r in report.results] == [["cetuximab"], []]
    assert check(mg="1.1mg/dL", on=[], reference=ref).medicines == ()


@pytest.mark.parametrize("on", ["cetuximb", "HCT", [""], 3])
def test_check_on_refuses_what_it_cannot_read(ref: Reference, on: object) -> None:
    from electrocheck import InputError

    with pytest.raises(InputError):
        check(mg="1.1mg/dL", on=on, reference=ref)  # type: ignore[arg-type]
