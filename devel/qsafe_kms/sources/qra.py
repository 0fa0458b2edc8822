# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`qra` sources: quantum-resistant KEMs. ML-KEM-768/1024 (FIPS 203, from `cryptography`)
and sntrup761 (NTRU Prime, from `pqcrypto`). The initiator sends one fresh encapsulation
key per batch; the responder encapsulates once per key, so every key has its own secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import mlkem

from qsafe_kms.secret import KeyMaterial
from qsafe_kms.sources import b64d, b64e, derive, new_key_id


@dataclass(frozen=True)
class Kem:
    """keygen() -> (ek, dk_handle); encaps(ek) -> (ct, ss); decaps(dk_handle, ct) -> ss."""

    keygen: Callable[[], tuple[bytes, object]]
    encaps: Callable[[bytes], tuple[bytes, bytes]]
    decaps: Callable[[object, bytes], bytes]


def _mlkem(priv_cls, pub_cls) -> Kem:
    def keygen():
        sk = priv_cls.generate()
        return sk.public_key().public_bytes_raw(), sk

    def encaps(ek: bytes):
        ss, ct = pub_cls.from_public_bytes(ek).encapsulate()
        return ct, ss

    return Kem(keygen, encaps, lambda sk, ct: sk.decapsulate(ct))


def _sntrup761() -> Kem:
    from pqcrypto.kem import sntrup_761

    def keygen():
        pk, sk = sntrup_761.keygen()
        return pk, sk

    return Kem(keygen, sntrup_761.encaps, sntrup_761.decaps)


KEMS: dict[str, Callable[[], Kem]] = {
    "qra-mlkem768": lambda: _mlkem(mlkem.MLKEM768PrivateKey, mlkem.MLKEM768PublicKey),
    "qra-mlkem1024": lambda: _mlkem(mlkem.MLKEM1024PrivateKey, mlkem.MLKEM1024PublicKey),
    "qra-sntrup761": _sntrup761,
}


def initiate(source: str, count: int) -> tuple[tuple[str, object, list[str], bytes], dict]:
    """Initiator: a fresh KEM key pair for this batch; request carries the encapsulation key."""
    kem = KEMS[source]()
    ek, dk = kem.keygen()
    ids = [new_key_id() for _key in range(count)]
    return (source, dk, ids, ek), {"source": source, "ek": b64e(ek), "key_IDs": ids}


def respond(request: dict) -> tuple[list[tuple[str, KeyMaterial]], dict]:
    """Responder: one encapsulation per key ID."""
    source = str(request["source"])
    kem = KEMS[source]()
    ek = b64d(request["ek"])
    keys, cts = [], []
    for kid in request["key_IDs"]:
        ct, ss = kem.encaps(ek)
        keys.append((str(kid), derive(source, ss, str(kid), ek + ct)))
        cts.append(b64e(ct))
    return keys, {"cts": cts}


def finish(state: tuple[str, object, list[str], bytes], response: dict) -> list[tuple[str, KeyMaterial]]:
    """Initiator: decapsulate each ciphertext to the same keys."""
    source, dk, ids, ek = state
    kem = KEMS[source]()
    keys = []
    for kid, ct_b64 in zip(ids, response["cts"], strict=True):
        ct = b64d(ct_b64)
        keys.append((kid, derive(source, kem.decaps(dk, ct), kid, ek + ct)))
    return keys
