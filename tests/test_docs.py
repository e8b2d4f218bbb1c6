"""The README and docs/ show real output: every `$ electrocheck ...` example is run and compared."""

from __future__ import annotations

import doctest
import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from electrocheck import read_jsonl
from electrocheck.cli import app
from electrocheck.reference import built_in_path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]
TEXTS = {page: page.read_text(encoding="utf-8") for page in PAGES}
ALL_TEXT = "\n".join(TEXTS.values())
runner = CliRunner()

#: The page that holds each checked snippet.
CHECK_PAGE = DOCS / "check.md"
REFERENCE_PAGE = DOCS / "reference-file.md"
PYTHON_API_PAGE = DOCS / "python-api.md"
#: Linked from the docs, written alongside the code.
ARCHITECTURE_PAGE = DOCS / "architecture.md"


def _name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _console_examples() -> list[tuple[str, str, str]]:
    examples = []
    for page, text in TEXTS.items():
        for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
            for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
                if chunk.startswith("$ electrocheck "):
                    command, _, output = chunk.partition("\n")
                    examples.append(
                        (_name(page), command[len("$ electrocheck ") :], output.rstrip("\n"))
                    )
    return examples


EXAMPLES = _console_examples()


def test_docs_have_examples() -> None:
    assert len(EXAMPLES) >= 25
    assert {page for page, _, _ in EXAMPLES} >= {
        "README.md",
        "docs/check.md",
        "docs/batch.md",
        "docs/teaching.md",
        "docs/reference-file.md",
    }


def test_readme_shows_each_command() -> None:
    shown = {command.split()[0] for page, command, _ in EXAMPLES if page == "README.md"}
    assert shown >= {"check", "batch", "explain", "sweep", "ranges"}


@pytest.fixture
def in_examples_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a scratch folder holding a copy of examples/, as the documented commands expect."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("page", "command", "expected"), EXAMPLES, ids=[f"{p}: {c}" for p, c, _ in EXAMPLES]
)
def test_example_output_is_real(
    in_examples_copy: Path, page: str, command: str, expected: str
) -> None:
    result = runner.invoke(app, shlex.split(command), env={"ELECTROCHECK_RANGES": None})
    assert result.output.rstrip("\n") == expected


def _pycon_blocks(page: Path) -> list[tuple[int, str]]:
    """The ``pycon`` blocks of a page, each with the line it starts on."""
    text = TEXTS[page]
    return [
        (text.count("\n", 0, match.start()) + 2, match.group(1))
        for match in re.finditer(r"```pycon\n(.*?)```", text, flags=re.S)
    ]


PYCON_PAGES = [page for page in PAGES if _pycon_blocks(page)]


@pytest.mark.parametrize("page", PYCON_PAGES, ids=_name)
def test_pycon_examples_are_real(in_examples_copy: Path, page: Path) -> None:
    """A page's Python sessions, run in order in one namespace as doctests: each output as
    shown (ELLIPSIS for a long message), from a folder holding a copy of examples/."""
    globs: dict[str, Any] = {}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for line, block in _pycon_blocks(page):
        test = parser.get_doctest(block, globs, f"{_name(page)}:{line}", _name(page), line)
        runner.run(test, clear_globs=False)
        globs.update(test.globs)  # a DocTest runs in a copy of the names it is given
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{_name(page)}: {result.failed} example(s) differ (see above)"
    assert result.attempted > 0


def test_python_api_page_shows_sessions() -> None:
    assert PYTHON_API_PAGE in PYCON_PAGES
    assert len(_pycon_blocks(PYTHON_API_PAGE)) >= 6


def test_validation_message_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quoted = re.search(r"^electrocheck: error: my-lab\.yaml:.*$", TEXTS[REFERENCE_PAGE], flags=re.M)
    assert quoted is not None
    text = (
        built_in_path().read_text("utf-8").replace("{low: 3.5, high: 5.0,", "{low: 3.5, high: 3.0,")
    )
    (tmp_path / "my-lab.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "k=4", "--ranges", "my-lab.yaml"])
    assert result.stderr.rstrip("\n") == quoted.group(0)


def test_python_api_page_runs() -> None:
    """The page's Python blocks (code without a session's output), run in order in one
    namespace, import and run as shown."""
    namespace: dict[str, Any] = {}
    blocks = re.findall(r"```python\n(.*?)```", TEXTS[PYTHON_API_PAGE], flags=re.S)
    assert len(blocks) >= 1
    for block in blocks:
        exec(compile(block, str(PYTHON_API_PAGE), "exec"), namespace)


def _command_paths(command: Any, prefix: str) -> Iterator[str]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from _command_paths(sub, f"{prefix} {name}")
    else:
        yield prefix


def test_every_command_is_documented() -> None:
    commands = list(_command_paths(typer.main.get_command(app), "electrocheck"))
    assert len(commands) >= 5
    for command in commands:
        assert command in ALL_TEXT, command


def test_ci_runs_the_readme_set_up_commands_verbatim() -> None:
    setup = TEXTS[README].split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, flags=re.S)
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci


def test_readme_stays_short() -> None:
    assert README.stat().st_size < 22_000


def _prose(text: str) -> str:
    """The text outside fenced code blocks and inline code."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors for the page's headings."""
    anchors = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", _prose(TEXTS[page]), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def _links() -> list[tuple[str, str]]:
    links = []
    for page, text in TEXTS.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", _prose(text)):
            if not re.match(r"[a-z]+:", target):
                links.append((_name(page), target))
    return sorted(set(links))


LINKS = _links()


@pytest.mark.parametrize(("page", "target"), LINKS, ids=[f"{p} -> {t}" for p, t in LINKS])
def test_relative_link_points_to_a_file(page: str, target: str) -> None:
    path, _, anchor = target.partition("#")
    source = ROOT / page
    linked = (source.parent / path).resolve() if path else source
    assert linked.is_file(), f"{page}: {target}: no such file"
    if anchor and linked.suffix == ".md" and linked in TEXTS:
        assert anchor in _anchors(linked), f"{page}: {target}: no such heading"


def test_every_docs_page_is_linked_from_the_readme_and_the_index() -> None:
    readme_links = {t.partition("#")[0] for p, t in LINKS if p == "README.md"}
    index_links = {t.partition("#")[0] for p, t in LINKS if p == "docs/index.md"}
    for page in [*DOCS.glob("*.md"), ARCHITECTURE_PAGE]:
        assert f"docs/{page.name}" in readme_links, page.name
        if page.name != "index.md":
            assert page.name in index_links, page.name


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_the_jq_recipe_joins_results_back(in_examples_copy: Path) -> None:
    # docs/batch.md's jq command gives each row of JSON Lines its results whole, with texts.
    recipe = re.search(r"```text\n(jq -c -n .*?)```", TEXTS[DOCS / "batch.md"], flags=re.S)
    assert recipe is not None
    out = in_examples_copy / "checked.jsonl"
    result = runner.invoke(app, ["batch", "examples/long.csv", "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    joined = subprocess.run(
        ["sh", "-c", recipe.group(1)], capture_output=True, text=True, check=True
    ).stdout
    records = [json.loads(line) for line in out.read_text().splitlines()]
    texts = records[0]["texts"]
    rows = [json.loads(line) for line in joined.splitlines()]
    assert len(rows) == sum(r["record"] == "row" for r in records) > 0
    listed = [r for row in rows for r in row["results"]]
    assert len(listed) >= 2
    for result in listed:
        assert result["muscle_role"] == texts[result["analyte"]][result["direction"]]["muscle_role"]
    # Each row whole, as the library's reader gives it.
    assert rows == list(read_jsonl(out))
