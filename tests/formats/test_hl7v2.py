"""The HL7 v2 reader: messages in, rows of the long table out, and what it counted."""

from __future__ import annotations

import csv
import doctest
import gzip
import io
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from electrocheck.errors import InputError
from electrocheck.formats import hl7v2
from electrocheck.formats.content import sniff
from electrocheck.formats.hl7v2 import HEADER, Hl7Summary, hl7_table, iso_time, write_table

KNOWN = {"2823-3": "Potassium [Moles/volume] in Serum or Plasma", "2951-2": "2951-2"}
MSH = "MSH|^~\\&|LAB|HOSP|EHR|HOSP|20260301090000||ORU^R01^ORU_R01|C1|P|2.5.1"
PID = "PID|1||P1^^^HOSP^MR||Doe^Jane||19580402|F"
OBR = "OBR|1|PL1|FI1|BMP^Panel^L|||202603010800"
OBX = "OBX|1|NM|2823-3^Potassium^LN||3.1|mmol/L^^UCUM|3.5-5.1|L|||F"


def _table(*segments: str, end: str = "\r") -> tuple[list[dict[str, str]], Hl7Summary]:
    """Rows of the table of one message (or more: each MSH starts one) of these segments."""
    text = end.join(segments) + end
    out = io.StringIO()
    summary = write_table(io.BytesIO(text.encode()), out, KNOWN.get)
    out.seek(0)
    return list(csv.DictReader(out)), summary


def _row(obx: str, *before: str) -> dict[str, str]:
    """The row of one OBX, after these segments (a PID and an OBR when none are given)."""
    rows, _ = _table(MSH, *(before or (PID, OBR)), obx)
    (row,) = rows
    return row


# --------------------------------------------------------------------------- one OBX

ROWS = [
    # (what, OBX segment, expected cells of its row)
    (
        "NM with LOINC, unit, range and flag",
        OBX,
        {
            "test": KNOWN["2823-3"],
            "loinc": "2823-3",
            "value": "3.1",
            "unit": "mmol/L",
            "reference_range": "3.5-5.1",
            "interpretation": "L",
            "result_status": "F",
            "value_type": "NM",
            "hl7_notes": "",
        },
    ),
    (
        "LOINC a code the file does not name: the code",
        "OBX|1|NM|2951-2^Na^LN||128|mmol/L",
        {"test": "2951-2", "loinc": "2951-2"},
    ),
    (
        "LOINC unknown to the file: its text",
        "OBX|1|NM|1751-7^Albumin^LN||2.5|g/dL",
        {"test": "Albumin", "loinc": "1751-7"},
    ),
    (
        "LOINC as the alternate coding",
        "OBX|1|NM|K^Potassium^99LAB^2823-3^Potassium^LN||3.1|mmol/L",
        {"test": KNOWN["2823-3"], "loinc": "2823-3"},
    ),
    (
        "a local code: its text, no LOINC",
        "OBX|1|NM|K^Potassium, serum^99LAB||3.1|mmol/L",
        {"test": "Potassium, serum", "loinc": ""},
    ),
    ("a code without text", "OBX|1|NM|K||3.1|mmol/L", {"test": "K"}),
    ("umol/L is µmol/L", "OBX|1|NM|K||3100|umol/L^^UCUM", {"unit": "µmol/L"}),
    ("meq/L is mEq/L", "OBX|1|NM|K||3.1|meq/L", {"unit": "mEq/L"}),
    ("a unit in OBX-6's text alone", "OBX|1|NM|K||3.1|^mmol/L", {"unit": "mmol/L"}),
    (
        "NM without a unit",
        "OBX|1|NM|K||3.1",
        {"unit": "", "hl7_notes": "no unit in OBX-6"},
    ),
    ("NM censored as written", "OBX|1|NM|K||<1.0|mmol/L", {"value": "<1.0"}),
    ("NM: the first repetition", "OBX|1|NM|K||3.1~3.3|mmol/L", {"value": "3.1"}),
    ("SN comparator and number", "OBX|1|SN|K||<^1.0|mg/dL", {"value": "<1.0"}),
    ("SN with >=", "OBX|1|SN|K||>=^10|mg/dL", {"value": ">=10"}),
    ("SN = is the number", "OBX|1|SN|K||=^4.1|mmol/L", {"value": "4.1"}),
    ("SN a number alone", "OBX|1|SN|K||^4.1|mmol/L", {"value": "4.1"}),
    (
        "SN a range",
        "OBX|1|SN|K||^1^-^2|mmol/L",
        {"value": "1-2", "hl7_notes": "OBX-2 is SN: a range or a ratio, not one number"},
    ),
    ("ST read as written", "OBX|1|ST|K||<1.0|mg/dL", {"value": "<1.0", "value_type": "ST"}),
    ("TX read as written", "OBX|1|TX|K||hemolyzed|mmol/L", {"value": "hemolyzed"}),
    ("no value type", "OBX|1||K||3.1|mmol/L", {"value": "3.1", "value_type": ""}),
    (
        "CWE: its text",
        "OBX|1|CWE|HEMO^Hemolysis^L||1+^Slight^L",
        {"value": "Slight", "hl7_notes": "OBX-2 is CWE: a coded value, not a number"},
    ),
    (
        "ED: no value",
        "OBX|1|ED|PDF^Report^L||^application^pdf^Base64^JVBE",
        {"value": "", "hl7_notes": "OBX-2 is ED: data, not a result"},
    ),
    (
        "DT: as written, not a number",
        "OBX|1|DT|D^Date^L||20260301",
        {"value": "20260301", "hl7_notes": "OBX-2 is DT, not a number"},
    ),
    (
        "no code",
        "OBX|1|NM|||3.1|mmol/L",
        {"test": "", "hl7_notes": "no code in OBX-3: the test is not known"},
    ),
    ("no value", "OBX|1|NM|K|||mmol/L", {"value": "", "hl7_notes": "no value in OBX-5"}),
    ("a range >3.5", "OBX|1|NM|K||3.1|mmol/L|>3.5", {"reference_range": ">3.5"}),
    ("a range <5.1", "OBX|1|NM|K||3.1|mmol/L|<5.1", {"reference_range": "<5.1"}),
    ("repeated flags: the first", "OBX|1|NM|K||2.1|mmol/L||LL~A", {"interpretation": "LL"}),
    ("flag <", "OBX|1|NM|K||2.1|mmol/L||<", {"interpretation": "<"}),
    ("status X", "OBX|1|NM|K|||mmol/L|||||X", {"result_status": "X"}),
    (
        "OBX-14 over OBR-7",
        "OBX|1|NM|K||3.1|mmol/L|||||F|||20260301075500",
        {"collected": "2026-03-01T07:55:00"},
    ),
    ("OBR-7 without OBX-14", OBX, {"collected": "2026-03-01T08:00"}),
    (
        "escapes in text",
        "OBX|1|ST|K^a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f^L||x\\S\\y",
        {"test": "a|b^c&d~e\\f", "value": "x^y"},
    ),
    ("a hex escape", "OBX|1|NM|K^potassium\\X2C\\ serum^L||3.1", {"test": "potassium, serum"}),
    ("a component's subcomponent", "OBX|1|NM|K&x^Potassium^L||3.1", {"test": "Potassium"}),
    ("where it is", OBX, {"message": "C1", "obx": "message 1, OBR 1, OBX 1"}),
]


@pytest.mark.parametrize(("what", "obx", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_an_obx_row(what: str, obx: str, expected: dict[str, str]) -> None:
    row = _row(obx)
    assert {k: row[k] for k in expected} == expected


def test_the_header_is_the_reader_s() -> None:
    rows, _ = _table(MSH, PID, OBR, OBX)
    assert tuple(rows[0]) == HEADER


# --------------------------------------------------------------------------- the context

CONTEXT = [
    # (what, segments before the OBX, expected cells)
    (
        "the patient, birth date and sex",
        [PID, OBR],
        {"patient": "P1", "birth_date": "1958-04-02", "sex": "female"},
    ),
    (
        "PID-3 repeated: the first",
        ["PID|1||A1^^^H^MR~B2^^^S^SS||X||19580402|M", OBR],
        {"patient": "A1", "sex": "male"},
    ),
    ("PID-2 without PID-3", ["PID|1|OLD7|||X", OBR], {"patient": "OLD7"}),
    (
        "a birth time: its day",
        ["PID|1||A1||X||195804021230|U", OBR],
        {"birth_date": "1958-04-02", "sex": ""},
    ),
    ("no PID", [OBR], {"patient": "", "birth_date": ""}),
    ("OBR-3 is the specimen", [PID, OBR], {"specimen_id": "FI1"}),
    ("OBR-2 without OBR-3", [PID, "OBR|1|PL1||BMP|||202603010800"], {"specimen_id": "PL1"}),
    (
        "ORC-3 without either",
        [PID, "ORC|RE|PL9|FI9", "OBR|1|||BMP|||202603010800"],
        {"specimen_id": "FI9"},
    ),
    (
        "OBR-15's text is the specimen type",
        [PID, "OBR|1|PL1|FI1|BMP|||202603010800||||||||SER&Serum&HL70070"],
        {"specimen_type": "Serum"},
    ),
    (
        "an OBR-7 with an offset",
        [PID, "OBR|1|PL1|FI1|BMP|||202603010800-0500"],
        {"collected": "2026-03-01T08:00-05:00"},
    ),
    ("an OBX before any OBR", [PID], {"obx": "message 1, OBX 1", "patient": "P1"}),
]


@pytest.mark.parametrize(("what", "before", "expected"), CONTEXT, ids=[c[0] for c in CONTEXT])
def test_the_context_of_a_row(what: str, before: list[str], expected: dict[str, str]) -> None:
    row = _row("OBX|1|NM|K||3.1|mmol/L", *before)
    assert {k: row[k] for k in expected} == expected


def test_spm_after_the_results_gives_their_specimen() -> None:
    rows, summary = _table(
        MSH,
        PID,
        "OBR|1|PL1|FI1|BMP",
        OBX,
        "OBX|2|NM|2951-2^Na^LN||128|mmol/L",
        "SPM|1|SP1&LAB^FSP1&LAB||SER^Serum^HL70487|||||||||||||202603010755",
        "OBR|2|PL2|FI2|MG|||202603011400",
        "OBX|1|NM|MG^Magnesium^L||1.1|mg/dL",
    )
    assert [(r["specimen_id"], r["specimen_type"], r["collected"]) for r in rows] == [
        ("FSP1", "Serum", "2026-03-01T07:55"),
        ("FSP1", "Serum", "2026-03-01T07:55"),
        ("FI2", "", "2026-03-01T14:00"),
    ]
    assert [r["obx"] for r in rows] == [
        "message 1, OBR 1, OBX 1",
        "message 1, OBR 1, OBX 2",
        "message 1, OBR 2, OBX 1",
    ]
    assert (summary.groups, summary.results, summary.segments["SPM"]) == (2, 3, 1)


def test_a_second_pid_is_another_patient() -> None:
    rows, _ = _table(MSH, PID, OBR, OBX, "PID|2||P2||Roe||20200101|M", OBR, OBX)
    assert [(r["patient"], r["sex"]) for r in rows] == [("P1", "female"), ("P2", "male")]


def test_a_message_s_own_separators_read_its_escapes() -> None:
    rows, _ = _table(
        "MSH#$~\\&#LAB#HOSP#EHR#HOSP#20260301##ORU$R01#C9#P#2.5.1",
        "PID#1##A|1$$$H$MR##X##19580402#F",
        "OBX#1#NM#K$Pot\\S\\assium$L##3.1#mmol/L",
    )
    (row,) = rows
    assert (row["patient"], row["test"], row["message"]) == ("A|1", "Pot$assium", "C9")


# --------------------------------------------------------------------------- the file

MESSAGE = "\r".join([MSH, PID, OBR, OBX])


@pytest.mark.parametrize(
    ("what", "data"),
    [
        ("CR", (MESSAGE + "\r") * 2),
        ("LF", (MESSAGE.replace("\r", "\n") + "\n") * 2),
        ("CRLF", (MESSAGE.replace("\r", "\r\n") + "\r\n") * 2),
        ("MLLP", ("\x0b" + MESSAGE + "\r\x1c\r") * 2),
        ("MLLP without a last CR", ("\x0b" + MESSAGE + "\x1c\r") * 2),
        ("blank lines between", (MESSAGE.replace("\r", "\n\n") + "\n\n\n") * 2),
        ("a batch envelope", "FHS|^~\\&\rBHS|^~\\&\r" + (MESSAGE + "\r") * 2 + "BTS|2\rFTS|1\r"),
    ],
)
@pytest.mark.parametrize("block", [1, 7, 1 << 20])
def test_segment_ends_and_framing_whatever_the_blocks(what: str, data: str, block: int) -> None:
    raw = data.encode()
    out = io.StringIO()
    summary = write_table((raw[i : i + block] for i in range(0, len(raw), block)), out, KNOWN.get)
    out.seek(0)
    rows = list(csv.DictReader(out))
    assert [(r["patient"], r["value"], r["obx"]) for r in rows] == [
        ("P1", "3.1", "message 1, OBR 1, OBX 1"),
        ("P1", "3.1", "message 2, OBR 1, OBX 1"),
    ]
    assert (summary.messages, summary.problems.total()) == (2, 0)


def test_latin1_is_read_and_counted() -> None:
    raw = (MSH + "\rPID|1||P1||M\xfcller\r" + OBX + "\r").encode("latin-1")
    out = io.StringIO()
    summary = write_table([raw], out, KNOWN.get)
    assert summary.problems["not_utf8"] == 1 and "3.1" in out.getvalue()


BROKEN = [
    ("no field separator", "MSH", "no field separator after MSH"),
    ("no encoding characters", "MSH|LAB|HOSP", "no encoding characters in MSH-2"),
    ("encoding characters repeated", "MSH|^^\\&|LAB", "repeat a character"),
    ("a letter as the separator", "MSHXabcd", ""),  # not even MSH: a line before any
    ("nothing after MSH-2", "MSH|^~\\&", "MSH ends after MSH-2"),
]


@pytest.mark.parametrize(("what", "msh", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_msh_first_is_refused_later_counted(what: str, msh: str, message: str) -> None:
    if message:
        with pytest.raises(InputError, match=message) as raised:
            _table(msh, PID, OBX)
        assert "\n" not in str(raised.value)
        rows, summary = _table(MSH, PID, OBX, msh, PID, OBX, MSH, PID, OBX)
        assert summary.problems["broken_msh"] == 1 and message in summary.examples["broken_msh"]
        assert [r["obx"] for r in rows] == ["message 1, OBX 1", "message 3, OBX 1"]
    else:
        with pytest.raises(InputError, match="no HL7 v2 message"):
            _table(msh, PID, OBX)


def test_lines_that_are_no_segment_are_counted() -> None:
    rows, summary = _table(MSH, PID, "not a segment", "obx|1|NM|K||3", OBR, OBX)
    assert len(rows) == 1
    assert summary.problems["not_segment"] == 2
    assert summary.examples["not_segment"] == "message 1: 'not a segment'"


def test_other_segments_and_message_types_are_counted() -> None:
    rows, summary = _table(
        MSH, PID, "PV1|1|O", OBR, "NTE|1||note", OBX, "ZLB|x",
        "MSH|^~\\&|ADT|H|||20260301||ADT^A08|A1|P|2.5.1", PID,
    )  # fmt: skip
    assert len(rows) == 1
    assert summary.message_types == {"ORU^R01": 1, "ADT^A08": 1}
    assert summary.line() == (
        "  HL7 v2: 2 messages (ADT^A08 1, ORU^R01 1), 1 OBR group, 1 OBX result; read with "
        "them: PID 2, OBR 1; not read: NTE 1, PV1 1, ZLB 1"
    )


def test_the_warnings_name_each_problem_and_the_other_value_types() -> None:
    _, summary = _table(
        MSH, "PID|1||P1", OBR, "OBX|1|NM|||3.1|mmol/L", "OBX|2|ST|K||<1.0|mmol/L",
        "OBX|3|CWE|K||1+^Slight", "OBX|4|NM|K||3.1",
    )  # fmt: skip
    assert summary.warnings() == [
        "HL7: 1 OBX without a code in OBX-3 (a row without a test name): message 1, OBR 1, OBX 1",
        "HL7: 1 numeric OBX without a unit in OBX-6 (read as a CSV value without one): "
        "message 1, OBR 1, OBX 4",
        "HL7: 2 OBX whose value type (OBX-2) is not NM or SN, read as written (a number or "
        "<1.0 is read, other text is an unreadable value): CWE 1, ST 1",
        "HL7: 4 rows whose patient's birth date (PID-7) is not in the file: adult limits were "
        "used for them",
    ]
    assert summary.to_dict()["value_types"] == {"CWE": 1, "NM": 2, "ST": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("\r\n\r\n", "is empty"),
        ("PID|1||P1\r", "no HL7 v2 message"),
        (MSH + "\r" + PID + "\r", "HL7 v2 without any OBX result (it holds ORU^R01 1)"),
    ],
)
def test_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "in.hl7"
    path.write_text(text)
    with (
        pytest.raises(InputError, match=re.escape(message)) as raised,
        hl7_table(path, "'in.hl7'", None, KNOWN.get),
    ):
        pass  # pragma: no cover - refused on entry
    assert "\n" not in str(raised.value)


def test_the_table_is_removed_after_use(tmp_path: Path) -> None:
    path = tmp_path / "in.hl7.gz"
    path.write_bytes(gzip.compress((MESSAGE + "\r").encode()))
    with hl7_table(path, "'in'", "gzip", KNOWN.get) as (table, summary):
        assert table.read_text().count("\n") == 2 and summary.results == 1
    assert not table.exists()


def test_without_the_package_one_line_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "in.hl7"
    path.write_text(MESSAGE)
    monkeypatch.setitem(sys.modules, "hl7", None)  # import hl7 raises ImportError
    with pytest.raises(InputError) as raised, hl7_table(path, "'in.hl7'", None, KNOWN.get):
        pass  # pragma: no cover - refused on entry
    assert str(raised.value) == (
        "'in.hl7' is HL7 v2: reading it needs the hl7 package: pip install 'electrocheck[hl7]'"
    )


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026", "2026"),
        ("202603", "2026-03"),
        ("20260301", "2026-03-01"),
        ("2026030108", "2026-03-01T08:00"),
        ("202603010830", "2026-03-01T08:30"),
        ("20260301083015", "2026-03-01T08:30:15"),
        ("20260301083015.1234", "2026-03-01T08:30:15.1234"),
        ("202603010830+0100", "2026-03-01T08:30+01:00"),
        ("20260301083015-0500", "2026-03-01T08:30:15-05:00"),
        ("", ""),
        ("2026-03-01", "2026-03-01"),  # not HL7: kept for the time reader to explain
        ("yesterday", "yesterday"),
    ],
)
def test_hl7_times_are_iso(text: str, iso: str) -> None:
    assert iso_time(text) == iso


def test_the_module_s_examples_run() -> None:
    assert doctest.testmod(hl7v2).failed == 0


# --------------------------------------------------------------------------- content


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"MSH|^~\\&|LAB", "hl7"),
        (b"\x0bMSH|^~\\&|LAB", "hl7"),
        (b"\xef\xbb\xbfMSH|^~\\&|LAB", "hl7"),
        (b"FHS|^~\\&|LAB", "hl7"),
        (b"BHS|^~\\&|LAB", "hl7"),
        (b"MSH#^~\\&#LAB", "hl7"),
        (b"MSH|LAB|broken", "hl7"),  # refused by the reader, which says why
        (b"MSH\r", "hl7"),
        (b"MSH,K\n1,3.1\n", "text"),  # a CSV whose first column is called MSH
        (b"MSH_ID;K\n", "text"),
        (b"MSHX,K\n", "text"),
    ],
)
def test_hl7_is_known_by_its_first_bytes(tmp_path: Path, head: bytes, kind: str) -> None:
    path = tmp_path / "labs.csv"
    path.write_bytes(head)
    assert sniff(path, "'labs.csv'").kind == kind


def test_compressed_hl7_is_known(tmp_path: Path) -> None:
    path = tmp_path / "labs.csv"
    path.write_bytes(gzip.compress(MESSAGE.encode()))
    content = sniff(path, "'labs.csv'")
    assert (content.kind, content.compression) == ("hl7", "gzip")


# --------------------------------------------------------------------------- fuzz

_SEGMENT = st.one_of(
    st.sampled_from(
        [
            MSH,
            PID,
            OBR,
            OBX,
            "MSH|",
            "MSH",
            "OBX",
            "OBX|",
            "PID|||~~^^&&",
            "SPM|1|&^",
            "MSH#$~\\&#L",
            "MSH|^~\\&#|",
        ]
    ),
    st.builds(
        "|".join,
        st.lists(
            st.text(alphabet="OBXPIDMSHR^~\\&|#$0123456789.<>-FSTEN \x0b\x1c", max_size=12),
            min_size=1,
            max_size=16,
        ).map(lambda parts: [st_name(parts[0]), *parts[1:]]),
    ),
)


def st_name(text: str) -> str:
    """A segment name most of the time, so that the fuzz reaches past the first checks."""
    return ["MSH", "OBX", "OBR", "PID", "SPM", "ORC"][len(text) % 6] if len(text) % 4 else text


@settings(max_examples=400, deadline=None)
@given(
    segments=st.lists(_SEGMENT, min_size=1, max_size=8),
    end=st.sampled_from(["\r", "\n", "\r\n", "\x1c\r\x0b"]),
    lead=st.sampled_from(["", MSH + "\r", "\x0b"]),
)
def test_any_segments_give_rows_or_one_error(segments: list[str], end: str, lead: str) -> None:
    try:
        write_table([(lead + end.join(segments)).encode()], io.StringIO(), KNOWN.get)
    except InputError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), lead=st.sampled_from([b"", b"MSH|^~\\&|", b"\x0bMSH|"]))
def test_any_bytes_give_rows_or_one_error(data: bytes, lead: bytes) -> None:
    try:
        write_table([lead + data], io.StringIO(), KNOWN.get)
    except InputError as exc:
        assert "\n" not in str(exc)
