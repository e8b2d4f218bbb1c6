"""Unit spellings seen on lab reports (issue 11): molar, mmol/dm3, the German mval, mcg, and
whatever else pint reads as a concentration; case where case changes the meaning."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from electrocheck.errors import UnitError
from electrocheck.reference import Reference
from electrocheck.units.resolve import resolve_unit
from electrocheck.units.spellings import EXACT_SPELLINGS, canonical_spelling

# (spelling, analyte, value, mmol/L): 4.1 of each
SPELLINGS = [
    ("mM", "potassium", 4.1, 4.1),
    ("µM", "potassium", 4100, 4.1),
    ("μM", "potassium", 4100, 4.1),
    ("uM", "potassium", 4100, 4.1),
    ("nM", "potassium", 4.1e6, 4.1),  # through pint
    ("mmol/dm3", "potassium", 4.1, 4.1),
    ("mmol/dm³", "potassium", 4.1, 4.1),
    ("mmol/dm^3", "potassium", 4.1, 4.1),
    ("MMOL/DM3", "potassium", 4.1, 4.1),
    ("mol/m3", "potassium", 4.1, 4.1),  # through pint: a cube written 3
    ("mval/l", "calcium", 4.1, 2.05),
    ("mval/L", "calcium", 4.1, 2.05),
    ("mVal/l", "calcium", 4.1, 2.05),
    ("MVAL/L", "calcium", 4.1, 2.05),  # a lab printing in capitals, as MMOL/L
    ("mval/dl", "sodium", 14.0, 140.0),  # through pint
    ("mcg/dL", "calcium", 9000, 9000 * 10 / 1000 / 40.078),
    ("µg/dL", "calcium", 9000, 9000 * 10 / 1000 / 40.078),
    ("ug/dL", "calcium", 9000, 9000 * 10 / 1000 / 40.078),
    ("MCG/DL", "calcium", 9000, 9000 * 10 / 1000 / 40.078),
    ("mcg/mL", "calcium", 90, 90 / 40.078),
    ("ug/L", "calcium", 90_000, 90 / 40.078),
    ("ng/mL", "calcium", 90_000, 90 / 40.078),  # through pint
    ("mEq/dm3", "sodium", 140, 140.0),
    ("mcmol/L", "potassium", 4100, 4.1),
]


@pytest.mark.parametrize(("spelling", "analyte", "value", "mmol"), SPELLINGS)
def test_lab_report_spellings_convert(
    ref: Reference, spelling: str, analyte: str, value: float, mmol: float
) -> None:
    assert ref.analytes[analyte].to_mmol(value, resolve_unit(spelling)) == pytest.approx(mmol)


@pytest.mark.parametrize(
    ("spelling", "meant"),
    [
        ("MM", "mM"),  # megamolar to pint: never read so
        ("Mval/l", "mval/l"),
        ("MVal/L", "mVal/L"),
        ("Mmol/dL", "mmol/dL"),
        ("MM/L", "mM/L"),
    ],
)
def test_a_capital_m_that_pint_reads_as_mega_is_refused(spelling: str, meant: str) -> None:
    with pytest.raises(UnitError) as info:
        resolve_unit(spelling)
    assert str(info.value).startswith(
        f"unit {spelling!r} would read as mega- (M-), a million times too large; for milli- "
        f"write a small m ({meant})"
    )


@pytest.mark.parametrize(
    ("spelling", "reason"),
    [
        ("mm", "is a length"),  # millimetres, not millimolar
        ("mmol/kg", "is of dimension"),  # molality: per mass, not per volume
        ("mg/dL3", "not a concentration"),
        ("mmol/L3", "not a concentration"),
        ("mmol/dm4", "is not a plain unit"),
        ("3mmol/L", "is not a plain unit"),
    ],
)
def test_what_is_no_concentration_stays_refused(spelling: str, reason: str) -> None:
    with pytest.raises(UnitError) as info:
        resolve_unit(spelling)
    assert reason in str(info.value)


def test_exact_spellings_are_matched_as_written_only() -> None:
    assert canonical_spelling("mM") == "mM"
    assert canonical_spelling("MM") == "MM"  # not folded into mM: refused by the resolver
    assert canonical_spelling("mm") == "mm"
    assert canonical_spelling("m M") == "mM"
    assert canonical_spelling("µM") == "µM"
    for spelling in EXACT_SPELLINGS:
        assert resolve_unit(spelling).kind in {"substance", "equivalent"}


def test_new_spellings_answer_without_loading_pint() -> None:
    """The lab spellings come from the pre-built table: the quick check stays quick."""
    probe = (
        "import sys, json\n"
        "from electrocheck.units.resolve import resolve_unit\n"
        "for s in ['mM', 'µM', 'mmol/dm3', 'mval/l', 'MVAL/L', 'mcg/dL', 'µg/L']:\n"
        "    resolve_unit(s)\n"
        "print(json.dumps('pint' in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) is False


def test_check_reads_the_new_spellings() -> None:
    done = subprocess.run(
        [
            sys.executable,
            *("-m", "electrocheck", "check", "k=2.6 mM", "na=128 mval/l", "ca=7600 mcg/dL"),
            *("--format", "json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = {r["analyte"]: r for r in json.loads(done.stdout)["results"]}
    assert results["potassium"]["flag"] == "LL" and results["potassium"]["entered_unit"] == "mM"
    assert results["sodium"]["value"] == 128.0 and results["sodium"]["entered_unit"] == "mval/L"
    assert results["calcium"]["value"] == pytest.approx(1.896, abs=1e-3)


@pytest.mark.parametrize("micro", ["\u00b5", "\u03bc"])  # the micro sign and the Greek mu
def test_both_micro_signs_are_read_as_u(micro: str) -> None:
    assert canonical_spelling(f"{micro}mol/L") == "µmol/L"
    assert canonical_spelling(f"{micro}foo / L") == "ufoo/L"  # unknown: comes back cleaned
