"""explain and overview: what the reference file knows about an analyte, with its sources."""

from __future__ import annotations

from typing import Any

import pytest

from electrocheck.errors import UnknownAnalyteError
from electrocheck.reference import Reference
from electrocheck.teaching.explain import explain, medications_listing, overview

#: The analytes of the built-in file, in file order, with their labels.
LABELS = {
    "calcium": "Calcium (total)",
    "ionized_calcium": "Calcium (ionized)",
    "magnesium": "Magnesium",
    "potassium": "Potassium",
    "sodium": "Sodium",
}

#: Potassium's limits as written in reference_ranges.yaml.
K_REFERENCE = [
    ("adults", 3.5, 5.0, "uchicago-potassium"),
    ("age 0d to 7d", 3.2, 5.5, "davis-pediatric"),
    ("age 7d to 30d", 3.4, 6.0, "davis-pediatric"),
    ("age 30d to 7mo", 3.5, 5.6, "banner-noco-potassium"),
    ("age 7mo to 1y", 3.5, 6.1, "davis-pediatric"),
    ("age 1y to 18y", 3.8, 5.1, "davis-pediatric"),
]
K_CRITICAL = [
    ("adults", 2.8, 6.2, "kost-1990"),
    ("age 0d to 28d", 2.8, 7.8, "kost-1991"),
    ("age 28d to 18y", 2.8, 6.4, "kost-1991"),
]
SPASM_CARE = [
    "Muscle relaxants",
    "Anticonvulsants",
    "Physical therapy",
    "Hydration",
    "Heat and cold",
]


def _limits(rows: list[tuple[str, float, float, str]]) -> list[dict[str, Any]]:
    return [
        {"population": who, "low": low, "high": high, "unit": "mmol/L", "source": source}
        for who, low, high, source in rows
    ]


def _sources_in(node: Any, skip: frozenset[str]) -> set[str]:
    """Every source key named under ``node`` of the raw YAML (``source:`` and ``*sources:``),
    leaving out the keys named in ``skip``."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in skip:
                continue
            if key == "source":
                found.add(value)
            elif key.endswith("sources"):
                found |= set(value)
            else:
                found |= _sources_in(value, skip)
    elif isinstance(node, list):
        for item in node:
            found |= _sources_in(item, skip)
    return found


# --------------------------------------------------------------------------- one analyte


def test_potassium_texts(ref: Reference) -> None:
    data = explain(ref, "k")
    k = ref.analytes["potassium"]
    assert (data["analyte"], data["label"]) == ("potassium", "Potassium")
    assert data["muscle_role"] == k.muscle_role
    assert data["muscle_role"].startswith("Potassium sets the resting voltage")
    for side, direction in (("low", k.low), ("high", k.high)):
        part = data[side]
        assert part["effect"] == direction.effect
        assert part["spasm_risk"] == direction.spasm_risk
        assert part["causes"] == list(direction.causes)
        assert part["treatment"] == direction.treatment
        assert part["sources"] == list(direction.sources)
    assert (data["low"]["spasm_risk"], data["high"]["spasm_risk"]) == ("moderate", "low")
    assert data["low"]["causes"] == [
        "Vomiting and diarrhoea caused by chemotherapy",
        "Laxatives",
        "Cisplatin (kidney losses), often together with low magnesium",
        "Corticosteroids",
    ]
    assert data["low"]["treatment"].startswith("Replace potassium (by mouth")
    assert data["high"]["treatment"].startswith("An emergency when high or with ECG changes")


def test_texts_match_the_file(ref: Reference, built_in_data: dict[str, Any]) -> None:
    for key, raw in built_in_data["analytes"].items():
        data = explain(ref, key)
        assert data["muscle_role"] == raw["muscle_role"]
        for side in ("low", "high"):
            for name in ("effect", "spasm_risk", "causes", "treatment", "sources"):
                assert data[side][name] == raw[side].get(name), (key, side, name)


def test_names_units_and_codes(ref: Reference) -> None:
    data = explain(ref, "k")
    assert data["names"][:2] == ["k", "potassium"] and "serum potassium" in data["names"]
    assert data["loinc"][:2] == ["2823-3", "6298-4"] and "39789-3" in data["loinc"]
    assert (data["units"], data["default_unit"]) == (["mmol/L", "mEq/L"], "mmol/L")
    assert data["caveats"] == []


def test_limits_include_the_childrens_bands(ref: Reference) -> None:
    data = explain(ref, "k")
    assert data["reference"] == _limits(K_REFERENCE)
    assert data["critical"] == _limits(K_CRITICAL)


def test_grades(ref: Reference) -> None:
    grades = explain(ref, "k")["grades"]
    assert grades["low"] == {
        "term": "Hypokalemia",
        "criteria": [
            {
                "unit": "mmol/L",
                "cut_points": {"3": 3.0, "4": 2.5},
                "symptomatic": {"grade": 1, "becomes": 2},
                "source": "ctcae-v5",
            }
        ],
    }
    assert grades["high"] == {
        "term": "Hyperkalemia",
        "criteria": [
            {
                "unit": "mmol/L",
                "cut_points": {"2": 5.5, "3": 6.0, "4": 7.0},
                "symptomatic": None,
                "source": "ctcae-v5",
            }
        ],
    }


def test_grades_in_two_unit_systems(ref: Reference) -> None:
    low = explain(ref, "ca")["grades"]["low"]
    assert low["term"] == "Hypocalcemia"
    assert [(c["unit"], c["cut_points"]) for c in low["criteria"]] == [
        ("mg/dL", {"2": 8.0, "3": 7.0, "4": 6.0}),
        ("mmol/L", {"2": 2.0, "3": 1.75, "4": 1.5}),
    ]


def test_spasm_care(ref: Reference) -> None:
    care = explain(ref, "k")["spasm_care"]
    assert [m["name"] for m in care] == SPASM_CARE
    assert care == [{"name": n, "text": t} for n, t in ref.spasm_care]
    assert care[0]["text"].startswith("Baclofen or tizanidine")
    assert explain(ref, "na")["spasm_care"] == care  # the same for every analyte


@pytest.mark.parametrize("key", list(LABELS))
def test_every_source_named_is_listed(
    ref: Reference, built_in_data: dict[str, Any], key: str
) -> None:
    # Limits, criteria, directions, molar mass and valence, caveats, the corrections of the
    # analyte, and the care for spasms. The plausible bounds are not shown by explain.
    named = _sources_in(built_in_data["analytes"][key], frozenset({"plausible"}))
    named |= set(built_in_data["spasm_care"]["sources"])
    for correction in built_in_data["corrections"].values():
        if correction["corrects"] == key:
            named |= _sources_in(correction, frozenset())
    for drug in built_in_data["medications"]["drugs"].values():  # the medicines that move it
        named |= {e["source"] for e in drug["effects"] if e["analyte"] == key}
    sources = explain(ref, key)["sources"]
    assert set(sources) == named
    assert list(sources) == sorted(sources)
    for name, text in sources.items():
        assert text == {**ref.sources, **ref.medications.sources}[name]
        written = {**built_in_data["sources"], **built_in_data["medications"]["sources"]}
        assert " ".join(text.split()) == " ".join(written[name].split())


def test_potassium_sources_by_hand(ref: Reference) -> None:
    assert list(explain(ref, "k")["sources"]) == [
        "abiraterone-label",  # the medicines that move potassium
        "banner-noco-potassium",
        "ctcae-v5",
        "davis-pediatric",
        "howard-tls",
        "ifosfamide-label",
        "irae-guidelines",
        "kost-1990",
        "kost-1991",
        "msd-drug-causes",
        "msd-treatment",
        "msd-units",
        "muscle-effects",
        "nist-atomic-weights",
        "oronsky-2017",
        "pseudohyperkalemia",
        "seed-article",
        "uchicago-potassium",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ca", {"albumin-caveat"}),  # calcium's own caveat
        ("ca", {"albumin-correction"}),  # the corrected_calcium formulas
        ("na", {"katz-1973", "hillier-1999"}),  # corrected_sodium: formula and caveats
    ],
)
def test_sources_of_the_caveats_and_corrections_shown(
    ref: Reference, name: str, expected: set[str]
) -> None:
    assert expected <= set(explain(ref, name)["sources"])


def test_calcium_lists_its_correction(ref: Reference) -> None:
    data = explain(ref, "ca")
    assert [(c["analyte"], c["label"], c["covariate"]) for c in data["corrections"]] == [
        ("corrected_calcium", "Corrected calcium", "albumin")
    ]
    caveats = data["corrections"][0]["caveats"]
    assert len(caveats) == 3 and caveats[2] == "Where the answer matters, measure ionized calcium."
    assert len(data["caveats"]) == 1 and data["caveats"][0].startswith("Total calcium reads low")


@pytest.mark.parametrize(
    ("name", "corrections"),
    [
        ("na", [("corrected_sodium", "glucose")]),
        ("k", []),
        ("mg", []),
        ("ica", []),  # ionized calcium is not corrected for albumin
    ],
)
def test_corrections_of_other_analytes(
    ref: Reference, name: str, corrections: list[tuple[str, str]]
) -> None:
    found = [(c["analyte"], c["covariate"]) for c in explain(ref, name)["corrections"]]
    assert found == corrections


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("k", "potassium"),
        ("K", "potassium"),
        ("Potassium", "potassium"),
        (" potassium, serum ", "potassium"),
        ("2823-3", "potassium"),
        ("6298-4", "potassium"),
        ("ca", "calcium"),
        ("17861-6", "calcium"),
        ("ica", "ionized_calcium"),
        ("mg", "magnesium"),
        ("na", "sodium"),
    ],
)
def test_aliases_and_loinc_codes(ref: Reference, name: str, key: str) -> None:
    data = explain(ref, name)
    assert data["analyte"] == key and data == explain(ref, key)


@pytest.mark.parametrize(
    "name", ["chloride", "albumin", "glucose", "", "2823", "corrected_calcium"]
)
def test_unknown_name(ref: Reference, name: str) -> None:
    with pytest.raises(UnknownAnalyteError, match="unknown analyte"):
        explain(ref, name)


# --------------------------------------------------------------------------- overview


def test_overview_has_every_analyte_in_file_order(
    ref: Reference, built_in_data: dict[str, Any]
) -> None:
    items = overview(ref)
    assert [(i["analyte"], i["label"]) for i in items] == list(LABELS.items())
    assert [i["analyte"] for i in items] == list(built_in_data["analytes"])


def test_overview_shows_adult_limits_only(ref: Reference) -> None:
    items = {i["analyte"]: i for i in overview(ref)}
    for item in items.values():
        for limits in (*item["reference"], *item["critical"]):
            assert limits["population"] == "adults"
    assert items["potassium"]["reference"] == _limits(K_REFERENCE[:1])
    assert items["potassium"]["critical"] == _limits(K_CRITICAL[:1])
    calcium = items["calcium"]
    assert [(r["low"], r["high"], r["unit"]) for r in calcium["reference"]] == [
        (8.5, 10.2, "mg/dL"),
        (2.15, 2.55, "mmol/L"),
    ]
    assert [(c["low"], c["high"], c["unit"]) for c in calcium["critical"]] == [
        (6.0, 13.0, "mg/dL"),
        (1.5, 3.24, "mmol/L"),
    ]


def test_overview_risks_and_causes(ref: Reference) -> None:
    items = {i["analyte"]: i for i in overview(ref)}
    risks = {key: (i["low"]["spasm_risk"], i["high"]["spasm_risk"]) for key, i in items.items()}
    assert risks == {
        "calcium": ("high", "low"),
        "ionized_calcium": ("high", "low"),
        "magnesium": ("high", "low"),
        "potassium": ("moderate", "low"),
        "sodium": ("moderate", "moderate"),
    }
    assert items["potassium"]["low"]["causes"] == explain(ref, "k")["low"]["causes"]
    assert set(items["potassium"]) == {
        "analyte",
        "label",
        "muscle_role",
        "reference",
        "critical",
        "low",
        "high",
    }


@pytest.mark.parametrize(
    ("drug", "codes"),
    [
        ("cetuximab", ("L01FE01", "atc-whocc", "318341", "rxnorm-pedsnet")),
        ("dexamethasone", ("H02AB02", "atc-who-eml", "3264", "rxnorm-rxclass")),
        ("vincristine", ("L01CA02", "atc-tree", "11202", "rxnorm-pharmgkb")),
        ("tolvaptan", ("C03XA01", "atc-tree", None, None)),  # no RxNorm code confirmed
    ],
)
def test_the_medications_listing_cites_each_code(
    ref: Reference, drug: str, codes: tuple[str | None, ...]
) -> None:
    entry = medications_listing(ref)[drug]
    keys = ("atc", "codes_source", "rxnorm", "rxnorm_source")
    assert tuple(entry[key] for key in keys) == codes
