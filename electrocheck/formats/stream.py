"""A text file's content as the readers want it: UTF-8, with LF or CRLF line ends.

:class:`TextStream` reads a file in blocks and, only where the file needs it,

* decompresses it (gzip, bzip2, xz, and zstd where the ``zstandard`` package or Python 3.14's
  ``compression.zstd`` is there), streaming, so memory stays flat;
* transcodes it to UTF-8 from the file's encoding (Windows-1252, UTF-16 ...);
* turns a carriage return that ends a line on its own (classic Mac OS, Excel for Mac) into a
  line feed, leaving CRLF as it is, so any mix of CR, LF and CRLF reads as lines.

A plain UTF-8 file with LF line ends goes through untouched: one search for a CR per block is
all the work it costs. A file whose head has CRLF line ends and no lone CR is trusted to go on
so (``check_line_ends=False``), sparing two counts of every block: should a lone CR come
later, the line it ends and the next read as one row with too many fields, which polars
refuses, and the csv module, which reads the file again, takes CR, LF and CRLF alike. Offsets
are counted in the stream's output (a CR becomes one LF, so they are the same either way);
:meth:`position` says how far into the file on disk the reading has come (for a progress bar).
"""

from __future__ import annotations

import codecs
import importlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from electrocheck.errors import InputError

UTF8 = "utf-8"
_BOM = codecs.BOM_UTF8
_LONE_CR = re.compile(rb"\r(?!\n)")
ZSTD_MISSING = (
    "reading it needs the zstandard package: pip install 'electrocheck[zstd]', "
    "or decompress it first (zstd -d FILE)"
)


def codec_name(encoding: str) -> str:
    """The canonical name of an encoding (``latin1`` -> ``iso8859-1``), or InputError."""
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, ValueError):
        raise InputError(
            f"unknown encoding {encoding!r} (--encoding): try utf-8, cp1252, latin-1 or utf-16"
        ) from None
    if name == "utf-8-sig":
        return UTF8  # the byte-order mark is dropped in any case
    try:
        "a,b\n".encode(name)
    except (LookupError, UnicodeError):  # a binary codec (base64, rot13 ...): not text
        raise InputError(f"{encoding!r} (--encoding) is not a text encoding") from None
    return name


def _zstd_reader(raw: IO[bytes], shown: str) -> IO[bytes]:
    try:  # Python 3.14 and later
        zstd: Any = importlib.import_module("compression.zstd")
        reader: IO[bytes] = zstd.ZstdFile(raw)
        return reader
    except ImportError:
        pass
    try:
        zstandard: Any = importlib.import_module("zstandard")
    except ImportError:
        raise InputError(f"{shown} is zstd-compressed: {ZSTD_MISSING}") from None
    return io.BufferedReader(_ZstdFrames(raw, zstandard.ZstdDecompressor()))


class _ZstdFrames(io.RawIOBase):
    """The frames of a zstd stream, one after another, decompressed; data that ends inside a
    frame raises EOFError. (``zstandard``'s own stream reader ends quietly there, so a file
    cut short would be read as if it were whole, and the results it lost would go unseen.)"""

    def __init__(self, raw: IO[bytes], decompressor: Any) -> None:
        self.raw, self.decompressor = raw, decompressor
        self.frame = decompressor.decompressobj()
        self.started = False  # whether the current frame has been given any data
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            chunk = self.raw.read(1 << 16)
            if not chunk:
                if self.started and not self.frame.eof:
                    raise EOFError("zstd data ends inside a frame")
                return 0
            self.started = True
            out = self.frame.decompress(chunk)
            while self.frame.eof and self.frame.unused_data:
                rest = self.frame.unused_data
                self.frame = self.decompressor.decompressobj()
                out += self.frame.decompress(rest)
            self.pending = out
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


def _decompressed(
    raw: IO[bytes], compression: str | None, shown: str
) -> IO[bytes] | io.BufferedIOBase:
    if compression is None:
        return raw
    # Imported here: a plain file, the common case, spares loading them.
    if compression == "gzip":
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bzip2":
        import bz2

        return bz2.BZ2File(raw, mode="rb")
    if compression == "xz":
        import lzma

        return lzma.LZMAFile(raw, mode="rb")
    if compression == "zstd":
        return _zstd_reader(raw, shown)
    raise ValueError(f"unknown compression {compression!r}")


class TextStream:
    """The content of ``path`` as UTF-8 bytes with LF or CRLF line ends (see the module).

    ``encoding`` is a codec name (:func:`codec_name`); UTF-8 is passed through unchecked (the
    readers check it). ``strict`` refuses bytes the encoding does not define, with an
    :class:`InputError`; otherwise they become U+FFFD.
    """

    def __init__(
        self,
        path: Path,
        shown: str,
        compression: str | None = None,
        encoding: str = UTF8,
        strict: bool = False,
        check_line_ends: bool = True,
        span: tuple[int, int | None] = (0, None),
    ) -> None:
        self.shown = shown
        self.check_line_ends = check_line_ends
        self.saw_cr = False  # a CR was seen (checking line ends)
        self.saw_lone_cr = False  # a CR that ends a line on its own was seen, and made an LF
        self.compression = compression
        self.encoding = encoding
        self._raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            self._source = _decompressed(self._raw, compression, shown)
        except BaseException:
            self._raw.close()
            raise
        self._decoder = (
            None
            if encoding == UTF8
            else codecs.getincrementaldecoder(encoding)("strict" if strict else "replace")
        )
        self._wide = encoding.startswith(("utf-16", "utf-32"))
        self._started = False
        self._pending_cr = False
        self._carry = b""  # output read by skip() beyond the point it skipped to
        self._eof = False
        # Only bytes ``start`` to ``end`` of an uncompressed file (a part read by a process
        # of its own): a part after the start has no byte order mark.
        start, self._end = span
        if start or self._end is not None:
            if compression is not None:
                raise ValueError("a span of a compressed file cannot be read")
            self._raw.seek(start)
            self._started = start > 0

    # ----------------------------------------------------------------- reading

    def read(self, size: int) -> bytes:
        """Some bytes of output, about ``size`` of them (transcoding may give more, and a
        compressed or short read fewer); ``b""`` only at the end of the file."""
        if self._carry:
            data, self._carry = self._carry, b""
            return data
        while not self._eof:
            raw = self._read_source(size)
            while not self._started and raw and len(raw) < len(_BOM):  # a whole mark, if any
                more = self._read_source(len(_BOM))
                if not more:
                    break
                raw += more
            last = not raw
            if not self._started and raw.startswith(_BOM) and not self._wide:
                raw = raw[len(_BOM) :]  # a UTF-8 mark before text in another 8-bit encoding
            data = raw if self._decoder is None else self._transcode(raw, last)
            if not self._started and (data or last):
                self._started = True
                if data.startswith(_BOM):
                    data = data[len(_BOM) :]
            data = self._line_ends(data, last)
            self._eof = last
            if data:
                return data
        return b""

    def read_up_to(self, size: int) -> bytes:
        """``size`` bytes of output, fewer only at the end of the file."""
        parts, got = [], 0
        while got < size:
            data = self.read(size - got)
            if not data:
                break
            parts.append(data)
            got += len(data)
        return b"".join(parts)

    def skip(self, count: int) -> None:
        """Read past exactly ``count`` bytes of output (or to the end of the file)."""
        while count > 0:
            data = self.read(min(count, 1 << 20))
            if not data:
                return
            if len(data) > count:
                self._carry = data[count:]
                return
            count -= len(data)

    def position(self) -> int:
        """How far into the file on disk the reading has come, in bytes."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def _read_source(self, size: int) -> bytes:
        if self._end is not None:
            size = min(size, self._end - self._raw.tell())
            if size <= 0:
                return b""
        try:
            return self._source.read(size)
        except InputError:
            raise
        except OSError as exc:
            if self.compression is None:
                raise InputError(f"cannot read {self.shown}: {exc.strerror or exc}") from None
            raise self._damaged() from None
        except Exception:  # zlib.error, EOFError, LZMAError, ZstdError: the data is damaged
            raise self._damaged() from None

    def _damaged(self) -> InputError:
        return InputError(
            f"{self.shown} is {self.compression}-compressed, but the compressed data is "
            f"damaged or cut short: copy the file again, or test it with "
            f"{_TOOLS.get(self.compression or '', 'its decompressor')}"
        )

    def _transcode(self, raw: bytes, last: bool) -> bytes:
        assert self._decoder is not None
        try:
            return self._decoder.decode(raw, final=last).encode(UTF8, errors="replace")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self.shown} is not {self.encoding} text (byte 0x{exc.object[exc.start]:02x} "
                "is not valid in it): give the file's encoding with --encoding, e.g. "
                "utf-8, cp1252 or utf-16"
            ) from None

    def _line_ends(self, data: bytes, last: bool) -> bytes:
        """A lone CR becomes LF; a CR at the end of a block waits for the next one."""
        if not self.check_line_ends:
            return data
        if self._pending_cr:
            data = b"\r" + data
            self._pending_cr = False
        if b"\r" not in data:
            return data
        self.saw_cr = True
        if data.endswith(b"\r") and not last:
            data = data[:-1]
            self._pending_cr = True
        crlf = data.count(b"\r\n")
        if data.count(b"\r") == crlf:
            return data
        self.saw_lone_cr = True
        return data.replace(b"\r", b"\n") if crlf == 0 else _LONE_CR.sub(b"\n", data)

    # ----------------------------------------------------------------- file object

    def close(self) -> None:
        try:
            if self._source is not self._raw:
                self._source.close()
        finally:
            self._raw.close()

    def __enter__(self) -> TextStream:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


_TOOLS = {"gzip": "gzip -t", "bzip2": "bzip2 -t", "xz": "xz -t", "zstd": "zstd -t"}


class StreamReader(io.RawIOBase):
    """A :class:`TextStream` as a raw binary file, for :class:`io.TextIOWrapper`."""

    def __init__(self, stream: TextStream) -> None:
        super().__init__()
        self.stream = stream
        self._left = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if not self._left:
            self._left = self.stream.read(max(len(view), 1 << 16))
        count = min(len(view), len(self._left))
        view[:count] = self._left[:count]
        self._left = self._left[count:]
        return count


def first_content_line(lines: Iterator[bytes]) -> tuple[bytes, int]:
    """The first line of ``lines`` that is not blank, and its number from 1 (``b""`` and the
    lines' count where all are blank); the lines after it are left in ``lines``."""
    number = 0
    for line in lines:
        number += 1
        if line.strip():
            return line, number
    return b"", number


__all__ = [
    "UTF8",
    "ZSTD_MISSING",
    "StreamReader",
    "TextStream",
    "codec_name",
    "first_content_line",
]
