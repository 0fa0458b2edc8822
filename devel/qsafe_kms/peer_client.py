# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KME-to-KME client: JSON over HTTPS with mutual TLS, one keep-alive connection per thread.

The KME's own certificate (CN = KME name, clientAuth + serverAuth) authenticates it to the
peer; the peer is verified against the lab CA and its host name/IP. Calls are blocking and
run in worker threads (asyncio.to_thread) so the event loop keeps serving SAEs.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from urllib.parse import urlsplit


class PeerError(RuntimeError):
    """A peer call failed (transport or non-200 answer). Never carries key material."""


class PeerClient:
    def __init__(self, base_url: str, ca: str, cert: str, key: str, timeout: float = 10.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 443
        self.timeout = timeout
        self.ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
        self.ctx.load_cert_chain(cert, key)
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPSConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.ctx)
            self._local.conn = conn
        return conn

    def post(self, path: str, body: dict) -> dict:
        data = json.dumps(body).encode()
        for attempt in (0, 1):
            conn = self._conn()
            try:
                conn.request("POST", path, body=data, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                payload = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self._local.conn = None
                if attempt:
                    raise PeerError(
                        f"peer {self.host}:{self.port} {path}: {type(exc).__name__}: {exc}"
                    ) from None
                continue
            if resp.status != 200:
                try:
                    msg = json.loads(payload).get("message", "")
                except ValueError:
                    msg = ""
                raise PeerError(f"peer {self.host}:{self.port} {path}: HTTP {resp.status} {msg}")
            return json.loads(payload)
        raise PeerError("unreachable")  # pragma: no cover
