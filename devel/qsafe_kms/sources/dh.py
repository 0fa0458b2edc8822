# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`dh` source: ephemeral X25519 per key, authenticated by the KME-to-KME mutual TLS channel."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from qsafe_kms.secret import KeyMaterial
from qsafe_kms.sources import b64d, b64e, derive, new_key_id

NAME = "dh-x25519"


def _raw(pub: X25519PublicKey) -> bytes:
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def initiate(count: int) -> tuple[list[tuple[str, X25519PrivateKey]], dict]:
    """Initiator: one ephemeral key pair per key; request carries key IDs and public keys."""
    state = [(new_key_id(), X25519PrivateKey.generate()) for _key in range(count)]
    request = {
        "source": NAME,
        "items": [{"key_ID": kid, "pub": b64e(_raw(sk.public_key()))} for kid, sk in state],
    }
    return state, request


def respond(request: dict) -> tuple[list[tuple[str, KeyMaterial]], dict]:
    """Responder: its own ephemeral pair per key, derive, answer with its public keys."""
    keys, items = [], []
    for item in request["items"]:
        kid, peer_pub = str(item["key_ID"]), b64d(item["pub"])
        sk = X25519PrivateKey.generate()
        own_pub = _raw(sk.public_key())
        shared = sk.exchange(X25519PublicKey.from_public_bytes(peer_pub))
        keys.append((kid, derive(NAME, shared, kid, peer_pub + own_pub)))
        items.append({"key_ID": kid, "pub": b64e(own_pub)})
    return keys, {"items": items}


def finish(state: list[tuple[str, X25519PrivateKey]], response: dict) -> list[tuple[str, KeyMaterial]]:
    """Initiator: derive the same keys from the responder's public keys."""
    answers = {str(i["key_ID"]): b64d(i["pub"]) for i in response["items"]}
    keys = []
    for kid, sk in state:
        peer_pub = answers[kid]
        shared = sk.exchange(X25519PublicKey.from_public_bytes(peer_pub))
        keys.append((kid, derive(NAME, shared, kid, _raw(sk.public_key()) + peer_pub)))
    return keys
