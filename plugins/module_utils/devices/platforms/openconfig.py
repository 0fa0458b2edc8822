# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Platform `openconfig` (the default): current OpenConfig (release v5.9.0) and the project's models.

l2_switch / vlan:        /oc-netinst:network-instances/network-instance[name=DEFAULT]/vlans/vlan[vlan-id]
                         /config/{vlan-id,name} (openconfig-network-instance + oc-vlan:vlan-top)
l2_switch / vlan_member: /oc-if:interfaces/interface[name]/oc-eth:ethernet/oc-vlan:switched-vlan/config
                         {interface-mode TRUNK + trunk-vlans | ACCESS + access-vlan}; upstream's
                         `when`s hold: trunk-vlans only in TRUNK mode, access-vlan only in ACCESS mode
optical_switch / cross_connect: /oc-line-connect:connections/connection[index]/config/{index, source,
                         dest} (openconfig-transport-line-connectivity), one connection per direction
encryptor, key_stream: the project's models (see their handler files).

The VLANs live in the switch's default network instance (type DEFAULT_INSTANCE, named DEFAULT as
OpenConfig recommends), which exists on the device like its ports: steps only add VLANs to it.
Removing the last VLAN removes the `vlans` container, and a port's last VLAN its switched-vlan
(and the then-empty ethernet container), so provision then deprovision leaves running
byte-identical (netconfd keeps empty containers otherwise).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405
from collections.abc import Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    NC_ATTR,
    StepConflictError,
    find,
    find_all,
    list_entry,
    register_platform,
    text_of,
    x,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.encryptor import ClientPortHandler
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.key_stream import KeyStreamHandler
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.l2_switch import (
    VlanHandler,
    VlanMemberHandler,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.optical_switch import CrossConnectHandler

PLATFORM = "openconfig"
OC_NI_NS = "http://openconfig.net/yang/network-instance"
OC_IF_NS = "http://openconfig.net/yang/interfaces"
OC_ETH_NS = "http://openconfig.net/yang/interfaces/ethernet"
OC_VLAN_NS = "http://openconfig.net/yang/vlan"
OC_LINE_NS = "http://openconfig.net/yang/openconfig-transport-line-connectivity"
#: the network instance that holds a switch's VLANs
DEFAULT_INSTANCE = "DEFAULT"


def _instance(inner: str) -> str:
    return (
        f'<network-instances xmlns="{OC_NI_NS}"><network-instance><name>{DEFAULT_INSTANCE}</name>'
        f"{inner}</network-instance></network-instances>"
    )


class NetworkInstanceVlan(VlanHandler):
    """A VLAN of the default network instance."""

    def filter(self, params: Mapping[str, Any]) -> str:
        return _instance(f"<vlans><vlan><vlan-id>{x(params['vlan_id'])}</vlan-id></vlan></vlans>")

    def context_filter(self, params: Mapping[str, Any]) -> str | None:
        return _instance("<vlans/>")

    def edit(self, params: Mapping[str, Any], state: str, current: ET.Element) -> str | None:
        vid = x(params["vlan_id"])
        instance = list_entry(
            find(current, (OC_NI_NS, "network-instances")), OC_NI_NS, "network-instance", "name",
            DEFAULT_INSTANCE,
        )
        vlans = find(instance, (OC_NI_NS, "vlans"))
        entry = list_entry(vlans, OC_NI_NS, "vlan", "vlan-id", vid)
        if state == "absent":
            if entry is None:
                return None
            if len(find_all(vlans, OC_NI_NS, "vlan")) == 1:
                # The last VLAN: remove the container too (netconfd would keep an empty <vlans/>).
                return _instance(f'<vlans {NC_ATTR} nc:operation="delete"/>')
            return _instance(
                f'<vlans><vlan {NC_ATTR} nc:operation="delete"><vlan-id>{vid}</vlan-id></vlan></vlans>'
            )
        if instance is None:
            raise StepConflictError(f"the switch has no network instance {DEFAULT_INSTANCE}")
        name = f"<name>{x(params['name'])}</name>" if params.get("name") else ""
        return _instance(
            f"<vlans><vlan><vlan-id>{vid}</vlan-id><config><vlan-id>{vid}</vlan-id>{name}</config>"
            f"</vlan></vlans>"
        )


class SwitchedVlanMember(VlanMemberHandler):
    """A port's switched-vlan settings (the same paths in OpenConfig 2016 and current releases)."""

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


class LineConnectivityCrossConnect(CrossConnectHandler):
    """A bidirectional patch as two openconfig-transport-line-connectivity connections.

    /oc-line-connect:connections/connection[index]/config/{index, source, dest}: a connection
    carries light one way, so ingress<->egress is the pair ingress->egress and egress->ingress
    (Polatis' cross-connect pairs have the same shape). A new connection takes the lowest free
    index; the pair is found by its ports, never by index.
    """

    def filter(self, params: Mapping[str, Any]) -> str:
        return f'<connections xmlns="{OC_LINE_NS}"/>'

    def context_filter(self, params: Mapping[str, Any]) -> str | None:
        return None  # the whole list (filter()): a pair is found by its ports, an index must be free

    def _connections(self, current: ET.Element) -> tuple[ET.Element | None, dict[str, tuple[str, str]]]:
        conns = find(current, (OC_LINE_NS, "connections"))
        out = {}
        for entry in find_all(conns, OC_LINE_NS, "connection"):
            cfg = find(entry, (OC_LINE_NS, "config"))
            index = text_of(entry, OC_LINE_NS, "index") or ""
            out[index] = (text_of(cfg, OC_LINE_NS, "source") or "", text_of(cfg, OC_LINE_NS, "dest") or "")
        return conns, out

    def edit(self, params: Mapping[str, Any], state: str, current: ET.Element) -> str | None:
        ingress, egress = params["ingress"], params["egress"]
        _conns, by_index = self._connections(current)
        wanted = ((ingress, egress), (egress, ingress))
        have = {pair: index for index, pair in by_index.items() if pair in wanted}
        if state == "absent":
            if not have:
                return None
            if len(have) == len(by_index):
                # The last patch: remove the container too (netconfd would keep an empty one).
                return f'<connections xmlns="{OC_LINE_NS}" {NC_ATTR} nc:operation="delete"/>'
            gone = "".join(
                f'<connection {NC_ATTR} nc:operation="delete"><index>{x(index)}</index></connection>'
                for index in sorted(have.values(), key=int)
            )
            return f'<connections xmlns="{OC_LINE_NS}">{gone}</connections>'
        for port in (ingress, egress):
            for source, dest in by_index.values():
                if source == port and (source, dest) not in wanted:
                    raise StepConflictError(f"port {port} is already patched to {dest}")
        used = {int(i) for i in by_index if i.isdigit()}
        free = (i for i in range(1, len(used) + 3) if i not in used)
        body = ""
        for pair in wanted:
            if pair in have:
                continue
            index = next(free)
            body += (
                f"<connection><index>{index}</index><config><index>{index}</index>"
                f"<source>{x(pair[0])}</source><dest>{x(pair[1])}</dest></config></connection>"
            )
        return f'<connections xmlns="{OC_LINE_NS}">{body}</connections>' if body else None


register_platform(
    PLATFORM,
    NetworkInstanceVlan,
    SwitchedVlanMember,
    LineConnectivityCrossConnect,
    ClientPortHandler,
    KeyStreamHandler,
)
