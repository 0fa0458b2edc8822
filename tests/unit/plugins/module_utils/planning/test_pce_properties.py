# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests over random topologies, checked against brute force.

1. Every route the engine returns meets every constraint.
2. Whenever brute force finds a feasible route, the engine finds one too.
3. The engine's route is optimal for the documented objective (security premium, then latency,
   then hops) among the routes within the latency bound, whether or not the bound binds.
"""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import PlanningError, plan_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import LEVELS, RANK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.helpers import make_request, make_topology

SITE_NAMES = [f"s{i}" for i in range(6)]


@st.composite
def scenarios(draw):
    n_sites = draw(st.integers(min_value=2, max_value=6))
    sites = SITE_NAMES[:n_sites]
    n_links = draw(st.integers(min_value=1, max_value=10))
    links = []
    for index in range(n_links):
        a, b = draw(st.lists(st.sampled_from(sites), min_size=2, max_size=2, unique=True))
        links.append(
            (
                f"l{index}",
                a,
                b,
                draw(st.sampled_from(LEVELS)),
                draw(st.sampled_from([100, 500, 1000])),
                draw(st.sampled_from([0.5, 1.0, 2.0, 3.5])),
            )
        )
    reserved = {name: draw(st.sampled_from([0, 0, 200, 600, 1000])) for name, *_rest in links}
    src, dst = draw(st.lists(st.sampled_from(sites), min_size=2, max_size=2, unique=True))
    request = (
        draw(st.sampled_from(LEVELS)),
        draw(st.sampled_from([50, 300, 500])),
        draw(st.sampled_from([1.0, 2.5, 4.0, 8.0])),
    )
    return sites, links, reserved, src, dst, request


def brute_force(links, reserved, src, dst, security, bandwidth):
    """Every simple route src -> dst meeting security and capacity: (premium, latency, hops, links)."""
    graph = nx.MultiGraph()
    for name, a, b, level, capacity, latency in links:
        if RANK[level] >= RANK[security] and capacity - min(reserved[name], capacity) >= bandwidth:
            graph.add_edge(a, b, key=name, level=level, latency=latency)
    if src not in graph or dst not in graph:
        return []
    routes = []
    for sites in nx.all_simple_paths(nx.Graph(graph), src, dst):
        hops = [list(graph[u][v].items()) for u, v in zip(sites, sites[1:])]
        for choice in itertools.product(*hops):
            premium = sum(RANK[data["level"]] - RANK[security] for _name, data in choice)
            latency = sum(data["latency"] for _name, data in choice)
            routes.append((premium, round(latency, 9), len(choice), [name for name, _data in choice]))
    return routes


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_engine_against_brute_force(scenario, data):
    check_against_brute_force(scenario, data)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.data())
def test_engine_against_brute_force_soak(scenario, data):
    """The same property over many more scenarios (make test-slow)."""
    check_against_brute_force(scenario, data)


def check_against_brute_force(scenario, data):
    sites, links, reserved, src, dst, (security, bandwidth, bound) = scenario
    topology = make_topology([(s, "metro", 0, 0) for s in sites], links)
    used = {name: min(value, topology.links[name].capacity_mbps) for name, value in reserved.items()}
    candidates = brute_force(links, used, src, dst, security, bandwidth)
    if candidates and data.draw(st.booleans()):
        # A bound exactly at one route's latency: the cases where it binds between routes.
        bound = data.draw(st.sampled_from(sorted({r[1] for r in candidates})))
    request = make_request(topology, [("c", src, dst, security, bandwidth, bound)])
    feasible = [r for r in candidates if r[1] <= bound + 1e-9]
    try:
        conn = plan_slice(request, topology, {"links": used}).connections[0]
    except PlanningError as exc:
        assert not feasible, f"engine said {exc} but brute force found {feasible[0]}"
        return
    # 1. the returned route is a real route and meets every constraint
    assert conn.sites[0] == src and conn.sites[-1] == dst
    assert len(set(conn.sites)) == len(conn.sites)
    for (u, v), name in zip(zip(conn.sites, conn.sites[1:]), conn.links):
        link = topology.links[name]
        assert {link.a, link.b} == {u, v}
        assert RANK[link.security] >= RANK[security]
        assert link.capacity_mbps - used[name] >= bandwidth
    assert conn.latency_ms <= bound + 1e-9
    assert feasible, "engine found a route that brute force says cannot exist"
    # 3. optimal among the routes within the bound, whether or not the bound binds
    premium = sum(RANK[topology.links[n].security] - RANK[security] for n in conn.links)
    assert (premium, round(conn.latency_ms, 9), len(conn.links)) == min(feasible)[:3]


@pytest.mark.parametrize(
    ("rounds", "least_binding", "least_differing"),
    [(1200, 140, 8), pytest.param(4000, 500, 30, marks=pytest.mark.slow)],
)
def test_exact_when_the_bound_binds(rounds, least_binding, least_differing):
    """Dense random graphs with the bound set strictly below the least-premium route's latency:
    the cases where a latency-first fallback spends premium links that the optimum does not.
    (The first 1,200 rounds hold 150 such cases, 11 where latency-first differs; 4,000 rounds,
    slow, hold 505 and 36.)"""
    rng = random.Random(14)
    binding = latency_first_differs = 0
    for _round in range(rounds):
        sites = SITE_NAMES[: rng.randint(4, 5)]
        links = []
        for index in range(rng.randint(8, 14)):
            a, b = rng.sample(sites, 2)
            links.append(
                (
                    f"l{index}",
                    a,
                    b,
                    rng.choice(LEVELS),
                    rng.choice([100, 500, 1000]),
                    rng.choice([0.5, 1.0, 1.5, 2.0, 3.0, 4.5]),
                )
            )
        used = {name: rng.choice([0, 0, 0, 0, 200, 600, 1000]) for name, *_rest in links}
        src, dst = rng.sample(sites, 2)
        security, bandwidth = rng.choice(LEVELS), rng.choice([50, 300, 500])
        candidates = brute_force(links, used, src, dst, security, bandwidth)
        if not candidates:
            continue
        below = sorted({r[1] for r in candidates if r[1] < min(candidates)[1]})
        if not below:
            continue
        bound = rng.choice(below)
        feasible = [r for r in candidates if r[1] <= bound + 1e-9]
        binding += 1
        if min(feasible, key=lambda r: (r[1], r[0], r[2]))[:3] != min(feasible)[:3]:
            latency_first_differs += 1
        topology = make_topology([(s, "metro", 0, 0) for s in sites], links)
        request = make_request(topology, [("c", src, dst, security, bandwidth, bound)])
        conn = plan_slice(request, topology, {"links": used}).connections[0]
        premium = sum(RANK[topology.links[n].security] - RANK[security] for n in conn.links)
        assert (premium, round(conn.latency_ms, 9), len(conn.links)) == min(feasible)[:3], (
            links,
            used,
            src,
            dst,
        )
    assert binding >= least_binding and latency_first_differs >= least_differing, (
        binding,
        latency_first_differs,
    )
