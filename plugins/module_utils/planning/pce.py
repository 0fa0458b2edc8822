"""Security-aware path computation (the PCE).

For each connection of a slice, find a route over the site multigraph whose every link has
security >= the requested level and enough residual capacity, with total latency within the
bound. Among feasible routes the objective is lexicographic, so that premium links stay free
for the slices that need them:

1. the lowest sufficient security: minimise the sum, over the route's links, of how many levels
   each link is above the requested level;
2. then the lowest total latency;
3. then the fewest hops; remaining ties are broken by link and site names (deterministic).

The three terms are packed into one Python integer per link, so a single Dijkstra run over the
site graph (parallel links collapsed per query to the best eligible one) optimises them exactly.
When the best route by that objective breaks the latency bound, a second run minimises latency
first (security premium second): it finds a route whenever any route meets every constraint, but
that route may then use more premium links than strictly needed.

Connections are planned in descriptor order; each one sees the capacity taken by the slice's
earlier connections and by `reservations` (other slices). A `compute` endpoint is placed on each
candidate site (the named one, or every site of the requested role with enough free vCPU and
memory) and the candidate with the lowest total cost wins, names breaking ties.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

try:
    import networkx as nx

    HAS_NETWORKX = True
except ImportError:  # pragma: no cover - exercised only where networkx is absent
    HAS_NETWORKX = False

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import (
    COMPUTE_ENDPOINT,
    ConnectionRequest,
    SliceRequest,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import LEVELS, RANK
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import Topology

_PREMIUM_SHIFT = 80  # bits above latency (ps) and hops: premium dominates, then latency, then hops
_LATENCY_SHIFT = 16
VLAN_RANGE = (100, 3999)


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

    def to_dict(self) -> dict:
        return {
            "slice_id": self.slice_id,
            "compute_site": self.compute_site,
            "compute": self.compute,
            "connections": [c.to_dict() for c in self.connections],
        }

    def usage(self) -> dict:
        """Resources this plan takes, in the reservations format."""
        links: dict[str, float] = {}
        for conn in self.connections:
            for name in conn.links:
                links[name] = links.get(name, 0.0) + conn.bandwidth_mbps
        compute = {self.compute_site: dict(self.compute)} if self.compute_site and self.compute else {}
        return {"links": links, "compute": compute, "vlans": [c.vlan for c in self.connections]}


def _as_int_ps(latency_ms: float) -> int:
    """Latency in integer picoseconds: exact sums, and finer than any latency a topology states."""
    return round(latency_ms * 1_000_000_000)


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
        for _u, _v, data in self.graph.edges(data=True):
            data["links"].sort()  # (rank, latency, name): the first eligible entry is the best one

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

    def route(
        self,
        conn_name: str,
        src: str,
        dst: str,
        security: str,
        bandwidth: float,
        max_latency_ms: float,
        used: dict,
    ) -> tuple[int, list[str], list[str], float]:
        """Best feasible route, as (cost, sites, link names, latency ms); raises PlanningError."""
        required = RANK[security]
        if src == dst:
            return 0, [src], [], 0.0
        # The bound is checked in the same integer picoseconds the search adds up.
        bound_ps = _as_int_ps(max_latency_ms)
        found = self._search(src, dst, required, bandwidth, used, latency_first=False)
        fastest = None
        if found is not None:
            if self._latency_ps(found[2]) > bound_ps:
                found = fastest = self._search(src, dst, required, bandwidth, used, latency_first=True)
            if self._latency_ps(found[2]) <= bound_ps:
                cost, sites, links = found
                return cost, sites, links, self.latency_of(links)
        raise self._diagnose(conn_name, src, dst, security, bandwidth, max_latency_ms, used, fastest)

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
            return PlanningError(
                head + f"closest: {' -> '.join(fastest[1])} takes {latency:g} ms", conn_name, "latency"
            )
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
    closest = None
    for name in names:
        vcpu, memory = _free_compute(topology, reservations, name)
        if vcpu >= want.vcpu and memory >= want.memory_gb:
            fitting.append(name)
        elif closest is None:
            closest = (name, vcpu, memory)
    if not fitting:
        where = f"site {want.site}" if want.site else f"no site with role {want.site_role}"
        verb = "has not" if want.site else "has"
        detail = (
            f"; closest: {closest[0]} has {closest[1]:g} vCPU and {closest[2]:g} GB free" if closest else ""
        )
        raise PlanningError(
            f"compute: {where} {verb} {want.vcpu} vCPU and {want.memory_gb:g} GB memory free{detail}",
            None,
            "compute",
        )
    return fitting


def _allocate_vlan(taken: set[int]) -> int:
    for vlan in range(VLAN_RANGE[0], VLAN_RANGE[1] + 1):
        if vlan not in taken:
            return vlan
    raise PlanningError(f"vlan: every VLAN in {VLAN_RANGE[0]}-{VLAN_RANGE[1]} is in use", None, "vlan")


def _plan_at(engine: PathEngine, request: SliceRequest, compute_site: str | None, reservations: dict):
    used = dict(reservations.get("links", {}))
    vlans_taken = set(reservations.get("vlans", []))
    total = 0
    planned = []
    for conn in request.connections:
        src = compute_site if conn.src == COMPUTE_ENDPOINT else conn.src
        dst = compute_site if conn.dst == COMPUTE_ENDPOINT else conn.dst
        cost, sites, links, latency = engine.route(
            conn.name, src, dst, conn.security, conn.bandwidth_mbps, conn.max_latency_ms, used
        )
        for name in links:
            used[name] = used.get(name, 0.0) + conn.bandwidth_mbps
        vlan = _allocate_vlan(vlans_taken)
        vlans_taken.add(vlan)
        total += cost
        planned.append(_planned(engine.topology, conn, src, dst, sites, links, latency, vlan))
    return total, planned


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


def plan_slice(
    request: SliceRequest,
    topology: Topology,
    reservations: dict | None = None,
    engine: PathEngine | None = None,
) -> SlicePlan:
    """Plan every connection of a validated slice request; raises PlanningError."""
    reservations = reservations or {}
    engine = engine or PathEngine(topology)
    uses_compute = any(c.uses_compute for c in request.connections)
    compute = (
        {"vcpu": request.compute.vcpu, "memory_gb": request.compute.memory_gb} if request.compute else None
    )
    if request.compute is None:
        planned = _plan_at(engine, request, None, reservations)[1]
        return SlicePlan(request.id, None, None, planned)
    candidates = _compute_candidates(request, topology, reservations)
    if not uses_compute:
        planned = _plan_at(engine, request, candidates[0], reservations)[1]
        return SlicePlan(request.id, candidates[0], compute, planned)
    best = None
    failures = []
    for site in candidates:
        try:
            total, planned = _plan_at(engine, request, site, reservations)
        except PlanningError as exc:
            failures.append((site, exc))
            continue
        if best is None or total < best[0]:
            best = (total, site, planned)
    if best is None:
        if len(failures) == 1:
            raise failures[0][1]
        detail = "; ".join(f"at {site}: {exc}" for site, exc in failures)
        first = failures[0][1]
        raise PlanningError(f"no compute site works: {detail}", first.connection, first.constraint)
    return SlicePlan(request.id, best[1], compute, best[2])


__all__ = ["LEVELS", "PathEngine", "PlannedConnection", "PlanningError", "SlicePlan", "plan_slice"]
