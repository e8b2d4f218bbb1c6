"""The same medicines and values give the same ``medications`` in ``check --on``, in batch
(wide and long, CSV and JSON Lines): a property held for any values and medicines."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck import check, load_reference, read_jsonl
from electrocheck.batch.run import BatchOptions, run_batch
from electrocheck.clinical.medications import read_medicines, with_medicines

REF = load_reference()
#: Every name of every medicine (generic, other, brand), and a few of other drugs. Not its
#: codes: a list's drug text is matched by names alone (its digits may be a local code), and
#: codes only where their source says they are codes (tests/batch/test_medication_list.py).
DRUG_NAMES = sorted(
    {name for drug in REF.medications.drugs.values() for name in drug.words()}
    | {"paracetamol", "ondansetron"}
)
# name in check, its column in a wide file, its test in a long file, the unit, its range
ANALYTES = {
    "calcium": ("ca", "Calcium (mg/dL)", "Calcium", "mg/dL", ("5", "14")),
    "ionized_calcium": ("ica", "Ionized calcium", "Ionized calcium", "mmol/L", ("0.8", "1.6")),
    "magnesium": ("mg", "Magnesium (mg/dL)", "Magnesium", "mg/dL", ("0.8", "3.5")),
    "potassium": ("k", "K", "Potassium", "mmol/L", ("2.5", "7")),
    "sodium": ("na", "Sodium", "Sodium", "mmol/L", ("118", "160")),
}
VALUES = st.fixed_dictionaries(
    {
        key: st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2).map(str)
        for key, (_, _, _, _, (low, high)) in ANALYTES.items()
    }
)
MEDICINES = st.lists(st.sampled_from(DRUG_NAMES), min_size=1, max_size=6, unique=True)


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _listed(text: str) -> list[str]:
    return [] if not text else text.split("; ")


@settings(max_examples=25, deadline=None)
@given(values=VALUES, names=MEDICINES)
def test_same_medications_everywhere(
    tmp_path_factory: object, values: dict[str, str], names: list[str]
) -> None:
    folder = Path(tmp_path_factory.mktemp("meds"))  # type: ignore[attr-defined]
    # check --on
    tokens = [f"{ANALYTES[k][0]}={v}{ANALYTES[k][3]}" for k, v in values.items()]
    given_ = read_medicines(REF, names).given
    report = with_medicines(REF, check(tokens, reference=REF), given_)
    expected = {r.analyte: [m.drug for m in r.medications] for r in report.results}
    # the medication list, no dates: always active
    meds = _write(folder / "meds.csv", [["patient", "drug"], *[["P", name] for name in names]])
    options = BatchOptions(medications=meds)
    # batch, wide
    header = ["patient", "collected", *(ANALYTES[k][1] for k in values)]
    wide = _write(folder / "wide.csv", [header, ["P", "2026-03-01 08:00", *values.values()]])
    run_batch(wide, folder / "wide-out.csv", REF, options)
    with (folder / "wide-out.csv").open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert {k: _listed(row[f"{k}_medications"]) for k in values} == expected
    # batch, long: CSV and JSON Lines
    rows = [["patient", "collected", "test", "value", "unit"]]
    rows += [
        ["P", "2026-03-01 08:00", ANALYTES[k][2], v, ANALYTES[k][3]] for k, v in values.items()
    ]
    long = _write(folder / "long.csv", rows)
    run_batch(long, folder / "long-out.csv", REF, options)
    with (folder / "long-out.csv").open(newline="", encoding="utf-8") as handle:
        found = {r["analyte"]: _listed(r["medications"]) for r in csv.DictReader(handle)}
    assert found == expected
    run_batch(long, folder / "long-out.jsonl", REF, options)
    records = list(read_jsonl(folder / "long-out.jsonl"))
    by_result = {
        r["analyte"]: [m["drug"] for m in r["medications"]]
        for rec in records
        for r in rec["results"]
    }
    assert by_result == expected
    assert {rec["results"][0]["analyte"]: rec["medications"] for rec in records} == expected
    # check's JSON names them the same way
    assert {
        r["analyte"]: [m["drug"] for m in r["medications"]] for r in report.to_dict()["results"]
    } == expected
