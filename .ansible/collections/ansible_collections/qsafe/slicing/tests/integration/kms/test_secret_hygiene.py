# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key material is never shown by repr/str/exceptions."""

from __future__ import annotations

import pytest
from qsafe_kms.client import Key
from qsafe_kms.secret import KeyMaterial
from qsafe_kms.sources import qkd
from qsafe_kms.store import Unit


def test_reprs_hide_bits():
    bits = bytes(range(1, 33))
    km = KeyMaterial(bits)
    for text in (
        repr(km),
        str(km),
        repr(Unit("id", "qkd", "kme-b", km)),
        repr(Key("id", bits)),
        str(Key("id", bits)),
    ):
        assert bits.hex() not in text and repr(bits) not in text and "\\x01\\x02" not in text
    assert repr(km) == "<KeyMaterial 256 bits>"


def test_erase_zeroes_and_blocks_reveal():
    km = KeyMaterial(b"\x55" * 32)
    buf = km._buf
    km.erase()
    assert bytes(buf) == bytes(32) and km.erased  # the old buffer was overwritten, not just dropped
    try:
        km.reveal()
    except ValueError as exc:
        assert "erased" in str(exc)
    else:
        raise AssertionError("reveal after erase must fail")


def test_section_errors_name_sizes_not_bits():
    pool = qkd.SectionPool("a~b", 0.0, 10)
    with pytest.raises(qkd.SectionExhausted) as caught:
        pool.take(32)
    assert str(caught.value) == "QKD section a~b exhausted: relay needs 32 bytes of section key, 0 available"
