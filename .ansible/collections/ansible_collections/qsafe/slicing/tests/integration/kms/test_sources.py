# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Both ends of every key source agree; QKD relay accounting; hybrid KDF test vector."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from qsafe_kms.secret import KeyMaterial
from qsafe_kms.sources import dh, hybrid, qkd, qra


def _bits(keys):
    return {kid: m.reveal() for kid, m in keys}


def test_dh_both_ends_agree_and_keys_differ():
    state, req = dh.initiate(8)
    responder_keys, resp = dh.respond(req)
    initiator_keys = dh.finish(state, resp)
    a, b = _bits(initiator_keys), _bits(responder_keys)
    assert a == b
    assert len(set(a.values())) == 8 and all(len(k) == 32 for k in a.values())


@pytest.mark.parametrize("source", sorted(qra.KEMS))
def test_qra_kem_both_ends_agree(source):
    state, req = qra.initiate(source, 4)
    responder_keys, resp = qra.respond(req)
    a, b = _bits(qra.finish(state, resp)), _bits(responder_keys)
    assert a == b and len(set(a.values())) == 4


def test_qra_tampered_ciphertext_gives_different_key():
    state, req = qra.initiate("qra-mlkem768", 1)
    responder_keys, resp = qra.respond(req)
    ct = bytearray(qra.b64d(resp["cts"][0]))
    ct[0] ^= 1
    resp["cts"][0] = qra.b64e(bytes(ct))
    assert _bits(qra.finish(state, resp)) != _bits(responder_keys)


def _hkdf_sha3_256(salt: bytes, ikm: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 written out with hmac/hashlib, independent of the code under test."""
    prk = hmac.new(salt, ikm, hashlib.sha3_256).digest()
    okm, block, i = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha3_256).digest()
        okm += block
        i += 1
    return okm[:length]


HYBRID_VECTOR = {
    "key_id": "00000000-0000-4000-8000-000000000001",
    "inputs": [
        ("qkd", "00000000-0000-4000-8000-0000000000aa", bytes(range(32))),
        ("qra-mlkem768", "00000000-0000-4000-8000-0000000000bb", bytes(range(32, 64))),
    ],
    # HKDF-SHA3-256(salt="qsafe-kms/hybrid/v1", ikm=k1||k2, info="qsafe-kms/hybrid/v1|<id>|qkd:..,qra-..:..")
    "expected": "6a034cd3587b211b01a5e41bf27edef4859d749736eb062fee153b969fb7d610",
}


def test_hybrid_kdf_fixed_vector():
    v = HYBRID_VECTOR
    info = (f"qsafe-kms/hybrid/v1|{v['key_id']}|" + ",".join(f"{s}:{k}" for s, k, _m in v["inputs"])).encode()
    by_hand = _hkdf_sha3_256(b"qsafe-kms/hybrid/v1", b"".join(m for _s, _k, m in v["inputs"]), info)
    assert by_hand.hex() == v["expected"]
    got = hybrid.combine(v["key_id"], [(s, k, KeyMaterial(m)) for s, k, m in v["inputs"]])
    assert got.reveal().hex() == v["expected"]


def test_hybrid_depends_on_every_input_and_needs_two():
    base = [("qkd", "a", KeyMaterial(b"\x01" * 32)), ("dh-x25519", "b", KeyMaterial(b"\x02" * 32))]
    k1 = hybrid.combine("id", base).reveal()
    k2 = hybrid.combine("id", [base[0], ("dh-x25519", "b", KeyMaterial(b"\x03" * 32))]).reveal()
    k3 = hybrid.combine("id", [base[0], ("dh-x25519", "c", KeyMaterial(b"\x02" * 32))]).reveal()
    assert len({k1, k2, k3}) == 3
    with pytest.raises(ValueError, match="at least two"):
        hybrid.combine("id", base[:1])


def test_skr_model_falls_with_distance():
    rates = [qkd.secret_key_rate(km) for km in (0, 30, 60, 121, 250)]
    assert rates == sorted(rates, reverse=True)
    assert rates[1] > 1000 and rates[-1] == 0.0  # 250 km: dark counts dominate, no secret key


def _sections(rates=(8000.0, 8000.0, 8000.0, 8000.0)):
    secs = qkd.build_sections(
        ["kme-a", "tn-1", "tn-2", "tn-3", "kme-b"], [30, 31, 30, 30], rate_override_bps=list(rates)
    )
    far = qkd.SectionPool("far", 0.0, 1 << 30)
    return secs, far


def _fill(secs, far, seconds):
    for s in secs:
        offset, data = s.pool.generate(seconds)
        if s.remote:
            far.feed(offset, data)


def test_qkd_relay_far_end_recovers_key_and_consumes_each_section():
    secs, far = _sections()
    _fill(secs, far, 1.0)  # 8000 bit/s for 1 s = 1000 bytes per section
    assert [s.pool.available() for s in secs] == [1000] * 4
    out = qkd.relay(secs, 3)
    assert [s.pool.consumed for s in secs] == [96] * 4
    assert [s.pool.available() for s in secs] == [904] * 4
    for _kid, k, msg in out:
        assert qkd.receive(far, msg).reveal() == k.reveal()
        assert msg["ct"] != k.reveal()  # the last hop carries K under a one-time pad, not K
    with pytest.raises(ValueError, match="not the next unused"):
        qkd.receive(far, out[0][2])  # a pad is never used twice


def test_qkd_relay_fails_cleanly_when_a_section_is_exhausted():
    secs, far = _sections(rates=(8000.0, 8000.0, 200.0, 8000.0))
    _fill(secs, far, 1.0)  # section tn-2~tn-3 has 25 bytes: less than one key
    before = [s.pool.available() for s in secs]
    with pytest.raises(qkd.SectionExhausted) as err:
        qkd.relay(secs, 1)
    assert err.value.section == "tn-2~tn-3" and "tn-2~tn-3 exhausted" in str(err.value)
    assert [s.pool.available() for s in secs] == before  # nothing consumed anywhere


def test_pool_capacity_discards_excess_key():
    pool = qkd.SectionPool("s", 8000.0, 100)
    pool.generate(1.0)
    assert pool.available() == 100 and pool.discarded == 900
