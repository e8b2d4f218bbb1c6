"""HL7 v2 lab results (ORU^R01) read as a long table: one row per OBX, as a long CSV has them.

A file whose content starts with ``MSH|`` (or ``FHS|``, ``BHS|``, or MLLP's start byte 0x0b
before them; see :func:`~electrocheck.formats.content.sniff`) is HL7 v2: one message or many,
its segments ended by ``\\r``, ``\\n`` or ``\\r\\n``, MLLP framing (0x0b ... 0x1c 0x0d)
stripped, compressed or not. :func:`hl7_table` writes its OBX results to a temporary CSV file
of the columns in :data:`HEADER`, which the batch run then reads exactly as it reads a long
CSV export: tests, units, the lab's limits and flags, specimens, panels and changes over time
are all read by the same code, none of it here.

What each column is taken from:

* ``patient``: PID-3, its first repetition's ID (else PID-2); ``birth_date``: PID-7;
  ``sex``: PID-8 (``M``, ``F``; other codes give none);
* ``collected``: OBX-14 where the OBX has one, else OBR-7, else SPM-17; HL7 times
  (``YYYYMMDDHHMM[SS][+zzzz]``) written as ISO 8601;
* ``specimen_id``: SPM-2, else OBR-3 (the filler's number), else OBR-2, else ORC-3 or ORC-2:
  each OBR group is the rows of one specimen, a panel; ``specimen_type``: SPM-4, else OBR-15;
* ``test`` and ``loinc``: OBX-3; where its coding system (or the alternate's) is ``LN``, the
  code is the LOINC code, named ``known(code)`` where the reference file knows it; else
  OBX-3's text, else its code;
* ``value``: OBX-5 by OBX-2's value type: ``NM`` as written; ``SN`` (structured numeric) as
  comparator and number (``<^1.0`` is ``<1.0``); text types (``ST``, ``TX``, ``FT``) as
  written, so ``<1.0`` reads as a censored value; coded types their text; ``unit``: OBX-6's
  identifier (a UCUM code spelled as electrocheck spells it), else its text;
* ``reference_range``: OBX-7 (``3.5-5.1``, ``>3.5``, ``<5.1``): the lab's own limits;
  ``interpretation``: OBX-8, the lab's flag (``L``, ``HH``, ``A`` ...); ``result_status``:
  OBX-11; ``value_type``: OBX-2;
* ``message``, ``obx``, ``hl7_notes``: MSH-10 (the message's control id), where the OBX is
  (``message 2, OBR 1, OBX 3``), and what was wrong with it (no code, not a number).

Escape sequences (``\\F\\``, ``\\S\\``, ``\\T\\``, ``\\R\\``, ``\\E\\``, ``\\X..\\``) are undone
with the separators the message's own MSH declares. The file is read in blocks and one
message at a time, so memory stays flat. Nothing is lost: a message whose MSH is broken, a
line that is not a segment and a message the parser cannot read are counted and named in
:class:`Hl7Summary`, and the rest goes on; so are the OBX of each value type other than NM.
A file whose first message has a broken MSH, and one without any OBX, are refused in one line.
"""

from __future__ import annotations

import csv
import importlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from electrocheck.errors import InputError
from electrocheck.formats.conversion import (
    ProblemTally,
    counted,
    not_read,
    ranked,
    temporary_table,
)
from electrocheck.formats.fhir_types import UCUM_UNITS
from electrocheck.formats.stream import TextStream

#: The columns of the table, as the long layout finds them by name.
HEADER = (
    "patient",
    "birth_date",
    "sex",
    "collected",
    "specimen_id",
    "specimen_type",
    "test",
    "loinc",
    "value",
    "unit",
    "reference_range",
    "interpretation",
    "result_status",
    "value_type",
    "message",
    "obx",
    "hl7_notes",
)
#: The extra that brings the parser, for the message of a missing package.
EXTRA = "pip install 'electrocheck[hl7]'"
#: Segments whose content goes into the rows (the others are counted, not read).
READ_SEGMENTS = ("MSH", "PID", "ORC", "OBR", "OBX", "SPM")
#: The envelope of a batch file (HL7 v2 chapter 2): counted, not part of any message.
ENVELOPE = frozenset({"FHS", "FTS", "BHS", "BTS"})
#: Problems counted, and how the summary names one of them and many.
PROBLEMS = {
    "broken_msh": (
        "message whose MSH is broken, not read",
        "messages whose MSH is broken, not read",
    ),
    "not_segment": (
        "line that is not an HL7 segment, not read",
        "lines that are not HL7 segments, not read",
    ),
    "outside": (
        "segment before the first MSH, not read",
        "segments before the first MSH, not read",
    ),
    "unreadable": (
        "message the HL7 parser could not read, not read",
        "messages the HL7 parser could not read, not read",
    ),
    "not_utf8": (
        "message that is not UTF-8, read as Latin-1",
        "messages that are not UTF-8, read as Latin-1",
    ),
    "too_long": (
        "segment longer than electrocheck reads, not read",
        "segments longer than electrocheck reads, not read",
    ),
    "no_code": (
        "OBX without a code in OBX-3 (a row without a test name)",
        "OBX without a code in OBX-3 (rows without a test name)",
    ),
    "no_unit": (
        "numeric OBX without a unit in OBX-6 (read as a CSV value without one)",
        "numeric OBX without a unit in OBX-6 (read as a CSV value without one)",
    ),
    "no_value": ("OBX without a value in OBX-5", "OBX without a value in OBX-5"),
}
#: OBX-2 value types of numbers: numeric, and structured numeric (``<^1.0``).
NUMERIC_TYPES = frozenset({"NM", "SN"})
#: OBX-2 value types whose OBX-5 is text, read as written (``<1.0`` is a censored value).
TEXT_TYPES = frozenset({"ST", "TX", "FT"})
#: OBX-2 value types whose OBX-5 is a code with its text.
CODED_TYPES = frozenset({"CE", "CWE", "CNE", "CF", "IS", "ID"})
#: OBX-2 value types whose OBX-5 holds data rather than a result (a PDF, a reference).
DATA_TYPES = frozenset({"ED", "RP"})
#: Coding systems of OBX-3 that name LOINC (table 0396: ``LN``).
LOINC_SYSTEMS = frozenset({"LN", "LOINC", "HTTP://LOINC.ORG"})
#: PID-8 administrative sex read as a sex; ``O``, ``U``, ``A``, ``N`` say nothing of limits.
_SEXES = {"M": "male", "F": "female"}
#: A segment is a name of three capitals or digits, then the field separator (or nothing).
_NAME = re.compile(r"[A-Z][A-Z0-9]{2}\Z")
#: An HL7 time: YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ].
_TIME = re.compile(
    r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2}(?:\.\d{1,4})?)?([+-]\d{4})?\Z", re.ASCII
)
#: Segment ends: CR, LF, and MLLP's start (0x0b) and end (0x1c) bytes, all made a CR.
_ENDS = bytes.maketrans(b"\n\x0b\x1c", b"\r\r\r")
_BLOCK = 1 << 20
#: The longest segment read (an OBX of encapsulated data, a PDF, can be megabytes).
_LONGEST = 64 << 20


@dataclass
class Hl7Summary(ProblemTally):
    """What an HL7 v2 file held, and what became of it."""

    messages: int = 0
    message_types: Counter[str] = field(default_factory=Counter)  # MSH-9: "ORU^R01"
    segments: Counter[str] = field(default_factory=Counter)  # by segment name
    groups: int = 0  # OBR groups
    results: int = 0  # OBX segments, each a row
    value_types: Counter[str] = field(default_factory=Counter)  # OBX-2

    def line(self) -> str:
        """One line of the run's summary: what was read, and what was not."""
        types = ", ".join(f"{name} {n:,}" for name, n in ranked(self.message_types))
        read = [f"{name} {self.segments[name]:,}" for name in READ_SEGMENTS[1:] if name != "OBX"]
        read = [text for text in read if not text.endswith(" 0")]
        other = ranked({k: n for k, n in self.segments.items() if k not in READ_SEGMENTS})
        text = (
            f"  HL7 v2: {counted(self.messages, 'message')}"
            + (f" ({types})" if types else "")
            + f", {counted(self.groups, 'OBR group')}, {counted(self.results, 'OBX result')}"
        )
        if read:
            text += "; read with them: " + ", ".join(read)
        return text + not_read(other, "more")

    def warnings(self) -> list[str]:
        """What the summary warns of: each kind of problem, with where it first was."""
        found = self.problem_warnings("HL7", PROBLEMS)
        others = ranked({k: n for k, n in self.value_types.items() if k not in NUMERIC_TYPES})
        if others:
            count = sum(n for _, n in others)
            shown = ", ".join(f"{kind or '(none)'} {n:,}" for kind, n in others)
            found.append(
                f"HL7: {count:,} OBX whose value type (OBX-2) is not NM or SN, read as written "
                f"(a number or <1.0 is read, other text is an unreadable value): {shown}"
            )
        return found + self.birth_warnings("HL7", "PID-7")

    def to_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "message_types": dict(sorted(self.message_types.items())),
            "segments": dict(sorted(self.segments.items())),
            "obr_groups": self.groups,
            "obx_results": self.results,
            "value_types": dict(sorted(self.value_types.items())),
            "problems": {kind: self.problems[kind] for kind in PROBLEMS},
            "rows_without_birth_date": self.rows_without_birth,
        }


# --------------------------------------------------------------------------- the parser


def _parser(shown: str) -> Any:
    """The ``hl7`` package (python-hl7), or a one-line error naming the extra to install.

    python-hl7 rather than hl7apy: it splits a message by the separators its own MSH declares
    into repetitions (``~``), components (``^``) and subcomponents (``&``), undoes escape
    sequences (``\\F\\ \\S\\ \\T\\ \\R\\ \\E\\``, and hex ``\\X..\\``) with those separators when
    asked, and accepts any version and any segment without a schema; hl7apy keeps ``\\S\\`` as
    written in a component's value and took some 40 times as long to read an ORU^R01 (15 ms a
    message against 0.35 ms), too slow for exports of a million results."""
    try:
        module = importlib.import_module("hl7")
    except ImportError:
        raise InputError(f"{shown} is HL7 v2: reading it needs the hl7 package: {EXTRA}") from None
    # python-hl7 logs odd escape sequences through a logger without a handler, which Python
    # would print to stderr; a value it cannot unescape is kept, and explained by the reader.
    logging.getLogger(module.util.__file__).addHandler(logging.NullHandler())
    return module


# --------------------------------------------------------------------------- small readers


def _part(segment: list[Any], number: int, rep: int = 1, comp: int = 1, sub: int = 1) -> str:
    """Field ``number`` of a parsed segment: its repetition, component and subcomponent (from
    1), as written (escapes not undone); ``""`` where there is none. Where the tree is deeper
    than asked, its first branch is followed (python-hl7's rule in ``extract_field``)."""
    if number >= len(segment):
        return ""
    value: Any = segment[number]
    for index in (rep, comp, sub):
        if type(value) is str:
            return value if index == 1 else ""
        if index > len(value):
            return ""
        value = value[index - 1]
    while type(value) is not str:
        value = value[0] if value else ""
    return value


def iso_time(text: str) -> str:
    """An HL7 time (``20260301083000+0100``) as ISO 8601 (``2026-03-01T08:30:00+01:00``), a
    date alone as a date; text that is no HL7 time is kept as written, for the time reader
    to explain.

    >>> iso_time("202603010830"), iso_time("20260301"), iso_time("20260301083015.25-0500")
    ('2026-03-01T08:30', '2026-03-01', '2026-03-01T08:30:15.25-05:00')
    """
    found = _TIME.match(text)
    if found is None:
        return text
    year, month, day, hour, minute, second, zone = found.groups()
    if not (month and day):
        return f"{year}-{month}" if month else year
    date = f"{year}-{month}-{day}"
    if not hour:
        return date
    clock = f"{hour}:{minute or '00'}" + (f":{second}" if second else "")
    offset = f"{zone[:3]}:{zone[3:]}" if zone else ""
    return f"{date}T{clock}{offset}"


def _date(text: str) -> str:
    """A birth date: the day of an HL7 time, as ISO 8601."""
    return iso_time(text[:8]) if _TIME.match(text) else text


# --------------------------------------------------------------------------- the rows


@dataclass
class _Group:
    """An OBR group: its OBX, and what they share (SPM comes after them, so the rows are
    written when the group ends)."""

    number: int = 0
    collected: str = ""
    specimen_id: str = ""
    specimen_type: str = ""
    spm_id: str = ""
    spm_type: str = ""
    spm_collected: str = ""
    results: list[list[Any]] = field(default_factory=list)


class _Reader:
    """Turns messages into rows and counts what it saw."""

    def __init__(
        self,
        write: Callable[[list[str]], None],
        known: Callable[[str], str | None],
        library: Any,
    ) -> None:
        self.write = write
        self.known = known
        self.parse = library.parse
        self.unescape_with = library.util.unescape
        self.failures = (library.ParseException, ValueError, IndexError, TypeError, KeyError)
        self.summary = Hl7Summary()

    # ----------------------------------------------------------------- a message

    def outside(self, segments: list[bytes]) -> None:
        """Segments before the first MSH: a batch file's envelope, or lines of no message."""
        for segment in segments:
            name = segment[:3].decode("latin-1")
            if name in ENVELOPE:
                self.summary.segments[name] += 1
            else:
                self.summary.problem("outside", _shown_segment(segment))

    def message(self, segments: list[bytes], number: int, shown: str) -> None:
        """One message, its MSH first."""
        summary = self.summary
        try:
            text = b"\r".join(segments).decode("utf-8")
        except UnicodeDecodeError:
            text = b"\r".join(segments).decode("latin-1")
            summary.problem("not_utf8", f"message {number}")
        where = f"message {number}"
        broken = _broken_msh(text)
        if broken:
            if number == 1:
                raise InputError(
                    f"{shown} starts like HL7 v2 but its first message's MSH is broken: {broken}"
                )
            summary.problem("broken_msh", f"{where} ({broken})")
            return
        summary.messages += 1
        kept = self._segments(text, where)
        try:
            parsed = self.parse("\r".join(kept))
            self._walk(parsed, [segment[:3] for segment in kept], where)
        except self.failures as exc:
            summary.problem("unreadable", f"{where} ({type(exc).__name__}: {exc})"[:200])

    def _segments(self, text: str, where: str) -> list[str]:
        """The segments read (the others counted by name): a line that is no segment, and
        the envelope, are left out."""
        separator = text[3]
        kept = []
        counts = self.summary.segments
        for segment in text.split("\r"):
            name = segment[:3]
            if _NAME.match(name) is None or segment[3:4] not in ("", separator):
                self.summary.problem("not_segment", f"{where}: {_shown_segment(segment)}")
                continue
            counts[name] += 1
            if name in READ_SEGMENTS:
                kept.append(segment)
        return kept

    def _walk(self, message: Any, names: list[str], where: str) -> None:
        """The segments of a parsed message, in order: PID, then OBR groups of OBX. (The
        names are those of the segments given to the parser, in their order: a segment of a
        name alone is parsed as a list of letters.)"""
        msh = message[0]
        kind = "^".join(p for p in (_part(msh, 9), _part(msh, 9, 1, 2)) if p)
        self.summary.message_types[kind or "(no MSH-9)"] += 1
        control = self._text(message, _part(msh, 10))
        patient = ("", "", "")
        order = ""  # ORC's order number, for the OBR after it
        group: _Group | None = None
        groups = 0
        for name, segment in zip(names[1:], message[1:], strict=True):
            if name == "OBX":
                if group is None:  # an OBX before any OBR: a group of its own, without one
                    group = _Group()
                group.results.append(segment)
            elif name == "OBR":
                self._flush(message, group, patient, control, where)
                groups += 1
                self.summary.groups += 1
                group = _Group(
                    groups,
                    iso_time(_part(segment, 7)),
                    self._text(message, _part(segment, 3) or _part(segment, 2)) or order,
                    self._text(message, _part(segment, 15, 1, 1, 2) or _part(segment, 15)),
                )
            elif name == "SPM" and group is not None and not group.spm_id:
                group.spm_id = self._text(
                    message, _part(segment, 2, 1, 2) or _part(segment, 2, 1, 1)
                )
                group.spm_type = self._text(
                    message, _part(segment, 4, 1, 2) or _part(segment, 4, 1, 1)
                )
                group.spm_collected = iso_time(_part(segment, 17))
            elif name == "ORC":
                order = self._text(message, _part(segment, 3) or _part(segment, 2))
            elif name == "PID":
                self._flush(message, group, patient, control, where)
                group = None
                patient = (
                    self._text(message, _part(segment, 3) or _part(segment, 2)),
                    _date(_part(segment, 7)),
                    _SEXES.get(_part(segment, 8).upper(), ""),
                )
        self._flush(message, group, patient, control, where)

    def _text(self, message: Any, text: str) -> str:
        """Text with its escape sequences undone, by the message's own separators."""
        if message.esc not in text:
            return text.strip()
        try:
            return str(self.unescape_with(message, text)).strip()
        except ValueError:  # ``\.sp2x\``: a count that is no number; kept as written
            return text.strip()

    def _flush(
        self,
        message: Any,
        group: _Group | None,
        patient: tuple[str, str, str],
        control: str,
        where: str,
    ) -> None:
        if group is None:
            return
        specimen_id = group.spm_id or group.specimen_id
        specimen_type = group.spm_type or group.specimen_type
        collected = group.collected or group.spm_collected
        place = f"{where}, OBR {group.number}" if group.number else where
        for number, obx in enumerate(group.results, 1):
            self._row(
                message,
                obx,
                [*patient, collected, specimen_id, specimen_type],
                control,
                f"{place}, OBX {number}",
            )
        group.results.clear()

    def _row(self, message: Any, obx: Any, shared: list[str], control: str, where: str) -> None:
        summary = self.summary
        summary.results += 1
        notes = []
        loinc = ""
        code, words, system = _part(obx, 3), _part(obx, 3, 1, 2), _part(obx, 3, 1, 3)
        if system.upper() in LOINC_SYSTEMS:
            loinc = code
        elif _part(obx, 3, 1, 6).upper() in LOINC_SYSTEMS:
            loinc = _part(obx, 3, 1, 4)
        loinc = self._text(message, loinc)
        test = (
            (self.known(loinc) if loinc else None)
            or self._text(message, words)
            or self._text(message, code)
            or loinc
        )
        if not test:
            notes.append("no code in OBX-3: the test is not known")
            summary.problem("no_code", where)
        kind = _part(obx, 2).strip().upper()
        summary.value_types[kind] += 1
        value, note = self._value(message, obx, kind)
        if note:
            notes.append(note)
        unit = self._text(message, _part(obx, 6) or _part(obx, 6, 1, 2))
        unit = UCUM_UNITS.get(unit, unit)
        if not value and kind not in DATA_TYPES:
            notes.append("no value in OBX-5")
            summary.problem("no_value", where)
        elif kind == "NM" and not unit:
            notes.append("no unit in OBX-6")
            summary.problem("no_unit", where)
        collected = iso_time(_part(obx, 14)) or shared[3]
        if not shared[1]:
            summary.rows_without_birth += 1
        self.write(
            [
                *shared[:3],
                collected,
                *shared[4:],
                test,
                loinc,
                value,
                unit,
                self._text(message, _part(obx, 7)),
                self._text(message, _part(obx, 8)),
                _part(obx, 11).strip(),
                kind,
                control,
                where,
                "; ".join(notes),
            ]
        )

    def _value(self, message: Any, obx: Any, kind: str) -> tuple[str, str]:
        """OBX-5's value by its type (OBX-2), and a note where it is not a number."""
        if kind == "NM":
            return self._text(message, _part(obx, 5)), ""
        if kind == "SN":  # comparator ^ number [^ separator ^ number]
            comparator, first = _part(obx, 5, 1, 1), _part(obx, 5, 1, 2)
            separator, second = _part(obx, 5, 1, 3), _part(obx, 5, 1, 4)
            if second:
                return (
                    f"{first}{separator}{second}",
                    "OBX-2 is SN: a range or a ratio, not one number",
                )
            comparator = "" if comparator.strip() == "=" else comparator
            return self._text(message, comparator + first), ""
        if kind in TEXT_TYPES or not kind:
            return self._text(message, _part(obx, 5)), ""
        if kind in CODED_TYPES:
            value = self._text(message, _part(obx, 5, 1, 2) or _part(obx, 5))
            return value, f"OBX-2 is {kind}: a coded value, not a number"
        if kind in DATA_TYPES:
            return "", f"OBX-2 is {kind}: data, not a result"
        return self._text(message, _part(obx, 5))[:200], f"OBX-2 is {kind}, not a number"


def _is_msh(segment: bytes) -> bool:
    return segment[:3] == b"MSH" and not segment[3:4].isalnum()


def _broken_msh(text: str) -> str:
    """Why a message's MSH is broken (python-hl7 reads its separators from it), or ``""``.

    >>> _broken_msh("MSH|^~\\\\&|LAB"), _broken_msh("MSH|LAB|"), _broken_msh("MSH")
    ('', 'no encoding characters in MSH-2', 'no field separator after MSH')
    """
    text = text.split("\r", 1)[0]
    if len(text) < 4:
        return "no field separator after MSH"
    separator = text[3]
    if separator.isalnum() or separator.isspace():
        return f"the field separator {separator!r} is a letter, a digit or a space"
    end = text.find(separator, 4)
    encoding = text[4:end] if end >= 0 else text[4:]
    if not 2 <= len(encoding) <= 5 or any(c.isalnum() or c.isspace() for c in encoding):
        return "no encoding characters in MSH-2"
    # python-hl7 gives the separators not declared their defaults: all must differ.
    declared = separator + encoding[:4]
    separators = declared + "|^~\\&"[len(declared) :]
    if len(set(separators)) < len(separators):
        return f"its separators {declared!r} repeat a character"
    if end < 0:
        return "MSH ends after MSH-2"
    return ""


def _shown_segment(segment: bytes | str) -> str:
    text = segment.decode("latin-1") if isinstance(segment, bytes) else segment
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


# --------------------------------------------------------------------------- the file


def _segments(blocks: Iterable[bytes], summary: Hl7Summary) -> Iterator[bytes]:
    """The segments of the file, one at a time, whatever ends them; blank lines dropped."""
    tail = b""
    for block in blocks:
        parts = (tail + block).translate(_ENDS).split(b"\r")
        tail = parts.pop()
        if len(tail) > _LONGEST:
            summary.problem("too_long", _shown_segment(tail))
            tail = b""
        for part in parts:
            part = part.strip()
            if part:
                yield part
    tail = tail.strip()
    if tail:
        yield tail


def _messages(segments: Iterator[bytes]) -> Iterator[list[bytes]]:
    """Messages: the segments from one MSH to the next (those before the first MSH first)."""
    current: list[bytes] = []
    for segment in segments:
        if _is_msh(segment) and current:
            yield current
            current = []
        current.append(segment)
    if current:
        yield current


def read_messages(blocks: Iterable[bytes], reader: _Reader, shown: str) -> None:
    """Read a file's messages, one at a time."""
    number = 0
    for segments in _messages(_segments(blocks, reader.summary)):
        if _is_msh(segments[0]):
            number += 1
            reader.message(segments, number, shown)
        else:  # only before the first MSH
            reader.outside(segments)
    if number == 0:
        if reader.summary.problems["outside"]:
            raise InputError(f"{shown} holds no HL7 v2 message (no MSH segment)")
        raise InputError(f"{shown} is empty")


def _blocks(path: Path, shown: str, compression: str | None) -> Iterator[bytes]:
    with TextStream(path, shown, compression, check_line_ends=False) as stream:
        while True:
            block = stream.read(_BLOCK)
            if not block:
                return
            yield block


@contextmanager
def hl7_table(
    path: Path, shown: str, compression: str | None, known: Callable[[str], str | None]
) -> Iterator[tuple[Path, Hl7Summary]]:
    """The HL7 v2 file at ``path`` as a temporary long CSV file of :data:`HEADER`, and what
    it held; ``known(code)`` is the name of a LOINC code the reference file knows, else None.
    The file is removed when the block ends. Raises :class:`InputError` for a file whose first
    MSH is broken, a file without any OBX, or without the ``hl7`` package."""
    library = _parser(shown)
    with temporary_table("hl7") as table:
        with open(table, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(HEADER)
            reader = _Reader(writer.writerow, known, library)
            read_messages(_blocks(path, shown, compression), reader, shown)
        summary = reader.summary
        if not summary.results:
            held = ", ".join(f"{k} {n:,}" for k, n in ranked(summary.message_types)[:6])
            raise InputError(
                f"{shown} is HL7 v2 without any OBX result"
                + (f" (it holds {held})" if held else "")
            )
        yield table, summary


def write_table(
    source: IO[bytes] | Iterable[bytes], out: IO[str], known: Callable[[str], str | None]
) -> Hl7Summary:
    """Write HL7 v2 (its blocks of bytes) as the long table to ``out``; for tests and the API."""
    writer = csv.writer(out)
    writer.writerow(HEADER)
    reader = _Reader(writer.writerow, known, _parser("the input"))
    read_messages(iter(source), reader, "the input")
    return reader.summary


__all__ = ["EXTRA", "HEADER", "PROBLEMS", "Hl7Summary", "hl7_table", "iso_time", "write_table"]
