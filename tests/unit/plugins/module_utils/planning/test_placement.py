# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compute placement: pruning by lower bounds picks what trying every candidate picks, and a
refusal stays short whatever the number of candidates."""

from __future__ import annotations

import random
import re

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.planning import pce
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import PlanningError, plan_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import LEVELS

from tests.unit.helpers import make_request, make_topology
from tests.unit.plugins.module_utils.planning.test_pce_exact import random_topology


def with_compute(topology, every: int, rng):
    """The same network with every `every`-th site a metro site hosting compute."""
    sites = []
    for index, name in enumerate(sorted(topology.sites)):
        hosts = index % every == 0
        sites.append((name, "metro" if hosts else "cell", rng.choice([8, 64]) if hosts else 0, 64))
    links = [(n, k.a, k.b, k.security, k.capacity_mbps, k.latency_ms) for n, k in topology.links.items()]
    return make_topology(sites, links)


def total_cost(topology, plan):
    total = 0
    for conn in plan.connections:
        premium = sum(pce.RANK[topology.links[n].security] - pce.RANK[conn.security] for n in conn.links)
        latency = sum(round(topology.links[n].latency_ms * 1e9) for n in conn.links)
        total += (premium << 80) + (latency << 16) + len(conn.links)
    return total


@pytest.mark.parametrize("seed", [21, 22])
def test_pruned_placement_equals_trying_every_candidate(seed, monkeypatch):
    rng = random.Random(seed)
    topology = with_compute(random_topology(80, rng), 4, rng)
    candidates = sorted(n for n, s in topology.sites.items() if s.has_compute)
    cells = sorted(n for n, s in topology.sites.items() if not s.has_compute)
    planned = []
    real = pce._plan_at

    def counting(*args, **kwargs):
        planned.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(pce, "_plan_at", counting)
    pruned = 0
    for _round in range(8):
        cell, core = rng.sample(cells, 2)
        connections = [
            ("control", cell, core, "dh", 100, 10),
            ("uplink", cell, "compute", rng.choice(LEVELS), 1000, rng.choice([2.0, 3.0, 5.0])),
            ("backhaul", "compute", core, rng.choice(LEVELS), 1000, rng.choice([2.0, 3.0, 5.0])),
        ]
        want = {"vcpu": 16, "memory_gb": 8}
        best = None
        for site in candidates:
            try:
                plan = plan_slice(make_request(topology, connections, {"site": site, **want}), topology)
            except PlanningError:
                continue
            key = (total_cost(topology, plan), site)
            best = key if best is None or key < best else best
        planned.clear()
        try:
            plan = plan_slice(make_request(topology, connections, {"site_role": "metro", **want}), topology)
        except PlanningError as exc:
            assert best is None, f"refused ({exc}) but {best[1]} carries the slice"
            assert len(str(exc).encode()) < 1000
            continue
        assert (total_cost(topology, plan), plan.compute_site) == best
        pruned += len(planned) < len([c for c in candidates if topology.sites[c].vcpu >= 16])
    assert pruned >= 4, "the lower bounds pruned (almost) nothing"


def test_refusal_names_at_most_three_candidates_in_under_1_kb():
    sites = [("cell-1", "cell", 0, 0), ("core-1", "core", 0, 0)]
    links = [("cell-core", "cell-1", "core-1", "qkd", 10000, 1.0)]
    for index in range(200):
        name = f"Metro site number {index:03d} with a long name"
        sites.append((name, "metro", 64, 256))
        links.append((f"up-{index}", "cell-1", name, "dh", 10000, 2.0 + index / 100))
        links.append((f"down-{index}", name, "core-1", "dh", 10000, 2.0))
    topology = make_topology(sites, links)
    request = make_request(
        topology,
        [("uplink", "cell-1", "compute", "dh", 100, 3.0), ("backhaul", "compute", "core-1", "qkd", 100, 5)],
        {"site_role": "metro", "vcpu": 1, "memory_gb": 1},
    )
    with pytest.raises(PlanningError) as caught:
        plan_slice(request, topology)
    message = str(caught.value)
    assert len(message.encode()) < 1000
    assert caught.value.constraint == "security" and caught.value.connection == "backhaul"
    assert len(re.findall(r"Metro site number \d{3} with a long name: connection", message)) == 3
    assert "Metro site number 000 with a long name: connection backhaul" in message


def test_refusal_names_the_candidates_that_came_closest_first():
    """Every candidate ruled out by the latency bound: the 3 named are those that miss the bounds
    by least (not the first 3 by name), closest first; a site no secure chain reaches comes last."""
    sites = [("cell-1", "cell", 0, 0), ("core-1", "core", 0, 0)]
    links = []
    uplink_ms = {"metro-a": 9.0, "metro-b": 5.0, "metro-c": 7.0, "metro-d": 4.5, "metro-e": 6.0}
    for name, latency in uplink_ms.items():
        sites.append((name, "metro", 64, 256))
        links.append((f"up-{name}", "cell-1", name, "dh", 10000, latency))
        links.append((f"down-{name}", name, "core-1", "dh", 10000, 3.0))
    # metro-0 sorts first by name and is nearest, but only over links below the requested security
    sites.append(("metro-0", "metro", 64, 256))
    links += [("up-metro-0", "cell-1", "metro-0", "none", 10000, 0.5)]
    links += [("down-metro-0", "metro-0", "core-1", "none", 10000, 1.0)]
    topology = make_topology(sites, links)
    request = make_request(
        topology,
        [("uplink", "cell-1", "compute", "dh", 100, 4.0), ("backhaul", "compute", "core-1", "dh", 100, 5)],
        {"site_role": "metro", "vcpu": 1, "memory_gb": 1},
    )
    with pytest.raises(PlanningError) as caught:
        plan_slice(request, topology)
    message = str(caught.value)
    assert "6 ruled out by lower bounds" in message
    named = re.findall(r"(metro-\w): connection", message)
    assert named == ["metro-d", "metro-b", "metro-e"], message
    assert caught.value.constraint == "latency" and caught.value.connection == "uplink"
    assert "metro-b: connection uplink: 5 ms at best, 1 ms over its 4 ms bound" in message
    assert len(message.encode()) < 1000
