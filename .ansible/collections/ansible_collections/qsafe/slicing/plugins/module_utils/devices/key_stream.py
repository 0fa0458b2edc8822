# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key host payloads (qsafe-key-stream): /key-streams/stream[name].

Only the configured leaves are selected for the diff, never the `status` container that the key
script rewrites every rotation (it would make every run look changed). No key material exists in
this model; the stream only tells the host's key script what to fetch and for which card.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405
from collections.abc import Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    NC_ATTR,
    Field,
    StepHandler,
    StepInputError,
    find,
    list_entry,
    register,
    x,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.encryptor import KEY_METHODS

KS_NS = "urn:qsafe:yang:key-stream"
CONFIG_LEAVES = (
    "channel",
    "method",
    "role",
    "kme-url",
    "local-sae-id",
    "peer-sae-id",
    "card",
    "refresh-interval",
    "enabled",
)


@register
class KeyStreamHandler(StepHandler):
    kind = "key_stream"
    operation = "stream"
    module = "key_stream"
    fields = {
        "name": Field("str", required=True),
        "channel": Field("str", required=True),
        "method": Field("str", required=True, choices=KEY_METHODS),
        "role": Field("str", required=True, choices=("primary", "secondary")),
        "kme": Field("str", required=True),
        "local_sae": Field("str", required=True),
        "peer_sae": Field("str", required=True),
        "card": Field("str", required=True),
        "refresh_s": Field("int", default=3),
    }
    identity_fields = ("name",)

    def check(self, params: dict[str, Any]) -> None:
        if not 1 <= params["refresh_s"] <= 86400:
            raise StepInputError("refresh_s", f"must be 1..86400, got {params['refresh_s']}")

    def identity(self, params: Mapping[str, Any]) -> str:
        return f"key stream {params['name']} ({params['role']})"

    def filter(self, params: Mapping[str, Any]) -> str:
        leaves = "".join(f"<{leaf}/>" for leaf in CONFIG_LEAVES)
        name = x(params["name"])
        return f'<key-streams xmlns="{KS_NS}"><stream><name>{name}</name>{leaves}</stream></key-streams>'

    def edit(self, params: Mapping[str, Any], state: str, current: ET.Element) -> str | None:
        name = params["name"]
        entry = list_entry(find(current, (KS_NS, "key-streams")), KS_NS, "stream", "name", name)
        if state == "absent":
            if entry is None:
                return None
            return (
                f'<key-streams xmlns="{KS_NS}"><stream {NC_ATTR} nc:operation="delete">'
                f"<name>{x(name)}</name></stream></key-streams>"
            )
        values = {
            "channel": params["channel"],
            "method": params["method"],
            "role": params["role"],
            "kme-url": params["kme"],
            "local-sae-id": params["local_sae"],
            "peer-sae-id": params["peer_sae"],
            "card": params["card"],
            "refresh-interval": params["refresh_s"],
            "enabled": "true",
        }
        body = "".join(f"<{k}>{x(v)}</{k}>" for k, v in values.items())
        return f'<key-streams xmlns="{KS_NS}"><stream><name>{x(name)}</name>{body}</stream></key-streams>'
