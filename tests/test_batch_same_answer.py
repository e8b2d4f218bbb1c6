"""The same value gets the same answer from ``check`` and from ``batch``."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck import ElectrocheckError, interpret_token, load_reference
from electrocheck.batch import BatchOptions, run_batch
from electrocheck.interpret import report_round

REF = load_reference()
NAMES = st.sampled_from(["ca", "mg", "k", "na"])
UNITS = st.sampled_from(
    ["", "mmol/L", "MMOL/L", "mg/dL", "mEq/L", "µmol/L", "mg/L", "g/L", "mg%", "kg", "wibble"]
)
NUMBERS = st.one_of(
    st.decimals(min_value=0, max_value=300, places=2).map(str),
    st.decimals(min_value=0, max_value=10, places=4).map(str),  # rounding ties: 2.0625
    st.sampled_from(["abc", "-1", "nan", "4,1", "", "1e3", ".5", "+3", "٣.١", "2.0625"]),
)
CELLS = st.tuples(NAMES, NUMBERS, UNITS)


@settings(max_examples=40, deadline=None)
@given(cells=st.lists(CELLS, min_size=1, max_size=40))
def test_batch_equals_check(tmp_path_factory: object, cells: list[tuple[str, str, str]]) -> None:
    directory = Path(tmp_path_factory.mktemp("same"))  # type: ignore[attr-defined]
    source, target = directory / "in.csv", directory / "out.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["test", "value"])
        for name, number, unit in cells:
            writer.writerow([name, f"{number} {unit}".strip()])
    run_batch(source, target, REF, BatchOptions())
    out = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(out) == len(cells)
    for (name, number, unit), row in zip(cells, out, strict=True):
        cell = f"{number} {unit}".strip()
        try:
            expected = interpret_token(REF, f"{name}={cell}")
        except ElectrocheckError:
            # Refused by check: no result, and an error unless the cell is empty.
            assert row["flag"] == "" and row["value_mmol_l"] == "", (name, cell, row)
            assert (row["errors"] != "") == bool(cell), (name, cell, row)
            continue
        assert row["flag"] == expected.flag, (name, cell, row)
        assert float(row["value_mmol_l"]) == report_round(expected.value)
        assert row["spasm_risk"] == expected.spasm_risk
        assert row["errors"] == ""


def test_stdin_to_stdout_in_a_pipe(tmp_path: Path) -> None:
    data = "id,K,Calcium (mg/dL)\n1,3.1,7.6\n2,4.0,9.0\n"
    done = subprocess.run(
        [sys.executable, "-m", "electrocheck", "batch", "-", "--quiet"],
        input=data,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["id"], r["potassium_flag"], r["calcium_flag"]) for r in out] == [
        ("1", "L", "L"),
        ("2", "N", "N"),
    ]
