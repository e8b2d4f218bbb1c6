"""Exit codes of the ``electrocheck`` command, in one place.

Scripts depend on these numbers; ``tests/cli/test_exit_codes.py`` pins them.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    #: The command ran, whatever it found.
    OK = 0
    #: ``--fail-on`` was given and its condition was met (an abnormal or critical value).
    CONDITION_MET = 1
    #: Usage or input error: bad option, bad value token, unreadable or invalid reference file.
    ERROR = 2
    #: A defect in electrocheck itself; the message asks for a report. Never expected.
    INTERNAL = 70
    #: Interrupted with Ctrl-C (128 + SIGINT).
    INTERRUPTED = 130
    #: stdout (or stderr) was closed before all was written, as by ``| head``: the run ends
    #: quietly, with the status a shell reports for a command ended by SIGPIPE (128 + 13),
    #: so that ``set -o pipefail`` sees the output was cut short. Any output file written
    #: with ``-o`` was still written whole.
    BROKEN_PIPE = 141
    #: Stopped by SIGTERM (128 + SIGTERM), after removing any half-written output.
    TERMINATED = 143
