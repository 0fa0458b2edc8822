# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key material held only in memory, zeroised when erased, never printed.

Python cannot promise that no copy of a buffer survives (base64 and JSON make their own),
but we keep the long-lived copy in one mutable bytearray that is overwritten on erase, and
make repr/str of every holder say only the size, so a stray log line or traceback cannot
carry key bits.
"""

from __future__ import annotations


class KeyMaterial:
    """A secret byte string: the only object in the KME that keeps key bits."""

    __slots__ = ("_buf",)

    def __init__(self, data: bytes | bytearray) -> None:
        self._buf = bytearray(data)

    def __len__(self) -> int:
        return len(self._buf)

    def __repr__(self) -> str:
        return f"<KeyMaterial {len(self._buf) * 8} bits>"

    __str__ = __repr__

    def __reduce__(self):  # pragma: no cover - pickling would copy the secret somewhere
        raise TypeError("KeyMaterial cannot be pickled")

    def reveal(self) -> bytes:
        """Return the bits (a copy) for the one place that must hand them out."""
        if not self._buf:
            raise ValueError("key material already erased")
        return bytes(self._buf)

    def erase(self) -> None:
        """Overwrite and drop the bits; later reveal() fails."""
        for i in range(len(self._buf)):
            self._buf[i] = 0
        self._buf = bytearray()

    @property
    def erased(self) -> bool:
        return not self._buf


def xor_bytes(a: bytes | bytearray, b: bytes | bytearray) -> bytes:
    """One-time-pad step: a XOR b (equal lengths required)."""
    if len(a) != len(b):
        raise ValueError("one-time pad length mismatch")
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")
