"""Specimens: serum, plasma and whole blood are interpreted; urine and other fluids are counted,
never read against serum limits; a specimen electrocheck does not know is reported. In a
specimen column, and in a test name or header that names the specimen."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from batch_files import rows, run  # pytest puts tests/batch on sys.path

from electrocheck.batch.specimens import (
    BLOOD,
    OTHER,
    UNKNOWN,
    looks_like_electrolyte,
    names_other_specimen,
    specimen_kind,
)
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.reference import Reference

LAYOUTS = ("wide", "long")


def summary_of(tmp_path: Path, text: str, *args: str) -> tuple[Any, dict[str, Any]]:
    target = tmp_path / "summary.json"
    result = run(tmp_path, text, "--summary-json", str(target), *args)
    return result, json.loads(target.read_text("utf-8"))


def potassium(layout: str, specimens: list[str], column: str = "fluid", value: str = "2.0") -> str:
    """One potassium value per specimen, in ``layout``, with a specimen column."""
    if layout == "wide":
        lines = [f"id,{column},K [mmol/L]"]
        lines += [f"{i},{s},{value}" for i, s in enumerate(specimens)]
    else:
        lines = [f"id,test,value,unit,{column}"]
        lines += [f"{i},Potassium,{value},mmol/L,{s}" for i, s in enumerate(specimens)]
    return "\n".join(lines) + "\n"


def flag(layout: str, row: dict[str, str]) -> str:
    return row["flag"] if layout == "long" else row["potassium_flag"]


SPECIMEN_TEXTS = [
    ("Serum", BLOOD),
    ("PLASMA", BLOOD),
    ("Blood", BLOOD),
    ("Whole blood", BLOOD),
    ("Blood, venous", BLOOD),
    ("Arterial blood", BLOOD),
    ("Serum/Plasma", BLOOD),
    ("Ser/Plas", BLOOD),
    ("Plasma (lithium heparin)", BLOOD),
    ("SST", BLOOD),
    ("S", BLOOD),
    ("", BLOOD),
    ("   ", BLOOD),
    ("Urine", OTHER),
    ("urine, random", OTHER),
    ("24 hr Urine", OTHER),
    ("U", OTHER),
    ("Cerebrospinal Fluid", OTHER),
    ("CSF", OTHER),
    ("Pleural", OTHER),
    ("Ascites", OTHER),
    ("Joint Fluid", OTHER),
    ("Other Body Fluid", OTHER),
    ("Stool", OTHER),
    ("Dialysate", OTHER),
    ("Bone Marrow", OTHER),
    ("Serum, pleural", OTHER),  # another specimen named anywhere wins
    ("Gold top", UNKNOWN),
    ("S12-3456", UNKNOWN),
    ("N/A", BLOOD),  # none given, as a blank cell
    ("none", BLOOD),
    ("-", BLOOD),
    ("Red top tube", UNKNOWN),
    # Red cells hold an intracellular level, never the serum one.
    ("Red blood cells", OTHER),
    ("RBC", OTHER),
    ("Erythrocytes", OTHER),
    ("Whole blood", BLOOD),
]


@pytest.mark.parametrize(("text", "kind"), SPECIMEN_TEXTS)
def test_specimen_kinds(ref: Reference, text: str, kind: str) -> None:
    assert specimen_kind(text, ref.specimen_words) == kind


LABELS = [
    ("Potassium, urine", True),
    ("Sodium [Moles/volume] in Urine", True),
    ("K, CSF", True),
    ("Urine potassium", True),
    ("Potassium, Pleural Fluid", True),
    ("Calcium, 24 hour urine", True),
    ("Potassium", False),
    ("Potassium, serum", False),
    ("Sodium, Whole Blood", False),
    ("Sodium [Moles/volume] in Serum or Plasma", False),
    ("Uric acid", False),  # "uric" is not urine
]


@pytest.mark.parametrize(("label", "other"), LABELS)
def test_names_that_name_another_specimen(ref: Reference, label: str, other: bool) -> None:
    assert names_other_specimen(label, ref.specimen_words) == other


LOOKALIKES = [
    ("K+", True),
    ("Na+", True),
    ("Ca++", True),
    ("Ca2+", True),
    ("Mg++", True),
    ("K+ (mmol/L)", True),
    ("POTASSIUM LVL", True),
    ("Potassium (K)", True),
    ("Kalium", True),
    ("Natrium", True),
    ("potasio", True),
    ("Calcium ionisé", True),
    ("iCa", True),
    ("Creatinine", False),
    ("Calcitonin", False),
    ("Glucose mg/dL", False),
    ("Potassium, urine", False),  # another specimen
    ("Calcium oxalate crystals", False),
    ("Sodium bicarbonate", False),
    ("Magnesium sulfate dose", False),
    ("Ca/Cr ratio", False),
    ("K flag", False),
    ("Sodium comment", False),
    ("mrn", False),
    ("", False),
]


@pytest.mark.parametrize(("name", "expected"), LOOKALIKES)
def test_names_that_look_like_an_electrolyte(ref: Reference, name: str, expected: bool) -> None:
    assert looks_like_electrolyte(name, ref.specimen_words) == expected


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "column",
    ["fluid", "specimen", "specimen_type", "SPECIMEN_SOURCE", "specimen source", "Sample Type"],
)
def test_specimen_column_found_by_name(tmp_path: Path, layout: str, column: str) -> None:
    text = potassium(layout, ["Serum", "Urine", "", "Blood"], column)
    result, summary = summary_of(tmp_path, text)
    out = rows(result)
    assert [flag(layout, r) for r in out] == ["LL", "", "LL", "LL"]
    assert all(r[next(k for k in r if k.endswith("errors"))] == "" for r in out)
    assert summary["fates"]["other_specimen"] == 1
    assert summary["fates"]["interpreted"] == 3
    assert summary["named"]["other_specimen"]["names"] == [
        {"name": f"{'K [mmol/L]' if layout == 'wide' else 'Potassium'} (Urine)", "count": 1}
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_another_specimen_is_not_an_unknown(tmp_path: Path, layout: str) -> None:
    # A urine potassium of 2.0 is not a critical serum value, and not an unknown one...
    text = potassium(layout, ["Urine", "Urine"], value="2.0")
    result = run(tmp_path, text, "--fail-on", "critical", "--strict")
    assert result.exit_code == ExitCode.OK
    assert [flag(layout, r) for r in rows(result)] == ["", ""]
    # ... while the same value in serum is.
    serum = run(tmp_path, potassium(layout, ["Urine", "Serum"]), "--fail-on", "critical")
    assert serum.exit_code == ExitCode.CONDITION_MET


@pytest.mark.parametrize("layout", LAYOUTS)
def test_unknown_specimen_is_reported_and_fails_fail_on(tmp_path: Path, layout: str) -> None:
    text = potassium(layout, ["Gold top"], value="4.1")
    result, summary = summary_of(tmp_path, text, "--fail-on", "critical")
    assert result.exit_code == ExitCode.CONDITION_MET
    out = rows(result)
    assert flag(layout, out[0]) == ""
    assert "fluid: specimen 'Gold top' is not one electrocheck knows" in out[0]["errors"]
    assert summary["fates"]["unknown_specimen"] == 1 and summary["unknown"] == 1
    assert run(tmp_path, text, "--strict").exit_code == ExitCode.CONDITION_MET
    ok = run(tmp_path, text, "--fail-on", "critical", "--unknown-ok")
    assert ok.exit_code == ExitCode.OK


@pytest.mark.parametrize("layout", LAYOUTS)
def test_specimen_type_column_option(tmp_path: Path, layout: str) -> None:
    text = potassium(layout, ["Serum", "Urine"], "material")
    # "material" is not a specimen column's name: both rows are read as serum...
    assert [flag(layout, r) for r in rows(run(tmp_path, text))] == ["LL", "LL"]
    # ... unless named.
    named = run(tmp_path, text, "--specimen-type-column", "material")
    assert [flag(layout, r) for r in rows(named)] == ["LL", ""]
    # An empty name reads no specimen column at all.
    text = potassium(layout, ["Serum", "Urine"])
    off = run(tmp_path, text, "--specimen-type-column", "")
    assert [flag(layout, r) for r in rows(off)] == ["LL", "LL"]
    missing = run(tmp_path, text, "--specimen-type-column", "nowhere")
    assert missing.exit_code == ExitCode.ERROR and "--specimen-type-column" in missing.output


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_labs_own_other_specimen_word(
    tmp_path: Path, layout: str, write_reference: Callable[..., Path]
) -> None:
    """A word a lab's file adds under `specimens: other` makes its rows another specimen."""

    def edit(data: dict[str, Any]) -> None:
        data["specimens"]["other"].append("Hämolysat")

    text = potassium(layout, ["Serum", "Hämolysat"])
    assert summary_of(tmp_path, text)[1]["fates"]["unknown_specimen"] == 1
    ranges = str(write_reference(edit))
    result, summary = summary_of(tmp_path, text, "--ranges", ranges, "--fail-on", "critical")
    assert [flag(layout, r) for r in rows(result)] == ["LL", ""]
    assert summary["fates"]["other_specimen"] == 1 and summary["unknown"] == 0
    assert summary["fates"]["unknown_specimen"] == 0


# Long rows whose test name names another specimen: counted, never interpreted.
@pytest.mark.parametrize("label", [label for label, other in LABELS if other])
def test_long_test_names_that_name_another_specimen(tmp_path: Path, label: str) -> None:
    text = f'id,test,value,unit\n1,"{label}",2.0,mmol/L\n2,Potassium,2.0,mmol/L\n'
    result, summary = summary_of(tmp_path, text, "--fail-on", "critical")
    out = rows(result)
    assert [r["flag"] for r in out] == ["", "LL"] and out[0]["errors"] == ""
    assert summary["named"]["other_specimen"]["names"] == [{"name": label, "count": 1}]


@pytest.mark.parametrize(
    ("label", "fate"),
    [
        # A name of another specimen with no electrolyte or covariate in it is another test.
        ("Erythrocytes [#/volume] in Blood by Automated count", "other_test"),
        ("RDW - Erythrocyte distribution width Auto (RBC) [Entitic vol]", "other_test"),
        ("RBC Auto (Bld) [#/Vol]", "other_test"),
        ("Creatinine, urine", "other_test"),
        # With one, another specimen's result: by word, symbol or covariate.
        ("Magnesium [Moles/volume] in Red Blood Cells", "other_specimen"),
        ("Mg, RBC", "other_specimen"),
        ("Glucose, urine", "other_specimen"),
        ("Albumin [Mass/volume] in Urine", "other_specimen"),
        ("Urine Na", "other_specimen"),
    ],
)
def test_a_name_of_another_specimen_names_its_result_or_another_test(
    tmp_path: Path, label: str, fate: str
) -> None:
    text = f'id,test,value,unit\n1,"{label}",2.0,mmol/L\n'
    _, summary = summary_of(tmp_path, text)
    assert summary["fates"][fate] == 1
    assert summary["named"][fate]["names"] == [{"name": label, "count": 1}]


@pytest.mark.parametrize("header", [label for label, other in LABELS if other])
def test_wide_headers_that_name_another_specimen(tmp_path: Path, header: str) -> None:
    text = f'id,K,"{header}"\n1,4.1,2.0\n'
    result, summary = summary_of(tmp_path, text, "--fail-on", "critical", "--strict")
    assert result.exit_code == ExitCode.OK
    assert list(rows(result)[0])[3:] == [
        "potassium_mmol_l",
        "potassium_flag",
        "potassium_grade",
        "potassium_spasm_risk",
        "potassium_censored",
        "patterns",
        "errors",
    ]
    assert summary["unread_columns"] == ["id", header]


def test_a_column_that_names_another_specimen_cannot_be_mapped(tmp_path: Path) -> None:
    result = run(tmp_path, "id,Urine K\n1,2.0\n", "--map", "potassium=Urine K")
    assert result.exit_code == ExitCode.ERROR
    assert "never read against serum limits" in result.output


def test_another_specimen_gets_no_corrections_or_patterns(tmp_path: Path) -> None:
    text = (
        "id,fluid,Calcium (mg/dL),Albumin (g/dL),Magnesium (mg/dL),K\n"
        "1,Serum,7.6,2.5,1.1,3.1\n"
        "2,Urine,7.6,2.5,1.1,3.1\n"
    )
    serum, urine = rows(run(tmp_path, text))
    assert serum["corrected_calcium_flag"] == "N" and serum["patterns"] == "mg-first-k"
    assert (urine["calcium_flag"], urine["corrected_calcium_flag"], urine["patterns"]) == (
        "",
        "",
        "",
    )
    assert urine["errors"] == ""
