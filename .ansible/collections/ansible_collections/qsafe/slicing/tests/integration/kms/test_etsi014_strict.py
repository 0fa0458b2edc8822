# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ETSI GS QKD 014 strictness of the lab KMEs: integers are JSON integers, every unknown or
misplaced parameter is a 400 with the spec's error body, 404/405 for unknown paths and methods,
key IDs answered in the standard lower-case form, and no key is spent by a refused request."""

from __future__ import annotations

import http.client
import json
import ssl
import uuid
from urllib.parse import urlsplit

import pytest

ENC = "/api/v1/keys/sae-ch2-b/enc_keys"
DEC = "/api/v1/keys/sae-ch2-a/dec_keys"
STATUS = "/api/v1/keys/sae-ch2-b/status"


def _request(lab, sae, method, path, body=None):
    """(status, headers, parsed JSON) of one request with the SAE's certificate."""
    s = lab.info["saes"][sae]
    url = urlsplit(lab.info["kmes"][s["kme"]]["url"])
    ctx = ssl.create_default_context(cafile=lab.info["ca_cert"])
    ctx.load_cert_chain(s["cert"], s["key"])
    conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), json.loads(resp.read())
    finally:
        conn.close()


def _assert_etsi_error(doc, status, code, fragment):
    assert status == code, doc
    assert set(doc) == {"message", "details"}, doc
    assert isinstance(doc["message"], str) and fragment in doc["message"], doc
    assert isinstance(doc["details"], list) and all(isinstance(d, dict) for d in doc["details"])


MASTER_BAD = [
    # integers must be JSON integers
    ("POST", ENC, {"number": 1.7}, "number"),
    ("POST", ENC, {"number": "2"}, "number"),
    ("POST", ENC, {"number": True}, "number"),
    ("POST", ENC, {"number": 1.0}, "number"),
    ("POST", ENC, {"size": 256.0}, "size"),
    ("POST", ENC, {"size": "256"}, "size"),
    ("POST", ENC, {"size": False}, "size"),
    ("GET", ENC + "?number=1.7", None, "number"),
    ("GET", ENC + "?number=%2B2", None, "number"),
    ("GET", ENC + "?number=%202", None, "number"),
    ("GET", ENC + "?number=%D9%A2", None, "number"),  # an Arabic-Indic digit two
    ("GET", ENC + "?number=true", None, "number"),
    ("GET", ENC + "?size=256.0", None, "size"),
    # unknown and misplaced parameters
    ("GET", ENC + "?additional_slave_SAE_IDs=sae-ch3-b", None, "additional_slave_SAE_IDs"),
    ("GET", ENC + "?foo=1", None, "foo"),
    ("GET", ENC + "?number=1&number=2", None, "number"),
    ("GET", STATUS + "?number=1", None, "number"),
    ("POST", ENC + "?number=2", {}, "number"),
    ("POST", ENC, {"foo": 1}, "foo"),
    ("POST", ENC, {"key_IDs": []}, "key_IDs"),
    ("POST", ENC, {"additional_slave_SAE_IDs": "sae-ch3-b"}, "additional_slave_SAE_IDs"),
    ("POST", ENC, {"extension_mandatory": {"qsafe_key_source": "dh"}}, "extension_mandatory"),
    ("POST", ENC, {"extension_optional": "x"}, "extension_optional"),
    ("POST", ENC, '{"number": NaN}', "JSON"),
    ("POST", ENC, '{"number": 1, "number": 2}', "number"),
]


@pytest.mark.parametrize(("method", "path", "body", "fragment"), MASTER_BAD)
def test_master_requests_refused_with_the_spec_error_body(kms_lab, method, path, body, fragment):
    kms_lab.wait_pool("sae-ch2-a", "sae-ch2-b", 2)
    client = kms_lab.client("sae-ch2-a")
    before = client.status("sae-ch2-b")["stored_key_count"]
    text = body if isinstance(body, str) or body is None else json.dumps(body)
    status, _headers, doc = _request(kms_lab, "sae-ch2-a", method, path, text)
    _assert_etsi_error(doc, status, 400, fragment)
    # A refused request spends no key (the pool refills only in batches of 8 or more).
    assert client.status("sae-ch2-b")["stored_key_count"] >= before


SLAVE_BAD = [
    ("POST", DEC, {"key_IDs": [{"key_ID": str(uuid.uuid4())}], "extra": 1}, "extra"),
    ("POST", DEC, {"key_IDs": [{"key_ID": str(uuid.uuid4()), "x": 1}]}, "'x'"),
    ("POST", DEC, {"key_IDs": [{"key_ID": 5}]}, "key_ID"),
    ("POST", DEC, {"key_IDs": [{"key_ID": "{" + str(uuid.uuid4()) + "}"}]}, "key_ID"),
    ("POST", DEC, {"key_IDs": [{"key_ID": "urn:uuid:" + str(uuid.uuid4())}]}, "key_ID"),
    ("POST", DEC, {"key_IDs": [{"key_ID": uuid.uuid4().hex}]}, "key_ID"),
    ("POST", DEC + "?key_ID=" + str(uuid.uuid4()), {"key_IDs": []}, "key_ID"),
    ("GET", DEC + "?key_ID=" + str(uuid.uuid4()) + "&size=256", None, "size"),
    ("GET", DEC + "?key_ID=a&key_ID=b", None, "key_ID"),
]


@pytest.mark.parametrize(("method", "path", "body", "fragment"), SLAVE_BAD)
def test_slave_requests_refused_with_the_spec_error_body(kms_lab, method, path, body, fragment):
    status, _headers, doc = _request(kms_lab, "sae-ch2-b", method, path, json.dumps(body) if body else None)
    _assert_etsi_error(doc, status, 400, fragment)


@pytest.mark.parametrize(
    ("method", "path", "code", "allow"),
    [
        ("POST", STATUS, 405, "GET"),
        ("DELETE", ENC, 405, None),
        ("PUT", DEC, 405, None),
        ("GET", "/api/v1/keys/sae-ch2-b", 404, None),
        ("GET", "/api/v1/nope", 404, None),
        ("GET", "/", 404, None),
    ],
)
def test_wrong_method_is_405_unknown_path_is_404(kms_lab, method, path, code, allow):
    status, headers, doc = _request(kms_lab, "sae-ch2-a", method, path, "{}" if method != "GET" else None)
    assert status == code, doc
    assert set(doc) == {"message", "details"} and doc["message"]
    if code == 405:
        assert headers.get("allow"), headers
        if allow:
            assert allow in headers["allow"]


def test_get_enc_keys_takes_number_and_size_only_as_integers(kms_lab):
    kms_lab.wait_pool("sae-ch2-a", "sae-ch2-b", 2)
    status, _headers, doc = _request(kms_lab, "sae-ch2-a", "GET", ENC + "?number=2&size=256")
    assert status == 200, doc
    assert len(doc["keys"]) == 2


@pytest.mark.parametrize("spelling", ["upper", "mixed"])
def test_key_ids_are_answered_in_the_standard_form(kms_lab, spelling):
    kms_lab.wait_pool("sae-ch2-a", "sae-ch2-b", 1)
    (key,) = kms_lab.client("sae-ch2-a").enc_keys("sae-ch2-b")
    assert key.key_id == str(uuid.UUID(key.key_id))
    asked = key.key_id.upper() if spelling == "upper" else key.key_id[:18].upper() + key.key_id[18:]
    status, _headers, doc = _request(
        kms_lab, "sae-ch2-b", "POST", DEC, json.dumps({"key_IDs": [{"key_ID": asked}]})
    )
    assert status == 200, doc
    assert [k["key_ID"] for k in doc["keys"]] == [key.key_id]


def test_optional_extension_is_honoured_and_mandatory_is_not_sent_by_default(kms_lab):
    kms_lab.wait_pool("sae-ch4-a", "sae-ch4-b", 2, timeout=15, source="qra-mlkem768")
    a = kms_lab.client("sae-ch4-a")
    (key,) = a.enc_keys("sae-ch4-b", key_source="qra-mlkem768")
    assert key.extension["qsafe_key_source"] == "qra-mlkem768"
    # An unknown optional extension is ignored, as the spec allows.
    status, _headers, doc = _request(
        kms_lab, "sae-ch2-a", "POST", ENC, json.dumps({"extension_optional": [{"vendor_x": 1}]})
    )
    assert status == 200 and len(doc["keys"]) == 1, doc
