"""The reference file: loading, validation, and the frozen records it becomes.

The file is YAML (see ``reference_ranges.yaml`` for the format, documented in its header).
:func:`load_reference` reads it once per process and path, checks every key, and returns a
:class:`Reference`. Every problem is reported as ``FILE:LINE: key.path: what is wrong``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from electrocheck import yaml_strict
from electrocheck.errors import ReferenceFileError, UnitError, UnknownAnalyteError, quote
from electrocheck.units import Unit, resolve_unit

#: Spasm-risk levels, from least to most.
SPASM_RISKS: tuple[str, ...] = ("none", "low", "moderate", "high")

#: Schema version this code reads.
FORMAT = 1

BUILT_IN = "built-in"


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


@dataclass(frozen=True)
class Direction:
    """What a low (or high) level of an analyte does to muscle, and what causes it in cancer."""

    effect: str
    spasm_risk: str
    causes: tuple[str, ...]
    sources: tuple[str, ...]


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

    def factor_to_mmol(self, unit: Unit) -> float:
        """Factor from ``unit`` to mmol/L for this analyte."""
        return unit.factor_to_mmol(self.molar_mass.value, int(self.valence.value))

    def to_mmol(self, value: float, unit: Unit) -> float:
        """``value`` in ``unit``, converted to mmol/L."""
        return value * self.factor_to_mmol(unit)

    def interval_for(self, unit: Unit) -> Limits:
        """The reference interval for a value given in ``unit``: the first written in the same
        unit system (mass or substance), else the first listed."""
        return _in_system(self.reference, unit)

    def critical_for(self, unit: Unit) -> Limits:
        """The critical limits for a value given in ``unit``, chosen as the interval is."""
        return _in_system(self.critical, unit)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per file
class Reference:
    """A validated reference file."""

    path: Path | None  # None for the built-in file
    title: str
    sources: Mapping[str, str]
    analytes: Mapping[str, Analyte]
    names: Mapping[str, str]  # case-folded alias or LOINC code -> analyte key

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


def _in_system(items: tuple[Limits, ...], unit: Unit) -> Limits:
    system = unit_system(unit)
    return next((item for item in items if item.system == system), items[0])


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
    return Path(__file__).resolve().parent.parent / "reference_ranges.yaml"


def load_reference(path: str | Path | None = None) -> Reference:
    """Load and validate a reference file; ``None`` means the built-in one.

    The result is cached per path, so a process reads each file once.
    Raises :class:`ReferenceFileError` listing every problem found.
    """
    return _load_cached(None if path is None else str(path))


@lru_cache(maxsize=8)
def _load_cached(path: str | None) -> Reference:
    file = built_in_path() if path is None else Path(path)
    label = "reference_ranges.yaml (built-in)" if path is None else str(file)
    try:
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
_DIRECTION_KEYS = {"effect", "spasm_risk", "causes", "sources"}
_ANALYTE_OPTIONAL = frozenset({"caveats", "caveat_sources"})
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
            lambda: self.mapping(data, "(top level)", 1, {"format", "title", "sources", "analytes"})
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
        if self.problems:
            raise ReferenceFileError(self.problems)
        return Reference(
            path=self.path,
            title=title,
            sources=MappingProxyType(dict(self.sources)),
            analytes=MappingProxyType(analytes),
            names=MappingProxyType(names),
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
        if any(value is None for value in fields.values()):
            raise _Invalid()
        self.check_order(path, m, fields)
        return Analyte(key=key, **fields)

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
        m = self.mapping(node, path, line, _DIRECTION_KEYS)
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
        if effect is None or causes is None or sources is None:
            raise _Invalid()
        return Direction(effect, risk, causes, sources)

    def source_list(self, node: Any, path: str, line: int | None) -> tuple[str, ...]:
        keys = self.texts(node, path, line)
        for i, key in enumerate(keys):
            if key not in self.sources:
                self.fail(f"{path}[{i}]", f"unknown source {quote(key)}", _line(node, i))
        return keys

    def limits(self, node: Any, path: str, line: int | None, convert: _Converter) -> Limits:
        m = self.mapping(node, path, line, _LIMIT_KEYS)
        low = self.attempt(lambda: self.number(m["low"], f"{path}.low", _line(m, "low")))
        high = self.attempt(lambda: self.number(m["high"], f"{path}.high", _line(m, "high")))
        unit = self.attempt(lambda: self.unit(m["unit"], f"{path}.unit", _line(m, "unit")))
        source = self.attempt(
            lambda: self.source(m["source"], f"{path}.source", _line(m, "source"))
        )
        if low is None or high is None or unit is None or source is None:
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
        )

    def intervals(
        self, node: Any, path: str, line: int | None, convert: _Converter
    ) -> tuple[Limits, ...]:
        if not isinstance(node, list) or not node:
            raise self.fail(path, f"must be a non-empty list, not {_kind(node)}", line)
        items = [
            self.attempt(partial(self.limits, item, f"{path}[{i}]", _line(node, i), convert))
            for i, item in enumerate(node)
        ]
        if any(item is None for item in items):
            raise _Invalid()
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.system in seen:
                self.fail(
                    f"{path}[{i}]",
                    f"a second interval in {item.system} units (the "
                    f"first is reference[{seen[item.system]}]); only one per unit system "
                    "is used",
                    _line(node, i),
                )
            seen.setdefault(item.system, i)
        return tuple(items)

    def check_order(self, path: str, m: Any, fields: dict[str, Any]) -> None:
        """plausible.low < critical.low < reference.low < reference.high < critical.high <
        plausible.high, all in mmol/L, for every interval and critical pair."""
        plausible = fields["plausible"]
        for i, interval in enumerate(fields["reference"]):
            for j, critical in enumerate(fields["critical"]):
                # (key in the file, name in messages, value in mmol/L)
                chain = [
                    ("plausible", "plausible.low", plausible.low_mmol),
                    ("critical", f"critical[{j}].low", critical.low_mmol),
                    ("reference", f"reference[{i}].low", interval.low_mmol),
                    ("reference", f"reference[{i}].high", interval.high_mmol),
                    ("critical", f"critical[{j}].high", critical.high_mmol),
                    ("plausible", "plausible.high", plausible.high_mmol),
                ]
                for (_, name_a, a), (key_b, name_b, b) in itertools.pairwise(chain):
                    if not a < b:
                        self.fail(
                            f"{path}.{name_b}",
                            f"must be above {name_a} once both are in mmol/L ({b:g} <= {a:g})",
                            _line(m, key_b),
                        )

    def name_index(self, analytes: dict[str, Analyte], node: Any) -> dict[str, str]:
        names: dict[str, str] = {}
        for analyte in analytes.values():
            for name in (analyte.key, *analyte.aliases, *analyte.loinc):
                folded = name.casefold()
                other = names.setdefault(folded, analyte.key)
                if other != analyte.key:
                    self.fail(
                        f"analytes.{analyte.key}",
                        f"name {quote(name)} is also used by {other}",
                        _line(node, analyte.key),
                    )
        return names


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
