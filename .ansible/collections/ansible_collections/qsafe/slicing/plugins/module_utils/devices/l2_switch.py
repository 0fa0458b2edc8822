# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""L2 switch payloads (openconfig-vlan 2016 + openconfig-interfaces, as loaded by the lab).

vlan:        /oc-vlan:vlans/vlan[vlan-id]/config/{vlan-id,name}
vlan_member: /oc-if:interfaces/interface[name]/oc-eth:ethernet/oc-vlan:switched-vlan/config
             {interface-mode TRUNK + trunk-vlans leaf-list | ACCESS + access-vlan}
Removing a port's last VLAN removes the switched-vlan container, and the ethernet container too
when it holds nothing else, so that provision then deprovision leaves the running config
byte-identical (netconfd keeps an empty <ethernet/> otherwise).
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
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.vlans import vlan_problem

OC_IF_NS = "http://openconfig.net/yang/interfaces"
OC_ETH_NS = "http://openconfig.net/yang/interfaces/ethernet"
OC_VLAN_NS = "http://openconfig.net/yang/vlan"


def _check_vlan_id(vlan_id: int) -> None:
    problem = vlan_problem(vlan_id)
    if problem:
        raise StepInputError("vlan_id", problem)


@register
class VlanHandler(StepHandler):
    kind = "l2_switch"
    operation = "vlan"
    module = "l2_vlan"
    fields = {"vlan_id": Field("int", required=True), "name": Field("str")}
    identity_fields = ("vlan_id",)

    def check_absent(self, params: dict[str, Any]) -> None:
        _check_vlan_id(params["vlan_id"])

    def check(self, params: dict[str, Any]) -> None:
        _check_vlan_id(params["vlan_id"])

    def identity(self, params: Mapping[str, Any]) -> str:
        return f"VLAN {params['vlan_id']}"

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


@register
class VlanMemberHandler(StepHandler):
    kind = "l2_switch"
    operation = "vlan_member"
    module = "l2_port_vlan"
    fields = {
        "port": Field("str", required=True),
        "vlan_id": Field("int", required=True),
        "mode": Field("str", default="trunk", choices=("trunk", "access")),
    }
    identity_fields = ("vlan_id", "port")

    def check_absent(self, params: dict[str, Any]) -> None:
        _check_vlan_id(params["vlan_id"])

    def check(self, params: dict[str, Any]) -> None:
        _check_vlan_id(params["vlan_id"])

    def identity(self, params: Mapping[str, Any]) -> str:
        return f"VLAN {params['vlan_id']} on port {params['port']} ({params['mode']})"

    def filter(self, params: Mapping[str, Any]) -> str:
        return (
            f'<interfaces xmlns="{OC_IF_NS}"><interface><name>{x(params["port"])}</name>'
            f'<config><name/></config><ethernet xmlns="{OC_ETH_NS}"><switched-vlan xmlns="{OC_VLAN_NS}"/>'
            f"</ethernet></interface></interfaces>"
        )

    def context_filter(self, params: Mapping[str, Any]) -> str | None:
        return (
            f'<interfaces xmlns="{OC_IF_NS}"><interface><name>{x(params["port"])}</name>'
            f'<config><name/></config><ethernet xmlns="{OC_ETH_NS}"/></interface></interfaces>'
        )

    def _wrap(self, port: str, inner: str) -> str:
        return (
            f'<interfaces xmlns="{OC_IF_NS}"><interface><name>{x(port)}</name>'
            f'<ethernet xmlns="{OC_ETH_NS}">{inner}</ethernet></interface></interfaces>'
        )

    def edit(self, params: Mapping[str, Any], state: str, current: ET.Element) -> str | None:
        port, vid, mode = params["port"], str(params["vlan_id"]), params["mode"]
        iface = list_entry(find(current, (OC_IF_NS, "interfaces")), OC_IF_NS, "interface", "name", port)
        eth = find(iface, (OC_ETH_NS, "ethernet"))
        cfg = find(eth, (OC_VLAN_NS, "switched-vlan"), (OC_VLAN_NS, "config"))
        cur_mode = text_of(cfg, OC_VLAN_NS, "interface-mode")
        trunk = [e.text.strip() for e in find_all(cfg, OC_VLAN_NS, "trunk-vlans") if e.text]
        access = text_of(cfg, OC_VLAN_NS, "access-vlan")
        if state == "absent":
            return self._absent(port, vid, mode, eth, trunk, access)
        if iface is None:
            raise StepConflictError(f"port {port} does not exist on the switch")
        want_mode = mode.upper()
        if cur_mode and cur_mode != want_mode and (trunk or access):
            raise StepConflictError(
                f"port {port} is in {cur_mode} mode with VLANs {trunk or [access]}; "
                f"cannot add VLAN {vid} as {mode}"
            )
        if mode == "access":
            if access and access != vid:
                raise StepConflictError(f"port {port} is already the access port of VLAN {access}")
            body = f"<interface-mode>ACCESS</interface-mode><access-vlan>{x(vid)}</access-vlan>"
        else:
            body = f"<interface-mode>TRUNK</interface-mode><trunk-vlans>{x(vid)}</trunk-vlans>"
        return self._wrap(
            port, f'<switched-vlan xmlns="{OC_VLAN_NS}"><config>{body}</config></switched-vlan>'
        )

    def _absent(
        self, port: str, vid: str, mode: str, eth: ET.Element | None, trunk: list[str], access: str | None
    ) -> str | None:
        member = vid in trunk if mode == "trunk" else access == vid
        if not member:
            return None
        remaining = [v for v in trunk if v != vid] + ([access] if access and access != vid else [])
        if remaining:
            leaf = "trunk-vlans" if mode == "trunk" else "access-vlan"
            return self._wrap(
                port,
                f'<switched-vlan xmlns="{OC_VLAN_NS}"><config>'
                f'<{leaf} {NC_ATTR} nc:operation="delete">{x(vid)}</{leaf}></config></switched-vlan>',
            )
        others = (
            [c for c in list(eth) if c.tag != f"{{{OC_VLAN_NS}}}switched-vlan"] if eth is not None else []
        )
        if others:
            return self._wrap(port, f'<switched-vlan xmlns="{OC_VLAN_NS}" {NC_ATTR} nc:operation="delete"/>')
        return (
            f'<interfaces xmlns="{OC_IF_NS}"><interface><name>{x(port)}</name>'
            f'<ethernet xmlns="{OC_ETH_NS}" {NC_ATTR} nc:operation="delete"/></interface></interfaces>'
        )
