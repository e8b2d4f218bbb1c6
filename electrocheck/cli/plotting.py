"""The ``--plot FILE`` option of ``check`` and ``sweep``: a picture written whole or not at all.

The drawing is :mod:`electrocheck.teaching.plot`'s; matplotlib is imported only when a picture
is asked for, so a command without ``--plot`` starts as fast as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer

from electrocheck.cli.edge import errors_to_exit

PlotOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer reads the annotation at run time on Python 3.10
    typer.Option(
        "--plot",
        metavar="FILE",
        help="Also draw the values on their bands (critical, outside, within the interval, "
        "grade cut-points) to FILE: .png, .svg or .html. Needs matplotlib: "
        "pip install 'electrocheck[plot]'.",
        show_default=False,
    ),
]


def write_plot(path: Path, draw: Callable[[str], bytes]) -> None:
    """Write the picture ``draw`` makes (given its kind: png, svg or html, by ``path``'s
    extension) to ``path``, through a temporary file beside it."""
    from electrocheck.formats.files import atomic_output
    from electrocheck.teaching.plot import plot_kind

    with errors_to_exit():
        data = draw(plot_kind(path))
        with atomic_output(path) as out:
            out.write(data)
