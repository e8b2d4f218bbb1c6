"""The exceptions electrocheck raises.

Every error the library raises on purpose derives from :class:`ElectrocheckError`, so a caller
can catch one type. Messages are one line, name the offending token, file or key, and say what
was expected: the command line prints them as they are.
"""

from __future__ import annotations

import reprlib


class ElectrocheckError(Exception):
    """Base of all errors raised by electrocheck: catch it to catch every one of them.

    >>> from electrocheck import ElectrocheckError, interpret, load_reference
    >>> try:
    ...     interpret(load_reference(), "k", "four")
    ... except ElectrocheckError as exc:
    ...     print(type(exc).__name__)
    ValueTokenError
    """


class ReferenceFileError(ElectrocheckError):
    """The reference file cannot be read or does not validate.

    ``problems`` lists every problem found, each already formatted as
    ``FILE: KEY.PATH: what is wrong``; the message is the first of them (plus a count).

    >>> from electrocheck import ReferenceFileError, load_reference
    >>> try:
    ...     load_reference("no-such-file.yaml")
    ... except ReferenceFileError as exc:
    ...     exc.problems
    ['no-such-file.yaml: cannot read: No such file or directory']
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "invalid reference file"
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        super().__init__(first + suffix)


class PlotError(ElectrocheckError):
    """A picture cannot be drawn: matplotlib (the ``plot`` extra) is not installed."""


class InputError(ElectrocheckError):
    """A value given for interpretation cannot be used; each kind has a subclass below.

    >>> from electrocheck import InputError, check
    >>> try:
    ...     check(k=-1)
    ... except InputError as exc:
    ...     print(exc)
    'k=-1': '-1' is negative, and a concentration cannot be
    """


class ArgumentError(InputError, TypeError):
    """An argument of the Python API is of a type it cannot take: a number for an analyte's
    name, ``True`` or an arbitrary object for a value, a number for a unit, anything but a
    frame for :func:`~electrocheck.batch.interpret_frame`.

    It is a :class:`TypeError` too, as Python's own errors of this kind are.

    >>> from electrocheck import interpret, load_reference
    >>> interpret(load_reference(), "k", True)
    Traceback (most recent call last):
    ...
    electrocheck.errors.ArgumentError: 'k': the value True is not a number; give a number ...
    """


class ValueTokenError(InputError):
    """A value token is malformed: not NAME=NUMBER[UNIT], not a number, negative, NaN or inf.

    >>> from electrocheck import interpret_token, load_reference
    >>> interpret_token(load_reference(), "k=4,1")
    Traceback (most recent call last):
    ...
    electrocheck.errors.ValueTokenError: 'k=4,1': use a decimal point, not a comma ('4,1')
    """


class UnknownAnalyteError(InputError):
    """The analyte name is not one the reference file knows.

    >>> from electrocheck import interpret, load_reference
    >>> interpret(load_reference(), "chloride", 101)
    Traceback (most recent call last):
    ...
    electrocheck.errors.UnknownAnalyteError: unknown analyte 'chloride'; known: ...
    """


class UnitError(InputError):
    """The unit is unknown, or not a concentration of the kind the analyte can take.

    >>> from electrocheck import interpret, load_reference
    >>> interpret(load_reference(), "k", 4.1, "kg")
    Traceback (most recent call last):
    ...
    electrocheck.errors.UnitError: 'k=4.1kg': unit 'kg' is a mass, not a concentration; ...
    """


class ImplausibleValueError(InputError):
    """The value, in its unit, lies outside what a living patient's serum can hold.

    >>> from electrocheck import interpret, load_reference
    >>> interpret(load_reference(), "ca", 9.2)  # mg/dL meant, mmol/L assumed
    Traceback (most recent call last):
    ...
    electrocheck.errors.ImplausibleValueError: 'ca=9.2': ... write ca=9.2mg/dL if that is ...
    """


class AmbiguousUnitError(InputError):
    """A value given without a unit reads as abnormal or normal depending on the unit.

    >>> from electrocheck import interpret, load_reference
    >>> interpret(load_reference(), "mg", 2)
    Traceback (most recent call last):
    ...
    electrocheck.errors.AmbiguousUnitError: 'mg=2': no unit given, and the unit decides ...
    """


class UnitSettingError(InputError):
    """A unit setting cannot be used: a unit system other than si or conventional, or a
    default unit for an analyte the reference file does not know or does not report in that
    unit (``--units``, ``ELECTROCHECK_UNITS``, ``ELECTROCHECK_DEFAULT_UNITS``).

    >>> from electrocheck import UnitChoice
    >>> UnitChoice(system="metric")
    Traceback (most recent call last):
    ...
    electrocheck.errors.UnitSettingError: unit system 'metric': expected si or conventional
    """


class PatientError(InputError):
    """An age or sex cannot be read (``--age 3 weeks ago``, ``--sex x``).

    >>> from electrocheck import parse_sex
    >>> parse_sex("x")
    Traceback (most recent call last):
    ...
    electrocheck.errors.PatientError: sex 'x': expected female or male (F or M)
    """


class UnknownMedicineError(InputError):
    """A medicine name is empty, unknown to the reference file, or may mean more than one
    medicine (``HCT``: hydrocortisone or hydrochlorothiazide).

    >>> from electrocheck import load_reference
    >>> load_reference().medications.find("cetuximb")
    Traceback (most recent call last):
    ...
    electrocheck.errors.UnknownMedicineError: unknown drug 'cetuximb' (nearest: cetuximab)
    """


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
