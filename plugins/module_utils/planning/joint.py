# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Joint routing of a slice's connections under shared link capacity (conflict-based search).

Planning one connection at a time can refuse a slice that some other assignment carries: an
earlier connection takes the capacity a later one needs. This module searches every
assignment, best first:

- the root routes each connection alone, with the exact constrained route (the capacity that
  other slices hold is taken into account, the slice's own other connections are not);
- a node whose routes overload a link (their bandwidth together exceeds what is free on it)
  branches once per connection on that link: in branch *i*, connection *i* may not use it.
  Any assignment that carries the slice leaves at least one of those connections off the link,
  so it stays inside one branch: the search is complete;
- nodes are expanded in order of total cost (the sum of the connections' packed
  premium/latency/hops costs); each node's routes are optimal under its exclusions, so its cost
  is a lower bound of every assignment below it, and the first node without an overload is the
  optimum.

Worst case: the tree has at most one level per (connection, link) exclusion, so it is
exponential in the number of conflicting links; each node costs one exact route computation.
`search` therefore takes a deadline and a node budget, and says which one stopped it.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Sequence

Route = tuple  # (cost, sites, links, latency_ms), as PathEngine.route returns


class JointStopped(Exception):
    """The budget ran out before the search finished: `nodes` expanded, `reason` says which limit."""

    def __init__(self, nodes: int, reason: str):
        super().__init__(f"joint search stopped after {nodes} branches ({reason})")
        self.nodes = nodes
        self.reason = reason


class JointInfeasible(Exception):
    """The search finished: no assignment carries every connection together."""

    def __init__(self, nodes: int, link: str | None):
        super().__init__(f"no assignment carries every connection together ({nodes} branches searched)")
        self.nodes = nodes
        self.link = link


def first_overload(
    routes: Sequence[Route], bandwidths: Sequence[float], free: Callable[[str], float]
) -> tuple[str, list[int]] | None:
    """The first link (by name) whose connections together need more than is free on it."""
    load: dict[str, float] = {}
    members: dict[str, list[int]] = {}
    for index, route in enumerate(routes):
        for name in route[2]:
            load[name] = load.get(name, 0.0) + bandwidths[index]
            members.setdefault(name, []).append(index)
    for name in sorted(load):
        if len(members[name]) > 1 and free(name) < load[name]:
            return name, members[name]
    return None


def search(
    solve: Callable[[int, frozenset], Route | None],
    bandwidths: Sequence[float],
    free: Callable[[str], float],
    deadline: float,
    max_nodes: int,
) -> tuple[int, list[Route]]:
    """Least-cost assignment of routes that fits the free capacity.

    `solve(i, excluded)` is connection i's best route avoiding the `excluded` link names, or None;
    `free(link)` the capacity other slices leave on a link. Returns (total cost, routes); raises
    JointInfeasible when no assignment exists (including a connection with no route even alone:
    then `link` is None), JointStopped when `deadline` (time.monotonic) or `max_nodes` is reached.
    """
    count = len(bandwidths)
    root_exclusions = tuple(frozenset() for _round in range(count))
    routes = []
    for index in range(count):
        route = solve(index, frozenset())
        if route is None:
            raise JointInfeasible(0, None)
        routes.append(route)
    heap = [(sum(r[0] for r in routes), 0, root_exclusions, routes)]
    seen = {root_exclusions}
    pushed = nodes = 0
    last_link = None
    while heap:
        if nodes >= max_nodes:
            raise JointStopped(nodes, f"budget of {max_nodes} branches")
        if time.monotonic() > deadline:
            raise JointStopped(nodes, "time budget")
        total, _order, exclusions, routes = heapq.heappop(heap)
        nodes += 1
        overload = first_overload(routes, bandwidths, free)
        if overload is None:
            return total, routes
        link, members = overload
        last_link = link
        for index in members:
            child = exclusions[:index] + (exclusions[index] | {link},) + exclusions[index + 1 :]
            if child in seen:
                continue
            seen.add(child)
            route = solve(index, child[index])
            if route is None:
                continue
            child_routes = routes[:index] + [route] + routes[index + 1 :]
            pushed += 1
            heapq.heappush(heap, (total - routes[index][0] + route[0], pushed, child, child_routes))
    raise JointInfeasible(nodes, last_link)
