# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ETSI GS QKD 014 v1.1.1 conformance of the lab KMEs (real processes, real mutual TLS)."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import time
import uuid
from urllib.parse import urlsplit

import pytest
from qsafe_kms.client import KmsError
from qsafe_kms.pki import LabCA

STATUS_FIELDS = {
    "source_KME_ID": str,
    "target_KME_ID": str,
    "master_SAE_ID": str,
    "slave_SAE_ID": str,
    "key_size": int,
    "stored_key_count": int,
    "max_key_count": int,
    "max_key_per_request": int,
    "max_key_size": int,
    "min_key_size": int,
    "max_SAE_ID_count": int,
}


def _raw(lab, sae, method, path, body=None, kme=None):
    """One request with the SAE's certificate, returning (status, parsed JSON)."""
    s = lab.info["saes"][sae]
    url = urlsplit(lab.info["kmes"][kme or s["kme"]]["url"])
    ctx = ssl.create_default_context(cafile=lab.info["ca_cert"])
    ctx.load_cert_chain(s["cert"], s["key"])
    conn = http.client.HTTPSConnection(url.hostname, url.port, context=ctx, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def _assert_error(status, doc, code):
    assert status == code, doc
    assert isinstance(doc["message"], str) and doc["message"]
    assert isinstance(doc.get("details", []), list)


def test_status_fields_and_types(kms_lab):
    st = kms_lab.wait_pool("sae-ch2-a", "sae-ch2-b", 1)
    for field, typ in STATUS_FIELDS.items():
        assert isinstance(st[field], typ), field
    assert (st["source_KME_ID"], st["target_KME_ID"]) == ("kme-a", "kme-b")
    assert (st["master_SAE_ID"], st["slave_SAE_ID"]) == ("sae-ch2-a", "sae-ch2-b")
    assert st["key_size"] == 256 and st["min_key_size"] <= 256 <= st["max_key_size"]
    assert 0 < st["stored_key_count"] <= st["max_key_count"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_enc_then_dec_keys_container(kms_lab, method):
    kms_lab.wait_pool("sae-ch3-a", "sae-ch3-b", 3)
    if method == "GET":
        status, doc = _raw(kms_lab, "sae-ch3-a", "GET", "/api/v1/keys/sae-ch3-b/enc_keys?number=2&size=512")
    else:
        status, doc = _raw(
            kms_lab,
            "sae-ch3-a",
            "POST",
            "/api/v1/keys/sae-ch3-b/enc_keys",
            json.dumps({"number": 2, "size": 512}),
        )
    assert status == 200, doc
    assert len(doc["keys"]) == 2
    for k in doc["keys"]:
        assert str(uuid.UUID(k["key_ID"])) == k["key_ID"]
        assert len(base64.b64decode(k["key"], validate=True)) == 64
    ids = [k["key_ID"] for k in doc["keys"]]
    status, got = _raw(
        kms_lab,
        "sae-ch3-b",
        "POST",
        "/api/v1/keys/sae-ch3-a/dec_keys",
        json.dumps({"key_IDs": [{"key_ID": i} for i in ids]}),
    )
    assert status == 200, got
    assert {k["key_ID"]: k["key"] for k in got["keys"]} == {k["key_ID"]: k["key"] for k in doc["keys"]}


@pytest.mark.parametrize(
    "source", ["dh-x25519", "qra-mlkem768", "qra-mlkem1024", "qra-sntrup761", "qkd", "hybrid"]
)
def test_every_source_both_kmes_deliver_the_same_key(kms_lab, source):
    kms_lab.wait_pool("sae-ch4-a", "sae-ch4-b", 2, timeout=15, source=source)
    a, b = kms_lab.client("sae-ch4-a"), kms_lab.client("sae-ch4-b")
    sent = a.enc_keys("sae-ch4-b", number=2, key_source=source)
    got = b.dec_keys("sae-ch4-a", [k.key_id for k in sent])
    assert [k.key for k in got] == [k.key for k in sent]
    assert all(k.extension["qsafe_key_source"] == source for k in got)
    if source == "hybrid":
        inputs = got[0].extension["qsafe_source_key_IDs"]
        assert [src for src, _kid in inputs] == ["qkd", "qra-mlkem768"] and all(
            uuid.UUID(i) for _src, i in inputs
        )


def test_key_delivered_once_and_only_to_the_named_slave(kms_lab):
    kms_lab.wait_pool("sae-ch2-a", "sae-ch2-b", 1)
    (key,) = kms_lab.client("sae-ch2-a").enc_keys("sae-ch2-b")
    # Another SAE of the same KME (a slave of a different pair) is refused, and does not burn the key.
    with pytest.raises(KmsError) as err:
        kms_lab.client("sae-ch3-b").dec_keys("sae-ch2-a", key.key_id)
    assert err.value.status == 401
    # The master cannot fetch it again at its own KME.
    with pytest.raises(KmsError) as err:
        kms_lab.client("sae-ch2-a", "kme-a").dec_keys("sae-ch2-a", key.key_id)
    assert err.value.status == 400  # kme-a erased its copy when it delivered it to the master
    slave = kms_lab.client("sae-ch2-b")
    assert slave.dec_keys("sae-ch2-a", key.key_id)[0].key == key.key
    with pytest.raises(KmsError) as err:
        slave.dec_keys("sae-ch2-a", key.key_id)
    assert err.value.status == 400 and "not found" in err.value.message


def test_sae_of_another_kme_is_unauthorized(kms_lab):
    status, doc = _raw(kms_lab, "sae-ch2-b", "GET", "/api/v1/keys/sae-ch2-a/enc_keys", kme="kme-a")
    _assert_error(status, doc, 401)


@pytest.mark.parametrize(
    "method,path,body,fragment",
    [
        ("GET", "/api/v1/keys/sae-ch2-b/enc_keys?number=0", None, "number"),
        ("GET", "/api/v1/keys/sae-ch2-b/enc_keys?number=x", None, "number"),
        ("GET", "/api/v1/keys/sae-ch2-b/enc_keys?size=100", None, "size"),
        ("GET", "/api/v1/keys/sae-nope/enc_keys", None, "slave_SAE_ID"),
        ("GET", "/api/v1/keys/sae-nope/status", None, "slave_SAE_ID"),
        ("POST", "/api/v1/keys/sae-ch2-b/enc_keys", "{not json", "JSON"),
        ("POST", "/api/v1/keys/sae-ch2-b/enc_keys", json.dumps({"extension_mandatory": [{"foo": 1}]}), "foo"),
        (
            "POST",
            "/api/v1/keys/sae-ch2-b/enc_keys",
            json.dumps({"additional_slave_SAE_IDs": ["sae-ch3-b"]}),
            "additional_slave_SAE_IDs",
        ),
        ("GET", "/api/v1/keys/sae-ch2-a/dec_keys", None, "key_ID"),
        ("GET", "/api/v1/keys/sae-ch2-a/dec_keys?key_ID=123", None, "UUID"),
        ("POST", "/api/v1/keys/sae-ch2-a/dec_keys", json.dumps({"key_IDs": ["x"]}), "key_IDs"),
    ],
)
def test_bad_requests_are_400_with_message(kms_lab, method, path, body, fragment):
    sae = "sae-ch2-b" if "dec_keys" in path else "sae-ch2-a"
    status, doc = _raw(kms_lab, sae, method, path, body)
    _assert_error(status, doc, 400)
    assert fragment in doc["message"]


def test_unknown_client_certificate_is_refused_at_tls(kms_lab, tmp_path):
    other = LabCA(tmp_path / "other-ca", "someone else's CA")
    rogue = other.issue("sae-ch2-a", tmp_path / "rogue", server=False)  # right name, wrong CA
    url = urlsplit(kms_lab.info["kmes"]["kme-a"]["url"])
    ctx = ssl.create_default_context(cafile=kms_lab.info["ca_cert"])
    ctx.load_cert_chain(rogue.cert, rogue.key)
    with (
        socket.create_connection((url.hostname, url.port), timeout=5) as raw,
        pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)),
        ctx.wrap_socket(raw, server_hostname=url.hostname) as tls,
    ):
        # TLS 1.3 reports the server's rejection of the client certificate on the first read.
        tls.sendall(b"GET /api/v1/keys/sae-ch2-b/status HTTP/1.1\r\nHost: x\r\n\r\n")
        assert tls.recv(100) == b""  # an orderly close without an HTTP answer also counts as refused
        raise ConnectionResetError("closed without answer")
    # And without any client certificate at all:
    ctx2 = ssl.create_default_context(cafile=kms_lab.info["ca_cert"])
    with (
        socket.create_connection((url.hostname, url.port), timeout=5) as raw,
        pytest.raises((ssl.SSLError, ConnectionResetError, BrokenPipeError)),
        ctx2.wrap_socket(raw, server_hostname=url.hostname) as tls,
    ):
        tls.sendall(b"GET /api/v1/keys/sae-ch2-b/status HTTP/1.1\r\nHost: x\r\n\r\n")
        assert tls.recv(100) == b""
        raise ConnectionResetError("closed without answer")


def test_peer_endpoints_refuse_saes(kms_lab):
    status, doc = _raw(kms_lab, "sae-ch2-b", "POST", "/peer/v1/reservations", json.dumps({"items": []}))
    _assert_error(status, doc, 401)


def test_empty_pool_is_503_and_status_counts_are_exact(scarce_lab):
    # QKD: section tn-2~tn-3 produces nothing, so no end-to-end key can be relayed.
    a = scarce_lab.client("sae-ch4-a")
    st = a.status("sae-ch4-b")
    assert st["stored_key_count"] == 0
    with pytest.raises(KmsError) as err:
        a.enc_keys("sae-ch4-b")
    assert err.value.status == 503 and "no qkd keys available" in err.value.message
    admin = scarce_lab.admin("kme-a")
    deadline = time.monotonic() + 5
    while "qkd relay" not in (health := admin.health())["errors"] and time.monotonic() < deadline:
        time.sleep(0.05)  # the first relay attempt comes on the QKD loop's first tick
    assert "tn-2~tn-3 exhausted" in health["errors"]["qkd relay"]
    sections = health["qkd_sections"]
    assert sections["tn-2~tn-3"]["consumed"] == 0 and sections["kme-a~tn-1"]["consumed"] == 0
    # DH pool: target 32, refills only when >= 8 are missing, so taking 3 shows exactly 29.
    scarce_lab.wait_pool("sae-ch2-a", "sae-ch2-b", 32)
    c = scarce_lab.client("sae-ch2-a")
    c.enc_keys("sae-ch2-b", number=3)
    assert c.status("sae-ch2-b")["stored_key_count"] == 29
    # Sources not enabled on this KME are refused with a clear message.
    with pytest.raises(KmsError) as err:
        c.enc_keys("sae-ch2-b", key_source="qra", require_source=True)
    assert err.value.status == 400 and "not enabled" in err.value.message
    # As an optional extension the KME may ignore it (and does): the client sees the other source.
    with pytest.raises(KmsError) as err:
        c.enc_keys("sae-ch2-b", key_source="qra")
    assert err.value.status == 200 and "does not match the request" in err.value.message


def test_no_key_material_in_kme_files_or_logs(kms_lab):
    kms_lab.wait_pool("sae-ch5-a", "sae-ch5-b", 1)
    (key,) = kms_lab.client("sae-ch5-a").enc_keys("sae-ch5-b")
    kms_lab.client("sae-ch5-b").dec_keys("sae-ch5-a", key.key_id)
    needles = [key.key, key.key.hex().encode(), base64.b64encode(key.key)]
    files = [p for p in (kms_lab.dir / "kms").rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    for p in files:
        data = p.read_bytes()
        assert not any(n in data for n in needles), p
    for p in files:
        if p.suffix == ".key":
            assert p.stat().st_mode & 0o777 == 0o600, p
