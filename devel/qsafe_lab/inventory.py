# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the testbed inventory: which NETCONF devices exist, their kind, and the topology bindings.

The lab is started from the same files Ansible reads (hosts.yml + group_vars/all/topology.yml) so
that the device fleet can never drift from the inventory the playbooks run against.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from typing import Any

import yaml

# Inventory group -> device kind. The group names are the inventory's; the kinds are the lab's.
GROUP_KINDS: dict[str, str] = {
    "l2_switches": "l2_switch",
    "optical_switches": "optical_switch",
    "encryptors": "encryptor",
    "key_hosts": "key_host",
}


@dataclass(frozen=True)
class Device:
    """One NETCONF device of the inventory."""

    name: str
    kind: str
    hostvars: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Inventory:
    """Devices (in inventory order) and the topology dict (the `topology:` key of topology.yml)."""

    devices: list[Device]
    topology: dict[str, Any]

    def device(self, name: str) -> Device:
        for dev in self.devices:
            if dev.name == name:
                return dev
        raise KeyError(f"no device named {name!r} in the inventory")


def default_inventory_dir() -> pathlib.Path:
    return pathlib.Path(__file__).resolve().parents[2] / "inventories" / "testbed"


def load_inventory(inventory_dir: pathlib.Path | str | None = None) -> Inventory:
    """Load devices and topology; raise ValueError naming the file when something is missing."""
    base = pathlib.Path(inventory_dir) if inventory_dir else default_inventory_dir()
    hosts_file = base / "hosts.yml"
    topo_file = base / "group_vars" / "all" / "topology.yml"
    hosts = yaml.safe_load(hosts_file.read_text())
    topo_doc = yaml.safe_load(topo_file.read_text())
    if not isinstance(topo_doc, dict) or "topology" not in topo_doc:
        raise ValueError(f"{topo_file}: no 'topology' key")
    children = (hosts or {}).get("all", {}).get("children", {})
    devices: list[Device] = []
    seen: set[str] = set()
    for group, kind in GROUP_KINDS.items():
        for name, hvars in ((children.get(group) or {}).get("hosts") or {}).items():
            if name in seen:
                raise ValueError(f"{hosts_file}: device {name!r} is in more than one device group")
            seen.add(name)
            devices.append(Device(name=name, kind=kind, hostvars=dict(hvars or {})))
    if not devices:
        raise ValueError(f"{hosts_file}: no devices in groups {sorted(GROUP_KINDS)}")
    return Inventory(devices=devices, topology=topo_doc["topology"])
