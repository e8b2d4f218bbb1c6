"""``python -m electrocheck`` runs the command-line interface."""

from electrocheck.cli.commands import main

raise SystemExit(main())
