# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Encryption card payloads (qsafe-encryptor): a client port and the card's key source.

present: client-port{enabled, encryption aes-256|off, description naming the key stream} and,
when encrypting, key-source/method (one method per channel: a different method already in use by
another encrypted port is a conflict). absent: the port back to its startup state (disabled,
clear, no description) and the key-source container removed once no port encrypts any more.
The key banks are never selected: their key leaf is write-only by NACM and not ours to touch.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405
from collections.abc import Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    NC_ATTR,
    Field,
    StepConflictError,
    StepHandler,
    StepInputError,
    find,
    find_all,
    list_entry,
    register,
    text_of,
    x,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import LEVELS

ENC_NS = "urn:qsafe:yang:encryptor"
# A card port's key method: a link's security level, or a hybrid of several key sources.
METHODS = (*LEVELS, "hybrid")
KEY_METHODS = tuple(m for m in METHODS if m != "none")


@register
class ClientPortHandler(StepHandler):
    kind = "encryptor"
    operation = "client_port"
    module = "encryptor_port"
    fields = {
        "port": Field("str", required=True),
        "channel": Field("str"),
        "enabled": Field("bool", default=True),
        "encryption": Field("bool", default=False),
        "method": Field("str", choices=METHODS),
        "key_stream": Field("str", no_log=False),
    }
    identity_fields = ("port",)

    def check(self, params: dict[str, Any]) -> None:
        if params["method"] is None:
            params["method"] = "none" if not params["encryption"] else None
        if params["encryption"] and params["method"] in (None, "none"):
            raise StepInputError(
                "method", f"must name the key method ({', '.join(KEY_METHODS)}) when encryption is on"
            )

    def identity(self, params: Mapping[str, Any]) -> str:
        return f"client port {params['port']}"

    def filter(self, params: Mapping[str, Any]) -> str:
        return (
            f'<encryptor xmlns="{ENC_NS}"><client-ports><client-port><name>{x(params["port"])}</name>'
            f"</client-port></client-ports><key-source/></encryptor>"
        )

    def context_filter(self, params: Mapping[str, Any]) -> str | None:
        return f'<encryptor xmlns="{ENC_NS}"><model/><line/><client-ports/><key-source/></encryptor>'

    def edit(self, params: Mapping[str, Any], state: str, current: ET.Element) -> str | None:
        port = params["port"]
        enc = find(current, (ENC_NS, "encryptor"))
        ports = find(enc, (ENC_NS, "client-ports"))
        entry = list_entry(ports, ENC_NS, "client-port", "name", port)
        if entry is None:
            raise StepConflictError(f"client port {port} does not exist on the card")
        channel = text_of(find(enc, (ENC_NS, "line")), ENC_NS, "channel")
        if params.get("channel") and channel and channel != params["channel"]:
            raise StepConflictError(
                f"the card carries channel {channel}, the step names channel {params['channel']}"
            )
        others_encrypting = [
            text_of(p, ENC_NS, "name")
            for p in find_all(ports, ENC_NS, "client-port")
            if text_of(p, ENC_NS, "name") != port and text_of(p, ENC_NS, "encryption") == "aes-256"
        ]
        cur_method = text_of(find(enc, (ENC_NS, "key-source")), ENC_NS, "method")
        if state == "absent":
            key_source = ""
            if not others_encrypting and find(enc, (ENC_NS, "key-source")) is not None:
                key_source = f'<key-source {NC_ATTR} nc:operation="delete"/>'
            descr = ""
            if find(entry, (ENC_NS, "description")) is not None:
                descr = f'<description {NC_ATTR} nc:operation="delete"/>'
            return (
                f'<encryptor xmlns="{ENC_NS}"><client-ports><client-port><name>{x(port)}</name>'
                f"<enabled>false</enabled><encryption>off</encryption>{descr}</client-port></client-ports>"
                f"{key_source}</encryptor>"
            )
        key_source = ""
        if params["encryption"]:
            method = params["method"]
            if cur_method and cur_method not in ("none", method) and others_encrypting:
                raise StepConflictError(
                    f"the channel's key method is {cur_method} (ports {', '.join(others_encrypting)}); "
                    f"cannot encrypt port {port} with {method}"
                )
            key_source = f"<key-source><method>{x(method)}</method></key-source>"
        descr = (
            f"<description>key stream {x(params['key_stream'])}</description>"
            if params.get("key_stream")
            else ""
        )
        return (
            f'<encryptor xmlns="{ENC_NS}"><client-ports><client-port><name>{x(port)}</name>'
            f"<enabled>{'true' if params['enabled'] else 'false'}</enabled>"
            f"<encryption>{'aes-256' if params['encryption'] else 'off'}</encryption>{descr}"
            f"</client-port></client-ports>{key_source}</encryptor>"
        )
