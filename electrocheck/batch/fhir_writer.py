"""FHIR R4 output of a batch: interpreted Observations, in a Bundle or as NDJSON.

Each processed row is made into its JSON Lines object first (:func:`~electrocheck.batch.
jsonl.json_line`: the same results, patterns and notes), and from it:

* **FHIR input**: the row's own Observation, found again in the input
  (:class:`~electrocheck.formats.fhir_originals.Originals`) and written as it was, with the
  interpretation added (see :mod:`electrocheck.formats.fhir_output`); a component's row
  interprets its component. Resources no row names (a ``Patient``, a report) are written as
  they were, where they stood, so the output holds everything the input held.
* **Other input**: an Observation for each result of the row: LOINC code, the value in
  mmol/L (UCUM), the patient (``subject.identifier``), the collection time and the specimen
  where the file has columns for them.
* A row whose value (or any cell) could not be read, or that gave no result at all, is
  never dropped: a FHIR Observation is written with its errors as notes; a row of another
  input gets an ``OperationOutcome`` that says what it held and why it gave no result.
* A corrected result (an added row, or a wide row's ``corrected_calcium``) is a new
  Observation, ``derivedFrom`` the Observation it corrects.

Resources are written as they are made: NDJSON one per line, a Bundle entry by entry into
the run's temporary output, so memory stays flat (a Bundle input itself is held whole, as
its reading held it).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl

from electrocheck.batch.columns import name_prefix
from electrocheck.batch.jsonl import json_line
from electrocheck.batch.layout import Layout
from electrocheck.formats.fhir_originals import Item, Originals, split_name
from electrocheck.formats.fhir_output import (
    LABORATORY,
    RESULT_CODES,
    Fragments,
    Sink,
    add_notes,
    full_url,
    interpret,
    mmol_quantity,
    outcome,
    resource_id,
    result_notes,
)
from electrocheck.formats.fhir_types import LOINC
from electrocheck.reference import Reference
from electrocheck.reference.model import LoincCode

#: Rows made into resources at a time.
_ROWS = 2048
#: FHIR's dateTime: a time of day needs its zone.
_DATETIME = re.compile(
    r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])"
    r"(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?"
)


@dataclass(frozen=True)
class FhirSource:
    """The FHIR file a run read (before it became a table), for writing its resources back."""

    path: Path
    shown: str
    compression: str | None


@dataclass
class FhirOutput:
    """What FHIR output held: its form, and the resources written, by type."""

    form: str  # "bundle" or "ndjson"
    kinds: dict[str, int] = field(default_factory=dict)
    derived: int = 0  # Observations of corrected results
    outcomes: int = 0  # OperationOutcomes of rows that gave no result or had errors

    def line(self) -> str:
        """One line of the run's summary."""
        total = sum(self.kinds.values())
        parts = []
        for kind, count in sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0])):
            text = f"{kind} {count:,}"
            if kind == "Observation" and self.derived:
                text += f" ({self.derived:,} of corrected results)"
            if kind == "OperationOutcome":
                text += " (rows without a result, or with errors)"
            parts.append(text)
        form = "a Bundle" if self.form == "bundle" else "NDJSON"
        return f"  FHIR output: {form} of {total:,} resources: " + ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": self.form,
            "resources": dict(sorted(self.kinds.items())),
            "corrected_results": self.derived,
            "outcomes": self.outcomes,
        }


@dataclass
class _Pending:
    """An Observation being written: its rows (itself, its components) and what derives
    from it come one after the other; it is written once the next one starts."""

    resource: dict[str, Any]
    url: str | None
    derived: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    components: set[int] = field(default_factory=set)


class FhirWriter:
    """Writes processed batches as FHIR resources: see the module."""

    def __init__(
        self,
        handle: IO[bytes],
        keys: list[str],
        layout: Layout,
        reference: Reference,
        form: str,
        source: FhirSource | None = None,
    ) -> None:
        self.layout = layout
        self.reference = reference
        self.parts = Fragments()
        self.sink = Sink(handle, form, self.parts)
        self.bundle = form == "bundle"
        self.line = json_line(layout, keys)
        prefix = name_prefix(layout)
        self.named = {
            key: prefix + key
            for key in (
                "results",
                "errors",
                "patterns",
                "pattern_notes",
                "row_kind",
                "source_row",
                "panel_notes",
                "change_notes",
            )
        }
        self.fields = dict(zip(layout.header, keys, strict=True))
        self.keys = keys
        self.originals = (
            None if source is None else Originals(source.path, source.shown, source.compression)
        )
        self.prefix = prefix
        self.pending: _Pending | None = None
        self.output = FhirOutput(form)
        # The Observations of the last input row, by analyte: what its corrections derive from.
        self.sources: dict[str, tuple[dict[str, Any], str | None]] = {}
        self.rows = 0
        self.codes = _LoincCodes(reference)
        # Each pattern's analytes, for the patterns of a wide row's results.
        self.pattern_analytes = {
            p.id: {key for key, _ in p.when}
            for p in (*reference.patterns, *reference.specimen_patterns)
        }
        # Patterns judged on the values as measured (and those of a sign of the specimen):
        # a measured result's, never a corrected one's.
        self.on_measured = {p.id for p in reference.patterns if p.measured} | {
            p.id for p in reference.specimen_patterns
        }

    # ----------------------------------------------------------------- the batches

    def write(self, result: pl.DataFrame) -> None:
        for start in range(0, result.height, _ROWS):
            lines = result.slice(start, _ROWS).select(self.line).to_series()
            for line in lines:
                self._row(json.loads(line))

    def finish(self) -> None:
        self._flush()
        if self.originals is not None:
            for item in self.originals.rest():
                self.sink.write(item.resource, item.url)
        self.sink.finish()
        self.output.kinds = dict(self.sink.kinds)

    def close(self) -> None:
        if self.originals is not None:
            self.originals.close()

    # ----------------------------------------------------------------- one row

    def _row(self, row: dict[str, Any]) -> None:
        named = self.named
        added = row.get(named["row_kind"]) == "added"
        if not added:
            self.rows += 1
        number = row.get(named["source_row"]) or self.rows
        results = row.get(named["results"]) or []
        patterns = row.get(named["patterns"]) or []
        if added:
            for result in results:
                self._derived(result, row, number, patterns)
            return
        self.sources = {}
        name = self._field(row, "observation") if self.originals is not None else None
        item, component = self._original(name) if name else (None, 0)
        if item is not None:
            self._interpret_original(item, component, row, results, patterns)
            return
        self._flush()
        # The analytes a corrected result stands in for (one was made: it has a flag).
        stood_in = {
            correction.corrects
            for result in results
            if (correction := self.reference.corrections.get(result["analyte"])) is not None
            and result.get("flag") is not None
        }
        for result in results:
            mine = self._row_patterns(patterns, result, stood_in)
            if result["analyte"] in self.reference.corrections:
                self._derived(result, row, number, mine)
            else:
                self._built(result, row, number, mine)
        errors = row.get(named["errors"]) or []
        if errors or not results:
            self.output.outcomes += 1
            self.sink.write(*self._outcome(row, number, errors, bool(results)))

    def _field(self, row: dict[str, Any], header_name: str) -> Any:
        key = self.fields.get(header_name)
        return None if key is None else row.get(key)

    def _row_patterns(
        self, patterns: list[str], result: dict[str, Any], stood_in: set[str]
    ) -> list[str]:
        """A wide row's patterns are the row's: each result takes those of its analyte that
        it decides, as a long panel's rows do. A corrected result decides for the analyte it
        corrects, but for the patterns judged on the values as measured; a measured result a
        corrected one stands in for (an analyte of ``stood_in``) decides those alone."""
        if self.layout.kind != "wide":
            return patterns
        analyte = result["analyte"]
        correction = self.reference.corrections.get(analyte)
        if correction is not None:
            analyte = correction.corrects
            patterns = [p for p in patterns if p not in self.on_measured]
        elif analyte in stood_in:
            patterns = [p for p in patterns if p in self.on_measured]
        return [p for p in patterns if analyte in self.pattern_analytes.get(p, ())]

    def _notes(self, row: dict[str, Any], result: dict[str, Any] | None) -> list[str]:
        named = self.named
        notes = [] if result is None else result_notes(result)
        for key in ("pattern_notes", "change_notes", "panel_notes"):
            notes += [str(n) for n in row.get(named[key]) or []]
        notes += [f"not interpreted: {e}" for e in row.get(named["errors"]) or []]
        return notes

    # ----------------------------------------------------------------- FHIR input

    def _original(self, name: str) -> tuple[Item | None, int]:
        assert self.originals is not None
        base, component = split_name(str(name))
        pending = self.pending
        item = self.originals.find(base)
        if item is not None and item.taken:
            # Written already, or this row's component done: a second resource of the name.
            open_now = pending is not None and pending.resource is item.resource
            if not open_now or pending is None or component in pending.components:
                item = self.originals.find(base, later=True)
        return item, component

    def _interpret_original(
        self,
        item: Item,
        component: int,
        row: dict[str, Any],
        results: list[dict[str, Any]],
        patterns: list[str],
    ) -> None:
        assert self.originals is not None
        if self.pending is None or self.pending.resource is not item.resource:
            self._flush()
            for passed in self.originals.take_passed():
                self.sink.write(passed.resource, passed.url)
            item.taken = True
            resource = item.resource
            resource.setdefault("status", "final")
            if not isinstance(resource.get("code"), dict):
                resource["code"] = {"text": "(no code)"}
            if not isinstance(resource.get("id"), str):
                resource["id"] = resource_id(f"ec-{self._field(row, 'observation')}")
            url = item.url or (full_url(f"Observation/{resource['id']}") if self.bundle else None)
            self.pending = _Pending(resource, url)
        pending = self.pending
        pending.components.add(component)
        resource = pending.resource
        target: Any = resource
        if component:
            parts = resource.get("component")
            target = parts[component - 1] if isinstance(parts, list) else None
        result = results[0] if results else None
        if result is not None and isinstance(target, dict):
            interpret(target, result, patterns, self.parts)
            self.sources[result["analyte"]] = (resource, pending.url)
        notes = self._notes(row, result)
        notes += [f"read: {n}" for n in str(self._field(row, "fhir_notes") or "").split("; ") if n]
        if component:
            notes = [f"component {component}: {n}" for n in notes]
        add_notes(resource, notes, self.parts)

    def _flush(self) -> None:
        pending, self.pending = self.pending, None
        if pending is None:
            return
        self.sink.write(pending.resource, pending.url)
        for resource, url in pending.derived:
            self.sink.write(resource, url)

    # ----------------------------------------------------------------- built

    def _built(
        self, result: dict[str, Any], row: dict[str, Any], number: int, patterns: list[str]
    ) -> None:
        name = f"row-{number}-{result['analyte']}"
        test = self._test_text(row, result)
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id(name),
            "status": "final",
            "category": copy.deepcopy(LABORATORY),
            "code": self.codes.concept(result["analyte"], test),
        }
        context, said = self._context(row)
        resource.update(context)
        resource["valueQuantity"] = mmol_quantity(result["value"], result.get("censored"))
        interpret(resource, result, patterns, self.parts)
        notes = [*said, *self._notes(row, result)]
        if result.get("entered_unit"):
            notes.insert(0, f"as entered: {result.get('input')} ({result['entered_unit']})")
        add_notes(resource, notes, self.parts)
        url = full_url(name) if self.bundle else None
        self.sink.write(resource, url)
        self.sources[result["analyte"]] = (resource, url)

    def _derived(
        self, result: dict[str, Any], row: dict[str, Any], number: int, patterns: list[str]
    ) -> None:
        analyte = result["analyte"]
        correction = self.reference.corrections.get(analyte)
        label = correction.label if correction is not None else analyte
        corrects = correction.corrects if correction is not None else ""
        source = self.sources.get(corrects)
        # Named after the Observation it corrects where that has an id of the input's own.
        own = source[0].get("id") if source is not None and self.originals is not None else None
        name = f"{own}-{analyte}" if isinstance(own, str) else f"row-{number}-{analyte}"
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": resource_id(name),
            "status": "final",
            "category": copy.deepcopy(LABORATORY),
            "code": {"coding": [{"system": RESULT_CODES, "code": analyte, "display": label}]},
        }
        context = self._context(row)[0]  # an added row has its panel's patient, time, specimen
        if source is not None:  # the corrected Observation's own, where it has them
            original = source[0]
            if "subject" in original:
                context["subject"] = original["subject"]
            if "specimen" in original:
                context["specimen"] = original["specimen"]
            for key in ("effectiveDateTime", "effectivePeriod", "effectiveInstant"):
                if key in original:
                    context.pop("effectiveDateTime", None)
                    context[key] = original[key]
        resource.update(copy.deepcopy(context))
        resource["valueQuantity"] = mmol_quantity(result["value"], result.get("censored"))
        if source is not None:
            reference = source[1] or f"Observation/{source[0].get('id')}"
            resource["derivedFrom"] = [{"reference": reference}]
        interpret(resource, result, patterns, self.parts)
        add_notes(resource, self._notes(row, result), self.parts)
        url = full_url(name) if self.bundle else None
        self.output.derived += 1
        pending = self.pending
        if source is not None and pending is not None and source[0] is pending.resource:
            pending.derived.append((resource, url))  # written after the Observation it corrects
        else:
            self.sink.write(resource, url)

    def _test_text(self, row: dict[str, Any], result: dict[str, Any]) -> str:
        layout = self.layout
        if layout.kind == "long" and layout.long is not None and layout.long.tests:
            value = row.get(self.keys[layout.long.tests[0]])
            if value:
                return str(value)
        analyte = self.reference.analytes.get(result["analyte"])
        return analyte.label if analyte is not None else str(result["analyte"])

    def _context(self, row: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """subject, effective time and specimen, where the file has columns for them; and a
        note where the time could not be written as it was."""
        found: dict[str, Any] = {}
        notes: list[str] = []
        panels = self.layout.panels
        if panels is None:
            return found, notes
        keys = self.keys
        if panels.patient is not None and row.get(keys[panels.patient]):
            found["subject"] = _reference(str(row[keys[panels.patient]]))
        if panels.time is not None and row.get(keys[panels.time]):
            written = str(row[keys[panels.time]]).strip()
            if panels.clock is not None and row.get(keys[panels.clock]):
                written += f" {row[keys[panels.clock]]}"
            if _DATETIME.fullmatch(written):
                found["effectiveDateTime"] = written
            else:
                # FHIR needs a time zone with a time of day: the date alone, and a note.
                panel_time = row.get(self.prefix + "panel_time")
                if panel_time and _DATETIME.fullmatch(str(panel_time)[:10]):
                    found["effectiveDateTime"] = str(panel_time)[:10]
                notes.append(f"collected {written!r} (as written; FHIR needs a time zone)")
        specimen: dict[str, Any] = {}
        if panels.specimen is not None and row.get(keys[panels.specimen]):
            specimen = _reference(str(row[keys[panels.specimen]]))
        kind = self.layout.specimen
        if kind is not None and row.get(keys[kind]):
            specimen["display"] = str(row[keys[kind]])
        if specimen:
            found["specimen"] = specimen
        return found, notes

    def _outcome(
        self, row: dict[str, Any], number: int, errors: list[str], made: bool
    ) -> tuple[dict[str, Any], str | None]:
        name = f"row-{number}-outcome"
        fields = ", ".join(
            f"{header}={row.get(key)!r}"
            for header, key in zip(self.layout.header, self.keys, strict=True)
            if row.get(key) not in (None, "")
        )
        issues = [("error", "invalid", f"row {number}: {error}") for error in errors]
        if not made and not errors:
            issues.append(
                (
                    "information",
                    "informational",
                    f"row {number} gave no result electrocheck interprets ({fields or 'empty'})",
                )
            )
        elif errors:
            issues.append(("information", "informational", f"row {number} held: {fields}"))
        return outcome(name, issues), (full_url(name) if self.bundle else None)


class _LoincCodes:
    """The LOINC code of a result written in mmol/L: the one the row names where it is of
    moles per volume (or the same test's, of mass named), else the analyte's first of moles
    per volume in the reference file."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.cache: dict[tuple[str, str], dict[str, Any]] = {}

    def concept(self, analyte: str, test: str) -> dict[str, Any]:
        key = (analyte, test)
        if key not in self.cache:
            self.cache[key] = self._concept(analyte, test)
        return copy.deepcopy(self.cache[key])

    def _concept(self, analyte: str, test: str) -> dict[str, Any]:
        entry = self.reference.analytes.get(analyte)
        codes = entry.loinc_codes if entry is not None else ()
        by_name = {c.name: c for c in codes if c.name}
        folded = test.strip().casefold()
        named = next((c for c in codes if folded in _names(c)), None)
        if named is not None and named.name and "[Mass/volume]" in named.name:
            named = by_name.get(named.name.replace("[Mass/volume]", "[Moles/volume]"))
        if named is None or not named.name or "[Moles/volume]" not in named.name:
            named = next((c for c in codes if c.name and "[Moles/volume]" in c.name), None)
        concept: dict[str, Any] = {}
        if named is not None:
            coding = {"system": LOINC, "code": named.code}
            if named.name:
                coding["display"] = named.name
            concept["coding"] = [coding]
        concept["text"] = test
        return concept


#: A FHIR reference as the reading of FHIR input writes it (``Patient/7``, ``urn:uuid:...``).
_REFERENCE = re.compile(r"[A-Z][A-Za-z]+/[A-Za-z0-9.-]{1,64}|urn:uuid:[0-9a-fA-F-]{36}")


def _reference(text: str) -> dict[str, Any]:
    """A patient or specimen column's cell: a reference where it is one (FHIR input), else
    an identifier (a CSV's ``mrn``)."""
    if _REFERENCE.fullmatch(text):
        return {"reference": text}
    return {"identifier": {"value": text}}


def _names(code: LoincCode) -> set[str]:
    return {code.code.casefold(), (code.name or "").casefold(), (code.short or "").casefold()}


__all__ = ["FhirOutput", "FhirSource", "FhirWriter"]
