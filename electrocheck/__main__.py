"""``python -m electrocheck`` runs the command-line interface."""

from electrocheck.cli import main

raise SystemExit(main())
