"""A quick check of several values at once: the core of ``electrocheck check``."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from electrocheck.clinical.arguments import require_patient, require_reference
from electrocheck.clinical.corrections import (
    CovariateValue,
    correct,
    corrected_value,
    read_covariate_token,
)
from electrocheck.clinical.grading import grade_value
from electrocheck.clinical.interpret import critical_note, interpret_token, measured_graded_note
from electrocheck.clinical.patterns import matching
from electrocheck.clinical.result import Result, assumed_unit_note, format_number
from electrocheck.clinical.unit_choice import AS_ENTERED, UnitChoice
from electrocheck.errors import (
    ArgumentError,
    InputError,
    PatientError,
    UnknownMedicineError,
    ValueTokenError,
    quote,
)
from electrocheck.reference import Reference, load_reference
from electrocheck.reference.patient import (
    AGE_HELP,
    UNKNOWN,
    Patient,
    parse_age,
    parse_sex,
    parse_symptomatic,
)
from electrocheck.units.resolve import resolve_unit
from electrocheck.units.tokens import NUMBER_PATTERN
from electrocheck.units.values import Value, read_value

if TYPE_CHECKING:  # a series is made by batch.series: a plain check never loads its module
    from electrocheck.clinical.series import Series

#: What ``--fail-on`` accepts, and the flags that meet each condition.
FAIL_ON: dict[str, frozenset[str]] = {
    "abnormal": frozenset({"LL", "L", "H", "HH"}),
    "critical": frozenset({"LL", "HH"}),
}


class Brief(NamedTuple):
    """A result's notes as the first screen of ``check`` shows them. (A named tuple: it is
    defined at every start, and costs less than a frozen dataclass.)

    What that screen says once for all results is taken out of ``notes`` and kept as data: a
    unit assumed (the table marks it), the critical limit a value is beyond, and the grade a
    value would have with symptoms. The caveats of the analyte or correction become the
    reference file's one line (``caveat_brief``) where it has one; a value graded as measured
    says so in short; a correction's formula is left to the full notes.
    """

    notes: tuple[str, ...] = ()  # the notes that stay, short where a short form is known
    caveat: str | None = None  # the caveats, in the reference file's one line
    critical_limit: str | None = None  # the critical limit the value is beyond: "< 2.8 mmol/L"
    with_symptoms: int | None = None  # the grade with symptoms, where the grade assumed none


@dataclass(frozen=True)
class CheckReport:
    """The results of one check, with run-level warnings: what :func:`check` and
    :func:`run_check` return.

    ``results`` holds a :class:`~electrocheck.Result` per value, in the order given (a
    corrected result just after the value it corrects); ``patterns`` the notes of abnormal
    values that belong together, ``pattern_ids`` their keys in the reference file.

    >>> from electrocheck import check
    >>> report = check(k=3.1, mg=(1.1, "mg/dL"))
    >>> [(r.analyte, r.flag) for r in report.results]
    [('potassium', 'L'), ('magnesium', 'L')]
    >>> report.pattern_ids
    ('mg-first-k',)
    >>> report.fails("abnormal"), report.fails("critical")
    (True, False)
    >>> report.to_dict()["results"][0]["input"]
    'k=3.1'
    """

    reference: str
    results: tuple[Result, ...]
    warnings: tuple[str, ...]
    patient: Patient = UNKNOWN
    patterns: tuple[str, ...] = ()  # notes
    pattern_ids: tuple[str, ...] = ()
    pattern_briefs: tuple[str, ...] = ()  # each pattern's note in one line (the note if none)
    briefs: tuple[Brief, ...] = ()  # each result's notes in short, in the order of results
    #: Values that could not be read, one message each (only with ``keep_going``).
    errors: tuple[str, ...] = ()
    #: The patterns' lines of a first screen: the briefs, less those of patterns another
    #: that matched includes (its brief says both).
    pattern_lines: tuple[str, ...] = ()
    #: Each analyte given at times, its values in time order (``results`` holds the latest):
    #: see :func:`~electrocheck.batch.series.run_series`.
    series: tuple[Series, ...] = ()
    #: The patient's medicines (``check --on``): (generic name, the name given), in
    #: alphabetical order; each result lists those that explain it.
    medicines: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``check --format json`` (with ``series`` where values
        were given at times)."""
        data: dict[str, Any] = {
            "reference": self.reference,
            "patient": {
                "age_days": self.patient.age_days,
                "sex": self.patient.sex,
                "symptomatic": self.patient.symptomatic,
            },
            "results": [result.to_dict() for result in self.results],
            "patterns": list(self.patterns),
            "pattern_ids": list(self.pattern_ids),
            "pattern_briefs": list(self.pattern_briefs),
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }
        if self.series:
            data["series"] = [series.to_dict() for series in self.series]
        if self.medicines:
            data["medications"] = [
                {"drug": drug, "given_as": given_as, "explains": self.explained_by(drug)}
                for drug, given_as in self.medicines
            ]
        return data

    def explained_by(self, drug: str) -> list[str]:
        """The analytes of the results ``drug`` (a generic name) explains."""
        return [r.analyte for r in self.results if any(m.drug == drug for m in r.medications)]

    def fails(self, condition: str | None) -> bool:
        """Whether a ``--fail-on`` condition is met (``None`` never is), by any value: an
        earlier value of a series too."""
        if condition is None:
            return False
        flags = FAIL_ON[condition]
        earlier = (point.result for series in self.series for point in series.points)
        return any(result.flag in flags for result in (*self.results, *earlier))


def group_arguments(
    arguments: Sequence[str], errors: list[str] | None = None
) -> list[tuple[str, str | None]]:
    """Pair each ``NAME=NUMBER`` argument with a unit given as the next argument, so that
    ``na=128 mEq/L`` typed without quotes means what it says.

    An argument that is neither raises a :class:`ValueTokenError`, or with ``errors`` given
    is added to it and skipped.
    """
    groups: list[tuple[str, str | None]] = []
    skip = False
    for index, argument in enumerate(arguments):
        if skip:
            skip = False
            continue
        if "=" in argument:
            groups.append((argument, None))
        elif groups and groups[-1][1] is None:
            groups[-1] = (groups[-1][0], argument)
        else:
            following = arguments[index + 1] if index + 1 < len(arguments) else ""
            # "K 3.1": a name and its number typed apart; the number goes with the message.
            # compiled only for a stray argument (re caches it): not at every start
            number_alone = re.fullmatch(rf"{NUMBER_PATTERN}\S*", following)
            skip = "=" not in following and number_alone is not None
            message = _stray_argument(argument, following if skip else None)
            if errors is None:
                raise ValueTokenError(message)
            errors.append(message)
    return groups


def _stray_argument(argument: str, number: str | None) -> str:
    if number is not None:
        return (
            f"{quote(f'{argument} {number}')}: join the name and the number with '=': "
            f"{argument}={number}"
        )
    return f"{quote(argument)}: expected NAME=NUMBER[UNIT], e.g. ca=9.2mg/dL or k=4.1"


def check(
    *values: str | Iterable[str] | Mapping[str, Value | tuple[Value, str] | None],
    age: str | float | None = None,
    sex: str | None = None,
    symptomatic: bool | str = False,
    reference: Reference | str | os.PathLike[str] | None = None,
    on: str | Iterable[str] | None = None,
    **named: Value | tuple[Value, str] | None,
) -> CheckReport:
    """Interpret a panel of values for one patient, as ``electrocheck check`` does.

    Values come as tokens, as the command line takes them (``"ca=7.6mg/dL"``, ``"k=3.1"``,
    one at a time or in a list), or by name: ``k=3.1``, ``ca="7.6mg/dL"`` or
    ``ca=(7.6, "mg/dL")``, the number of any real type or text, a name such as ``"K+"`` or a
    LOINC code in a mapping (``check({"K+": 3.1})``). A value without a unit takes the
    reference file's default unit. Covariates (``alb``, ``glu``) add the corrected result of
    the analyte they correct. A value of ``None`` is no value: it is left out, with a warning
    in the report.

    ``age`` is text as ``--age`` takes it (``"64"``, ``"10d"``, ``"6mo"``) or a number of
    years; ``sex`` is F, M, female or male; ``symptomatic`` a bool (or yes/no). ``reference``
    is a :class:`~electrocheck.Reference`, the path of a reference file, or None for the
    built-in one. The first bad value raises its :class:`~electrocheck.InputError`.
    ``on`` names the patient's medicines (a name, or names; ``check --on``): each abnormal
    result then lists those that explain it, and a name the reference file cannot read
    raises :class:`~electrocheck.errors.UnknownMedicineError`.

    >>> from electrocheck import check
    >>> report = check(["ca=7.6mg/dL", "k=3.1"], age=64, sex="F")
    >>> [(r.analyte, r.flag) for r in report.results]
    [('calcium', 'L'), ('potassium', 'L')]
    >>> report = check(ca="7.6mg/dL", alb="2.5g/dL", k=None)
    >>> [(r.analyte, r.flag) for r in report.results]
    [('calcium', 'L'), ('corrected_calcium', 'N')]
    >>> report.warnings
    ('k: no value (None): not interpreted',)
    >>> report = check(mg="1.1mg/dL", on=["Erbitux", "omeprazole"])
    >>> [m.drug for m in report.results[0].medications]
    ['cetuximab', 'omeprazole']
    """
    given = check_arguments(values, named, age, sex, symptomatic, reference)
    report = given.with_missing(run_check(given.reference, given.tokens, given.patient))
    if on is None:
        return report
    from electrocheck.clinical.medications import read_medicines, with_medicines

    names: list[object] = [on] if isinstance(on, str) or not isinstance(on, Iterable) else [*on]
    read = read_medicines(given.reference, [_text(n, "on", "'cetuximab'") for n in names])
    if read.problems:
        raise UnknownMedicineError(read.problems[0].removeprefix("--on: "))
    return with_medicines(given.reference, report, read.given)


class CheckArguments(NamedTuple):
    """The arguments of :func:`check` as :func:`run_check` takes them, and the names of the
    values given as None."""

    reference: Reference
    tokens: list[str]
    patient: Patient
    missing: list[str]

    def with_missing(self, report: CheckReport) -> CheckReport:
        """``report`` with a warning for each value given as None."""
        if not self.missing:
            return report
        notes = tuple(f"{name}: no value (None): not interpreted" for name in self.missing)
        return replace(report, warnings=report.warnings + notes)


def check_arguments(
    values: Sequence[str | Iterable[str] | Mapping[str, Value | tuple[Value, str] | None]],
    named: Mapping[str, Value | tuple[Value, str] | None],
    age: str | float | None,
    sex: str | None,
    symptomatic: bool | str,
    reference: Reference | str | os.PathLike[str] | None,
) -> CheckArguments:
    """The arguments of :func:`check` read and checked (shared with
    :func:`~electrocheck.batch.series.check_series`)."""
    if isinstance(reference, Reference):
        chosen = reference
    elif reference is None or isinstance(reference, (str, os.PathLike)):
        chosen = load_reference(reference)
    else:
        require_reference(reference)  # raises, naming what a reference can be
    patient = Patient(
        age_days=None if age is None else parse_age(_age_text(age)),
        sex=None if sex is None else parse_sex(_text(sex, "sex", "'F' or 'male'")),
        symptomatic=_symptomatic(symptomatic),
    )
    arguments: list[str] = []
    missing: list[str] = []
    for given in [*values, named]:
        for name, token in _tokens(given):
            if token is None:
                missing.append(name)
            else:
                arguments.append(token)
    return CheckArguments(chosen, arguments, patient, missing)


def _tokens(given: object) -> Iterator[tuple[str, str | None]]:
    """The tokens of one positional argument of :func:`check` (or of its keywords): a token,
    tokens, or values by name; each with its name, and None for the token of a None value."""
    if isinstance(given, str):
        yield given, given
    elif isinstance(given, Mapping):
        for name, value in given.items():
            name = _text(name, "a value's name", "'k' or 'K+'")
            yield name, _named_token(name, value)
    elif isinstance(given, Iterable) and not isinstance(given, (bytes, bytearray)):
        for token in given:
            yield token, _text(token, "value", "'k=3.1' or 'ca=7.6mg/dL'")
    else:
        _text(given, "value", "'k=3.1', ['k=3.1', 'ca=7.6mg/dL'] or k=3.1")


def _named_token(name: str, value: object) -> str | None:
    """``NAME=NUMBER[ UNIT]`` for a value given by name; None for None."""
    if value is None:
        return None
    if isinstance(value, tuple) and len(value) == 2:
        number, unit = value
        unit = _text(unit, f"the unit of {name}", "'mg/dL' in (7.6, 'mg/dL')")
        token = _named_token(name, number)
        return None if token is None else f"{token} {unit}"
    if isinstance(value, str):
        return f"{name}={value}"
    number, _ = read_value(name, value)
    return f"{name}={_plain(number)}"


def _plain(number: float) -> str:
    """A float as a token's number is written: digits and a point, never an exponent, and
    no point for a whole number (as ``interpret`` shows it)."""
    from decimal import Decimal

    text = format(Decimal(repr(number)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _age_text(age: object) -> str:
    """An age as ``--age`` takes it, from text or a number of years."""
    if isinstance(age, str):
        return age
    try:
        return _plain(read_value("age", age)[0])
    except ArgumentError:
        raise ArgumentError(
            f"age: expected text such as '64' or '10d', or a number of years, not "
            f"{type(age).__name__} {quote(age)}"
        ) from None
    except ValueTokenError:
        raise PatientError(f"age {quote(str(age))}: expected {AGE_HELP}") from None


def _symptomatic(symptomatic: object) -> bool:
    if isinstance(symptomatic, bool):
        return symptomatic
    return parse_symptomatic(_text(symptomatic, "symptomatic", "True, False or 'yes'"))


def _text(value: object, argument: str, example: str) -> str:
    if not isinstance(value, str):
        raise ArgumentError(
            f"{argument}: expected text such as {example}, not {type(value).__name__} "
            f"{quote(value)}"
        )
    return value


def run_check(
    reference: Reference,
    arguments: Iterable[str],
    patient: Patient = UNKNOWN,
    units: UnitChoice = AS_ENTERED,
    *,
    keep_going: bool = False,
) -> CheckReport:
    """Interpret each value argument.

    The first value that cannot be read raises an :class:`InputError`; with ``keep_going``
    it is reported in :attr:`CheckReport.errors` instead and the other values are still
    interpreted, so one mistyped value hides nothing else.

    Covariates among the arguments (``alb=2.5g/dL``, ``glu=450mg/dL``) are not interpreted
    themselves: each adds the corrected result of the analyte it corrects, just after it.
    A check with covariates and no value to correct raises an :class:`InputError`.
    A unit may follow its value as the next argument (``["na=128", "mEq/L"]``).
    ``units`` gives the unit system results are shown in and the units of values given
    without one (see :mod:`~electrocheck.clinical.unit_choice`).

    >>> from electrocheck import Patient, load_reference, parse_age, run_check
    >>> report = run_check(load_reference(), ["na=128", "mEq/L"], Patient(parse_age("64")))
    >>> [(r.input, r.flag) for r in report.results]
    [('na=128 mEq/L', 'L')]
    """
    require_reference(reference)
    require_patient(patient)
    texts = [arguments] if isinstance(arguments, str) else list(arguments)
    for text in texts:
        _text(text, "arguments", "['ca=7.6mg/dL', 'k=3.1']")
        if "@" in text:  # read here, its time would be taken for a unit
            raise ValueTokenError(
                f"{quote(text)}: a value at a time belongs to a series: check it with "
                "electrocheck.run_series or electrocheck.check_series"
            )
    errors: list[str] | None = [] if keep_going else None
    values, covariates = _split(reference, group_arguments(texts, errors), errors)
    given = frozenset(covariates)
    results: list[Result] = []
    briefs: list[Brief] = []
    corrected: set[str] = set()
    for token, unit in values:
        try:
            result = interpret_token(
                reference, token, unit, patient=patient, covariates=given, units=units
            )
        except InputError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        results.append(result)
        briefs.append(brief_of(reference, result, patient))
        correction = reference.correction_of(result.analyte)
        if correction is not None and correction.covariate in covariates:
            covariate = covariates[correction.covariate]
            results.append(correct(reference, result, covariate, patient, units.system))
            how = corrected_value(
                reference, result.analyte, result.entered_value, result.entered_unit, covariate
            )
            briefs.append(brief_of(reference, results[-1], patient, formula=how.lead_notes[-1]))
            corrected.add(correction.covariate)
    uncorrected = [
        f"{quote(value.shown)}: nothing to correct (no {_corrected_by(reference, key)} given)"
        for key, value in covariates.items()
        if key not in corrected
    ]
    if not results and not errors:
        # An empty answer would read as "nothing abnormal".
        why = "; ".join(uncorrected) or "no value was given (expected NAME=NUMBER[UNIT])"
        raise ValueTokenError(f"no electrolyte value to interpret; {why}")
    counts = Counter(result.analyte for result in results)
    warnings = [
        f"{analyte} was given {count} times; each value is interpreted on its own"
        for analyte, count in counts.items()
        if count > 1
    ]
    warnings += uncorrected
    found = matching(reference, ((r.analyte, r.flag) for r in results))
    included = {name for p in found for name in p.includes}
    return CheckReport(
        reference.origin,
        tuple(results),
        tuple(warnings),
        patient,
        tuple(p.note for p in found),
        tuple(p.id for p in found),
        tuple(p.short for p in found),
        tuple(briefs),
        tuple(errors or ()),
        tuple(p.short for p in found if p.id not in included),
    )


def brief_of(
    reference: Reference, result: Result, patient: Patient = UNKNOWN, formula: str | None = None
) -> Brief:
    """The notes of ``result`` in short (see :class:`Brief`); ``formula`` is the note of a
    corrected result that shows its formula."""
    correction = reference.corrections.get(result.analyte)
    record = reference.analytes[correction.corrects if correction else result.analyte]
    unit = resolve_unit(result.entered_unit)
    short: dict[str, str | None] = {}  # a note and its short form; None leaves it out
    if result.unit_assumed:  # the table marks it, and the line under it says whence
        assumed = assumed_unit_note(unit.spelling)
        short.update(dict.fromkeys(n for n in result.notes if n.startswith(assumed)))
    if formula is not None:
        short[formula] = None
    critical_limit = None
    if result.critical:
        limits = record.critical_for(unit, patient)
        short[critical_note(limits, result.flag)] = None
        low = result.flag == "LL"
        limit = format_number(limits.low if low else limits.high)
        critical_limit = f"{'<' if low else '>'} {limit} {limits.unit}"
    with_symptoms = None
    grade = grade_value(record, result.flag, result.value, unit, patient)
    if grade.note is not None and grade.note in result.notes:
        short[grade.note] = None
        symptomatic = replace(patient, symptomatic=True)
        with_symptoms = grade_value(record, result.flag, result.value, unit, symptomatic).grade
    graded_instead = reference.correction_of(record.key) if correction is None else None
    if graded_instead is not None:
        short[measured_graded_note(record.key, graded_instead)] = (
            f"graded as measured; give {graded_instead.covariate} for the corrected grade"
        )
    caveats = correction or record
    caveat = None
    if caveats.caveat_brief and any(text in result.notes for text in caveats.caveats):
        caveat = caveats.caveat_brief
        short.update(dict.fromkeys(caveats.caveats))
    notes = tuple(short.get(note, note) for note in result.notes)
    return Brief(tuple(n for n in notes if n is not None), caveat, critical_limit, with_symptoms)


def _split(
    reference: Reference, groups: list[tuple[str, str | None]], errors: list[str] | None
) -> tuple[list[tuple[str, str | None]], dict[str, CovariateValue]]:
    """Analyte values, and covariates by key (each given at most once)."""
    values: list[tuple[str, str | None]] = []
    covariates: dict[str, CovariateValue] = {}
    for token, unit in groups:
        name = token.partition("=")[0]
        if reference.covariate(name) is None:
            values.append((token, unit))
            continue
        try:
            value = read_covariate_token(reference, token, unit)
            key = value.covariate.key
            if key in covariates:
                raise ValueTokenError(
                    f"{quote(value.shown)}: {key} was already given "
                    f"({quote(covariates[key].shown)})"
                )
        except InputError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
            continue
        covariates[key] = value
    return values, covariates


def _corrected_by(reference: Reference, covariate: str) -> str:
    names = [c.corrects for c in reference.corrections.values() if c.covariate == covariate]
    return " or ".join(names) or "value it corrects"
