"""Where the CPU time of a batch CSV run goes: each stage of ``electrocheck batch`` run on its
own, one after the other in one thread, over every block of a file, with the CPU seconds
(user and system, of all of polars' threads) of each. In a real run the reading, the
interpreting and the writing overlap on the cores; here they are apart so that each can be
told. Where polars' threads wait on each other or on the machine, CPU time stays steadier
than wall time.

    python bench/batch_phases.py FILE [--code DIR]

``--code`` runs the electrocheck package found in DIR (a checkout of another version) instead
of the installed one, to compare two versions stage by stage.
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--code", type=Path, help="a folder holding the electrocheck package")
    args = parser.parse_args()
    if args.code is not None:
        sys.path.insert(0, str(args.code.resolve()))
    spent: Counter[str] = Counter()
    start = time.process_time()
    import polars as pl

    spent["import polars"] = time.process_time() - start
    start = time.process_time()
    from electrocheck.batch import distinct, engine, patterns, run, signs
    from electrocheck.batch.layout import LayoutOptions, detect_layout
    from electrocheck.batch.summary import Summary, count_batch
    from electrocheck.batch.writer import Writer
    from electrocheck.formats.delimited import open_csv, polars_batches
    from electrocheck.reference import load_reference

    spent["import electrocheck's batch modules"] = time.process_time() - start
    start = time.process_time()
    reference = load_reference()
    spent["read and check the reference file"] = time.process_time() - start

    def timed(owner: Any, name: str, label: str) -> None:
        function = getattr(owner, name)

        @functools.wraps(function)
        def wrapper(*args: Any, **named: Any) -> Any:
            begun = time.process_time()
            try:
                return function(*args, **named)
            finally:
                spent[label] += time.process_time() - begun

        setattr(owner, name, wrapper)

    timed(distinct.SourceInterpreter, "_interpret_distinct", "  interpret each distinct input")
    timed(signs.SpecimenSigns, "wide", "  specimen signs (comment columns)")
    timed(patterns.PatternFinder, "patterns", "  patterns across analytes")
    timed(engine, "_joined_errors", "  the errors column")
    source = open_csv(args.file, None, str(args.file))
    layout = detect_layout(source.header, reference, LayoutOptions())
    writer = Writer(io.BytesIO(), source.header, layout, reference, "csv", source.delimiter)
    try:
        interpreter = engine.BatchInterpreter(
            layout, reference, segments=getattr(writer, "segments", None)
        )
    except TypeError:  # a version without segments
        interpreter = engine.BatchInterpreter(layout, reference)
    start = time.process_time()
    batches = [batch for batch, _ in polars_batches(source)]
    spent["read the blocks (polars read_csv)"] = time.process_time() - start
    start = time.process_time()
    results = [interpreter.interpret(batch) for batch in batches]
    spent["interpret (all of it)"] = time.process_time() - start
    start = time.process_time()
    summary = Summary(layout=layout.kind, columns=[])
    for result in results:
        count_batch(result, layout, summary)
    spent["count the summary"] = time.process_time() - start
    start = time.process_time()
    for result in results:
        writer.write(result)
    spent["write the CSV"] = time.process_time() - start
    inside = sum(v for k, v in spent.items() if k.startswith("  "))
    spent["  join known results to rows, and the rest"] = spent["interpret (all of it)"] - inside
    rows = sum(batch.height for batch in batches)
    print(f"{args.file.name}: {rows:,} rows in {len(batches)} blocks; CPU seconds by stage")
    for label, seconds in spent.items():
        print(f"  {seconds:6.2f}  {label}")
    total = sum(v for k, v in spent.items() if not k.startswith("  "))
    where = Path(run.__file__).parent.parent.parent
    print(f"  {total:6.2f}  in all (polars {pl.__version__}; electrocheck of {where})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
