# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small topology builders for planning tests."""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import parse_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import load_topology


def make_topology(sites, links):
    """sites: [(name, role, vcpu, mem)] ; links: [(name, a, b, security, capacity, latency)]."""
    return load_topology(
        {
            "topology": {
                "sites": [
                    {"name": n, "role": r, **({"compute": {"vcpu": c, "memory_gb": m}} if c else {})}
                    for n, r, c, m in sites
                ],
                "links": [
                    {"name": n, "a": a, "b": b, "security": s, "capacity_mbps": cap, "latency_ms": lat}
                    for n, a, b, s, cap, lat in links
                ],
            }
        }
    )


def make_request(topology, connections, compute=None, slice_id="s1"):
    body = {
        "id": slice_id,
        "connections": [
            {"name": n, "from": f, "to": t, "security": s, "bandwidth_mbps": bw, "max_latency_ms": lat}
            for n, f, t, s, bw, lat in connections
        ],
    }
    if compute:
        body["compute"] = compute
    return parse_slice({"slice": body}, topology)
