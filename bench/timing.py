"""What the benchmarks share: one child process's wall time and peak memory, commands run in
turn round after round (so that the machine's drift hits each alike), and how busy the
machine was."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Runs the command as its own child and writes that child's exit status, CPU seconds and
#: peak memory (KB) to the file descriptor it is given first. A process started straight
#: from this one would be charged this process's peak memory: Linux counts the memory of the
#: process it was spawned from (a benchmark that has just generated a large file in memory)
#: in its ``ru_maxrss``. The launcher is small, so the command's figure is its own.
_LAUNCHER = """
import os, sys
report = int(sys.argv[1])
os.set_inheritable(report, False)  # the command does not hold the pipe open
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
os.write(report, f"{status} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}".encode())
"""


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """The options every benchmark takes: ``--rounds`` (3), ``--dir`` (where the generated
    files are kept) and ``--check`` (exit 1 when a target is missed); ``doc`` is the script's
    docstring, whose first line describes it."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/electrocheck-bench"))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return parser


def measure(argv: list[str], *, quiet: bool = False) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user and system: steadier than wall time on a machine
    shared with other work) and peak resident memory (MB) of one child process (its stderr
    dropped where ``quiet``), started by a small launcher (:data:`_LAUNCHER`); the wall time
    includes the launcher's start, about 20 ms."""
    start = time.perf_counter()
    stderr = subprocess.DEVNULL if quiet else None
    read, write = os.pipe()
    launcher = [sys.executable, "-c", _LAUNCHER, str(write), *argv]
    with subprocess.Popen(
        launcher, stdout=subprocess.DEVNULL, stderr=stderr, pass_fds=(write,)
    ) as process:
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            report = pipe.read().decode()
    elapsed = time.perf_counter() - start
    if process.returncode != 0 or not report:
        sys.exit(f"bench: {' '.join(argv)} could not be measured")
    status, cpu, kilobytes = report.split()
    if os.waitstatus_to_exitcode(int(status)) != 0:
        sys.exit(f"bench: {' '.join(argv)} failed")
    return elapsed, float(cpu), int(kilobytes) / 1024  # KB on Linux


def run(argv: list[str], *, quiet: bool = False) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one child process."""
    seconds, _, megabytes = measure(argv, quiet=quiet)
    return seconds, megabytes


def script() -> str:
    """The electrocheck console script of the environment this Python runs in."""
    beside = Path(sys.executable).with_name("electrocheck")
    found = str(beside) if beside.exists() else shutil.which("electrocheck")
    if found is None:
        sys.exit("bench: the electrocheck script is not installed in this environment")
    return found


@dataclass
class Runs:
    """The wall times, peak memory and CPU times of one command's runs."""

    seconds: list[float] = field(default_factory=list)
    megabytes: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user and system seconds

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def peak(self) -> float:
        return max(self.megabytes)


def alternate(
    commands: dict[str, list[str]],
    rounds: int,
    after: dict[str, Callable[[Runs], None]] | None = None,
) -> dict[str, Runs]:
    """Each command run once per round, in turn; ``after[name]``, where given, is called with
    the command's runs after each of its runs (to correct the last one)."""
    runs = {name: Runs() for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            seconds, cpu, megabytes = measure(argv)
            runs[name].seconds.append(seconds)
            runs[name].cpu.append(cpu)
            runs[name].megabytes.append(megabytes)
            if after and name in after:
                after[name](runs[name])
    return runs


def load() -> str:
    """The machine's load averages (1, 5 and 15 minutes): how quiet it was."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"
