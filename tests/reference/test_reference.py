"""The reference file: the built-in data, and validation of users' files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reference_edits import DELETE, set_at  # pytest puts this folder on sys.path

from electrocheck.errors import ReferenceFileError
from electrocheck.reference import (
    SPASM_RISKS,
    Reference,
    built_in_path,
    load_reference,
    yaml_strict,
)
from electrocheck.units.resolve import resolve_unit

ANALYTES = {"calcium", "ionized_calcium", "magnesium", "potassium", "sodium"}


def test_built_in_has_every_analyte(ref: Reference) -> None:
    assert set(ref.analytes) == ANALYTES
    for short, key in {
        "ca": "calcium",
        "mg": "magnesium",
        "k": "potassium",
        "na": "sodium",
    }.items():
        assert ref.analyte(short).key == key


def test_every_analyte_has_every_text_and_source(ref: Reference) -> None:
    for analyte in ref.analytes.values():
        assert analyte.muscle_role and analyte.label and analyte.loinc
        for direction in (analyte.low, analyte.high):
            assert direction.effect and direction.causes
            assert direction.spasm_risk in SPASM_RISKS
            assert direction.sources and set(direction.sources) <= set(ref.sources)
        numbers = [
            analyte.molar_mass,
            analyte.valence,
            analyte.plausible,
            *analyte.critical,
            *analyte.reference,
        ]
        for item in numbers:
            assert item.source in ref.sources


def test_every_unit_in_the_file_parses_and_limits_are_ordered(ref: Reference) -> None:
    for analyte in ref.analytes.values():
        resolve_unit(analyte.default_unit)
        for unit in analyte.units:
            resolve_unit(unit)
        for limits in (analyte.plausible, *analyte.critical, *analyte.reference):
            resolve_unit(limits.unit)
            assert limits.low < limits.high
        for interval in analyte.reference:
            critical = analyte.critical_for(resolve_unit(interval.unit))
            assert (
                analyte.plausible.low_mmol
                < critical.low_mmol
                < interval.low_mmol
                < interval.high_mmol
                < critical.high_mmol
                < analyte.plausible.high_mmol
            )


def test_si_and_conventional_limits_agree_within_rounding(ref: Reference) -> None:
    # A lab's two systems describe one interval: they may differ by rounding, no more.
    for analyte in ref.analytes.values():
        for items in (analyte.reference, analyte.critical):
            adult = [item for item in items if item.age is None and item.sex is None]
            for a in adult:
                for b in adult:
                    assert a.low_mmol == pytest.approx(b.low_mmol, rel=0.015)
                    assert a.high_mmol == pytest.approx(b.high_mmol, rel=0.015)


def test_every_number_line_in_the_file_cites_a_source() -> None:
    # Each flow mapping that holds a number names its source on the same line.
    for number, line in enumerate(built_in_path().read_text("utf-8").splitlines(), 1):
        if re.search(r"\b(low|high|value|grade_\d|add|per|pivot): *\d", line):
            assert "source:" in line, f"line {number} has a number without a source"


def test_records_are_frozen(ref: Reference) -> None:
    with pytest.raises(AttributeError):
        ref.analytes["calcium"].label = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ref.analytes["x"] = ref.analytes["calcium"]  # type: ignore[index]


def test_user_file_is_loaded(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["analytes"]["potassium"]["reference"][0]["low"] = 3.6

    path = write_reference(edit)
    ref = load_reference(path)
    assert ref.origin == str(path)
    assert ref.analytes["potassium"].reference[0].low == 3.6


INVALID = [
    (
        "analytes.potassium.reference.0.high",
        3.0,
        "analytes.potassium.reference[0].high: must be greater than low",
    ),
    (
        "analytes.potassium.reference.0.colour",
        "red",
        "analytes.potassium.reference[0].colour: unknown key",
    ),
    (
        "analytes.potassium.critical.0.source",
        DELETE,
        "analytes.potassium.critical[0].source: missing",
    ),
    (
        "analytes.potassium.critical.0.source",
        "nowhere",
        "analytes.potassium.critical[0].source: unknown source 'nowhere'",
    ),
    (
        "analytes.potassium.critical.0.low",
        "low",
        "analytes.potassium.critical[0].low: must be a number",
    ),
    (
        "analytes.potassium.critical.0.low",
        True,
        "analytes.potassium.critical[0].low: must be a number",
    ),
    ("analytes.potassium.critical.0.low", -1, "must be a finite number >= 0"),
    (
        "analytes.potassium.critical.0.unit",
        "kg",
        "analytes.potassium.critical[0].unit: unit 'kg' is a mass",
    ),
    ("analytes.potassium.default_unit", "wibble", "analytes.potassium.default_unit: unit 'wibble'"),
    (
        "analytes.potassium.low.spasm_risk",
        "extreme",
        "analytes.potassium.low.spasm_risk: must be one of none, low, moderate, high",
    ),
    (
        "analytes.potassium.low.causes",
        [],
        "analytes.potassium.low.causes: must be a non-empty list",
    ),
    (
        "analytes.potassium.muscle_role",
        "",
        "analytes.potassium.muscle_role: must be non-empty text",
    ),
    ("analytes.potassium.valence.value", 1.5, "analytes.potassium.valence.value: must be a whole"),
    (
        "analytes.potassium.molar_mass.value",
        0,
        "analytes.potassium.molar_mass.value: must be greater",
    ),
    (
        "analytes.potassium.critical.0.low",
        3.6,
        "analytes.potassium.reference[0].low: must be above critical[0].low",
    ),
    ("analytes.sodium.aliases", ["k"], "analytes.sodium: name 'k' is also used by potassium"),
    ("analytes.potassium.reference", [], "analytes.potassium.reference: must be a non-empty list"),
    ("format", 2, "format: must be 1"),
    ("extra", 1, "extra: unknown key"),
    ("analytes.Potassium", {}, "analytes.Potassium: analyte keys are lower-case names"),
]


@pytest.mark.parametrize(("path", "value", "message"), INVALID, ids=[i[2][:50] for i in INVALID])
def test_invalid_file_names_file_key_path_and_problem(
    write_reference: Callable[..., Path], path: str, value: Any, message: str
) -> None:
    file = write_reference(set_at(path, value))
    with pytest.raises(ReferenceFileError) as info:
        load_reference(file)
    problems = info.value.problems
    assert any(message in problem for problem in problems), problems
    assert all(problem.startswith(str(file)) for problem in problems)
    assert "\n" not in str(info.value)


def test_every_problem_is_listed(write_reference: Callable[..., Path]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["analytes"]["potassium"]["critical"][0]["unit"] = "kg"
        data["analytes"]["sodium"]["low"]["spasm_risk"] = "lots"

    with pytest.raises(ReferenceFileError) as info:
        load_reference(write_reference(edit))
    assert len(info.value.problems) == 2 and "and 1 more problem" in str(info.value)


def test_problem_gives_the_line(write_reference: Callable[..., Path]) -> None:
    text = (
        built_in_path()
        .read_text("utf-8")
        .replace(
            "reference:\n      - {low: 3.5, high: 5.0,", "reference:\n      - {low: 3.5, high: 3.0,"
        )
    )
    file = write_reference(text=text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "{low: 3.5, high: 3.0" in t)
    with pytest.raises(ReferenceFileError, match=rf":{line}: analytes\.potassium\.reference\[0\]"):
        load_reference(file)


def test_duplicate_key_is_an_error(write_reference: Callable[..., Path]) -> None:
    text = (
        built_in_path()
        .read_text("utf-8")
        .replace("{low: 3.5, high: 5.0,", "{low: 3.5, high: 5.0, high: 5.5,")
    )
    with pytest.raises(ReferenceFileError, match="duplicate key 'high'"):
        load_reference(write_reference(text=text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("analytes: [unclosed", "not valid YAML"),
        ("- a list\n", "(top level): must be a mapping"),
        ("", "(top level): must be a mapping, not empty"),
        ("!!python/object:os.system {}", "not valid YAML"),
    ],
)
def test_unusable_files(write_reference: Callable[..., Path], text: str, message: str) -> None:
    with pytest.raises(ReferenceFileError, match=re.escape(message)):
        load_reference(write_reference(text=text))


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ReferenceFileError, match="cannot read"):
        load_reference(tmp_path / "absent.yaml")
    with pytest.raises(ReferenceFileError, match="not a regular file"):
        load_reference(tmp_path)
    with pytest.raises(ReferenceFileError, match="not a regular file"):
        load_reference("/dev/zero")  # never read without end
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ReferenceFileError, match="not UTF-8"):
        load_reference(binary)


@pytest.mark.parametrize(
    ("analyte", "unit", "which", "digits"),
    [
        ("potassium", "mmol/L", "interval", ("3.5", "5.0")),
        ("magnesium", "mmol/L", "interval", ("0.70", "0.99")),
        ("sodium", "mmol/L", "critical", ("120.0", "160.0")),
        ("calcium", "mg/dL", "critical", ("6.0", "13.0")),
    ],
)
def test_limits_keep_the_digits_the_file_writes(
    ref: Reference, analyte: str, unit: str, which: str, digits: tuple[str, str]
) -> None:
    record = ref.analytes[analyte]
    find = record.interval_for if which == "interval" else record.critical_for
    limits = find(resolve_unit(unit))
    assert (getattr(limits.low, "text", None), getattr(limits.high, "text", None)) == digits
    assert (limits.low, limits.high) == tuple(float(d) for d in digits)


@pytest.mark.parametrize(
    ("text", "value", "digits"),
    [("5.0", 5.0, "5.0"), ("0.70", 0.7, "0.70"), ("1.5e+1", 15.0, None), ("135", 135, None)],
)
def test_numbers_are_read_as_yaml_reads_them_and_plain_decimals_keep_their_digits(
    text: str, value: float, digits: str | None
) -> None:
    read = yaml_strict.load(f"x: {text}\n")["x"]
    assert read == value and getattr(read, "text", None) == digits
