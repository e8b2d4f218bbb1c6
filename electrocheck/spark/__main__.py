"""``python -m electrocheck.spark INPUT OUTPUT``, and what ``spark-submit`` runs."""

from __future__ import annotations

import sys

from electrocheck.spark.command import main

if __name__ == "__main__":
    sys.exit(main())
