# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Exact oracles for the planner, for tests and benchmarks only (never shipped).

`exact_route` and `exact_joint` state the routing and joint-slice problems as integer programs
and solve them with HiGHS (`highspy`, pinned in requirements-dev.txt); they share no code with
the planner, so an agreement is evidence.
"""

from __future__ import annotations

import heapq

import highspy
import numpy as np
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import RANK

_TOLERANCE_MS = 1e-7
_INF = highspy.kHighsInf


class _Program:
    """A 0/1 program built row by row through HiGHS's array interface."""

    def __init__(self):
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("mip_rel_gap", 0.0)
        self.h.setOptionValue("mip_abs_gap", 1e-9)
        self.h.setOptionValue("threads", 1)
        self.columns = 0

    def binaries(self, count: int) -> int:
        first = self.columns
        self.h.addVars(count, np.zeros(count), np.ones(count))
        self.h.changeColsIntegrality(
            count,
            np.arange(first, first + count, dtype=np.int32),
            np.full(count, highspy.HighsVarType.kInteger),
        )
        self.columns += count
        return first

    def row(self, lower: float, upper: float, columns, values) -> None:
        self.h.addRow(
            lower,
            upper,
            len(columns),
            np.asarray(columns, dtype=np.int32),
            np.asarray(values, dtype=np.float64),
        )

    def minimize(self, costs) -> float | None:
        self.h.changeColsCost(
            self.columns, np.arange(self.columns, dtype=np.int32), np.asarray(costs, dtype=np.float64)
        )
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return self.h.getInfo().objective_function_value


def _arcs(topology, used: dict, security: str, bandwidth: float) -> list:
    """Both directions of every link that meets security and has `bandwidth` free."""
    arcs = []
    for link in sorted(topology.links.values(), key=lambda x: x.name):
        free = link.capacity_mbps - used.get(link.name, 0.0)
        if RANK[link.security] >= RANK[security] and free >= bandwidth:
            premium = RANK[link.security] - RANK[security]
            arcs.append((link.a, link.b, link.name, premium, link.latency_ms))
            arcs.append((link.b, link.a, link.name, premium, link.latency_ms))
    return arcs


def _flow(program: _Program, first: int, arcs: list, src: str, dst: str, bound_ms: float) -> bool:
    """Flow conservation (one unit src -> dst) and the latency bound; False if src or dst has no arc."""
    rows: dict = {}
    for index, (a, b, *_rest) in enumerate(arcs):
        rows.setdefault(a, ([], []))
        rows.setdefault(b, ([], []))
        rows[a][0].append(first + index)
        rows[a][1].append(1.0)
        rows[b][0].append(first + index)
        rows[b][1].append(-1.0)
    if src not in rows or dst not in rows:
        return False
    for site, (columns, values) in rows.items():
        rhs = 1.0 if site == src else -1.0 if site == dst else 0.0
        program.row(rhs, rhs, columns, values)
    program.row(-_INF, bound_ms, range(first, first + len(arcs)), [arc[4] for arc in arcs])
    return True


def exact_route(topology, used: dict, src: str, dst: str, security: str, bandwidth: float, bound_ms: float):
    """(premium, latency_ms, hops) of the lexicographic optimum within the bound, or None.

    Three integer programs over arc variables (flow conservation, latency <= bound): least premium,
    then least latency at that premium, then fewest hops at both; cycles cost latency and hops, so
    the last stage's solution is a simple route."""
    arcs = _arcs(topology, used, security, bandwidth)
    if not arcs:
        return None
    program = _Program()
    program.binaries(len(arcs))
    if not _flow(program, 0, arcs, src, dst, bound_ms):
        return None
    columns = range(len(arcs))
    premium = [arc[3] for arc in arcs]
    latency = [arc[4] for arc in arcs]
    best_premium = program.minimize(premium)
    if best_premium is None:
        return None
    best_premium = round(best_premium)
    program.row(-_INF, best_premium, columns, premium)
    best_latency = program.minimize(latency)
    program.row(-_INF, best_latency + _TOLERANCE_MS, columns, latency)
    hops = program.minimize([1.0] * len(arcs))
    return best_premium, best_latency, round(hops)


def exact_joint(topology, used: dict, legs: list) -> bool:
    """Whether some assignment of routes carries every leg together.

    legs: [(src, dst, security, bandwidth, bound_ms)]. One arc variable per leg and direction,
    flow conservation and the latency bound per leg, and per link the legs' bandwidths together
    within what `used` leaves free."""
    program = _Program()
    load: dict = {}
    for src, dst, security, bandwidth, bound_ms in legs:
        arcs = _arcs(topology, used, security, bandwidth)
        if not arcs:
            return False
        first = program.binaries(len(arcs))
        if not _flow(program, first, arcs, src, dst, bound_ms):
            return False
        for index, arc in enumerate(arcs):
            load.setdefault(arc[2], ([], []))
            load[arc[2]][0].append(first + index)
            load[arc[2]][1].append(bandwidth)
    for name, (columns, values) in load.items():
        if len(columns) > 2:  # one leg alone always fits: its arcs were filtered by capacity
            program.row(-_INF, topology.links[name].capacity_mbps - used.get(name, 0.0), columns, values)
    return program.minimize([0.0] * program.columns) is not None


def exact_route_layered(
    topology,
    used: dict,
    src: str,
    dst: str,
    security: str,
    bandwidth: float,
    bound_ms: float,
    premium_cap: int | None = None,
):
    """(premium, latency_ms, hops) of the lexicographic optimum within the bound, or None.

    Dijkstra by (latency, hops) over states (site, premium spent so far): the least (latency,
    hops) for every premium, and the answer is the least premium that reaches `dst` within the
    bound. Exact and independent of the planner's label-setting (no dominance between premiums).
    Two prunings that only drop states which cannot reach `dst` within the bound and the cap:
    a state whose latency plus its site's least latency to `dst` (one reverse Dijkstra here)
    exceeds the bound, and, with `premium_cap`, a state whose premium exceeds it (a caller that
    holds a verified route of premium P passes P: a route of lower premium, or of premium P and
    less latency or fewer hops, is still found; with a cap below every route's premium the
    answer is None). Pseudo-polynomial (sites x premiums)."""
    need = RANK[security]
    adjacency: dict = {}
    for link in topology.links.values():
        if RANK[link.security] >= need and link.capacity_mbps - used.get(link.name, 0.0) >= bandwidth:
            step = (RANK[link.security] - need, round(link.latency_ms * 1e9))
            adjacency.setdefault(link.a, []).append((link.b, *step))
            adjacency.setdefault(link.b, []).append((link.a, *step))
    bound = round(bound_ms * 1e9)
    to_dst = {dst: 0}  # least latency from every site to dst (links are undirected)
    heap = [(0, dst)]
    done: set = set()
    while heap:
        latency, site = heapq.heappop(heap)
        if site in done:
            continue
        done.add(site)
        for other, _extra, step in adjacency.get(site, ()):
            total = latency + step
            if total <= bound and total < to_dst.get(other, bound + 1):
                to_dst[other] = total
                heapq.heappush(heap, (total, other))
    if src not in to_dst:
        return None
    heap = [(0, 0, src, 0)]
    settled: dict = {}
    best_premium = premium_cap
    found = False
    while heap:
        latency, hops, site, premium = heapq.heappop(heap)
        if (site, premium) in settled or (best_premium is not None and premium > best_premium):
            continue
        settled[(site, premium)] = (latency, hops)
        if site == dst:
            found = True
            best_premium = premium if best_premium is None else min(best_premium, premium)
            continue
        for other, extra, step in adjacency.get(site, ()):
            state = (other, premium + extra)
            within = best_premium is None or state[1] <= best_premium
            reach = latency + step + to_dst.get(other, bound + 1)
            if within and reach <= bound and state not in settled:
                heapq.heappush(heap, (latency + step, hops + 1, other, premium + extra))
    if not found:
        return None
    premium = min(p for (site, p) in settled if site == dst)
    latency, hops = settled[(dst, premium)]
    return premium, latency / 1e9, hops
