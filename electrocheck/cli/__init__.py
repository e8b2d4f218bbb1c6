"""The command line: the typer app, rendering with rich, and the batch progress and summary."""

from electrocheck.cli.commands import app, main

__all__ = ["app", "main"]
