"""FHIR R4 ``MedicationRequest`` and ``MedicationStatement`` read as the rows of a medication
list: the patient, the names the drug goes by, and when it started and stopped.

The batch run joins these rows to the results exactly as it joins a medication list given
with ``--medications`` (see :mod:`electrocheck.batch.medications`); nothing is decided here
but what each resource says:

* the patient: ``subject``, as an Observation's subject is read (``Patient/7``);
* the drug: ``medicationCodeableConcept``, or the ``code`` of the ``Medication`` that
  ``medicationReference`` names (contained, in the Bundle, or on another NDJSON line): its
  ``text``, then each coding's ``display``, then the ``code`` of each coding of RxNorm or ATC
  (or of no system): an RxNorm ingredient or ATC code the reference file gives its medicines.
  The first name the reference file knows is used. A code of another system (SNOMED CT, a
  local list) is not tried: its digits could be another medicine's RxNorm code;
* start and stop: a ``MedicationStatement``'s ``effectivePeriod`` (``start``, ``end``), or its
  ``effectiveDateTime`` as the start; a ``MedicationRequest``'s first
  ``dosageInstruction[].timing.repeat.boundsPeriod``, its ``authoredOn`` standing for a start
  the period does not give;
* not given: a statement ``entered-in-error``, ``not-taken`` or ``intended``; a request
  ``cancelled``, ``entered-in-error`` or ``draft``, one whose ``intent`` is ``proposal``,
  ``plan`` or ``option``, or one marked ``doNotPerform``. Such a row is kept, to be counted
  as left out, never joined.
"""

from __future__ import annotations

from typing import Any

#: The resources that are rows of the medication list.
MEDICATION_TYPES = ("MedicationRequest", "MedicationStatement")
#: Statuses of a resource whose medicine was not given (the row is counted, never joined).
NOT_GIVEN = {
    "MedicationStatement": frozenset({"entered-in-error", "not-taken", "intended"}),
    "MedicationRequest": frozenset({"cancelled", "entered-in-error", "draft"}),
}
#: Statuses of a resource whose medicine is no longer given.
ENDED = frozenset({"stopped", "completed"})
#: Intents of a request that orders nothing yet.
NOT_ORDERED = frozenset({"proposal", "plan", "option"})
#: How the names a drug goes by are joined in one cell of the list (never in a name).
NAMES_SEPARATOR = "\x1f"
#: Before a name that is a code of a known system: only such a name is looked up among the
#: reference file's codes (a text's digits could be another medicine's RxNorm code).
CODE_MARK = "\x1e"
#: The code systems whose codes are tried as a drug's codes (RxNorm, WHO ATC); a coding
#: without a system is not: its code may be a local one whose digits an RxNorm code shares.
CODE_SYSTEMS = frozenset({"http://www.nlm.nih.gov/research/umls/rxnorm", "http://www.whocc.no/atc"})


def _dict(value: object) -> dict[str, Any]:
    return value if type(value) is dict else {}


def _list(value: object) -> list[Any]:
    return value if type(value) is list else []


def _text(value: object) -> str:
    return value.strip() if type(value) is str else ""


def drug_names(concept: object) -> list[str]:
    """The names a CodeableConcept gives a drug, in the order they are tried: its text, each
    coding's display, the code of each coding of RxNorm or ATC, marked as a code with
    :data:`CODE_MARK` (duplicates once)."""
    concept = _dict(concept)
    codings = [_dict(c) for c in _list(concept.get("coding"))]
    names = [_text(concept.get("text"))]
    names += [_text(c.get("display")) for c in codings]
    names += [
        CODE_MARK + code for c in codings if _code_is_tried(c) and (code := _text(c.get("code")))
    ]
    return list(
        dict.fromkeys(n for n in names if n and NAMES_SEPARATOR not in n and CODE_MARK not in n[1:])
    )


def _code_is_tried(coding: dict[str, Any]) -> bool:
    """Whether a coding's code is one the reference file may give a medicine."""
    return _text(coding.get("system")) in CODE_SYSTEMS


def times(resource: dict[str, Any]) -> tuple[str, str]:
    """A resource's start and stop, as written (empty where it gives none). A medicine whose
    status says it ended (``stopped``, ``completed``) without an end date ends when the
    statement was made (``dateAsserted``), else on its start's day: left open, a diuretic
    stopped years ago would explain every later result."""
    start, stop = _given_times(resource)
    if not stop and _text(resource.get("status")) in ENDED:
        stop = _text(resource.get("dateAsserted")) or start
    return start, stop


def _given_times(resource: dict[str, Any]) -> tuple[str, str]:
    if resource.get("resourceType") == "MedicationStatement":
        period = _dict(resource.get("effectivePeriod"))
        if period:
            return _text(period.get("start")), _text(period.get("end"))
        return _text(resource.get("effectiveDateTime")), ""
    start = stop = ""
    for dosage in map(_dict, _list(resource.get("dosageInstruction"))):
        bounds = _dict(_dict(_dict(dosage.get("timing")).get("repeat")).get("boundsPeriod"))
        if bounds:
            start, stop = _text(bounds.get("start")), _text(bounds.get("end"))
            break
    return start or _text(resource.get("authoredOn")), stop


def not_given(resource: dict[str, Any]) -> bool:
    """Whether the resource says its medicine was not given (or not yet ordered)."""
    kind = resource.get("resourceType")
    if _text(resource.get("status")) in NOT_GIVEN.get(str(kind), frozenset()):
        return True
    if kind == "MedicationRequest":
        return resource.get("doNotPerform") is True or _text(resource.get("intent")) in NOT_ORDERED
    return False


__all__ = [
    "CODE_MARK",
    "CODE_SYSTEMS",
    "ENDED",
    "MEDICATION_TYPES",
    "NAMES_SEPARATOR",
    "NOT_GIVEN",
    "NOT_ORDERED",
    "drug_names",
    "not_given",
    "times",
]
