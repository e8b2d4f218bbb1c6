"""Unit spellings, kinds and factors, checked against ../shared/clinical-reference.md."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from electrocheck.errors import UnitError
from electrocheck.reference import Reference
from electrocheck.units.pint_bridge import build_table
from electrocheck.units.resolve import resolve_unit
from electrocheck.units.spellings import LAB_SPELLINGS, canonical_spelling

# mg/dL -> mmol/L and mEq/L -> mmol/L factors from the clinical reference table.
FACTORS = [
    ("calcium", "mg/dL", 0.24951),
    ("magnesium", "mg/dL", 0.41144),
    ("potassium", "mg/dL", 0.25577),
    ("sodium", "mg/dL", 0.43497),
    ("calcium", "mEq/L", 0.5),
    ("magnesium", "mEq/L", 0.5),
    ("potassium", "mEq/L", 1.0),
    ("sodium", "mEq/L", 1.0),
]


@pytest.mark.parametrize(("analyte", "unit", "factor"), FACTORS)
def test_factor_matches_clinical_reference(
    ref: Reference, analyte: str, unit: str, factor: float
) -> None:
    got = ref.analytes[analyte].factor_to_mmol(resolve_unit(unit))
    assert got == pytest.approx(factor, rel=2e-5)


@pytest.mark.parametrize(
    ("spelling", "analyte", "mmol"),
    [
        ("mmol/L", "potassium", 4.1),
        ("mmol/l", "potassium", 4.1),
        ("MMOL/L", "potassium", 4.1),  # never megamole per litre
        ("Mmol/L", "potassium", 4.1),
        ("mEq/L", "calcium", 2.05),
        ("meq/l", "calcium", 2.05),
        ("MEQ/L", "calcium", 2.05),
        ("mEq/l", "calcium", 2.05),
        ("µmol/L", "potassium", 0.0041),  # U+00B5 micro sign
        ("μmol/L", "potassium", 0.0041),  # U+03BC Greek mu
        ("umol/L", "potassium", 0.0041),
        ("UMOL/L", "potassium", 0.0041),
        ("mg/dL", "calcium", 4.1 * 10 / 40.078),
        ("MG/DL", "calcium", 4.1 * 10 / 40.078),
        ("mg/dl", "calcium", 4.1 * 10 / 40.078),
        ("mg%", "calcium", 4.1 * 10 / 40.078),
        ("mg/100mL", "calcium", 4.1 * 10 / 40.078),
        ("mg / 100 ml", "calcium", 4.1 * 10 / 40.078),
        ("mg/L", "calcium", 4.1 / 40.078),
        ("g/L", "calcium", 4.1 * 1000 / 40.078),
        ("mol/L", "potassium", 4100.0),
    ],
)
def test_lab_spellings_convert(ref: Reference, spelling: str, analyte: str, mmol: float) -> None:
    assert ref.analytes[analyte].to_mmol(4.1, resolve_unit(spelling)) == pytest.approx(mmol)


def test_case_folding_is_limited_to_known_spellings() -> None:
    # Only the lab spellings are matched without regard to case; anything else goes to pint
    # exactly as written, where "kmol/L" keeps its case.
    assert canonical_spelling("MG/DL") == "mg/dL"
    assert canonical_spelling("Mg/ml") == "mg/mL"
    assert canonical_spelling("MMOL/L") == "mmol/L"
    assert canonical_spelling("kmol/L") == "kmol/L"  # passed to pint as written


def test_shipped_table_matches_live_pint() -> None:
    shipped = json.loads(
        resources.files("electrocheck.units").joinpath("unit_table.json").read_text()
    )
    live = build_table()
    assert set(shipped) == set(live)
    for expression, (kind, factor) in live.items():
        assert shipped[expression][0] == kind, expression
        assert shipped[expression][1] == pytest.approx(factor, rel=1e-12), expression


def test_every_lab_spelling_resolves() -> None:
    for spelling in LAB_SPELLINGS.values():
        assert resolve_unit(spelling).kind in {"substance", "mass", "equivalent"}


def test_unusual_spelling_goes_through_pint() -> None:
    unit = resolve_unit("mmol/dL")  # not in the lab list
    assert (unit.kind, unit.to_base) == ("substance", pytest.approx(0.01))


@pytest.mark.parametrize(
    ("spelling", "reason"),
    [
        ("kg", "is a mass, not a concentration"),
        ("mmHg", "is a pressure, not a concentration"),
        ("mmol", "is an amount of substance, not a concentration"),
        ("furlongs/fortnight", "is not a unit electrocheck knows"),
        ("wibble", "is not a unit electrocheck knows"),
        ("mg/dL)", "is not a plain unit"),
        ("%", "is not a plain unit"),
        ("5", "is not a plain unit"),
        ("mmol/L*2", "is not a plain unit"),
        ("0.5mmol/L", "is not a plain unit"),
    ],
)
def test_bad_units_are_refused_with_reason(spelling: str, reason: str) -> None:
    with pytest.raises(UnitError) as info:
        resolve_unit(spelling)
    message = str(info.value)
    assert repr(spelling) in message and reason in message and "\n" not in message


def test_vocabulary_shortcut_agrees_with_pint() -> None:
    """Words the shortcut refuses without pint, pint refuses too; words it passes, pint knows."""
    from electrocheck.units.pint_bridge import registry
    from electrocheck.units.resolve import _could_be_unit, _vocabulary

    names, prefixes = _vocabulary()
    ureg = registry()
    accepted = 0
    for name in names:
        for prefix in prefixes:
            for word in (prefix + name, prefix + name + "s"):
                try:
                    ureg.parse_units(word)
                except Exception:  # pint does not know it: nothing to check
                    continue
                accepted += 1
                assert _could_be_unit(word), word  # never refuse what pint knows
    assert accepted > 100
    for word in ("furlongs", "abc", "mmoll", "wibble", "Mol", "mgs/dLx"):
        assert not _could_be_unit(word)
        with pytest.raises(Exception):  # noqa: B017 - any pint error: it does not know it
            ureg.parse_units(word)


@pytest.mark.parametrize(
    ("spelling", "to_base"),
    # Whole words through pint, in both spellings of litre, each a thousandth of mol/L.
    [("mmol/liter", 0.001), ("mmol/litre", 0.001), ("millimole/liter", 0.001)],
)
def test_words_for_litre_go_through_pint(spelling: str, to_base: float) -> None:
    unit = resolve_unit(spelling)
    assert (unit.kind, unit.to_base) == ("substance", pytest.approx(to_base))


def test_unit_text_of_40_characters_is_read_and_of_41_refused_as_too_long() -> None:
    with pytest.raises(UnitError, match="is not a unit electrocheck knows"):
        resolve_unit("a" * 40)
    with pytest.raises(UnitError, match="is longer than 40 characters"):
        resolve_unit("a" * 41)


EXPECTED = "expected a concentration such as mmol/L, mg/dL or mEq/L"
MEGA = "would read as mega- (M-), a million times too large; for milli- write a small m"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "MM",
            f"{MEGA} (mM)",
        ),
        (
            "Mval/l",
            f"{MEGA} (mval/l)",
        ),
        (
            "mmol/Mm3",
            f"{MEGA} (mmol/mm3)",
        ),
        ("mmol/L*2", "is not a plain unit: only letters and one '/' are accepted"),
    ],
)
def test_units_refused_with_their_reason(raw: str, message: str) -> None:
    with pytest.raises(UnitError) as info:
        resolve_unit(raw)
    assert str(info.value) == f"unit {raw!r} {message}; {EXPECTED}"


@pytest.mark.parametrize(
    ("raw", "spelling", "kind", "factor"),
    [
        # Spellings outside the lab table, read by pint: a cubed unit after the slash.
        ("mol/dm3", "mol/dm3", "substance", 1000.0),
        ("mg/dm**3", "mg/dm**3", "mass", 1 / 40.078),
        ("mg/cm³", "mg/cm³", "mass", 1000 / 40.078),
        # Lab spellings, each kind: the factor to mmol/L of calcium (40.078 g/mol, valence 2).
        ("mmol/L", "mmol/L", "substance", 1.0),
        ("mg/dL", "mg/dL", "mass", 10 / 40.078),
        ("mEq/L", "mEq/L", "equivalent", 0.5),
    ],
)
def test_each_kind_of_unit_and_its_factor(
    raw: str, spelling: str, kind: str, factor: float
) -> None:
    unit = resolve_unit(raw)
    assert (unit.spelling, unit.kind) == (spelling, kind)
    assert unit.factor_to_mmol(40.078, 2) == pytest.approx(factor, rel=1e-12)
