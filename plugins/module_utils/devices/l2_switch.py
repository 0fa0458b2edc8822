# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""L2 switch steps: a VLAN, and a port's membership of a VLAN (trunk or access).

This file defines the concepts (parameters, identity, checks), once for every platform; how each
platform writes them is in `devices/platforms/<platform>.py` (current OpenConfig: VLANs under the
default network instance; 2016 OpenConfig: the top-level /vlans).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    Field,
    StepHandler,
    register,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.vlans import vlan_problem


@register
class VlanHandler(StepHandler):
    kind = "l2_switch"
    operation = "vlan"
    module = "l2_vlan"
    fields = {"vlan_id": Field("int", required=True, problem=vlan_problem), "name": Field("str")}
    identity_fields = ("vlan_id",)

    def identity(self, params: Mapping[str, Any]) -> str:
        return f"VLAN {params['vlan_id']}"


@register
class VlanMemberHandler(StepHandler):
    kind = "l2_switch"
    operation = "vlan_member"
    module = "l2_port_vlan"
    fields = {
        "port": Field("str", required=True),
        "vlan_id": Field("int", required=True, problem=vlan_problem),
        "mode": Field("str", default="trunk", choices=("trunk", "access")),
    }
    identity_fields = ("vlan_id", "port")

    def identity(self, params: Mapping[str, Any]) -> str:
        return f"VLAN {params['vlan_id']} on port {params['port']} ({params['mode']})"
