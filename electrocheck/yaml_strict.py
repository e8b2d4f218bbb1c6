"""A strict YAML reader for reference files.

``yaml.safe_load`` quietly keeps the last of two equal keys; a lab file with two ``high:``
entries would then lose one limit without a word. This loader refuses duplicate keys and
remembers the line of every key and list item, so that validation messages can point to them.
"""

from __future__ import annotations

from typing import Any

import yaml

from electrocheck.errors import quote

try:  # the C parser is several times faster; the constructor stays in Python either way
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class LineDict(dict[Any, Any]):
    """A mapping that knows the line of each of its keys (1-based)."""

    line: int = 0
    lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence that knows the line of each of its items (1-based)."""

    line: int = 0
    lines: list[int]


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: Any, line: int, first_line: int) -> None:
        super().__init__(f"duplicate key {quote(key)} (first given on line {first_line})")
        self.line = line


class _StrictLoader(_Base):  # type: ignore[misc]
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            seen = key in data
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark
            ) from None
        if seen:
            raise DuplicateKeyError(key, line, data.lines[key])
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line
    return data


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> LineList:
    data = LineList(loader.construct_object(child, deep=True) for child in node.value)
    data.line = node.start_mark.line + 1
    data.lines = [child.start_mark.line + 1 for child in node.value]
    return data


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load(text: str) -> Any:
    """Parse YAML text with the safe schema, refusing duplicate keys."""
    return yaml.load(text, Loader=_StrictLoader)


def error_line(exc: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points to, if it points anywhere."""
    if isinstance(exc, DuplicateKeyError):
        return exc.line
    mark = getattr(exc, "problem_mark", None)
    return None if mark is None else int(mark.line) + 1
