"""What every section of the reference file is checked with.

:class:`Checker` holds the file's label and path, the problems found so far and the citation
keys of its ``sources:`` section, and checks the shapes every section is built of: mappings
with required and optional keys, text, numbers, units, source keys, ``{value, source}`` pairs
and caveats. The ``check_*`` modules check one section each, with a :class:`Checker`.

A check that finds a problem records it (``FILE:LINE: key.path: what is wrong``) and raises
:class:`_Invalid`; :meth:`Checker.attempt` turns that into ``None``, so checking goes on and
every problem of a file is reported at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from electrocheck.errors import UnitError, quote
from electrocheck.reference import yaml_strict
from electrocheck.reference.model import Sourced
from electrocheck.units.resolve import Unit, resolve_unit
from electrocheck.units.tokens import Written


class _Invalid(Exception):
    """Raised inside the validator to abandon one field after its problem is recorded."""


#: The optional keys of caveats, in an analyte or a correction (see :meth:`Checker.caveats`).
_CAVEAT_KEYS = frozenset({"caveats", "caveat_sources", "caveat_brief"})
#: The most characters a short form (``brief``, ``caveat_brief``) may hold: it is printed on
#: one line of an 80-column terminal, after a marker.
BRIEF_LENGTH = 74


class Checker:
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

    def words(
        self,
        node: Any,
        path: str,
        line: int | None,
        fold: Callable[[str], str],
        form: re.Pattern[str] | None = None,
        what: str = "",
    ) -> frozenset[str]:
        """A list of words (``names: ignore``, ``specimens: other`` ...), each folded by
        ``fold``; with ``form``, a folded word that is not all of that form (``what`` says
        which) is reported at its own line."""
        found = set()
        for i, word in enumerate(self.texts(node, path, line)):
            folded = fold(word)
            if form is not None and not form.fullmatch(folded):
                self.fail(f"{path}[{i}]", f"must be {what}, not {quote(word)}", _line(node, i))
            found.add(folded)
        return frozenset(found)

    def brief(self, node: Any, path: str, line: int | None) -> str:
        """A short form of a longer text, printed on one line of a first screen."""
        text = self.text(node, path, line)
        if len(text) > BRIEF_LENGTH:
            raise self.fail(
                path,
                f"must fit on one line: at most {BRIEF_LENGTH} characters, not {len(text)}",
                line,
            )
        return text

    def number(self, node: Any, path: str, line: int | None) -> float:
        # bool is an int in Python; `high: yes` must not pass as 1.
        if isinstance(node, bool) or not isinstance(node, (int, float)):
            raise self.fail(path, f"must be a number, not {_kind(node)}", line)
        if not math.isfinite(node) or node < 0:
            raise self.fail(path, f"must be a finite number >= 0, not {node}", line)
        return node if isinstance(node, Written) else float(node)  # a Written keeps its digits

    def source(self, node: Any, path: str, line: int | None) -> str:
        key = self.text(node, path, line)
        if key not in self.sources:
            raise self.fail(path, f"unknown source {quote(key)}: add it under `sources:`", line)
        return key

    def source_list(self, node: Any, path: str, line: int | None) -> tuple[str, ...]:
        keys = self.texts(node, path, line)
        for i, key in enumerate(keys):
            if key not in self.sources:
                self.fail(f"{path}[{i}]", f"unknown source {quote(key)}", _line(node, i))
        return keys

    def unit(self, node: Any, path: str, line: int | None) -> Unit:
        spelling = self.text(node, path, line)
        try:
            return resolve_unit(spelling)
        except UnitError as exc:
            raise self.fail(path, str(exc), line) from None

    def units(self, node: Any, path: str, line: int | None) -> tuple[str, ...]:
        texts = self.texts(node, path, line)
        return tuple(
            self.unit(text, f"{path}[{i}]", _line(node, i)).spelling for i, text in enumerate(texts)
        )

    def sourced(self, node: Any, path: str, line: int | None, positive: bool) -> Sourced:
        m = self.mapping(node, path, line, {"value", "source"})
        value = self.number(m["value"], f"{path}.value", _line(m, "value"))
        if positive and value <= 0:
            raise self.fail(f"{path}.value", "must be greater than 0", _line(m, "value"))
        return Sourced(value, self.source(m["source"], f"{path}.source", _line(m, "source")))

    # -- caveats (of analytes and of corrections)

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

    def caveat_brief(self, m: Any, path: str) -> str:
        """The caveats in one short line (``caveat_brief``), or "" when the file gives none."""
        if "caveat_brief" not in m:
            return ""
        line = _line(m, "caveat_brief")
        if "caveats" not in m:
            raise self.fail(f"{path}.caveat_brief", "given without caveats", line)
        return self.brief(m["caveat_brief"], f"{path}.caveat_brief", line)

    def caveat_sources(self, m: Any) -> tuple[str, ...]:
        """The sources of the caveats (already checked by :meth:`caveats`)."""
        return tuple(str(key) for key in m.get("caveat_sources") or ())


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
    """What a value of the file is, in the file's words: a number read from the file is a
    ``Written`` (which keeps its digits), and ``1`` an ``int``; both are numbers to whoever
    wrote them."""
    if node is None:
        return "empty"
    if isinstance(node, bool):  # before numbers: a bool is an int in Python
        return "true/false"
    kinds = ((int, "a number"), (float, "a number"), (dict, "a mapping"), (list, "a list"))
    for kind, word in (*kinds, (str, "text")):
        if isinstance(node, kind):
            return word
    return f"a {type(node).__name__}"
