"""The command line: the typer app, rendering with rich, and the batch progress and summary."""

import gc as _gc

# As in electrocheck/__init__.py: the collector is held off while the app is built.
_threshold = _gc.get_threshold()
_gc.set_threshold(max(_threshold[0], 50_000), *_threshold[1:])

from electrocheck.cli.commands import app, main

__all__ = ["app", "main"]

_gc.set_threshold(*_threshold)
