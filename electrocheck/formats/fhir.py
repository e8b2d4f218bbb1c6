"""FHIR R4 lab results read as a long table: one row per Observation, as a long CSV has them.

A file whose content starts with ``{`` (see :func:`~electrocheck.formats.content.sniff`) is
FHIR JSON: one resource (a ``Bundle`` of any type, or a single ``Observation``), or Bulk
Data NDJSON, one resource per line, gzipped or not. :func:`fhir_table` writes its
Observations as a long table of the columns in :data:`HEADER` (temporary Arrow IPC files:
:mod:`~electrocheck.formats.parts`), which the batch run then reads exactly as it reads a
long CSV export: tests, units, the lab's limits and flags, specimens, panels and changes
over time are all read by the same code, none of it here.

What each column is taken from:

* ``test``: for a LOINC code of ``code.coding`` (system ``http://loinc.org``) the reference
  file knows, the name ``known(code)`` gives it (its LOINC name); else ``code.text``, else a
  coding's ``display``, else the code; ``loinc`` keeps the LOINC code whatever it is;
* ``value`` and ``unit``: ``valueQuantity`` (its ``comparator`` before the number, so that
  ``<`` reads as a censored value; the UCUM ``code``, spelled as :data:`UCUM_UNITS` says,
  else the ``unit`` text), or ``valueString`` as written (``<1.0``); ``dataAbsentReason``
  leaves the value empty and its code in ``data_absent_reason``;
* ``reference_range``: the normal ``referenceRange`` as text (``3.5-5.1 mmol/L``, ``<=5.1``);
  ``interpretation``: the lab's flag (the code of ``interpretation``);
* ``collected``: ``effectiveDateTime``, ``effectiveInstant`` or ``effectivePeriod.start``;
  ``patient``: ``subject``; ``specimen_id`` and ``specimen_type``: ``specimen`` and the
  ``Specimen`` it refers to; ``birth_date`` and ``sex``: the ``Patient`` the subject refers to.

Observations listed by a ``DiagnosticReport`` (``result``) or by a panel Observation
(``hasMember``) take the report's or panel's subject, time and specimen where they have none
of their own; an Observation that only groups others is not a row. Each ``component`` of an
Observation is a row. References are resolved within a Bundle by ``fullUrl`` (``urn:uuid:``
too), by ``Type/id``, and by ``#id`` for contained resources. NDJSON is read line by line, so
memory stays flat; its Observations refer to no other line, except their ``Patient`` and
``Specimen``, which may come on any line (rows written before their patient was read are
completed at the end). A large NDJSON file is read by two processes, a half each
(:mod:`~electrocheck.formats.fhir_halves`), to the same table.

Nothing is lost: an Observation without a code is a row without a test name, a line that is
not a FHIR resource or a resource type FHIR R4 does not define is counted and named in
:class:`FhirSummary`, as are the other resources. JSON that is not FHIR at all is refused in
one line.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl

from electrocheck.errors import InputError
from electrocheck.formats.columnar import Table
from electrocheck.formats.conversion import (
    ProblemTally,
    not_read,
    ranked,
    row_writer,
    temporary_folder,
)
from electrocheck.formats.fhir_medications import (
    MEDICATION_TYPES,
    NAMES_SEPARATOR,
    drug_names,
    not_given,
    times,
)
from electrocheck.formats.fhir_quick import quick_reader
from electrocheck.formats.fhir_types import (
    INTERPRETATION_SYSTEMS,
    LOINC,
    NORMAL_RANGE_CODES,
    R4_RESOURCE_TYPES,
    UCUM,
    UCUM_UNITS,
)
from electrocheck.formats.parts import PartWriter, parts_table
from electrocheck.formats.stream import StreamReader, TextStream, first_content_line

#: The columns of the table, as the long layout finds them by name.
HEADER = (
    "patient",
    "birth_date",
    "sex",
    "collected",
    "specimen_id",
    "specimen_type",
    "test",
    "loinc",
    "value",
    "unit",
    "reference_range",
    "interpretation",
    "data_absent_reason",
    "observation",
    "report",
    "fhir_notes",
)
_BIRTH = 1  # the column of the birth date
#: Resources whose content goes into the rows, or into the medication list (the others are
#: counted, not read).
READ_TYPES = (
    "Observation",
    "Patient",
    "DiagnosticReport",
    "Specimen",
    "Bundle",
    *MEDICATION_TYPES,
    "Medication",
)
#: A row of the medication list the file holds: patient, the drug's names (joined by
#: NAMES_SEPARATOR), start, stop, and whether the resource says it was not given.
MedicationRow = list[Any]
#: Problems counted, and how the summary names one of them and many.
PROBLEMS = {
    "not_json": ("line that is not JSON", "lines that are not JSON"),
    "not_resource": (
        "JSON value that is not a FHIR resource (no resourceType)",
        "JSON values that are not a FHIR resource (no resourceType)",
    ),
    "unknown_type": (
        "resource of a type FHIR R4 does not define, not read",
        "resources of a type FHIR R4 does not define, not read",
    ),
    "no_resource": ("Bundle entry without a resource", "Bundle entries without a resource"),
    "no_code": (
        "Observation without a code (a row without a test name)",
        "Observations without a code (rows without a test name)",
    ),
    "no_unit": (
        "quantity without a unit (read as a CSV value without one)",
        "quantities without a unit (read as a CSV value without one)",
    ),
    "no_value": (
        "Observation with neither a value nor a dataAbsentReason",
        "Observations with neither a value nor a dataAbsentReason",
    ),
    "unresolved": ("reference not found in the file", "references not found in the file"),
    "unreadable": (
        "resource whose content is not of FHIR's shapes, read no further",
        "resources whose content is not of FHIR's shapes, read no further",
    ),
}
#: What malformed content (a list where FHIR has an object ...) raises in the reading of it.
_MALFORMED = (TypeError, AttributeError, KeyError, ValueError, RecursionError)
#: Administrative genders read as a sex; ``other`` and ``unknown`` say nothing of the limits.
_SEXES = {"male": "male", "female": "female"}


@dataclass
class FhirSummary(ProblemTally):
    """What a FHIR file held, and what became of it."""

    form: str = ""  # "Bundle (collection)", "NDJSON", "Observation"
    resources: Counter[str] = field(default_factory=Counter)  # by resourceType
    observations: int = 0
    rows: int = 0
    component_rows: int = 0  # rows of an Observation's components
    groupings: int = 0  # Observations that only group others (hasMember, component)
    unknown_types: Counter[str] = field(default_factory=Counter)
    absent: Counter[str] = field(default_factory=Counter)  # dataAbsentReason codes
    #: The rows of the medication list its MedicationRequests and MedicationStatements make.
    medications: list[MedicationRow] = field(default_factory=list, repr=False)
    #: What went wrong with the process that read a part of an NDJSON file ("" for nothing).
    helper_failure: str = ""

    def line(self) -> str:
        """One line of the run's summary: what was read, and what was not."""
        read = [
            f"{name} {self.resources[name]:,}"
            for name in READ_TYPES[1:]
            if name != "Bundle" and self.resources[name]
        ]
        other = ranked({k: n for k, n in self.resources.items() if k not in READ_TYPES})
        text = f"  FHIR {self.form}: {self.observations:,} Observations in {self.rows:,} rows"
        if self.component_rows:
            text += f" ({self.component_rows:,} from components)"
        if self.groupings:
            text += f", {self.groupings:,} grouping others"
        if read:
            text += "; read with them: " + ", ".join(read)
        return text + not_read(other, "more types")

    def add(self, later: ProblemTally) -> None:
        """Count in what a later part of the same file held (its medication rows follow)."""
        super().add(later)
        assert isinstance(later, FhirSummary)
        self.resources.update(later.resources)
        self.observations += later.observations
        self.rows += later.rows
        self.component_rows += later.component_rows
        self.groupings += later.groupings
        self.unknown_types.update(later.unknown_types)
        self.absent.update(later.absent)
        self.medications.extend(later.medications)

    def warnings(self) -> list[str]:
        """What the summary warns of: each kind of problem, with where it first was."""
        found = self.problem_warnings("FHIR", PROBLEMS)
        if self.absent:
            shown = ", ".join(f"{code} {n:,}" for code, n in self.absent.most_common())
            found.append(f"FHIR: Observations without a value, by dataAbsentReason: {shown}")
        if self.helper_failure:
            found.append(
                f"FHIR: the process that read the end of the file {self.helper_failure}; "
                "that part was read again in this one (the same rows, more slowly)"
            )
        return found + self.birth_warnings("FHIR")

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "resources": dict(sorted(self.resources.items())),
            "observations": self.observations,
            "rows": self.rows,
            "component_rows": self.component_rows,
            "groupings": self.groupings,
            "problems": {kind: self.problems[kind] for kind in PROBLEMS},
            "unknown_types": dict(sorted(self.unknown_types.items())),
            "data_absent_reasons": dict(sorted(self.absent.items())),
            "rows_without_birth_date": self.rows_without_birth,
        }


# --------------------------------------------------------------------------- small readers


def _dict(value: object) -> dict[str, Any]:
    return value if type(value) is dict else {}


def _list(value: object) -> list[Any]:
    return value if type(value) is list else []


def _text(value: object) -> str:
    """A JSON scalar as text (numbers are kept as written: see :func:`_loads`)."""
    if type(value) is str:
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


#: Numbers are kept as their text: 2.10 stays 2.10, as a CSV cell would hold it. One decoder
#: for the whole file (json.loads with hooks would build one per line).
_DECODER = json.JSONDecoder(parse_float=str, parse_int=str)
#: The names an Observation's value goes by (``value[x]``).
_VALUE_KEYS = frozenset(
    f"value{kind}"
    for kind in (
        "Quantity",
        "CodeableConcept",
        "String",
        "Boolean",
        "Integer",
        "Range",
        "Ratio",
        "SampledData",
        "Time",
        "DateTime",
        "Period",
    )
)


def _loads(text: str | bytes) -> Any:
    return _DECODER.decode(text.decode("utf-8") if isinstance(text, bytes) else text)


def _concept_text(concept: object) -> str:
    """A CodeableConcept's words: its text, else a coding's display, else a code."""
    concept = _dict(concept)
    text = _text(concept.get("text"))
    if text:
        return text
    codings = [_dict(c) for c in _list(concept.get("coding"))]
    return next((_text(c.get("display")) for c in codings if _text(c.get("display"))), "") or (
        next((_text(c.get("code")) for c in codings if _text(c.get("code"))), "")
    )


def _unit(quantity: dict[str, Any]) -> str:
    """A Quantity's unit: its UCUM code as electrocheck spells it, else its unit text."""
    code, system = quantity.get("code"), quantity.get("system")
    if type(code) is str and code in UCUM_UNITS and (system is None or system == UCUM):
        return UCUM_UNITS[code]  # the common case, first
    code = _text(code)
    if code and (system is None or system == UCUM):
        return UCUM_UNITS.get(code, code)
    return _text(quantity.get("unit")) or code


def _reference_range(ranges: object) -> str:
    """The normal reference range as the text a long CSV's range column holds."""
    for entry in map(_dict, _list(ranges)):
        if "type" in entry:
            kinds = {_text(_dict(c).get("code")) for c in _list(_dict(entry["type"]).get("coding"))}
            if kinds and not NORMAL_RANGE_CODES & kinds:
                continue  # a therapeutic or a recommended range is not the interval of a flag
        low, high = _dict(entry.get("low")), _dict(entry.get("high"))
        low_value, high_value = low.get("value"), high.get("value")
        if type(low_value) is not str or type(high_value) is not str:
            low_value, high_value = _text(low_value), _text(high_value)
        unit = _unit(low) if low_value else _unit(high) if high_value else ""
        after = f" {unit}" if unit else ""
        if low_value and high_value:
            return f"{low_value}-{high_value}{after}"
        if low_value:
            return f">={low_value}{after}"
        if high_value:
            return f"<={high_value}{after}"
        text = _text(entry.get("text"))
        if text:
            return text
    return ""


def _interpretation(concepts: object) -> str:
    """The lab's flag: the code of ``interpretation`` (HL7 v3 or v2), else its words."""
    for concept in map(_dict, _list(concepts)):
        codings = [_dict(c) for c in _list(concept.get("coding"))]
        for coding in codings:
            if coding.get("system") in INTERPRETATION_SYSTEMS and _text(coding.get("code")):
                return _text(coding.get("code"))
        words = _concept_text(concept)
        if words:
            return words
    return ""


def _effective(resource: dict[str, Any]) -> str:
    for name in ("effectiveDateTime", "effectiveInstant"):
        text = _text(resource.get(name))
        if text:
            return text
    period = _dict(resource.get("effectivePeriod"))
    return _text(period.get("start")) or _text(period.get("end"))


def _canonical(reference: str) -> str:
    """A reference as one key: ``http://host/fhir/Patient/1/_history/2`` is ``Patient/1``;
    ``urn:uuid:...`` and ``Patient/1`` stay as they are."""
    if "://" not in reference:
        return reference
    parts = reference.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def _key(resource: dict[str, Any], fallback: str) -> str:
    kind, ident = _text(resource.get("resourceType")), _text(resource.get("id"))
    return f"{kind}/{ident}" if kind and ident else fallback


# --------------------------------------------------------------------------- the rows


@dataclass(frozen=True)
class _Context:
    """What an Observation takes from the report or panel that lists it, where it has none."""

    subject: dict[str, Any] | None = None
    effective: str = ""
    specimen: dict[str, Any] | None = None
    report: str = ""
    container: dict[str, Any] | None = None  # whose contained resources "#id" names


_NONE = _Context()
#: A progress callback: bytes done, bytes in all.
Progress = Callable[[int, int], None]


class _Tables:
    """Turns resources into rows and counts what it saw."""

    def __init__(
        self,
        write: Callable[[list[str]], None],
        known: Callable[[str], str | None],
        checkpoint: Callable[[], None] | None = None,
    ) -> None:
        self.write = write
        self.known = known
        self.checkpoint = checkpoint  # called between NDJSON lines now and then
        self.summary = FhirSummary()
        # NDJSON: patients and specimens by key, as they are read; the keys of rows written
        # before their resource was read, and whether any such resource came later.
        self.patients: dict[str, tuple[str, str]] = {}
        self.specimens: dict[str, str] = {}
        self.waiting: set[str] = set()
        self.late = False
        # For each key some row waited for: how many rows were written when it was read.
        self.read_at: dict[str, int] = {}
        self.index: dict[str, dict[str, Any]] = {}  # the current Bundle's resources
        # NDJSON: Medications by key, and the medication rows that name one by reference
        # (their index in summary.medications, the key, where), resolved at the end.
        self.medicines: dict[str, list[str]] = {}
        self.pending: list[tuple[int, str, str]] = []

    # ----------------------------------------------------------------- resources

    def resource(self, resource: object, where: str, first: bool = False) -> None:
        """One top-level resource (an NDJSON line, or the whole file)."""
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            if first:
                kind = "an object" if isinstance(resource, dict) else type(resource).__name__
                kind = {"list": "a list", "str": "a string"}.get(kind, kind)
                raise InputError(
                    f"is JSON but not FHIR: {kind} without a resourceType ({where}); "
                    "electrocheck reads a FHIR Bundle, an Observation, or NDJSON of resources"
                )
            self.summary.problem("not_resource", where)
            return
        kind = resource["resourceType"]
        if first and kind not in R4_RESOURCE_TYPES:
            raise InputError(
                f"is JSON but not FHIR R4: resourceType {kind!r} ({where}) is no FHIR R4 "
                "resource; electrocheck reads a FHIR Bundle, an Observation, or NDJSON of them"
            )
        if not self._count(kind, where):
            return
        if kind == "Bundle":
            self.bundle(resource, where)
        elif kind == "Observation":
            self.observation(resource, _NONE, where)
        elif kind == "Patient":
            self._remember(f"Patient/{_text(resource.get('id'))}", resource, self.patients)
        elif kind == "Specimen":
            self._remember(f"Specimen/{_text(resource.get('id'))}", resource, self.specimens)
        elif kind in MEDICATION_TYPES:
            self.medication(resource, where)
        elif kind == "Medication":
            self.medicines[f"Medication/{_text(resource.get('id'))}"] = drug_names(
                resource.get("code")
            )
        elif kind == "OperationOutcome" and first:
            issues = [_dict(i) for i in _list(resource.get("issue"))]
            said = "; ".join(
                _text(i.get("diagnostics")) or _concept_text(i.get("details")) for i in issues
            )
            raise InputError(
                "is a FHIR OperationOutcome (a server's answer), not results"
                + (f": {said}" if said.strip("; ") else "")
            )

    def _count(self, kind: str, where: str) -> bool:
        if kind not in R4_RESOURCE_TYPES:
            self.summary.unknown_types[kind] += 1
            self.summary.problem("unknown_type", f"{kind!r} ({where})")
            return False
        self.summary.resources[kind] += 1
        return True

    def _remember(self, key: str, resource: dict[str, Any], into: dict[str, Any]) -> None:
        into[key] = (
            _patient_facts(resource)
            if into is self.patients
            else _concept_text(resource.get("type"))
        )
        if key in self.waiting:
            self.late = True
            self.read_at.setdefault(key, self.summary.rows)

    def bundle(self, bundle: dict[str, Any], where: str) -> None:
        """A Bundle: its entries indexed, then followed from reports and panels, then read."""
        self.summary.form = self.summary.form or f"Bundle ({_text(bundle.get('type')) or '?'})"
        entries: list[tuple[dict[str, Any], str]] = []
        outer, self.index = self.index, {}
        for number, entry in enumerate(_list(bundle.get("entry")), 1):
            entry = _dict(entry)
            here = f"entry {number} of the Bundle{'' if where == 'the file' else ' in ' + where}"
            resource = entry.get("resource")
            if not isinstance(resource, dict):
                self.summary.problem("no_resource", here)
                continue
            kind = resource.get("resourceType")
            if not isinstance(kind, str):
                self.summary.problem("not_resource", here)
                continue
            full = _text(entry.get("fullUrl"))
            if full:
                self.index[full] = resource
                self.index.setdefault(_canonical(full), resource)
            ident = _text(resource.get("id"))
            if ident:
                self.index.setdefault(f"{kind}/{ident}", resource)
            entries.append((resource, here))
        listed = {id(resource) for resource, _ in entries}
        contexts: dict[int, _Context] = {}
        contained: list[tuple[dict[str, Any], _Context, str]] = []
        for resource, here in entries:
            if resource["resourceType"] == "DiagnosticReport":
                context = _Context(
                    _dict(resource.get("subject")) or None,
                    _effective(resource),
                    next(iter(map(_dict, _list(resource.get("specimen")))), None),
                    _key(resource, here),
                    resource,
                )
                for reference in _list(resource.get("result")):
                    found = self._follow(reference, context, contexts, here)
                    if found is not None and id(found) not in listed:
                        contained.append((found, contexts[id(found)], here))
        for resource, here in entries:
            if resource["resourceType"] == "Observation":
                self._members(resource, contexts.get(id(resource), _NONE), contexts, here, set())
        done: set[int] = set()
        for resource, here in entries:
            kind = resource["resourceType"]
            if not self._count(kind, here):
                continue
            if kind == "Observation" and id(resource) not in done:
                done.add(id(resource))
                self.observation(resource, contexts.get(id(resource), _NONE), here)
            elif kind == "Bundle":
                self.bundle(resource, here)
            elif kind in MEDICATION_TYPES:
                self.medication(resource, here)
            for found, context, at in contained:
                if context.container is resource and id(found) not in done:
                    done.add(id(found))
                    self._count("Observation", at)
                    self.observation(found, context, f"{at}, contained")
        self.index = outer

    def _resolve(self, reference: object, *containers: dict[str, Any] | None) -> Any:
        """The resource a reference names: a contained one (``#id``) of the first container
        that has it, else one of the Bundle."""
        text = _text(_dict(reference).get("reference"))
        if not text:
            return None
        if text.startswith("#"):
            for container in containers:
                for inner in map(_dict, _list(_dict(container).get("contained"))):
                    if _text(inner.get("id")) == text[1:]:
                        return inner
            return None
        return self.index.get(text) or self.index.get(_canonical(text))

    def _follow(
        self, reference: object, context: _Context, contexts: dict[int, _Context], where: str
    ) -> dict[str, Any] | None:
        found = self._resolve(reference, context.container)
        if not isinstance(found, dict) or found.get("resourceType") != "Observation":
            shown = _text(_dict(reference).get("reference")) or "(no reference)"
            self.summary.problem("unresolved", f"{shown!r} ({where})")
            return None
        contexts.setdefault(id(found), context)
        return found

    def _members(
        self,
        panel: dict[str, Any],
        context: _Context,
        contexts: dict[int, _Context],
        where: str,
        seen: set[int],
    ) -> None:
        """A panel's members take its subject, time, specimen and report where they have none."""
        if id(panel) in seen or "hasMember" not in panel:
            return
        seen.add(id(panel))
        inherited = _Context(
            _dict(panel.get("subject")) or context.subject,
            _effective(panel) or context.effective,
            _dict(panel.get("specimen")) or context.specimen,
            context.report,
            context.container,
        )
        for reference in _list(panel.get("hasMember")):
            member = self._follow(reference, inherited, contexts, where)
            if member is not None:
                self._members(member, contexts[id(member)], contexts, where, seen)

    # ----------------------------------------------------------------- Observations

    def observation(self, obs: dict[str, Any], context: _Context, where: str) -> None:
        self.summary.observations += 1
        subject = _dict(obs.get("subject")) or context.subject or {}
        patient, birth, sex = self._patient(subject, obs, context.container)
        specimen = _dict(obs.get("specimen")) or context.specimen
        specimen_id, specimen_type = (
            self._specimen(specimen, obs, context.container) if specimen else ("", "")
        )
        collected = obs.get("effectiveDateTime")
        if type(collected) is not str:
            collected = _effective(obs)
        shared = [patient, birth, sex, collected or context.effective, specimen_id, specimen_type]
        name = _key(obs, where)
        components = _list(obs.get("component"))
        if (
            not _VALUE_KEYS.isdisjoint(obs)
            or "dataAbsentReason" in obs
            or not (components or "hasMember" in obs)
        ):
            self._row(obs, shared, name, context.report, where)
        else:
            self.summary.groupings += 1
        for number, component in enumerate(components, 1):
            self.summary.component_rows += 1
            self._row(_dict(component), shared, f"{name} component {number}", context.report, where)

    def _row(
        self, obs: dict[str, Any], shared: list[str], name: str, report: str, where: str
    ) -> None:
        notes = []
        code = _dict(obs.get("code"))
        loinc = ""
        for coding in _list(code.get("coding")):
            if type(coding) is dict and coding.get("system") == LOINC:
                loinc = _text(coding.get("code"))
                break
        test = (self.known(loinc) if loinc else None) or _concept_text(code) or loinc
        if not test:
            notes.append("no code: the test is not known")
            self.summary.problem("no_code", where)
        value = unit = ""
        quantity = obs.get("valueQuantity")
        if type(quantity) is dict:
            number = quantity.get("value")
            value = number if type(number) is str else _text(number)
            if "comparator" in quantity:
                value = _text(quantity["comparator"]) + value
            unit = _unit(quantity)
            if not value:
                notes.append("valueQuantity has no value")
            elif not unit:
                notes.append("valueQuantity has no unit")
                self.summary.problem("no_unit", where)
        elif "valueString" in obs:
            value = _text(obs["valueString"])
        elif "valueInteger" in obs:
            value = _text(obs["valueInteger"])
        elif "valueCodeableConcept" in obs:
            value = _concept_text(obs["valueCodeableConcept"])
        else:
            other = next((k for k in obs if k in _VALUE_KEYS), None)
            if other is not None:
                value = _text(obs[other]) or _concept_text(obs[other])
                notes.append(f"{other} is not a number")
        absent = ""
        if "dataAbsentReason" in obs:
            absent = _concept_text(obs["dataAbsentReason"]) or "given"
            self.summary.absent[absent] += 1
        elif not value and _VALUE_KEYS.isdisjoint(obs):
            notes.append("no value and no dataAbsentReason")
            self.summary.problem("no_value", where)
        if not shared[_BIRTH]:
            self.summary.rows_without_birth += 1
        self.summary.rows += 1
        self.write(
            [
                *shared,
                test,
                loinc,
                value,
                unit,
                _reference_range(obs["referenceRange"]) if "referenceRange" in obs else "",
                _interpretation(obs["interpretation"]) if "interpretation" in obs else "",
                absent,
                name,
                report,
                "; ".join(notes),
            ]
        )

    # ----------------------------------------------------------------- medicines

    def medication(self, resource: dict[str, Any], where: str) -> None:
        """A MedicationRequest or MedicationStatement: one row of the medication list."""
        patient = self._subject_key(_dict(resource.get("subject")), resource)
        names: list[str] = []
        pending = ""
        if "medicationCodeableConcept" in resource:
            names = drug_names(resource["medicationCodeableConcept"])
        elif "medicationReference" in resource:
            reference = _dict(resource["medicationReference"])
            text = _text(reference.get("reference"))
            found = self._resolve(reference, resource) if self.index or text[:1] == "#" else None
            if isinstance(found, dict) and found.get("resourceType") == "Medication":
                names = drug_names(found.get("code"))
            elif text and not self.index and text[0] != "#":
                pending = _canonical(text)  # a Medication of another NDJSON line
            else:
                self.summary.problem("unresolved", f"{text or '(no reference)'!r} ({where})")
        start, stop = times(resource)
        rows = self.summary.medications
        rows.append([patient, NAMES_SEPARATOR.join(names), start, stop, not_given(resource)])
        if pending:
            self.pending.append((len(rows) - 1, pending, where))

    def finish(self) -> None:
        """Give the medication rows of NDJSON the names of the Medications they refer to."""
        for index, key, where in self.pending:
            names = self.medicines.get(key)
            if names is None:
                self.summary.problem("unresolved", f"{key!r} ({where})")
            else:
                self.summary.medications[index][1] = NAMES_SEPARATOR.join(names)
        self.pending = []

    def join(self, later: PartRead) -> None:
        """Take in what was read of the lines after this one's (by another process): its
        counts, its patients, specimens and Medications (the later of two with one key, as
        one reading of the whole file ends with), and its medication rows still to be named.
        Rows are late as in one reading: this part's, where the later part read what they
        waited for; the later part's, where they waited for what neither part had read
        before them. (A later row that waited for what this part had read did not wait in
        one reading: see :func:`_complete`.)"""
        self.late = (
            self.late
            or any(key in later.patients or key in later.specimens for key in self.waiting)
            or any(k not in self.patients and k not in self.specimens for k in later.read_at)
        )
        offset = len(self.summary.medications)
        self.summary.add(later.summary)
        if later.lines:
            self.summary.form = "NDJSON"
        self.patients.update(later.patients)
        self.specimens.update(later.specimens)
        self.medicines.update(later.medicines)
        self.pending += [(index + offset, key, where) for index, key, where in later.pending]
        self.waiting |= later.waiting

    def _subject_key(self, subject: dict[str, Any], container: dict[str, Any]) -> str:
        """The patient a subject names, as :meth:`_patient` keys it (without waiting for its
        Patient: a medication row needs no birth date)."""
        text = _text(subject.get("reference"))
        if text and (self.index or text[0] == "#"):
            found = self._resolve(subject, container)
            if isinstance(found, dict) and found.get("resourceType") == "Patient":
                return _key(found, text)
        if text:
            return _canonical(text)
        ident = _dict(subject.get("identifier"))
        return _text(ident.get("value")) or _text(subject.get("display"))

    def _patient(self, subject: dict[str, Any], *containers: Any) -> tuple[str, str, str]:
        text = _text(subject.get("reference"))
        if not self.index and text and text[0] != "#":  # NDJSON: by the key alone
            key = _canonical(text)
            facts = self.patients.get(key)
            if facts is None:
                self.waiting.add(key)
                return key, "", ""
            return key, facts[0], facts[1]
        found = self._resolve(subject, *containers)
        if isinstance(found, dict) and found.get("resourceType") == "Patient":
            return (_key(found, text), *_patient_facts(found))
        if not text:
            ident = _dict(subject.get("identifier"))
            return _text(ident.get("value")) or _text(subject.get("display")), "", ""
        key = _canonical(text)
        if key in self.patients:
            return (key, *self.patients[key])
        self.waiting.add(key)
        return key, "", ""

    def _specimen(self, specimen: dict[str, Any], *containers: Any) -> tuple[str, str]:
        text = _text(specimen.get("reference"))
        if not text:
            return _text(_dict(specimen.get("identifier")).get("value")), ""
        found = self._resolve(specimen, *containers) if self.index or text[:1] == "#" else None
        if isinstance(found, dict) and found.get("resourceType") == "Specimen":
            return _key(found, text), _concept_text(found.get("type"))
        key = _canonical(text)
        if key in self.specimens:
            return key, self.specimens[key]
        self.waiting.add(key)
        return key, ""


@dataclass
class PartRead:
    """What was read of a part of an NDJSON file, for the reader of the lines before it."""

    lines: int  # not blank
    summary: FhirSummary
    patients: dict[str, tuple[str, str]]
    specimens: dict[str, str]
    waiting: set[str]
    read_at: dict[str, int]  # see _Tables.read_at
    medicines: dict[str, list[str]]
    pending: list[tuple[int, str, str]]
    parts: list[Path]  # its rows, as PartWriter wrote them
    heights: list[int]


def read_part(path: Path, start: int, known: Mapping[str, str], folder: Path) -> PartRead:
    """The lines of the uncompressed NDJSON file ``path`` from byte ``start`` (where a line
    begins) to its end, written as the parts ``part-*.arrow`` in ``folder``."""
    number = 0  # lines before the part, numbered as one reading of the file numbers them
    with TextStream(path, "the file", span=(0, start)) as stream:
        while block := stream.read(1 << 20):
            number += block.count(b"\n")
    write = PartWriter(folder, "part", HEADER)
    tables = _Tables(write.row, known.get, write.checkpoint)
    lines = read_lines(file_lines(path, "the file", None, span=(start, None)), tables, number)
    parts = write.close()
    return PartRead(
        lines,
        tables.summary,
        tables.patients,
        tables.specimens,
        tables.waiting,
        tables.read_at,
        tables.medicines,
        tables.pending,
        parts,
        write.heights,
    )


def _patient_facts(patient: dict[str, Any]) -> tuple[str, str]:
    """A Patient's birth date and sex (``other`` and ``unknown`` give none)."""
    return _text(patient.get("birthDate")), _SEXES.get(_text(patient.get("gender")), "")


# --------------------------------------------------------------------------- the file


def read_resources(lines: Iterator[bytes], tables: _Tables, shown: str, quick: bool = True) -> None:
    """Read a file's resources: NDJSON line by line, or one JSON document (a Bundle). Where
    ``quick`` and msgspec is installed, NDJSON lines of the common Observation's shape are
    read by :mod:`~electrocheck.formats.fhir_quick`, to the same rows."""
    first_line, number = first_content_line(lines)
    if not first_line:
        raise InputError(f"{shown} is empty")
    summary = tables.summary
    try:
        first = _loads(first_line)
    except (ValueError, RecursionError):
        # Not one resource on its line: one JSON document over many lines, read whole.
        try:
            first = _loads(first_line + b"".join(lines))
        except (ValueError, RecursionError) as exc:
            raise InputError(f"{shown} starts like JSON but is not: {_json_error(exc)}") from None
        _read_one(tables, first, "the file", first=True)
        summary.form = summary.form or _text(_dict(first).get("resourceType"))
        return
    _read_one(tables, first, f"line {number}", first=True)
    count = 1 + read_lines(lines, tables, number, quick)
    kind = _text(_dict(first).get("resourceType"))
    if count > 1 or kind != "Bundle":
        summary.form = "NDJSON" if count > 1 else kind


def read_lines(lines: Iterator[bytes], tables: _Tables, number: int, quick: bool = True) -> int:
    """Read NDJSON ``lines``, the first of them line ``number + 1`` of the file; how many
    were not blank."""
    summary = tables.summary
    count = 0
    decode = _DECODER.decode
    common = quick_reader(tables) if quick else None
    checkpoint = tables.checkpoint
    for line in lines:
        number += 1
        if not number & _CHECKPOINT_LINES and checkpoint is not None:
            checkpoint()
        if len(line) < 3 and not line.strip():
            continue
        count += 1
        if common is not None and common(line, number):
            continue
        try:
            resource = decode(line.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            summary.problem("not_json", f"line {number} ({_json_error(exc)})")
            continue
        _read_one(tables, resource, f"line {number}")
    return count


def _read_one(tables: _Tables, resource: object, where: str, first: bool = False) -> None:
    """One resource; content not of FHIR's shapes is counted, not a traceback (the rows
    written before the reading stopped stay, each whole)."""
    try:
        tables.resource(resource, where, first)
    except InputError:
        raise
    except _MALFORMED as exc:
        tables.summary.problem("unreadable", f"{where} ({type(exc).__name__}: {exc})"[:200])


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


#: Lines read between two checkpoints of the table written (one less than a power of two).
_CHECKPOINT_LINES = (1 << 11) - 1
#: Lines read between two calls of a progress callback.
_PROGRESS_EVERY = 1 << 15


def file_lines(
    path: Path,
    shown: str,
    compression: str | None,
    progress: Progress | None = None,
    span: tuple[int, int | None] = (0, None),
) -> Iterator[bytes]:
    """The lines of the file, or of the bytes ``span`` of an uncompressed one (progress is
    then told of the span's share of the file)."""
    with TextStream(path, shown, compression, span=span) as stream:
        lines = io.BufferedReader(StreamReader(stream), buffer_size=1 << 20)
        if progress is None:
            yield from lines
            return
        size = path.stat().st_size
        start, end = span[0], size if span[1] is None else span[1]
        for number, line in enumerate(lines):
            if not number % _PROGRESS_EVERY:
                progress((stream.position() - start) * size // max(end - start, 1), size)
            yield line
        progress(size, size)


@contextmanager
def fhir_table(
    path: Path,
    shown: str,
    compression: str | None,
    known: Mapping[str, str],
    progress: Progress | None = None,
) -> Iterator[tuple[Table, FhirSummary]]:
    """The FHIR file at ``path`` as a long table of :data:`HEADER` (temporary Arrow IPC files:
    see :mod:`~electrocheck.formats.parts`), and what it held; ``known[code]`` is the name
    of a LOINC code the reference file knows; ``progress(bytes_read, bytes_of_the_file)`` is
    called now and then as the file is read. A large NDJSON file is read by two processes
    (see :mod:`~electrocheck.formats.fhir_halves`), to the same rows. The files are removed
    when the block ends. Raises :class:`InputError` for JSON that is not FHIR, a file without
    any Observation, or compressed data that is damaged."""
    from electrocheck.formats.fhir_halves import second_half

    try:
        with (
            temporary_folder("fhir") as folder,
            second_half(path, compression, known, folder) as half,
        ):
            write = PartWriter(folder, "rows", HEADER)
            tables = _Tables(write.row, known.get, write.checkpoint)
            span = (0, None if half is None else half.start)
            read_resources(file_lines(path, shown, compression, progress, span), tables, shown)
            parts = write.close()
            heights = write.heights
            first = len(parts)  # this process's parts; the helper's follow
            earlier: _Earlier | None = None
            if half is not None:
                rest = half.result()
                earlier = _Earlier.of(tables, rest)
                tables.join(rest)
                tables.summary.helper_failure = half.failure
                parts, heights = parts + rest.parts, heights + rest.heights
            tables.finish()
            summary = tables.summary
            if not summary.observations:
                held = ", ".join(f"{k} {n:,}" for k, n in summary.resources.most_common(6))
                raise InputError(
                    f"{shown} is FHIR JSON without any Observation"
                    + (f" (it holds {held})" if held else "")
                )
            if tables.late or (earlier is not None and earlier.until):
                summary.rows_without_birth = _complete(parts[:first], tables, None)
                if earlier is not None:
                    summary.rows_without_birth += _complete(parts[first:], tables, earlier)
            yield parts_table(parts, heights, shown, "FHIR"), summary
    except InputError as exc:
        message = str(exc)
        if message.startswith("is "):
            raise InputError(f"{shown} {message}") from None
        raise


@dataclass
class _Earlier:
    """What the lines before a later part had read, for the later part's rows that waited
    for it: in one reading of the file those rows did not wait, but were written with the
    Patient or Specimen read last before them."""

    patients: dict[str, tuple[str, str]]
    specimens: dict[str, str]
    #: For each key of those, the later part's rows before this index (from 0) waited for it.
    until: dict[str, int]

    @classmethod
    def of(cls, tables: _Tables, later: PartRead) -> _Earlier:
        known = [k for k in later.waiting if k in tables.patients or k in tables.specimens]
        never = 1 << 62  # a key the later part never read: all its rows of it waited
        return cls(
            dict(tables.patients),
            dict(tables.specimens),
            {k: later.read_at.get(k, never) for k in known},
        )


def _complete(parts: list[Path], tables: _Tables, earlier: _Earlier | None) -> int:
    """Give the rows that waited for their Patient or Specimen its facts, as one reading of
    the file gives them, and count the rows still without a birth date.

    ``earlier`` (for the parts a later process read): its rows that waited for what the lines
    before had read take the facts read last there. Then, where any row waited for what was
    read after it (``tables.late``), every row without a birth date (without a specimen type)
    whose Patient (Specimen) was read takes the last one read."""
    patient, birth = pl.col("patient"), pl.col("birth_date")
    specimen, kind = pl.col("specimen_id"), pl.col("specimen_type")
    steps: list[list[pl.Expr]] = []
    row = pl.col("k_row")
    if earlier is not None and earlier.until:
        keys, until = list(earlier.until), list(earlier.until.values())
        facts = {k: earlier.patients[k] for k in keys if k in earlier.patients}
        kinds = {k: earlier.specimens[k] for k in keys if k in earlier.specimens}
        # Whether the row was written before the later part read its Patient (Specimen).
        before = row < patient.replace_strict(keys, until, default=0, return_dtype=pl.Int64)
        ahead = row < specimen.replace_strict(keys, until, default=0, return_dtype=pl.Int64)
        waited = before & patient.is_in(list(facts))
        untyped_then = ahead & specimen.is_in(list(kinds))
        steps.append(_facts_filled(waited, facts, untyped_then, kinds))
    if tables.late:
        unknown = birth.is_null() & patient.is_in(list(tables.patients))
        untyped = kind.is_null() & specimen.is_in(list(tables.specimens))
        steps.append(_facts_filled(unknown, tables.patients, untyped, tables.specimens))
    if not steps:  # nothing to complete: the rows as written
        return sum(pl.scan_ipc(part).select(birth.null_count()).collect().item() for part in parts)
    without, start = 0, 0
    for part in parts:
        # Written beside, then moved over it: polars may map the file it reads into memory.
        done = part.with_name(f"{part.stem}-done.arrow")
        frame = pl.read_ipc(part)
        height = frame.height
        frame = frame.with_columns((pl.int_range(height, dtype=pl.Int64) + start).alias("k_row"))
        for step in steps:
            frame = frame.with_columns(step)
        frame = frame.drop("k_row")
        without += frame["birth_date"].null_count()
        frame.write_ipc(done, compat_level=pl.CompatLevel.oldest())
        os.replace(done, part)
        start += height
    return without


def _facts_filled(
    patient_rows: pl.Expr,
    patients: Mapping[str, tuple[str, str]],
    specimen_rows: pl.Expr,
    specimens: Mapping[str, str],
) -> list[pl.Expr]:
    """The birth date and sex of ``patient_rows`` from ``patients``, and the specimen type
    of ``specimen_rows`` from ``specimens``, by each row's key."""
    patient, specimen = pl.col("patient"), pl.col("specimen_id")
    return [
        _filled(patient_rows, patient, patients, 0, pl.col("birth_date")),
        _filled(patient_rows, patient, patients, 1, pl.col("sex")),
        _filled(specimen_rows, specimen, specimens, None, pl.col("specimen_type")),
    ]


def _filled(
    where: pl.Expr, key: pl.Expr, found: Mapping[str, Any], at: int | None, column: pl.Expr
) -> pl.Expr:
    """``column``, where ``where`` holds the value ``found`` gives for its row's ``key`` (item
    ``at`` of it, where it is a tuple; an empty text as null)."""
    values = [(v if at is None else v[at]) or None for v in found.values()]
    got = key.replace_strict(list(found), values, default=None, return_dtype=pl.String)
    return pl.when(where).then(got).otherwise(column).alias(column.meta.output_name())


def write_table(
    source: IO[bytes] | Iterator[bytes],
    out: IO[str],
    known: Callable[[str], str | None],
    quick: bool = True,
) -> FhirSummary:
    """Write FHIR JSON (its lines) as the long table to ``out``, a CSV file; for tests and
    the API (``quick=False`` reads every line with the general code: see
    :func:`read_resources`)."""
    write = row_writer(out)
    write(list(HEADER))
    tables = _Tables(write, known)
    read_resources(iter(source), tables, "the input", quick)
    tables.finish()
    return tables.summary


__all__ = [
    "HEADER",
    "PROBLEMS",
    "FhirSummary",
    "fhir_table",
    "file_lines",
    "read_lines",
    "read_resources",
    "write_table",
]
