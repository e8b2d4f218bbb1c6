"""The layout inside electrocheck.reference: records below the checks, the checks below the
loader (tests/test_layering.py holds the floors between packages and the absence of cycles)."""

from __future__ import annotations

import ast
from pathlib import Path

import electrocheck.reference

PACKAGE = Path(electrocheck.reference.__file__).parent


def _imports(module: str) -> set[str]:
    """The electrocheck modules imported by ``electrocheck/reference/<module>.py``."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return {name for name in found if name.startswith("electrocheck")}


def _own(module: str) -> set[str]:
    """The modules of this package that ``module`` imports."""
    prefix = "electrocheck.reference."
    return {name.split(".")[2] for name in _imports(module) if name.startswith(prefix)}


def _modules() -> list[str]:
    return sorted(path.stem for path in PACKAGE.glob("*.py"))


def test_records_import_neither_the_loader_nor_the_checks() -> None:
    assert _own("model") <= {"patient", "names", "changes", "medicines"}, _own("model")


def test_the_rule_of_names_stands_alone() -> None:
    assert _own("names") == set(), _own("names")


def test_checks_do_not_import_the_loader() -> None:
    for module in _modules():
        if module.startswith("check_"):
            assert "load" not in _own(module), module
