"""The reference file as the driver read it, for the executors: its text, sent once.

The driver validates the file (a bad one stops the job before any task runs) and sends its
text with the run's aliases; each executor process writes the text to a file of its own and
loads it once, so every task applies the driver's file, whatever files the executors hold.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from electrocheck.reference import Reference, load_reference, with_aliases
from electrocheck.reference.load import built_in_path

#: References loaded in this process, by the digest of their text and aliases.
_LOADED: dict[str, Reference] = {}


@dataclass(frozen=True)
class ReferenceText:
    """A reference file's text and the aliases added to it (``--alias``)."""

    text: str
    aliases: tuple[tuple[str, str], ...] = ()

    @classmethod
    def read(
        cls, path: str | os.PathLike[str] | None, aliases: tuple[tuple[str, str], ...] = ()
    ) -> tuple[ReferenceText, Reference]:
        """The file at ``path`` (None: the built-in one), validated here, and its text."""
        reference = with_aliases(load_reference(path), aliases)
        file = built_in_path() if path is None else Path(path)
        return cls(file.read_text(encoding="utf-8"), tuple(aliases)), reference

    def load(self) -> Reference:
        """The reference, loaded once per process."""
        digest = hashlib.sha256(repr((self.text, self.aliases)).encode("utf-8")).hexdigest()
        found = _LOADED.get(digest)
        if found is None:
            folder = Path(tempfile.mkdtemp(prefix="electrocheck-reference-"))
            path = folder / "reference_ranges.yaml"
            path.write_text(self.text, encoding="utf-8")
            found = with_aliases(load_reference(path), self.aliases)
            _LOADED[digest] = found
        return found


__all__ = ["ReferenceText"]
