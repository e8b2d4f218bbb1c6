"""The units a user chooses: the unit system results are shown in, and the unit a value given
without one is read in.

The command line takes them from ``--units`` and the environment (``ELECTROCHECK_UNITS``,
``ELECTROCHECK_DEFAULT_UNITS``); the core takes them as a :class:`UnitChoice` and never reads
the environment itself.

The unit of a value is, of these, the first there is:

1. the unit written with it (``ca=9.2mg/dL``, ``na=128 mEq/L``);
2. its analyte's unit in :attr:`UnitChoice.defaults` (``ELECTROCHECK_DEFAULT_UNITS``:
   ``ca=mg/dL,mg=mg/dL``);
3. the analyte's display unit of :attr:`UnitChoice.system` (``--units conventional``: mg/dL
   for calcium, mEq/L for potassium; ``--units si``: mmol/L);
4. the reference file's ``default_unit`` (mmol/L in the built-in file).

A result whose unit was assumed says so in a note, and names where the unit came from in
cases 2 and 3. The value is then checked as any value without a unit: refused when implausible
in the assumed unit, or when another of its analyte's units would make it normal.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from electrocheck.errors import InputError, UnitError, UnitSettingError, quote
from electrocheck.reference import UNIT_SYSTEMS, Analyte, Reference
from electrocheck.units.resolve import resolve_unit

_NONE: Mapping[str, str] = MappingProxyType({})


class _Choice(NamedTuple):
    system: str | None = None
    system_from: str | None = None  # "--units conventional"; None: "conventional units"
    defaults: Mapping[str, str] = _NONE
    defaults_from: str = "default units"  # "ELECTROCHECK_DEFAULT_UNITS"


class UnitChoice(_Choice):
    """The unit system to show results in, and the units of values given without one.

    ``system``: ``"si"``, ``"conventional"``, or None to show each result in the system of
    the unit it was entered in (and to read a value without a unit in the file's default).
    ``defaults``: analyte key -> unit spelling, for values given without a unit. The
    ``*_from`` texts name where each choice came from, for the notes of assumed units.
    (A named tuple rather than a dataclass: it is defined at every start, and costs less.)

    >>> from electrocheck import UnitChoice, interpret, load_reference
    >>> us = UnitChoice(system="conventional")
    >>> interpret(load_reference(), "mg", 1.8, units=us).entered_unit
    'mg/dL'
    """

    __slots__ = ()

    def __new__(
        cls,
        system: str | None = None,
        system_from: str | None = None,
        defaults: Mapping[str, str] = _NONE,
        defaults_from: str = "default units",
    ) -> UnitChoice:
        if system is not None and system not in UNIT_SYSTEMS:
            raise UnitSettingError(
                f"unit system {quote(system)}: expected {' or '.join(UNIT_SYSTEMS)}"
            )
        return super().__new__(cls, system, system_from, defaults, defaults_from)

    def assumed(self, record: Analyte) -> tuple[str, str | None]:
        """The unit of a value of ``record`` given without one, and where it came from
        (None: the reference file's ``default_unit``)."""
        if record.key in self.defaults:
            return self.defaults[record.key], self.defaults_from
        if self.system is not None:
            source = self.system_from or f"{self.system} units"
            return record.display_units.of(self.system), source
        return record.default_unit, None


#: Each result in the system it was entered in; a value without a unit in the file's default.
AS_ENTERED = UnitChoice()


def read_system(text: str | None, source: str) -> str | None:
    """A unit system as ``source`` (an option or an environment variable) gives it: ``si`` or
    ``conventional`` in any case; empty or None when not given. Raises
    :class:`UnitSettingError` naming ``source``."""
    if text is None or not text.strip():
        return None
    system = text.strip().lower()
    if system not in UNIT_SYSTEMS:
        raise UnitSettingError(f"{source}={quote(text)}: expected {' or '.join(UNIT_SYSTEMS)}")
    return system


def read_default_units(reference: Reference, text: str | None, source: str) -> Mapping[str, str]:
    """The default units of ``NAME=UNIT,NAME=UNIT`` (``ca=mg/dL,mg=mg/dL``), as analyte key ->
    unit spelling. A name is any the reference file knows the analyte by (a name that holds a
    comma, ``calcium, total``, works too); each unit must be one of the analyte's ``units``.
    Raises :class:`UnitSettingError` naming ``source`` for anything else."""
    found: dict[str, tuple[str, str]] = {}  # key -> (unit, item)
    for item in _items(text or "", source):
        name, _, unit_text = (part.strip() for part in item.partition("="))
        record = _analyte(reference, name, source)
        if not unit_text:
            raise UnitSettingError(f"{source}: {quote(item)} gives no unit after '='")
        try:
            unit = resolve_unit(unit_text)
        except UnitError as exc:
            raise UnitSettingError(f"{source}: {quote(item)}: {exc}") from None
        if unit.spelling not in {resolve_unit(u).spelling for u in record.units}:
            raise UnitSettingError(
                f"{source}: {quote(item)}: {record.key} is reported in "
                f"{' or '.join(record.units)} (the reference file's units), not {unit.spelling}"
            )
        if record.key in found and found[record.key][0] != unit.spelling:
            raise UnitSettingError(
                f"{source}: {record.key} is given two units ({quote(found[record.key][1])}, "
                f"{quote(item)})"
            )
        found[record.key] = (unit.spelling, item)
    return MappingProxyType({key: unit for key, (unit, _) in found.items()})


def _items(text: str, source: str) -> list[str]:
    """The ``NAME=UNIT`` items of a comma-separated list; a part without ``=`` belongs to
    the name of the next (``calcium, total=mg/dL``); empty parts are left out."""
    items: list[str] = []
    pending = ""
    for part in text.split(","):
        if "=" in part:
            items.append(f"{pending},{part}" if pending else part)
            pending = ""
        elif part.strip():
            pending = f"{pending},{part}" if pending else part
    if pending:
        raise UnitSettingError(
            f"{source}: {quote(pending.strip())} is not NAME=UNIT (e.g. ca=mg/dL,mg=mg/dL)"
        )
    return [item.strip() for item in items]


def _analyte(reference: Reference, name: str, source: str) -> Analyte:
    if not name:
        raise UnitSettingError(f"{source}: a unit without a name before '='")
    if reference.analyte_key(name) is None and (covariate := reference.covariate(name)):
        raise UnitSettingError(
            f"{source}: {quote(name)} is {covariate.key}, which corrects a value and takes "
            f"{covariate.default_unit} unless its unit is given; only analytes take a default "
            "unit here"
        )
    try:
        return reference.analyte(name)
    except InputError as exc:
        raise UnitSettingError(f"{source}: {exc}") from None
