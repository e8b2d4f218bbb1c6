"""The same results written in every input format ``batch`` reads get the same answers.

One drawn set of results (several patients, each electrolyte in its usual units, albumin and
glucose beside them, values from below the critical low to above the critical high and every
limit of the reference file exactly, censored values, the lab's own limits, collection times
over five days) is written as a long CSV, a FHIR R4 Bundle, FHIR Bulk NDJSON, HL7 v2 ORU^R01
messages and an OMOP MEASUREMENT table in Parquet. Each is interpreted, and every result must
get the same flag, grade, notes, corrected values, patterns and changes over time in each.
The rows are matched by patient, test and collection time, since each format has columns of
its own; what the formats add beyond their own columns must be equal, field by field.

The common ground of the five formats, to which the results are held:

* no flag of the lab's own: an OMOP MEASUREMENT row has no column for one;
* the lab's limits as both a low and a high or none (OMOP's ``range_low`` and
  ``range_high``): a one-sided range (``<5.1``) is text OMOP has no place for;
* the patient's date of birth and sex are columns joined to the MEASUREMENT table from
  PERSON (``birth_datetime``, and ``sex`` as a word: OMOP's gender concept ids are not read);
* one LOINC code per test, the one with an OMOP standard concept, whatever the unit;
* a whole number written with its point (``100.0``): ``value_as_number`` is a double, read
  as the text ``100.0``, and the note of a corrected result quotes its covariate as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from batch_files import jsonl_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck import BatchOptions, run_batch
from electrocheck.formats.fhir import HEADER as FHIR_HEADER
from electrocheck.formats.hl7v2 import HEADER as HL7_HEADER
from electrocheck.reference import load_reference
from electrocheck.units.resolve import resolve_unit

REFERENCE = load_reference()
UCUM = "http://unitsofmeasure.org"

#: Each test: its LOINC code (with an OMOP concept), and the units it is drawn in, each with
#: its UCUM code.
TESTS = {
    "potassium": ("2823-3", {"mmol/L": "mmol/L", "mEq/L": "meq/L"}),
    "sodium": ("2951-2", {"mmol/L": "mmol/L", "mEq/L": "meq/L"}),
    "calcium": ("17861-6", {"mg/dL": "mg/dL", "mmol/L": "mmol/L", "mEq/L": "meq/L"}),
    "magnesium": ("19123-9", {"mg/dL": "mg/dL", "mmol/L": "mmol/L", "mEq/L": "meq/L"}),
    "albumin": ("1751-7", {"g/dL": "g/dL", "g/L": "g/L"}),
    "glucose": ("2345-7", {"mg/dL": "mg/dL", "mmol/L": "mmol/L"}),
}
#: Each LOINC code's OMOP concept, and the unit concepts of the reference file.
CONCEPTS = {
    code.code: code.omop
    for record in (*REFERENCE.analytes.values(), *REFERENCE.covariates.values())
    for code in record.loinc_codes
    if code.omop is not None
}
UNIT_CONCEPTS = {spelling: concept for concept, spelling in REFERENCE.omop_units.items()}
#: The covariates' values: (lowest, highest) drawn in each unit, and the pivots of the
#: corrections (where the correction is zero).
COVARIATE_VALUES = {
    ("albumin", "g/dL"): (1.0, 6.0, (4.0,)),
    ("albumin", "g/L"): (10.0, 60.0, (40.0,)),
    ("glucose", "mg/dL"): (40.0, 1200.0, (100.0,)),
    ("glucose", "mmol/L"): (2.0, 60.0, (5.55,)),
}
#: Patients: (date of birth, sex), where known. On 2 March a newborn reaches 11 days (the end
#: of the first band of children's limits), a child 3 years and a youth 18 (the end of the
#: children's critical limits); an adult; one of whom nothing is known (adult limits).
PATIENTS: dict[int, tuple[dt.date | None, str | None]] = {
    1: (dt.date(1950, 1, 1), "female"),
    2: (dt.date(2023, 3, 2), "male"),
    3: (dt.date(2026, 2, 19), "female"),
    4: (None, None),
    5: (dt.date(2008, 3, 2), "male"),
}
#: The first collection, in UTC.
FIRST = dt.datetime(2026, 3, 1, 0, 0)
#: Collection times, in hours after the first: within a panel's hour, a day, four days; on
#: either side of midnight on 2 March, in UTC and in the time zones a format is written in.
HOURS = (0, 1, 8, 23, 24, 30, 47, 96)
ZONES = (dt.timezone.utc, dt.timezone(dt.timedelta(hours=1)), dt.timezone(dt.timedelta(hours=-5)))
CENSORS = ("<", ">", "<=", ">=")


def _in_unit(mmol: float, written: float, written_unit: str, analyte: str, unit: str) -> float:
    """A limit as a value in ``unit``: as written where it is written in that unit."""
    if written_unit == unit:
        return written
    factor = REFERENCE.analytes[analyte].factor_to_mmol(resolve_unit(unit))
    return round(mmol / factor, 2)


def _limits(analyte: str, unit: str) -> list[float]:
    """Every limit of an analyte in the reference file, in ``unit``: its plausible,
    reference and critical limits for every age, and its CTCAE cut-points."""
    record = REFERENCE.analytes[analyte]
    found = []
    for limits in (record.plausible, *record.reference, *record.critical):
        found.append(_in_unit(limits.low_mmol, limits.low, limits.unit, analyte, unit))
        found.append(_in_unit(limits.high_mmol, limits.high, limits.unit, analyte, unit))
    for scale in (record.grade_low, record.grade_high):
        for criterion in scale.criteria if scale is not None else ():
            for _, value, mmol in criterion.cuts:
                found.append(_in_unit(mmol, value, criterion.unit, analyte, unit))
    return sorted(set(found))


@dataclass(frozen=True)
class Result:
    """One result as drawn: what each format writes in its own way."""

    patient: int
    time: dt.datetime  # in UTC, written in each format's time zone
    analyte: str
    unit: str
    value: float | None  # None: no value (a result not given)
    censor: str  # "" or one of CENSORS
    limits: tuple[float, float] | None  # the lab's, in ``unit``

    @property
    def code(self) -> str:
        return TESTS[self.analyte][0]

    @property
    def ucum(self) -> str:
        return TESTS[self.analyte][1][self.unit]

    @property
    def text(self) -> str:
        """The value as a CSV writes it (a float as its shortest text, as JSON writes it)."""
        return "" if self.value is None else f"{self.censor}{self.value!r}"


@st.composite
def results(draw: st.DrawFn, patients: list[int], tests: list[str], hours: list[int]) -> Result:
    """A result of one of these patients, tests and collection times."""
    analyte = draw(st.sampled_from(tests))
    unit = draw(st.sampled_from(sorted(TESTS[analyte][1])))
    limits = None
    if analyte in REFERENCE.analytes:
        record = REFERENCE.analytes[analyte]
        critical = record.critical_for(resolve_unit(unit))
        low = _in_unit(critical.low_mmol, critical.low, critical.unit, analyte, unit)
        high = _in_unit(critical.high_mmol, critical.high, critical.unit, analyte, unit)
        span = st.integers(int(low * 80), int(high * 120)).map(lambda n: n / 100)
        value = draw(st.sampled_from(_limits(analyte, unit)) | span)
        interval = record.interval_for(resolve_unit(unit))
        ends = (
            _in_unit(interval.low_mmol, interval.low, interval.unit, analyte, unit),
            _in_unit(interval.high_mmol, interval.high, interval.unit, analyte, unit),
        )
        scale = st.sampled_from((0.9, 1.0, 1.1))
        if draw(st.booleans()):
            limits = (round(ends[0] * draw(scale), 2), round(ends[1] * draw(scale), 2))
    else:
        lowest, highest, pivots = COVARIATE_VALUES[(analyte, unit)]
        span = st.integers(int(lowest * 100), int(highest * 100)).map(lambda n: n / 100)
        value = draw(st.sampled_from(pivots) | span)
    return Result(
        patient=draw(st.sampled_from(patients)),
        time=FIRST + dt.timedelta(hours=draw(st.sampled_from(hours))),
        analyte=analyte,
        unit=unit,
        value=None if draw(st.integers(0, 9)) == 0 else value,
        censor=draw(st.sampled_from(("",) * 4 + CENSORS)),
        limits=limits,
    )


@st.composite
def lab_results(draw: st.DrawFn) -> list[Result]:
    """Results of a few patients, tests and collection times, so that one patient's results
    make panels and series; one result of a test for each patient and time. In the order a
    lab sends them: by patient and collection, as the HL7 messages are."""

    def some(items: Any, most: int) -> Any:
        return draw(
            st.lists(st.sampled_from(sorted(items)), min_size=1, max_size=most, unique=True)
        )

    patients, tests, hours = some(PATIENTS, 2), some(TESTS, 4), some(HOURS, 3)
    drawn = draw(
        st.lists(
            results(patients, tests, hours),
            min_size=4,
            max_size=14,
            unique_by=lambda r: (r.patient, r.time, r.analyte),
        )
    )
    return sorted(drawn, key=lambda r: (r.patient, r.time))


# --------------------------------------------------------------------------- the writers


def _at(time: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A time in UTC as the same instant in ``zone``: each format may write its own."""
    return time.replace(tzinfo=dt.timezone.utc).astimezone(zone)


def _long_csv(path: Path, drawn: list[Result], zone: dt.tzinfo) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        table = csv.writer(out)
        table.writerow(
            ["patient", "birth_date", "sex", "collected", "test", "value", "unit", "range"]
        )
        for r in drawn:
            birth, sex = PATIENTS[r.patient]
            table.writerow(
                [
                    r.patient,
                    "" if birth is None else birth.isoformat(),
                    sex or "",
                    _at(r.time, zone).isoformat(),
                    r.code,
                    r.text,
                    r.unit,
                    "" if r.limits is None else f"{r.limits[0]!r}-{r.limits[1]!r}",
                ]
            )


def _observation(number: int, r: Result, zone: dt.tzinfo) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"o{number}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": r.code}]},
        "subject": {"reference": f"Patient/{r.patient}"},
        "effectiveDateTime": _at(r.time, zone).isoformat(),
    }
    if r.value is None:
        found["dataAbsentReason"] = {"coding": [{"code": "not-performed"}]}
    else:
        quantity = {"value": r.value, "unit": r.unit, "system": UCUM, "code": r.ucum}
        found["valueQuantity"] = {"comparator": r.censor, **quantity} if r.censor else quantity
    if r.limits is not None:
        found["referenceRange"] = [
            {
                "low": {"value": r.limits[0], "system": UCUM, "code": r.ucum},
                "high": {"value": r.limits[1], "system": UCUM, "code": r.ucum},
            }
        ]
    return found


def _patients() -> list[dict[str, Any]]:
    found = []
    for number, (birth, sex) in PATIENTS.items():
        patient: dict[str, Any] = {"resourceType": "Patient", "id": str(number)}
        if birth is not None:
            patient["birthDate"] = birth.isoformat()
        if sex is not None:
            patient["gender"] = sex
        found.append(patient)
    return found


def _bundle(path: Path, drawn: list[Result], zone: dt.tzinfo) -> None:
    resources = _patients() + [_observation(i, r, zone) for i, r in enumerate(drawn)]
    entries = [
        {"fullUrl": f"urn:uuid:{r['resourceType']}-{r['id']}", "resource": r} for r in resources
    ]
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))


def _ndjson(path: Path, drawn: list[Result], zone: dt.tzinfo, patients_last: bool) -> None:
    observations = [_observation(i, r, zone) for i, r in enumerate(drawn)]
    # Bulk Data writes one file per resource type; joined, the patients may come after.
    resources = observations + _patients() if patients_last else _patients() + observations
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in resources).encode()))


def _hl7_time(time: dt.datetime, zone: dt.tzinfo) -> str:
    return _at(time, zone).strftime("%Y%m%d%H%M%z")


def _hl7(path: Path, drawn: list[Result], zone: dt.tzinfo) -> None:
    """One message for each patient's collection: its results are one OBR group, without a
    specimen number (so grouped by patient and time, as the other formats are)."""
    messages = []
    for (patient, time), group in groupby(drawn, key=lambda r: (r.patient, r.time)):
        birth, sex = PATIENTS[patient]
        born = "" if birth is None else birth.strftime("%Y%m%d")
        sex_code = {"female": "F", "male": "M", None: ""}[sex]
        segments = [
            f"MSH|^~\\&|LAB|H|EHR|H|20260310||ORU^R01^ORU_R01|M{len(messages)}|P|2.5.1",
            f"PID|1||{patient}^^^H^MR||Doe^Jo||{born}|{sex_code}",
            f"OBR|1|||PANEL^Panel^L|||{_hl7_time(time, zone)}",
        ]
        for number, r in enumerate(group, start=1):
            if r.value is None:
                kind, shown = "NM", ""
            elif r.censor:
                kind, shown = "SN", f"{r.censor}^{r.value!r}"
            else:
                kind, shown = "NM", repr(r.value)
            limits = "" if r.limits is None else f"{r.limits[0]!r}-{r.limits[1]!r}"
            segments.append(
                f"OBX|{number}|{kind}|{r.code}^Result^LN||{shown}|{r.ucum}^^UCUM|{limits}||||F"
            )
        messages.append("\x0b" + "\r".join(segments) + "\r\x1c\r")
    path.write_text("".join(messages), encoding="utf-8", newline="")


def _omop(path: Path, drawn: list[Result]) -> None:
    """A MEASUREMENT table, its unit a concept where the reference file knows one, else
    text; a censored value's sign in ``value_source_value``; its times in UTC."""
    rows = []
    for i, r in enumerate(drawn):
        birth, sex = PATIENTS[r.patient]
        concept = UNIT_CONCEPTS.get(r.unit)
        rows.append(
            {
                "measurement_id": i + 1,
                "person_id": r.patient,
                "measurement_concept_id": CONCEPTS[r.code],
                "measurement_datetime": _at(r.time, dt.timezone.utc),
                "value_as_number": r.value,
                "value_source_value": r.text if r.censor and r.value is not None else None,
                "unit_concept_id": concept,
                "unit_source_value": None if concept else r.unit,
                "range_low": None if r.limits is None else r.limits[0],
                "range_high": None if r.limits is None else r.limits[1],
                "birth_datetime": None if birth is None else dt.datetime.combine(birth, dt.time()),
                "sex": sex,
            }
        )
    schema = {
        "measurement_id": pl.Int64,
        "person_id": pl.Int64,
        "measurement_concept_id": pl.Int32,
        "measurement_datetime": pl.Datetime("us", "UTC"),
        "value_as_number": pl.Float64,
        "value_source_value": pl.String,
        "unit_concept_id": pl.Int32,
        "unit_source_value": pl.String,
        "range_low": pl.Float64,
        "range_high": pl.Float64,
        "birth_datetime": pl.Datetime("us"),
        "sex": pl.String,
    }
    pl.DataFrame(rows, schema=schema).write_parquet(path)


# --------------------------------------------------------------------------- the answers

#: Each format's file, and its own columns of the patient, the collection time and the test.
FORMATS = {
    "long CSV": ("labs.csv", "patient", "collected", "test"),
    "FHIR Bundle": ("bundle.json", "patient", "collected", "loinc"),
    "FHIR NDJSON": ("export.ndjson.gz", "patient", "collected", "loinc"),
    "HL7 v2": ("labs.hl7", "patient", "collected", "loinc"),
    "OMOP Parquet": (
        "measurement.parquet",
        "person_id",
        "measurement_datetime",
        "measurement_concept_id",
    ),
}
#: The LOINC code of each OMOP concept.
CODES = {str(concept): code for code, concept in CONCEPTS.items()}
#: Each format's own columns (the input a row keeps): not compared.
OWN = {
    "long CSV": ("patient", "birth_date", "sex", "collected", "test", "value", "unit", "range"),
    "FHIR Bundle": FHIR_HEADER,
    "FHIR NDJSON": FHIR_HEADER,
    "HL7 v2": HL7_HEADER,
    "OMOP Parquet": (
        "measurement_id",
        "person_id",
        "measurement_concept_id",
        "measurement_datetime",
        "value_as_number",
        "value_source_value",
        "unit_concept_id",
        "unit_source_value",
        "range_low",
        "range_high",
        "birth_datetime",
        "sex",
    ),
}


def _result(result: dict[str, Any], kind: str) -> dict[str, Any]:
    """A result as compared: ``lab_flag`` is there only where a format has a column of the
    lab's flags (FHIR's and HL7's tables do, always empty here), and OMOP's ``input`` is
    ``value_source_value``, blank but for the censored values (the number is read from
    ``value_as_number``)."""
    found = {"lab_flag": None, **result}
    if kind == "OMOP Parquet":
        found.pop("input")
    return found


def _key(row: dict[str, Any], kind: str) -> tuple[str, str, str]:
    """A row's patient, test (its LOINC code, or the corrected result it is) and collection
    time, in UTC."""
    _, patient, time, test = FORMATS[kind]
    who = str(row[patient]).removeprefix("Patient/")
    when = dt.datetime.fromisoformat(str(row[time]).replace("Z", "+00:00"))
    if row["row_kind"] == "input":
        what = CODES.get(str(row[test]), str(row[test]))
    else:
        (result,) = row["results"]
        what = result["analyte"]
    return who, what, when.astimezone(dt.timezone.utc).isoformat()


def _answers(folder: Path, kind: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    """What batch adds to each row of a format's file, by patient, test and time."""
    name = FORMATS[kind][0]
    source = folder / name
    target = folder / f"{name}.out.jsonl"
    run_batch(source, target, options=BatchOptions(output_format="jsonl"))
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    rows = jsonl_rows(target.read_text(encoding="utf-8"))
    for row in rows:
        added = {k: v for k, v in row.items() if k not in OWN[kind]}
        added["results"] = [_result(r, kind) for r in row["results"]]
        # An error names the column of the value, each format's own.
        added["errors"] = [
            e.replace("value_source_value: ", "value: ", 1) if kind == "OMOP Parquet" else e
            for e in row["errors"]
        ]
        key = _key(row, kind)
        assert key not in found, (kind, key)
        found[key] = added
    assert len(found) == len(rows)
    return found


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    drawn=lab_results(),
    zones=st.tuples(*[st.sampled_from(ZONES)] * 4),
    patients_last=st.booleans(),
)
def test_every_format_gives_every_result_the_same_answer(
    tmp_path_factory: pytest.TempPathFactory,
    drawn: list[Result],
    zones: tuple[dt.tzinfo, ...],
    patients_last: bool,
) -> None:
    folder = tmp_path_factory.mktemp("formats")
    _long_csv(folder / "labs.csv", drawn, zones[0])
    _bundle(folder / "bundle.json", drawn, zones[1])
    _ndjson(folder / "export.ndjson.gz", drawn, zones[2], patients_last)
    _hl7(folder / "labs.hl7", drawn, zones[3])
    _omop(folder / "measurement.parquet", drawn)
    expected = _answers(folder, "long CSV")
    assert len(expected) >= len(drawn)  # a row for each result, and the corrected ones
    for kind in FORMATS:
        if kind != "long CSV":
            found = _answers(folder, kind)
            assert found.keys() == expected.keys(), kind
            for key, answer in expected.items():
                if kind == "OMOP Parquet":
                    answer = {**answer, "results": [_result(r, kind) for r in answer["results"]]}
                assert found[key] == answer, (kind, key)
