"""Loading a reference file: where the built-in one is, reading a file (size limit, strict
YAML), validating it, and caching the result per path.

Reading stops at problems no section could report (not a file, too large, not UTF-8, not
YAML); every other problem is found by :func:`~electrocheck.reference.check_file.read_reference`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from electrocheck.errors import ArgumentError, ReferenceFileError, quote
from electrocheck.reference import yaml_strict
from electrocheck.reference.check_base import Checker
from electrocheck.reference.check_file import read_reference
from electrocheck.reference.model import MAX_FILE_BYTES, Reference


def built_in_path() -> Path:
    """Where the built-in reference file is: inside the installed package, or, in a source
    checkout, at the repository root."""
    packaged = resources.files("electrocheck").joinpath("reference_ranges.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "reference_ranges.yaml"


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
    try:
        data = yaml_strict.load(text)
    except yaml.YAMLError as exc:
        line = yaml_strict.error_line(exc)
        where = f"{label}:{line}" if line else label
        reason = getattr(exc, "problem", None) or str(exc)
        raise ReferenceFileError([f"{where}: not valid YAML: {reason}"]) from None
    except (ValueError, RecursionError) as exc:  # PyYAML lets these through (huge integers)
        raise ReferenceFileError([f"{label}: not valid YAML: {quote(str(exc))}"]) from None
    return read_reference(Checker(label, None if path is None else file), data)
