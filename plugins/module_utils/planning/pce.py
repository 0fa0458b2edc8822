# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security-aware path computation (the PCE).

For each connection of a slice, find a route over the site multigraph whose every link has
security >= the requested level and enough residual capacity, with total latency within the
bound. Among feasible routes the objective is lexicographic, so that premium links stay free
for the slices that need them:

1. the lowest sufficient security: minimise the sum, over the route's links, of how many levels
   each link is above the requested level (the *premium*);
2. then the lowest total latency;
3. then the fewest hops; remaining ties are broken by link and site names (deterministic).

Method (exact on every query; a resource-constrained shortest path):

- *Fast path.* The three terms are packed into one integer per link, so one bidirectional
  Dijkstra run (parallel links collapsed per query to the best eligible one) finds the
  lexicographic optimum *without* the latency bound. When that route meets the bound it is the
  answer: no route can do better with a constraint added.
- *Exact closing step* when the bound binds: label-setting with dominance on (premium,
  latency+hops). A reverse Dijkstra from the destination gives every site's least latency to
  it (cut off at the bound) and a second one its least premium to it (over the sites the first
  reached); labels are expanded in lexicographic order of (premium + premium bound, latency +
  latency bound) (A* with per-criterion bounds, which are consistent), a label is dropped when
  its latency plus the latency bound exceeds the bound or when another label at the same site
  has no more premium and no more latency, and the first label settled at the destination is
  the optimum. Parallel links stay separate here (only the Pareto-optimal ones per hop).
- *Worst case.* The labels kept at a site have distinct premiums (equal premium: only the least
  latency survives), so there are at most P+1 per site, P <= 3 (n-1) the premium of any simple
  route: at most n (3n-2) labels, each expanded once over its site's links, O(nP (m + n) log(nP))
  time; pseudo-polynomial in general, polynomial here because a link's premium is at most 3.

Connections are planned in descriptor order; each one sees the capacity taken by the slice's
earlier connections and by `reservations` (other slices). When that refuses a slice of several
connections, a joint search over every assignment (`joint.py`) plans them together.

A `compute` endpoint: each candidate site (the named one, or every site of the requested role
with enough free vCPU and memory) gets a lower bound on the slice's cost from one search per
fixed endpoint of a connection that ends at the compute site (least latency: candidates beyond
a bound are ruled out; least cost over the sites within the bound). Candidates are planned in
order of that bound, and planning stops when the next bound exceeds the best total found; the
winner is the least total cost, names breaking ties (the same answer as trying every candidate).
"""

from __future__ import annotations

import heapq
import time
from dataclasses import asdict, dataclass, field

try:
    import networkx as nx

    HAS_NETWORKX = True
except ImportError:  # pragma: no cover - exercised only where networkx is absent
    HAS_NETWORKX = False

from ansible_collections.qsafe.slicing.plugins.module_utils.planning import joint
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import (
    COMPUTE_ENDPOINT,
    ConnectionRequest,
    SliceRequest,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import LEVELS, RANK
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import Topology
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.vlans import (
    SLICE_VLAN_MAX,
    SLICE_VLAN_MIN,
    slice_vlans,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.usage import plan_usage

_PREMIUM_SHIFT = 80  # bits above latency (ps) and hops: premium dominates, then latency, then hops
_LATENCY_SHIFT = 16
_INF = float("inf")

# The joint search is exact (complete and optimal) within these limits and its time budget;
# beyond them it still runs with the same budget and says so when it gives up.
JOINT_EXACT_CONNECTIONS = 4
JOINT_EXACT_SITES = 200
JOINT_SECONDS = 1.0
JOINT_MAX_BRANCHES = 20000
MESSAGE_LIMIT = 1000  # bytes of a refusal message
CLOSEST_SHOWN = 3


class PlanningError(Exception):
    """No plan meets the request. `connection` and `constraint` name what cannot be met."""

    def __init__(self, message: str, connection: str | None = None, constraint: str | None = None):
        super().__init__(message)
        self.connection = connection
        self.constraint = constraint


@dataclass
class PlannedConnection:
    name: str
    src: str
    dst: str
    security: str
    bandwidth_mbps: float
    max_latency_ms: float
    sites: list[str]
    links: list[str]
    hop_security: list[str]
    latency_ms: float
    weakest_security: str | None
    vlan: int

    def to_dict(self) -> dict:
        data = asdict(self)
        data["from"] = data.pop("src")
        data["to"] = data.pop("dst")
        return data


@dataclass
class SlicePlan:
    slice_id: str
    compute_site: str | None
    compute: dict | None
    connections: list[PlannedConnection] = field(default_factory=list)
    method: str = "sequential"  # or "joint": the connection-by-connection plan was refused

    def to_dict(self) -> dict:
        return {
            "slice_id": self.slice_id,
            "compute_site": self.compute_site,
            "compute": self.compute,
            "connections": [c.to_dict() for c in self.connections],
            "method": self.method,
        }

    def usage(self) -> dict:
        """Resources this plan takes, in the reservations format (the registry's one rule)."""
        return plan_usage(self.slice_id, self.to_dict())


def _as_int_ps(latency_ms: float) -> int:
    """Latency in integer picoseconds: exact sums, and finer than any latency a topology states."""
    return round(latency_ms * 1_000_000_000)


def _dijkstra(adj: dict, origin: str, weight, cutoff=None, allowed=None, targets=None) -> dict:
    """Single-source least `weight(entries)` (None: no usable link) to every site, optionally
    within `cutoff`, only over `allowed` sites, stopping once every site of `targets` is settled."""
    settled: dict = {}
    best = {origin: 0}
    heap = [(0, origin)]
    remaining = set(targets) if targets is not None else None
    while heap:
        dist, site = heapq.heappop(heap)
        if site in settled:
            continue
        settled[site] = dist
        if remaining is not None:
            remaining.discard(site)
            if not remaining:
                break
        for other, entries in adj[site]:
            if other in settled or (allowed is not None and other not in allowed):
                continue
            step = weight(entries)
            if step is None:
                continue
            total = dist + step
            if (cutoff is None or total <= cutoff) and total < best.get(other, _INF):
                best[other] = total
                heapq.heappush(heap, (total, other))
    return settled


class PathEngine:
    """The site graph of one topology, built once and queried per connection."""

    def __init__(self, topology: Topology):
        if not HAS_NETWORKX:
            raise RuntimeError("the Python library 'networkx' is required for path computation")
        self.topology = topology
        self.graph = nx.Graph()
        self.graph.add_nodes_from(sorted(topology.sites))
        self._link_ps = {name: _as_int_ps(link.latency_ms) for name, link in topology.links.items()}
        for link in sorted(topology.links.values(), key=lambda x: x.name):
            entry = (link.rank, _as_int_ps(link.latency_ms), link.name, link.capacity_mbps)
            if self.graph.has_edge(link.a, link.b):
                self.graph[link.a][link.b]["links"].append(entry)
            else:
                self.graph.add_edge(link.a, link.b, links=[entry])
        # Per site, its neighbours (by name) and the shared, sorted list of links to each.
        self._adj: dict[str, list] = {site: [] for site in self.graph}
        for u, v, data in self.graph.edges(data=True):
            data["links"].sort()  # (rank, latency, name): the first eligible entry is the best one
            self._adj[u].append((v, data["links"]))
            self._adj[v].append((u, data["links"]))
        for neighbours in self._adj.values():
            neighbours.sort(key=lambda item: item[0])

    # --- link choice per hop -------------------------------------------------------------
    @staticmethod
    def _best_by_premium(entries, required: int, bandwidth: float, used: dict):
        for entry in entries:
            if entry[0] >= required and entry[3] - used.get(entry[2], 0.0) >= bandwidth:
                return entry
        return None

    @staticmethod
    def _best_by_latency(entries, required: int, bandwidth: float, used: dict):
        best = None
        for entry in entries:
            if entry[0] >= required and entry[3] - used.get(entry[2], 0.0) >= bandwidth:
                key = (entry[1], entry[0], entry[2])
                if best is None or key < best[0]:
                    best = (key, entry)
        return best[1] if best else None

    def _search(self, src: str, dst: str, required: int, bandwidth: float, used: dict, latency_first: bool):
        """Lexicographic least route without the latency bound (premium first, or latency first)."""
        pick = self._best_by_latency if latency_first else self._best_by_premium

        if latency_first:

            def weight(_u, _v, data):
                entry = pick(data["links"], required, bandwidth, used)
                if entry is None:
                    return None
                return (entry[1] << 40) + ((entry[0] - required) << _LATENCY_SHIFT) + 1

        else:

            def weight(_u, _v, data):
                entry = pick(data["links"], required, bandwidth, used)
                if entry is None:
                    return None
                return ((entry[0] - required) << _PREMIUM_SHIFT) + (entry[1] << _LATENCY_SHIFT) + 1

        try:
            # Bidirectional search settles far fewer sites than one-sided Dijkstra on large graphs.
            cost, sites = nx.bidirectional_dijkstra(self.graph, src, dst, weight=weight)
        except nx.NetworkXNoPath:
            return None
        chosen = [
            pick(self.graph[u][v]["links"], required, bandwidth, used) for u, v in zip(sites, sites[1:])
        ]
        return cost, sites, [entry[2] for entry in chosen]

    def _constrained(self, src: str, dst: str, required: int, bandwidth: float, used: dict, bound_ps: int):
        """Exact least (premium, latency, hops) route within `bound_ps`, or None (module docstring)."""
        adj = self._adj
        pareto: dict[int, list] = {}

        def hop(entries):
            # Eligible links of one site pair that no other one beats on both premium and latency:
            # premium ascending, latency strictly descending.
            got = pareto.get(id(entries))
            if got is None:
                got = []
                fastest = None
                for rank, latency, name, capacity in entries:
                    eligible = rank >= required and capacity - used.get(name, 0.0) >= bandwidth
                    if eligible and (fastest is None or latency < fastest):
                        got.append((rank - required, latency, name))
                        fastest = latency
                pareto[id(entries)] = got
            return got

        def least_latency(entries):
            got = hop(entries)
            return got[-1][1] if got else None

        def least_premium(entries):
            got = hop(entries)
            return got[0][0] if got else None

        to_dst = _dijkstra(adj, dst, least_latency, cutoff=bound_ps)
        if src not in to_dst:
            return None
        premium_to_dst = _dijkstra(adj, dst, least_premium, allowed=to_dst)

        # label: [premium, latency << 16 | hops, site, parent label, link name, alive]
        start = [0, 0, src, None, None, True]
        fronts: dict[str, list] = {src: [start]}
        heap = [(premium_to_dst[src], to_dst[src] << _LATENCY_SHIFT, 0, start)]
        order = 0
        found = None
        while heap:
            label = heapq.heappop(heap)[3]
            if not label[5]:
                continue
            site = label[2]
            if site == dst:
                found = label
                break
            premium, packed = label[0], label[1]
            latency = packed >> _LATENCY_SHIFT
            parent_site = label[3][2] if label[3] is not None else None
            for other, entries in adj[site]:
                rest = to_dst.get(other)
                if rest is None or other == parent_site:
                    continue
                for extra, step, name in hop(entries):
                    if latency + step + rest > bound_ps:
                        continue
                    new_premium = premium + extra
                    new_packed = packed + (step << _LATENCY_SHIFT) + 1
                    front = fronts.get(other)
                    if front is None:
                        front = fronts[other] = []
                    elif any(q[0] <= new_premium and q[1] <= new_packed for q in front):
                        continue
                    else:
                        kept = []
                        for q in front:
                            if new_premium <= q[0] and new_packed <= q[1]:
                                q[5] = False
                            else:
                                kept.append(q)
                        front[:] = kept
                    new = [new_premium, new_packed, other, label, name, True]
                    front.append(new)
                    order += 1
                    heapq.heappush(
                        heap,
                        (
                            new_premium + premium_to_dst[other],
                            new_packed + (rest << _LATENCY_SHIFT),
                            order,
                            new,
                        ),
                    )
        if found is None:
            return None
        sites, links = [], []
        label = found
        while label is not None:
            sites.append(label[2])
            if label[4] is not None:
                links.append(label[4])
            label = label[3]
        sites.reverse()
        links.reverse()
        return (found[0] << _PREMIUM_SHIFT) + found[1], sites, links

    def route(
        self,
        conn_name: str,
        src: str,
        dst: str,
        security: str,
        bandwidth: float,
        max_latency_ms: float,
        used: dict,
        diagnose: bool = True,
    ) -> tuple[int, list[str], list[str], float]:
        """Best feasible route, as (cost, sites, link names, latency ms); raises PlanningError
        (without `diagnose`, one that names the connection only: no search for the reason)."""
        required = RANK[security]
        if src == dst:
            return 0, [src], [], 0.0
        # The bound is checked in the same integer picoseconds the search adds up.
        bound_ps = _as_int_ps(max_latency_ms)
        found = self._search(src, dst, required, bandwidth, used, latency_first=False)
        fastest = None
        if found is not None:
            if self._latency_ps(found[2]) > bound_ps:
                found = self._constrained(src, dst, required, bandwidth, used, bound_ps)
                if found is None and diagnose:
                    fastest = self._search(src, dst, required, bandwidth, used, latency_first=True)
            if found is not None:
                cost, sites, links = found
                return cost, sites, links, self.latency_of(links)
        if not diagnose:
            raise PlanningError(f"connection {conn_name}: no route", conn_name, None)
        raise self._diagnose(conn_name, src, dst, security, bandwidth, max_latency_ms, used, fastest)

    def lower_bounds(
        self, origin: str, security: str, bandwidth: float, max_latency_ms: float, used: dict, targets
    ) -> tuple[dict, dict]:
        """For the sites of `targets` within the latency bound of `origin` (over links meeting
        security and capacity): their least latency (ms), and the least packed cost of any route (a
        lower bound of the cost of the route that `route` would return). Two searches, the first
        cut off at the bound, the second over the sites the first reached."""
        required = RANK[security]
        least_latency = self._least_latency_weight(required, bandwidth, used)

        def least_cost(entries):
            entry = self._best_by_premium(entries, required, bandwidth, used)
            if entry is None:
                return None
            return ((entry[0] - required) << _PREMIUM_SHIFT) + (entry[1] << _LATENCY_SHIFT) + 1

        targets = set(targets)
        bound_ps = _as_int_ps(max_latency_ms)
        latency = _dijkstra(self._adj, origin, least_latency, cutoff=bound_ps, targets=targets)
        within = set(latency)
        reachable = targets & within
        cost = (
            _dijkstra(self._adj, origin, least_cost, allowed=within, targets=reachable) if reachable else {}
        )
        return (
            {site: latency[site] / 1e9 for site in targets if site in latency},
            {site: cost[site] for site in reachable if site in cost},
        )

    @staticmethod
    def _least_latency_weight(required: int, bandwidth: float, used: dict):
        def least_latency(entries):
            best = None
            for rank, latency, name, capacity in entries:
                eligible = rank >= required and capacity - used.get(name, 0.0) >= bandwidth
                if eligible and (best is None or latency < best):
                    best = latency
            return best

        return least_latency

    def least_latencies(self, origin: str, security: str, bandwidth: float, used: dict, targets) -> dict:
        """The least latency (ms) from `origin` to each site of `targets` over links meeting security
        and capacity, without a bound; sites no such chain of links reaches are left out."""
        weight = self._least_latency_weight(RANK[security], bandwidth, used)
        latency = _dijkstra(self._adj, origin, weight, targets=set(targets))
        return {site: latency[site] / 1e9 for site in targets if site in latency}

    def latency_of(self, link_names: list[str]) -> float:
        return sum(self.topology.links[name].latency_ms for name in link_names)

    def _latency_ps(self, link_names: list[str]) -> int:
        return sum(self._link_ps[name] for name in link_names)

    def _diagnose(
        self, conn_name, src, dst, security, bandwidth, max_latency_ms, used, fastest
    ) -> PlanningError:
        """Name the binding constraint. `fastest` is the least-latency route meeting security and
        capacity when one exists (the bound was what failed), else None (no such route)."""
        head = (
            f"connection {conn_name}: no route {src} -> {dst} with security >= {security} "
            f"and {bandwidth:g} Mbit/s free within {max_latency_ms:g} ms; "
        )
        if fastest is not None:
            latency = self.latency_of(fastest[2])
            path = " -> ".join(fastest[1])
            if len(path) > 300:
                path = f"{fastest[1][0]} -> ... ({len(fastest[2])} links) -> {fastest[1][-1]}"
            return PlanningError(head + f"closest: {path} takes {latency:g} ms", conn_name, "latency")
        required = RANK[security]
        secure_only = self._search(src, dst, required, 0.0, {}, latency_first=True)
        if secure_only is None:
            return PlanningError(
                head + f"closest: no chain of links with security >= {security} joins {src} and {dst}",
                conn_name,
                "security",
            )
        # A secure route exists but none has the capacity: name its hop that is shortest of it.
        tightest = None
        for u, v in zip(secure_only[1], secure_only[1][1:]):
            hop_free = max(
                (cap - used.get(nm, 0.0), nm) for r, _l, nm, cap in self.graph[u][v]["links"] if r >= required
            )
            if hop_free[0] < bandwidth and (tightest is None or hop_free[0] < tightest[0]):
                tightest = hop_free
        free, name = tightest if tightest else (0.0, "?")
        if free == -_INF:
            free = 0.0
        return PlanningError(
            head + f"closest: {name} has {max(free, 0.0):g} Mbit/s free", conn_name, "capacity"
        )


def _free_compute(topology: Topology, reservations: dict, site: str) -> tuple[float, float]:
    taken = reservations.get("compute", {}).get(site, {})
    s = topology.sites[site]
    return s.vcpu - taken.get("vcpu", 0), s.memory_gb - taken.get("memory_gb", 0)


def _compute_candidates(request: SliceRequest, topology: Topology, reservations: dict) -> list[str]:
    want = request.compute
    if want.site:
        names = [want.site]
    else:
        names = sorted(n for n, s in topology.sites.items() if s.role == want.site_role and s.has_compute)
    fitting = []
    closest = None  # (shortfall, name, vcpu, memory): the site short of the least, relative to the ask
    for name in names:
        vcpu, memory = _free_compute(topology, reservations, name)
        if vcpu >= want.vcpu and memory >= want.memory_gb:
            fitting.append(name)
            continue
        shortfall = max(0.0, want.vcpu - vcpu) / max(want.vcpu, 1e-9) + max(
            0.0, want.memory_gb - memory
        ) / max(want.memory_gb, 1e-9)
        if closest is None or (shortfall, name) < closest[:2]:
            closest = (shortfall, name, vcpu, memory)
    if not fitting:
        where = f"site {want.site}" if want.site else f"no site with role {want.site_role}"
        verb = "has not" if want.site else "has"
        detail = (
            f"; closest: {closest[1]} has {closest[2]:g} vCPU and {closest[3]:g} GB free" if closest else ""
        )
        raise PlanningError(
            f"compute: {where} {verb} {want.vcpu} vCPU and {want.memory_gb:g} GB memory free{detail}",
            None,
            "compute",
        )
    return fitting


def _allocate_vlan(taken: set[int]) -> int:
    for vlan in slice_vlans():
        if vlan not in taken:
            return vlan
    raise PlanningError(f"vlan: every VLAN in {SLICE_VLAN_MIN}-{SLICE_VLAN_MAX} is in use", None, "vlan")


def _endpoints(conn: ConnectionRequest, compute_site: str | None) -> tuple[str, str]:
    src = compute_site if conn.src == COMPUTE_ENDPOINT else conn.src
    dst = compute_site if conn.dst == COMPUTE_ENDPOINT else conn.dst
    return src, dst


def _finish(engine: PathEngine, request: SliceRequest, compute_site, routes, reservations) -> list:
    vlans_taken = set(reservations.get("vlans", []))
    planned = []
    for conn, (_cost, sites, links, latency) in zip(request.connections, routes):
        src, dst = _endpoints(conn, compute_site)
        vlan = _allocate_vlan(vlans_taken)
        vlans_taken.add(vlan)
        planned.append(_planned(engine.topology, conn, src, dst, sites, links, latency, vlan))
    return planned


class _SequentialRefused(PlanningError):
    """Connection-by-connection planning failed at one site; `alone` says whether the failing
    connection has no route even without the slice's other connections (then no joint plan
    exists at that site either)."""

    def __init__(self, connection: str, alone: bool):
        super().__init__(f"connection {connection}: no route", connection, None)
        self.alone = alone


def _plan_at(
    engine: PathEngine,
    request: SliceRequest,
    compute_site: str | None,
    reservations: dict,
    diagnose: bool = True,
    prefix: tuple | None = None,
):
    """Routes in descriptor order, each seeing the capacity the earlier ones took: (total, routes).
    Raises the connection's PlanningError; without `diagnose`, a cheap _SequentialRefused.
    `prefix` (total, routes, used) starts from connections already routed."""
    base = reservations.get("links", {})
    used = dict(base)
    total = 0
    routes = []
    if prefix is not None:  # the leading connections that do not touch compute, already routed
        total, routes, used = prefix[0], list(prefix[1]), dict(prefix[2])
    for conn in request.connections[len(routes) :]:
        src, dst = _endpoints(conn, compute_site)
        args = (conn.name, src, dst, conn.security, conn.bandwidth_mbps, conn.max_latency_ms)
        try:
            route = engine.route(*args, used, diagnose=diagnose)
        except PlanningError:
            if diagnose:
                raise
            alone = not routes
            if not alone:
                try:
                    engine.route(*args, base, diagnose=False)
                except PlanningError:
                    alone = True
            raise _SequentialRefused(conn.name, alone) from None
        for name in route[2]:
            used[name] = used.get(name, 0.0) + conn.bandwidth_mbps
        total += route[0]
        routes.append(route)
    return total, routes


def _joint_at(
    engine: PathEngine, request: SliceRequest, compute_site: str | None, reservations: dict, deadline: float
):
    """Joint search at one compute site; (total, routes) or raises joint.JointInfeasible/JointStopped."""
    base = reservations.get("links", {})
    links = engine.topology.links
    conns = request.connections

    def solve(index: int, excluded: frozenset):
        conn = conns[index]
        src, dst = _endpoints(conn, compute_site)
        used = dict(base)
        for name in excluded:
            used[name] = _INF
        try:
            return engine.route(
                conn.name, src, dst, conn.security, conn.bandwidth_mbps, conn.max_latency_ms, used
            )
        except PlanningError:
            return None

    return joint.search(
        solve,
        [c.bandwidth_mbps for c in conns],
        lambda name: links[name].capacity_mbps - base.get(name, 0.0),
        deadline,
        JOINT_MAX_BRANCHES,
    )


def _planned(topology, conn: ConnectionRequest, src, dst, sites, links, latency, vlan) -> PlannedConnection:
    hop_security = [topology.links[name].security for name in links]
    weakest = min(hop_security, key=RANK.__getitem__) if hop_security else None
    return PlannedConnection(
        conn.name,
        src,
        dst,
        conn.security,
        conn.bandwidth_mbps,
        conn.max_latency_ms,
        sites,
        links,
        hop_security,
        round(latency, 6),
        weakest,
        vlan,
    )


def _clip(text: str, limit: int) -> str:
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode(errors="ignore") + "..."


def _rank_candidates(engine: PathEngine, request: SliceRequest, candidates: list[str], reservations: dict):
    """Candidates as [(lower bound, site)] in planning order, and the names of those ruled out by
    a latency bound (no route within it that meets security and capacity), sorted."""
    used = reservations.get("links", {})
    bounds = {site: 0 for site in candidates}
    ruled_out: set[str] = set()
    for conn in request.connections:
        if not conn.uses_compute:
            continue
        origin = conn.dst if conn.src == COMPUTE_ENDPOINT else conn.src
        _latency, cost = engine.lower_bounds(
            origin, conn.security, conn.bandwidth_mbps, conn.max_latency_ms, used, bounds
        )
        for site in list(bounds):
            if site in cost:
                bounds[site] += cost[site]
            else:
                ruled_out.add(site)
                del bounds[site]
    ranked = sorted((bound, site) for site, bound in bounds.items())
    return ranked, sorted(ruled_out)


def _closest_ruled_out(engine: PathEngine, request: SliceRequest, sites: list[str], reservations: dict):
    """The sites ruled out by a latency bound, closest first, as [(site, PlanningError)]: ordered
    by how far each misses the bounds (the sum over the connections touching compute of the least
    latency beyond the bound), sites that some connection cannot reach at all (security or
    capacity) last, names breaking ties. Only on the refusal path: one unbounded search per
    connection touching compute."""
    used = reservations.get("links", {})
    over: dict[str, float] = {site: 0.0 for site in sites}
    worst: dict[str, tuple] = {}  # site -> (shortfall or inf, connection, bound, least latency)
    for conn in request.connections:
        if not conn.uses_compute:
            continue
        origin = conn.dst if conn.src == COMPUTE_ENDPOINT else conn.src
        latency = engine.least_latencies(origin, conn.security, conn.bandwidth_mbps, used, sites)
        for site in sites:
            best = latency.get(site)
            shortfall = _INF if best is None else max(0.0, best - conn.max_latency_ms)
            over[site] += shortfall
            if site not in worst or shortfall > worst[site][0]:
                worst[site] = (shortfall, conn.name, conn.max_latency_ms, best)
    closest = []
    for site in sorted(sites, key=lambda s: (over[s], s)):
        shortfall, name, bound, best = worst[site]
        if best is None:
            text = f"connection {name}: no chain of links with its security and capacity reaches it"
            closest.append((site, PlanningError(text, name, "security")))
        else:
            text = (
                f"connection {name}: {best:g} ms at best, {shortfall:.3g} ms over its {bound:g} ms bound"
            )
            closest.append((site, PlanningError(text, name, "latency")))
    return closest


def _refusal(request: SliceRequest, closest: list, counts: tuple, joint_note: str) -> PlanningError:
    """One message under MESSAGE_LIMIT bytes: the binding constraint and at most 3 closest sites.

    closest: [(site, PlanningError)] best first; counts: (candidates, planned, ruled out)."""
    want = request.compute
    where = f"site {want.site}" if want.site else f"no site with role {want.site_role}"
    parts = [f"{site}: {_clip(str(exc), 220)}" for site, exc in closest[:CLOSEST_SHOWN]]
    first = closest[0][1] if closest else PlanningError("", None, "compute")
    total, planned, ruled_out = counts
    head = (
        f"compute: {where} carries slice {request.id} ({total} candidates: {planned} planned, "
        f"{ruled_out} ruled out by lower bounds{joint_note}); binding: {first.constraint}; closest: "
    )
    return PlanningError(_clip(head + "; ".join(parts), MESSAGE_LIMIT), first.connection, first.constraint)


def _joint_limits_note(engine: PathEngine, request: SliceRequest) -> str:
    if (
        len(request.connections) <= JOINT_EXACT_CONNECTIONS
        and len(engine.topology.sites) <= JOINT_EXACT_SITES
    ):
        return ""
    return (
        f" (exact only up to {JOINT_EXACT_CONNECTIONS} connections and {JOINT_EXACT_SITES} sites; "
        f"this slice has {len(request.connections)} on {len(engine.topology.sites)})"
    )


def plan_slice(
    request: SliceRequest,
    topology: Topology,
    reservations: dict | None = None,
    engine: PathEngine | None = None,
    joint_seconds: float = JOINT_SECONDS,
) -> SlicePlan:
    """Plan every connection of a validated slice request; raises PlanningError."""
    reservations = reservations or {}
    engine = engine or PathEngine(topology)
    uses_compute = any(c.uses_compute for c in request.connections)
    compute = (
        {"vcpu": request.compute.vcpu, "memory_gb": request.compute.memory_gb} if request.compute else None
    )
    if request.compute is None or not uses_compute:
        site = _compute_candidates(request, topology, reservations)[0] if request.compute else None
        try:
            routes = _plan_at(engine, request, site, reservations)[1]
            method = "sequential"
        except PlanningError as refused:
            if len(request.connections) == 1:
                raise
            deadline = time.monotonic() + joint_seconds
            try:
                routes = _joint_at(engine, request, site, reservations, deadline)[1]
            except joint.JointInfeasible as exc:
                if exc.link is None:
                    raise refused from None
                raise PlanningError(
                    _clip(f"{refused}; joint search: {exc}, binding: capacity of {exc.link}", MESSAGE_LIMIT),
                    refused.connection,
                    refused.constraint,
                ) from None
            except joint.JointStopped as exc:
                note = _joint_limits_note(engine, request)
                raise PlanningError(
                    _clip(f"{refused}; {exc}{note}", MESSAGE_LIMIT), refused.connection, refused.constraint
                ) from None
            method = "joint"
        return SlicePlan(
            request.id, site, compute, _finish(engine, request, site, routes, reservations), method
        )

    candidates = _compute_candidates(request, topology, reservations)
    ranked, ruled_out = _rank_candidates(engine, request, candidates, reservations)
    best = None
    tried = []
    prefix = _fixed_prefix(engine, request, reservations)
    for bound, site in ranked:
        if best is not None and bound > best[0]:
            break
        try:
            total, routes = _plan_at(engine, request, site, reservations, diagnose=False, prefix=prefix)
        except _SequentialRefused as exc:
            tried.append((bound, site, exc))
            continue
        if best is None or (total, site) < (best[0], best[1]):
            best = (total, site, routes)
    method = "sequential"
    joint_note = ""
    hopeful = [(bound, site) for bound, site, exc in tried if not exc.alone]
    if best is None and len(request.connections) > 1 and hopeful:
        best, joint_note = _joint_over(engine, request, hopeful, reservations, joint_seconds)
        method = "joint"
    if best is None:
        closest = []
        for _bound, site, exc in tried[:CLOSEST_SHOWN]:
            closest.append((site, PlanningError(f"{exc} (planned connection by connection)", exc.connection)))
        if len(closest) < CLOSEST_SHOWN and ruled_out:
            nearest = _closest_ruled_out(engine, request, ruled_out, reservations)
            closest += nearest[: CLOSEST_SHOWN - len(closest)]
        if closest:  # the precise reason at the closest candidate: one more plan, on this error path only
            try:
                _plan_at(engine, request, closest[0][0], reservations)
            except PlanningError as exc:
                closest[0] = (closest[0][0], exc)
        if len(candidates) == 1 and closest and not joint_note:
            raise closest[0][1]
        raise _refusal(request, closest, (len(candidates), len(tried), len(ruled_out)), joint_note)
    total, site, routes = best
    return SlicePlan(request.id, site, compute, _finish(engine, request, site, routes, reservations), method)


def _fixed_prefix(engine: PathEngine, request: SliceRequest, reservations: dict):
    """The leading connections that do not touch compute, routed once: (total, routes, used), or
    None when there are none or one of them fails (then each candidate plans from the start)."""
    count = 0
    while count < len(request.connections) and not request.connections[count].uses_compute:
        count += 1
    if not count:
        return None
    leading = SliceRequest(request.id, request.connections[:count], request.compute, None)
    try:
        total, routes = _plan_at(engine, leading, None, reservations, diagnose=False)
    except _SequentialRefused:
        return None
    used = dict(reservations.get("links", {}))
    for conn, route in zip(leading.connections, routes):
        for name in route[2]:
            used[name] = used.get(name, 0.0) + conn.bandwidth_mbps
    return total, routes, used


def _joint_over(engine, request, ranked, reservations, joint_seconds):
    """Joint search at every candidate (bound order) within one time budget: (best, note)."""
    deadline = time.monotonic() + joint_seconds
    best = None
    stopped = None
    for bound, site in ranked:
        if best is not None and bound > best[0]:
            break
        try:
            total, routes = _joint_at(engine, request, site, reservations, deadline)
        except joint.JointInfeasible:
            continue
        except joint.JointStopped as exc:
            stopped = exc
            break
        if best is None or (total, site) < (best[0], best[1]):
            best = (total, site, routes)
    if best is not None:
        return best, ""
    if stopped is not None:
        return None, f"; joint search: {stopped}{_joint_limits_note(engine, request)}"
    return None, "; joint search: no assignment at any candidate"


__all__ = ["LEVELS", "PathEngine", "PlannedConnection", "PlanningError", "SlicePlan", "plan_slice"]
