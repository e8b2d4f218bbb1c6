"""Loading a reference file: where the built-in one is, reading a file (size limit, strict
YAML), validating it, and caching the result per path.

Reading stops at problems no section could report (not a file, too large, not UTF-8, not
YAML); every other problem is found by :func:`~electrocheck.reference.check_file.read_reference`.
"""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from electrocheck.errors import ArgumentError, ReferenceFileError, quote
from electrocheck.reference import yaml_strict
from electrocheck.reference.check_base import Checker, _line
from electrocheck.reference.check_file import read_reference
from electrocheck.reference.model import MAX_FILE_BYTES, Reference

if TYPE_CHECKING:  # read on first use: not loaded at every start
    from electrocheck.reference.medicines import Medicines

#: The first line of a ``medications`` section in block style, and the first line of any
#: top-level key (or document marker) after it.
_MEDICATIONS = re.compile(r"^medications:[ \t]*(#.*)?$", re.MULTILINE)
_TOP_LEVEL = re.compile(r"^[^\s#]", re.MULTILINE)


def built_in_path() -> Path:
    """Where the built-in reference file is: inside the installed package, or, in a source
    checkout, at the repository root."""
    # Beside the package's own files, as a wheel installs it; importlib.resources (a few ms
    # of every start, with what it imports) only for a package that is not plain files.
    package = Path(__file__).resolve().parents[1]
    packaged = package / "reference_ranges.yaml"
    if packaged.is_file():
        return packaged
    if package.is_dir():
        return package.parent / "reference_ranges.yaml"
    from importlib import resources

    return Path(str(resources.files("electrocheck").joinpath("reference_ranges.yaml")))


def load_reference(path: str | os.PathLike[str] | None = None) -> Reference:
    """Load and validate a reference file; ``None`` means the built-in one.

    The result is cached per path, size and modification time, so a process reads each
    file once, and again only if it changes. Raises :class:`ReferenceFileError` listing every
    problem found, and :class:`~electrocheck.errors.ArgumentError` for a ``path`` that is
    neither text nor a path.

    >>> from electrocheck import load_reference
    >>> ref = load_reference()
    >>> ref.origin, ref.analyte("K+").label
    ('built-in', 'Potassium')
    """
    if path is None:
        return _load_cached(None, None)
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentError(
            f"path: expected the path of a reference file such as 'my-lab.yaml', or None for "
            f"the built-in one, not {type(path).__name__} {quote(path)}"
        )
    if "\0" in os.fspath(path):  # no file is called that; the OS refuses to look
        raise ReferenceFileError([f"{quote(os.fspath(path))}: cannot read: a NUL in the path"])
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
    found = find_medications(text)
    data = _parsed(text if found is None else _without(text, *found), label)
    checker = Checker(label, None if path is None else file)
    if found is None:
        return read_reference(checker, data)
    reference: list[Reference] = []  # the reader needs the reference it belongs to
    whole = text

    @cache  # read once per reference; a problem is raised again at every use
    def medicines() -> Medicines:
        return _read_medications(_alone(whole, *found), label, reference[0])

    reference.append(read_reference(checker, data, medicines))
    return reference[0]


def split_medications(text: str) -> tuple[str, str | None]:
    """``text`` without its ``medications`` section, and the section alone, when the file
    writes it in block style (``medications:`` on a line of its own); else ``text`` and
    None. The section's lines are blanked in the one and the lines before it in the other,
    so every line keeps its number. The section is the largest of the file and only a check
    with medicines needs it: kept apart, it costs a start nothing."""
    found = find_medications(text)
    if found is None:
        return text, None
    return _without(text, *found), _alone(text, *found)


def find_medications(text: str) -> tuple[int, int] | None:
    """Where the block-style ``medications`` section of ``text`` starts and ends, if any."""
    # str.find first: a regular expression over the whole file costs more than the rest.
    at = text.find("medications:")
    found = None if at < 0 else _MEDICATIONS.search(text, at)
    if found is None:
        return None
    after = _TOP_LEVEL.search(text, found.end())
    return found.start(), len(text) if after is None else after.start()


def _without(text: str, start: int, end: int) -> str:
    """``text`` with the lines from ``start`` to ``end`` blank (none after the last)."""
    if end == len(text):  # the last section, as in the built-in file: nothing to keep
        return text[:start]
    return text[:start] + "\n" * text.count("\n", start, end) + text[end:]


def _alone(text: str, start: int, end: int) -> str:
    """The lines from ``start`` to ``end`` of ``text``, each at its line number."""
    return "\n" * text.count("\n", 0, start) + text[start:end]


def _parsed(text: str, label: str) -> object:
    try:
        return yaml_strict.load(text)
    except yaml.YAMLError as exc:
        line = yaml_strict.error_line(exc)
        where = f"{label}:{line}" if line else label
        reason = getattr(exc, "problem", None) or str(exc)
        raise ReferenceFileError([f"{where}: not valid YAML: {reason}"]) from None
    except (ValueError, RecursionError) as exc:  # PyYAML lets these through (huge integers)
        raise ReferenceFileError([f"{label}: not valid YAML: {quote(str(exc))}"]) from None


def _read_medications(section: str, label: str, reference: Reference) -> Medicines:
    """The medicines of a ``medications`` section kept apart, checked against the rest of
    the file (its analytes and sources)."""
    from electrocheck.reference.check_medications import read_medications

    data = _parsed(section, label)
    checker = Checker(label, reference.path)
    checker.sources.update(reference.sources)
    # The section alone parses to {medications: ...}: it starts at the key, ends before the next.
    node = data.get("medications") if isinstance(data, dict) else None
    line = _line(data, "medications")
    medicines = read_medications(checker, node, line, reference.analytes)
    if checker.problems:
        raise ReferenceFileError(checker.problems)
    return medicines
