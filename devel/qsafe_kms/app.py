# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP layer: ETSI GS QKD 014 v1.1.1 routes and the KME-to-KME peer routes (Starlette).

The caller's identity is the common name of its verified TLS client certificate, put into
the ASGI scope state by the server protocol (server.py); nothing in the request can claim it.
"""

from __future__ import annotations

import contextlib
import json
import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qsafe_kms.kme import EtsiError, Kme

log = logging.getLogger("qsafe_kms")
PEER_CN = "qsafe_peer_cn"


def _caller(request: Request) -> str | None:
    return request.scope.get("state", {}).get(PEER_CN)


def _json(data: dict, status: int = 200) -> Response:
    return Response(
        json.dumps(data, separators=(",", ":")), status_code=status, media_type="application/json"
    )


async def _body(request: Request) -> dict:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise EtsiError(400, "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise EtsiError(400, "request body must be a JSON object")
    return data


def build_app(kme: Kme) -> Starlette:
    async def status(request: Request) -> Response:
        return _json(kme.status(_caller(request), request.path_params["sae"]))

    async def enc_keys(request: Request) -> Response:
        slave = request.path_params["sae"]
        if request.method == "GET":
            q = request.query_params
            return _json(kme.enc_keys(_caller(request), slave, q.get("number"), q.get("size")))
        b = await _body(request)
        return _json(
            kme.enc_keys(
                _caller(request),
                slave,
                b.get("number"),
                b.get("size"),
                b.get("extension_mandatory"),
                b.get("additional_slave_SAE_IDs"),
            )
        )

    async def dec_keys(request: Request) -> Response:
        master = request.path_params["sae"]
        if request.method == "GET":
            kid = request.query_params.get("key_ID")
            if kid is None:
                raise EtsiError(400, "key_ID: query parameter is required")
            ids = [kid]
        else:
            b = await _body(request)
            entries = b.get("key_IDs")
            if not isinstance(entries, list) or not all(
                isinstance(e, dict) and "key_ID" in e for e in entries
            ):
                raise EtsiError(400, 'key_IDs: must be a list of {"key_ID": ...} objects')
            ids = [e["key_ID"] for e in entries]
        return _json(await kme.dec_keys(_caller(request), master, ids))

    def peer(handler):
        async def endpoint(request: Request) -> Response:
            body = await _body(request)
            try:
                return _json(handler(_caller(request), body))
            except (KeyError, TypeError, ValueError) as exc:
                # Messages of these errors name fields and offsets, never key bits.
                raise EtsiError(400, f"peer request rejected: {type(exc).__name__}: {exc}") from None

        return endpoint

    async def health(request: Request) -> Response:
        caller = _caller(request)
        if caller not in kme.peers and caller != kme.name and not (caller or "").startswith("admin"):
            raise EtsiError(401, "health is for KMEs and lab administrators")
        return _json(kme.health())

    async def etsi_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, EtsiError)
        return _json(exc.body(), exc.status)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("internal error on %s: %s", request.url.path, type(exc).__name__)
        return _json({"message": "internal KME error", "details": [{"error": type(exc).__name__}]}, 503)

    async def not_found(request: Request, exc: Exception) -> Response:
        return _json({"message": f"no such endpoint: {request.method} {request.url.path}"}, 400)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await kme.start()
        try:
            yield
        finally:
            await kme.stop()

    routes = [
        Route("/api/v1/keys/{sae}/status", status, methods=["GET"]),
        Route("/api/v1/keys/{sae}/enc_keys", enc_keys, methods=["GET", "POST"]),
        Route("/api/v1/keys/{sae}/dec_keys", dec_keys, methods=["GET", "POST"]),
        Route("/peer/v1/exchange", peer(kme.peer_exchange), methods=["POST"]),
        Route("/peer/v1/hybrid", peer(kme.peer_hybrid), methods=["POST"]),
        Route("/peer/v1/qkd", peer(kme.peer_qkd), methods=["POST"]),
        Route("/peer/v1/reservations", peer(kme.peer_reservations), methods=["POST"]),
        Route("/admin/v1/health", health, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={EtsiError: etsi_error, Exception: server_error, 404: not_found, 405: not_found},
        lifespan=lifespan,
    )
