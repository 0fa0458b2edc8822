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
import http.client
import json
import ssl
import threading
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit


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

    @staticmethod
    def _keys(doc):
        try:
            return [
                Key(k["key_ID"], base64.b64decode(k["key"], validate=True), k.get("key_ID_extension") or {})
                for k in doc["keys"]
            ]
        except (KeyError, TypeError, ValueError):
            raise KmsError(200, "malformed key container from KME") from None

    def status(self, slave_sae_id):
        """GET /api/v1/keys/{slave}/status -> the ETSI status dict."""
        return self._request("GET", "/api/v1/keys/{}/status".format(quote(slave_sae_id, safe="")))

    def enc_keys(self, slave_sae_id, number=1, size=None, key_source=None):
        """Master SAE: new keys shared with slave_sae_id. key_source picks a pool (extension)."""
        path = "/api/v1/keys/{}/enc_keys".format(quote(slave_sae_id, safe=""))
        if key_source is None:
            query = {"number": number}
            if size is not None:
                query["size"] = size
            return self._keys(self._request("GET", path + "?" + urlencode(query)))
        body = {"number": number, "extension_mandatory": [{"qsafe_key_source": key_source}]}
        if size is not None:
            body["size"] = size
        return self._keys(self._request("POST", path, body))

    def dec_keys(self, master_sae_id, key_ids):
        """Slave SAE: the keys with these IDs issued by master_sae_id (each ID is delivered once)."""
        path = "/api/v1/keys/{}/dec_keys".format(quote(master_sae_id, safe=""))
        if isinstance(key_ids, str):
            return self._keys(self._request("GET", path + "?" + urlencode({"key_ID": key_ids})))
        return self._keys(self._request("POST", path, {"key_IDs": [{"key_ID": k} for k in key_ids]}))

    def health(self):
        """Counters and pool sizes (needs a KME or lab admin certificate)."""
        return self._request("GET", "/admin/v1/health")
