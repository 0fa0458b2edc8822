# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KME process entry point: `python -m qsafe_kms.server --config kme-a.json [--fd N | --port P]`.

HTTP stack: uvicorn with the httptools parser and the uvloop event loop (pinned), serving a
Starlette app over TLS with client certificates required (CERT_REQUIRED against the lab CA).
uvicorn does not put the client certificate into the ASGI scope, so a thin protocol
subclass reads the verified peer certificate once per connection and exposes its common
name as scope["state"]["qsafe_peer_cn"]. See docs/kms.md for the stack comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import ssl
import sys
from pathlib import Path

import uvicorn

from qsafe_kms.app import PEER_CN, build_app
from qsafe_kms.config import KmeConfig
from qsafe_kms.kme import Kme


def peer_common_name(transport: asyncio.BaseTransport) -> str | None:
    ssl_object = transport.get_extra_info("ssl_object")
    cert = ssl_object.getpeercert() if ssl_object is not None else None
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return None


def identity_protocol(base: type) -> type:
    """Subclass a uvicorn HTTP protocol so every request's scope state carries the client CN."""

    class WithPeerIdentity(base):  # type: ignore[misc, valid-type]
        def connection_made(self, transport):  # noqa: ANN001
            super().connection_made(transport)
            self.app_state = {**self.app_state, PEER_CN: peer_common_name(transport)}

    WithPeerIdentity.__name__ = f"WithPeerIdentity{base.__name__}"
    return WithPeerIdentity


def protocol_class(http: str) -> type:
    if http == "h11":
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return identity_protocol(H11Protocol)
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    return identity_protocol(HttpToolsProtocol)


def make_server(cfg: KmeConfig, http: str = "httptools", loop: str = "uvloop") -> uvicorn.Server:
    config = uvicorn.Config(
        build_app(Kme(cfg)),
        http=protocol_class(http),
        loop=loop,
        lifespan="on",
        log_level="warning",
        access_log=False,
        ssl_certfile=cfg.cert,
        ssl_keyfile=cfg.key,
        ssl_ca_certs=cfg.ca,
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)


def default_stack() -> tuple[str, str]:
    """httptools + uvloop when installed (pinned), else uvicorn's pure-Python h11 + asyncio."""
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return os.environ.get("QSAFE_KMS_HTTP", http), os.environ.get("QSAFE_KMS_LOOP", loop)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True, type=Path)
    ap.add_argument("--fd", type=int, help="listening socket inherited from the parent")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ready-file", type=Path, help="written with the port once serving")
    ap.add_argument("--http", choices=["httptools", "h11"], default=None)
    ap.add_argument("--loop", choices=["uvloop", "asyncio"], default=None)
    args = ap.parse_args(argv)
    args.http = args.http or default_stack()[0]
    args.loop = args.loop or default_stack()[1]
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    cfg = KmeConfig.load(args.config)
    if args.fd is not None:
        sock = socket.socket(fileno=args.fd)
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", args.port))
        sock.listen(1024)
    server = make_server(cfg, args.http, args.loop)
    if args.ready_file:
        original_startup = server.startup

        async def startup(sockets=None):
            await original_startup(sockets=sockets)
            tmp = args.ready_file.with_suffix(".tmp")
            tmp.write_text(str(sock.getsockname()[1]))
            tmp.replace(args.ready_file)

        server.startup = startup  # type: ignore[method-assign]
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
