"""The unit of a value given without one: a unit written with the value, else the analyte's
default unit (ELECTROCHECK_DEFAULT_UNITS), else the unit of the system asked for (--units),
else the reference file's default unit; and the settings read from their text."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from electrocheck import run_check
from electrocheck.clinical.interpret import interpret
from electrocheck.clinical.unit_choice import (
    AS_ENTERED,
    UnitChoice,
    read_default_units,
    read_system,
)
from electrocheck.errors import (
    AmbiguousUnitError,
    ImplausibleValueError,
    InputError,
    UnitSettingError,
)
from electrocheck.reference import Reference, with_aliases

ENV = "ELECTROCHECK_DEFAULT_UNITS"
CA_MG = MappingProxyType({"calcium": "mg/dL", "magnesium": "mg/dL"})
CA_MMOL = MappingProxyType({"calcium": "mmol/L"})


def choice(
    defaults: MappingProxyType[str, str] | None = None, system: str | None = None
) -> UnitChoice:
    return UnitChoice(system, f"--units {system}", defaults or MappingProxyType({}), ENV)


NOTE = "no unit given: {} assumed"
# token, defaults, system -> unit, note of the assumed unit (None: none)
PRECEDENCE = [
    # 1. a unit written with the value wins over everything
    ("ca=2.3mmol/L", CA_MG, "conventional", "mmol/L", None),
    ("ca=9.2mg/dL", CA_MMOL, "si", "mg/dL", None),
    ("k=4.1mEq/L", None, "si", "mEq/L", None),
    # 2. the analyte's default unit wins over the system
    ("ca=9.2", CA_MG, None, "mg/dL", f"{NOTE.format('mg/dL')} ({ENV})"),
    ("ca=9.2", CA_MG, "si", "mg/dL", f"{NOTE.format('mg/dL')} ({ENV})"),
    ("ca=2.3", CA_MMOL, "conventional", "mmol/L", f"{NOTE.format('mmol/L')} ({ENV})"),
    ("mg=1.8", CA_MG, "si", "mg/dL", f"{NOTE.format('mg/dL')} ({ENV})"),
    # 3. the system's display unit, for an analyte without a default unit
    ("mg=1.8", CA_MMOL, "conventional", "mg/dL", f"{NOTE.format('mg/dL')} (--units conventional)"),
    ("ca=9.2", None, "conventional", "mg/dL", f"{NOTE.format('mg/dL')} (--units conventional)"),
    ("k=4.1", None, "conventional", "mEq/L", f"{NOTE.format('mEq/L')} (--units conventional)"),
    ("na=140", None, "conventional", "mEq/L", f"{NOTE.format('mEq/L')} (--units conventional)"),
    ("ica=4.8", None, "conventional", "mg/dL", f"{NOTE.format('mg/dL')} (--units conventional)"),
    ("ca=2.3", None, "si", "mmol/L", f"{NOTE.format('mmol/L')} (--units si)"),
    ("k=4.1", CA_MG, "si", "mmol/L", f"{NOTE.format('mmol/L')} (--units si)"),
    # 4. the reference file's default unit; its note names no source, as before
    ("ca=2.3", None, None, "mmol/L", NOTE.format("mmol/L")),
    ("k=4.1", CA_MG, None, "mmol/L", NOTE.format("mmol/L")),
]


@pytest.mark.parametrize(("token", "defaults", "system", "unit", "note"), PRECEDENCE)
def test_precedence_of_units(
    ref: Reference,
    token: str,
    defaults: MappingProxyType[str, str] | None,
    system: str | None,
    unit: str,
    note: str | None,
) -> None:
    (result,) = run_check(ref, [token], units=choice(defaults, system)).results
    assert result.flag == "N"
    assert result.entered_unit == unit
    assert result.unit_assumed is (note is not None)
    assumed = [n for n in result.notes if n.startswith("no unit given")]
    assert assumed == ([] if note is None else [note])


def test_the_default_choice_is_as_entered(ref: Reference) -> None:
    assert run_check(ref, ["ca=9.2mg/dL", "k=4"]) == run_check(
        ref, ["ca=9.2mg/dL", "k=4"], units=AS_ENTERED
    )
    assert UnitChoice("si").assumed(ref.analytes["calcium"]) == ("mmol/L", "si units")


def test_a_separate_unit_is_a_unit_given(ref: Reference) -> None:
    (result,) = run_check(ref, ["na=128", "mEq/L"], units=choice(CA_MG, "si")).results
    assert (result.entered_unit, result.unit_assumed) == ("mEq/L", False)


# The unit doubt of a value without a unit holds in the assumed unit, whatever its source.
def test_a_unit_that_decides_the_answer_is_refused_in_the_assumed_unit(ref: Reference) -> None:
    # 2.0 is critically high as mmol/L magnesium, normal as mg/dL
    with pytest.raises(AmbiguousUnitError, match="as mmol/L 2 is critically high"):
        interpret(ref, "mg", 2.0)
    assert interpret(ref, "mg", 2.0, units=choice(CA_MG)).flag == "N"
    assert interpret(ref, "mg", 2.0, units=choice(system="conventional")).flag == "N"
    # 0.8 is normal as mmol/L, critically low as mg/dL
    assert interpret(ref, "mg", 0.8).flag == "N"
    with pytest.raises(AmbiguousUnitError) as info:
        interpret(ref, "mg", 0.8, input="mg=0.8", units=choice(CA_MG))
    assert str(info.value) == (
        "'mg=0.8': no unit given, and the unit decides the answer: as mg/dL 0.8 is critically "
        "low (LL), as mmol/L it is 0.8 mmol/L, normal; write mg=0.8mmol/L or mg=0.8mg/dL "
        f"(mg/dL was assumed from {ENV})"
    )
    with pytest.raises(AmbiguousUnitError, match=r"assumed from --units conventional\)$"):
        interpret(ref, "mg", 0.8, units=choice(system="conventional"))


def test_an_implausible_value_names_where_its_unit_came_from(ref: Reference) -> None:
    with pytest.raises(ImplausibleValueError, match=r"write ca=9\.2mg/dL if") as plain:
        interpret(ref, "ca", 9.2, input="ca=9.2")
    assert "assumed from" not in str(plain.value)
    assert interpret(ref, "ca", 9.2, units=choice(CA_MG)).flag == "N"
    with pytest.raises(ImplausibleValueError, match=rf"\(mmol/L was assumed from {ENV}\)$"):
        interpret(ref, "ca", 9.2, units=choice(CA_MMOL, "conventional"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ca=mg/dL,mg=mg/dL", {"calcium": "mg/dL", "magnesium": "mg/dL"}),
        (" Calcium = MG/DL , K+=mEq/l ", {"calcium": "mg/dL", "potassium": "mEq/L"}),
        ("calcium, total=mg/dL,mg=mmol/L", {"calcium": "mg/dL", "magnesium": "mmol/L"}),
        ("LOINC:2951-2=mEq/L", {"sodium": "mEq/L"}),
        ("Kalzium=mg/dL", {"calcium": "mg/dL"}),
        ("ica=mg/dL", {"ionized_calcium": "mg/dL"}),
        ("ca=mg/dL,", {"calcium": "mg/dL"}),
        (",,ca=mg/dL,,", {"calcium": "mg/dL"}),
        ("ca=mg/dL,calcium=mg/dl", {"calcium": "mg/dL"}),
        ("", {}),
        (" ", {}),
    ],
)
def test_default_units_are_read(ref: Reference, text: str, expected: dict[str, str]) -> None:
    assert dict(read_default_units(ref, text, ENV)) == expected


def test_default_units_take_the_names_of_aliases(ref: Reference) -> None:
    aliased = with_aliases(ref, [("Ca X", "calcium")])
    assert dict(read_default_units(aliased, "Ca X=mg/dL", ENV)) == {"calcium": "mg/dL"}
    with pytest.raises(UnitSettingError, match="unknown analyte 'Ca X'"):
        read_default_units(ref, "Ca X=mg/dL", ENV)


BAD_DEFAULTS = [
    ("ca", "'ca' is not NAME=UNIT (e.g. ca=mg/dL,mg=mg/dL)"),
    ("ca=mg/dL,mg", "'mg' is not NAME=UNIT"),
    ("ca=", "'ca=' gives no unit after '='"),
    ("=mg/dL", "a unit without a name before '='"),
    ("x=mg/dL", "unknown analyte 'x'; known: calcium, ionized_calcium, magnesium"),
    ("calcum=mg/dL", "unknown analyte 'calcum' (did you mean 'calcium'?)"),
    ("ca=wibble", "'ca=wibble': unit 'wibble' is not a unit electrocheck knows"),
    ("ca=kg", "'ca=kg': unit 'kg' is a mass, not a concentration"),
    ("ca=mg/L", "'ca=mg/L': calcium is reported in mmol/L or mg/dL or mEq/L"),
    ("k=mg/dL", "'k=mg/dL': potassium is reported in mmol/L or mEq/L (the reference file's "),
    ("ca=mg/dL,calcium=mmol/L", "calcium is given two units ('ca=mg/dL', 'calcium=mmol/L')"),
    ("alb=g/L", "'alb' is albumin, which corrects a value and takes g/dL unless its unit"),
    ("Ca venous=mmol/L", "'Ca venous' may mean Calcium (total) (calcium) or Calcium (ionized)"),
]


@pytest.mark.parametrize(("text", "message"), BAD_DEFAULTS)
def test_bad_default_units_name_the_variable(ref: Reference, text: str, message: str) -> None:
    with pytest.raises(UnitSettingError) as info:
        read_default_units(ref, text, ENV)
    assert isinstance(info.value, InputError)
    assert str(info.value).startswith(f"{ENV}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "system"),
    [("si", "si"), ("SI", "si"), (" conventional ", "conventional"), ("", None), (None, None)],
)
def test_unit_systems_are_read(text: str | None, system: str | None) -> None:
    assert read_system(text, "ELECTROCHECK_UNITS") == system


@pytest.mark.parametrize("text", ["metric", "us", "mmol/L", "s i"])
def test_bad_unit_system_names_the_variable(text: str) -> None:
    with pytest.raises(UnitSettingError) as info:
        read_system(text, "ELECTROCHECK_UNITS")
    assert str(info.value) == f"ELECTROCHECK_UNITS={text!r}: expected si or conventional"


def test_a_choice_of_an_unknown_system_is_refused() -> None:
    with pytest.raises(UnitSettingError, match="unit system 'metric': expected si or"):
        UnitChoice("metric")
