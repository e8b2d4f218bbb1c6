"""Recognizing the layout of a lab export from its header.

Two layouts are understood:

* **wide**: one column per analyte (``Calcium (mg/dL)``, ``K [mmol/L]``, ``17861-6``), the unit
  in the header, in a companion column (``calcium_unit``, ``Calcium Units``) or in each cell,
  and perhaps companions with the lab's flag (``K flag``) and reference range (``K ref range``);
* **long**: one result per row, with a test column (name, alias or LOINC code), a value column
  (and perhaps a numeric twin such as ``valuenum``), a unit column, and perhaps the lab's own
  reference limits and flag.

A long file may be a research warehouse's table, read by its own columns (see
:class:`WarehouseColumns`): an OMOP CDM ``MEASUREMENT`` table (``omop``) or a PCORnet
``LAB_RESULT_CM`` table (``pcornet``), each known by two of its columns.

Either may have a specimen column (``fluid``, ``specimen_type``): see
:mod:`~electrocheck.batch.specimens`. A header that names another specimen (``Potassium,
urine``) is never an analyte's column.

This module only reads header names; it imports no dataframe engine. Names are compared
after case folding and squeezing white space, underscores and hyphens, so ``Value UOM``,
``value_uom`` and ``valueuom`` are the same.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from electrocheck.batch.specimens import looks_like_electrolyte, names_other_specimen
from electrocheck.errors import InputError, UnitError, quote
from electrocheck.reference import Reference
from electrocheck.units.resolve import Unit, resolve_unit

LAYOUTS = ("wide", "long", "omop", "pcornet")
#: The columns that make a header a warehouse table's (squeezed, see _squeeze), and how the
#: table is called in messages.
WAREHOUSES = {
    "omop": (("measurementconceptid", "valueasnumber"), "an OMOP CDM MEASUREMENT table"),
    "pcornet": (("labloinc", "resultnum"), "a PCORnet LAB_RESULT_CM table"),
}
#: A warehouse table's own columns: OMOP's unit concept; PCORnet's result modifier (EQ, LT
#: ...) and the modifiers of its normal range's limits (EQ, GE, NO ...).
UNIT_CONCEPT_NAMES = ("unitconceptid",)
RESULT_MODIFIER_NAMES = ("resultmodifier",)
LOW_MODIFIER_NAMES = ("normmodifierlow",)
HIGH_MODIFIER_NAMES = ("normmodifierhigh",)

# Common header names of long exports, most specific first. Compared squeezed (see _squeeze).
TEST_NAMES = (
    "test",
    "testname",
    "analyte",
    "label",
    "description",
    "testdescription",
    "name",
    "loinc",
    "loinccode",
    "code",
    "testcode",
    "component",
    # OMOP CDM MEASUREMENT, and PCORnet LAB_RESULT_CM (its LOINC first: the raw name is
    # optional there and often empty).
    "measurementsourcevalue",
    "labloinc",
    "rawlabname",
)
VALUE_NAMES = (
    "value",
    "result",
    "resultvalue",
    "valuetext",
    "resulttext",
    "valuesourcevalue",  # OMOP
    "rawresult",  # PCORnet
)
NUMERIC_NAMES = (
    "valuenum",
    "numericvalue",
    "valuenumeric",
    "resultnumeric",
    "numericresult",
    "valueasnumber",  # OMOP
    "resultnum",  # PCORnet
)
UNIT_NAMES = (
    "unit",
    "units",
    "uom",
    "valueuom",
    "unitofmeasure",
    "resultunit",
    "resultunits",
    "unitsourcevalue",  # OMOP
    "rawunit",  # PCORnet
)
LOW_NAMES = (
    "refrangelower",
    "referencelow",
    "reflow",
    "low",
    "lower",
    "lowerlimit",
    "normallow",
    "referencerangelower",
    "rangelow",  # OMOP
    "normrangelow",  # PCORnet
)
HIGH_NAMES = (
    "refrangeupper",
    "referencehigh",
    "refhigh",
    "high",
    "upper",
    "upperlimit",
    "normalhigh",
    "referencerangeupper",
    "rangehigh",  # OMOP
    "normrangehigh",  # PCORnet
)
RANGE_NAMES = ("refrange", "referencerange", "range", "normalrange", "referenceinterval")
#: The lab's own flag of a result (L, H, abnormal ...).
FLAG_NAMES = (
    "flag",
    "flags",
    "abnormalflag",
    "abnormalflags",
    "abnflag",
    "resultflag",
    "labflag",
    "abnormal",
    "abnormalindicator",
    "hiloflag",
    "hilo",
    "interpretation",
    "interpretationcode",
    "resultinterpretation",
    "abnind",  # PCORnet
)
#: The specimen or fluid a result was measured in (serum, urine ...).
SPECIMEN_NAMES = (
    "fluid",
    "specimentype",
    "specimen",
    "specimensource",
    "specimentypename",
    "specimenmaterial",
    "sampletype",
    "bodyfluid",
    "fluidtype",
)
AGE_NAMES = ("age", "ageyears", "patientage", "ageatcollection", "ageinyears")
SEX_NAMES = ("sex", "gender", "patientsex", "patientgender")
SYMPTOM_NAMES = ("symptomatic", "symptoms", "hassymptoms")
# The keys that make a long file's rows patient records and panels (the rows of one specimen):
# the patient, the collection time (in one column, or a date and a time of day in two), the
# specimen or accession number, and the date of birth. Compared squeezed, most specific first.
PATIENT_NAMES = (
    "patientid",
    "patient",
    "mrn",
    "patientmrn",
    "medicalrecordnumber",
    "subjectid",  # MIMIC
    "personid",  # OMOP
    "patid",  # PCORnet
    "patientnumber",
    "patientidentifier",
    "hospitalnumber",
    "subject",
)
#: A collection date and time in one column.
DATETIME_NAMES = (
    "collected",
    "collectedat",
    "collecteddatetime",
    "collectiondatetime",
    "charttime",  # MIMIC
    "specimendatetime",
    "measurementdatetime",  # OMOP
    "effectivedatetime",  # FHIR
    "observationdatetime",
    "drawn",
    "drawntime",
    "drawdatetime",
    "sampledatetime",
    "datetime",
    "timestamp",
)
#: A collection date, perhaps with a time of day in a column of :data:`CLOCK_NAMES`.
DATE_NAMES = (
    "collectiondate",
    "specimendate",  # PCORnet
    "measurementdate",  # OMOP
    "drawdate",
    "sampledate",
    "observationdate",
    "effectivedate",
    "date",  # Synthea
)
CLOCK_NAMES = (
    "collectiontime",
    "specimentime",
    "measurementtime",
    "drawtime",
    "sampletime",
    "time",
)
#: The number of one specimen (or of its order): the rows that share it are one panel.
SPECIMEN_ID_NAMES = (
    "specimenid",  # MIMIC
    "specimennumber",
    "specimenno",
    "accession",
    "accessionnumber",
    "accessionno",
    "accessionid",
    "sampleid",
    "samplenumber",
    "orderid",
    "ordernumber",
    "laborderid",
    "requestid",
    "requestnumber",
)
BIRTH_NAMES = (
    "birthdate",
    "dateofbirth",
    "dob",
    "birthdatetime",  # OMOP
    "patientdob",
    "patientbirthdate",
    "birthday",
)

_UNIT_SUFFIX = re.compile(r"^(?P<name>.*?)[\s_\-]*(?:units?|uom)$", re.IGNORECASE)
# A wide column's companions: ``K flag``, ``calcium_abnormal_flag``, ``Sodium interpretation``;
# ``K ref range``, ``Potassium Reference Range``, ``calcium_range``.
_FLAG_SUFFIX = re.compile(
    r"^(?P<name>.*?)[\s_\-]*(?:(?:abnormal|abn|result|lab|hi[\s_\-]*lo)?[\s_\-]*flags?"
    r"|interpretation)$",
    re.IGNORECASE,
)
_RANGE_SUFFIX = re.compile(
    r"^(?P<name>.*?)[\s_\-]*(?:ref(?:erence)?|normal)?[\s_\-]*(?:range|interval)$",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"^(?P<name>.*?)\s*[\(\[](?P<inner>[^\)\]]*)[\)\]]\s*$")


def _squeeze(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", text.casefold())


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class AnalyteColumn:
    """A wide-layout column that holds one analyte."""

    index: int
    header: str
    analyte: str  # the reference file's key
    header_unit: Unit | None  # from ``Calcium (mg/dL)``
    unit_column: int | None  # a companion unit column
    flag_column: int | None = None  # a companion column of the lab's flags (``K flag``)
    range_column: int | None = None  # a companion reference range (``K ref range``)


@dataclass(frozen=True)
class CovariateColumn:
    """A wide-layout column that holds a covariate (albumin, glucose)."""

    index: int
    header: str
    covariate: str  # the reference file's key
    header_unit: Unit | None
    unit_column: int | None


@dataclass(frozen=True)
class PatientColumns:
    """Columns that describe the patient of each row, where the file has them."""

    age: int | None = None
    sex: int | None = None
    symptomatic: int | None = None


@dataclass(frozen=True)
class PanelColumns:
    """The columns that group a long file's rows into panels, and how.

    A panel is the rows of one specimen (``specimen``), or without a specimen number, one
    patient's rows collected at the same time, or within ``window`` seconds of the panel's
    first row."""

    patient: int | None = None
    time: int | None = None  # the collection time, or its date where ``clock`` holds the time
    clock: int | None = None  # the time of day, in a column of its own
    specimen: int | None = None  # the specimen or accession number
    birth: int | None = None  # the date of birth: each row's age at its collection time
    window: float = 0.0  # seconds

    def indexes(self) -> tuple[int, ...]:
        """The key columns the file has."""
        found = (self.patient, self.time, self.clock, self.specimen, self.birth)
        return tuple(i for i in found if i is not None)


@dataclass(frozen=True)
class LongColumns:
    """The columns of a long-layout export."""

    tests: tuple[int, ...]  # name, then code columns: the first that names an analyte wins
    value: int | None
    numeric: int | None
    unit: int | None
    low: int | None = None
    high: int | None = None
    range: int | None = None
    flag: int | None = None  # the lab's own flag of the result


@dataclass(frozen=True)
class WarehouseColumns:
    """The columns of a warehouse table that a plain long file does not have.

    An OMOP ``MEASUREMENT`` row names its test by ``measurement_concept_id`` (``concept``, the
    first of the long columns' tests), its unit perhaps by ``unit_concept_id`` alone; a
    PCORnet ``LAB_RESULT_CM`` row censors its number by ``RESULT_MODIFIER`` and bounds its
    normal range by ``NORM_MODIFIER_LOW`` and ``NORM_MODIFIER_HIGH``, and writes the lab's
    flag as an ``ABN_IND`` code (the long columns' flag)."""

    name: str  # "omop" or "pcornet"
    concept: int | None = None
    unit_concept: int | None = None
    modifier: int | None = None
    low_modifier: int | None = None
    high_modifier: int | None = None
    # PCORnet: the result's date and time, read when the file has no specimen date
    result_date: int | None = None
    result_time: int | None = None


@dataclass(frozen=True)
class Layout:
    """How a file's columns are read."""

    kind: str  # "wide" or "long"
    header: tuple[str, ...]
    wide: tuple[AnalyteColumn, ...] = ()
    long: LongColumns | None = None
    notes: tuple[str, ...] = field(default=())
    patient: PatientColumns = field(default_factory=PatientColumns)
    covariates: tuple[CovariateColumn, ...] = ()  # wide layout only
    # (correction key, index in `wide` of the analyte, index in `covariates`), wide only
    corrections: tuple[tuple[str, int, int], ...] = ()
    specimen: int | None = None  # the specimen or fluid of each row
    lab_flags: bool = False  # every source writes the lab's flag, even without a flag column
    unread: tuple[int, ...] = ()  # wide only: columns nothing is read from
    lookalike: tuple[int, ...] = ()  # of them, those whose header looks like an electrolyte
    panels: PanelColumns | None = None  # long only: how rows are grouped into panels
    warehouse: WarehouseColumns | None = None  # long only: a warehouse table's own columns
    #: A medicines column per result (``batch --medications``): see batch.medications.
    medications: bool = False


@dataclass(frozen=True)
class LayoutOptions:
    """What the user forced on the command line or in the API: the layout, and which
    columns hold what where the header does not say (each ``None`` is found from the header).

    >>> import polars as pl
    >>> from electrocheck import LayoutOptions, interpret_frame
    >>> frame = pl.DataFrame({"Test": ["K", "Na"], "Result": ["3.1", "140"]})
    >>> options = LayoutOptions(test_column="Test", value_column="Result")
    >>> interpret_frame(frame, options=options)["flag"].to_list()
    ['L', 'N']
    """

    layout: str | None = None  # "wide", "long", "omop", "pcornet" or None to detect
    mapping: Mapping[str, str] = field(default_factory=dict)  # analyte -> column (wide)
    test_column: str | None = None
    value_column: str | None = None
    unit_column: str | None = None
    number_column: str | None = None  # the numeric twin of the value column (long)
    specimen_column: str | None = None  # None: detected; "": no specimen column is read
    file_ranges: bool = False  # ignore the lab's own limits in the file
    symptomatic: bool = False  # every patient has symptoms (unless a column says otherwise)
    lab_flags: bool = False  # write the lab's flag (lab_flag) even without a flag column
    # Long layout: the columns of the patient, collection time (``DATE+TIME`` for two),
    # specimen or accession number and date of birth; None: found by name.
    patient_column: str | None = None
    time_column: str | None = None
    specimen_id_column: str | None = None
    birth_column: str | None = None
    panel_window: float = 0.0  # seconds; 0: a panel's rows share one collection time
    panels: bool = True  # False: no grouping (the output of a file without key columns)
    #: The rows are sorted by patient id: read a part of the patients at a time (--sorted)
    sorted_rows: bool = False


def detect_layout(header: Sequence[str], reference: Reference, options: LayoutOptions) -> Layout:
    """Work out the layout of a file with this header, or raise :class:`InputError`."""
    header = tuple(header)
    if options.layout not in (None, *LAYOUTS):
        raise InputError(
            f"unknown layout {quote(options.layout)}; expected wide, long, omop or pcornet"
        )
    warehouse = _warehouse(header, options)
    if (
        warehouse is not None
        or options.layout == "long"
        or (
            options.layout is None
            and not options.mapping
            and (
                options.test_column
                or options.value_column
                or options.number_column
                or _looks_long(header)
            )
        )
    ):
        long = _long_columns(header, options, warehouse)
        taken = {
            *long.tests,
            long.value,
            long.numeric,
            long.unit,
            long.low,
            long.high,
            long.range,
            long.flag,
        }
        specimen = _specimen_column(header, options, taken)
        patient = _patient_columns(header, taken | {specimen})
        taken |= {specimen, patient.age, patient.sex, patient.symptomatic}
        if warehouse is not None:
            taken |= {warehouse.unit_concept, warehouse.result_date, warehouse.result_time}
            taken |= {warehouse.modifier, warehouse.low_modifier, warehouse.high_modifier}
        return Layout(
            "long",
            header,
            long=long,
            patient=patient,
            specimen=specimen,
            lab_flags=options.lab_flags,
            panels=_panel_columns(header, options, taken, warehouse),
            warehouse=warehouse,
        )
    columns, covariates = _wide_columns(header, reference, options.mapping)
    if not columns:
        raise InputError(
            "no column names an analyte electrocheck knows (such as Calcium, K, 17861-6), "
            "and no test and value columns of a long export were found; use --map "
            "ANALYTE=COLUMN or --layout long with --test-column and --value-column"
        )
    used: set[int | None] = {c.index for c in columns}
    used |= {c.index for c in covariates}
    used |= {i for c in columns for i in _companions_of(c)}
    used |= {i for v in covariates for i in _companions_of(v)}
    specimen = _specimen_column(header, options, used)
    patient = _patient_columns(header, used | {specimen})
    used |= {specimen, patient.age, patient.sex, patient.symptomatic}
    unread = tuple(i for i in range(len(header)) if i not in used)
    return Layout(
        "wide",
        header,
        wide=tuple(columns),
        patient=patient,
        covariates=tuple(covariates),
        corrections=_corrections(reference, columns, covariates),
        specimen=specimen,
        lab_flags=options.lab_flags,
        unread=unread,
        lookalike=tuple(
            i for i in unread if looks_like_electrolyte(header[i], reference.specimen_words)
        ),
    )


def _companions_of(column: AnalyteColumn | CovariateColumn) -> list[int]:
    found = [column.unit_column]
    if isinstance(column, AnalyteColumn):
        found += [column.flag_column, column.range_column]
    return [i for i in found if i is not None]


def _specimen_column(
    header: tuple[str, ...], options: LayoutOptions, taken: set[int | None]
) -> int | None:
    """The column of each row's specimen or fluid: named with ``--specimen-type-column``
    (an empty name: none), else the first with a specimen's name."""
    if options.specimen_column is not None:
        if options.specimen_column == "":
            return None
        return _column_index(header, options.specimen_column, "--specimen-type-column")
    return next((i for i in _find(header, SPECIMEN_NAMES) if i not in taken), None)


def _warehouse(header: tuple[str, ...], options: LayoutOptions) -> WarehouseColumns | None:
    """The warehouse table a header is, forced by ``--layout omop|pcornet`` (an
    :class:`InputError` naming the columns it lacks) or known by its columns; None for a
    plain long or wide file. A user's ``--test-column`` or ``--value-column`` makes a file
    a plain long one unless a warehouse layout is forced."""
    forced = options.layout in WAREHOUSES
    if not forced and (options.layout is not None or options.mapping):
        return None
    if not forced and (options.test_column or options.value_column or options.number_column):
        return None
    squeezed = [_squeeze(h) for h in header]
    for name, (needed, table) in WAREHOUSES.items():
        if forced and name != options.layout:
            continue
        missing = [n for n in needed if n not in squeezed]
        if missing and forced:
            named = ", ".join(_WAREHOUSE_SPELLING[n] for n in missing)
            raise InputError(f"--layout {name}: no {named} column; the file is not {table}")
        if not missing:
            break
    else:
        return None

    def first(names: tuple[str, ...]) -> int | None:
        return _first(_find(header, names))

    if name == "omop":
        return WarehouseColumns(
            name,
            concept=squeezed.index("measurementconceptid"),
            unit_concept=first(UNIT_CONCEPT_NAMES),
        )
    return WarehouseColumns(
        name,
        modifier=first(RESULT_MODIFIER_NAMES),
        low_modifier=first(LOW_MODIFIER_NAMES),
        high_modifier=first(HIGH_MODIFIER_NAMES),
        result_date=first(("resultdate",)),
        result_time=first(("resulttime",)),
    )


#: The columns a warehouse table needs, as its specification spells them.
_WAREHOUSE_SPELLING = {
    "measurementconceptid": "measurement_concept_id",
    "valueasnumber": "value_as_number",
    "labloinc": "LAB_LOINC",
    "resultnum": "RESULT_NUM",
}


def _panel_columns(
    header: tuple[str, ...],
    options: LayoutOptions,
    taken: set[int | None],
    warehouse: WarehouseColumns | None = None,
) -> PanelColumns | None:
    """The columns that group a long file's rows into panels: named with the options, else
    found by name among the columns not otherwise read. None without ``panels``, or where the
    file has neither a specimen number nor a patient and a collection time."""
    named = (
        options.patient_column,
        options.time_column,
        options.specimen_id_column,
        options.birth_column,
    )
    if not options.panels:
        return None

    def find(names: tuple[str, ...], given: str | None, option: str) -> int | None:
        if given is not None:
            return named_column(header, given, option)
        return next((i for i in _find(header, names) if i not in taken), None)

    patient = find(PATIENT_NAMES, options.patient_column, "--patient-column")
    specimen = find(SPECIMEN_ID_NAMES, options.specimen_id_column, "--specimen-column")
    birth = find(BIRTH_NAMES, options.birth_column, "--birth-column")
    taken = taken | {patient, specimen, birth}
    clock = None
    if options.time_column is not None:
        date_text, plus, clock_text = options.time_column.partition("+")
        if plus and options.time_column not in header and clock_text:
            time: int | None = named_column(header, date_text, "--time-column")
            clock = named_column(header, clock_text, "--time-column")
        else:
            time = named_column(header, options.time_column, "--time-column")
    else:
        time = find(DATETIME_NAMES, None, "")
        if time is None:
            time = find(DATE_NAMES, None, "")
            clock = find(CLOCK_NAMES, None, "")
            if time is None and warehouse is not None and warehouse.result_date is not None:
                # PCORnet without a specimen date: the result's date and time
                time, clock = warehouse.result_date, warehouse.result_time
            if time is None:  # a time column alone: it may hold dates and times
                time, clock = clock, None
    if specimen is None and (patient is None or time is None):
        if any(name is not None for name in named):
            raise InputError(
                "panels need a specimen or accession column, or a patient and a collection "
                "time column; name them with --specimen-column, or --patient-column and "
                "--time-column"
            )
        return None
    return PanelColumns(patient, time, clock, specimen, birth, options.panel_window)


def patient_and_time(layout: Layout, options: LayoutOptions) -> PanelColumns:
    """The columns of a file's patient and collection time (and time of day), as panels
    find theirs (``--patient-column``, ``--time-column``, else by name among the columns not
    otherwise read): a long file's panel columns where it has them; either may be None."""
    if layout.panels is not None:
        return layout.panels
    read: set[int | None] = {i for i in range(len(layout.header)) if i not in layout.unread}
    if layout.long is not None:
        long = layout.long
        read = {*long.tests, long.value, long.numeric, long.unit, long.flag}
    named = dataclasses.replace(options, panels=True, specimen_id_column=None, birth_column=None)
    patient = (
        named_column(layout.header, options.patient_column, "--patient-column")
        if options.patient_column is not None
        else next((i for i in _find(layout.header, PATIENT_NAMES) if i not in read), None)
    )
    try:
        found = _panel_columns(layout.header, named, read)
    except InputError:  # no time: the patient alone
        found = None
    if found is None:
        return PanelColumns(patient=patient)
    return dataclasses.replace(found, patient=patient, specimen=None, birth=None)


def named_column(header: tuple[str, ...], name: str, option: str) -> int:
    """The index of the column an option names (exactly, else ignoring case); an
    :class:`InputError` that lists the columns when there is none."""
    try:
        return _column_index(header, name, option)
    except InputError:
        shown = ", ".join(quote(h) for h in header[:30]) + (", ..." if len(header) > 30 else "")
        raise MissingColumnError(
            f"{option}: no column named {quote(name)} in the header; the columns are: {shown}"
        ) from None


class MissingColumnError(InputError):
    """An option names a column the header does not have."""


def _corrections(
    reference: Reference, columns: list[AnalyteColumn], covariates: list[CovariateColumn]
) -> tuple[tuple[str, int, int], ...]:
    """The corrections a wide file has both inputs of: the analyte's first column and the
    covariate's column."""
    found = []
    for key, correction in reference.corrections.items():
        i = next((i for i, c in enumerate(columns) if c.analyte == correction.corrects), None)
        j = next((j for j, c in enumerate(covariates) if c.covariate == correction.covariate), None)
        if i is not None and j is not None:
            found.append((key, i, j))
    return tuple(found)


def _patient_columns(header: tuple[str, ...], used: set[int | None]) -> PatientColumns:
    def first(names: tuple[str, ...]) -> int | None:
        return next((i for i in _find(header, names) if i not in used), None)

    return PatientColumns(first(AGE_NAMES), first(SEX_NAMES), first(SYMPTOM_NAMES))


# --------------------------------------------------------------------------- wide


def _column_index(header: tuple[str, ...], name: str, option: str) -> int:
    """The index of the column called ``name`` (exactly, else ignoring case)."""
    if name in header:
        return header.index(name)
    folded = [_fold(h) for h in header]
    if _fold(name) in folded:
        return folded.index(_fold(name))
    raise InputError(f"{option}: no column named {quote(name)} in the header")


def _split_header(text: str) -> tuple[str, Unit | None]:
    """``Calcium (mg/dL)`` -> ("Calcium", mg/dL); a bracket that is not a unit stays put."""
    match = _BRACKETED.match(text)
    if match and match.group("inner").strip():
        try:
            return match.group("name"), resolve_unit(match.group("inner"))
        except UnitError:
            pass
    return text, None


def analyte_key(reference: Reference, name: str) -> str | None:
    """The analyte a header or test name names (by name, alias or LOINC code), or None."""
    return reference.analyte_key(name)


def _analyte_of(text: str, reference: Reference) -> tuple[str, Unit | None] | None:
    name, unit = _split_header(text)
    key = analyte_key(reference, name)
    if key is None:
        return None
    return key, unit


def _wide_columns(
    header: tuple[str, ...], reference: Reference, mapping: Mapping[str, str]
) -> tuple[list[AnalyteColumn], list[CovariateColumn]]:
    found: dict[int, tuple[str, Unit | None]] = {}
    known = reference.specimen_words
    if mapping:
        for analyte, column in mapping.items():
            key = reference.analyte(analyte).key
            index = _column_index(header, column, f"--map {analyte}={column}")
            if names_other_specimen(header[index], known):
                raise InputError(
                    f"--map {analyte}={column}: the column names a specimen other than "
                    "serum, plasma or blood, and is never read against serum limits"
                )
            _, unit = _split_header(header[index])
            found[index] = (key, unit)
    else:
        for index, text in enumerate(header):
            recognized = None if names_other_specimen(text, known) else _analyte_of(text, reference)
            if recognized is not None:
                found[index] = recognized
    extra: dict[int, tuple[str, Unit | None]] = {}
    for index, text in enumerate(header):
        name, unit = _split_header(text)
        covariate = reference.covariate_key(name)
        if covariate is not None and index not in found and not names_other_specimen(text, known):
            extra.setdefault(index, (covariate, unit))
    # One column per covariate: the first.
    firsts = {c: index for index, (c, _) in sorted(extra.items(), reverse=True)}
    extra = {index: extra[index] for index in firsts.values()}
    units, flags, ranges = _companions(header, reference, {**found, **extra}, set(found))
    columns = [
        AnalyteColumn(
            index, header[index], key, unit, units.get(index), flags.get(index), ranges.get(index)
        )
        for index, (key, unit) in sorted(found.items())
    ]
    covariates = [
        CovariateColumn(index, header[index], key, unit, units.get(index))
        for index, (key, unit) in sorted(extra.items())
    ]
    return columns, covariates


def _companions(
    header: tuple[str, ...],
    reference: Reference,
    found: dict[int, tuple[str, Unit | None]],
    analytes: set[int],
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Match ``calcium_unit`` / ``Calcium Units`` / ``K uom`` to their analyte and covariate
    columns, and ``K flag`` / ``calcium_abnormal_flag`` and ``K ref range`` /
    ``Calcium Reference Range`` to their analyte columns: (units, flags, ranges), each a
    column index by the index of the column it belongs to."""
    by_name: dict[str, int] = {}
    for index in found:
        name, _ = _split_header(header[index])
        by_name.setdefault(_squeeze(name), index)
        by_name.setdefault(found[index][0], index)  # the analyte key itself
    kinds: tuple[tuple[re.Pattern[str], dict[int, int], bool], ...] = (
        (_UNIT_SUFFIX, {}, False),
        (_FLAG_SUFFIX, {}, True),
        (_RANGE_SUFFIX, {}, True),
    )
    for index, text in enumerate(header):
        if index in found:
            continue
        for pattern, companions, analytes_only in kinds:
            match = pattern.match(text.strip())
            if not match or not match.group("name").strip():
                continue
            prefix = match.group("name")
            target = by_name.get(_squeeze(prefix))
            if target is None:
                key = reference.analyte_key(prefix) or reference.covariate_key(prefix)
                target = by_name.get(key) if key else None
            if target is not None and (target in analytes or not analytes_only):
                companions.setdefault(target, index)
                break
    units, flags, ranges = (companions for _, companions, _ in kinds)
    return units, flags, ranges


# --------------------------------------------------------------------------- long


def _find(header: tuple[str, ...], names: tuple[str, ...]) -> list[int]:
    squeezed = [_squeeze(h) for h in header]
    return [squeezed.index(name) for name in names if name in squeezed]


def _looks_long(header: tuple[str, ...]) -> bool:
    """Whether the header has a test column and a value column of a long export."""
    return bool(_find(header, TEST_NAMES)) and bool(
        _find(header, VALUE_NAMES) or _find(header, NUMERIC_NAMES)
    )


def _first(found: list[int]) -> int | None:
    return found[0] if found else None


def _long_columns(
    header: tuple[str, ...], options: LayoutOptions, warehouse: WarehouseColumns | None = None
) -> LongColumns:
    if options.test_column:
        tests = [_column_index(header, options.test_column, "--test-column")]
    else:
        tests = _find(header, TEST_NAMES)
    if warehouse is not None and warehouse.concept is not None:
        # OMOP: the concept first, then measurement_source_value where the concept is 0
        tests = [warehouse.concept, *(i for i in tests if i != warehouse.concept)]
    # A text value column and its numeric twin (value "___" beside valuenum 4.1) are paired
    # whether either is named or both are found by their names.
    if options.value_column:
        value: int | None = _column_index(header, options.value_column, "--value-column")
    else:
        value = _first(_find(header, VALUE_NAMES))
    numeric: int | None
    if options.number_column:
        numeric = _column_index(header, options.number_column, "--number-column")
    else:
        numeric = next((i for i in _find(header, NUMERIC_NAMES) if i != value), None)
    if numeric == value:
        numeric = None
    if options.unit_column:
        unit: int | None = _column_index(header, options.unit_column, "--unit-column")
    else:
        unit = _first(_find(header, UNIT_NAMES))
    if not tests:
        raise InputError(
            "long layout: no test column (test, analyte, label, name, loinc, "
            "code ...); name one with --test-column"
        )
    if value is None and numeric is None:
        raise InputError(
            "long layout: no value column (value, result, valuenum ...); "
            "name one with --value-column"
        )
    used = {*tests, value, numeric, unit}
    low = high = rng = None
    if not options.file_ranges:
        low = next((i for i in _find(header, LOW_NAMES) if i not in used), None)
        high = next((i for i in _find(header, HIGH_NAMES) if i not in used), None)
        rng = next((i for i in _find(header, RANGE_NAMES) if i not in used), None)
        if (low is None) != (high is None):
            low = high = None  # one limit alone cannot replace an interval
    used |= {low, high, rng}
    flag = next((i for i in _find(header, FLAG_NAMES) if i not in used), None)
    return LongColumns(tuple(tests), value, numeric, unit, low, high, rng, flag)
