"""The names labs write, as `check` reads them: each spelling to its analyte, other specimens
and corrected calcium refused, and a misspelling answered with a hint, never a guess."""

from __future__ import annotations

import pytest
from lab_names import AMBIGUOUS, NEVER, SPELLINGS  # pytest puts tests/ on sys.path

from electrocheck.clinical.check import run_check
from electrocheck.errors import UnknownAnalyteError
from electrocheck.reference import Reference, with_aliases

#: A value of each analyte, in mmol/L, that every name of it can be checked with.
VALUES = {
    "calcium": "2.3",
    "ionized_calcium": "1.2",
    "magnesium": "0.8",
    "potassium": "4.1",
    "sodium": "140",
}


@pytest.mark.parametrize(("label", "key"), SPELLINGS, ids=[s for s, _ in SPELLINGS])
def test_check_reads_each_spelling(ref: Reference, label: str, key: str) -> None:
    report = run_check(ref, [f"{label}={VALUES[key]}mmol/L"])
    assert [r.analyte for r in report.results] == [key]


@pytest.mark.parametrize("label", [n for n in NEVER if n.strip()], ids=repr)
def test_check_refuses_other_specimens_and_corrected_calcium(ref: Reference, label: str) -> None:
    with pytest.raises(UnknownAnalyteError, match="unknown analyte"):
        run_check(ref, [f"{label}=4.1mmol/L"])


@pytest.mark.parametrize("label", AMBIGUOUS, ids=repr)
def test_check_refuses_a_name_two_analytes_go_by(ref: Reference, label: str) -> None:
    with pytest.raises(UnknownAnalyteError) as info:
        run_check(ref, [f"{label}=1.1mmol/L"])
    assert str(info.value) == (
        f"'{label}' may mean Calcium (total) (calcium) or Calcium (ionized) (ionized_calcium), "
        "and the answer depends on which: name the one measured, or give "
        f"--alias '{label}=calcium' or --alias '{label}=ionized_calcium'"
    )


@pytest.mark.parametrize("label", ["Ca++", "Calcium (arterial)", "Ca WB"])
def test_an_alias_settles_a_name_two_analytes_go_by(ref: Reference, label: str) -> None:
    from electrocheck.reference import with_aliases

    for target, analyte in (("ica", "ionized_calcium"), ("ca", "calcium")):
        report = run_check(with_aliases(ref, [(label, target)]), [f"{label}=1.1mmol/L"])
        assert [r.analyte for r in report.results] == [analyte]


@pytest.mark.parametrize(
    ("label", "analyte"),
    [
        ("Potassium, venous", "potassium"),  # blood-gas words matter for calcium alone
        ("Sodium (arterial)", "sodium"),
        ("Calcium, ionized, whole blood", "ionized_calcium"),
        ("Calcium [Moles/volume] in Venous blood", "calcium"),  # a LOINC name says which
    ],
)
def test_blood_gas_words_leave_other_names_alone(ref: Reference, label: str, analyte: str) -> None:
    value = {"potassium": "4.0", "sodium": "140"}.get(analyte, "1.3")
    report = run_check(ref, [f"{label}={value}mmol/L"])
    assert [r.analyte for r in report.results] == [analyte]


def test_a_misspelled_name_gets_a_hint(ref: Reference) -> None:
    with pytest.raises(UnknownAnalyteError) as info:
        run_check(ref, ["pottasium=3.1"])
    assert str(info.value).startswith(
        "unknown analyte 'pottasium' (did you mean 'potassium'?); known: calcium,"
    )


def test_a_hint_is_never_a_match(ref: Reference) -> None:
    """Even a near miss of a single letter is refused: the user must say what they mean."""
    for typed in ("potasium", "sodiumm", "kalum"):
        with pytest.raises(UnknownAnalyteError, match="did you mean"):
            run_check(ref, [f"{typed}=4.1"])


def test_a_misspelled_covariate_gets_a_hint(ref: Reference) -> None:
    with pytest.raises(UnknownAnalyteError, match=r"did you mean 'albumin'\?"):
        run_check(ref, ["ca=2.0", "albumn=3g/dL"])


def test_check_reads_an_alias(ref: Reference) -> None:
    added = with_aliases(ref, [("Kalium X", "k"), ("Alb-S", "albumin")])
    report = run_check(added, ["Kalium X=3.1", "ca=8mg/dL", "Alb-S=2.5g/dL"])
    assert [r.analyte for r in report.results] == ["potassium", "calcium", "corrected_calcium"]
