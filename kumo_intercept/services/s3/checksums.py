"""The flexible checksums S3 computes and returns: CRC32 (zlib), CRC32C and CRC64NVME (awscrt when
installed, else small table-driven pure-Python versions), SHA1 and SHA256 (hashlib)."""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Iterable

from ...core.errors import AwsError


def _table(poly: int, width: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE: list[int] | None = None
_CRC64_TABLE: list[int] | None = None


def _crc32c_py(data: bytes, crc: int) -> int:
    global _CRC32C_TABLE
    table = _CRC32C_TABLE or _table(0x82F63B78, 32)
    _CRC32C_TABLE = table
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _crc64_py(data: bytes, crc: int) -> int:
    global _CRC64_TABLE
    table = _CRC64_TABLE or _table(0x9A6C9329AC4BC9B5, 64)
    _CRC64_TABLE = table
    mask = 0xFFFFFFFFFFFFFFFF
    crc ^= mask
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ mask


try:  # pragma: no cover - depends on the environment
    from awscrt import checksums as _crt  # type: ignore[import-not-found]  # optional, untyped: no stubs

    def _crc32c(data: bytes, crc: int) -> int:
        return _crt.crc32c(data, crc)

    def _crc64(data: bytes, crc: int) -> int:
        return _crt.crc64nvme(data, crc)
except ImportError:
    _crc32c = _crc32c_py
    _crc64 = _crc64_py


class Hasher:
    """One checksum algorithm, fed incrementally; ``b64()`` is the value S3 shows."""

    __slots__ = ("algorithm", "_crc", "_hash", "_width")

    def __init__(self, algorithm: str) -> None:
        self.algorithm = algorithm
        self._crc = 0
        self._hash = None
        if algorithm == "SHA1":
            self._hash = hashlib.sha1()
        elif algorithm == "SHA256":
            self._hash = hashlib.sha256()
        elif algorithm not in ("CRC32", "CRC32C", "CRC64NVME"):
            raise AwsError("InvalidRequest", f"Checksum algorithm {algorithm} is not supported", 400)
        self._width = 8 if algorithm == "CRC64NVME" else 4

    def update(self, data: bytes) -> None:
        if self._hash is not None:
            self._hash.update(data)
        elif self.algorithm == "CRC32":
            self._crc = zlib.crc32(data, self._crc)
        elif self.algorithm == "CRC32C":
            self._crc = _crc32c(data, self._crc)
        else:
            self._crc = _crc64(data, self._crc)

    def digest(self) -> bytes:
        if self._hash is not None:
            return self._hash.digest()
        return self._crc.to_bytes(self._width, "big")

    def b64(self) -> str:
        return base64.b64encode(self.digest()).decode()


def checksum_of(algorithm: str, chunks: Iterable[bytes]) -> str:
    hasher = Hasher(algorithm)
    for chunk in chunks:
        hasher.update(chunk)
    return hasher.b64()


def composite(algorithm: str, part_checksums: list[str]) -> str:
    """A COMPOSITE multipart checksum: the checksum of the parts' raw checksums, then ``-N``."""
    hasher = Hasher(algorithm)
    for value in part_checksums:
        hasher.update(base64.b64decode(value))
    return f"{hasher.b64()}-{len(part_checksums)}"
