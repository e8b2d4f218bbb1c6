"""The core is a library: it imports neither typer nor rich, the quick path stays light, and
the packages import one way, down the floors."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return {name.split(".")[0] for name in json.loads(done.stderr.strip().splitlines()[-1])}


def test_core_imports_neither_typer_nor_rich() -> None:
    loaded = _modules_after(
        "import electrocheck\n"
        "from electrocheck.clinical.check import run_check\n"
        "run_check(electrocheck.load_reference(), ['ca=7.6mg/dL', 'k=3.1', 'na=128', 'mEq/L'])"
    )
    assert not loaded & {"typer", "rich", "click", "polars"}


def test_json_check_loads_neither_pint_nor_rich() -> None:
    loaded = _modules_after(
        "from electrocheck.cli.commands import main\n"
        "main(['check', 'ca=7.6mg/dL', 'mg=1.1MG/DL', 'k=3.1', '--format', 'json'])"
    )
    assert "typer" in loaded
    assert not loaded & {"pint", "rich", "numpy", "pydantic", "polars"}


def test_unusual_unit_loads_pint_once_and_converts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "electrocheck", "check", "k=0.41 mmol/dL", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["value"] == 4.1


# --------------------------------------------------------------------------- layers
#
# Dependencies run one way, from the command line down to the units:
#
#   spark  →  cli  →  batch  →  formats  ┐
#            cli  →  teaching ───────────┴→  clinical  →  reference  →  units  →  errors
#
# Each package has a floor; a module may import its own package and any lower floor, never a
# higher one or another package on its own floor. errors.py is the ground every floor stands
# on. Lazy imports inside functions count too: a lower floor must not reach up at run time.

ROOT = Path(__file__).resolve().parents[1] / "electrocheck"
FLOORS: dict[str, int] = {
    "errors": 0,
    "units": 1,
    "reference": 2,
    "clinical": 3,
    "teaching": 4,
    "formats": 4,
    "batch": 5,
    "cli": 6,
    # Spark runs the batch engine on a cluster, and its job prints the summary as batch does.
    "spark": 7,
}


def _package_of(module: str) -> str | None:
    """The floor name of ``electrocheck.<package>...``; None for the package root itself."""
    parts = module.split(".")
    if parts[0] != "electrocheck" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every electrocheck module a file imports, with its line, lazy imports included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            if node.module == "electrocheck":  # from electrocheck import x: x may be a package
                found += [(f"electrocheck.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.startswith("electrocheck.")]


def layer_violations(root: Path, floors: dict[str, int]) -> list[str]:
    """Every import of a higher floor, or of another package on the same floor."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if len(relative.parts) == 1 and relative.stem != "errors":
            continue  # the root's __init__ and __main__ gather the floors; they stand on none
        own = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        assert own in floors, f"{relative}: a package with no floor in FLOORS"
        for module, line in _imports(path):
            other = _package_of(module)
            if other is None or other == own or other not in floors:
                continue
            if floors[other] >= floors[own]:
                problems.append(f"{relative}:{line} imports {module} ({other} is not below {own})")
    return problems


def test_every_package_imports_only_lower_floors() -> None:
    assert layer_violations(ROOT, FLOORS) == []


def test_every_package_has_a_floor() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(FLOORS) - {"errors"}


def test_layer_check_finds_an_upward_import(tmp_path: Path) -> None:
    for package in ("clinical", "cli"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "clinical" / "late.py").write_text(
        "def f():\n    from electrocheck.cli.commands import app\n", encoding="utf-8"
    )
    assert layer_violations(tmp_path, {"clinical": 3, "cli": 6}) == [
        "clinical/late.py:2 imports electrocheck.cli.commands (cli is not below clinical)"
    ]


def test_no_import_cycle_between_modules() -> None:
    """Module-level imports form no circle (a circle means two modules that are really one)."""
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {
            node.module
            for node in tree.body  # module level only: a lazy import cannot make a circle at load
            if isinstance(node, ast.ImportFrom) and node.module and node.module != name
        }
    cycles = [m for m in graph if _reaches(graph, m, m, set())]
    assert cycles == []


def _reaches(graph: dict[str, set[str]], start: str, target: str, seen: set[str]) -> bool:
    for nxt in graph.get(start, set()):
        if nxt.startswith(target + ".") or target.startswith(nxt + "."):
            continue  # a package and its own modules: __init__ re-exports are not circles
        if nxt == target:
            return True
        if nxt not in seen:
            seen.add(nxt)
            if _reaches(graph, nxt, target, seen):
                return True
    return False


def test_cycle_check_finds_a_circle() -> None:
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert _reaches(graph, "a.x", "a.x", set())
    assert not _reaches(graph, "a.w", "a.w", set())
