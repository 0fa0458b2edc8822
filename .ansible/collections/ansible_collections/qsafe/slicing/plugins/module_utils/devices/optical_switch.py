# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Optical switch payloads (qsafe-optical-switch): /optical-switch/cross-connects/cross-connect[ingress].

The model's cross-connect always carries light both ways, so `bidirectional: false` cannot be
expressed and is refused as bad input instead of being silently ignored. An ingress already
patched elsewhere is a conflict (another slice's patch is never re-pointed); absent removes the
patch only when it is exactly ingress->egress.
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

OTS_NS = "urn:qsafe:yang:optical-switch"


@register
class CrossConnectHandler(StepHandler):
    kind = "optical_switch"
    operation = "cross_connect"
    module = "optical_cross_connect"
    fields = {
        "ingress": Field("str", required=True),
        "egress": Field("str", required=True),
        "bidirectional": Field("bool", default=True),
    }
    identity_fields = ("ingress", "egress")

    def check(self, params: dict[str, Any]) -> None:
        if not params["bidirectional"]:
            raise StepInputError(
                "bidirectional", "this optical switch patches both directions; false is not supported"
            )
        if params["ingress"] == params["egress"]:
            raise StepInputError("egress", "must differ from ingress")

    def identity(self, params: Mapping[str, Any]) -> str:
        return f"cross-connect {params['ingress']} <-> {params['egress']}"

    def filter(self, params: Mapping[str, Any]) -> str:
        return (
            f'<optical-switch xmlns="{OTS_NS}"><cross-connects><cross-connect>'
            f"<ingress>{x(params['ingress'])}</ingress></cross-connect></cross-connects></optical-switch>"
        )

    def context_filter(self, params: Mapping[str, Any]) -> str | None:
        return f'<optical-switch xmlns="{OTS_NS}"><cross-connects/></optical-switch>'

    def edit(self, params: Mapping[str, Any], state: str, current: ET.Element) -> str | None:
        ingress, egress = params["ingress"], params["egress"]
        xcs = find(current, (OTS_NS, "optical-switch"), (OTS_NS, "cross-connects"))
        entry = list_entry(xcs, OTS_NS, "cross-connect", "ingress", ingress)
        cur_egress = text_of(entry, OTS_NS, "egress")
        if state == "absent":
            if entry is None or cur_egress != egress:
                return None
            if len(find_all(xcs, OTS_NS, "cross-connect")) == 1:
                # The last patch: remove the container too (netconfd would keep an empty one).
                gone = f'<cross-connects {NC_ATTR} nc:operation="delete"/>'
                return f'<optical-switch xmlns="{OTS_NS}">{gone}</optical-switch>'
            return (
                f'<optical-switch xmlns="{OTS_NS}"><cross-connects>'
                f'<cross-connect {NC_ATTR} nc:operation="delete">'
                f"<ingress>{x(ingress)}</ingress></cross-connect></cross-connects></optical-switch>"
            )
        if entry is not None and cur_egress != egress:
            raise StepConflictError(f"ingress {ingress} is already patched to {cur_egress}")
        return (
            f'<optical-switch xmlns="{OTS_NS}"><cross-connects><cross-connect>'
            f"<ingress>{x(ingress)}</ingress><egress>{x(egress)}</egress>"
            f"</cross-connect></cross-connects></optical-switch>"
        )
