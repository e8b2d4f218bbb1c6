"""Lab files at columnar speed: layouts, the polars engine, and the run that ties them.

>>> from electrocheck.batch import interpret_frame, run_batch
"""

from electrocheck.batch.jsonl import read_jsonl
from electrocheck.batch.run import BatchOptions, Summary, interpret_frame, run_batch

__all__ = ["BatchOptions", "Summary", "interpret_frame", "read_jsonl", "run_batch"]
