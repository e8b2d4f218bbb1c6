"""The reference file: loading, validation, and the frozen records it becomes.

The file is YAML (see ``reference_ranges.yaml`` for the format, documented in its header).
:func:`load_reference` reads it once per process and path, checks every key, and returns a
:class:`Reference`. Every problem is reported as ``FILE:LINE: key.path: what is wrong``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from electrocheck.errors import (
    PatientError,
    ReferenceFileError,
    UnitError,
    UnknownAnalyteError,
    quote,
)
from electrocheck.reference import yaml_strict
from electrocheck.reference.patient import SEXES, UNKNOWN, AgeBand, Patient, parse_age
from electrocheck.units.resolve import MMOL_PER_L, Unit, resolve_unit

#: Spasm-risk levels, from least to most.
SPASM_RISKS: tuple[str, ...] = ("none", "low", "moderate", "high")

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


@dataclass(frozen=True)
class Direction:
    """What a low (or high) level of an analyte does to muscle, and what causes it in cancer."""

    effect: str
    spasm_risk: str
    causes: tuple[str, ...]
    sources: tuple[str, ...]
    treatment: str | None = None  # what is done about it


@dataclass(frozen=True)
class Analyte:
    key: str
    label: str
    aliases: tuple[str, ...]
    loinc: tuple[str, ...]
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
    grade_low: GradeScale | None = None
    grade_high: GradeScale | None = None

    def factor_to_mmol(self, unit: Unit) -> float:
        """Factor from ``unit`` to mmol/L for this analyte."""
        return unit.factor_to_mmol(self.molar_mass.value, int(self.valence.value))

    def to_mmol(self, value: float, unit: Unit) -> float:
        """``value`` in ``unit``, converted to mmol/L."""
        return value * self.factor_to_mmol(unit)

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

    def convert(self, value: float, unit: Unit, to: Unit) -> float:
        """``value`` in ``unit``, converted to ``to``."""
        if unit.kind == to.kind:
            return value * unit.to_base / to.to_base
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

    def formula_for(self, unit: Unit) -> Formula:
        """The formula of the measured value's unit system, else the first."""
        system = unit_system(unit)
        return next((f for f in self.formulas if f.system == system), self.formulas[0])


@dataclass(frozen=True)
class Pattern:
    """A note for results of two (or more) analytes abnormal together."""

    id: str
    when: tuple[tuple[str, str], ...]  # (analyte key, "low" or "high")
    note: str
    sources: tuple[str, ...]


def _empty() -> Mapping[Any, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per file
class Reference:
    """A validated reference file."""

    path: Path | None  # None for the built-in file
    title: str
    sources: Mapping[str, str]
    analytes: Mapping[str, Analyte]
    names: Mapping[str, str]  # case-folded alias or LOINC code -> analyte key
    covariates: Mapping[str, Covariate] = field(default_factory=_empty)
    covariate_names: Mapping[str, str] = field(default_factory=_empty)  # as names, for them
    corrections: Mapping[str, Correction] = field(default_factory=_empty)
    patterns: tuple[Pattern, ...] = ()
    # What helps spasms besides correcting the electrolyte: (name, text) pairs, and sources.
    spasm_care: tuple[tuple[str, str], ...] = ()
    spasm_care_sources: tuple[str, ...] = ()

    @property
    def origin(self) -> str:
        """``"built-in"``, or the path of the user's file."""
        return BUILT_IN if self.path is None else str(self.path)

    def analyte(self, name: str) -> Analyte:
        """The analyte called ``name`` (key, alias or LOINC code, any case)."""
        key = self.names.get(name.strip().casefold())
        if key is None:
            known = ", ".join(sorted(self.analytes))
            raise UnknownAnalyteError(f"unknown analyte {quote(name)}; known: {known}")
        return self.analytes[key]

    def covariate(self, name: str) -> Covariate | None:
        """The covariate called ``name`` (key, alias or LOINC code, any case), if any."""
        key = self.covariate_names.get(name.strip().casefold())
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


# --------------------------------------------------------------------------- loading


def built_in_path() -> Path:
    """Where the built-in reference file is: inside the installed package, or, in a source
    checkout, at the repository root."""
    packaged = resources.files("electrocheck").joinpath("reference_ranges.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "reference_ranges.yaml"


def load_reference(path: str | Path | None = None) -> Reference:
    """Load and validate a reference file; ``None`` means the built-in one.

    The result is cached per path, size and modification time, so a process reads each
    file once, and again only if it changes. Raises :class:`ReferenceFileError` listing every
    problem found.
    """
    if path is None:
        return _load_cached(None, None)
    try:
        stat = Path(path).stat()
    except OSError:  # the loader reports it; nothing to cache
        return _load_cached.__wrapped__(str(path), None)
    return _load_cached(str(path), (stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=8)
def _load_cached(path: str | None, version: tuple[int, int] | None) -> Reference:
    file = built_in_path() if path is None else Path(path)
    label = "reference_ranges.yaml (built-in)" if path is None else str(file)
    try:
        if file.exists() and not file.is_file():  # a directory, a device such as /dev/zero
            raise ReferenceFileError([f"{label}: not a regular file"])
        if file.stat().st_size > MAX_FILE_BYTES:
            raise ReferenceFileError(
                [f"{label}: larger than {MAX_FILE_BYTES // 1_000_000} MB: not a reference file"]
            )
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ReferenceFileError([f"{label}: not UTF-8 text"]) from None
    except OSError as exc:
        raise ReferenceFileError([f"{label}: cannot read: {exc.strerror or exc}"]) from None
    try:
        data = yaml_strict.load(text)
    except yaml.YAMLError as exc:
        line = yaml_strict.error_line(exc)
        where = f"{label}:{line}" if line else label
        reason = getattr(exc, "problem", None) or str(exc)
        raise ReferenceFileError([f"{where}: not valid YAML: {reason}"]) from None
    except (ValueError, RecursionError) as exc:  # PyYAML lets these through (huge integers)
        raise ReferenceFileError([f"{label}: not valid YAML: {quote(str(exc))}"]) from None
    return _Validator(label, None if path is None else file).reference(data)


# --------------------------------------------------------------------------- validation


class _Invalid(Exception):
    """Raised inside the validator to abandon one field after its problem is recorded."""


_LIMIT_KEYS = {"low", "high", "unit", "source"}
_STRATA_KEYS = frozenset({"age", "sex"})
_DIRECTION_KEYS = {"effect", "spasm_risk", "causes", "sources"}
_ANALYTE_OPTIONAL = frozenset({"caveats", "caveat_sources", "grades"})
_TOP_OPTIONAL = frozenset({"covariates", "corrections", "patterns", "spasm_care"})
_GRADE_KEYS = ("grade_2", "grade_3", "grade_4")
_COVARIATE_KEYS = {"label", "aliases", "loinc", "default_unit", "units", "plausible"}
_CORRECTION_KEYS = {"label", "corrects", "covariate", "graded", "formulas"}
_FORMULA_KEYS = {
    "unit",
    "add",
    "per",
    "covariate_unit",
    "pivot",
    "direction",
    "one_sided",
    "source",
}
SIDES = ("low", "high")
_ANALYTE_KEYS = {
    "units",
    "label",
    "aliases",
    "loinc",
    "molar_mass",
    "valence",
    "default_unit",
    "plausible",
    "reference",
    "critical",
    "muscle_role",
    "low",
    "high",
}


class _Validator:
    """Turns parsed YAML into records, collecting every problem with its key path and line."""

    def __init__(self, label: str, path: Path | None) -> None:
        self.label = label
        self.path = path
        self.problems: list[str] = []
        self.sources: dict[str, str] = {}

    # -- reporting

    def fail(self, path: str, message: str, line: int | None) -> _Invalid:
        where = f"{self.label}:{line}" if line else self.label
        self.problems.append(f"{where}: {path}: {message}")
        return _Invalid()

    def attempt(self, build: Callable[[], Any]) -> Any:
        """Run one field's check; a recorded problem yields ``None`` and checking goes on."""
        try:
            return build()
        except _Invalid:
            return None

    # -- generic shapes

    def mapping(
        self,
        node: Any,
        path: str,
        line: int | None,
        required: set[str],
        optional: frozenset[str] = frozenset(),
    ) -> yaml_strict.LineDict:
        if not isinstance(node, dict):
            raise self.fail(path, f"must be a mapping, not {_kind(node)}", line)
        for key in node:
            if key not in required and key not in optional:
                allowed = ", ".join(sorted(required | optional))
                self.fail(_join(path, key), f"unknown key (allowed: {allowed})", _line(node, key))
        for key in sorted(required - set(node)):
            self.fail(_join(path, key), "missing", getattr(node, "line", line))
        if not required <= set(node):
            raise _Invalid()
        return node  # type: ignore[return-value]

    def text(self, node: Any, path: str, line: int | None) -> str:
        if not isinstance(node, str) or not node.strip():
            raise self.fail(path, f"must be non-empty text, not {_kind(node)}", line)
        return " ".join(node.split())

    def texts(self, node: Any, path: str, line: int | None) -> tuple[str, ...]:
        if not isinstance(node, list) or not node:
            raise self.fail(path, f"must be a non-empty list, not {_kind(node)}", line)
        items = [
            self.attempt(partial(self.text, item, f"{path}[{i}]", _line(node, i)))
            for i, item in enumerate(node)
        ]
        if any(item is None for item in items):
            raise _Invalid()
        return tuple(items)

    def number(self, node: Any, path: str, line: int | None) -> float:
        # bool is an int in Python; `high: yes` must not pass as 1.
        if isinstance(node, bool) or not isinstance(node, (int, float)):
            raise self.fail(path, f"must be a number, not {_kind(node)}", line)
        if not math.isfinite(node) or node < 0:
            raise self.fail(path, f"must be a finite number >= 0, not {node}", line)
        return float(node)

    def source(self, node: Any, path: str, line: int | None) -> str:
        key = self.text(node, path, line)
        if key not in self.sources:
            raise self.fail(path, f"unknown source {quote(key)}: add it under `sources:`", line)
        return key

    def unit(self, node: Any, path: str, line: int | None) -> Unit:
        spelling = self.text(node, path, line)
        try:
            return resolve_unit(spelling)
        except UnitError as exc:
            raise self.fail(path, str(exc), line) from None

    # -- the file

    def reference(self, data: Any) -> Reference:
        top = self.attempt(
            lambda: self.mapping(
                data, "(top level)", 1, {"format", "title", "sources", "analytes"}, _TOP_OPTIONAL
            )
        )
        if top is None:
            raise ReferenceFileError(self.problems)
        if type(top["format"]) is not int or top["format"] != FORMAT:
            self.fail(
                "format", f"must be {FORMAT}, not {quote(top['format'])}", _line(top, "format")
            )
        title = self.attempt(lambda: self.text(top["title"], "title", _line(top, "title")))
        self.attempt(lambda: self.read_sources(top["sources"], _line(top, "sources")))
        analytes: dict[str, Analyte] = {}
        node = top["analytes"]
        if not isinstance(node, dict) or not node:
            self.fail(
                "analytes",
                f"must be a non-empty mapping, not {_kind(node)}",
                _line(top, "analytes"),
            )
        else:
            for key, value in node.items():
                analyte = self.attempt(partial(self.analyte, key, value, _line(node, key)))
                if analyte is not None:
                    analytes[analyte.key] = analyte
        names = self.name_index(analytes, node)
        covariates = self.covariates(top)
        covariate_names = self.name_index(covariates, top.get("covariates"), "covariates")
        for name, key in covariate_names.items():
            if name in names:
                self.fail(
                    f"covariates.{key}",
                    f"name {quote(name)} is also used by analyte {names[name]}",
                    _line(top.get("covariates"), key),
                )
        # Keys of the file, valid or not: a broken analyte is reported once, not again by
        # every correction and pattern that names it.
        written = set(node) if isinstance(node, dict) else set()
        corrections = self.corrections(top, analytes, covariates, written)
        care = self.attempt(lambda: self.spasm_care(top)) or ((), ())
        fixes = top.get("corrections")
        written |= set(fixes) if isinstance(fixes, dict) else set()
        patterns = self.patterns(top, {*analytes, *corrections}, written)
        if self.problems:
            raise ReferenceFileError(self.problems)
        return Reference(
            path=self.path,
            title=title,
            sources=MappingProxyType(dict(self.sources)),
            analytes=MappingProxyType(analytes),
            names=MappingProxyType(names),
            covariates=MappingProxyType(covariates),
            covariate_names=MappingProxyType(covariate_names),
            corrections=MappingProxyType(corrections),
            patterns=patterns,
            spasm_care=care[0],
            spasm_care_sources=care[1],
        )

    def read_sources(self, node: Any, line: int | None) -> None:
        if not isinstance(node, dict) or not node:
            raise self.fail("sources", f"must be a non-empty mapping, not {_kind(node)}", line)
        for key, value in node.items():
            text = self.attempt(partial(self.text, value, f"sources.{key}", _line(node, key)))
            if text is not None:
                self.sources[str(key)] = text

    def analyte(self, key: Any, node: Any, line: int | None) -> Analyte:
        path = f"analytes.{key}"
        if not isinstance(key, str) or not key.isidentifier() or key != key.lower():
            raise self.fail(path, "analyte keys are lower-case names such as potassium", line)
        m = self.mapping(node, path, line, _ANALYTE_KEYS, _ANALYTE_OPTIONAL)

        def at(k: str) -> tuple[Any, str, int | None]:
            return m[k], f"{path}.{k}", _line(m, k)

        fields: dict[str, Any] = {
            "label": self.attempt(lambda: self.text(*at("label"))),
            "aliases": self.attempt(lambda: self.texts(*at("aliases"))),
            "loinc": self.attempt(lambda: self.texts(*at("loinc"))),
            "molar_mass": self.attempt(lambda: self.sourced(*at("molar_mass"), positive=True)),
            "valence": self.attempt(lambda: self.valence(*at("valence"))),
            "default_unit": self.attempt(lambda: self.unit(*at("default_unit")).spelling),
            "units": self.attempt(lambda: self.units(*at("units"))),
            "caveats": self.attempt(lambda: self.caveats(m, path)),
            "muscle_role": self.attempt(lambda: self.text(*at("muscle_role"))),
            "low": self.attempt(lambda: self.direction(*at("low"))),
            "high": self.attempt(lambda: self.direction(*at("high"))),
        }
        if fields["molar_mass"] is None or fields["valence"] is None:
            raise _Invalid()  # limits cannot be converted without them
        convert = _Converter(fields["molar_mass"].value, int(fields["valence"].value))
        fields["plausible"] = self.attempt(lambda: self.limits(*at("plausible"), convert))
        fields["critical"] = self.attempt(lambda: self.intervals(*at("critical"), convert))
        fields["reference"] = self.attempt(lambda: self.intervals(*at("reference"), convert))
        grades = self.attempt(lambda: self.grade_scales(m, path, convert))
        if any(value is None for value in fields.values()) or grades is None:
            raise _Invalid()
        fields["grade_low"], fields["grade_high"] = grades
        fields["caveat_sources"] = self.caveat_sources(m)
        self.check_order(path, m, fields)
        return Analyte(key=key, **fields)

    # -- grades

    def grade_scales(
        self, m: Any, path: str, convert: _Converter
    ) -> tuple[GradeScale | None, GradeScale | None]:
        if "grades" not in m:
            return None, None
        node, gpath = m["grades"], f"{path}.grades"
        if not isinstance(node, dict) or not node:
            problem = "must not be empty" if node == {} else f"must be a mapping, not {_kind(node)}"
            raise self.fail(gpath, f"{problem} (give low:, high: or both)", _line(m, "grades"))
        g = self.mapping(node, gpath, _line(m, "grades"), set(), frozenset(SIDES))
        found = {
            side: self.attempt(
                partial(self.grade_scale, g[side], f"{gpath}.{side}", _line(g, side), side, convert)
            )
            for side in SIDES
            if side in g
        }
        if any(scale is None for scale in found.values()):
            raise _Invalid()
        return found.get("low"), found.get("high")

    def grade_scale(
        self, node: Any, path: str, line: int | None, side: str, convert: _Converter
    ) -> GradeScale:
        m = self.mapping(node, path, line, {"term", "criteria"})
        term = self.attempt(lambda: self.text(m["term"], f"{path}.term", _line(m, "term")))
        items = m["criteria"]
        cpath = f"{path}.criteria"
        if not isinstance(items, list) or not items:
            raise self.fail(
                cpath, f"must be a non-empty list, not {_kind(items)}", _line(m, "criteria")
            )
        criteria = [
            self.attempt(
                partial(self.criterion, item, f"{cpath}[{i}]", _line(items, i), side, convert)
            )
            for i, item in enumerate(items)
        ]
        if term is None or any(c is None for c in criteria):
            raise _Invalid()
        units = [c.unit for c in criteria]
        for i, unit in enumerate(units):
            if unit in units[:i]:
                self.fail(f"{cpath}[{i}].unit", f"a second criterion in {unit}", _line(items, i))
        return GradeScale(term, tuple(criteria))

    def criterion(
        self, node: Any, path: str, line: int | None, side: str, convert: _Converter
    ) -> Criterion:
        m = self.mapping(
            node, path, line, {"unit", "source"}, frozenset({*_GRADE_KEYS, "symptomatic"})
        )
        unit = self.attempt(lambda: self.unit(m["unit"], f"{path}.unit", _line(m, "unit")))
        source = self.attempt(
            lambda: self.source(m["source"], f"{path}.source", _line(m, "source"))
        )
        values = {
            int(k[-1]): self.attempt(partial(self.number, m[k], f"{path}.{k}", _line(m, k)))
            for k in _GRADE_KEYS
            if k in m
        }
        if not values:
            self.fail(path, "needs at least one of grade_2, grade_3, grade_4", line)
        symptomatic = self.attempt(lambda: self.symptom_rule(m, path))
        if unit is None or source is None or None in values.values() or not values:
            raise _Invalid()
        ordered = sorted(values.items())
        for (g1, v1), (g2, v2) in itertools.pairwise(ordered):
            milder_first = v1 > v2 if side == "low" else v1 < v2
            if not milder_first:
                word = "below" if side == "low" else "above"
                self.fail(
                    f"{path}.grade_{g2}",
                    f"must be {word} grade_{g1} ({v2:g} against {v1:g}): a worse grade lies "
                    "further from the interval",
                    _line(m, f"grade_{g2}"),
                )
        cuts = tuple((grade, value, convert(value, unit)) for grade, value in ordered)
        return Criterion(unit.spelling, cuts, symptomatic, source, unit_system(unit))

    def symptom_rule(self, m: Any, path: str) -> tuple[int, int] | None:
        if "symptomatic" not in m:
            return None
        spath, line = f"{path}.symptomatic", _line(m, "symptomatic")
        rule = self.mapping(m["symptomatic"], spath, line, {"grade", "becomes"})
        grade, becomes = rule["grade"], rule["becomes"]
        if not (type(grade) is int and type(becomes) is int and 1 <= grade < becomes <= 4):
            raise self.fail(
                spath, "grade and becomes must be whole grades with 1 <= grade < becomes <= 4", line
            )
        return grade, becomes

    def units(self, node: Any, path: str, line: int | None) -> tuple[str, ...]:
        texts = self.texts(node, path, line)
        return tuple(
            self.unit(text, f"{path}[{i}]", _line(node, i)).spelling for i, text in enumerate(texts)
        )

    def caveats(self, m: Any, path: str) -> tuple[str, ...]:
        if "caveats" not in m:
            if "caveat_sources" in m:
                self.fail(
                    f"{path}.caveat_sources", "given without caveats", _line(m, "caveat_sources")
                )
            return ()
        caveats = self.texts(m["caveats"], f"{path}.caveats", _line(m, "caveats"))
        if "caveat_sources" not in m:
            raise self.fail(
                f"{path}.caveat_sources", "missing (the caveats need a source)", _line(m, "caveats")
            )
        self.source_list(m["caveat_sources"], f"{path}.caveat_sources", _line(m, "caveat_sources"))
        return caveats

    def caveat_sources(self, m: Any) -> tuple[str, ...]:
        """The sources of the caveats (already checked by :meth:`caveats`)."""
        return tuple(str(key) for key in m.get("caveat_sources") or ())

    def sourced(self, node: Any, path: str, line: int | None, positive: bool) -> Sourced:
        m = self.mapping(node, path, line, {"value", "source"})
        value = self.number(m["value"], f"{path}.value", _line(m, "value"))
        if positive and value <= 0:
            raise self.fail(f"{path}.value", "must be greater than 0", _line(m, "value"))
        return Sourced(value, self.source(m["source"], f"{path}.source", _line(m, "source")))

    def valence(self, node: Any, path: str, line: int | None) -> Sourced:
        sourced = self.sourced(node, path, line, positive=True)
        if sourced.value != int(sourced.value):
            raise self.fail(f"{path}.value", "must be a whole number (the ion's charge)", line)
        return sourced

    def direction(self, node: Any, path: str, line: int | None) -> Direction:
        m = self.mapping(node, path, line, _DIRECTION_KEYS, frozenset({"treatment"}))
        risk = m["spasm_risk"]
        if risk not in SPASM_RISKS:
            raise self.fail(
                f"{path}.spasm_risk",
                f"must be one of {', '.join(SPASM_RISKS)}, not {quote(risk)}",
                _line(m, "spasm_risk"),
            )
        effect = self.attempt(lambda: self.text(m["effect"], f"{path}.effect", _line(m, "effect")))
        causes = self.attempt(lambda: self.texts(m["causes"], f"{path}.causes", _line(m, "causes")))
        sources = self.attempt(
            lambda: self.source_list(m["sources"], f"{path}.sources", _line(m, "sources"))
        )
        treatment = (
            self.attempt(
                lambda: self.text(m["treatment"], f"{path}.treatment", _line(m, "treatment"))
            )
            if "treatment" in m
            else None
        )
        if effect is None or causes is None or sources is None:
            raise _Invalid()
        if "treatment" in m and treatment is None:
            raise _Invalid()
        return Direction(effect, risk, causes, sources, treatment)

    def source_list(self, node: Any, path: str, line: int | None) -> tuple[str, ...]:
        keys = self.texts(node, path, line)
        for i, key in enumerate(keys):
            if key not in self.sources:
                self.fail(f"{path}[{i}]", f"unknown source {quote(key)}", _line(node, i))
        return keys

    def limits(
        self,
        node: Any,
        path: str,
        line: int | None,
        convert: Callable[[float, Unit], float],
        strata: bool = False,
    ) -> Limits:
        m = self.mapping(node, path, line, _LIMIT_KEYS, _STRATA_KEYS if strata else frozenset())
        age = self.attempt(lambda: self.age_band(m, path)) if "age" in m else None
        sex = self.attempt(lambda: self.sex(m, path)) if "sex" in m else None
        low = self.attempt(lambda: self.number(m["low"], f"{path}.low", _line(m, "low")))
        high = self.attempt(lambda: self.number(m["high"], f"{path}.high", _line(m, "high")))
        unit = self.attempt(lambda: self.unit(m["unit"], f"{path}.unit", _line(m, "unit")))
        source = self.attempt(
            lambda: self.source(m["source"], f"{path}.source", _line(m, "source"))
        )
        if low is None or high is None or unit is None or source is None:
            raise _Invalid()
        if ("age" in m and age is None) or ("sex" in m and sex is None):
            raise _Invalid()
        if high <= low:
            raise self.fail(
                f"{path}.high", f"must be greater than low ({high} <= {low})", _line(m, "high")
            )
        return Limits(
            low,
            high,
            unit.spelling,
            source,
            convert(low, unit),
            convert(high, unit),
            unit_system(unit),
            age,
            sex,
        )

    def age_band(self, m: Any, path: str) -> AgeBand:
        apath, line = f"{path}.age", _line(m, "age")
        band = self.mapping(m["age"], apath, line, {"from", "to"})
        ends = []
        for key in ("from", "to"):
            text = str(band[key]) if isinstance(band[key], (int, float, str)) else None
            try:
                if text is None or isinstance(band[key], bool):
                    raise PatientError("expected an age such as 0d, 11d, 6mo or 3y")
                ends.append(parse_age(text))
            except PatientError as exc:
                raise self.fail(f"{apath}.{key}", str(exc), _line(band, key)) from None
        if not ends[0] < ends[1]:
            raise self.fail(f"{apath}.to", "must be an older age than from", _line(band, "to"))
        return AgeBand(ends[0], ends[1], f"{band['from']} to {band['to']}")

    def sex(self, m: Any, path: str) -> str:
        if m["sex"] not in SEXES:
            raise self.fail(
                f"{path}.sex", f"must be female or male, not {quote(m['sex'])}", _line(m, "sex")
            )
        return str(m["sex"])

    def intervals(
        self, node: Any, path: str, line: int | None, convert: _Converter
    ) -> tuple[Limits, ...]:
        if not isinstance(node, list) or not node:
            raise self.fail(path, f"must be a non-empty list, not {_kind(node)}", line)
        items = [
            self.attempt(
                partial(self.limits, item, f"{path}[{i}]", _line(node, i), convert, strata=True)
            )
            for i, item in enumerate(node)
        ]
        if any(item is None for item in items):
            raise _Invalid()
        seen: dict[tuple[str, str | None, str | None], int] = {}
        for i, item in enumerate(items):
            group = (item.system, item.age.text if item.age else None, item.sex)
            if group in seen:
                self.fail(
                    f"{path}[{i}]",
                    f"a second entry in {item.system} units for {item.population()} (the "
                    f"first is [{seen[group]}]); only one per unit system is used",
                    _line(node, i),
                )
            seen.setdefault(group, i)
        if not any(item.age is None and item.sex is None for item in items):
            raise self.fail(path, "needs an entry without age and sex (for adults)", line)
        return tuple(items)

    def check_order(self, path: str, m: Any, fields: dict[str, Any]) -> None:
        """plausible.low < critical.low < reference.low < reference.high < critical.high <
        plausible.high, all in mmol/L, for every pair of interval and critical limits that
        can apply together: each age band, sex and unit system, chosen as values are."""
        plausible = fields["plausible"]
        reference, critical = fields["reference"], fields["critical"]
        reported: set[str] = set()
        for patient, unit in _cases(reference + critical):
            interval = select_limits(reference, unit, patient)
            limit = select_limits(critical, unit, patient)
            i, j = reference.index(interval), critical.index(limit)
            # (key in the file, name in messages, value in mmol/L)
            chain = [
                ("plausible", "plausible.low", plausible.low_mmol),
                ("critical", f"critical[{j}].low", limit.low_mmol),
                ("reference", f"reference[{i}].low", interval.low_mmol),
                ("reference", f"reference[{i}].high", interval.high_mmol),
                ("critical", f"critical[{j}].high", limit.high_mmol),
                ("plausible", "plausible.high", plausible.high_mmol),
            ]
            for (_, name_a, a), (key_b, name_b, b) in itertools.pairwise(chain):
                message = f"must be above {name_a} once both are in mmol/L ({b:g} <= {a:g})"
                if not a < b and message not in reported:
                    reported.add(message)
                    self.fail(f"{path}.{name_b}", message, _line(m, key_b))

    # -- covariates, corrections, patterns

    def covariates(self, top: Any) -> dict[str, Covariate]:
        node = top.get("covariates")
        if node is None:
            return {}
        if not isinstance(node, dict):
            self.fail(
                "covariates", f"must be a mapping, not {_kind(node)}", _line(top, "covariates")
            )
            return {}
        found: dict[str, Covariate] = {}
        for key, value in node.items():
            covariate = self.attempt(partial(self.covariate, key, value, _line(node, key)))
            if covariate is not None:
                found[key] = covariate
        return found

    def covariate(self, key: Any, node: Any, line: int | None) -> Covariate:
        path = f"covariates.{key}"
        if not isinstance(key, str) or not key.isidentifier() or key != key.lower():
            raise self.fail(path, "covariate keys are lower-case names such as albumin", line)
        m = self.mapping(node, path, line, _COVARIATE_KEYS, frozenset({"molar_mass"}))

        def at(k: str) -> tuple[Any, str, int | None]:
            return m[k], f"{path}.{k}", _line(m, k)

        label = self.attempt(lambda: self.text(*at("label")))
        aliases = self.attempt(lambda: self.texts(*at("aliases")))
        loinc = self.attempt(lambda: self.texts(*at("loinc")))
        molar_mass = (
            self.attempt(lambda: self.sourced(*at("molar_mass"), positive=True))
            if "molar_mass" in m
            else None
        )
        default = self.attempt(lambda: self.unit(*at("default_unit")))
        units = self.attempt(lambda: self.units(*at("units")))
        # The bounds stay in their own unit (low_mmol is low): see Covariate.plausible.
        plausible = self.attempt(lambda: self.limits(*at("plausible"), _unconverted))
        if None in (label, aliases, loinc, default, units, plausible) or (
            "molar_mass" in m and molar_mass is None
        ):
            raise _Invalid()
        kinds = {resolve_unit(u).kind for u in (*units, default.spelling, plausible.unit)}
        if "equivalent" in kinds or (len(kinds) > 1 and molar_mass is None):
            raise self.fail(
                f"{path}.units",
                "covariate units must be mass or substance units; mixing the two needs a "
                "molar_mass",
                _line(m, "units"),
            )
        return Covariate(key, label, aliases, loinc, molar_mass, default.spelling, units, plausible)

    def corrections(
        self,
        top: Any,
        analytes: dict[str, Analyte],
        covariates: dict[str, Covariate],
        written: set[str],
    ) -> dict[str, Correction]:
        node = top.get("corrections")
        if node is None:
            return {}
        if not isinstance(node, dict):
            self.fail(
                "corrections", f"must be a mapping, not {_kind(node)}", _line(top, "corrections")
            )
            return {}
        found: dict[str, Correction] = {}
        for key, value in node.items():
            correction = self.attempt(
                partial(
                    self.correction, key, value, _line(node, key), analytes, covariates, written
                )
            )
            if correction is None:
                continue
            if key in analytes or any(c.corrects == correction.corrects for c in found.values()):
                self.fail(
                    f"corrections.{key}",
                    "its key is an analyte's, or its analyte already has a correction",
                    _line(node, key),
                )
                continue
            found[key] = correction
        return found

    def correction(
        self,
        key: Any,
        node: Any,
        line: int | None,
        analytes: dict[str, Analyte],
        covariates: dict[str, Covariate],
        written: set[str],
    ) -> Correction:
        path = f"corrections.{key}"
        if not isinstance(key, str) or not key.isidentifier() or key != key.lower():
            raise self.fail(path, "correction keys are lower-case names", line)
        m = self.mapping(node, path, line, _CORRECTION_KEYS, _ANALYTE_OPTIONAL - {"grades"})
        label = self.attempt(lambda: self.text(m["label"], f"{path}.label", _line(m, "label")))
        caveats = self.attempt(lambda: self.caveats(m, path))
        corrects, covariate = m["corrects"], m["covariate"]
        if corrects not in written:
            self.fail(f"{path}.corrects", f"no analyte {quote(corrects)}", _line(m, "corrects"))
        if covariate not in covariates:
            self.fail(
                f"{path}.covariate", f"no covariate {quote(covariate)}", _line(m, "covariate")
            )
        if not isinstance(m["graded"], bool):
            self.fail(f"{path}.graded", "must be true or false", _line(m, "graded"))
        items = m["formulas"]
        if not isinstance(items, list) or not items:
            raise self.fail(f"{path}.formulas", "must be a non-empty list", _line(m, "formulas"))
        formulas = [
            self.attempt(partial(self.formula, item, f"{path}.formulas[{i}]", _line(items, i)))
            for i, item in enumerate(items)
        ]
        if (
            label is None
            or caveats is None
            or None in formulas
            or corrects not in analytes
            or covariate not in covariates
            or not isinstance(m["graded"], bool)
        ):
            raise _Invalid()
        reachable = self.attempt(
            lambda: self.covariate_units(covariates[covariate], formulas, path, items)
        )
        if reachable is None:
            raise _Invalid()
        return Correction(
            key,
            label,
            corrects,
            covariate,
            m["graded"],
            tuple(formulas),
            tuple(caveats),
            self.caveat_sources(m),
        )

    def covariate_units(
        self, covariate: Covariate, formulas: list[Formula], path: str, items: Any
    ) -> bool:
        """Every unit the covariate may come in must convert to each formula's unit."""
        for i, formula in enumerate(formulas):
            target = resolve_unit(formula.covariate_unit)
            for spelling in (covariate.default_unit, *covariate.units):
                try:
                    covariate.convert(1.0, resolve_unit(spelling), target)
                except UnitError:
                    raise self.fail(
                        f"{path}.formulas[{i}].covariate_unit",
                        f"{covariate.key} in {spelling} cannot be converted to "
                        f"{target.spelling} (give the covariate a molar_mass, or another unit)",
                        _line(items, i),
                    ) from None
        return True

    def formula(self, node: Any, path: str, line: int | None) -> Formula:
        m = self.mapping(node, path, line, _FORMULA_KEYS)

        def at(k: str) -> tuple[Any, str, int | None]:
            return m[k], f"{path}.{k}", _line(m, k)

        unit = self.attempt(lambda: self.unit(*at("unit")))
        covariate_unit = self.attempt(lambda: self.unit(*at("covariate_unit")))
        numbers = [self.attempt(partial(self.number, *at(k))) for k in ("add", "per", "pivot")]
        source = self.attempt(lambda: self.source(*at("source")))
        if m["direction"] not in ("below", "above"):
            self.fail(f"{path}.direction", "must be below or above", _line(m, "direction"))
        if not isinstance(m["one_sided"], bool):
            self.fail(f"{path}.one_sided", "must be true or false", _line(m, "one_sided"))
        if None in (unit, covariate_unit, source, *numbers) or m["direction"] not in (
            "below",
            "above",
        ):
            raise _Invalid()
        add, per, pivot = numbers
        if per <= 0:
            raise self.fail(f"{path}.per", "must be greater than 0", _line(m, "per"))
        return Formula(
            unit.spelling,
            add,
            per,
            covariate_unit.spelling,
            pivot,
            m["direction"],
            bool(m["one_sided"]),
            source,
            unit_system(unit),
        )

    def spasm_care(self, top: Any) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        if "spasm_care" not in top:
            return (), ()
        path, line = "spasm_care", _line(top, "spasm_care")
        m = self.mapping(top["spasm_care"], path, line, {"measures", "sources"})
        items = m["measures"]
        if not isinstance(items, list) or not items:
            raise self.fail(f"{path}.measures", "must be a non-empty list", _line(m, "measures"))
        measures = [
            self.attempt(partial(self.measure, item, f"{path}.measures[{i}]", _line(items, i)))
            for i, item in enumerate(items)
        ]
        sources = self.attempt(
            lambda: self.source_list(m["sources"], f"{path}.sources", _line(m, "sources"))
        )
        if None in measures or sources is None:
            raise _Invalid()
        return tuple(measures), sources

    def measure(self, node: Any, path: str, line: int | None) -> tuple[str, str]:
        entry = self.mapping(node, path, line, {"name", "text"})
        name = self.attempt(lambda: self.text(entry["name"], f"{path}.name", _line(entry, "name")))
        text = self.attempt(lambda: self.text(entry["text"], f"{path}.text", _line(entry, "text")))
        if name is None or text is None:
            raise _Invalid()
        return name, text

    def patterns(self, top: Any, known: set[str], written: set[str]) -> tuple[Pattern, ...]:
        node = top.get("patterns")
        if node is None:
            return ()
        if not isinstance(node, list):
            self.fail("patterns", f"must be a list, not {_kind(node)}", _line(top, "patterns"))
            return ()
        found = [
            self.attempt(
                partial(self.pattern, item, f"patterns[{i}]", _line(node, i), known, written)
            )
            for i, item in enumerate(node)
        ]
        kept = tuple(p for p in found if p is not None)
        ids = [p.id for p in kept]
        for i, name in enumerate(ids):
            if name in ids[:i]:
                self.fail(f"patterns[{i}].id", f"{quote(name)} is used twice", _line(node, i))
        return kept

    def pattern(
        self, node: Any, path: str, line: int | None, known: set[str], written: set[str]
    ) -> Pattern:
        m = self.mapping(node, path, line, {"id", "when", "note", "sources"})
        name = self.text(m["id"], f"{path}.id", _line(m, "id"))
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name):
            raise self.fail(
                f"{path}.id", "must be lower-case words joined by '-', such as mg-first-k", line
            )
        when = m["when"]
        if not isinstance(when, dict) or len(when) < 2:
            raise self.fail(f"{path}.when", "must map two or more analytes to low or high", line)
        for analyte, side in when.items():
            if (analyte not in known and analyte not in written) or side not in SIDES:
                self.fail(
                    f"{path}.when.{_join(path, analyte).rsplit('.', 1)[-1]}",
                    f"expected a known analyte and low or high, not {quote(analyte)}: "
                    f"{quote(side)}",
                    _line(when, analyte),
                )
        note = self.text(m["note"], f"{path}.note", _line(m, "note"))
        sources = self.source_list(m["sources"], f"{path}.sources", _line(m, "sources"))
        if any(a not in known or s not in SIDES for a, s in when.items()):
            raise _Invalid()
        return Pattern(name, tuple((str(a), str(s)) for a, s in when.items()), note, sources)

    def name_index(
        self, analytes: Mapping[str, Analyte | Covariate], node: Any, section: str = "analytes"
    ) -> dict[str, str]:
        names: dict[str, str] = {}
        for analyte in analytes.values():
            for name in (analyte.key, *analyte.aliases, *analyte.loinc):
                folded = name.casefold()
                other = names.setdefault(folded, analyte.key)
                if other != analyte.key:
                    self.fail(
                        f"{section}.{analyte.key}",
                        f"name {quote(name)} is also used by {other}",
                        _line(node, analyte.key),
                    )
        return names


def _cases(items: tuple[Limits, ...]) -> list[tuple[Patient, Unit]]:
    """One patient and unit for every combination of age band, sex and unit system that
    the entries can tell apart: an age at the start of each band (and at each band's end,
    where another may begin), no age, each sex and none, and each unit the entries use."""
    edges = sorted({e for i in items if i.age for e in (i.age.start, i.age.end)})
    ages: list[float | None] = [None, *edges]
    units = {i.unit: resolve_unit(i.unit) for i in items}
    return [
        (Patient(age, sex), unit)
        for age in ages
        for sex in (None, *SEXES)
        for unit in units.values()
    ]


def _unconverted(value: float, unit: Unit) -> float:
    return value


class _Converter:
    """Converts a limit to mmol/L for one analyte."""

    def __init__(self, molar_mass: float, valence: int) -> None:
        self.molar_mass = molar_mass
        self.valence = valence

    def __call__(self, value: float, unit: Unit) -> float:
        return value * unit.factor_to_mmol(self.molar_mass, self.valence)


def _join(path: str, key: Any) -> str:
    """``path.key``; a key that is not short plain text is quoted and shortened."""
    name = key if isinstance(key, str) and len(key) <= 40 and key.isprintable() else quote(key)
    return name if path == "(top level)" else f"{path}.{name}"


def _line(node: Any, key: Any) -> int | None:
    """The line of ``key`` (or list index) in a node read by :mod:`yaml_strict`, if known."""
    lines = getattr(node, "lines", None)
    line: Any = None
    if isinstance(lines, dict):
        line = lines.get(key)
    elif isinstance(lines, list) and isinstance(key, int) and key < len(lines):
        line = lines[key]
    return line if isinstance(line, int) else None


def _kind(node: Any) -> str:
    if node is None:
        return "empty"
    for kind, word in ((bool, "true/false"), (dict, "a mapping"), (list, "a list"), (str, "text")):
        if isinstance(node, kind):
            return word
    return f"a {type(node).__name__}"
