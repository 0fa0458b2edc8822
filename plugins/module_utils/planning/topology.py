"""The site graph that planning needs: sites with roles and compute, links with security,
capacity and latency. Device bindings stay in `raw` for device-step rendering."""

from __future__ import annotations

from dataclasses import dataclass, field

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import (
    DescriptorError,
    schema_problems,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.schemas import TOPOLOGY_SCHEMA
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import RANK


@dataclass(frozen=True)
class Site:
    name: str
    role: str
    vcpu: int = 0
    memory_gb: float = 0.0
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def has_compute(self) -> bool:
        return self.vcpu > 0 or self.memory_gb > 0


@dataclass(frozen=True)
class Link:
    name: str
    a: str
    b: str
    security: str
    capacity_mbps: float
    latency_ms: float
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def rank(self) -> int:
        return RANK[self.security]

    def other_end(self, site: str) -> str:
        return self.b if site == self.a else self.a


@dataclass(frozen=True)
class Topology:
    name: str
    sites: dict[str, Site]
    links: dict[str, Link]
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def capacities(self) -> dict:
        """Capacity of every reservable resource, in the registry's format."""
        return {
            "links": {name: link.capacity_mbps for name, link in self.links.items()},
            "compute": {
                name: {"vcpu": site.vcpu, "memory_gb": site.memory_gb}
                for name, site in self.sites.items()
                if site.has_compute
            },
        }


def load_topology(document: dict) -> Topology:
    """Validate a topology document (`{'topology': {...}}`) and build the model.

    Raises DescriptorError listing every problem; nothing is built from an invalid document.
    """
    if isinstance(document, dict) and "topology" not in document and "sites" in document:
        document = {"topology": document}
    problems = schema_problems(document, TOPOLOGY_SCHEMA)
    if problems:
        raise DescriptorError(problems)
    body = document["topology"]
    sites: dict[str, Site] = {}
    for index, item in enumerate(body["sites"]):
        if item["name"] in sites:
            problems.append(f"topology.sites[{index}].name: duplicate site name {item['name']!r}")
            continue
        compute = item.get("compute") or {}
        sites[item["name"]] = Site(
            item["name"], item["role"], int(compute.get("vcpu", 0)), float(compute.get("memory_gb", 0)), item
        )
    links: dict[str, Link] = {}
    for index, item in enumerate(body["links"]):
        where = f"topology.links[{index}]"
        if item["name"] in links:
            problems.append(f"{where}.name: duplicate link name {item['name']!r}")
        for end in ("a", "b"):
            if item[end] not in sites:
                problems.append(f"{where}.{end}: unknown site {item[end]!r}")
        if item["a"] == item["b"]:
            problems.append(f"{where}: link {item['name']!r} connects site {item['a']!r} to itself")
        links.setdefault(
            item["name"],
            Link(
                item["name"],
                item["a"],
                item["b"],
                item["security"],
                float(item["capacity_mbps"]),
                float(item["latency_ms"]),
                item,
            ),
        )
    if problems:
        raise DescriptorError(problems)
    return Topology(body.get("name", "topology"), sites, links, body)
