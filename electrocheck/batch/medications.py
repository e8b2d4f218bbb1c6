"""The patient's medicines in batch (``--medications FILE``): a medication list read, checked
and joined to the results by patient and collection time.

The list is a CSV of a patient, a drug and, optionally, when it started and stopped, in one
of these layouts, known by the header (names compared case-folded without punctuation):

- MIMIC ``prescriptions``: ``subject_id``, ``drug``, ``starttime``, ``stoptime``;
- OMOP ``DRUG_EXPOSURE``: ``person_id``, ``drug_concept_id`` (found through the OMOP ids
  the reference file gives its medicines) or else ``drug_source_value``,
  ``drug_exposure_start_datetime`` or ``_date``, ``drug_exposure_end_datetime`` or ``_date``;
- PCORnet ``PRESCRIBING``: ``PATID``, ``RAW_RX_MED_NAME``, ``RX_START_DATE``,
  ``RX_END_DATE``;
- any other: a patient column named as in a lab file (``patient``, ``mrn`` ...), ``drug``
  (or ``medication``, ``medicine``), and ``start`` and ``stop`` (or ``end``), optional.

A drug is named as ``check --on`` names it (generic or brand name, a code the reference file
gives), or by a text that begins with such a name (``Omeprazole 20 mg capsule``). A row is
left out, and counted by reason, when its patient is blank, its drug is blank or may mean two
medicines, a date cannot be read, or it starts after it stops; a drug the reference file does
not know moves no electrolyte it knows of, and is counted by name.

The medicines of a FHIR file's ``MedicationRequest`` and ``MedicationStatement`` resources
(read by :mod:`electrocheck.formats.fhir_medications`) are a list of the same kind, checked
and counted by the same code (:func:`fhir_medication_list`); a resource that says its
medicine was not given is left out and counted. A FHIR list and a ``--medications`` list make
one list, their union (:func:`joined`).

A result is explained by a medicine of its patient active at its collection time (from its
start, or always where none is given, to its stop, or open-ended where none is given; a stop
given as a date alone lasts that whole day) that has an effect on the result's analyte in the
result's direction: as ``check --on`` finds them (:mod:`electrocheck.clinical.medications`),
by a join of polars frames, never a loop over rows. Results without a collection time are
joined by patient alone, and the summary says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from electrocheck.batch.cells import blank_to_null
from electrocheck.batch.columns import (
    added_names,
    derived_prefixes,
    medication_names,
    wide_prefixes,
)
from electrocheck.batch.jsonl import MEDICATION_JSON
from electrocheck.batch.layout import PATIENT_NAMES, Layout, LayoutOptions, patient_and_time
from electrocheck.batch.times import read_times
from electrocheck.clinical.medications import FLAG_SIDES, analyte_of
from electrocheck.errors import InputError, UnknownMedicineError, quote
from electrocheck.formats.fhir_medications import CODE_MARK, NAMES_SEPARATOR
from electrocheck.reference import Reference

#: How the drugs of a list are joined in a cell, in alphabetical order.
SEPARATOR = "; "
#: Why a row of the list is left out, in the order they are shown.
SKIP_REASONS = (
    "no_patient",
    "empty_drug",
    "ambiguous_drug",
    "unreadable_date",
    "start_after_stop",
    "not_given",
)
#: Names of drugs the reference file does not know, listed in the summary, most rows first.
NAMES_LISTED = 20
#: Between the ingredients of a combination product, as RxNorm and drug lists write them
#: (``Lisinopril 10 MG / Hydrochlorothiazide 12.5 MG Oral Tablet``); a slash without spaces
#: is part of a unit (``MG/ML``).
COMBINATION = re.compile(r"\s+/\s+")
#: Between the medicines a row names, inside the engine (a text no name holds).
INGREDIENTS_SEPARATOR = "\x1f"

# The columns of each layout, squeezed; each role takes the first found (dates: the first
# that holds a date, in this order).
_LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "omop": {
        "patient": ("personid",),
        "concept": ("drugconceptid",),
        "drug": ("drugsourcevalue",),
        "start": ("drugexposurestartdatetime", "drugexposurestartdate"),
        "stop": ("drugexposureenddatetime", "drugexposureenddate"),
    },
    "pcornet": {
        "patient": ("patid",),
        "drug": ("rawrxmedname",),
        "start": ("rxstartdate",),
        "stop": ("rxenddate",),
    },
    "mimic": {
        "patient": ("subjectid",),
        "drug": ("drug",),
        "start": ("starttime",),
        "stop": ("stoptime",),
    },
    "generic": {
        "patient": PATIENT_NAMES,
        "drug": ("drug", "drugname", "medication", "medicationname", "medicine", "medname"),
        "start": ("start", "starttime", "startdate", "startdatetime", "started", "from"),
        "stop": ("stop", "stoptime", "stopdate", "end", "endtime", "enddate", "enddatetime"),
    },
}
#: The columns that tell each layout, other than generic.
_SIGNS = {
    "omop": ("drugexposurestartdate", "drugexposurestartdatetime", "drugconceptid"),
    "pcornet": ("rawrxmedname", "rxstartdate"),
    "mimic": ("starttime",),
}


def _squeeze(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass
class MedicationCounts:
    """What the medication list held and what became of it, for the run's summary."""

    file: str
    layout: str
    rows: int = 0
    used: int = 0  # rows of a medicine the reference file knows
    skipped: Counter[str] = field(default_factory=Counter)  # rows left out, by reason
    other_drugs: Counter[str] = field(default_factory=Counter)  # rows by drug not known
    results_explained: int = 0
    untimed: bool = False  # the results have no collection time: joined by patient alone

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "layout": self.layout,
            "rows": self.rows,
            "used": self.used,
            "skipped": {reason: self.skipped[reason] for reason in SKIP_REASONS},
            "other_drugs": sum(self.other_drugs.values()),
            "other_drug_names": dict(self.other_drugs.most_common(NAMES_LISTED)),
            "results_explained": self.results_explained,
            "joined_by_time": not self.untimed,
        }


@dataclass
class MedicationList:
    """A checked medication list: one row per medicine of a patient the reference file
    knows, with its start and stop (null: from always, open-ended)."""

    frame: pl.DataFrame  # patient, drug, given_as (the name in the list), start, stop
    counts: MedicationCounts


def read_medication_list(path: str | Path, reference: Reference) -> MedicationList:
    """Read and check the medication list at ``path``; raises :class:`InputError` (one line)
    for a file that cannot be read, or has no patient or drug column."""
    shown = quote(str(path))
    try:
        with open(path, "rb") as handle:
            head = handle.readline().decode("utf-8", errors="replace")
        if head.lstrip("\ufeff \t").startswith(("{", "[")):
            # A FHIR Bundle or NDJSON: its medicines come with its Observations.
            raise InputError(
                f"--medications {shown}: JSON, not a CSV list; a FHIR file's "
                "MedicationRequests and MedicationStatements are read when the file itself is "
                "the input to batch"
            )
        separator = _separator(head)
        raw = pl.read_csv(
            path, separator=separator, infer_schema=False, encoding="utf8-lossy", quote_char='"'
        )
    except OSError as exc:
        raise InputError(f"--medications {shown}: cannot read: {exc.strerror or exc}") from None
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().split("\n")[0]
        raise InputError(f"--medications {shown}: not a CSV file: {first}") from None
    kind, roles = _roles(raw.columns, shown)
    frame = raw.select(
        _coalesced(raw, roles.get("patient", ())).alias("patient"),
        _coalesced(raw, roles.get("drug", ())).alias("name"),
        _coalesced(raw, roles.get("concept", ())).alias("concept"),
        _coalesced(raw, roles.get("start", ())).alias("start_text"),
        _coalesced(raw, roles.get("stop", ())).alias("stop_text"),
        pl.lit(False).alias("not_given"),
    )
    counts = MedicationCounts(file=str(path), layout=kind, rows=frame.height)
    return MedicationList(_checked(frame, reference, counts), counts)


def fhir_medication_list(rows: list[list[Any]], file: str, reference: Reference) -> MedicationList:
    """The medication list of a FHIR file's MedicationRequests and MedicationStatements
    (the rows :class:`~electrocheck.formats.fhir.FhirSummary` holds: patient, the drug's
    names, start, stop, not given), checked as a CSV list is."""
    text = pl.String
    frame = pl.DataFrame(
        rows,
        schema={
            "patient": text,
            "name": text,
            "start_text": text,
            "stop_text": text,
            "not_given": pl.Boolean,
        },
        orient="row",
    ).select(
        blank_to_null(pl.col("patient")).alias("patient"),
        blank_to_null(pl.col("name")).alias("name"),
        pl.lit(None, pl.String).alias("concept"),
        blank_to_null(pl.col("start_text")).alias("start_text"),
        blank_to_null(pl.col("stop_text")).alias("stop_text"),
        pl.col("not_given"),
    )
    counts = MedicationCounts(file=file, layout="fhir", rows=frame.height)
    return MedicationList(_checked(frame, reference, counts), counts)


def joined(first: MedicationList | None, second: MedicationList | None) -> MedicationList | None:
    """Two medication lists as one (a ``--medications`` list and a FHIR file's): every row
    of both, counted together."""
    if first is None or second is None:
        return first or second
    one, two = first.counts, second.counts
    counts = MedicationCounts(
        file=f"{one.file} + {two.file}",
        layout=f"{one.layout} + {two.layout}",
        rows=one.rows + two.rows,
        used=one.used + two.used,
        skipped=one.skipped + two.skipped,
        other_drugs=one.other_drugs + two.other_drugs,
    )
    return MedicationList(pl.concat([first.frame, second.frame]), counts)


def _separator(head: str) -> str:
    counts = {sep: head.count(sep) for sep in (",", "\t", ";", "|")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _roles(header: list[str], shown: str) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The layout of a list's header, and for each role its columns (as written)."""
    squeezed = {_squeeze(name): name for name in reversed(header)}  # the first of a name
    kind = next((k for k, signs in _SIGNS.items() if any(s in squeezed for s in signs)), "generic")
    roles = {
        role: tuple(squeezed[n] for n in names if n in squeezed)
        for role, names in _LAYOUTS[kind].items()
    }
    if not roles["patient"]:
        raise InputError(
            f"--medications {shown}: no patient column (such as patient, subject_id, "
            "person_id or PATID)"
        )
    if not roles["drug"] and not roles.get("concept"):
        raise InputError(
            f"--medications {shown}: no drug column (such as drug, medication, "
            "drug_source_value or RAW_RX_MED_NAME)"
        )
    return kind, {
        role: columns[:1] if role != "start" and role != "stop" else columns
        for role, columns in roles.items()
    }


def _coalesced(raw: pl.DataFrame, columns: tuple[str, ...]) -> pl.Expr:
    """The first non-blank text of ``columns``, row by row; null where none."""
    if not columns:
        return pl.lit(None, pl.String)
    return pl.coalesce([blank_to_null(pl.col(name)) for name in columns])


def _checked(frame: pl.DataFrame, reference: Reference, counts: MedicationCounts) -> pl.DataFrame:
    """The rows of a known medicine, with their times read; the others counted."""
    names = _drug_keys(reference, frame)
    frame = frame.with_columns(names)
    col = pl.col
    start = read_times(frame["start_text"]).alias("start")
    stop = read_times(frame["stop_text"]).alias("stop")
    date_only = col("stop_text").str.contains(":").not_()
    frame = frame.with_columns(start, stop).with_columns(
        # A stop given as a date alone lasts that whole day.
        pl.when(date_only)
        .then(col("stop") + pl.duration(days=1) - pl.duration(milliseconds=1))
        .otherwise(col("stop"))
        .alias("stop")
    )
    unreadable = (col("start_text").is_not_null() & col("start").is_null()) | (
        col("stop_text").is_not_null() & col("stop").is_null()
    )
    reason = (
        pl.when(col("not_given"))
        .then(pl.lit("not_given"))
        .when(col("patient").is_null())
        .then(pl.lit("no_patient"))
        .when(col("problem").is_not_null())
        .then(col("problem"))
        .when(unreadable)
        .then(pl.lit("unreadable_date"))
        .when(col("start") > col("stop"))
        .then(pl.lit("start_after_stop"))
        .alias("reason")
    )
    frame = frame.with_columns(reason)
    for why, count in frame["reason"].drop_nulls().value_counts().iter_rows():
        counts.skipped[why] += count
    kept = frame.filter(col("reason").is_null())
    other = kept.filter(col("drug").is_null())
    for name, count in other["given"].fill_null("").value_counts().iter_rows():
        counts.other_drugs[name] += count
    known = kept.filter(col("drug").is_not_null()).select(
        "patient", "drug", pl.coalesce("given", "drug").alias("given_as"), "start", "stop"
    )
    counts.used = known.height
    # A combination product's row stands for each of its ingredients, given as the product.
    return known.with_columns(col("drug").str.split(INGREDIENTS_SEPARATOR)).explode("drug")


def _drug_keys(reference: Reference, frame: pl.DataFrame) -> list[pl.Series]:
    """Each row's medicine (its generic name, or null for one the file does not know), the
    name it is given as, and its problem (a reason of :data:`SKIP_REASONS`), each distinct
    name read once. A FHIR row's name is several (see :func:`_drug_among`)."""
    medicines = reference.medications
    distinct = frame.select("name", "concept").unique()
    keys: list[str | None] = []
    given: list[str | None] = []
    problems: list[str | None] = []
    for name, concept in distinct.iter_rows():
        key, problem, shown = None, None, name
        if concept is not None and concept.isdigit() and int(concept) in medicines.omop:
            key = medicines.omop[int(concept)]
        elif name is None:
            problem = "empty_drug" if concept is None or concept.strip("0") == "" else None
        else:
            key, problem, shown = _drug_among(reference, name.split(NAMES_SEPARATOR))
        keys.append(key)
        given.append(shown)
        problems.append(problem)
    table = distinct.with_columns(
        pl.Series("drug", keys, dtype=pl.String),
        pl.Series("given", given, dtype=pl.String),
        pl.Series("problem", problems, dtype=pl.String),
    )
    joined = frame.select("name", "concept").join(
        table, on=["name", "concept"], how="left", nulls_equal=True, maintain_order="left"
    )
    return [joined["drug"], joined["given"], joined["problem"]]


def _drug_among(
    reference: Reference, names: list[str]
) -> tuple[str | None, str | None, str | None]:
    """The medicine the first of ``names`` the reference file knows names, with that name;
    else no medicine, the first name, and the problem of the first that has one (a FHIR
    drug goes by a text, displays and codes; a CSV list's by one name)."""
    problems = []
    for name in names:
        if name.startswith(CODE_MARK):  # a code of RxNorm or ATC, said to be one
            code = name[len(CODE_MARK) :]
            try:
                return reference.medications.find(code).key, None, code
            except UnknownMedicineError:
                continue
        key, problem = _drug_of(reference, name)
        if key is not None:
            return key, None, name
        problems.append(problem)
    problem = next((p for p in problems if p is not None and p != "empty_drug"), None)
    if problem is None and problems:
        problem = problems[0]
    texts = [n for n in names if not n.startswith(CODE_MARK)]
    return None, problem, texts[0] if texts else names[0][len(CODE_MARK) :]


def _drug_of(reference: Reference, name: str) -> tuple[str | None, str | None]:
    """The medicines a drug text names, as one text (:data:`INGREDIENTS_SEPARATOR` between
    them), and a problem: an ambiguous name, or an empty one. A combination product names
    each ingredient apart, as RxNorm writes them (``Losartan 50 MG / Hydrochlorothiazide
    12.5 MG Oral Tablet``): each part is known whole or by its first words."""
    if not name.split():
        return None, "empty_drug"
    found: list[str] = []
    problems: list[str | None] = []
    for part in COMBINATION.split(name):
        key, problem = _ingredient_of(reference, part)
        if key is not None and key not in found:
            found.append(key)
        problems.append(problem)
    if found:
        return INGREDIENTS_SEPARATOR.join(found), None
    return None, next((p for p in problems if p is not None), None)


def _ingredient_of(reference: Reference, name: str) -> tuple[str | None, str | None]:
    """The medicine a drug text names (whole, else by its first words: ``Omeprazole 20 mg
    capsule``), and a problem: an ambiguous name, or an empty one."""
    words = name.split()
    if not words:
        return None, "empty_drug"
    for length in range(len(words), 0, -1):
        try:  # by its names alone: a list's text may be a local code an RxNorm code shares
            return reference.medications.find(" ".join(words[:length]), codes=False).key, None
        except UnknownMedicineError as exc:
            if "may mean" in str(exc):
                return None, "ambiguous_drug"
    return None, None


class MedicationJoin:
    """Fills the medications columns of processed batches: each abnormal result's medicines
    of its patient active at its collection time that explain it."""

    def __init__(
        self,
        medications: MedicationList,
        layout: Layout,
        options: LayoutOptions,
        reference: Reference,
    ) -> None:
        self.counts = medications.counts
        keys = patient_and_time(layout, options)
        if keys.patient is None:
            raise InputError(
                "--medications needs a patient column in the lab file (such as patient, "
                "mrn or subject_id; name it with --patient-column)"
            )
        self.patient, self.time, self.clock = keys.patient, keys.time, keys.clock
        self.counts.untimed = self.time is None
        effects = pl.DataFrame(
            [
                (drug.key, effect.analyte, effect.direction, effect.mechanism, effect.source)
                for drug in reference.medications.drugs.values()
                for effect in drug.effects
            ],
            schema={
                "drug": pl.String,
                "analyte": pl.String,
                "side": pl.String,
                "effect": pl.String,
                "source": pl.String,
            },
            orient="row",
        )
        self.active = medications.frame.join(effects, on="drug")
        names = added_names(layout)
        r = {name: f"r{i}" for i, name in enumerate(names)}
        self.targets = [r[name] for name in medication_names(layout)]
        if layout.kind == "long":
            self.slots = [(pl.col(r["analyte"]), pl.col(r["flag"]))]
        else:
            keys_of = [c.analyte for c in layout.wide] + [k for k, _, _ in layout.corrections]
            prefixes = wide_prefixes(layout.wide) + derived_prefixes(layout)
            self.slots = [
                (pl.lit(key), pl.col(r[f"{prefix}flag"]))
                for key, prefix in zip(keys_of, prefixes, strict=True)
            ]
        self.analytes = {
            key: analyte_of(reference, key) for key in (*reference.analytes, *reference.corrections)
        }

    def after(self, result: pl.DataFrame) -> pl.DataFrame:
        """``result`` with its medications columns filled."""
        col = pl.col
        patient = result.select(blank_to_null(col(f"c{self.patient}")).alias("patient"))
        if self.time is not None:
            clocks = result[f"c{self.clock}"] if self.clock is not None else None
            when = read_times(result[f"c{self.time}"], clocks)
        else:
            when = pl.Series("when", [None] * result.height, dtype=pl.Datetime("ms"))
        base = patient.with_columns(when.alias("when"), pl.int_range(pl.len()).alias("row"))
        probes = [
            base.hstack(
                result.select(analyte.cast(pl.String).alias("analyte"), flag.alias("flag"))
            ).with_columns(pl.lit(slot, pl.Int32).alias("slot"))
            for slot, (analyte, flag) in enumerate(self.slots)
        ]
        probe = (
            pl.concat(probes)
            .with_columns(
                col("analyte").replace_strict(self.analytes, default=None).alias("analyte"),
                col("flag").replace_strict(FLAG_SIDES, default=None).alias("side"),
            )
            .filter(col("side").is_not_null() & col("patient").is_not_null())
        )
        joined = probe.join(self.active, on=["patient", "analyte", "side"], how="inner")
        if self.time is not None:
            joined = joined.filter(
                col("when").is_not_null()
                & (col("start").is_null() | (col("start") <= col("when")))
                & (col("stop").is_null() | (col("when") <= col("stop")))
            )
        # Each medicine once per result, by the first of the names it was given as; then
        # the medicines of each result in alphabetical order, as names and as check's JSON.
        once = joined.group_by("row", "slot", "drug").agg(
            col("given_as").min(), col("effect").first(), col("source").first()
        )
        entry = pl.struct("drug", "given_as", "effect", "source").struct.json_encode()
        found = (
            once.sort("drug")
            .group_by("row", "slot")
            .agg(col("drug").str.join(SEPARATOR).alias("drugs"), entry.str.join(",").alias("json"))
        )
        self.counts.results_explained += found.height
        rows = pl.DataFrame({"row": pl.int_range(result.height, eager=True)})
        filled = []
        for slot, target in enumerate(self.targets):
            mine = found.filter(col("slot") == slot).select("row", "drugs", "json")
            cells = rows.join(mine, on="row", how="left", maintain_order="left")
            filled += [
                cells["drugs"].alias(target),
                cells["json"].alias(f"{MEDICATION_JSON}{slot}"),
            ]
        return result.with_columns(filled)


__all__ = [
    "SEPARATOR",
    "SKIP_REASONS",
    "MedicationCounts",
    "MedicationJoin",
    "MedicationList",
    "fhir_medication_list",
    "joined",
    "read_medication_list",
]
