# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ETSI 014 client checks every answer against its request (count, size, key IDs, source)
and sends no private mandatory extension unless asked. Only the transport is replaced: the
client's `_request` returns what a (misbehaving) KME would have answered."""

from __future__ import annotations

import base64
import uuid

import pytest
from qsafe_kms.client import KmsClient, KmsError
from qsafe_kms.pki import LabCA


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    base = tmp_path_factory.mktemp("client-pki")
    ca = LabCA(base / "ca", "client test CA")
    return ca.cert_path, ca.issue("sae-ch2-a", base / "sae", server=False)


class Wire:
    """Records requests and answers with a prepared document."""

    def __init__(self, answer):
        self.answer, self.sent = answer, []

    def __call__(self, method, path, body=None):
        self.sent.append((method, path, body))
        return self.answer


def _client(certs, answer):
    ca, pair = certs
    client = KmsClient("https://127.0.0.1:1", ca, pair.cert, pair.key)
    client._request = Wire(answer)  # the transport only
    return client


def _key(bits=256, key_id=None, source=None):
    entry = {"key_ID": key_id or str(uuid.uuid4()), "key": base64.b64encode(b"k" * (bits // 8)).decode()}
    if source:
        entry["key_ID_extension"] = {"qsafe_key_source": source}
    return entry


def test_a_matching_answer_is_accepted_and_no_extension_is_sent(certs):
    client = _client(certs, {"keys": [_key(), _key()]})
    keys = client.enc_keys("sae-ch2-b", number=2, size=256)
    assert len(keys) == 2
    ((method, path, body),) = client._request.sent
    assert method == "GET" and body is None and "extension" not in path
    assert path.endswith("enc_keys?number=2&size=256")


def test_key_source_goes_in_extension_optional_unless_required(certs):
    client = _client(certs, {"keys": [_key(source="qkd")]})
    client.enc_keys("sae-ch2-b", key_source="qkd")
    client.enc_keys("sae-ch2-b", key_source="qkd", require_source=True)
    (_, _, optional), (_, _, mandatory) = client._request.sent
    assert optional == {"number": 1, "extension_optional": [{"qsafe_key_source": "qkd"}]}
    assert mandatory == {"number": 1, "extension_mandatory": [{"qsafe_key_source": "qkd"}]}


@pytest.mark.parametrize(
    ("answer", "kwargs", "fragment"),
    [
        ({"keys": [_key()]}, {"number": 2}, "1 key(s) for 2 requested"),
        ({"keys": [_key(), _key(), _key()]}, {"number": 2}, "3 key(s) for 2 requested"),
        ({"keys": [_key(bits=128)]}, {"size": 256}, "for 256 requested"),
        ({"keys": [_key(bits=256), _key(bits=512)]}, {"number": 2}, "different or zero sizes"),
        ({"keys": [_key(source="dh-x25519")]}, {"key_source": "qkd"}, "'qkd' requested"),
        ({"keys": [_key(key_id="ABCDEF00-0000-4000-8000-000000000000")]}, {}, "standard form"),
        ({"keys": [_key(key_id="not-a-uuid")]}, {}, "standard form"),
        ({"keys": [_key(key_id="a" * 8 + "-0000-4000-8000-" + "0" * 12)] * 2}, {"number": 2}, "twice"),
        ({"keys": [{"key_ID": str(uuid.uuid4()), "key": "***"}]}, {}, "malformed"),
        ({"nokeys": []}, {}, "malformed"),
    ],
)
def test_enc_keys_refuses_a_mismatching_answer(certs, answer, kwargs, fragment):
    client = _client(certs, answer)
    with pytest.raises(KmsError) as err:
        client.enc_keys("sae-ch2-b", **kwargs)
    assert fragment in err.value.message
    assert "a2tr" not in str(err.value)  # no key bits ("kkk..." in base64) in the message


def test_dec_keys_checks_the_requested_ids_and_returns_them_in_order(certs):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    client = _client(certs, {"keys": [_key(key_id=second), _key(key_id=first)]})
    keys = client.dec_keys("sae-ch2-a", [first.upper(), second])
    assert [k.key_id for k in keys] == [first, second]
    ((_, _, body),) = client._request.sent
    assert body == {"key_IDs": [{"key_ID": first}, {"key_ID": second}]}  # sent in the standard form


@pytest.mark.parametrize("case", ["missing", "other", "extra"])
def test_dec_keys_refuses_other_ids(certs, case):
    wanted, other = str(uuid.uuid4()), str(uuid.uuid4())
    answer = {
        "missing": [],
        "other": [_key(key_id=other)],
        "extra": [_key(key_id=wanted), _key(key_id=other)],
    }
    client = _client(certs, {"keys": answer[case]})
    with pytest.raises(KmsError) as err:
        client.dec_keys("sae-ch2-a", wanted)
    assert "does not match the request" in err.value.message


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("enc_keys", {"number": 1.7}),
        ("enc_keys", {"number": True}),
        ("enc_keys", {"number": "2"}),
        ("enc_keys", {"size": 256.0}),
        ("dec_keys", {"key_ids": "{" + str(uuid.uuid4()) + "}"}),
        ("dec_keys", {"key_ids": []}),
    ],
)
def test_bad_requests_are_refused_before_sending(certs, call, kwargs):
    client = _client(certs, {"keys": []})
    peer = "sae-ch2-b" if call == "enc_keys" else "sae-ch2-a"
    with pytest.raises(ValueError):
        getattr(client, call)(peer, **kwargs)
    assert client._request.sent == []
