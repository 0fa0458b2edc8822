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
import re

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


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _unique_object(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise EtsiError(400, f"{key}: given twice in the request body", [{"parameter": key}])
        out[key] = value
    return out


async def _body(request: Request, allowed: frozenset[str] | None = None) -> dict:
    """The JSON object of a POST: strict JSON (no NaN/Infinity, no repeated member), only the
    spec's parameters for this call."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw, object_pairs_hook=_unique_object, parse_constant=_no_constant)
    except ValueError:
        raise EtsiError(400, "request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise EtsiError(400, "request body must be a JSON object")
    if allowed is not None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise EtsiError(
                400,
                f"{unknown[0]}: unknown parameter for {request.method} {request.url.path.rsplit('/', 1)[-1]}",
                [{"parameter": name[:64]} for name in unknown] + [{"allowed": sorted(allowed)}],
            )
    return data


async def _query(request: Request, allowed: frozenset[str]) -> dict[str, str]:
    """The query parameters of a GET (each at most once, only the spec's ones) and no body; a
    POST takes none (its parameters belong in the JSON body)."""
    items = request.query_params.multi_items()
    where = f"{request.method} {request.url.path.rsplit('/', 1)[-1]}"
    if request.method != "GET":
        allowed = frozenset()
    unknown = sorted({k for k, _ in items} - allowed)
    if unknown:
        hint = " (a POST request carries its parameters in the JSON body)" if request.method == "POST" else ""
        if request.method == "GET" and "additional_slave_SAE_IDs" in unknown:
            hint = " (additional_slave_SAE_IDs is a POST parameter: GET enc_keys takes number and size)"
        raise EtsiError(
            400,
            f"{unknown[0]}: not a query parameter of {where}{hint}",
            [{"parameter": name[:64]} for name in unknown] + [{"allowed": sorted(allowed)}],
        )
    seen: dict[str, str] = {}
    for key, value in items:
        if key in seen:
            raise EtsiError(400, f"{key}: given twice", [{"parameter": key}])
        seen[key] = value
    if request.method == "GET" and await request.body():
        raise EtsiError(400, f"{where} takes no request body (use POST for a JSON body)")
    return seen


def _query_int(query: dict[str, str], field: str) -> int | None:
    """A GET integer parameter: ASCII decimal digits only (no sign, point, space or other digits)."""
    value = query.get(field)
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", value):
        raise EtsiError(400, f"{field}: must be a decimal integer", [{field: value[:64]}])
    return int(value)


ENC_POST = frozenset(
    {"number", "size", "additional_slave_SAE_IDs", "extension_mandatory", "extension_optional"}
)
DEC_POST = frozenset({"key_IDs", "key_IDs_extension"})
DEC_ENTRY = frozenset({"key_ID", "key_ID_extension"})


def build_app(kme: Kme) -> Starlette:
    async def status(request: Request) -> Response:
        await _query(request, frozenset())
        return _json(kme.status(_caller(request), request.path_params["sae"]))

    async def enc_keys(request: Request) -> Response:
        slave = request.path_params["sae"]
        query = await _query(request, frozenset({"number", "size"}))
        if request.method == "GET":
            return _json(
                kme.enc_keys(_caller(request), slave, _query_int(query, "number"), _query_int(query, "size"))
            )
        b = await _body(request, ENC_POST)
        return _json(
            kme.enc_keys(
                _caller(request),
                slave,
                b.get("number"),
                b.get("size"),
                b.get("extension_mandatory"),
                b.get("additional_slave_SAE_IDs"),
                b.get("extension_optional"),
            )
        )

    async def dec_keys(request: Request) -> Response:
        master = request.path_params["sae"]
        query = await _query(request, frozenset({"key_ID"}))
        if request.method == "GET":
            kid = query.get("key_ID")
            if kid is None:
                raise EtsiError(400, "key_ID: query parameter is required")
            ids = [kid]
        else:
            b = await _body(request, DEC_POST)
            entries = b.get("key_IDs")
            if not isinstance(entries, list) or not all(
                isinstance(e, dict) and "key_ID" in e for e in entries
            ):
                raise EtsiError(400, 'key_IDs: must be a list of {"key_ID": ...} objects')
            for e in entries:
                unknown = sorted(set(e) - DEC_ENTRY)
                if unknown:
                    raise EtsiError(
                        400,
                        f"key_IDs: unknown member {unknown[0]!r} in a key_ID entry",
                        [{"parameter": name[:64]} for name in unknown] + [{"allowed": sorted(DEC_ENTRY)}],
                    )
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
        return _json({"message": f"no such endpoint: {request.url.path[:200]}", "details": []}, 404)

    async def wrong_method(request: Request, exc: Exception) -> Response:
        allow = (getattr(exc, "headers", None) or {}).get("Allow", "")
        response = _json(
            {
                "message": f"{request.method} is not allowed on {request.url.path[:200]}",
                "details": [{"allowed_methods": [m.strip() for m in allow.split(",") if m.strip()]}],
            },
            405,
        )
        if allow:
            response.headers["Allow"] = allow
        return response

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
        exception_handlers={
            EtsiError: etsi_error,
            Exception: server_error,
            404: not_found,
            405: wrong_method,
        },
        lifespan=lifespan,
    )
