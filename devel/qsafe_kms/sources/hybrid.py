# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`hybrid` source: one key from two or more independent sources, combined with a KDF.

KDF (documented in docs/kms.md, tested against an RFC 5869 computation by hand):
    K = HKDF-SHA3-256(salt = "qsafe-kms/hybrid/v1",
                      ikm  = k_1 || k_2 || ... || k_n            (in the listed order),
                      info = "qsafe-kms/hybrid/v1|" || key_ID || "|" || "src_1:id_1,src_2:id_2,...",
                      L    = 32 bytes)
It is a concatenation combiner: K stays secret while any one input key is secret, which is
the point of mixing QKD with a quantum-resistant KEM. The source key IDs are recorded with
the key (key_ID_extension) so an auditor can trace what went in.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from qsafe_kms.secret import KeyMaterial

NAME = "hybrid"
SALT = b"qsafe-kms/hybrid/v1"
DEFAULT_INPUTS = ("qkd", "qra-mlkem768")


def info(key_id: str, inputs: list[tuple[str, str]]) -> bytes:
    listed = ",".join(f"{src}:{kid}" for src, kid in inputs)
    return f"qsafe-kms/hybrid/v1|{key_id}|{listed}".encode()


def combine(key_id: str, inputs: list[tuple[str, str, KeyMaterial]]) -> KeyMaterial:
    """inputs: (source, source key ID, material) in order; needs at least two."""
    if len(inputs) < 2:
        raise ValueError("hybrid key needs at least two source keys")
    ikm = b"".join(m.reveal() for _src, _kid, m in inputs)
    hkdf = HKDF(
        algorithm=hashes.SHA3_256(), length=32, salt=SALT, info=info(key_id, [(s, k) for s, k, _m in inputs])
    )
    return KeyMaterial(hkdf.derive(ikm))
