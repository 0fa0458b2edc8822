# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ETSI GS QKD 014 v1.1.1 client (SAE side) over HTTPS with mutual TLS. Standard library only.

The KME is verified against the given CA (and its name/IP); the SAE authenticates with its
client certificate, whose common name is its SAE ID. One keep-alive connection per client.
Keys come back as `Key` objects whose repr hides the bits; errors (`KmsError`) carry the
HTTP status, the KME's message and details, never key material.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import re
import ssl
import threading
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ANY_CASE_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _check_int(value, field):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{field}: must be a positive integer, got {value!r}")


def _same_source(reported, requested):
    """A KME that reports no source is not contradicting; a method name (qra) covers its pools
    (qra-mlkem768, qra-sntrup761, ...)."""
    return reported is None or reported == requested or str(reported).startswith(f"{requested}-")


def _canonical_key_id(value):
    if not isinstance(value, str) or not _ANY_CASE_UUID.fullmatch(value):
        raise ValueError(f"key ID {str(value)[:64]!r} is not a UUID in the standard form")
    return value.lower()


class KmsError(Exception):
    """A KME answered with an ETSI error ({message, details}) or could not be reached."""

    def __init__(self, status, message, details=None, url=""):
        super().__init__(f"KMS {url}: HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.details = details or []


@dataclass(frozen=True)
class Key:
    """One delivered key. `key` is raw bytes; repr/str never show it."""

    key_id: str
    key: bytes = field(repr=False)
    extension: dict = field(default_factory=dict)

    def __str__(self):
        return f"Key({self.key_id}, {len(self.key) * 8} bits)"


class KmsClient:
    """client = KmsClient(url, ca_cert=..., cert=..., key=...); client.enc_keys("sae-ch2-b")."""

    def __init__(self, url, ca_cert, cert, key, timeout=10.0):
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise ValueError(f"url: ETSI GS QKD 014 needs https, got {url!r}")
        self.url = url.rstrip("/")
        self.host = parts.hostname
        self.port = parts.port or 443
        self.timeout = timeout
        self.ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_cert)
        self.ctx.load_cert_chain(cert, key)
        self._conn = None
        self._lock = threading.Lock()

    def close(self):
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        with self._lock:
            for attempt in (0, 1):
                if self._conn is None:
                    self._conn = http.client.HTTPSConnection(
                        self.host, self.port, timeout=self.timeout, context=self.ctx
                    )
                try:
                    self._conn.request(method, path, body=data, headers=headers)
                    resp = self._conn.getresponse()
                    payload = resp.read()
                except (OSError, http.client.HTTPException) as exc:
                    self._conn.close()
                    self._conn = None
                    # A kept-alive connection may have been closed by the server: retry once, fresh.
                    if attempt or isinstance(exc, ssl.SSLCertVerificationError):
                        raise KmsError(None, f"{type(exc).__name__}: {exc}", url=self.url) from None
                    continue
                break
        try:
            doc = json.loads(payload) if payload else {}
        except ValueError:
            doc = {"message": "non-JSON answer"}
        if resp.status != 200:
            raise KmsError(resp.status, doc.get("message", ""), doc.get("details"), url=self.url)
        return doc

    def _keys(self, doc):
        try:
            keys = [
                Key(k["key_ID"], base64.b64decode(k["key"], validate=True), k.get("key_ID_extension") or {})
                for k in doc["keys"]
            ]
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise KmsError(200, "malformed key container from KME", url=self.url) from None
        for k in keys:
            if not isinstance(k.key_id, str) or not _CANONICAL_UUID.fullmatch(k.key_id):
                raise KmsError(
                    200,
                    f"KME answered a key ID not in the standard form: {str(k.key_id)[:64]!r}",
                    url=self.url,
                )
            if not isinstance(k.extension, dict):
                raise KmsError(200, f"key {k.key_id}: key_ID_extension is not an object", url=self.url)
        if len({k.key_id for k in keys}) != len(keys):
            raise KmsError(200, "KME answered the same key ID twice", url=self.url)
        return keys

    def status(self, slave_sae_id):
        """GET /api/v1/keys/{slave}/status -> the ETSI status dict."""
        return self._request("GET", "/api/v1/keys/{}/status".format(quote(slave_sae_id, safe="")))

    def _mismatch(self, message):
        return KmsError(200, f"answer does not match the request: {message}", url=self.url)

    def enc_keys(self, slave_sae_id, number=1, size=None, key_source=None, require_source=False):
        """Master SAE: `number` new keys shared with slave_sae_id, `size` bits each.

        `key_source` names a pool (qsafe extension) in `extension_optional`, which any ETSI 014 KME
        accepts (and may ignore); `require_source=True` sends it in `extension_mandatory`, which a
        KME without the extension refuses. Every answer is checked: exactly `number` keys, each
        `size` bits (or all the same size), distinct standard key IDs, and the named source when
        the KME reports one; a mismatch raises KmsError.
        """
        _check_int(number, "number")
        if size is not None:
            _check_int(size, "size")
        path = "/api/v1/keys/{}/enc_keys".format(quote(slave_sae_id, safe=""))
        if key_source is None:
            query = {"number": number}
            if size is not None:
                query["size"] = size
            keys = self._keys(self._request("GET", path + "?" + urlencode(query)))
        else:
            extension = "extension_mandatory" if require_source else "extension_optional"
            body = {"number": number, extension: [{"qsafe_key_source": key_source}]}
            if size is not None:
                body["size"] = size
            keys = self._keys(self._request("POST", path, body))
        if len(keys) != number:
            raise self._mismatch(f"{len(keys)} key(s) for {number} requested")
        lengths = {len(k.key) for k in keys}
        if size is not None and lengths != {size // 8}:
            raise self._mismatch(f"key size {sorted(n * 8 for n in lengths)} bits for {size} requested")
        if len(lengths) != 1 or 0 in lengths:
            raise self._mismatch(f"keys of different or zero sizes {sorted(n * 8 for n in lengths)}")
        if key_source is not None:
            other = {
                k.extension.get("qsafe_key_source")
                for k in keys
                if not _same_source(k.extension.get("qsafe_key_source"), key_source)
            }
            if other:
                raise self._mismatch(f"keys from {sorted(map(str, other))}, {key_source!r} requested")
        return keys

    def dec_keys(self, master_sae_id, key_ids):
        """Slave SAE: the keys with these IDs issued by master_sae_id (each ID is delivered once).

        IDs are sent in the standard lower-case form; the answer must hold exactly those IDs (any
        order, returned in the requested order), or KmsError is raised."""
        single = isinstance(key_ids, str)
        wanted = [_canonical_key_id(k) for k in ([key_ids] if single else list(key_ids))]
        if not wanted or len(set(wanted)) != len(wanted):
            raise ValueError("key_ids: give at least one key ID, each once")
        path = "/api/v1/keys/{}/dec_keys".format(quote(master_sae_id, safe=""))
        if single:
            doc = self._request("GET", path + "?" + urlencode({"key_ID": wanted[0]}))
        else:
            doc = self._request("POST", path, {"key_IDs": [{"key_ID": k} for k in wanted]})
        keys = {k.key_id: k for k in self._keys(doc)}
        if set(keys) != set(wanted):
            missing, extra = sorted(set(wanted) - set(keys)), sorted(set(keys) - set(wanted))
            raise self._mismatch(f"missing key IDs {missing}, unrequested key IDs {extra}")
        return [keys[k] for k in wanted]

    def health(self):
        """Counters and pool sizes (needs a KME or lab admin certificate)."""
        return self._request("GET", "/admin/v1/health")
