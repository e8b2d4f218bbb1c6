"""The frozen records a reference file becomes, and the pure helpers on them.

The file is YAML (see ``reference_ranges.yaml`` for the format, documented in its header).
:mod:`electrocheck.reference.load` reads it and the ``check_*`` modules validate it, one
module per section of the file; what they return is built of these records.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from electrocheck.errors import InputError, UnitError, UnknownAnalyteError, quote
from electrocheck.reference.changes import Changes
from electrocheck.reference.names import ANALYTES, AliasProblem, fold_name, nearest, place_alias
from electrocheck.reference.patient import UNKNOWN, AgeBand, Patient
from electrocheck.units.resolve import MMOL_PER_L, Unit, resolve_unit

if TYPE_CHECKING:  # the medicines are read on first use: their module too
    from electrocheck.reference.medicines import Medicines

#: Spasm-risk levels, from least to most.
SPASM_RISKS: tuple[str, ...] = ("none", "low", "moderate", "high")

#: The two sides of an analyte's interval: grades and patterns are given per side.
SIDES = ("low", "high")

#: What a pattern's ``when`` may ask of an analyte, and the flags that meet each: a side
#: (``low``: L or LL; ``high``: H or HH), or a flag beyond a critical limit (``LL``, ``HH``:
#: "very low", "very high", as the file's critical limits say).
PATTERN_LEVELS: dict[str, tuple[str, ...]] = {
    "low": ("LL", "L"),
    "high": ("H", "HH"),
    "LL": ("LL",),
    "HH": ("HH",),
}

#: The unit systems results can be shown in: SI (mmol/L) and conventional (mg/dL, mEq/L).
UNIT_SYSTEMS: tuple[str, ...] = ("si", "conventional")

#: Schema version this code reads.
FORMAT = 1

BUILT_IN = "built-in"
#: Largest reference file read (the built-in one is about 35 kB).
MAX_FILE_BYTES = 10_000_000


@dataclass(frozen=True)
class Sourced:
    """A number and the key of the source it comes from."""

    value: float
    source: str


@dataclass(frozen=True)
class Limits:
    """A low/high pair in the unit it was written in, with its source and mmol/L values."""

    low: float
    high: float
    unit: str
    source: str
    low_mmol: float
    high_mmol: float
    system: str  # "mass" (mg/dL, g/L) or "substance" (mmol/L, mEq/L, µmol/L)
    age: AgeBand | None = None  # the ages it applies to; None: adults, and unknown ages
    sex: str | None = None  # "female" or "male"; None: either

    def population(self) -> str:
        """Whom these limits are for: ``adults``, ``age 11d to 3y``, ``adults, female``."""
        who = "adults" if self.age is None else f"age {self.age.text}"
        return who if self.sex is None else f"{who}, {self.sex}"


@dataclass(frozen=True)
class Criterion:
    """CTCAE cut-points of one side of an analyte, in one unit.

    ``cuts`` holds ``(grade, value in unit, value in mmol/L)`` by rising grade: a value
    beyond a cut-point has at least that grade. ``symptomatic`` is ``(grade, becomes)``:
    a value of that grade is graded ``becomes`` in a patient with symptoms.
    """

    unit: str
    cuts: tuple[tuple[int, float, float], ...]
    symptomatic: tuple[int, int] | None
    source: str
    system: str = "substance"


@dataclass(frozen=True)
class GradeScale:
    """The CTCAE term of one side of an analyte (Hypokalemia) and its criteria."""

    term: str
    criteria: tuple[Criterion, ...]

    def criterion_for(self, unit: Unit) -> Criterion:
        """The criteria for a value in ``unit``: those written in the unit itself, else in
        its unit system (mg/dL for mg% or mg/L; mmol/L for mEq/L or µmol/L), else in mmol/L,
        else the first listed. CTCAE gives some cut-points in mg/dL and mmol/L that do not
        convert exactly into each other, and a value is graded by those of its own system."""
        system = unit_system(unit)
        ranked = sorted(
            self.criteria,
            key=lambda c: (c.unit != unit.spelling, c.system != system, c.unit != MMOL_PER_L),
        )
        return ranked[0]  # sorted() is stable: among equals, the first listed


class DisplayUnits(NamedTuple):
    """The unit an analyte is shown in, in each unit system (the file's ``display_units``).
    A named tuple, not a dataclass: it is built at every start (cheaper to define)."""

    si: str = MMOL_PER_L  # a substance unit
    conventional: str = MMOL_PER_L  # a mass or equivalent unit; mmol/L in a file without them

    def of(self, system: str) -> str:
        """The display unit of ``system`` (``si`` or ``conventional``)."""
        if system not in UNIT_SYSTEMS:
            raise ValueError(f"unknown unit system {system!r}")
        return self.si if system == "si" else self.conventional


@dataclass(frozen=True)
class Direction:
    """What a low (or high) level of an analyte does to muscle, and what causes it in cancer."""

    effect: str
    spasm_risk: str
    causes: tuple[str, ...]
    sources: tuple[str, ...]
    treatment: str | None = None  # what is done about it


class LoincCode(NamedTuple):
    """A LOINC code and the names LOINC gives it: the long common name (the code's source in
    the file) and, where given, the short name. Both are names the analyte is known by."""

    code: str
    name: str | None = None  # None: a plain code, as older files give it
    short: str | None = None
    omop: int | None = None  # the OMOP standard concept id of the code, where the file says


@dataclass(frozen=True)
class Analyte:
    key: str
    label: str
    aliases: tuple[str, ...]
    loinc: tuple[str, ...]  # the codes; their names are in `loinc_codes`
    molar_mass: Sourced
    valence: Sourced
    default_unit: str
    units: tuple[str, ...]  # the units labs report it in, for hints and ambiguity
    plausible: Limits
    reference: tuple[Limits, ...]
    critical: tuple[Limits, ...]
    muscle_role: str
    low: Direction
    high: Direction
    caveats: tuple[str, ...] = ()
    caveat_sources: tuple[str, ...] = ()
    caveat_brief: str | None = None  # the caveats in one short line
    grade_low: GradeScale | None = None
    grade_high: GradeScale | None = None
    loinc_codes: tuple[LoincCode, ...] = ()
    display_units: DisplayUnits = DisplayUnits()  # noqa: RUF009 - an immutable tuple

    def factor_to_mmol(self, unit: Unit) -> float:
        """Factor from ``unit`` to mmol/L for this analyte."""
        return unit.factor_to_mmol(self.molar_mass.value, int(self.valence.value))

    def to_mmol(self, value: float, unit: Unit) -> float:
        """``value`` in ``unit``, converted to mmol/L."""
        return value * self.factor_to_mmol(unit)

    def system_of(self, unit: Unit) -> str:
        """The unit system a value given in ``unit`` belongs to, from the file's data: ``si``
        for a unit of the kind of the SI display unit (mmol/L, µmol/L), else
        ``conventional`` (mg/dL, mg/L, mg%, mEq/L)."""
        return "si" if unit.kind == resolve_unit(self.display_units.si).kind else "conventional"

    def interval_for(self, unit: Unit, patient: Patient = UNKNOWN) -> Limits:
        """The reference interval for a value given in ``unit`` of ``patient``: among the
        entries for the patient's age band (else the adult ones) and sex, the first written
        in the same unit system (mass or substance), else the first."""
        return select_limits(self.reference, unit, patient)

    def critical_for(self, unit: Unit, patient: Patient = UNKNOWN) -> Limits:
        """The critical limits for a value given in ``unit``, chosen as the interval is."""
        return select_limits(self.critical, unit, patient)

    def grades(self, side: str) -> GradeScale | None:
        """The CTCAE scale of the ``low`` or ``high`` side, if the file gives one."""
        return self.grade_low if side == "low" else self.grade_high


@dataclass(frozen=True)
class Covariate:
    """A value that corrects an analyte (albumin, glucose) and is not interpreted itself."""

    key: str
    label: str
    aliases: tuple[str, ...]
    loinc: tuple[str, ...]
    molar_mass: Sourced | None  # needed only to convert between mass and substance units
    default_unit: str
    units: tuple[str, ...]
    plausible: Limits  # low_mmol/high_mmol hold the bounds in the plausible unit itself
    loinc_codes: tuple[LoincCode, ...] = ()

    def convert(self, value: float, unit: Unit, to: Unit) -> float:
        """``value`` in ``unit``, converted to ``to``."""
        if unit.kind == to.kind:
            return value * unit.to_base / to.to_base
        if "equivalent" in (unit.kind, to.kind):
            # mEq/L counts charges; a covariate has no valence in the file (glucose, albumin
            # carry none that labs report by), so reading mEq/L as mmol/L would be a guess.
            raise UnitError(
                f"{self.key}: cannot convert {unit.spelling} to {to.spelling}: an equivalent "
                f"unit needs a valence, and {self.key} has none (give {' or '.join(self.units)})"
            )
        if self.molar_mass is None:
            raise UnitError(f"{self.key}: cannot convert {unit.spelling} to {to.spelling}")
        mass = self.molar_mass.value
        return value * unit.factor_to_mmol(mass, 1) / to.factor_to_mmol(mass, 1)


@dataclass(frozen=True)
class Formula:
    """A linear correction, in the units it was written in (see the reference file)."""

    unit: str
    add: float
    per: float
    covariate_unit: str
    pivot: float
    direction: str  # "below" or "above"
    one_sided: bool
    source: str
    system: str

    def correction(self, covariate: float) -> float:
        """What to add to the measured value (in ``unit``) for a covariate value (in
        ``covariate_unit``)."""
        distance = self.pivot - covariate if self.direction == "below" else covariate - self.pivot
        if self.one_sided and distance < 0:
            return 0.0
        return self.add * distance / self.per


@dataclass(frozen=True)
class Correction:
    """A corrected result: an analyte corrected by a covariate."""

    key: str
    label: str
    corrects: str  # analyte key
    covariate: str  # covariate key
    graded: bool  # graded in place of the measured value
    formulas: tuple[Formula, ...]
    caveats: tuple[str, ...]
    caveat_sources: tuple[str, ...] = ()
    caveat_brief: str | None = None  # the caveats in one short line

    def formula_for(self, unit: Unit) -> Formula:
        """The formula of the measured value's unit system, else the first."""
        system = unit_system(unit)
        return next((f for f in self.formulas if f.system == system), self.formulas[0])


@dataclass(frozen=True)
class Pattern:
    """A note for results of two (or more) analytes abnormal together."""

    id: str
    when: tuple[tuple[str, str], ...]  # (analyte key, a level of PATTERN_LEVELS: low, HH ...)
    note: str
    sources: tuple[str, ...]
    brief: str | None = None  # the note in one short line, for a first screen
    #: Patterns whose levels this one's always meet too, said by its brief on a first screen.
    includes: tuple[str, ...] = ()
    #: The sign of ``specimen_signs`` the specimen must show (batch only), or None.
    specimen: str | None = None
    #: Judged on the values as measured (``values: measured``): a corrected result does not
    #: stand in for the analyte it corrects. For a false result of the tube (EDTA), which
    #: acts on the value measured, whatever a correction for protein binding would make of it.
    measured: bool = False

    @property
    def short(self) -> str:
        """The note as a first screen shows it: its brief form, else the note itself."""
        return self.brief or self.note


@dataclass(frozen=True)
class SpecimenWords:
    """The words batch tells a row's specimen by, and a test name that looks like an
    electrolyte's (the file's ``specimens`` and ``lookalike`` sections), each case-folded.

    Compared and hashed by value, so functions of it can be cached. A file without the
    sections has none: every specimen text is then blood or unknown, and no name looks like
    an electrolyte.
    """

    blood: frozenset[str] = frozenset()  # words of a blood specimen: serum, plasma, blood
    blood_codes: frozenset[str] = frozenset()  # a whole text of these alone: S, P, S/P
    not_given: frozenset[str] = frozenset()  # whole texts that say none is given: N/A
    other: frozenset[str] = frozenset()  # words of another specimen: urine, CSF, RBC
    other_codes: frozenset[str] = frozenset()  # a whole text of these alone: U
    electrolyte_words: frozenset[str] = frozenset()  # potassium, Kalium, natrémie
    electrolyte_symbols: frozenset[str] = frozenset()  # k, na, ca, mg, ica
    qualifiers: frozenset[str] = frozenset()  # beside a symbol: lvl, mmol, serum
    not_a_result: frozenset[str] = frozenset()  # ratio, excretion, gluconate, flag


def squeezed(text: str) -> str:
    """A header name or unit as signs compare it: case-folded, without spaces and
    punctuation: ``Hemolysis Index`` and ``hemolysis_index`` are ``hemolysisindex``,
    ``10^9/L`` is ``109l``."""
    return re.sub(r"[\W_]+", "", text.casefold().replace("μ", "u"))  # µL is uL


def header_squeezed(text: str) -> str:
    """A header name squeezed without its unit in brackets: ``Platelets (10^9/L)`` is
    ``platelets``."""
    return squeezed(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text))


def header_unit(text: str) -> str | None:
    """The unit a header gives in brackets, squeezed: ``Platelets (10^9/L)`` gives ``109l``."""
    found = re.search(r"\(([^)]*)\)|\[([^\]]*)\]", text)
    return None if found is None else squeezed(found.group(1) or found.group(2) or "")


@dataclass(frozen=True)
class SpecimenSign:
    """A sign that a specimen's results may be false, read from the columns of a lab file
    (the file's ``specimen_signs`` section): a haemolysis index or flag, a comment that says
    haemolysed, a platelet or white-cell count. Names and units are :func:`squeezed`, words
    case-folded."""

    key: str
    columns: frozenset[str]  # header names of a column that holds the sign (an index, a flag)
    comment_columns: frozenset[str] = frozenset()  # header names of a free-text comment
    words: frozenset[str] = frozenset()  # a word of a cell that says the sign: haemolysed
    positive: frozenset[str] = frozenset()  # a whole cell that says it: yes, H, 2+
    negations: frozenset[str] = frozenset()  # a word that says it is not: no, not, non
    above: float | None = None  # a number in the sign's column above this is the sign
    units: frozenset[str] = frozenset()  # the units such a number may be written in
    sources: tuple[str, ...] = ()


def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per file
class Reference:
    """A validated reference file, as :func:`~electrocheck.load_reference` returns it: its
    analytes with their names, units, limits and texts, covariates and corrections, patterns.

    >>> from electrocheck import load_reference
    >>> ref = load_reference()
    >>> ref.origin, sorted(ref.analytes)[:2]
    ('built-in', ['calcium', 'ionized_calcium'])
    >>> ref.analyte("K+").key, ref.analyte_key("no such name")
    ('potassium', None)
    """

    path: Path | None  # None for the built-in file
    title: str
    sources: Mapping[str, str]
    analytes: Mapping[str, Analyte]
    # Every name of an analyte (key, alias, LOINC code and names), folded -> analyte key.
    # Look names up with analyte_key(), which folds them by the same rule.
    names: Mapping[str, str]
    covariates: Mapping[str, Covariate] = field(default_factory=_empty)
    covariate_names: Mapping[str, str] = field(default_factory=_empty)  # as names, for them
    corrections: Mapping[str, Correction] = field(default_factory=_empty)
    patterns: tuple[Pattern, ...] = ()
    # What helps spasms besides correcting the electrolyte: (name, text) pairs, and sources.
    spasm_care: tuple[tuple[str, str], ...] = ()
    spasm_care_sources: tuple[str, ...] = ()
    # The words a name is compared without (the file's `names: ignore`), folded.
    ignore: frozenset[str] = frozenset()
    # Names more than one analyte goes by (the file's `names: ambiguous`), folded -> the
    # analytes they may mean; such a name matches none of them.
    ambiguous: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    # Words of a blood-gas report (`names: blood_gas`): left out when a name is matched, kept
    # when it is checked against the ambiguous names ("Calcium, venous" may be ionized).
    blood_gas: frozenset[str] = frozenset()
    # Ambiguous names an alias has settled (folded as the ambiguous ones) -> analyte key.
    settled: Mapping[str, str] = field(default_factory=_empty)
    # The words of specimens and of names that look like an electrolyte's (the file's
    # `specimens` and `lookalike` sections), for batch.
    specimen_words: SpecimenWords = SpecimenWords()
    # Signs of a false result read from a lab file's columns (`specimen_signs`), and the
    # patterns that need one (`patterns` entries with `specimen:`): batch only.
    specimen_signs: Mapping[str, SpecimenSign] = field(default_factory=_empty)
    specimen_patterns: tuple[Pattern, ...] = ()
    # How a patient's results are compared in time order (the file's `changes` section).
    changes: Changes = Changes()  # noqa: RUF009 - a frozen record
    # OMOP CDM concept ids (the file's `omop` section and the `omop:` of its LOINC codes):
    # a measurement concept -> its LOINC code, and a unit concept -> its unit's spelling.
    omop_concepts: Mapping[int, str] = field(default_factory=_empty)
    omop_units: Mapping[int, str] = field(default_factory=_empty)
    # Reads and checks the file's `medications` section: only when a medicine is looked up,
    # so that a check without one never parses it (see :attr:`medications`). None: none.
    medicine_reader: Callable[[], Medicines] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def medications(self) -> Medicines:
        """The medicines of the file's ``medications`` section (none without it), read and
        checked on first use; raises :class:`~electrocheck.errors.ReferenceFileError`
        listing its problems.

        >>> from electrocheck import load_reference
        >>> drug = load_reference().medications.find("Erbitux")
        >>> drug.key, [(e.analyte, e.direction) for e in drug.effects]
        ('cetuximab', [('magnesium', 'low')])
        """
        if self.medicine_reader is None:
            from electrocheck.reference.medicines import Medicines

            return Medicines()
        return self.medicine_reader()

    @property
    def origin(self) -> str:
        """``"built-in"``, or the path of the user's file."""
        return BUILT_IN if self.path is None else str(self.path)

    def analyte_key(self, name: str) -> str | None:
        """The key of the analyte called ``name``, or None: the one lookup of a name, used by
        ``check``, batch headers and test names alike. ``name`` may be a key, an alias, a
        LOINC code or LOINC name, compared by the rule of
        :mod:`~electrocheck.reference.names` (``K+``, ``Potassium Lvl``, ``LOINC:2823-3``)."""
        if self.ambiguous or self.settled:
            strict = self.strict_fold(name)
            if strict in self.settled:
                return self.settled[strict]
            if strict in self.ambiguous:
                return None
        return self.names.get(fold_name(name, self.ignore))

    def strict_fold(self, name: str) -> str:
        """``name`` folded as the ambiguous names are: the blood-gas words kept."""
        return fold_name(name, self._strict_ignore)

    @cached_property
    def _strict_ignore(self) -> frozenset[str]:
        # Derived once per reference, not at every lookup of a name.
        return self.ignore - self.blood_gas

    def covariate_key(self, name: str) -> str | None:
        """The key of the covariate called ``name``, or None, looked up as analytes are."""
        return self.covariate_names.get(fold_name(name, self.ignore))

    def analyte(self, name: str) -> Analyte:
        """The analyte called ``name`` (see :meth:`analyte_key`); an unknown name raises
        :class:`UnknownAnalyteError`, with the nearest known name as a hint."""
        key = self.analyte_key(name)
        if key is None and (meant := self.ambiguity(name)) is not None:
            raise UnknownAnalyteError(meant)
        if key is None:
            known = ", ".join(sorted(self.analytes))
            near = self.nearest_name(name)
            hint = "" if near is None else f" (did you mean {quote(near)}?)"
            raise UnknownAnalyteError(f"unknown analyte {quote(name)}{hint}; known: {known}")
        return self.analytes[key]

    def ambiguity(self, name: str) -> str | None:
        """Why ``name`` is not read, when it may mean more than one analyte; else None."""
        keys = self.ambiguous.get(self.strict_fold(name))
        if keys is None:
            return None
        meant = " or ".join(f"{self.analytes[k].label} ({k})" for k in keys)
        aliases = " or ".join(f"--alias {quote(name + '=' + k)}" for k in keys)
        return (
            f"{quote(name)} may mean {meant}, and the answer depends on which: name the one "
            f"measured, or give {aliases}"
        )

    def nearest_name(self, name: str) -> str | None:
        """The known key or alias (of an analyte or a covariate) nearest to ``name``, when it
        is close enough to be a misspelling of it. A hint for messages, never a match."""
        records: list[Analyte | Covariate] = [*self.analytes.values(), *self.covariates.values()]
        candidates = [spelling for r in records for spelling in (r.key, *r.aliases)]
        return nearest(name, candidates, self.ignore)

    def covariate(self, name: str) -> Covariate | None:
        """The covariate called ``name`` (see :meth:`analyte_key`), if any."""
        key = self.covariate_key(name)
        return None if key is None else self.covariates[key]

    def correction_of(self, analyte: str) -> Correction | None:
        """The correction of an analyte (by key), if the file has one."""
        return next((c for c in self.corrections.values() if c.corrects == analyte), None)


def select_limits(items: tuple[Limits, ...], unit: Unit, patient: Patient) -> Limits:
    """The limits that apply to a value in ``unit`` of ``patient`` (see the reference file's
    header): the patient's age band, else the adult entries; then sex; then unit system."""
    age = patient.age_days
    banded = [i for i in items if i.age is not None and age is not None and i.age.holds(age)]
    adult = [i for i in items if i.age is None]
    for pool in (banded, adult):
        fitting = [i for i in pool if i.sex is not None and i.sex == patient.sex] or [
            i for i in pool if i.sex is None
        ]
        if fitting:
            system = unit_system(unit)
            return next((i for i in fitting if i.system == system), fitting[0])
    return items[0]  # unreachable for a validated file: it has an entry for everyone


def unit_system(unit: Unit) -> str:
    """``mass`` for mg/dL and the like; ``substance`` for mmol/L, µmol/L and mEq/L."""
    return "mass" if unit.kind == "mass" else "substance"


def with_aliases(
    reference: Reference, aliases: Iterable[tuple[str, str]], option: str = "--alias"
) -> Reference:
    """``reference`` with each (label, analyte) of ``aliases`` added as a name of the analyte
    (or covariate) it names by any of its names, in order; the same reference when there are
    none. Each goes through :func:`~electrocheck.reference.names.place_alias`, as the file's
    ``aliases:`` section does. Raises :class:`~electrocheck.errors.InputError`
    (:class:`UnknownAnalyteError` for an analyte the file does not know) naming ``option``."""
    aliases = list(aliases)
    if not aliases:
        return reference
    names, covariate_names = dict(reference.names), dict(reference.covariate_names)
    ambiguous, settled = dict(reference.ambiguous), dict(reference.settled)
    added: dict[str, list[str]] = {}
    for label, target in aliases:
        strict = reference.strict_fold(label)
        if strict in ambiguous or strict in settled:  # the user says which analyte it means
            key = reference.analyte_key(target)
            if key is None:
                where = f"{option} {quote(f'{label}={target}')}"
                raise UnknownAnalyteError(f"{where}: unknown analyte {quote(target)}")
            ambiguous.pop(strict, None)
            settled[strict] = key
            added.setdefault(key, []).append(label)
            continue
        try:
            section, key, folded = place_alias(
                names, covariate_names, reference.ignore, label, target
            )
        except AliasProblem as exc:
            where = f"{option} {quote(f'{label}={target}')}"
            if exc.unknown:
                known = ", ".join(sorted(reference.analytes))
                near = reference.nearest_name(target)
                hint = "" if near is None else f" (did you mean {quote(near)}?)"
                raise UnknownAnalyteError(
                    f"{where}: unknown analyte {quote(target)}{hint}; known: {known}"
                ) from None
            raise InputError(f"{where}: {exc}") from None
        (names if section == ANALYTES else covariate_names)[folded] = key
        added.setdefault(key, []).append(label)
    return dataclasses.replace(
        reference,
        names=MappingProxyType(names),
        covariate_names=MappingProxyType(covariate_names),
        ambiguous=MappingProxyType(ambiguous),
        settled=MappingProxyType(settled),
        analytes=MappingProxyType(with_labels(reference.analytes, added)),
        covariates=MappingProxyType(with_labels(reference.covariates, added)),
    )


_Named = TypeVar("_Named", Analyte, Covariate)


def with_labels(records: Mapping[str, _Named], added: Mapping[str, list[str]]) -> dict[str, _Named]:
    """``records`` with the labels ``added`` to each (by key) appended to its aliases."""
    found: dict[str, _Named] = {}
    for key, record in records.items():
        labels = added.get(key)
        found[key] = record if not labels else _appended(record, labels)
    return found


def _appended(record: _Named, labels: list[str]) -> _Named:
    return dataclasses.replace(record, aliases=(*record.aliases, *labels))
