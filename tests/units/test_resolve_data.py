"""The unit files are read beside the module, as importlib.resources would find them, and
from a zip too (Spark's ``--py-files`` ships the package as one)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

import electrocheck
from electrocheck.units import resolve


@pytest.mark.parametrize("name", ["unit_table.json", "units.txt"])
def test_the_packaged_files_are_the_ones_importlib_finds(name: str) -> None:
    found = resources.files("electrocheck.units").joinpath(name).read_text("utf-8")
    assert resolve._packaged(name) == found
    assert found  # a file that is there, not an empty stand-in


def test_units_resolve_when_the_package_is_imported_from_a_zip(tmp_path: Path) -> None:
    package = Path(electrocheck.__file__).parent
    shipped = tmp_path / "electrocheck.zip"
    with zipfile.ZipFile(shipped, "w") as archive:
        for path in package.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(package.parent))
    program = (
        "import electrocheck\n"
        "from electrocheck.units.resolve import _vocabulary, resolve_unit\n"
        "print(electrocheck.__file__)\n"
        "print(resolve_unit('mg/dL').kind, len(_vocabulary()[0]) > 10)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(shipped)},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    where, answer = done.stdout.splitlines()
    assert where.startswith(str(shipped))  # the zip's package, not the installed one
    assert answer == "mass True"
