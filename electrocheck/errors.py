"""The exceptions electrocheck raises.

Every error the library raises on purpose derives from :class:`ElectrocheckError`, so a caller
can catch one type. Messages are one line, name the offending token, file or key, and say what
was expected: the command line prints them as they are.
"""

from __future__ import annotations

import reprlib


class ElectrocheckError(Exception):
    """Base of all errors raised by electrocheck."""


class ReferenceFileError(ElectrocheckError):
    """The reference file cannot be read or does not validate.

    ``problems`` lists every problem found, each already formatted as
    ``FILE: KEY.PATH: what is wrong``; the message is the first of them (plus a count).
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "invalid reference file"
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        super().__init__(first + suffix)


class InputError(ElectrocheckError):
    """A value given for interpretation cannot be used."""


class ValueTokenError(InputError):
    """A value token is malformed: not NAME=NUMBER[UNIT], not a number, negative, NaN or inf."""


class UnknownAnalyteError(InputError):
    """The analyte name is not one the reference file knows."""


class UnitError(InputError):
    """The unit is unknown, or not a concentration of the kind the analyte can take."""


class ImplausibleValueError(InputError):
    """The value, in its unit, lies outside what a living patient's serum can hold."""


class AmbiguousUnitError(InputError):
    """A value given without a unit reads as abnormal or normal depending on the unit."""


class UnitSettingError(InputError):
    """A unit setting cannot be used: a unit system other than si or conventional, or a
    default unit for an analyte the reference file does not know or does not report in that
    unit (``--units``, ``ELECTROCHECK_UNITS``, ``ELECTROCHECK_DEFAULT_UNITS``)."""


class PatientError(InputError):
    """An age or sex cannot be read (``--age 3 weeks ago``, ``--sex x``)."""


#: Longest piece of user text quoted whole in a message.
QUOTE_LIMIT = 60


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = QUOTE_LIMIT


def quote(text: object) -> str:
    """Quote user text for a one-line message, shortened when long (a message must stay
    readable even when the input is a 100,000-character cell)."""
    if not isinstance(text, str):  # a parsed YAML value may be huge: never print it whole
        return _SHORT_REPR.repr(text)[:QUOTE_LIMIT]
    shown = text
    if len(shown) > QUOTE_LIMIT:
        shown = shown[: QUOTE_LIMIT - 3] + "..."
    return repr(shown)
