"""FHIR R4 output: interpreted results written as Observations, in a Bundle or as NDJSON.

What electrocheck adds to an Observation (its own, or one it builds from a row), and why so:

* ``interpretation``: electrocheck's flag as the HL7 v3 ObservationInterpretation code
  (``N``, ``L``, ``H``, ``LL``, ``HH``), the one coding the element holds, so that a reader
  of the element finds one answer. The lab's own interpretation is not lost: each of its
  CodeableConcepts moves, as it was, into the extension :data:`LAB_INTERPRETATION`.
* ``referenceRange``: first, the interval the flag was read against (``type`` normal), in
  mmol/L, the unit electrocheck compares in, its ``text`` saying whose it is (the lab's own
  limits, or the reference file's); the Observation's own ranges follow, unchanged.
* The CTCAE grade, the spasm risk and the patterns are coded facts a program should read
  without parsing text, for which FHIR R4's Observation has no element: extensions, with
  canonical URLs under :data:`EXTENSION_BASE` (``ctcae-grade``: valueInteger; ``spasm-risk``:
  valueCode ``none``, ``low``, ``moderate``, ``high``; ``pattern``: valueCode, the pattern's
  id, one extension per pattern). What a person reads (the result's notes, the grade's
  basis, the patterns' notes, changes over time, errors) is ``note``, each an Annotation
  whose ``authorString`` is ``electrocheck``, after the lab's own notes.

A component is interpreted where it stands (``component.interpretation``,
``component.referenceRange``, its extensions); a component has no ``note``, so its notes go
to the Observation's, named by the component's number.

The functions here build plain JSON-shaped dicts; the batch writer decides what goes where.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import IO, Any

from electrocheck.formats.fhir_types import UCUM

#: The code system of electrocheck's flags (HL7 v3 ObservationInterpretation).
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
#: The display of each flag, as the code system gives it.
FLAG_DISPLAYS = {
    "N": "Normal",
    "L": "Low",
    "H": "High",
    "LL": "Critical low",
    "HH": "Critical high",
}
REFERENCE_RANGE_MEANING = "http://terminology.hl7.org/CodeSystem/referencerange-meaning"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

#: Where electrocheck's own definitions live. The URLs name; nothing is fetched from them.
NAMESPACE = "https://electrocheck.example.org/fhir"
EXTENSION_BASE = f"{NAMESPACE}/StructureDefinition/"
CTCAE_GRADE = EXTENSION_BASE + "ctcae-grade"
SPASM_RISK = EXTENSION_BASE + "spasm-risk"
PATTERN = EXTENSION_BASE + "pattern"
LAB_INTERPRETATION = EXTENSION_BASE + "lab-interpretation"
#: The code system of the results electrocheck derives (``corrected_calcium`` ...), which have
#: no LOINC code of their own in the reference file.
RESULT_CODES = f"{NAMESPACE}/CodeSystem/result"
#: The author of every note electrocheck adds.
AUTHOR = "electrocheck"
#: The names electrocheck's own ids and ``urn:uuid:`` full URLs are made from, so that the
#: same input gives the same output.
_IDS = uuid.uuid5(uuid.NAMESPACE_URL, NAMESPACE)
#: Which limits a result was flagged against, as a range's text says it.
LIMITS_TEXTS = {
    "lab": "applied by electrocheck: the lab's own limits, in mmol/L",
    "reference": "applied by electrocheck: the reference file's limits, in mmol/L",
}


def full_url(name: str) -> str:
    """A ``urn:uuid:`` full URL for a resource electrocheck makes, the same for the same name."""
    return f"urn:uuid:{uuid.uuid5(_IDS, name)}"


def resource_id(name: str) -> str:
    """A FHIR id (letters, digits, ``-`` and ``.``, at most 64) made of ``name``."""
    cleaned = re.sub(r"[^A-Za-z0-9.-]+", "-", name).strip("-")
    return cleaned[:64] or "x"


def mmol_quantity(value: float, comparator: str | None = None) -> dict[str, Any]:
    quantity: dict[str, Any] = {}
    if comparator:
        quantity["comparator"] = comparator
    quantity.update(value=value, unit="mmol/L", system=UCUM, code="mmol/L")
    return quantity


def flag_concept(flag: str) -> dict[str, Any]:
    """electrocheck's flag as an ``interpretation`` CodeableConcept."""
    return {"coding": [{"system": V3_INTERPRETATION, "code": flag, "display": FLAG_DISPLAYS[flag]}]}


def applied_range(result: dict[str, Any]) -> dict[str, Any]:
    """The reference range a result was flagged against, in mmol/L."""
    entry: dict[str, Any] = {}
    if result.get("low") is not None:
        entry["low"] = mmol_quantity(result["low"])
    if result.get("high") is not None:
        entry["high"] = mmol_quantity(result["high"])
    entry["type"] = {
        "coding": [{"system": REFERENCE_RANGE_MEANING, "code": "normal", "display": "Normal Range"}]
    }
    if result.get("limits") == "lab":
        entry["text"] = LIMITS_TEXTS["lab"]
    else:  # the reference file's, for the patient's population
        population = result.get("population")
        text = LIMITS_TEXTS["reference"]
        entry["text"] = f"{text}, for {population}" if population else text
    return entry


def interpret(
    target: dict[str, Any],
    result: dict[str, Any],
    patterns: list[str],
    parts: Fragments | None = None,
) -> None:
    """Set a result's interpretation, applied range and coded facts on ``target`` (an
    Observation or a component): see the module. ``parts`` makes the parts that repeat once
    (see :class:`Fragments`)."""
    made = parts or _PLAIN
    original = target.get("interpretation")
    target["interpretation"] = [made.part(("flag", result["flag"]), flag_concept, result["flag"])]
    own = target.get("extension")
    extensions = [
        e
        for e in (own if isinstance(own, list) else [])
        if _is_part(e) or (isinstance(e, dict) and e.get("url") not in _OURS)
    ]
    if isinstance(original, list):
        extensions += [
            {"url": LAB_INTERPRETATION, "valueCodeableConcept": concept}
            for concept in original
            if isinstance(concept, dict)
        ]
    elif result.get("lab_flag"):
        lab = {"text": str(result["lab_flag"])}
        extensions.append({"url": LAB_INTERPRETATION, "valueCodeableConcept": lab})
    grade = None if result.get("grade") is None else int(result["grade"])
    risk = str(result["spasm_risk"]) if result.get("spasm_risk") else None
    key = ("extensions", grade, risk, *patterns)
    extensions += made.items(key, _extensions, grade, risk, patterns)
    if extensions:  # FHIR JSON has no empty lists
        target["extension"] = extensions
    else:
        target.pop("extension", None)
    ranges = target.get("referenceRange")
    kept = [r for r in ranges if isinstance(r, dict)] if isinstance(ranges, list) else []
    key = ("range", result.get("low"), result.get("high"), result.get("limits"))
    applied = made.part((*key, result.get("population")), applied_range, result)
    target["referenceRange"] = [applied, *kept]


def _extensions(grade: int | None, risk: str | None, patterns: list[str]) -> list[Any]:
    made: list[Any] = []
    if grade is not None:
        made.append({"url": CTCAE_GRADE, "valueInteger": grade})
    if risk is not None:
        made.append({"url": SPASM_RISK, "valueCode": risk})
    return made + [{"url": PATTERN, "valueCode": pattern} for pattern in patterns]


_OURS = frozenset({CTCAE_GRADE, SPASM_RISK, PATTERN, LAB_INTERPRETATION})


def result_notes(result: dict[str, Any]) -> list[str]:
    """What a person reads of a result: its grade and the grade's basis, then its notes."""
    notes = []
    basis = result.get("grade_basis")
    if result.get("grade") is not None:
        notes.append(f"CTCAE grade {result['grade']}" + (f": {basis}" if basis else ""))
    elif basis:
        notes.append(f"CTCAE grade: {basis}")
    notes += [str(n) for n in result.get("notes") or []]
    return notes


def add_notes(resource: dict[str, Any], texts: list[str], parts: Fragments | None = None) -> None:
    """Add electrocheck's notes after the resource's own (each text once)."""
    if not texts:
        return
    made = parts or _PLAIN
    notes = resource.get("note")
    # The lab's notes, and parts already added (marks: another component's notes).
    notes = (
        [n for n in notes if isinstance(n, dict) or _is_part(n)] if isinstance(notes, list) else []
    )
    unique = tuple(dict.fromkeys(texts))
    notes += made.items(("notes", *unique), _notes, unique)
    resource["note"] = notes


def _notes(texts: tuple[str, ...]) -> list[Any]:
    return [{"authorString": AUTHOR, "text": text} for text in texts]


LABORATORY = [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory"}]}]


def outcome(name: str, issues: list[tuple[str, str, str]]) -> dict[str, Any]:
    """An OperationOutcome for what could not be written as an Observation: ``issues`` of
    (severity, code, diagnostics)."""
    return {
        "resourceType": "OperationOutcome",
        "id": resource_id(name),
        "issue": [
            {"severity": severity, "code": code, "diagnostics": text}
            for severity, code, text in issues
        ],
    }


# --------------------------------------------------------------------------- writing


#: A decimal of the input, carried as its text so that it is written back as it was (FHIR
#: gives a decimal's trailing zeros meaning: 2.10 is not 2.1); and a part made once, carried
#: as its number among :class:`Fragments`. JSON text never holds a NUL, so neither mark can
#: be confused with a string of the input.
_DECIMAL, _PART = "\x00n:", "\x00f:"
_MARKED = re.compile(r'"\\u0000([nf]):([^"]*)"')


def keep_decimal(text: str) -> str:
    """``parse_float`` for reading resources that are written back."""
    return _DECIMAL + text


class Fragments:
    """The parts of resources that repeat from one to the next (a flag's interpretation, a
    range, an extension, a note), each encoded once and put in place as text by
    :meth:`encode`: most of what electrocheck adds is the same few hundred parts. At most
    :data:`LIMIT` are kept; past them (notes that differ from row to row, such as changes
    over time) a part is made each time, so memory stays flat."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self.marks: dict[tuple[Any, ...], str] = {}
        self.texts: list[str] = []

    def part(self, key: tuple[Any, ...], make: Any, *args: Any) -> Any:
        """The part ``make(*args)`` makes, as a mark (or itself, past the limit)."""
        mark = self.marks.get(key)
        if mark is not None:
            return mark
        value = make(*args)
        if len(self.texts) >= self.LIMIT:
            return value
        mark = f"{_PART}{len(self.texts)}"
        self.texts.append(_encoded(value))
        self.marks[key] = mark
        return mark

    def items(self, key: tuple[Any, ...], make: Any, *args: Any) -> list[Any]:
        """The items of the list ``make(*args)`` makes, as one mark that stands for all of
        them in a list (or the items themselves, past the limit)."""
        mark = self.marks.get(key)
        if mark is not None:
            return [mark]
        value = make(*args)
        if not value or len(self.texts) >= self.LIMIT:
            return list(value)
        mark = f"{_PART}{len(self.texts)}"
        self.texts.append(_encoded(value)[1:-1])  # [a,b] without its brackets: a,b
        self.marks[key] = mark
        return [mark]

    def encode(self, resource: dict[str, Any]) -> str:
        """A resource as one line of JSON: the input's decimals as they were written, each
        part in its place."""
        text = json.dumps(resource, separators=(",", ":"))
        return _MARKED.sub(self._put, text) if "\\u0000" in text else text

    def _put(self, found: re.Match[str]) -> str:
        kind, body = found.group(1), found.group(2)
        return body if kind == "n" else self.texts[int(body)]


class _Plain(Fragments):
    """Parts made as they are, no marks (for callers that encode resources themselves)."""

    def part(self, key: tuple[Any, ...], make: Any, *args: Any) -> Any:
        return make(*args)

    def items(self, key: tuple[Any, ...], make: Any, *args: Any) -> list[Any]:
        return list(make(*args))


_PLAIN = _Plain()


def _is_part(value: object) -> bool:
    """Whether a list's item is a part already added (a mark of :class:`Fragments`)."""
    return isinstance(value, str) and value.startswith(_PART)


def _encoded(value: Any) -> str:
    return _PLAIN.encode(value)


def encode(resource: dict[str, Any]) -> str:
    """A resource as one line of JSON, the input's decimals as they were written."""
    return _PLAIN.encode(resource)


class Sink:
    """Writes resources: one per line (NDJSON), or as the entries of one ``collection``
    Bundle, written as they come, closed by :meth:`finish`."""

    def __init__(self, handle: IO[bytes], form: str, parts: Fragments | None = None) -> None:
        self.handle = handle
        self.parts = parts or _PLAIN
        self.bundle = form == "bundle"
        self.count = 0
        self.kinds: dict[str, int] = {}
        if self.bundle:  # "entry" comes with the first: FHIR JSON has no empty lists
            handle.write(b'{"resourceType":"Bundle","type":"collection"')

    def write(self, resource: dict[str, Any], url: str | None = None) -> None:
        text = self.parts.encode(resource)
        kind = str(resource.get("resourceType"))
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if self.bundle:
            head = ',"entry":[\n' if self.count == 0 else ",\n"
            entry = (
                f'{{"fullUrl":{json.dumps(url)},"resource":{text}}}'
                if url
                else (f'{{"resource":{text}}}')
            )
            self.handle.write((head + entry).encode("utf-8"))
        else:
            self.handle.write((text + "\n").encode("utf-8"))
        self.count += 1

    def finish(self) -> None:
        if self.bundle:
            self.handle.write(b"\n]}\n" if self.count else b"}\n")


__all__ = [
    "AUTHOR",
    "CTCAE_GRADE",
    "EXTENSION_BASE",
    "FLAG_DISPLAYS",
    "LABORATORY",
    "LAB_INTERPRETATION",
    "NAMESPACE",
    "PATTERN",
    "RESULT_CODES",
    "SPASM_RISK",
    "V3_INTERPRETATION",
    "Fragments",
    "Sink",
    "add_notes",
    "applied_range",
    "encode",
    "flag_concept",
    "full_url",
    "interpret",
    "keep_decimal",
    "mmol_quantity",
    "outcome",
    "resource_id",
    "result_notes",
]
