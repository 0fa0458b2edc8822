# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key sources. Each one is a two-party protocol between the issuing KME (initiator) and
its peer KME (responder), written as pure functions over JSON-safe messages so that the
same code runs in the KME processes (over mTLS) and in the unit tests.

Every shared secret is turned into a 256-bit key with HKDF-SHA3-256 bound to the key ID
and the exchange transcript, so two keys never share bits even if a secret repeated.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from qsafe_kms.secret import KeyMaterial

KEY_BYTES = 32

# Pool names (sources) and the method (security level) each one serves.
SOURCE_METHOD = {
    "qkd": "qkd",
    "qra-mlkem768": "qra",
    "qra-mlkem1024": "qra",
    "qra-sntrup761": "qra",
    "dh-x25519": "dh",
    "hybrid": "hybrid",
}
# Default source for a key stream's method.
METHOD_SOURCE = {"qkd": "qkd", "qra": "qra-mlkem768", "dh": "dh-x25519", "hybrid": "hybrid"}


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_key_id() -> str:
    return str(uuid.uuid4())


def derive(label: str, secret: bytes, key_id: str, transcript: bytes) -> KeyMaterial:
    """HKDF-SHA3-256(ikm=secret, salt=SHA3-256(transcript), info=label|key_id) -> 256-bit key."""
    hkdf = HKDF(
        algorithm=hashes.SHA3_256(),
        length=KEY_BYTES,
        salt=hashlib.sha3_256(transcript).digest(),
        info=f"qsafe-kms/{label}/v1|{key_id}".encode(),
    )
    return KeyMaterial(hkdf.derive(secret))
