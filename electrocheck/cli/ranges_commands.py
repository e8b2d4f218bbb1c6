"""``electrocheck ranges``: show, validate and start reference files."""

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from electrocheck.cli.edge import Group, errors_to_exit, fail, one_line
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.cli.options import (
    FormatOption,
    OutputFormat,
    RangesOption,
    print_json,
    print_rich,
)
from electrocheck.reference import built_in_path, load_reference

ranges_app = typer.Typer(
    cls=Group,
    help="Show, check and start reference files. Example: electrocheck ranges init my-lab.yaml",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@ranges_app.command("show")
def ranges_show(
    output_format: FormatOption = OutputFormat.table,
    ranges: RangesOption = None,
) -> None:
    """Show the reference file in use, where it is, and its intervals and limits.

    Example: electrocheck ranges show --ranges my-lab.yaml
    """
    with errors_to_exit():
        reference = load_reference(ranges)
        reference.medications  # noqa: B018 - read now: a broken section is one line, exit 2
    path = str(built_in_path()) if reference.path is None else str(reference.path)
    if output_format is OutputFormat.json:
        from electrocheck.teaching.explain import medications_listing, ranges_listing

        print_json(
            {
                "reference": reference.origin,
                "path": path,
                "title": reference.title,
                "analytes": ranges_listing(reference),
                "medications": medications_listing(reference),
                "medication_sources": dict(reference.medications.sources),
            }
        )
        return
    from electrocheck.cli.render_teaching import render_ranges

    origin = "built-in: " + path if reference.path is None else path
    print_rich(lambda out: render_ranges(reference, origin, out))


@ranges_app.command("validate")
def ranges_validate(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Reference file to check.", show_default=False)
    ],
) -> None:
    """Check a reference file: exit 0 if it is valid, else 2 listing every problem.

    Example: electrocheck ranges validate my-lab.yaml

    Each problem is one line on stderr: FILE:LINE: key.path: what is wrong.
    """
    from electrocheck.errors import ReferenceFileError

    try:
        reference = load_reference(file)
        medications = reference.medications  # read on first use: read it now
    except ReferenceFileError as exc:
        for problem in sorted(exc.problems, key=_line_of):
            typer.echo(f"electrocheck: error: {one_line(problem)}", err=True)
        count = len(exc.problems)
        typer.echo(f"electrocheck: {file}: {count} problem{'s' * (count != 1)}", err=True)
        raise typer.Exit(ExitCode.ERROR) from None
    sources = len(reference.sources) + len(medications.sources)
    counts = f"{len(reference.analytes)} analytes, {sources} sources"
    counts += f", {len(medications.drugs)} medicines" if medications.drugs else ""
    typer.echo(f"{file}: valid ({counts})")


@ranges_app.command("init")
def ranges_init(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="[PATH]", help="Where to write the copy; - for stdout.", show_default=True
        ),
    ] = Path("electrocheck-ranges.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Write a copy of the built-in reference file to start your lab's own from.

    Example: electrocheck ranges init my-lab.yaml

    Edit the copy (its header explains every key), check it with ranges validate, and use it
    with --ranges my-lab.yaml or ELECTROCHECK_RANGES=my-lab.yaml.
    """
    text = built_in_path().read_bytes()
    if str(path) == "-":
        sys.stdout.buffer.write(text)
        return
    if path.is_dir():
        fail(f"{path} is a directory; give a file name")
    if path.exists() and not force:
        fail(f"{path} exists; give --force to overwrite it")
    try:
        target = path.resolve()  # through a symbolic link, to the file it names
        if target.exists() and not target.is_file():  # a device or a pipe: write into it
            with target.open("wb") as out:
                out.write(text)
        else:
            from electrocheck.formats.files import write_whole

            write_whole(target, text)
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    typer.echo(f"wrote {path}; check it with: electrocheck ranges validate {path}", err=True)


def _line_of(problem: str) -> int:
    """The line number in ``FILE:LINE: key: problem`` (0 when there is none)."""
    found = re.search(r":(\d+): ", problem)
    return int(found.group(1)) if found else 0
