# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real-topology parts of the PCE benchmark (run from devel/bench/pce.py, in the same run).

- Routes on real networks (topohub: SNDlib, Internet Topology Zoo, backbone maps, converted by
  devel/tools/topology_from_topohub.py), each answer compared with the exact optimum.
- Whole slices (2-4 connections, compute at a metro site, scarce capacity) on the networks up to
  a few hundred sites: every slice the planner refuses is checked with an exact integer program
  (HiGHS) at every candidate compute site; a refused slice that some assignment carries counts
  against the target (0).
- Placement time: slices with a compute endpoint on a 4,000-site network with 500 candidate
  sites, and on the 3,815-site world backbone.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import networkx as nx
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import (
    JOINT_SECONDS,
    PathEngine,
    PlanningError,
    plan_slice,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import parse_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import LEVELS, RANK
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import load_topology
from qsafe_oracle import exact_joint

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import topology_from_topohub  # noqa: E402

REAL_TOPOLOGIES = (
    "sndlib/nobel-eu",
    "sndlib/germany50",
    "backbone/north_america_nosc",
    "backbone/europe",
    "backbone/world",
)
RESERVED_SHARE = 0.25


def real_document(key: str, rng: random.Random) -> tuple[dict, dict]:
    """A real network in the topology format, and background reservations on 25% of its links."""
    document = topology_from_topohub.convert(topology_from_topohub.read_source(key), key)
    used = {}
    for link in document["topology"]["links"]:
        if rng.random() < RESERVED_SHARE:
            used[link["name"]] = round(link["capacity_mbps"] * rng.uniform(0.0, 1.0), 3)
    return document, used


def _alone_feasible(topology, used, src, dst, security, bandwidth, bound) -> bool:
    graph = nx.Graph()
    for link in topology.links.values():
        if (
            RANK[link.security] >= RANK[security]
            and link.capacity_mbps - used.get(link.name, 0.0) >= bandwidth
        ):
            old = graph.get_edge_data(link.a, link.b)
            if old is None or link.latency_ms < old["w"]:
                graph.add_edge(link.a, link.b, w=link.latency_ms)
    try:
        return nx.dijkstra_path_length(graph, src, dst, weight="w") <= bound + 1e-9
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return False


def random_slice(topology, rng: random.Random, index: int) -> dict:
    by_role: dict = {}
    for name, site in sorted(topology.sites.items()):
        by_role.setdefault(site.role, []).append(name)
    cell, core = rng.choice(by_role["cell"]), rng.choice(by_role["core"])
    connections = [
        {
            "name": "control",
            "from": cell,
            "to": core,
            "security": "dh",
            "bandwidth_mbps": rng.choice([500, 2000]),
            "max_latency_ms": 60,
        },
        {
            "name": "uplink",
            "from": cell,
            "to": "compute",
            "security": rng.choice(LEVELS[:3]),
            "bandwidth_mbps": rng.choice([2000, 4000, 6000]),
            "max_latency_ms": rng.choice([10, 20, 30]),
        },
        {
            "name": "backhaul",
            "from": "compute",
            "to": core,
            "security": rng.choice(LEVELS),
            "bandwidth_mbps": rng.choice([2000, 4000, 6000]),
            "max_latency_ms": rng.choice([10, 20, 30]),
        },
    ]
    if rng.random() < 0.4:
        connections.append(
            {
                "name": "second",
                "from": cell,
                "to": "compute",
                "security": "dh",
                "bandwidth_mbps": rng.choice([4000, 6000]),
                "max_latency_ms": 30,
            }
        )
    if rng.random() < 0.3:
        connections = connections[1:]
    return {
        "slice": {
            "id": f"s{index}",
            "compute": {"site_role": "metro", "vcpu": 8, "memory_gb": 16},
            "connections": connections,
        }
    }


def bench_joint(document: dict, used: dict, rng: random.Random, slices: int) -> dict:
    """Whole slices: planned, placed by the joint search, refused; each refusal checked exactly."""
    topology = load_topology(document)
    engine = PathEngine(topology)
    reservations = {"links": used}
    placed = joint = refused = wrongly_refused = 0
    joint_ms: list[float] = []
    for index in range(slices):
        descriptor = random_slice(topology, rng, index)
        request = parse_slice(descriptor, topology)
        started = time.perf_counter()
        try:
            plan = plan_slice(request, topology, reservations, engine)
        except PlanningError:
            plan = None
        elapsed = (time.perf_counter() - started) * 1000
        if plan is not None:
            placed += 1
            if plan.method == "joint":
                joint += 1
                joint_ms.append(elapsed)
            continue
        refused += 1
        for site in sorted(n for n, s in topology.sites.items() if s.role == "metro" and s.has_compute):
            legs = []
            for conn in request.connections:
                src = site if conn.src == "compute" else conn.src
                dst = site if conn.dst == "compute" else conn.dst
                legs.append((src, dst, conn.security, conn.bandwidth_mbps, conn.max_latency_ms))
            if not all(_alone_feasible(topology, used, *leg) for leg in legs):
                continue  # a connection has no route even alone: no assignment at this site
            if exact_joint(topology, used, legs):
                wrongly_refused += 1
                break
    return {
        "sites": len(topology.sites),
        "slices": slices,
        "placed": placed,
        "placed_by_joint": joint,
        "refused": refused,
        "refused_but_placeable": wrongly_refused,
        "joint_max_ms": max(joint_ms) if joint_ms else None,
    }


def placement_network(n: int, candidates: int, rng: random.Random, build_document) -> tuple[dict, dict]:
    """The synthetic network of n sites with exactly `candidates` metro sites hosting compute."""
    document, used = build_document(n, rng)
    sites = document["topology"]["sites"]
    chosen = set(rng.sample([i for i, s in enumerate(sites) if s["role"] != "core"], candidates))
    for index, site in enumerate(sites):
        if site["role"] == "core":
            continue
        if index in chosen:
            site["role"], site["compute"] = "metro", {"vcpu": 64, "memory_gb": 256}
        else:
            site["role"] = "cell" if site["role"] == "metro" else site["role"]
            site.pop("compute", None)
    return document, used


def bench_placement(document: dict, used: dict, rng: random.Random, slices: int, bound_ms: float) -> dict:
    """Time plan_slice on slices whose compute site is chosen among every metro site."""
    topology = load_topology(document)
    engine = PathEngine(topology)
    candidates = sum(1 for s in topology.sites.values() if s.role == "metro" and s.has_compute)
    cells = sorted(n for n, s in topology.sites.items() if s.role in ("cell", "aggregation"))
    cores = sorted(n for n, s in topology.sites.items() if s.role == "core")
    times, planned, message_bytes = [], 0, []
    for index in range(slices):
        cell, core = rng.choice(cells), rng.choice(cores)
        descriptor = {
            "slice": {
                "id": f"p{index}",
                "compute": {"site_role": "metro", "vcpu": 8, "memory_gb": 16},
                "connections": [
                    {
                        "name": "control",
                        "from": cell,
                        "to": core,
                        "security": "dh",
                        "bandwidth_mbps": 100,
                        "max_latency_ms": 8 * bound_ms,
                    },
                    {
                        "name": "uplink",
                        "from": cell,
                        "to": "compute",
                        "security": rng.choice(LEVELS[:3]),
                        "bandwidth_mbps": 1000,
                        "max_latency_ms": bound_ms,
                    },
                    {
                        "name": "backhaul",
                        "from": "compute",
                        "to": core,
                        "security": rng.choice(LEVELS),
                        "bandwidth_mbps": 1000,
                        "max_latency_ms": 4 * bound_ms,
                    },
                ],
            }
        }
        request = parse_slice(descriptor, topology)
        started = time.perf_counter()
        try:
            plan_slice(request, topology, {"links": used}, engine)
            planned += 1
        except PlanningError as exc:
            message_bytes.append(len(str(exc).encode()))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "sites": len(topology.sites),
        "candidates": candidates,
        "slices": slices,
        "planned": planned,
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
        "max_ms": times[-1],
        "max_refusal_bytes": max(message_bytes) if message_bytes else None,
        "joint_seconds": JOINT_SECONDS,
    }
