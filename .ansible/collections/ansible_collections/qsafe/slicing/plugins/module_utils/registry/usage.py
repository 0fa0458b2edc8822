# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a plan reserves, and whether it still fits: pure functions, no storage.

Kept apart from the backends so that the rule "a plan fits" is written once and is the same
for SQLite and PostgreSQL; the backends only make the read-check-write atomic.
"""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.vlans import vlan_problem
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.errors import (
    CapacityError,
    RegistryInputError,
)


def fmt_number(value: float) -> str:
    """9600.0 -> '9600', 2.5 -> '2.5' (no exponent, no trailing .0) for messages."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def as_number(value: float) -> int | float:
    """Give integral values back as int so JSON output reads 1000, not 1000.0."""
    return int(value) if float(value).is_integer() else float(value)


def empty_usage() -> dict:
    return {"links": {}, "compute": {}, "vlans": []}


def _number(value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RegistryInputError(f"{field}: must be a number >= 0, got {value!r}")
    return float(value)


def plan_usage(slice_id: str, plan: dict) -> dict:
    """Resources a plan holds, in the reservations format.

    Bandwidth counts once per connection crossing a link (two connections of one slice on
    the same link take twice the bandwidth); compute is taken on `compute_site`; each
    connection's VLAN is taken. Two connections of one slice may not share a VLAN, since the
    switches could not tell them apart.
    """
    if not isinstance(plan, dict):
        raise RegistryInputError(f"plan: must be a mapping, got {type(plan).__name__}")
    if plan.get("slice_id", slice_id) != slice_id:
        raise RegistryInputError(
            f"plan.slice_id: {plan.get('slice_id')!r} does not match slice id {slice_id!r}"
        )
    links: dict[str, float] = {}
    vlans: list[int] = []
    connections = plan.get("connections", [])
    if not isinstance(connections, list):
        raise RegistryInputError("plan.connections: must be a list")
    for index, conn in enumerate(connections):
        where = f"plan.connections[{index}]"
        if not isinstance(conn, dict):
            raise RegistryInputError(f"{where}: must be a mapping")
        bandwidth = _number(conn.get("bandwidth_mbps"), f"{where}.bandwidth_mbps")
        conn_links = conn.get("links")
        if not isinstance(conn_links, list) or not all(isinstance(x, str) and x for x in conn_links):
            raise RegistryInputError(f"{where}.links: must be a list of link names")
        for link in conn_links:
            links[link] = links.get(link, 0.0) + bandwidth
        vlan = conn.get("vlan")
        if vlan is None:
            continue
        problem = vlan_problem(vlan)
        if problem:
            raise RegistryInputError(f"{where}.vlan: {problem}")
        if vlan in vlans:
            raise RegistryInputError(f"{where}.vlan: {vlan} is used by another connection of the slice")
        vlans.append(vlan)
    compute: dict[str, dict[str, float]] = {}
    site = plan.get("compute_site")
    need = plan.get("compute")
    if site is not None or need is not None:
        if not isinstance(site, str) or not site:
            raise RegistryInputError("plan.compute_site: must name a site when plan.compute is set")
        if not isinstance(need, dict):
            raise RegistryInputError("plan.compute: must be a mapping with vcpu and memory_gb")
        compute[site] = {
            "vcpu": _number(need.get("vcpu", 0), "plan.compute.vcpu"),
            "memory_gb": _number(need.get("memory_gb", 0), "plan.compute.memory_gb"),
        }
    return {"links": links, "compute": compute, "vlans": sorted(vlans)}


def check_capacities(capacities: dict) -> None:
    """Reject a malformed capacities mapping before anything is read or written."""
    if not isinstance(capacities, dict):
        raise RegistryInputError("capacities: must be a mapping with 'links' and 'compute'")
    links = capacities.get("links", {})
    if not isinstance(links, dict):
        raise RegistryInputError("capacities.links: must map link name to capacity_mbps")
    for name, cap in links.items():
        _number(cap, f"capacities.links[{name}]")
    compute = capacities.get("compute", {})
    if not isinstance(compute, dict):
        raise RegistryInputError("capacities.compute: must map site name to {vcpu, memory_gb}")
    for site, cap in compute.items():
        if not isinstance(cap, dict):
            raise RegistryInputError(f"capacities.compute[{site}]: must be a mapping with vcpu and memory_gb")
        for field in ("vcpu", "memory_gb"):
            _number(cap.get(field, 0), f"capacities.compute[{site}].{field}")


def violations(slice_id: str, usage: dict, current: dict, capacities: dict) -> list[str]:
    """Every way `usage` added to `current` breaks `capacities`; empty when it fits."""
    found: list[str] = []
    link_caps = capacities.get("links", {})
    for link in sorted(usage["links"]):
        requested = usage["links"][link]
        if link not in link_caps:
            found.append(f"link {link}: not in the topology (no capacity known)")
            continue
        reserved = float(current["links"].get(link, 0))
        if reserved + requested > float(link_caps[link]):
            found.append(
                f"link {link}: {fmt_number(reserved)} Mbit/s reserved + {fmt_number(requested)} requested"
                f" > {fmt_number(link_caps[link])} capacity"
            )
    compute_caps = capacities.get("compute", {})
    for site in sorted(usage["compute"]):
        if site not in compute_caps:
            found.append(f"compute site {site}: not in the topology (no compute capacity known)")
            continue
        for field in ("vcpu", "memory_gb"):
            requested = usage["compute"][site][field]
            reserved = float(current["compute"].get(site, {}).get(field, 0))
            capacity = float(compute_caps[site].get(field, 0))
            if requested and reserved + requested > capacity:
                found.append(
                    f"compute site {site}: {field} {fmt_number(reserved)} reserved + {fmt_number(requested)}"
                    f" requested > {fmt_number(capacity)} capacity"
                )
    owners = current.get("vlan_owners", {})
    for vlan in usage["vlans"]:
        if vlan in owners:
            found.append(f"vlan {vlan}: already reserved by slice {owners[vlan]}")
    return found


def require_fit(slice_id: str, usage: dict, current: dict, capacities: dict) -> None:
    found = violations(slice_id, usage, current, capacities)
    if found:
        raise CapacityError(slice_id, found)


def capacities_from_topology(topology: dict) -> dict:
    """Capacities from a topology file's mapping (the contract's `topology:` document)."""
    topo = topology.get("topology", topology) if isinstance(topology, dict) else None
    if not isinstance(topo, dict):
        raise RegistryInputError("topology: must be a mapping")
    links = {link["name"]: link["capacity_mbps"] for link in topo.get("links", [])}
    compute = {
        site["name"]: {
            "vcpu": site["compute"].get("vcpu", 0),
            "memory_gb": site["compute"].get("memory_gb", 0),
        }
        for site in topo.get("sites", [])
        if site.get("compute")
    }
    return {"links": links, "compute": compute}
