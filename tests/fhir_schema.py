"""Reading FHIR output back, and holding every resource of it to the FHIR schema (shared by the
tests of FHIR output; pytest puts this folder on sys.path).

The schema is that of ``fhir.resources`` (a test dependency, never a runtime one). Its 8.x
releases model FHIR R5 by default, and R4B and STU3 beside it, not R4 itself: R4B (4.3) is R4
(4.0.1) with the medication-definition resources remade, and its Observation, Bundle,
OperationOutcome and data types are R4's, so it is R4B's models that check the output.
"""

from __future__ import annotations

import json
from typing import Any

import pytest


def resources_of(text: str) -> list[dict[str, Any]]:
    """The resources of FHIR output: a Bundle's entries (the Bundle checked too), or the
    lines of NDJSON; each checked against the schema."""
    if text.startswith('{"resourceType":"Bundle"'):
        bundle = json.loads(text)
        valid(bundle)
        found = [entry["resource"] for entry in bundle.get("entry", [])]
    else:
        found = [json.loads(line) for line in text.splitlines()]
    for resource in found:
        valid(resource)
    return found


def valid(resource: dict[str, Any]) -> None:
    """Raises where ``resource`` is not a valid FHIR R4 resource of its type."""
    models = pytest.importorskip("fhir.resources.R4B")
    models.get_fhir_model_class(resource["resourceType"]).model_validate(resource)
