"""electrocheck on Apache Spark: the interpretation of ``electrocheck batch``, the same
answers, on a cluster (``pip install 'electrocheck[spark]'``).

:func:`interpret_spark` interprets a Spark DataFrame; ``python -m electrocheck.spark INPUT
OUTPUT`` (or ``spark-submit``) reads CSV or Parquet and writes a Parquet folder, with the
summary of ``batch``. See docs/spark.md.
"""

from __future__ import annotations

from electrocheck.spark.frame import interpret_spark

__all__ = ["interpret_spark"]
