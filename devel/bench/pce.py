# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the path computation engine (PCE) against networkx's plain Dijkstra.

Why: planning must stay interactive on operator-sized networks, and the security/capacity
filtering must not cost much more than an unconstrained shortest path. So, per topology size,
this script times `PathEngine.route` (one connection) and `nx.dijkstra_path` (plain graph, min
latency per site pair) on the same graph and the same (src, dst) pairs in the same run, and
prints the ratio. It also checks every route the engine returns (security, free capacity,
latency bound, endpoints, link continuity) and checks every "infeasible" answer against an
exact feasibility test, and fails loudly if either is wrong: a fast wrong answer is worthless.

Synthetic topology (deterministic for a --seed): sites placed in a square whose side grows
with sqrt(n) (so access links stay ~30-40 km long), each joined to its 2 nearest sites,
components joined, every 100th site a core site joined to its 3 nearest core sites (long-haul
links that keep hop counts realistic), then random short chords up to 1.3 site pairs per site.
Every pair has one link of a random security level; pairs on the minimum spanning tree also
get a parallel qkd link (a QKD backbone, so every level can reach every site), and 5% of pairs
get a parallel link of another level: ~2.15 links per site in the edge list (~4.3 link ends
per site). Capacities are 10-100 Gbit/s, latency is 5 us/km plus 15 us per encryption card,
and 25% of links carry an existing reservation of 0-100% of their capacity, so capacity is a
real constraint.

Requests: random src != dst, security none/dh/qra/qkd, bandwidth 10-2000 Mbit/s. The latency
bound is set from the exact least latency over the links that meet security and capacity
(computed untimed): x1.2-2.0 for 80% of requests, x1.00-1.05 for 20% (tight, which exercises
the engine's latency-first fallback). Requests with no secure route with capacity at all stay
infeasible and are counted apart, with their own timing (they include the error diagnosis).

Memory: tracemalloc's peak is measured in a separate pass (a second engine build plus every
query again), because tracing slows allocation and would distort the timings. RSS is the
process high-water mark (ru_maxrss), cumulative over the sizes run so far (run ascending).

Run from the repository root:  .venv/bin/python devel/bench/pce.py [--sizes 100,1000,10000]
[--queries 200] [--repeat 3] [--tight-share 0.2] [--seed 1] [--json OUT]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".venv" / "collections"))

import networkx as nx  # noqa: E402
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import (  # noqa: E402
    PathEngine,
    PlanningError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import LEVELS, RANK  # noqa: E402
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import Topology, load_topology  # noqa: E402
from qsafe_oracle import exact_route_layered  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pce_real  # noqa: E402

TARGET_MEDIAN_MS = {1000: 5.0, 10000: 50.0}
TARGET_RATIO = 3.0
KM_PER_SITE_SPACING = 40.0
US_PER_KM = 5.0
US_PER_CARD = 15.0
CAPACITIES = (10000, 10000, 40000, 100000)
LINK_SECURITY_WEIGHTS = (0.25, 0.25, 0.25, 0.25)
REQUEST_SECURITY_WEIGHTS = (0.30, 0.30, 0.25, 0.15)
BANDWIDTHS = (10, 100, 500, 1000, 2000)
RESERVED_SHARE = 0.25
PAIRS_PER_SITE = 1.3
TIGHT_SHARE = 0.2
CORE_EVERY = 100
EPSILON_MS = 1e-9


class BenchCheckFailed(Exception):
    """The engine returned a route that breaks a constraint, or missed a feasible one."""


# --- synthetic topology ----------------------------------------------------------------------
def _nearest(i: int, pos: list, grid: dict, cell: float, k: int) -> list[int]:
    """The k nearest other sites of site i (exact: rings of grid cells until provably done)."""
    cx, cy = int(pos[i][0] // cell), int(pos[i][1] // cell)
    found: list[tuple[float, int]] = []
    ring = 0
    while True:
        for gx in range(cx - ring, cx + ring + 1):
            for gy in range(cy - ring, cy + ring + 1):
                if max(abs(gx - cx), abs(gy - cy)) != ring:
                    continue
                for j in grid.get((gx, gy), ()):
                    if j != i:
                        found.append((math.dist(pos[i], pos[j]), j))
        found.sort()
        # Anything not yet seen lies at least ring * cell away.
        if len(found) >= k and found[k - 1][0] <= ring * cell:
            return [j for _, j in found[:k]]
        if ring > len(pos):
            return [j for _, j in found[:k]]
        ring += 1


def build_document(n: int, rng: random.Random) -> tuple[dict, dict]:
    """A connected synthetic topology document and a background reservation (`used`) map."""
    side = KM_PER_SITE_SPACING * math.sqrt(n)
    pos = [(rng.random() * side, rng.random() * side) for _ in range(n)]
    names = [f"s{i:05d}" for i in range(n)]
    cell = side / math.sqrt(max(n / 2, 1))
    grid: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(pos):
        grid.setdefault((int(x // cell), int(y // cell)), []).append(i)

    pairs: set[tuple[int, int]] = set()
    for i in range(n):
        for j in _nearest(i, pos, grid, cell, 2):
            pairs.add((min(i, j), max(i, j)))
    skeleton = nx.Graph(list(pairs))
    skeleton.add_nodes_from(range(n))
    components = sorted((sorted(c) for c in nx.connected_components(skeleton)), key=lambda c: (-len(c), c[0]))
    main = list(components[0])
    for comp in components[1:]:  # join each island to the main component by its closest pair
        a = comp[0]
        b = min(main, key=lambda j: math.dist(pos[a], pos[j]))
        pairs.add((min(a, b), max(a, b)))
        main.extend(comp)
    cores = [i for i in range(n) if i % CORE_EVERY == 0]
    for i in cores:  # a long-haul core tier: each core site to its 3 nearest core sites
        for j in sorted((c for c in cores if c != i), key=lambda c: math.dist(pos[i], pos[c]))[:3]:
            pairs.add((min(i, j), max(i, j)))
    target_pairs = round(PAIRS_PER_SITE * n)
    while len(pairs) < target_pairs:
        i = rng.randrange(n)
        j = rng.choice(_nearest(i, pos, grid, cell, 6)[2:])
        pairs.add((min(i, j), max(i, j)))

    km = {p: math.dist(pos[p[0]], pos[p[1]]) for p in pairs}
    weighted = nx.Graph()
    weighted.add_weighted_edges_from((a, b, km[(a, b)]) for a, b in pairs)
    backbone = {(min(a, b), max(a, b)) for a, b in nx.minimum_spanning_edges(weighted, data=False)}

    links: list[dict] = []
    used: dict[str, float] = {}

    def add_link(a: int, b: int, security: str) -> None:
        latency_us = km[(a, b)] * US_PER_KM + 2 * US_PER_CARD + rng.uniform(0, 10)
        name = f"{names[a]}-{names[b]}-{security}-{len(links)}"
        capacity = rng.choice(CAPACITIES)
        links.append(
            {
                "name": name,
                "a": names[a],
                "b": names[b],
                "security": security,
                "capacity_mbps": capacity,
                "latency_ms": round(latency_us / 1000, 6),
            }
        )
        if rng.random() < RESERVED_SHARE:
            used[name] = round(capacity * rng.uniform(0.0, 1.0), 3)

    for a, b in sorted(pairs):
        primary = rng.choices(LEVELS, weights=LINK_SECURITY_WEIGHTS)[0]
        add_link(a, b, primary)
        if (a, b) in backbone and primary != "qkd":
            add_link(a, b, "qkd")
        if rng.random() < 0.05:
            add_link(a, b, rng.choice([lv for lv in LEVELS if lv != primary]))

    roles = [
        "core" if i % CORE_EVERY == 0 else "metro" if i % 20 == 0 else "aggregation" if i % 5 == 0 else "cell"
        for i in range(n)
    ]
    sites = []
    for i in range(n):
        site: dict = {
            "name": names[i],
            "role": roles[i],
            "x_km": round(pos[i][0], 3),
            "y_km": round(pos[i][1], 3),
        }
        if roles[i] in ("metro", "core"):
            site["compute"] = {"vcpu": 64, "memory_gb": 256}
        sites.append(site)
    return {"topology": {"name": f"synthetic-{n}", "sites": sites, "links": links}}, used


def make_requests(
    document: dict,
    pair_links: dict,
    used: dict,
    count: int,
    rng: random.Random,
    tight_share: float = TIGHT_SHARE,
) -> list[dict]:
    """Random connection requests whose latency bounds are set from the exact constrained optimum
    (computed here, untimed), so that far-apart pairs stay feasible and are measured too."""
    sites = document["topology"]["sites"]
    requests = []
    for index in range(count):
        a, b = rng.sample(range(len(sites)), 2)
        req = {
            "name": f"q{index}",
            "src": sites[a]["name"],
            "dst": sites[b]["name"],
            "security": rng.choices(LEVELS, weights=REQUEST_SECURITY_WEIGHTS)[0],
            "bandwidth": float(rng.choice(BANDWIDTHS)),
        }
        reference = exact_min_latency(pair_links, used, req)
        tight = rng.random() < tight_share
        if reference is None and "x_km" in sites[a]:  # no route meets security and capacity
            km = math.dist((sites[a]["x_km"], sites[a]["y_km"]), (sites[b]["x_km"], sites[b]["y_km"]))
            bound = 3 * km * US_PER_KM / 1000 + 1.0
        elif reference is None:
            bound = 50.0
        else:
            bound = reference * (rng.uniform(1.0, 1.05) if tight else rng.uniform(1.2, 2.0))
        req.update(max_latency_ms=math.ceil(bound * 1e6) / 1e6, tight=tight)
        requests.append(req)
    return requests


def plain_graph(topology: Topology) -> nx.Graph:
    """Same sites; one edge per site pair weighted by its lowest link latency."""
    graph = nx.Graph()
    graph.add_nodes_from(topology.sites)
    for link in topology.links.values():
        old = graph.get_edge_data(link.a, link.b)
        if old is None or link.latency_ms < old["latency"]:
            graph.add_edge(link.a, link.b, latency=link.latency_ms)
    return graph


# --- checks (independent of the engine's code) -----------------------------------------------
def check_route(topology: Topology, used: dict, req: dict, result) -> None:
    _cost, sites, link_names, latency = result
    where = f"{req['name']} {req['src']}->{req['dst']} {req['security']} {req['bandwidth']:g} Mbit/s"
    if sites[0] != req["src"] or sites[-1] != req["dst"]:
        raise BenchCheckFailed(f"{where}: route {sites} does not join the endpoints")
    if len(set(sites)) != len(sites) or len(link_names) != len(sites) - 1:
        raise BenchCheckFailed(f"{where}: route {sites} / {link_names} is not a simple path")
    total = 0.0
    for u, v, name in zip(sites, sites[1:], link_names, strict=False):
        link = topology.links[name]
        if {link.a, link.b} != {u, v}:
            raise BenchCheckFailed(f"{where}: link {name} does not join {u} and {v}")
        if RANK[link.security] < RANK[req["security"]]:
            raise BenchCheckFailed(f"{where}: link {name} has security {link.security}")
        free = link.capacity_mbps - used.get(name, 0.0)
        if free < req["bandwidth"]:
            raise BenchCheckFailed(f"{where}: link {name} has only {free:g} Mbit/s free")
        total += link.latency_ms
    if total > req["max_latency_ms"] + EPSILON_MS or abs(total - latency) > 1e-6:
        raise BenchCheckFailed(
            f"{where}: latency {total} (reported {latency}) vs bound {req['max_latency_ms']}"
        )


def exact_min_latency(pair_links: dict, used: dict, req: dict) -> float | None:
    """Least latency over links that meet security and capacity: feasible iff <= the bound."""
    need, bandwidth = RANK[req["security"]], req["bandwidth"]

    def weight(u, v, _data):
        best = None
        for link in pair_links[(u, v) if u < v else (v, u)]:
            if RANK[link.security] >= need and link.capacity_mbps - used.get(link.name, 0.0) >= bandwidth:
                best = link.latency_ms if best is None else min(best, link.latency_ms)
        return best

    graph = pair_links["__graph__"]
    try:
        return nx.dijkstra_path_length(graph, req["src"], req["dst"], weight=weight)
    except nx.NetworkXNoPath:
        return None


def index_pairs(topology: Topology) -> dict:
    pair_links: dict = {}
    for link in topology.links.values():
        pair_links.setdefault((min(link.a, link.b), max(link.a, link.b)), []).append(link)
    graph = nx.Graph()
    graph.add_edges_from(pair_links)
    pair_links["__graph__"] = graph
    return pair_links


def check_exact(topology: Topology, engine: PathEngine, used: dict, requests: list, outcomes: list) -> dict:
    """Every answer against the exact optimum (qsafe_oracle.exact_route_layered, independent code):
    routes above the optimum's premium, routes at its premium but slower or longer, and what the
    previous method (latency-first search when the bound binds) would have spent."""
    above = slower = binding = latency_first_above = 0
    for req, got in zip(requests, outcomes):
        need = RANK[req["security"]]
        # A returned route was verified by check_route: its premium caps the oracle's search (it
        # still finds any route of lower premium, or of that premium and less latency or hops).
        cap = None
        if not isinstance(got, PlanningError):
            cap = sum(RANK[topology.links[n].security] - need for n in got[2])
        want = exact_route_layered(
            topology,
            used,
            req["src"],
            req["dst"],
            req["security"],
            req["bandwidth"],
            req["max_latency_ms"],
            premium_cap=cap,
        )
        if isinstance(got, PlanningError):
            if want is not None:
                raise BenchCheckFailed(f"{req['name']}: engine said infeasible ({got}), exact optimum {want}")
            continue
        if want is None:
            raise BenchCheckFailed(f"{req['name']}: engine found {got[2]}, the exact method finds no route")
        premium = sum(RANK[topology.links[n].security] - need for n in got[2])
        if premium > want[0]:
            above += 1
        elif premium < want[0]:
            raise BenchCheckFailed(f"{req['name']}: premium {premium} below the exact optimum {want}")
        elif abs(got[3] - want[1]) > 1e-6 or len(got[2]) != want[2]:
            slower += 1
        lex = engine._search(req["src"], req["dst"], need, req["bandwidth"], used, latency_first=False)
        if lex is not None and engine.latency_of(lex[2]) > req["max_latency_ms"] + EPSILON_MS:
            binding += 1
            fastest = engine._search(req["src"], req["dst"], need, req["bandwidth"], used, latency_first=True)
            if sum(RANK[topology.links[n].security] - need for n in fastest[2]) > want[0]:
                latency_first_above += 1
    feasible = sum(1 for r in outcomes if not isinstance(r, PlanningError))
    return {
        "feasible": feasible,
        "above_optimum_premium": above,
        "same_premium_not_optimal": slower,
        "bound_binds": binding,
        "latency_first_above_optimum": latency_first_above,
    }


# --- measurement -----------------------------------------------------------------------------
def _stats_ms(samples_ns: list[int]) -> dict:
    if not samples_ns:
        return {"count": 0, "median_ms": None, "p95_ms": None}
    ms = sorted(s / 1e6 for s in samples_ns)
    p95 = ms[min(len(ms) - 1, math.ceil(0.95 * len(ms)) - 1)]  # nearest-rank
    return {"count": len(ms), "median_ms": statistics.median(ms), "p95_ms": p95}


def bench_size(n: int, queries: int, seed: int, repeat: int, tight_share: float = TIGHT_SHARE) -> dict:
    rng = random.Random(f"{seed}-{n}")
    t0 = time.perf_counter()
    document, used = build_document(n, rng)
    t1 = time.perf_counter()
    result = bench_document(document, used, rng, queries, repeat, tight_share)
    result["sites"], result["generate_s"] = n, t1 - t0
    return result


def bench_document(
    document: dict,
    used: dict,
    rng: random.Random,
    queries: int,
    repeat: int,
    tight_share: float = TIGHT_SHARE,
    exact_check: bool = False,
) -> dict:
    """Time the engine against plain Dijkstra on one topology; with `exact_check`, compare every
    answer with an exact, independent method (premium, latency and hops of the optimum)."""
    t1 = time.perf_counter()
    topology = load_topology(document)
    t2 = time.perf_counter()
    pair_links = index_pairs(topology)
    requests = make_requests(document, pair_links, used, queries, rng, tight_share)
    plain = plain_graph(topology)
    parallel_pairs = sum(1 for _ in topology.links) - plain.number_of_edges()

    gc.collect()
    gc.freeze()  # keep the collector from re-walking the topology during the timed calls
    t3 = time.perf_counter()
    engine = PathEngine(topology)
    build_s = time.perf_counter() - t3

    engine_ns: list[int] = []
    plain_ns: list[int] = []
    plain_hops: list[int] = []
    outcomes: list = []
    clock = time.perf_counter_ns
    for index, req in enumerate(requests):
        args = (
            req["name"],
            req["src"],
            req["dst"],
            req["security"],
            req["bandwidth"],
            req["max_latency_ms"],
            used,
        )

        def run_engine(args=args):
            start = clock()
            try:
                result = engine.route(*args)
            except PlanningError as exc:
                result = exc
            return clock() - start, result

        def run_plain(req=req):
            start = clock()
            path = nx.dijkstra_path(plain, req["src"], req["dst"], weight="latency")
            return clock() - start, len(path) - 1

        best_engine = best_plain = None
        for turn in range(repeat):  # best of `repeat`: other processes share these 2 cores
            if (index + turn) % 2:  # alternate the order so neither side always runs on warm caches
                plain_elapsed, hops = run_plain()
                elapsed, result = run_engine()
            else:
                elapsed, result = run_engine()
                plain_elapsed, hops = run_plain()
            best_engine = elapsed if best_engine is None else min(best_engine, elapsed)
            best_plain = plain_elapsed if best_plain is None else min(best_plain, plain_elapsed)
        engine_ns.append(best_engine)
        plain_ns.append(best_plain)
        plain_hops.append(hops)
        outcomes.append(result)
    gc.unfreeze()

    # Untimed: every feasible route checked, every infeasible verdict checked exactly.
    feasible = [i for i, r in enumerate(outcomes) if not isinstance(r, PlanningError)]
    infeasible = [i for i, r in enumerate(outcomes) if isinstance(r, PlanningError)]
    for i in feasible:
        check_route(topology, used, requests[i], outcomes[i])
    constraints: dict[str, int] = {}
    for i in infeasible:
        best = exact_min_latency(pair_links, used, requests[i])
        if best is not None and best <= requests[i]["max_latency_ms"] + EPSILON_MS:
            raise BenchCheckFailed(
                f"{requests[i]['name']}: engine said infeasible ({outcomes[i]}) but a route of {best} ms "
                f"meets every constraint"
            )
        key = outcomes[i].constraint or "?"
        constraints[key] = constraints.get(key, 0) + 1
    exact = check_exact(topology, engine, used, requests, outcomes) if exact_check else None

    # Memory: separate pass under tracemalloc (tracing would distort the timings above). The same
    # pass counts the engine's graph searches per query (wrapping its private `_search` when it
    # has one): a feasible answer that took 2 searches used the latency-first fallback.
    gc.collect()
    tracemalloc.start()
    engine2 = PathEngine(topology)
    engine_bytes = tracemalloc.get_traced_memory()[0]
    searches = [0]
    inner = getattr(engine2, "_search", None)
    if inner is not None:

        def counted(method):
            def counting(*a, **kw):
                searches[0] += 1
                return method(*a, **kw)

            return counting

        for attribute in ("_search", "_constrained"):  # a second search: the exact closing step
            setattr(engine2, attribute, counted(getattr(engine2, attribute)))
    took_fallback: set[int] = set()
    infeasible_searches = 0
    for index, req in enumerate(requests):
        searches[0] = 0
        try:
            engine2.route(
                req["name"],
                req["src"],
                req["dst"],
                req["security"],
                req["bandwidth"],
                req["max_latency_ms"],
                used,
            )
            if searches[0] > 1:
                took_fallback.add(index)
        except PlanningError:
            infeasible_searches += searches[0]
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del engine2
    search_counts = (
        None
        if inner is None
        else {
            "feasible_with_fallback": len(took_fallback),
            "engine_one_search": _stats_ms([engine_ns[i] for i in feasible if i not in took_fallback]),
            "engine_fallback": _stats_ms([engine_ns[i] for i in feasible if i in took_fallback]),
            "searches_per_infeasible": infeasible_searches / len(infeasible) if infeasible else None,
        }
    )

    ok_engine = _stats_ms([engine_ns[i] for i in feasible])
    ok_plain = _stats_ms([plain_ns[i] for i in feasible])

    def ratio(key: str) -> float | None:
        return ok_engine[key] / ok_plain[key] if ok_engine[key] and ok_plain[key] else None

    return {
        "sites": len(topology.sites),
        "links": len(topology.links),
        "site_pairs": plain.number_of_edges(),
        "parallel_links": parallel_pairs,
        "links_per_site": len(topology.links) / len(topology.sites),
        "generate_s": 0.0,
        "exact": exact,
        "load_topology_s": t2 - t1,
        "engine_build_ms": build_s * 1000,
        "queries": len(requests),
        "tight_bound_queries": sum(r["tight"] for r in requests),
        "feasible": len(feasible),
        "infeasible": len(infeasible),
        "infeasible_by_constraint": constraints,
        "engine_feasible": ok_engine,
        "plain_feasible": ok_plain,
        "ratio_median": ratio("median_ms"),
        "ratio_p95": ratio("p95_ms"),
        "engine_infeasible": _stats_ms([engine_ns[i] for i in infeasible]),
        "engine_all": _stats_ms(engine_ns),
        "plain_all": _stats_ms(plain_ns),
        "mean_hops": statistics.mean(len(outcomes[i][2]) for i in feasible) if feasible else None,
        "plain_mean_hops": statistics.mean(plain_hops[i] for i in feasible) if feasible else None,
        "checked_routes": len(feasible),
        "checked_infeasible": len(infeasible),
        "search_counts": search_counts,
        "engine_resident_mib": engine_bytes / 2**20,
        "tracemalloc_peak_mib": peak_bytes / 2**20,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _fmt(value, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def print_report(results: list[dict], seed: int, repeat: int, tight_share: float) -> list[str]:
    print(
        f"\nPCE benchmark, seed {seed}, best of {repeat} per query, tight share {tight_share:g}, "
        f"Python {sys.version.split()[0]}, networkx {nx.__version__}"
    )
    print(
        "Times per connection in ms; 'engine' = PathEngine.route, 'plain' = nx.dijkstra_path on the same "
        "pairs;\nmedian/p95 and ratios over the feasible queries; every route and every infeasible "
        "verdict checked."
    )
    head = (
        f"{'sites':>6} {'links':>6} {'build ms':>9} {'queries':>7} {'infeas':>6} {'eng med':>8} "
        f"{'eng p95':>8} {'plain med':>9} {'plain p95':>9} {'ratio med':>9} {'ratio p95':>9} "
        f"{'infeas med':>10} {'hops':>5} {'plain':>5} {'trace MiB':>9} {'RSS MiB':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['sites']:>6} {r['links']:>6} {r['engine_build_ms']:>9.1f} {r['queries']:>7} "
            f"{r['infeasible']:>6} {_fmt(r['engine_feasible']['median_ms']):>8} "
            f"{_fmt(r['engine_feasible']['p95_ms']):>8} {_fmt(r['plain_feasible']['median_ms']):>9} "
            f"{_fmt(r['plain_feasible']['p95_ms']):>9} {_fmt(r['ratio_median'], '.2f'):>9} "
            f"{_fmt(r['ratio_p95'], '.2f'):>9} {_fmt(r['engine_infeasible']['median_ms']):>10} "
            f"{_fmt(r['mean_hops'], '.1f'):>5} {_fmt(r['plain_mean_hops'], '.1f'):>5} "
            f"{r['tracemalloc_peak_mib']:>9.1f} {r['max_rss_mib']:>8.1f}"
        )
    print()
    for r in results:
        counts = r["search_counts"] or {}
        print(
            f"{r['sites']} sites: {r['site_pairs']} site pairs, {r['parallel_links']} parallel links, "
            f"{r['links_per_site']:.2f} links/site; generate {r['generate_s']:.2f} s, "
            f"load_topology {r['load_topology_s']:.2f} s, engine alone {r['engine_resident_mib']:.1f} MiB"
        )
        bad = r["engine_infeasible"]
        print(
            f"  {r['feasible']} feasible ({counts.get('feasible_with_fallback', '?')} needed the "
            f"exact closing step), {r['infeasible']} infeasible {r['infeasible_by_constraint']} "
            f"(~{_fmt(counts.get('searches_per_infeasible'), '.1f')} searches each, median "
            f"{_fmt(bad['median_ms'])} ms, p95 {_fmt(bad['p95_ms'])} ms); "
            f"{r['tight_bound_queries']} tight bounds"
        )
        if counts:
            one, two = counts["engine_one_search"], counts["engine_fallback"]
            print(
                f"  feasible, engine: 1 search median {_fmt(one['median_ms'])} p95 {_fmt(one['p95_ms'])}; "
                f"with fallback median {_fmt(two['median_ms'])} p95 {_fmt(two['p95_ms'])}"
            )
        print(
            f"  all queries: engine median {_fmt(r['engine_all']['median_ms'])} p95 "
            f"{_fmt(r['engine_all']['p95_ms'])}, plain median {_fmt(r['plain_all']['median_ms'])} p95 "
            f"{_fmt(r['plain_all']['p95_ms'])}"
        )
    print()
    verdicts = []
    by_size = {r["sites"]: r for r in results}
    for size, limit in TARGET_MEDIAN_MS.items():
        r = by_size.get(size)
        if r is None:
            verdicts.append(f"VERDICT median <= {limit:g} ms at {size} sites: NOT MEASURED")
            continue
        median = r["engine_feasible"]["median_ms"]
        state = "PASS" if median is not None and median <= limit else "FAIL"
        verdicts.append(f"VERDICT median <= {limit:g} ms at {size} sites: {state} ({_fmt(median)} ms)")
    for r in results:
        good = all(x is not None and x <= TARGET_RATIO for x in (r["ratio_median"], r["ratio_p95"]))
        verdicts.append(
            f"VERDICT ratio to plain Dijkstra <= {TARGET_RATIO:g} at {r['sites']} sites: "
            f"{'PASS' if good else 'FAIL'} (median {_fmt(r['ratio_median'], '.2f')}, "
            f"p95 {_fmt(r['ratio_p95'], '.2f')})"
        )
    for line in verdicts:
        print(line)
    return verdicts


def run_real(args) -> tuple[list, list, list]:
    real, joints, placements = [], [], []
    for key in [k for k in args.real.split(",") if k.strip()]:
        print(f"... {key}", file=sys.stderr, flush=True)
        rng = random.Random(f"{args.seed}-{key}")
        document, used = pce_real.real_document(key, rng)
        result = bench_document(document, used, rng, args.real_queries, args.repeat, 0.5, exact_check=True)
        result["name"] = key
        real.append(result)
        if result["sites"] <= args.joint_max_sites and args.joint_slices:
            print(f"... {key}: whole slices", file=sys.stderr, flush=True)
            joint = pce_real.bench_joint(
                document, used, random.Random(f"{args.seed}-{key}-joint"), args.joint_slices
            )
            joint["name"] = key
            joints.append(joint)
        if result["sites"] >= 3000:
            print(f"... {key}: placement", file=sys.stderr, flush=True)
            placement = pce_real.bench_placement(
                document, used, random.Random(f"{args.seed}-{key}-place"), args.placement_slices, 15.0
            )
            placement["name"] = key
            placements.append(placement)
    if args.placement:
        n, candidates = (int(x) for x in args.placement.split(":"))
        print(f"... placement at {n} sites, {candidates} candidates", file=sys.stderr, flush=True)
        rng = random.Random(f"{args.seed}-placement-{n}")
        document, used = pce_real.placement_network(n, candidates, rng, build_document)
        placement = pce_real.bench_placement(document, used, rng, args.placement_slices, 3.0)
        placement["name"] = f"synthetic-{n}"
        placements.insert(0, placement)
    return real, joints, placements


def print_real(real: list, joints: list, placements: list) -> list[str]:
    verdicts = []
    if real:
        print(
            "\nReal networks (topohub, converted by devel/tools/topology_from_topohub.py; 25% of links "
            "partly reserved; half the bounds within 5% of the least latency); every answer compared "
            "with the exact optimum (qsafe_oracle.exact_route_layered)"
        )
        head = (
            f"{'network':<28} {'sites':>5} {'links':>6} {'feas':>5} {'binds':>5} {'above':>5} "
            f"{'LF above':>8} {'eng med':>8} {'eng p95':>8} {'plain med':>9} {'ratio med':>9} "
            f"{'ratio p95':>9}"
        )
        print(head)
        print("-" * len(head))
        for r in real:
            e = r["exact"]
            print(
                f"{r['name']:<28} {r['sites']:>5} {r['links']:>6} {e['feasible']:>5} {e['bound_binds']:>5} "
                f"{e['above_optimum_premium']:>5} {e['latency_first_above_optimum']:>8} "
                f"{_fmt(r['engine_feasible']['median_ms']):>8} {_fmt(r['engine_feasible']['p95_ms']):>8} "
                f"{_fmt(r['plain_feasible']['median_ms']):>9} {_fmt(r['ratio_median'], '.2f'):>9} "
                f"{_fmt(r['ratio_p95'], '.2f'):>9}"
            )
        print(
            "(binds: the least-premium route breaks the bound; above: routes above the exact optimum's "
            "premium; LF above: what the previous latency-first fallback would have spent)"
        )
        above = sum(r["exact"]["above_optimum_premium"] for r in real)
        slower = sum(r["exact"]["same_premium_not_optimal"] for r in real)
        total = sum(r["exact"]["feasible"] for r in real)
        verdicts.append(
            f"VERDICT routes above the exact optimum's premium = 0: {'PASS' if above == 0 else 'FAIL'} "
            f"({above} of {total}; {slower} at its premium but slower or longer)"
        )
    if joints:
        print(
            "\nWhole slices (2-4 connections, compute at a metro site, 2-6 Gbit/s each on 10 Gbit/s "
            "channels); "
            "every refusal checked with HiGHS at every candidate site"
        )
        for j in joints:
            print(
                f"{j['name']:<28} {j['sites']:>5} sites: {j['slices']} slices, {j['placed']} placed "
                f"({j['placed_by_joint']} only by the joint search, "
                f"slowest {_fmt(j['joint_max_ms'], '.0f')} ms), "
                f"{j['refused']} refused, {j['refused_but_placeable']} of them placeable"
            )
        wrong = sum(j["refused_but_placeable"] for j in joints)
        verdicts.append(
            f"VERDICT slices refused that an assignment carries = 0: {'PASS' if wrong == 0 else 'FAIL'} "
            f"({wrong} of {sum(j['refused'] for j in joints)} refusals)"
        )
    if placements:
        print("\nPlacement (3-connection slices, compute at any metro site with room)")
        for p in placements:
            print(
                f"{p['name']:<28} {p['sites']:>5} sites, {p['candidates']} candidates: {p['slices']} slices, "
                f"{p['planned']} planned; median {p['median_ms']:.1f} ms, p95 {p['p95_ms']:.1f} ms, "
                f"max {p['max_ms']:.1f} ms; largest refusal {p['max_refusal_bytes']} bytes"
            )
        first = placements[0]
        verdicts.append(
            f"VERDICT placement median <= 100 ms at {first['sites']} sites / {first['candidates']} "
            f"candidates: {'PASS' if first['median_ms'] <= 100 else 'FAIL'} ({first['median_ms']:.1f} ms)"
        )
        sizes = [p["max_refusal_bytes"] for p in placements if p["max_refusal_bytes"]]
        verdicts.append(
            f"VERDICT refusal messages < 1 KB: {'PASS' if all(b < 1000 for b in sizes) else 'FAIL'} "
            f"(largest {max(sizes) if sizes else '-'} bytes)"
        )
    for line in verdicts:
        print(line)
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated site counts")
    parser.add_argument("--queries", type=int, default=200, help="connection requests per size")
    parser.add_argument(
        "--repeat", type=int, default=3, help="time each query this many times, keep the best"
    )
    parser.add_argument(
        "--tight-share",
        type=float,
        default=TIGHT_SHARE,
        help="share of requests with a latency bound within 5%% of the optimum",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    parser.add_argument(
        "--real",
        default=",".join(pce_real.REAL_TOPOLOGIES),
        help="topohub keys of real networks ('' to skip)",
    )
    parser.add_argument("--real-queries", type=int, default=100, help="connection requests per real network")
    parser.add_argument(
        "--joint-slices",
        type=int,
        default=60,
        help="whole slices per real network of at most --joint-max-sites sites",
    )
    parser.add_argument("--joint-max-sites", type=int, default=250)
    parser.add_argument(
        "--placement",
        default="4000:500",
        help="SITES:CANDIDATES of the synthetic placement network ('' to skip)",
    )
    parser.add_argument("--placement-slices", type=int, default=30)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    if any(s < 2 for s in sizes) or args.queries < 1 or args.repeat < 1 or not 0 <= args.tight_share <= 1:
        parser.error("--sizes must be >= 2, --queries and --repeat >= 1, --tight-share in [0, 1]")
    started = time.perf_counter()
    results = []
    for n in sizes:
        print(f"... {n} sites", file=sys.stderr, flush=True)
        results.append(bench_size(n, args.queries, args.seed, args.repeat, args.tight_share))
    verdicts = print_report(results, args.seed, args.repeat, args.tight_share)
    real, joints, placements = run_real(args)
    verdicts += print_real(real, joints, placements)
    print(f"(total run time {time.perf_counter() - started:.1f} s)")
    if args.json:
        payload = {
            "seed": args.seed,
            "repeat": args.repeat,
            "tight_share": args.tight_share,
            "results": results,
            "real": real,
            "joint": joints,
            "placement": placements,
            "verdicts": verdicts,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
