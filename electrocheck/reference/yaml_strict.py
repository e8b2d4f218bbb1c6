"""A strict YAML reader for reference files.

``yaml.safe_load`` quietly keeps the last of two equal keys; a lab file with two ``high:``
entries would then lose one limit without a word. This loader refuses duplicate keys and
remembers the line of every key and list item, so that validation messages can point to them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from electrocheck.errors import quote
from electrocheck.units.tokens import NUMBER_PATTERN, Written, written

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


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    """A float as written (``5.0`` stays ``5.0`` when shown); other spellings (``1e3``,
    ``.inf``) as YAML reads them."""
    text = node.value
    whole, point, fraction = text.partition(".")
    # "5.0", "0.70": most of a file's floats, told by string methods (no regular expression
    # to compile: this runs at every start)
    if point and whole.isdigit() and fraction.isdigit() and whole.isascii() and fraction.isascii():
        return Written(float(text), text)
    if re.fullmatch(NUMBER_PATTERN, text):  # "+1.5", ".5": rare
        return written(text)
    return float(loader.construct_yaml_float(node))


_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


class AliasError(yaml.YAMLError):
    """The file uses an alias (``*name``) or nests too deeply."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


#: Deepest nesting a reference file needs is about 6; this leaves room and stops bombs.
MAX_DEPTH = 32


def load(text: str) -> Any:
    """Parse YAML text with the safe schema, refusing duplicate keys and aliases.

    Aliases are refused because a reference file does not need them and a few lines of
    nested aliases (a "billion laughs") expand to more data than memory holds.
    """
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_tree(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_tree(root: yaml.Node) -> None:
    """Walk the node tree once; a node met twice is an alias."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise AliasError("aliases (*name) are not accepted in a reference file", line)
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise AliasError(f"nested more than {MAX_DEPTH} levels deep", line)
        if isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def error_line(exc: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points to, if it points anywhere."""
    if isinstance(exc, (DuplicateKeyError, AliasError)):
        return exc.line
    mark = getattr(exc, "problem_mark", None)
    return None if mark is None else int(mark.line) + 1
