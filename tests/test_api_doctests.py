"""The public API's docstrings show runnable examples, and the examples run as shown.

Every name in ``electrocheck.__all__`` that is a function or a class has a docstring with at
least one example; the package's own docstring has some too. They run offline, on the
built-in reference file, with doctest's ELLIPSIS for the long messages.
"""

from __future__ import annotations

import doctest
import inspect
from typing import Any

import pytest

import electrocheck

#: Public names without an example of their own (none now; a name added here must have its
#: examples shown elsewhere).
NO_EXAMPLE_YET: dict[str, str] = {}

PUBLIC = sorted(
    name
    for name in electrocheck.__all__
    if inspect.isfunction(getattr(electrocheck, name))
    or inspect.isclass(getattr(electrocheck, name))
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _own_tests(name: str) -> list[doctest.DocTest]:
    """The examples of the docstring of ``electrocheck.<name>`` itself (not its methods')."""
    obj = getattr(electrocheck, name)
    finder = doctest.DocTestFinder(recurse=False)
    return [test for test in finder.find(obj, name, globs={}) if test.examples]


def _run(tests: list[doctest.DocTest]) -> doctest.TestResults:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in tests:
        runner.run(test)
    return runner.summarize(verbose=False)


def test_the_public_names_are_what_the_api_promises() -> None:
    assert set(PUBLIC) >= {
        "check",
        "run_check",
        "interpret",
        "interpret_token",
        "interpret_frame",
        "run_batch",
        "load_reference",
        "Result",
        "CheckReport",
        "Patient",
        "Reference",
        "ElectrocheckError",
        "InputError",
        "ArgumentError",
    }
    assert len(electrocheck.__all__) == len(set(electrocheck.__all__))


@pytest.mark.parametrize("name", PUBLIC)
def test_public_docstring_examples_run(name: str) -> None:
    tests = _own_tests(name)
    if name in NO_EXAMPLE_YET:
        assert not tests, f"{name} has examples now: take it out of NO_EXAMPLE_YET"
        return
    assert tests, f"electrocheck.{name} has no example in its docstring"
    result = _run(tests)
    assert result.attempted > 0 and result.failed == 0, f"electrocheck.{name}: {result}"


def test_package_docstring_examples_run() -> None:
    tests = [t for t in doctest.DocTestFinder(recurse=False).find(electrocheck) if t.examples]
    result = _run(tests)
    assert result.attempted >= 3 and result.failed == 0, result


def _failing_doc() -> Any:
    def shown() -> None:
        """>>> 1 + 1
        3
        """

    return shown


def test_a_wrong_example_fails() -> None:
    """The runner is not a rubber stamp: an example whose output differs fails."""
    tests = doctest.DocTestFinder().find(_failing_doc(), "shown", globs={})
    assert _run(tests).failed == 1
