"""HL7 v2 input end to end: ORU^R01 messages read as the same long CSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from batch_files import jsonl_rows, runner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from electrocheck import BatchOptions, run_batch
from electrocheck.cli.commands import app
from electrocheck.cli.exit_codes import ExitCode
from electrocheck.formats.hl7v2 import HEADER

DATA = Path(__file__).resolve().parents[1] / "data" / "hl7"


def _csv_rows(path: Path, *args: str) -> tuple[Any, list[dict[str, str]]]:
    result = runner.invoke(app, ["batch", str(path), *args])
    assert result.exit_code == ExitCode.OK, result.output
    return result, list(csv.DictReader(io.StringIO(result.stdout)))


def test_two_obr_groups_are_two_panels_and_albumin_corrects_calcium() -> None:
    _, rows = _csv_rows(DATA / "bmp-oru.hl7", "--quiet")
    found = {r["analyte"]: (r["flag"], r["limits"], r["lab_flag"], r["panel"]) for r in rows}
    found.pop("")
    assert found == {
        "sodium": ("L", "lab", "L", "1"),
        "corrected_sodium": ("L", "reference", "", "1"),
        "potassium": ("L", "lab", "L", "1"),
        "calcium": ("L", "lab", "L", "1"),
        "corrected_calcium": ("N", "reference", "", "1"),
        "magnesium": ("L", "lab", "L", "2"),
    }
    corrected = next(r for r in rows if r["analyte"] == "corrected_calcium")
    assert corrected["value_mmol_l"] == "2.196"  # 7.6 + 0.8 x (4.0 - 2.5) = 8.8 mg/dL
    first = rows[0]
    assert (first["patient"], first["birth_date"], first["sex"]) == (
        "100234",
        "1958-04-02",
        "female",
    )
    assert (first["specimen_id"], first["collected"]) == ("ACC7001", "2026-03-02T08:00")


def test_the_summary_says_what_the_messages_held(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    result = runner.invoke(
        app,
        [
            "batch",
            str(DATA / "bmp-oru.hl7"),
            "-o",
            str(tmp_path / "out.csv"),
            "--summary-json",
            str(target),
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert (
        "  HL7 v2: 1 message (ORU^R01 1), 2 OBR groups, 7 OBX results; read with them: "
        "PID 1, ORC 2, OBR 2; not read: NTE 1, PV1 1"
    ) in result.stderr
    found = json.loads(target.read_text())
    assert found["hl7"]["obx_results"] == 7 and found["hl7"]["segments"]["NTE"] == 1
    assert found["fhir"] is None


@pytest.mark.parametrize("name", ["mllp-batch.hl7", "results.csv"])
def test_mllp_framed_messages_whatever_the_name(tmp_path: Path, name: str) -> None:
    renamed = tmp_path / name  # known by its content, not by its name
    shutil.copy(DATA / "mllp-batch.hl7", renamed)
    result, rows = _csv_rows(renamed)
    assert [(r["value"], r["flag"], r["trend"]) for r in rows if r["analyte"] == "potassium"] == [
        ("4.0", "N", ""),
        ("3.6", "N", ""),
        ("3.2", "L", "falling"),
    ]
    magnesium = next(r for r in rows if r["analyte"] == "magnesium")
    assert (magnesium["censored"], magnesium["flag"], magnesium["lab_flag"]) == ("<", "LL", "LL")
    assert magnesium["value_type"] == "SN"
    assert "5 messages (ORU^R01 4, ADT^A08 1), 4 OBR groups, 4 OBX results" in result.stderr


def test_escapes_repeated_ids_and_a_message_s_own_separators() -> None:
    _, rows = _csv_rows(DATA / "escapes.hl7", "--quiet")
    assert {r["patient"] for r in rows} == {"H|2207"}
    assert [(r["test"], r["analyte"], r["flag"]) for r in rows] == [
        ("potassium, serum", "potassium", "L"),
        ("Sodium", "sodium", "L"),
        ("Hemolysis index", "", ""),
        ("potassium, serum", "potassium", "L"),
        ("Magnesium#serum", "magnesium", "LL"),
    ]
    assert rows[2]["value"] == "Slight & visible"
    assert rows[0]["limits"] == "reference"  # "3.5&5.1 see note" is no range
    assert rows[4]["censored"] == "<"


def test_stdin() -> None:
    text = (DATA / "bmp-oru.hl7").read_text()
    result = runner.invoke(app, ["batch", "-", "--quiet"], input=text)
    assert result.exit_code == ExitCode.OK, result.output
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 9


def test_bad_input_is_counted_and_explained() -> None:
    result, rows = _csv_rows(DATA / "bad.hl7")
    by_obx = {r["obx"]: r for r in rows if r["obx"]}
    first = "message 1, OBR 1, OBX "
    assert by_obx[first + "1"]["hl7_notes"] == "no code in OBX-3: the test is not known"
    assert by_obx[first + "2"]["hl7_notes"] == "no unit in OBX-6"
    assert (by_obx[first + "3"]["censored"], by_obx[first + "3"]["flag"]) == ("<", "LL")
    assert "'hemolyzed, please redraw' is not a number" in by_obx[first + "4"]["errors"]
    assert "'mm[Hg]' is not a plain unit" in by_obx[first + "5"]["errors"]
    assert by_obx[first + "6"]["hl7_notes"] == "OBX-2 is ED: data, not a result"
    assert by_obx["message 3, OBR 1, OBX 1"]["flag"] == "H"
    assert not any(r["message"] == "B0002" for r in rows)  # its MSH is broken
    for expected in (
        "rows: interpreted 3, unreadable value 2, other test 2",
        "! HL7: 1 message whose MSH is broken, not read: message 2 (no encoding characters "
        "in MSH-2)",
        "! HL7: 1 line that is not an HL7 segment, not read: message 1: "
        "'this line is not a segment'",
        "! HL7: 3 OBX whose value type (OBX-2) is not NM or SN",
    ):
        assert expected in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [str(DATA / "broken-first.hl7")],
            "starts like HL7 v2 but its first message's MSH is broken: no encoding characters",
        ),
        ([str(DATA / "bmp-oru.hl7"), "--delimiter", ";"], "--delimiter applies to"),
        ([str(DATA / "bmp-oru.hl7"), "--encoding", "latin-1"], "--encoding applies to"),
        ([str(DATA / "bmp-oru.hl7"), "--skip-lines", "2"], "--skip-lines applies to"),
        ([str(DATA / "bmp-oru.hl7"), "--sheet", "1"], "--sheet applies to spreadsheets"),
    ],
)
def test_refused_in_one_line_with_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["batch", *args])
    assert result.exit_code == ExitCode.ERROR
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- same answers

#: (LOINC code, UCUM code of OBX-6, the unit a CSV writes, low and high of a plausible value)
TESTS = [
    ("2823-3", "mmol/L", "mmol/L", 1.5, 8.0),
    ("6298-4", "meq/L", "mEq/L", 1.5, 8.0),
    ("2951-2", "mmol/L", "mmol/L", 110.0, 170.0),
    ("17861-6", "mg/dL", "mg/dL", 5.0, 14.0),
    ("2000-8", "mmol/L", "mmol/L", 1.2, 3.4),
    ("19123-9", "mg/dL", "mg/dL", 0.8, 5.0),
    ("2601-3", "umol/L", "µmol/L", 300.0, 2000.0),
    ("1994-3", "mmol/L", "mmol/L", 0.7, 1.7),
    ("1751-7", "g/dL", "g/dL", 1.5, 5.5),  # albumin: corrected calcium in a panel
]
RESULTS = st.tuples(
    st.sampled_from(["a", "b"]),
    st.integers(0, 96),  # hours after the first collection
    st.sampled_from(range(len(TESTS))),
    st.floats(0, 1),  # where in the plausible span the value lies
    st.sampled_from(["", "<", ">"]),
    st.sampled_from(["", "range", ">", "<"]),  # the lab's limits: none, both, one
    st.sampled_from(["", "L", "H", "N", "LL", "A"]),  # the lab's flag
)
#: PID-7 and PID-8, and what the CSV writes of them.
PATIENTS = {
    "a": ("19500101", "F", "1950-01-01", "female"),
    "b": ("20200601", "M", "2020-06-01", "male"),
}


def _written(results: list[tuple[Any, ...]]) -> tuple[str, str]:
    """The results as a long CSV, and as HL7 v2 messages (one result each, MLLP-framed)."""
    out = io.StringIO()
    table = csv.writer(out)
    table.writerow(
        [
            *("patient", "birth_date", "sex", "collected", "test", "value", "unit"),
            *("reference_range", "interpretation"),
        ]
    )
    messages = []
    for number, (patient, hours, test, where, comparator, limits, flag) in enumerate(results):
        code, ucum, unit, low, high = TESTS[test]
        value = round(low + where * (high - low), 2)
        day, hour = 1 + hours // 24, hours % 24
        span = (round(low + 0.3 * (high - low), 1), round(low + 0.6 * (high - low), 1))
        limit = {"": "", "range": f"{span[0]}-{span[1]}", ">": f">{span[0]}", "<": f"<{span[1]}"}
        birth, sex, birth_iso, sex_word = PATIENTS[patient]
        table.writerow(
            [
                *(patient, birth_iso, sex_word, f"2026-03-{day:02d}T{hour:02d}:00", code),
                *(f"{comparator}{value}", unit, limit[limits], flag),
            ]
        )
        kind, shown = ("SN", f"{comparator}^{value}") if comparator else ("NM", str(value))
        segments = [
            f"MSH|^~\\&|LAB|H|EHR|H|20260310||ORU^R01^ORU_R01|M{number}|P|2.5.1",
            f"PID|1||{patient}^^^H^MR~X{number}^^^SSA^SS||Doe^Jo||{birth}|{sex}",
            f"OBR|1|||PANEL^Panel^L|||202603{day:02d}{hour:02d}00",
            f"OBX|1|{kind}|{code}^Result^LN||{shown}|{ucum}^^UCUM|{limit[limits]}|{flag}|||F",
        ]
        messages.append("\x0b" + "\r".join(segments) + "\r\x1c\r")
    return out.getvalue(), "".join(messages)


def _answers(path: Path, header: tuple[str, ...]) -> list[dict[str, Any]]:
    target = path.with_suffix(".out.jsonl")
    run_batch(path, target, options=BatchOptions(output_format="jsonl"))
    rows = jsonl_rows(target.read_text())
    return [{k: v for k, v in row.items() if k not in header} for row in rows]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(results=st.lists(RESULTS, min_size=1, max_size=12))
def test_hl7_answers_as_the_long_csv(
    tmp_path_factory: pytest.TempPathFactory, results: list[tuple[Any, ...]]
) -> None:
    folder = tmp_path_factory.mktemp("same")
    text, messages = _written(results)
    (folder / "labs.csv").write_text(text, encoding="utf-8")
    (folder / "labs.hl7").write_text(messages, encoding="utf-8", newline="")
    expected = _answers(folder / "labs.csv", tuple(text.splitlines()[0].split(",")))
    assert expected and all("results" in row for row in expected)
    assert _answers(folder / "labs.hl7", HEADER) == expected
