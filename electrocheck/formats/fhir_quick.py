"""The common shape of a Bulk Data Observation, read in one typed step with msgspec.

An NDJSON export is mostly lines of one shape: an Observation with a code, a subject that is
a ``Patient/...`` reference, a time, a ``valueQuantity`` and perhaps a specimen, a
``referenceRange`` and an ``interpretation``. msgspec decodes such a line straight into the
typed records below, skipping what is not read, several times faster than ``json`` builds
dictionaries of it. The row it gives is the row :mod:`electrocheck.formats.fhir` gives, cell
for cell: each function here follows the one of that module it is named after, for the
shapes the records admit.

A line of any other shape (another resource, a value that is not a quantity, a
``component``, a number where FHIR has text, JSON that is broken ...) fails to decode into
the records, or is turned away right after (a contained or absolute reference, a limit
that is not a number), before anything is counted or written; the general code reads it
instead: this module never decides anything for it. Numbers are taken as written
(``msgspec.Raw``: 2.50 stays 2.50), as the general code keeps them.

msgspec is optional (the ``fast`` extra): without it, :func:`quick_reader` is None and every
line takes the general path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from electrocheck.formats.fhir_types import INTERPRETATION_SYSTEMS, LOINC, NORMAL_RANGE_CODES, UCUM
from electrocheck.formats.fhir_types import UCUM_UNITS as _UNITS

if TYPE_CHECKING:
    from electrocheck.formats.fhir import _Tables

try:
    import msgspec
except ImportError:  # pragma: no cover - the general path reads every line
    msgspec = None  # type: ignore[assignment]

#: Reads one line: True when it was the common shape and its row is written, else False.
QuickReader = Callable[[bytes, int], bool]


def available() -> bool:
    """Whether msgspec is installed, so that :func:`quick_reader` gives a reader."""
    return msgspec is not None


def quick_reader(tables: _Tables) -> QuickReader | None:
    """A reader of the common Observation's lines into ``tables``, or None without msgspec."""
    if msgspec is None:
        return None
    return _reader(tables)


if msgspec is not None:
    from msgspec import UNSET, Raw, Struct, UnsetType, field

    #: A key whose presence, whatever its value (null too), sends the line to the general
    #: code: no JSON value is an integer both above 0 and below 0.
    _Absent = Annotated[int, msgspec.Meta(gt=0, lt=0)]

    class _Coding(Struct):
        system: str | UnsetType = UNSET
        code: str | UnsetType = UNSET
        display: str | UnsetType = UNSET

    class _Concept(Struct):
        coding: list[_Coding] | UnsetType = UNSET
        text: str | UnsetType = UNSET

    class _Quantity(Struct):
        value: Raw | UnsetType = UNSET
        comparator: str | UnsetType = UNSET
        unit: str | UnsetType = UNSET
        system: str | UnsetType = UNSET
        code: str | UnsetType = UNSET

    class _Range(Struct):
        low: _Quantity | UnsetType = UNSET
        high: _Quantity | UnsetType = UNSET
        kind: _Concept | UnsetType = field(default=UNSET, name="type")
        text: str | UnsetType = UNSET

    class _Reference(Struct):
        reference: str

    class _Period(Struct):
        start: str | UnsetType = UNSET
        end: str | UnsetType = UNSET

    class _Observation(Struct):
        resourceType: Literal["Observation"]  # FHIR's names, as they are
        subject: _Reference
        valueQuantity: _Quantity
        id: str | UnsetType = UNSET
        specimen: _Reference | UnsetType = UNSET
        effectiveDateTime: str | UnsetType = UNSET
        effectiveInstant: str | UnsetType = UNSET
        effectivePeriod: _Period | UnsetType = UNSET
        # Kept as their JSON text, read once per distinct text (they repeat from line to line).
        code: Raw | UnsetType = UNSET
        referenceRange: Raw | UnsetType = UNSET
        interpretation: Raw | UnsetType = UNSET
        # What the general code reads in other ways: its presence is another shape.
        dataAbsentReason: _Absent = 0
        component: _Absent = 0
        hasMember: _Absent = 0
        valueCodeableConcept: _Absent = 0
        valueString: _Absent = 0
        valueBoolean: _Absent = 0
        valueInteger: _Absent = 0
        valueRange: _Absent = 0
        valueRatio: _Absent = 0
        valueSampledData: _Absent = 0
        valueTime: _Absent = 0
        valueDateTime: _Absent = 0
        valuePeriod: _Absent = 0

    def _number(raw: Raw | UnsetType) -> str | None:
        """A number as written; "" for none; None for a value that is not a number."""
        if raw is UNSET:
            return ""
        text = bytes(raw).decode("ascii", "replace")
        return text if text[0] in "-0123456789" else None

    def _concept_text(concept: _Concept | UnsetType) -> str:
        if concept is UNSET:
            return ""
        text = "" if concept.text is UNSET else concept.text.strip()
        if text or concept.coding is UNSET:
            return text
        for coding in concept.coding:
            if coding.display is not UNSET and coding.display.strip():
                return coding.display.strip()
        for coding in concept.coding:
            if coding.code is not UNSET and coding.code.strip():
                return coding.code.strip()
        return ""

    def _unit(quantity: _Quantity) -> str:
        code, system = quantity.code, quantity.system
        plain = system is UNSET or system == UCUM
        if code is not UNSET and code in _UNITS and plain:
            return _UNITS[code]
        code = "" if code is UNSET else code.strip()
        if code and plain:
            return _UNITS.get(code, code)
        unit = "" if quantity.unit is UNSET else quantity.unit.strip()
        return unit or code

    def _reference_range(ranges: list[_Range]) -> str | None:
        """The range's text; None where a bound is not a number (the general code's case)."""
        for entry in ranges:
            if entry.kind is not UNSET:
                codings = [] if entry.kind.coding is UNSET else entry.kind.coding
                kinds = {"" if c.code is UNSET else c.code.strip() for c in codings}
                if kinds and not NORMAL_RANGE_CODES & kinds:
                    continue
            low = _number(UNSET if entry.low is UNSET else entry.low.value)
            high = _number(UNSET if entry.high is UNSET else entry.high.value)
            if low is None or high is None:
                return None
            if low:
                assert entry.low is not UNSET
                unit = _unit(entry.low)
            elif high:
                assert entry.high is not UNSET
                unit = _unit(entry.high)
            else:
                unit = ""
            after = f" {unit}" if unit else ""
            if low and high:
                return f"{low}-{high}{after}"
            if low:
                return f">={low}{after}"
            if high:
                return f"<={high}{after}"
            text = "" if entry.text is UNSET else entry.text.strip()
            if text:
                return text
        return ""

    def _interpretation(concepts: list[_Concept]) -> str:
        for concept in concepts:
            if concept.coding is not UNSET:
                for coding in concept.coding:
                    if coding.system in INTERPRETATION_SYSTEMS and coding.code is not UNSET:
                        code = coding.code.strip()
                        if code:
                            return code
            words = _concept_text(concept)
            if words:
                return words
        return ""

    def _effective(obs: _Observation) -> str:
        if obs.effectiveDateTime is not UNSET:
            return obs.effectiveDateTime  # as written, as the general code takes it
        if obs.effectiveInstant is not UNSET and obs.effectiveInstant.strip():
            return obs.effectiveInstant.strip()
        period = obs.effectivePeriod
        if period is UNSET:
            return ""
        start = "" if period.start is UNSET else period.start.strip()
        return start or ("" if period.end is UNSET else period.end.strip())

    def _code(concept: _Concept, known: Callable[[str], str | None]) -> tuple[str, str]:
        """The test's name and LOINC code, as the general code's rows have them."""
        loinc = ""
        if concept.coding is not UNSET:
            for coding in concept.coding:
                if coding.system == LOINC:
                    loinc = "" if coding.code is UNSET else coding.code.strip()
                    break
        return (known(loinc) if loinc else None) or _concept_text(concept) or loinc, loinc

    #: How many distinct texts of a code, a range or an interpretation are remembered, each.
    _MEMO = 4096
    #: A text not yet remembered.
    _NEW: Any = object()

    def _reader(tables: _Tables) -> QuickReader:
        decode = msgspec.json.Decoder(_Observation).decode
        concept = msgspec.json.Decoder(_Concept).decode
        ranges_of = msgspec.json.Decoder(list[_Range]).decode
        concepts = msgspec.json.Decoder(list[_Concept]).decode
        failed = msgspec.DecodeError  # a ValidationError too
        summary, known, write = tables.summary, tables.known, tables.write
        patients, specimens, waiting = tables.patients, tables.specimens, tables.waiting
        resources = summary.resources
        # A text's result, None where it is not of the records' shapes (the general code's).
        codes: dict[bytes, tuple[str, str] | None] = {}
        ranges: dict[bytes, str | None] = {}
        flags: dict[bytes, str | None] = {}
        units: dict[tuple[str | UnsetType, ...], str] = {}

        def code_of(text: bytes) -> tuple[str, str] | None:
            try:
                found: tuple[str, str] | None = _code(concept(text), known)
            except failed:
                found = None
            if len(codes) >= _MEMO:
                codes.clear()
            codes[text] = found
            return found

        def range_of(text: bytes) -> str | None:
            try:
                found = _reference_range(ranges_of(text))
            except failed:
                found = None
            if len(ranges) >= _MEMO:
                ranges.clear()
            ranges[text] = found
            return found

        def flag_of(text: bytes) -> str | None:
            try:
                found: str | None = _interpretation(concepts(text))
            except failed:
                found = None
            if len(flags) >= _MEMO:
                flags.clear()
            flags[text] = found
            return found

        def unit_of(quantity: _Quantity) -> str:
            key = (quantity.code, quantity.system, quantity.unit)
            found = units.get(key)
            if found is None:
                if len(units) >= _MEMO:
                    units.clear()
                found = units[key] = _unit(quantity)
            return found

        def read(line: bytes, number: int) -> bool:
            try:
                obs = decode(line)
            except failed:
                return False
            subject = obs.subject.reference.strip()
            if not subject or subject[0] == "#" or "://" in subject:
                return False
            specimen_id = specimen_type = ""
            if obs.specimen is not UNSET:
                specimen_id = obs.specimen.reference.strip()
                if not specimen_id or specimen_id[0] == "#" or "://" in specimen_id:
                    return False
            quantity = obs.valueQuantity
            value = _number(quantity.value)
            if value is None:
                return False
            # Each text's answer looked up here, the function called for a new text only
            # (the lines of an export repeat a few codes, ranges and flags).
            test = loinc = limits = flag = ""
            if obs.code is not UNSET:
                text = bytes(obs.code)
                named = codes.get(text, _NEW)
                if named is _NEW:
                    named = code_of(text)
                if named is None:
                    return False
                test, loinc = named
            if obs.referenceRange is not UNSET:
                text = bytes(obs.referenceRange)
                found = ranges.get(text, _NEW)
                if found is _NEW:
                    found = range_of(text)
                if found is None:
                    return False
                limits = found
            if obs.interpretation is not UNSET:
                text = bytes(obs.interpretation)
                found = flags.get(text, _NEW)
                if found is _NEW:
                    found = flag_of(text)
                if found is None:
                    return False
                flag = found
            # From here on the line is the common shape: its row is written.
            resources["Observation"] += 1
            summary.observations += 1
            facts = patients.get(subject)
            if facts is None:
                waiting.add(subject)
                birth = sex = ""
            else:
                birth, sex = facts
            if specimen_id:
                found = specimens.get(specimen_id)
                if found is None:
                    waiting.add(specimen_id)
                else:
                    specimen_type = found
            notes = "" if test else "no code: the test is not known"
            if not test:
                summary.problem("no_code", f"line {number}")
            if quantity.comparator is not UNSET:
                value = quantity.comparator.strip() + value
            unit = unit_of(quantity)
            if not value:
                notes = (
                    f"{notes}; valueQuantity has no value"
                    if notes
                    else "valueQuantity has no value"
                )
            elif not unit:
                notes = (
                    f"{notes}; valueQuantity has no unit" if notes else "valueQuantity has no unit"
                )
                summary.problem("no_unit", f"line {number}")
            if not birth:
                summary.rows_without_birth += 1
            summary.rows += 1
            ident = "" if obs.id is UNSET else obs.id.strip()
            collected = obs.effectiveDateTime
            write(
                [
                    subject,
                    birth,
                    sex,
                    _effective(obs) if collected is UNSET else collected,
                    specimen_id,
                    specimen_type,
                    test,
                    loinc,
                    value,
                    unit,
                    limits,
                    flag,
                    "",
                    f"Observation/{ident}" if ident else f"line {number}",
                    "",
                    notes,
                ]
            )
            return True

        return read


__all__ = ["QuickReader", "available", "quick_reader"]
