# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform `openconfig_2016`: the lab's previous models (2016 OpenConfig switches, project optical model).

l2_switch / vlan:        /oc-vlan:vlans/vlan[vlan-id]/config/{vlan-id,name} (the top-level /vlans that
                         later OpenConfig releases moved under network-instance)
l2_switch / vlan_member: the same switched-vlan paths as current OpenConfig (platforms/openconfig.py)
optical_switch / cross_connect: the project's qsafe-optical-switch (the lab's previous optical model)
encryptor, key_stream: the project's models, as on `openconfig`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405
from collections.abc import Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    NC_ATTR,
    find,
    find_all,
    list_entry,
    register_platform,
    x,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.encryptor import ClientPortHandler
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.key_stream import KeyStreamHandler
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.l2_switch import VlanHandler
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.optical_switch import CrossConnectHandler
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.platforms.openconfig import (
    OC_VLAN_NS,
    SwitchedVlanMember,
)

PLATFORM = "openconfig_2016"


class TopLevelVlan(VlanHandler):
    """A VLAN in the 2016 top-level /vlans list."""

    def filter(self, params: Mapping[str, Any]) -> str:
        return f'<vlans xmlns="{OC_VLAN_NS}"><vlan><vlan-id>{x(params["vlan_id"])}</vlan-id></vlan></vlans>'

    def context_filter(self, params: Mapping[str, Any]) -> str | None:
        return f'<vlans xmlns="{OC_VLAN_NS}"/>'

    def edit(self, params: Mapping[str, Any], state: str, current: ET.Element) -> str | None:
        vid = x(params["vlan_id"])
        vlans = find(current, (OC_VLAN_NS, "vlans"))
        entry = list_entry(vlans, OC_VLAN_NS, "vlan", "vlan-id", vid)
        if state == "absent":
            if entry is None:
                return None
            if len(find_all(vlans, OC_VLAN_NS, "vlan")) == 1:
                # The last VLAN: remove the container too (netconfd would keep an empty <vlans/>).
                return f'<vlans xmlns="{OC_VLAN_NS}" {NC_ATTR} nc:operation="delete"/>'
            return (
                f'<vlans xmlns="{OC_VLAN_NS}"><vlan {NC_ATTR} nc:operation="delete">'
                f"<vlan-id>{vid}</vlan-id></vlan></vlans>"
            )
        name = f"<name>{x(params['name'])}</name>" if params.get("name") else ""
        return (
            f'<vlans xmlns="{OC_VLAN_NS}"><vlan><vlan-id>{vid}</vlan-id>'
            f"<config><vlan-id>{vid}</vlan-id>{name}</config></vlan></vlans>"
        )


register_platform(
    PLATFORM,
    TopLevelVlan,
    SwitchedVlanMember,
    CrossConnectHandler,
    ClientPortHandler,
    KeyStreamHandler,
)
