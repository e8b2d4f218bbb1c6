"""Validation of the reference file's grades, age and sex strata, covariates, corrections and
patterns: each broken file is refused with the key path of the problem."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import Edit, set_at  # pytest puts this folder on sys.path

from electrocheck import interpret
from electrocheck.clinical.check import run_check
from electrocheck.errors import ReferenceFileError
from electrocheck.reference import Reference, load_reference
from electrocheck.reference.patient import Patient


def _append(path: str, item: Any) -> Edit:
    """Append to the list at a dotted path."""

    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path.split("."):
            node = node[int(part)] if part.isdigit() else node[part]
        node.append(copy.deepcopy(item))

    return edit


def _adults_removed(data: dict[str, Any]) -> None:
    potassium = data["analytes"]["potassium"]
    potassium["reference"] = [entry for entry in potassium["reference"] if "age" in entry]


def _band_duplicated(data: dict[str, Any]) -> None:
    reference = data["analytes"]["potassium"]["reference"]
    reference.append(copy.deepcopy(reference[1]))


K = "analytes.potassium"
K_LOW = f"{K}.grades.low.criteria.0"
K_HIGH = f"{K}.grades.high.criteria.0"
FEMALE_K = {"sex": "female", "low": 3.6, "high": 4.8, "unit": "mmol/L", "source": "kost-1990"}

INVALID: list[tuple[str, Edit, str]] = [
    # grades
    (
        "criteria out of order, low side",
        set_at(f"{K_LOW}.grade_3", 2.0),  # below grade_4 2.5
        f"{K}.grades.low.criteria[0].grade_4: must be below grade_3",
    ),
    (
        "criteria out of order, high side",
        set_at(f"{K_HIGH}.grade_2", 6.5),  # above grade_3 6.0
        f"{K}.grades.high.criteria[0].grade_3: must be above grade_2",
    ),
    (
        "equal cut-points",
        set_at(f"{K_HIGH}.grade_3", 7.0),  # equal to grade_4
        f"{K}.grades.high.criteria[0].grade_4: must be above grade_3",
    ),
    (
        "unknown key in a criterion",
        set_at(f"{K_LOW}.grade_5", 1.0),
        f"{K}.grades.low.criteria[0].grade_5: unknown key",
    ),
    (
        "criterion without cut-points",
        set_at(K_LOW, {"unit": "mmol/L", "source": "ctcae-v5"}),
        f"{K}.grades.low.criteria[0]: needs at least one of grade_2, grade_3, grade_4",
    ),
    (
        "cut-point not a number",
        set_at(f"{K_HIGH}.grade_2", "5.5"),
        f"{K}.grades.high.criteria[0].grade_2: must be a number",
    ),
    (
        "cut-point without a known source",
        set_at(f"{K_LOW}.source", "nowhere"),
        f"{K}.grades.low.criteria[0].source: unknown source 'nowhere'",
    ),
    (
        "two criteria in one unit",
        _append(
            f"{K}.grades.high.criteria",
            {"unit": "mmol/L", "grade_2": 5.6, "source": "ctcae-v5"},
        ),
        f"{K}.grades.high.criteria[1].unit: a second criterion in mmol/L",
    ),
    (
        "symptomatic becomes the same grade",
        set_at(f"{K_LOW}.symptomatic", {"grade": 2, "becomes": 2}),
        f"{K}.grades.low.criteria[0].symptomatic: grade and becomes must be whole grades",
    ),
    (
        "symptomatic becomes a milder grade",
        set_at(f"{K_LOW}.symptomatic", {"grade": 2, "becomes": 1}),
        f"{K}.grades.low.criteria[0].symptomatic: grade and becomes",
    ),
    (
        "symptomatic beyond grade 4",
        set_at(f"{K_LOW}.symptomatic", {"grade": 4, "becomes": 5}),
        f"{K}.grades.low.criteria[0].symptomatic: grade and becomes",
    ),
    (
        "symptomatic grade not whole",
        set_at(f"{K_LOW}.symptomatic", {"grade": 1.5, "becomes": 2}),
        f"{K}.grades.low.criteria[0].symptomatic: grade and becomes",
    ),
    (
        "symptomatic with an unknown key",
        set_at(f"{K_LOW}.symptomatic", {"grade": 1, "becomes": 2, "when": "always"}),
        f"{K}.grades.low.criteria[0].symptomatic.when: unknown key",
    ),
    (
        "grades with a side that is neither",
        set_at(f"{K}.grades.middle", {"term": "x", "criteria": []}),
        f"{K}.grades.middle: unknown key",
    ),
    (
        "grades side without a term",
        set_at(f"{K}.grades.high", {"criteria": [{"unit": "mmol/L", "grade_2": 5.5}]}),
        f"{K}.grades.high.term: missing",
    ),
    (
        "grades side with no criteria",
        set_at(f"{K}.grades.high.criteria", []),
        f"{K}.grades.high.criteria: must be a non-empty list",
    ),
    # age and sex strata
    (
        "age band ends where it starts",
        set_at(f"{K}.reference.1.age", {"from": "7d", "to": "7d"}),
        f"{K}.reference[1].age.to: must be an older age than from",
    ),
    (
        "age band ends before it starts",
        set_at(f"{K}.reference.1.age", {"from": "1y", "to": "6mo"}),
        f"{K}.reference[1].age.to: must be an older age than from",
    ),
    (
        "age that cannot be read",
        set_at(f"{K}.reference.1.age", {"from": "seven days", "to": "30d"}),
        f"{K}.reference[1].age.from: age 'seven days'",
    ),
    (
        "age beyond any life",
        set_at(f"{K}.critical.1.age", {"from": "0d", "to": "200y"}),
        f"{K}.critical[1].age.to: age '200y' is not a plausible age",
    ),
    (
        "age band with an unknown key",
        set_at(f"{K}.reference.1.age", {"from": "0d", "to": "7d", "until": "8d"}),
        f"{K}.reference[1].age.until: unknown key",
    ),
    (
        "age band without an end",
        set_at(f"{K}.reference.1.age", {"from": "0d"}),
        f"{K}.reference[1].age.to: missing",
    ),
    (
        "sex other than female or male",
        set_at(f"{K}.reference.1.sex", "other"),
        f"{K}.reference[1].sex: must be female or male, not 'other'",
    ),
    (
        "no entry for adults",
        _adults_removed,
        f"{K}.reference: needs an entry without age and sex",
    ),
    (
        "only a sex-specific adult entry",
        set_at(f"{K}.reference.0.sex", "female"),
        f"{K}.reference: needs an entry without age and sex",
    ),
    (
        "two entries for one band and unit system",
        _band_duplicated,
        f"{K}.reference[6]: a second entry in substance units for age 0d to 7d",
    ),
    (
        "pediatric interval beyond its critical limit",
        set_at(f"{K}.reference.2.high", 7.9),  # 7d-30d band; newborn critical high 7.8
        f"{K}.critical[1].high: must be above reference[2].high",
    ),
    (
        "pediatric critical limit inside the interval",
        set_at("analytes.sodium.critical.1.low", 136.0),
        "analytes.sodium.reference[0].low: must be above critical[1].low",
    ),
    (
        "sex-specific interval beyond the critical limit",
        _append(f"{K}.reference", {**FEMALE_K, "high": 6.3}),
        f"{K}.critical[0].high: must be above reference[6].high",
    ),
    (
        "age on a plausible range",
        set_at(f"{K}.plausible.age", {"from": "0d", "to": "1y"}),
        f"{K}.plausible.age: unknown key",
    ),
    # covariates and corrections
    (
        "correction of an unknown analyte",
        set_at("corrections.corrected_calcium.corrects", "phosphate"),
        "corrections.corrected_calcium.corrects: no analyte 'phosphate'",
    ),
    (
        "correction by an unknown covariate",
        set_at("corrections.corrected_calcium.covariate", "bilirubin"),
        "corrections.corrected_calcium.covariate: no covariate 'bilirubin'",
    ),
    (
        "correction with a direction that is neither",
        set_at("corrections.corrected_calcium.formulas.0.direction", "sideways"),
        "corrections.corrected_calcium.formulas[0].direction: must be below or above",
    ),
    (
        "correction per zero",
        set_at("corrections.corrected_sodium.formulas.0.per", 0),
        "corrections.corrected_sodium.formulas[0].per: must be greater than 0",
    ),
    (
        "correction graded neither true nor false",
        set_at("corrections.corrected_calcium.graded", "yes"),
        "corrections.corrected_calcium.graded: must be true or false",
    ),
    (
        "correction keyed like an analyte",
        lambda data: data["corrections"].__setitem__(
            "sodium", copy.deepcopy(data["corrections"]["corrected_sodium"])
        ),
        "corrections.sodium: its key is an analyte's, or its analyte already",
    ),
    (
        "a second correction of one analyte",
        lambda data: data["corrections"].__setitem__(
            "corrected_calcium_2", copy.deepcopy(data["corrections"]["corrected_calcium"])
        ),
        "corrections.corrected_calcium_2: its key is an analyte's, or its analyte already",
    ),
    (
        "covariate named like an analyte",
        _append("covariates.albumin.aliases", "k"),
        "covariates.albumin: name 'k' is also used by analyte potassium",
    ),
    (
        "covariate with a LOINC code of an analyte",
        _append("covariates.glucose.loinc", "2823-3"),
        "covariates.glucose: name '2823-3' is also used by analyte potassium",
    ),
    (
        "two covariates with one name",
        _append("covariates.glucose.aliases", "alb"),
        "covariates.glucose: name 'alb' is also used by albumin",
    ),
    (
        "covariate mixing mass and substance units without a molar mass",
        _append("covariates.albumin.units", "mmol/L"),
        "covariates.albumin.units: covariate units must be mass or substance units",
    ),
    # patterns
    (
        "pattern id that is not a plain name",
        set_at("patterns.0.id", "Mg First!"),
        "patterns[0].id: must be lower-case words joined by '-'",
    ),
    (
        "pattern id used twice",
        set_at("patterns.1.id", "mg-first-k"),
        "patterns[1].id: 'mg-first-k' is used twice",
    ),
    (
        "pattern naming an unknown analyte",
        set_at("patterns.0.when", {"magnesium": "low", "phosphate": "low"}),
        "patterns[0].when.phosphate: expected a known analyte and low, high, LL or HH",
    ),
    (
        "pattern with a side that is neither",
        set_at("patterns.0.when", {"magnesium": "sideways", "potassium": "low"}),
        "patterns[0].when.magnesium: expected a known analyte and low, high, LL or HH",
    ),
    (
        "pattern of one analyte",
        set_at("patterns.0.when", {"magnesium": "low"}),
        "patterns[0].when: must map two or more analytes",
    ),
    (
        "pattern citing an unknown source",
        set_at("patterns.1.sources", ["nowhere"]),
        "patterns[1].sources[0]: unknown source 'nowhere'",
    ),
    (
        "pattern without a note",
        set_at("patterns.0.note", ""),
        "patterns[0].note: must be non-empty text",
    ),
]


@pytest.mark.parametrize(
    ("edit", "message"), [(i[1], i[2]) for i in INVALID], ids=[i[0] for i in INVALID]
)
def test_invalid_file_is_refused_with_the_key_path(
    write_reference: Callable[..., Path], edit: Edit, message: str
) -> None:
    file = write_reference(edit)
    with pytest.raises(ReferenceFileError) as info:
        load_reference(file)
    problems = info.value.problems
    assert any(message in problem for problem in problems), problems
    assert all(problem.startswith(str(file)) for problem in problems)
    assert message in str(info.value) or len(problems) > 1


def test_criteria_out_of_order_message_names_both_grades(
    write_reference: Callable[..., Path],
) -> None:
    with pytest.raises(ReferenceFileError) as info:
        load_reference(write_reference(set_at(f"{K_LOW}.grade_3", 2.0)))
    assert len(info.value.problems) == 1
    message = str(info.value)
    assert "grades.low.criteria[0].grade_4" in message
    assert "(2.5 against 2)" in message and "grade_3" in message


def test_empty_grades_message_says_what_is_wrong(write_reference: Callable[..., Path]) -> None:
    with pytest.raises(ReferenceFileError) as info:
        load_reference(write_reference(set_at(f"{K}.grades", {})))
    message = str(info.value)
    assert f"{K}.grades:" in message
    assert "not a mapping" not in message  # it is a mapping: an empty one


def test_formula_in_a_covariate_unit_the_covariate_cannot_take_is_refused(
    write_reference: Callable[..., Path],
) -> None:
    # Albumin has no molar mass, so a formula taking albumin in mmol/L can never be applied.
    file = write_reference(
        set_at("corrections.corrected_calcium.formulas.0.covariate_unit", "mmol/L")
    )
    with pytest.raises(ReferenceFileError, match=r"formulas\[0\]\.covariate_unit"):
        load_reference(file)


@pytest.mark.parametrize("field", ["corrects", "covariate"])
@pytest.mark.parametrize("wrong", [["calcium"], {"name": "albumin"}])
def test_correction_naming_a_list_or_mapping_is_refused_with_its_path(
    write_reference: Callable[..., Path], field: str, wrong: object
) -> None:
    file = write_reference(set_at(f"corrections.corrected_calcium.{field}", wrong))
    with pytest.raises(ReferenceFileError, match=rf"corrections\.corrected_calcium\.{field}: no"):
        load_reference(file)


# --------------------------------------------------------------------------- valid files


def test_file_without_any_grades_loads(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        for analyte in data["analytes"].values():
            del analyte["grades"]

    ref = load_reference(write_reference(edit))
    assert all(a.grade_low is None and a.grade_high is None for a in ref.analytes.values())
    result = interpret(ref, "k", 3.2, "mmol/L")
    assert (result.flag, result.grade) == ("L", None)
    # Corrections and patterns work without grades.
    report = run_check(ref, ["ca=7.6mg/dL", "alb=2.5g/dL", "mg=1.1mg/dL", "k=3.1"])
    assert [(r.analyte, r.grade) for r in report.results] == [
        ("calcium", None),
        ("corrected_calcium", None),
        ("magnesium", None),
        ("potassium", None),
    ]
    assert len(report.patterns) == 1


def test_file_without_covariates_corrections_and_patterns_loads(
    write_reference: Callable[..., Path],
) -> None:
    def edit(data: dict[str, Any]) -> None:
        for key in ("covariates", "corrections", "patterns"):
            del data[key]

    ref = load_reference(write_reference(edit))
    assert (dict(ref.covariates), dict(ref.corrections), ref.patterns) == ({}, {}, ())
    # Without a correction, calcium is graded with no albumin note.
    result = interpret(ref, "ca", 7.6, "mg/dL")
    assert result.grade == 2
    assert "albumin" not in result.grade_basis


def test_sex_specific_entry_wins_for_that_sex(write_reference: Callable[..., Path]) -> None:
    ref = load_reference(write_reference(_append(f"{K}.reference", FEMALE_K)))
    cases = [
        (Patient(), "N", "adults (age not given)"),
        (Patient(sex="male"), "N", "adults (age not given)"),
        (Patient(sex="female"), "H", "adults, female (age not given)"),
        # A child's band wins over the adult entries, whatever the sex.
        (
            Patient(age_days=3650.0, sex="female"),
            "N",
            "age 1y to 18y; critical limits for age 28d to 18y",
        ),
    ]
    for patient, flag, population in cases:
        result = interpret(ref, "k", 4.9, "mmol/L", patient=patient)  # 4.9: above 4.8
        assert (result.flag, result.population) == (flag, population), patient


def test_loader_checks_the_order_for_each_age_band(write_reference: Callable[..., Path]) -> None:
    # The same high limit that is valid for an adult band is refused in the 0-7d band:
    # the 0-28d critical high is 7.8, and 7.8 may not be inside the interval.
    ok = load_reference(write_reference(set_at(f"{K}.reference.1.high", 7.7)))
    assert ok.analytes["potassium"].reference[1].high == 7.7
    with pytest.raises(ReferenceFileError, match=r"critical\[1\]\.high"):
        load_reference(write_reference(set_at(f"{K}.reference.1.high", 7.8)))


def test_user_cut_points_are_used(write_reference: Callable[..., Path]) -> None:
    ref = load_reference(write_reference(set_at(f"{K_HIGH}.grade_2", 5.2)))
    assert interpret(ref, "k", 5.3, "mmol/L").grade == 2
    assert interpret(ref, "k", 5.2, "mmol/L").grade == 1


def test_user_symptom_rule_is_used(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["analytes"]["potassium"]["grades"]["low"]["criteria"][0]["symptomatic"]

    ref = load_reference(write_reference(edit))
    symptomatic = interpret(ref, "k", 3.2, "mmol/L", patient=Patient(symptomatic=True))
    assert symptomatic.grade == 1
    assert "symptom" not in symptomatic.grade_basis


# --------------------------------------------------------------------------- built-in file


def test_every_number_of_the_built_in_file_cites_a_known_source(ref: Reference) -> None:
    cited: list[str] = []
    criteria = 0
    for analyte in ref.analytes.values():
        cited += [analyte.molar_mass.source, analyte.valence.source, analyte.plausible.source]
        cited += [limits.source for limits in (*analyte.reference, *analyte.critical)]
        for side in ("low", "high"):
            scale = analyte.grades(side)
            assert scale is not None and scale.term, (analyte.key, side)
            for criterion in scale.criteria:
                cited.append(criterion.source)
                criteria += 1
    for covariate in ref.covariates.values():
        cited.append(covariate.plausible.source)
        if covariate.molar_mass is not None:
            cited.append(covariate.molar_mass.source)
    for correction in ref.corrections.values():
        cited += [formula.source for formula in correction.formulas]
    for pattern in ref.patterns:
        cited += pattern.sources
    assert set(cited) <= set(ref.sources), set(cited) - set(ref.sources)
    # calcium 2 + 2, ionized calcium 1 + 1, magnesium 2 + 2, potassium 1 + 1, sodium 1 + 1
    assert criteria == 14


def test_built_in_strata_sections(ref: Reference) -> None:
    assert set(ref.covariates) == {"albumin", "glucose"}
    assert {(c.key, c.corrects, c.covariate, c.graded) for c in ref.corrections.values()} == {
        ("corrected_calcium", "calcium", "albumin", True),
        ("corrected_sodium", "sodium", "glucose", False),
    }
    assert len(ref.patterns) == 6
    for pattern in ref.patterns:
        assert len(pattern.when) == 2
        assert {side for _, side in pattern.when} <= {"low", "high", "LL", "HH"}
    # Every band starts before it ends, and every analyte has an adult entry.
    for analyte in ref.analytes.values():
        for items in (analyte.reference, analyte.critical):
            assert any(i.age is None and i.sex is None for i in items)
            for item in items:
                assert item.age is None or item.age.start < item.age.end


def test_a_wrong_sex_is_refused_at_its_own_line(write_reference: Callable[..., Path]) -> None:
    file = write_reference(set_at(f"{K}.reference.1.sex", "other"))
    lines = file.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.strip() == "sex: other")
    with pytest.raises(ReferenceFileError) as info:
        load_reference(file)
    assert f"{file}:{line}: {K}.reference[1].sex: must be female or male" in str(info.value)
