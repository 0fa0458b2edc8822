# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small plans and capacities shaped like the path computation engine's output."""

from __future__ import annotations

CAPACITIES = {
    "links": {
        "cell1-metro1-qra-3": 10000,
        "metro1-core1-qkd-4": 10000,
        "cell1-core1-dh-2": 10000,
        "agg1-metro1-qkd-4": 10000,
    },
    "compute": {"metro-1": {"vcpu": 64, "memory_gb": 256}, "agg-1": {"vcpu": 32, "memory_gb": 128}},
}


def connection(name: str, links: list[str], mbps: float, vlan: int | None) -> dict:
    return {
        "name": name,
        "from": "cell-1",
        "to": "core-1",
        "sites": ["cell-1", "core-1"],
        "links": links,
        "bandwidth_mbps": mbps,
        "latency_ms": 1.3,
        "weakest_security": "qkd",
        "vlan": vlan,
    }


def enterprise_plan(slice_id: str, vlan_base: int = 100, mbps: float = 1000, vcpu: int = 8) -> dict:
    """Three connections; the uplink and backhaul both cross metro1-core1-qkd-4 (counted twice)."""
    return {
        "slice_id": slice_id,
        "compute_site": "metro-1",
        "compute": {"vcpu": vcpu, "memory_gb": 16},
        "connections": [
            connection("control", ["cell1-core1-dh-2"], 100, vlan_base),
            connection("uplink", ["cell1-metro1-qra-3", "metro1-core1-qkd-4"], mbps, vlan_base + 1),
            connection("backhaul", ["metro1-core1-qkd-4"], mbps, vlan_base + 2),
        ],
        "steps": [],
    }


def link_plan(slice_id: str, link: str, mbps: float, vlan: int) -> dict:
    return {
        "slice_id": slice_id,
        "compute_site": None,
        "compute": None,
        "connections": [connection("only", [link], mbps, vlan)],
        "steps": [],
    }
