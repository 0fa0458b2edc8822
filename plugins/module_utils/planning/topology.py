# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The site graph that planning needs: sites with roles and compute, links with security,
capacity and latency. Device bindings stay in `raw` for device-step rendering."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import (
    DescriptorError,
    schema_problems,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.schemas import TOPOLOGY_SCHEMA
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import RANK

_SLUG_SAFE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
# Letters that Unicode decomposition does not turn into ASCII.
_LATIN = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)


def site_slug(name: str) -> str:
    """A stable identifier for a site, for device and file names: the name itself when it is
    already lower-case letters, digits, '.', '_' and '-'; else its ASCII transliteration,
    lower-cased, other characters as '-', plus 6 hex digits of the name's SHA-256 so that two
    names never share a slug ('Las Vegas' -> 'las-vegas-<hash>', 'Zürich' -> 'zurich-<hash>')."""
    if _SLUG_SAFE.match(name):
        return name
    ascii_name = unicodedata.normalize("NFKD", name.translate(_LATIN)).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48] or "site"
    return f"{base}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"


@dataclass(frozen=True)
class Site:
    name: str
    role: str
    vcpu: int = 0
    memory_gb: float = 0.0
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def slug(self) -> str:
        return site_slug(self.name)

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
    slugs: dict[str, str] = {}
    for index, item in enumerate(body["sites"]):
        if item["name"] in sites:
            problems.append(f"topology.sites[{index}].name: duplicate site name {item['name']!r}")
            continue
        slug = site_slug(item["name"])
        if slugs.setdefault(slug, item["name"]) != item["name"]:
            problems.append(
                f"topology.sites[{index}].name: {item['name']!r} has the same identifier {slug!r} "
                f"as site {slugs[slug]!r}"
            )
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
