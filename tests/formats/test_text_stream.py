"""The text stream: decompressed, transcoded to UTF-8, every line ending in LF or CRLF."""

from __future__ import annotations

import bz2
import gzip
import importlib.util
import lzma
from pathlib import Path

import pytest

from electrocheck.errors import InputError
from electrocheck.formats.stream import TextStream, codec_name

HAS_ZSTD = importlib.util.find_spec("zstandard") is not None


def _read(path: Path, size: int = 3, **options: object) -> bytes:
    """The whole stream, read in ``size``-byte steps (small, to cross every boundary)."""
    parts = []
    with TextStream(path, repr(path.name), **options) as stream:  # type: ignore[arg-type]
        while data := stream.read(size):
            parts.append(data)
    return b"".join(parts)


# (file bytes, stream output): a lone CR becomes LF, one byte for one; CRLF stays.
LINE_ENDS = [
    (b"a,b\n1,2\n", b"a,b\n1,2\n"),
    (b"a,b\r\n1,2\r\n", b"a,b\r\n1,2\r\n"),
    (b"a,b\r1,2\r", b"a,b\n1,2\n"),
    (b"a,b\r1,2\n3,4\r\n5,6\r", b"a,b\n1,2\n3,4\r\n5,6\n"),
    (b"a\r\r\nb", b"a\n\r\nb"),
    (b"a\rb", b"a\nb"),
    (b"\r", b"\n"),
    (b"\xef\xbb\xbfa\rb", b"a\nb"),  # the UTF-8 byte-order mark is dropped
]


@pytest.mark.parametrize(("data", "expected"), LINE_ENDS)
@pytest.mark.parametrize("size", [1, 2, 3, 1 << 20])
def test_any_mix_of_line_ends_reads_as_lines(
    tmp_path: Path, data: bytes, expected: bytes, size: int
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    assert _read(path, size) == expected


def test_trusted_crlf_stream_is_passed_through(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"a\r\nb\rc")
    assert _read(path, check_line_ends=False) == b"a\r\nb\rc"


COMPRESSORS = {
    "gzip": gzip.compress,
    "bzip2": bz2.compress,
    "xz": lzma.compress,
}


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_compressed_files_read_as_their_text(tmp_path: Path, compression: str) -> None:
    text = b"mrn,K\r" + b"".join(b"%d,4.1\r" % i for i in range(5000))
    path = tmp_path / "in.bin"
    path.write_bytes(COMPRESSORS[compression](text))
    assert _read(path, 4096, compression=compression) == text.replace(b"\r", b"\n")


@pytest.mark.skipif(not HAS_ZSTD, reason="the zstandard package (the zstd extra) is absent")
def test_zstd_reads_across_frames(tmp_path: Path) -> None:
    import zstandard

    compressor = zstandard.ZstdCompressor()
    path = tmp_path / "in.zst"
    path.write_bytes(compressor.compress(b"mrn,K\n1,3.1\n") + compressor.compress(b"2,4.0\n"))
    assert _read(path, compression="zstd") == b"mrn,K\n1,3.1\n2,4.0\n"


def test_zstd_without_its_package_says_which_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def missing(name: str, *args: object) -> object:
        if name in ("zstandard", "compression.zstd"):
            raise ImportError(name)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib, "import_module", missing)
    path = tmp_path / "labs.csv.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd\x00")
    with pytest.raises(InputError) as info:
        TextStream(path, "'labs.csv.zst'", compression="zstd")
    assert str(info.value) == (
        "'labs.csv.zst' is zstd-compressed: reading it needs the zstandard package: "
        "pip install 'electrocheck[zstd]', or decompress it first (zstd -d FILE)"
    )


@pytest.mark.parametrize(
    ("compression", "damage"),
    [
        ("gzip", lambda data: data[:-12]),  # cut short
        ("gzip", lambda data: data[:20] + b"\x00" * 40 + data[60:]),  # damaged
        ("bzip2", lambda data: data[:-30]),
        ("xz", lambda data: data[:-30]),
    ],
)
def test_damaged_compressed_data_is_one_clear_error(
    tmp_path: Path, compression: str, damage: object
) -> None:
    text = b"".join(b"%d,4.1,some text to compress\n" % i for i in range(3000))
    path = tmp_path / "labs.csv.z"
    path.write_bytes(damage(COMPRESSORS[compression](text)))  # type: ignore[operator]
    with pytest.raises(InputError) as info:
        _read(path, 1 << 16, compression=compression)
    message = str(info.value)
    assert message.startswith(f"'labs.csv.z' is {compression}-compressed, but the")
    assert "damaged or cut short" in message


# (bytes, encoding, text)
ENCODINGS = [
    ("K;Natrium\n3,1;café\n".encode("utf-16"), "utf-16", "K;Natrium\n3,1;café\n"),
    ("K\tnote\nnaïve\n".encode("utf-16-le"), "utf-16-le", "K\tnote\nnaïve\n"),
    ("K,note\r\n4.1,Ærø\r\n".encode("cp1252"), "cp1252", "K,note\r\n4.1,Ærø\r\n"),
    ("K,note\r4.1,µ\r".encode("latin-1"), "iso8859-1", "K,note\n4.1,µ\n"),
    ("K,note\n4.1,ｶﾘｳﾑ\n".encode("shift_jis"), "shift_jis", "K,note\n4.1,ｶﾘｳﾑ\n"),
    (b"\xef\xbb\xbfK,note\n4.1,\xe6\n", "cp1252", "K,note\n4.1,æ\n"),  # mark dropped
]


@pytest.mark.parametrize(("data", "encoding", "text"), ENCODINGS)
@pytest.mark.parametrize("size", [1, 5, 1 << 16])
def test_other_encodings_become_utf8(
    tmp_path: Path, data: bytes, encoding: str, text: str, size: int
) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    assert _read(path, size, encoding=encoding).decode("utf-8") == text


def test_bytes_the_encoding_lacks_are_an_error_only_when_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "labs.csv"
    path.write_bytes(b"K,note\n4.1,\x81\n")  # 0x81 is undefined in cp1252
    assert _read(path, encoding="cp1252") == "K,note\n4.1,\ufffd\n".encode()
    with pytest.raises(InputError) as info:
        _read(path, encoding="cp1252", strict=True)
    assert str(info.value).startswith("'labs.csv' is not cp1252 text (byte 0x81")
    assert "--encoding" in str(info.value)


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("UTF8", "utf-8"),
        ("utf-8-sig", "utf-8"),
        ("latin1", "iso8859-1"),
        ("Windows-1252", "cp1252"),
    ],
)
def test_encoding_names(name: str, canonical: str) -> None:
    assert codec_name(name) == canonical


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("klingon", "unknown encoding 'klingon' (--encoding): try utf-8, cp1252"),
        ("rot13", "'rot13' (--encoding) is not a text encoding"),
        ("base64", "'base64' (--encoding) is not a text encoding"),
    ],
)
def test_encoding_that_is_none_is_refused(name: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        codec_name(name)
    assert str(info.value).startswith(message)


def test_skip_lands_exactly_and_position_follows_the_file(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("é,K\n".encode("cp1252") + b"1,3.1\n" * 1000)
    with TextStream(path, "'in.csv'", encoding="cp1252") as stream:
        stream.skip(5)  # "é" is two bytes of UTF-8: "é,K\n" is five
        assert stream.read_up_to(6) == b"1,3.1\n"
        while stream.read(1 << 16):
            pass
        assert stream.position() == path.stat().st_size


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_zstd_data_cut_short_is_one_clear_error(tmp_path: Path, keep: float) -> None:
    zstandard = pytest.importorskip("zstandard")
    text = b"".join(b"%d,4.1,some text to compress\n" % i for i in range(30000))
    data = zstandard.ZstdCompressor().compress(text)
    path = tmp_path / "labs.csv.z"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(InputError, match=r"is zstd-compressed, but the .*damaged or cut short"):
        _read(path, 1 << 16, compression="zstd")


def test_zstd_frames_one_after_another_read_whole(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    frames = [b"mrn,K\n", b"1,3.1\n", b"2,4.1\n"]
    path = tmp_path / "labs.csv.z"
    path.write_bytes(b"".join(zstandard.ZstdCompressor().compress(f) for f in frames))
    assert _read(path, 1 << 16, compression="zstd") == b"".join(frames)
