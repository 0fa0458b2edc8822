# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Convert a real network (Internet Topology Zoo, SNDlib, backbone maps) into the topology format.

Input: a `topohub` key (`topozoo/Abilene`, `sndlib/germany50`, `backbone/north_america_nosc`; the
`topohub` package on PyPI ships them as NetworkX node-link JSON) or the path of such a JSON file.

Rules (deterministic: the same input always gives the same file):

- *Sites.* The node's `name` as it is (spaces and non-ASCII letters are valid site names); a node
  without a name is called after its type and id (`Seacable Waypoint 6310`); a name that two
  nodes share gets the id appended (`Portland (17)`). Longitude/latitude are kept as `lon`/`lat`.
- *Roles* by degree (ties by name): the top 10% of sites (at least one) are `core`, the next 20%
  `metro`, the next 30% `aggregation`, the rest `cell`. Core sites host 128 vCPU / 512 GB of
  compute, metro sites 64 vCPU / 256 GB.
- *Spans.* Length is the edge's `dist` (km) when given, else the great-circle distance between
  the ends. Each span is one fibre carrying one 10 Gbit/s channel per security level it offers;
  the latency of every channel is 5 us/km plus 15 us for each of the two encryption cards.
- *Security levels per span* (where operators deploy what, after the paper's testbed):
  - `none` and `dh` on every span (plain and Diffie-Hellman-keyed AES need nothing from the fibre);
  - `qra` on spans that touch an aggregation, metro or core site (quantum-resistant KEMs are
    rolled out where traffic aggregates first);
  - `qkd` on terrestrial spans up to 100 km (QKD reach without a trusted node), and on spans
    between metro/core sites up to 300 km (keys relayed over trusted nodes every <= 100 km);
    never on sea cables (edge type `seacable`: no trusted node at sea).
- *Link names* `<slug a>-<slug b>-<level>-<edge index>`, slugs from `topology.site_slug`, cut to
  fit the 63-character name rule.

Usage (from the repository root):
  .venv/bin/python devel/tools/topology_from_topohub.py topozoo/Abilene \
      -o inventories/abilene/group_vars/all/topology.yml
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / ".venv" / "collections"))

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import (  # noqa: E402
    load_topology,
    site_slug,
)

US_PER_KM = 5.0
US_PER_CARD = 15.0
CHANNEL_MBPS = 10000
QKD_REACH_KM = 100.0
QKD_RELAYED_KM = 300.0
COMPUTE = {"core": {"vcpu": 128, "memory_gb": 512}, "metro": {"vcpu": 64, "memory_gb": 256}}
ROLE_SHARES = (("core", 0.10), ("metro", 0.20), ("aggregation", 0.30))


class _IndentedDumper(yaml.SafeDumper):
    """Lists indented under their key, as yamllint and ansible-lint expect."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def read_source(source: str) -> dict:
    path = Path(source)
    if path.suffix == ".json" and path.exists():
        return json.loads(path.read_text())
    import topohub  # development dependency (requirements-dev.txt)

    return topohub.get(source)


def _great_circle_km(a: list, b: list) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _site_names(nodes: list) -> dict:
    raw = {}
    for node in nodes:
        name = " ".join(str(node.get("name") or "").split())  # no control characters, single spaces
        raw[node["id"]] = name or f"{node.get('type') or 'Node'} {node['id']}"
    counts: dict[str, int] = {}
    for name in raw.values():
        counts[name] = counts.get(name, 0) + 1
    return {nid: (f"{name} ({nid})" if counts[name] > 1 else name)[:100] for nid, name in raw.items()}


def _roles(names: dict, edges: list) -> dict:
    degree = {nid: 0 for nid in names}
    for edge in edges:
        if edge["source"] != edge["target"]:
            degree[edge["source"]] += 1
            degree[edge["target"]] += 1
    order = sorted(names, key=lambda nid: (-degree[nid], names[nid]))
    roles, start = {}, 0
    for role, share in ROLE_SHARES:
        count = max(1, round(share * len(order)))
        for nid in order[start : start + count]:
            roles[nid] = role
        start += count
    for nid in order[start:]:
        roles[nid] = "cell"
    return roles


def span_levels(km: float, role_a: str, role_b: str, seacable: bool) -> list[str]:
    """The security levels a span offers (the rule in the module docstring)."""
    levels = ["none", "dh"]
    if {role_a, role_b} - {"cell"}:
        levels.append("qra")
    backbone = role_a in ("metro", "core") and role_b in ("metro", "core")
    if not seacable and (km <= QKD_REACH_KM or (backbone and km <= QKD_RELAYED_KM)):
        levels.append("qkd")
    return levels


def _short(slug: str) -> str:
    return slug[:22].rstrip("-.") or "site"


def convert(data: dict, source: str) -> dict:
    nodes = data["nodes"]
    edges = data.get("edges", data.get("links", []))
    names = _site_names(nodes)
    roles = _roles(names, edges)
    pos = {node["id"]: node.get("pos") for node in nodes}
    sites = []
    for node in sorted(nodes, key=lambda n: names[n["id"]]):
        nid = node["id"]
        site: dict = {"name": names[nid], "role": roles[nid]}
        if roles[nid] in COMPUTE:
            site["compute"] = dict(COMPUTE[roles[nid]])
        if pos[nid]:
            site["lon"], site["lat"] = pos[nid][0], pos[nid][1]
        sites.append(site)
    links = []
    for index, edge in enumerate(edges):
        a, b = edge["source"], edge["target"]
        if a == b:
            continue
        km = edge.get("dist")
        if km is None:
            km = _great_circle_km(pos[a], pos[b]) if pos[a] and pos[b] else 100.0
        latency_ms = round((float(km) * US_PER_KM + 2 * US_PER_CARD) / 1000, 6)
        stem = f"{_short(site_slug(names[a]))}-{_short(site_slug(names[b]))}"
        for level in span_levels(float(km), roles[a], roles[b], edge.get("type") == "seacable"):
            links.append(
                {
                    "name": f"{stem}-{level}-{index}",
                    "a": names[a],
                    "b": names[b],
                    "security": level,
                    "capacity_mbps": CHANNEL_MBPS,
                    "latency_ms": latency_ms,
                    "km": round(float(km), 2),
                }
            )
    name = (data.get("graph") or {}).get("name") or source
    return {"topology": {"name": str(name), "source": f"topohub {source}", "sites": sites, "links": links}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source", help="topohub key (topozoo/Abilene, sndlib/geant, ...) or a node-link JSON file"
    )
    parser.add_argument("-o", "--output", help="write YAML here (default: standard output)")
    args = parser.parse_args(argv)
    document = convert(read_source(args.source), args.source)
    topology = load_topology(document)  # the result must be a valid topology
    text = (
        f"---\n# {topology.name}: converted by devel/tools/topology_from_topohub.py from topohub "
        f"{args.source}\n# ({len(topology.sites)} sites, {len(topology.links)} links; "
        "rules in the tool's docstring)\n"
        + yaml.dump(document, Dumper=_IndentedDumper, sort_keys=False, allow_unicode=True, width=200)
    )
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
