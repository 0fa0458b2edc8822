# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A slice request (the slice descriptor contract), validated against a topology.

Validation is complete before anything else happens: every problem is reported at once, and a
request that fails here never reaches a device.
"""

from __future__ import annotations

from dataclasses import dataclass

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import (
    DescriptorError,
    schema_problems,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.schemas import SLICE_SCHEMA
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import Topology

COMPUTE_ENDPOINT = "compute"


@dataclass(frozen=True)
class ComputeRequest:
    vcpu: int
    memory_gb: float
    site: str | None = None
    site_role: str | None = None


@dataclass(frozen=True)
class ConnectionRequest:
    name: str
    src: str
    dst: str
    security: str
    bandwidth_mbps: float
    max_latency_ms: float

    @property
    def uses_compute(self) -> bool:
        return COMPUTE_ENDPOINT in (self.src, self.dst)


@dataclass(frozen=True)
class SliceRequest:
    id: str
    connections: tuple[ConnectionRequest, ...]
    compute: ComputeRequest | None = None
    descriptor: dict | None = None


def _unwrap(document) -> dict:
    if isinstance(document, dict) and "slice" not in document and "connections" in document:
        return {"slice": document}
    return document


def parse_slice(document, topology: Topology) -> SliceRequest:
    """Validate a slice descriptor against the schema and the topology; raise DescriptorError."""
    document = _unwrap(document)
    problems = schema_problems(document, SLICE_SCHEMA)
    if problems:
        raise DescriptorError(problems)
    body = document["slice"]
    compute = None
    if "compute" in body:
        block = body["compute"]
        where = "slice.compute"
        if ("site" in block) == ("site_role" in block):
            problems.append(f"{where}: give exactly one of 'site' or 'site_role'")
        elif "site" in block:
            site = topology.sites.get(block["site"])
            if site is None:
                problems.append(f"{where}.site: unknown site {block['site']!r}")
            elif not site.has_compute:
                problems.append(f"{where}.site: site {block['site']!r} hosts no compute")
        elif not any(s.role == block["site_role"] and s.has_compute for s in topology.sites.values()):
            problems.append(f"{where}.site_role: no site with role {block['site_role']!r} hosts compute")
        compute = ComputeRequest(block["vcpu"], block["memory_gb"], block.get("site"), block.get("site_role"))
    seen: dict[str, int] = {}
    connections = []
    for index, item in enumerate(body["connections"]):
        where = f"slice.connections[{index}]"
        if item["name"] in seen:
            problems.append(
                f"{where}.name: duplicate connection name {item['name']!r} "
                f"(also slice.connections[{seen[item['name']]}])"
            )
        seen.setdefault(item["name"], index)
        for end in ("from", "to"):
            value = item[end]
            if value == COMPUTE_ENDPOINT:
                if compute is None:
                    problems.append(f"{where}.{end}: endpoint 'compute' needs a slice.compute block")
            elif value not in topology.sites:
                problems.append(f"{where}.{end}: unknown site {value!r}")
        if item["from"] == item["to"]:
            problems.append(f"{where}: 'from' and 'to' are the same endpoint {item['from']!r}")
        connections.append(
            ConnectionRequest(
                item["name"],
                item["from"],
                item["to"],
                item["security"],
                float(item["bandwidth_mbps"]),
                float(item["max_latency_ms"]),
            )
        )
    if problems:
        raise DescriptorError(problems)
    return SliceRequest(body["id"], tuple(connections), compute, document)
