# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render a planned slice into the ordered device steps that realise it.

Only this layer reads device bindings (`links[].devices`, `channels`, site switch fields);
planning never does. The order brings a slice up safely and is undone in reverse:

1. key streams of every encrypted channel used (keys flow before encryption is switched on);
2. encryption-card client ports (enabled, encryption on or off, key stream);
3. optical cross-connects at the metro optical switch;
4. VLANs on each site switch of a route, then port membership (traffic is admitted last).

A step is a plain dict: index, name, device, kind, operation, params, resource, shared.
`resource` identifies what the step creates on the device (the step handler's identity fields);
the same resource is rendered once.
`shared` marks resources that other slices may use too (a channel's key stream, a card port, a
cross-connect): removing them is the provisioning layer's decision, made from the registry.
"""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.handlers import handler_for
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import SlicePlan
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import Topology

PHASES = ("key_stream", "encryptor", "optical_switch", "l2_vlan", "l2_member")


class BindingError(ValueError):
    """The topology lacks a device binding that a step needs."""


def _channels(topology: Topology) -> dict[str, dict]:
    return {c["name"]: c for c in topology.raw.get("channels", [])}


def _binding(topology: Topology, link_name: str) -> dict:
    devices = topology.links[link_name].raw.get("devices")
    if not devices:
        raise BindingError(
            f"link {link_name}: no device bindings ('devices') in the topology; cannot render steps"
        )
    for key in ("channel", "a", "b", "card_port"):
        if key not in devices:
            raise BindingError(f"link {link_name}: device binding 'devices.{key}' is missing")
    return devices


def _site_switch(topology: Topology, site: str) -> tuple[str, str | None]:
    raw = topology.sites[site].raw
    if "switch" not in raw:
        raise BindingError(f"site {site}: no 'switch' binding in the topology; cannot render steps")
    return raw["switch"], raw.get("local_port")


def render_steps(plan: SlicePlan, topology: Topology) -> list[dict]:
    """The ordered, de-duplicated device steps of a plan."""
    channels = _channels(topology)
    phases: dict[str, list[dict]] = {phase: [] for phase in PHASES}
    seen: set[str] = set()

    def add(phase: str, name: str, device: str, kind: str, operation: str, params: dict, shared: bool):
        resource = handler_for(kind, operation).resource(device, params)
        if resource in seen:
            return
        seen.add(resource)
        phases[phase].append(
            {
                "name": name,
                "device": device,
                "kind": kind,
                "operation": operation,
                "params": params,
                "resource": resource,
                "shared": shared,
            }
        )

    for conn in plan.connections:
        vlan = conn.vlan
        vlan_name = f"{plan.slice_id}.{conn.name}"
        for link_name in conn.links:
            link = topology.links[link_name]
            devices = _binding(topology, link_name)
            channel = channels.get(devices["channel"])
            if channel is None:
                raise BindingError(
                    f"link {link_name}: channel {devices['channel']!r} is not in topology.channels"
                )
            stream = channel.get("key_stream")
            if link.security != "none":
                if not stream:
                    raise BindingError(
                        f"channel {channel['name']}: encrypted ({link.security}) but has no key_stream"
                    )
                for role in ("primary", "secondary"):
                    peer = "secondary" if role == "primary" else "primary"
                    end = "a" if role == "primary" else "b"
                    add(
                        "key_stream",
                        f"key stream {stream['name']} ({role}) on {stream[role]['host']}",
                        stream[role]["host"],
                        "key_stream",
                        "stream",
                        {
                            "name": stream["name"],
                            "channel": channel["name"],
                            "method": stream["method"],
                            "role": role,
                            "kme": stream[role]["kme"],
                            "local_sae": stream[role]["sae"],
                            "peer_sae": stream[peer]["sae"],
                            "card": channel["cards"][end],
                            "refresh_s": stream.get("refresh_s", 3),
                        },
                        True,
                    )
            for end in ("a", "b"):
                card = channel["cards"][end]
                add(
                    "encryptor",
                    f"card {card} port {devices['card_port']} ({link.security})",
                    card,
                    "encryptor",
                    "client_port",
                    {
                        "port": devices["card_port"],
                        "channel": channel["name"],
                        "enabled": True,
                        "encryption": link.security != "none",
                        "method": link.security,
                        "key_stream": stream["name"] if stream and link.security != "none" else None,
                    },
                    True,
                )
            optical = devices.get("optical")
            if optical:
                add(
                    "optical_switch",
                    f"cross-connect {optical['switch_port']} <-> {optical['line_port']}",
                    optical["device"],
                    "optical_switch",
                    "cross_connect",
                    {
                        "ingress": optical["switch_port"],
                        "egress": optical["line_port"],
                        "bidirectional": True,
                    },
                    True,
                )
            for end in ("a", "b"):
                switch, port = devices[end]["switch"], devices[end]["port"]
                add(
                    "l2_member",
                    f"VLAN {vlan} on {switch} port {port}",
                    switch,
                    "l2_switch",
                    "vlan_member",
                    {"vlan_id": vlan, "port": port, "mode": "trunk"},
                    False,
                )
        for site in conn.sites:
            switch = _site_switch(topology, site)[0]
            add(
                "l2_vlan",
                f"VLAN {vlan} ({vlan_name}) on {switch}",
                switch,
                "l2_switch",
                "vlan",
                {"vlan_id": vlan, "name": vlan_name},
                False,
            )
        for site in dict.fromkeys((conn.src, conn.dst)):
            switch, local_port = _site_switch(topology, site)
            if local_port:
                add(
                    "l2_member",
                    f"VLAN {vlan} on {switch} port {local_port}",
                    switch,
                    "l2_switch",
                    "vlan_member",
                    {"vlan_id": vlan, "port": local_port, "mode": "trunk"},
                    False,
                )

    steps = [step for phase in PHASES for step in phases[phase]]
    for index, step in enumerate(steps):
        step["index"] = index
    return steps
