"""Scripts depend on the exit codes: pin every value."""

from electrocheck.cli.exit_codes import ExitCode


def test_exit_code_values_are_pinned() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "CONDITION_MET": 1,
        "ERROR": 2,
        "INTERNAL": 70,
        "INTERRUPTED": 130,
        "BROKEN_PIPE": 141,
        "TERMINATED": 143,
    }
