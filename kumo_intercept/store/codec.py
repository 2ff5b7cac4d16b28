"""On-disk encoding: msgpack values that round-trip exactly, checksummed frames, versioned file headers.

Every file of a data directory is ``prefix | frame | frame | …``:

* prefix (8 bytes): ``b"KUMO"``, format version (u16 LE), file kind (u16 LE). An unknown version is
  refused before anything else is read.
* frame: ``crc32 (u32) | length (u32) | sequence (u64) | type (u8) | payload`` (little endian). The
  CRC covers everything after itself; ``length`` is the payload's. The first frame of a file is its
  HEADER (a msgpack dict that repeats the format version and says what the file is).

Values are plain msgpack (``use_bin_type``), packed at C speed. A record key is a str, int, bytes or a
tuple of those; msgpack writes a tuple as an array, and since a key can never hold a list, readers turn
every array in a key position back into a tuple (nested too, ``as_key``): keys such as
``("123456789012", "us-east-1", "queue")`` come back identical. Values keep lists as lists; tuples
inside values come back as lists (the State rules forbid them; restart-equivalence mode, which compares
with ``pack_exact``, reports any).
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any, Iterator

import msgpack  # type: ignore[import-untyped]

from .errors import CorruptionError, FormatVersionError

FORMAT_VERSION = 1
MAGIC = b"KUMO"
PREFIX = struct.Struct("<4sHH")
PREFIX_SIZE = PREFIX.size  # 8

# file kinds
SEGMENT, SNAPSHOT, MANIFEST, CHECKPOINT = 1, 2, 3, 4
KIND_NAMES = {SEGMENT: "segment", SNAPSHOT: "snapshot", MANIFEST: "manifest", CHECKPOINT: "checkpoint"}

# frame types
HEADER = 1   # first frame of every file: {"format", "kind", …}
COMMIT = 2   # one atomic change: [ids counter, [[table, key, value] | [table, key], …]]
CLOCK = 3    # the virtual clock moved: [time]
CLOSE = 4    # a clean close: [ids counter, clock time or None]
RECORDS = 5  # a chunk of a snapshot: [table, [[key, value], …]]
END = 6      # last frame of a snapshot: {"records": n}
FRAME_TYPES = {HEADER: "HEADER", COMMIT: "COMMIT", CLOCK: "CLOCK", CLOSE: "CLOSE", RECORDS: "RECORDS",
               END: "END"}

#: a frame's header: checksum, then what ``FRAME_REST`` packs (the checksum covers it, then the payload)
FRAME_HEAD = struct.Struct("<IIQB")
FRAME_REST = struct.Struct("<IQB")
_CRC = struct.Struct("<I")
FRAME_OVERHEAD = FRAME_HEAD.size  # 17
MAX_PAYLOAD = 1 << 31

_TUPLE, _SUBCLASS = 1, 2  # pack_exact's tags (never written to disk)
#: an int beyond msgpack's 64 bits (AWS params may carry one), written as its decimal text
_BIG_INT = 3
#: str holding a lone surrogate (JSON escapes can carry one) round-trips as UTF-8 with surrogatepass
_UNICODE_ERRORS = "surrogatepass"

_NONZERO = re.compile(rb"[^\x00]")


def _big_int(obj: Any) -> msgpack.ExtType:
    if isinstance(obj, int):  # msgpack asks only for ints it cannot hold in 64 bits
        return msgpack.ExtType(_BIG_INT, str(obj).encode())
    raise TypeError(f"can not serialize {type(obj).__name__!r} object")


def _ext(code: int, data: bytes) -> Any:
    return int(data) if code == _BIG_INT else msgpack.ExtType(code, data)


def _exact(obj: Any) -> Any:
    if type(obj) is int:
        return _big_int(obj)
    if isinstance(obj, tuple):
        return msgpack.ExtType(_TUPLE, pack_exact(list(obj)))
    return msgpack.ExtType(_SUBCLASS, type(obj).__qualname__.encode() + b":" + pack(obj))


def pack(obj: Any) -> bytes:
    """What the journal and snapshots write (tuples become arrays)."""
    packed: bytes = msgpack.packb(obj, use_bin_type=True, unicode_errors=_UNICODE_ERRORS, default=_big_int)
    return packed


def packer() -> msgpack.Packer:
    """A reusable Packer that writes what ``pack`` writes."""
    return msgpack.Packer(use_bin_type=True, unicode_errors=_UNICODE_ERRORS, default=_big_int)


def strict_packer() -> msgpack.Packer:
    """A reusable Packer that writes what ``pack`` writes for every value whose strings are valid UTF-8,
    and raises ``UnicodeEncodeError`` for one holding a lone surrogate (then use ``pack``).

    It is the journal's: msgpack encodes a str without an error handler in place (from the str's own
    UTF-8), with one through a temporary bytes object per string, ~40% slower on a typical record."""
    return msgpack.Packer(use_bin_type=True, default=_big_int)


def pack_exact(obj: Any) -> bytes:
    """Packing that tells a tuple from a list and a subclass from its base: for comparing states."""
    packed: bytes = msgpack.packb(obj, use_bin_type=True, strict_types=True, default=_exact,
                                  unicode_errors=_UNICODE_ERRORS)
    return packed


def unpack(data: bytes | memoryview) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False, use_list=True, unicode_errors=_UNICODE_ERRORS,
                           ext_hook=_ext)


def as_key(key: Any) -> Any:
    """A decoded record key: arrays back to (nested) tuples."""
    if key.__class__ is list:
        return tuple(as_key(item) if item.__class__ is list else item for item in key)
    return key


# -- frames -----------------------------------------------------------------------------------
def frame(seq: int, ftype: int, payload: bytes) -> bytes:
    rest = FRAME_REST.pack(len(payload), seq, ftype)
    return _CRC.pack(zlib.crc32(payload, zlib.crc32(rest))) + rest + payload


def file_prefix(kind: int) -> bytes:
    return PREFIX.pack(MAGIC, FORMAT_VERSION, kind)


def header_bytes(kind: int, seq: int, info: dict[str, Any]) -> bytes:
    """Prefix plus HEADER frame of a new file."""
    return file_prefix(kind) + frame(seq, HEADER, pack({"format": FORMAT_VERSION, "kind": KIND_NAMES[kind],
                                                         **info}))


class BadFrame(Exception):
    """Where a scan stopped: ``offset`` of the first bad frame, ``reason``, and ``incomplete`` when the
    frame runs past the end of the data (what a torn write looks like)."""

    def __init__(self, offset: int, reason: str, incomplete: bool) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason
        self.incomplete = incomplete


def check_prefix(data: bytes | memoryview, path: str, kind: int) -> None:
    """Raise unless ``data`` starts with a kumo prefix of this format version and ``kind``."""
    if len(data) < PREFIX_SIZE:
        raise BadFrame(0, f"file shorter than its {PREFIX_SIZE}-byte header", True)
    magic, version, got_kind = PREFIX.unpack_from(data, 0)
    if magic != MAGIC:
        raise BadFrame(0, "not a kumo_intercept file header (bad magic)", False)
    if version != FORMAT_VERSION:
        raise FormatVersionError(path, 4, f"format version {version} is not supported (this kumo_intercept "
                                          f"reads version {FORMAT_VERSION})")
    if got_kind != kind and not (kind == SNAPSHOT and got_kind == CHECKPOINT):
        raise CorruptionError(path, 6, f"expected a {KIND_NAMES.get(kind)} file, found kind {got_kind}")


def parse_frame(data: bytes | memoryview, pos: int) -> tuple[int, int, int, int]:
    """The frame at ``pos``: (sequence, type, payload start, end). Raises BadFrame."""
    size = len(data)
    if pos + FRAME_OVERHEAD > size:
        raise BadFrame(pos, f"incomplete frame header ({size - pos} of {FRAME_OVERHEAD} bytes)", True)
    crc, length, seq, ftype = FRAME_HEAD.unpack_from(data, pos)
    end = pos + FRAME_OVERHEAD + length
    if end > size:
        if length >= MAX_PAYLOAD:
            raise BadFrame(pos, f"impossible frame length {length}", False)
        raise BadFrame(pos, f"incomplete frame ({size - pos} of {end - pos} bytes)", True)
    if zlib.crc32(data[pos + 4:end]) != crc:
        raise BadFrame(pos, "checksum mismatch", False)
    if ftype not in FRAME_TYPES:
        raise BadFrame(pos, f"unknown frame type {ftype}", False)
    return seq, ftype, pos + FRAME_OVERHEAD, end


def iter_frames(data: bytes | memoryview, pos: int) -> Iterator[tuple[int, int, int, int, int]]:
    """(offset, sequence, type, payload start, end) of each frame from ``pos``; raises BadFrame."""
    size = len(data)
    while pos < size:
        seq, ftype, start, end = parse_frame(data, pos)
        yield pos, seq, ftype, start, end
        pos = end


def valid_frame_after(data: bytes | memoryview, pos: int, min_seq: int) -> int | None:
    """Offset of a valid frame with sequence >= ``min_seq`` after ``pos``, if any.

    Tells a torn tail (nothing valid follows the damage) from damage in the middle of a file (later
    frames are intact). Candidates are found by the sequence number's upper bytes, which consecutive
    frames share, so the search is a few passes of ``bytes.find``.
    """
    raw = bytes(data)
    for base in (min_seq, min_seq + (1 << 16)):
        needle = struct.pack("<Q", base)[2:]  # the upper six bytes
        at = raw.find(needle, pos + 1)
        while at != -1:
            start = at - 10  # crc(4) length(4) then the seq's two low bytes
            if start > pos:
                try:
                    seq, _t, _s, _e = parse_frame(raw, start)
                except BadFrame:
                    pass
                else:
                    if seq >= min_seq:
                        return start
            after = at + 1
            if not any(raw[at:at + 6]):  # a run of zeros matches everywhere: jump to its end
                nonzero = _NONZERO.search(raw, at)
                if nonzero is None:
                    break
                after = max(after, nonzero.start() - 6)
            at = raw.find(needle, after)
    return None


def only_zeros(data: bytes | memoryview, pos: int) -> bool:
    """Whether every byte of ``data`` from ``pos`` on is zero."""
    return _NONZERO.search(data, pos) is None


def payload_of(data: bytes | memoryview, start: int, end: int, path: str, offset: int) -> Any:
    try:
        return unpack(data[start:end])
    except Exception as exc:  # a checksummed frame that does not decode: written by a bug
        raise CorruptionError(path, offset, f"frame payload does not decode ({exc})") from None


def read_header(data: bytes | memoryview, path: str, kind: int) -> tuple[dict[str, Any], int, int]:
    """Check prefix and HEADER frame: (header dict, its sequence, offset after it). Raises BadFrame for
    a file cut short, CorruptionError otherwise."""
    check_prefix(data, path, kind)
    seq, ftype, start, end = parse_frame(data, PREFIX_SIZE)
    if ftype != HEADER:
        raise CorruptionError(path, PREFIX_SIZE, f"first frame is {FRAME_TYPES[ftype]}, not HEADER")
    header = payload_of(data, start, end, path, PREFIX_SIZE)
    if not isinstance(header, dict) or header.get("format") != FORMAT_VERSION:
        raise FormatVersionError(path, PREFIX_SIZE, f"header names format {header.get('format')!r}"
                                 if isinstance(header, dict) else "header is not a map")
    return header, seq, end
