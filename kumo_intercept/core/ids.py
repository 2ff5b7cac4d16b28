"""One seeded generator for every identifier the emulator makes.

Counter-based (BLAKE2b keyed with the seed over a counter), so its whole state is one integer: a run
with the same seed and the same calls gives the same ids, and persistence can store and resume it
exactly, never reusing an id.
"""

from __future__ import annotations

import base64
import hashlib
import os
import string
import threading

_ALNUM_UPPER = string.ascii_uppercase + string.digits
_ALNUM = string.ascii_letters + string.digits
_BLOCK = 64  # bytes of output per hash
#: a UUID's variant nibble (byte 8's high four bits, as hex) with its two top bits set to 10
_UUID_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


class IdGenerator:
    def __init__(self, seed: int | str | bytes | None = 0) -> None:
        self.seed = seed
        if seed is None:
            key = os.urandom(32)
        elif isinstance(seed, bytes):
            key = seed
        else:
            key = str(seed).encode()
        self._key = hashlib.blake2b(key, digest_size=32).digest()
        self._blocks = 0  # hash blocks computed
        self._drawn = 0  # bytes handed out; always blocks * 64 - len(pool)
        self._pool = b""  # unused tail of the last block: one hash serves several ids
        self._lock = threading.Lock()

    # -- state, for persistence -------------------------------------------------------------
    @property
    def counter(self) -> int:
        """The generator's whole state: how many bytes it has handed out."""
        return self._drawn

    def resume(self, counter: int) -> None:
        """Continue exactly where a generator with this seed stood at ``counter``; never goes back."""
        with self._lock:
            if counter <= self._drawn:
                return
            self._blocks, offset = divmod(counter, _BLOCK)
            self._pool = b""
            if offset:
                self._pool = self._block(self._blocks)[offset:]
                self._blocks += 1
            self._drawn = counter

    def _block(self, index: int) -> bytes:
        return hashlib.blake2b(index.to_bytes(8, "little"), key=self._key, digest_size=_BLOCK).digest()

    # -- raw material -----------------------------------------------------------------------
    def bytes(self, n: int = 16) -> bytes:
        with self._lock:
            pool = self._pool
            while len(pool) < n:
                pool += self._block(self._blocks)
                self._blocks += 1
            self._pool = pool[n:]
            self._drawn += n
            return pool[:n]

    # -- formats AWS uses -------------------------------------------------------------------
    def uuid4(self) -> str:
        """A version-4 UUID string, e.g. SQS MessageId, request ids: 16 bytes with the version nibble
        set to 4 and the variant bits to 10 (formatted from the hex text, at every call of every
        service)."""
        h = self.bytes(16).hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_UUID_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"

    def hex(self, n: int = 32, upper: bool = False) -> str:
        h = self.bytes((n + 1) // 2).hex()[:n]
        return h.upper() if upper else h

    def chars(self, n: int, alphabet: str = _ALNUM) -> str:
        """``n`` characters drawn from ``alphabet`` (uniform enough for identifiers)."""
        size = len(alphabet)
        return "".join(alphabet[b % size] for b in self.bytes(n))

    def upper_alnum(self, n: int) -> str:
        return self.chars(n, _ALNUM_UPPER)

    def digits(self, n: int) -> str:
        return self.chars(n, string.digits)

    def b64(self, n_bytes: int) -> str:
        return base64.b64encode(self.bytes(n_bytes)).decode()

    def urlsafe(self, n_bytes: int) -> str:
        return base64.urlsafe_b64encode(self.bytes(n_bytes)).decode().rstrip("=")

    def access_key_id(self, prefix: str = "ASIA") -> str:
        """An access key id in AWS's form: 4-letter prefix + 16 upper-case alphanumerics."""
        return prefix + self.upper_alnum(16)

    def __repr__(self) -> str:
        return f"<IdGenerator seed={self.seed!r} counter={self._drawn}>"
