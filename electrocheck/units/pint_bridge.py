"""The one pint registry, and the unit table it generates.

pint resolves every unit spelling electrocheck accepts into a *kind* (an amount of substance,
a mass, or equivalents, per volume) and a factor to that kind's base unit (mol/L, g/L, Eq/L).
Importing pint and building its registry takes about 150 ms, longer than a clinician should
wait for the whole answer, so the resolutions of the lab spellings
(:data:`~electrocheck.units.spellings.LAB_SPELLINGS` and
:data:`~electrocheck.units.spellings.EXACT_SPELLINGS`) are generated ahead of time into
``unit_table.json`` (``python -m electrocheck.units.pint_bridge`` rewrites it; a test checks
it against live pint).
Only a spelling outside that table imports pint, once per process.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from importlib import resources
from typing import Any

from electrocheck.errors import UnitError
from electrocheck.units.spellings import PINT_EXPRESSIONS, canonical_spellings

#: Base unit of each kind, as pint spells it.
BASE_UNITS: dict[str, str] = {"substance": "mol/L", "mass": "g/L", "equivalent": "Eq/L"}


@lru_cache(maxsize=1)
def registry() -> Any:
    """The pint registry of ``units.txt``, built once per process."""
    import pint

    definitions = resources.files("electrocheck.units").joinpath("units.txt")
    with resources.as_file(definitions) as path:
        return pint.UnitRegistry(str(path), cache_folder=None)


def _dimension_word(quantity: Any) -> str:
    """A readable name for what a wrongly-dimensioned unit measures."""
    dims = str(quantity.dimensionality)
    words = {
        "[mass]": "a mass",
        "[length]": "a length",
        "[mass] / [length] / [time] ** 2": "a pressure",
        "[substance]": "an amount of substance",
        "[length] ** 3": "a volume",
        "[time]": "a time",
        "dimensionless": "a pure number",
    }
    return words.get(dims, f"of dimension {dims}")


def resolve_with_pint(expression: str) -> tuple[str, float]:
    """Resolve a unit expression to ``(kind, factor to the kind's base unit)`` through pint.

    Raises :class:`UnitError` for an unknown unit or one that is not a concentration; its
    message is the reason alone ("is a mass, not a concentration"), for the caller to prefix.
    """
    ureg = registry()
    try:
        quantity = ureg.parse_expression(expression)
    except Exception as exc:  # pint raises many types for bad syntax; all mean "unknown"
        raise UnitError("is not a unit electrocheck knows") from exc
    # pint returns a plain number or a dimensionless quantity for "5" or "%", by version.
    if not hasattr(quantity, "to") or quantity.dimensionless:
        raise UnitError("is a pure number, not a concentration")
    for kind, base in BASE_UNITS.items():
        try:
            factor = float(quantity.to(base).magnitude)
        except Exception:  # DimensionalityError: try the next kind
            continue
        return kind, factor
    raise UnitError(f"is {_dimension_word(quantity)}, not a concentration")


def build_table() -> dict[str, list[Any]]:
    """Resolve the pint expression of every lab spelling through pint."""
    table: dict[str, list[Any]] = {}
    expressions = {PINT_EXPRESSIONS.get(s, s) for s in canonical_spellings()}
    for expression in sorted(expressions):
        kind, factor = resolve_with_pint(expression)
        table[expression] = [kind, factor]
    return table


def main() -> None:
    """Write the generated table to ``electrocheck/unit_table.json``, or print it with ``-``."""
    text = json.dumps(build_table(), indent=1, sort_keys=True) + "\n"
    if sys.argv[1:] == ["-"]:
        sys.stdout.write(text)
        return
    target = resources.files("electrocheck.units").joinpath("unit_table.json")
    with resources.as_file(target) as path:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
