# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IETF Network Slice Service interface: requests in, operational state out.

A higher-level orchestrator speaks `ietf-network-slice-service` (draft-ietf-teas-ietf-network-
slice-nbi-yang, revision 2026-05-27, vendored under yang/ietf/) as JSON per RFC 7951. The
augmentation `qsafe-network-slice-security` (yang/) adds what a security-aware slice needs:
the minimum security level per connection group, the compute of the slice application and the
SDP that stands for the compute site; in the operational form, each construct's route.

Mapping (one descriptor connection <-> one connection group holding one point-to-point
connectivity construct):

| slice descriptor | ietf-network-slice-service |
|---|---|
| `slice.id`, `description` | `slice-service[id]`, `description` |
| `compute` | `qsafe-network-slice-security:compute` (site or site-role, vcpu, memory-gb) |
| endpoint site `cell-1` | an SDP with `node-id: cell-1` |
| endpoint `compute` | an SDP with `qsafe-network-slice-security:compute-endpoint` |
| connection `name` | `connection-group[id]` (`<group>-<construct id>` when a group has several) |
| `from`, `to` | the construct's `p2p-sender-sdp`, `p2p-receiver-sdp` |
| `bandwidth_mbps` | SLO `one-way-bandwidth` bound (unit bps, Kbps, Mbps, Gbps) |
| `max_latency_ms` | SLO `one-way-delay-maximum` bound (unit milliseconds or microseconds) |
| `security` | `qsafe-network-slice-security:minimum-security-level` (default none) |

SLO policies are inherited slice-service -> connection group -> construct, the nearer one
overriding per metric. `descriptor_from_ietf` gives a descriptor that is then validated like any
other (parse_slice); `ietf_from_record` gives the operational form of a registry record.
Pure functions, no I/O.
"""

from __future__ import annotations

import math
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import DescriptorError

NSS = "ietf-network-slice-service"
QNSS = "qsafe-network-slice-security"
TOP = f"{NSS}:network-slice-services"
COMPUTE_SDP = "compute"

BANDWIDTH = "one-way-bandwidth"
DELAY = "one-way-delay-maximum"
BANDWIDTH_UNITS_MBPS = {"bps": 1e-6, "kbps": 1e-3, "mbps": 1.0, "gbps": 1e3, "tbps": 1e6}
DELAY_UNITS_MS = {
    "milliseconds": 1.0,
    "millisecond": 1.0,
    "ms": 1.0,
    "msec": 1.0,
    "microseconds": 1e-3,
    "microsecond": 1e-3,
    "us": 1e-3,
    "usec": 1e-3,
    "nanoseconds": 1e-6,
    "ns": 1e-6,
}

# Registry state -> (admin-status, oper-status) identities of ietf-vpn-common.
_STATUS = {
    "planned": ("admin-pre-deployment", "op-down"),
    "provisioning": ("admin-up", "op-unknown"),
    "provisioned": ("admin-up", "op-up"),
    "failed": ("admin-up", "op-down"),
    "deprovisioning": ("admin-down", "op-unknown"),
    "deprovisioned": ("admin-down", "op-down"),
}


def is_ietf_request(document: Any) -> bool:
    """True when the document is an ietf-network-slice-service instance (RFC 7951 JSON)."""
    return isinstance(document, dict) and TOP in document


def _bare(identity: Any) -> Any:
    """`module:name` -> `name` (RFC 7951 identityref values may be namespace-qualified)."""
    return identity.split(":", 1)[1] if isinstance(identity, str) and ":" in identity else identity


def _list(node: dict, container: str, entry: str, where: str, problems: list[str]) -> list[tuple[str, Any]]:
    """Entries of node[container][entry] with their paths; a problem when not a list of objects."""
    block = node.get(container, {})
    if not isinstance(block, dict):
        problems.append(f"{where}.{container}: must be an object")
        return []
    items = block.get(entry, [])
    if not isinstance(items, list):
        problems.append(f"{where}.{container}.{entry}: must be a list")
        return []
    out = []
    for index, item in enumerate(items):
        path = f"{where}.{container}.{entry}[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{path}: must be an object")
            continue
        out.append((path, item))
    return out


def _number(value: Any) -> float | None:
    """A uint64 bound: a JSON number or, as RFC 7951 writes 64-bit integers, a string."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, int | float | str) else None
    except (ValueError, OverflowError):
        return None
    return number if number is not None and math.isfinite(number) else None


def _slo(node: dict, where: str, problems: list[str]) -> dict[str, tuple[float, str]]:
    """metric-type -> (bound, unit) of a custom service-slo-sle-policy (empty when none)."""
    policy = node.get("service-slo-sle-policy")
    if policy is None:
        if "slo-sle-template" in node:
            problems.append(
                f"{where}.slo-sle-template: templates are not supported; give service-slo-sle-policy"
            )
        return {}
    where = f"{where}.service-slo-sle-policy"
    if not isinstance(policy, dict):
        problems.append(f"{where}: must be an object")
        return {}
    bounds: dict[str, tuple[float, str]] = {}
    slo = policy.get("slo-policy", {})
    if not isinstance(slo, dict):
        problems.append(f"{where}.slo-policy: must be an object")
        return {}
    entries = slo.get("metric-bound", [])
    if not isinstance(entries, list):
        problems.append(f"{where}.slo-policy.metric-bound: must be a list")
        return {}
    for index, item in enumerate(entries):
        path = f"{where}.slo-policy.metric-bound[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{path}: must be an object")
            continue
        metric = _bare(item.get("metric-type"))
        bound = _number(item.get("bound"))
        unit = item.get("metric-unit")
        if metric not in (BANDWIDTH, DELAY):
            continue  # other SLOs (loss, availability, ...) are not planned for; ignored
        if bound is None or bound < 0:
            shown = str(item.get("bound"))[:40]
            problems.append(f"{path}.bound: must be a finite number >= 0, got {shown!r}")
            continue
        if not isinstance(unit, str):
            problems.append(f"{path}.metric-unit: required for {metric}")
            continue
        bounds[metric] = (bound, unit)
    return bounds


def _convert(metric: str, bound: float, unit: str, path: str, problems: list[str]) -> float | None:
    table, name = (BANDWIDTH_UNITS_MBPS, "bandwidth") if metric == BANDWIDTH else (DELAY_UNITS_MS, "delay")
    factor = table.get(unit.strip().lower().replace("/s", "ps"))
    if factor is None:
        problems.append(f"{path}: {name} unit {unit!r} is not one of {', '.join(sorted(table))}")
        return None
    value = bound * factor
    return int(value) if float(value).is_integer() else round(value, 6)


def descriptor_from_ietf(document: Any) -> dict:
    """The slice descriptor (`{'slice': {...}}`) of a one-slice ietf-network-slice-service request.

    Raises DescriptorError listing every problem, each naming its RFC 7951 path. The result still
    has to be validated as a descriptor (schema, topology) like any other.
    """
    problems: list[str] = []
    if not is_ietf_request(document):
        raise DescriptorError([f"(document): not an IETF Network Slice Service request (no {TOP!r} object)"])
    top = document[TOP]
    if not isinstance(top, dict):
        raise DescriptorError([f"{TOP}: must be an object"])
    items = top.get("slice-service")
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise DescriptorError(
            [f"{TOP}.slice-service: must hold exactly one slice service (one request per slice)"]
        )
    service = items[0]
    where = f"{TOP}.slice-service[0]"
    body: dict[str, Any] = {}
    if not isinstance(service.get("id"), str) or not service.get("id"):
        problems.append(f"{where}.id: required (the slice id)")
    else:
        body["id"] = service["id"]
    if isinstance(service.get("description"), str):
        body["description"] = service["description"]
    compute = service.get(f"{QNSS}:compute")
    if compute is not None:
        cpath = f"{where}.{QNSS}:compute"
        if not isinstance(compute, dict):
            problems.append(f"{cpath}: must be an object")
        else:
            block: dict[str, Any] = {}
            for ietf_name, name in (("site", "site"), ("site-role", "site_role")):
                if ietf_name in compute:
                    block[name] = compute[ietf_name]
            for ietf_name, name in (("vcpu", "vcpu"), ("memory-gb", "memory_gb")):
                value = _number(compute.get(ietf_name))
                if value is None:
                    problems.append(f"{cpath}.{ietf_name}: required, a number")
                else:
                    block[name] = int(value) if value.is_integer() else value
            body["compute"] = block
    endpoints: dict[str, str] = {}
    for path, sdp in _list(service, "sdps", "sdp", where, problems):
        sdp_id = sdp.get("id")
        if not isinstance(sdp_id, str) or not sdp_id:
            problems.append(f"{path}.id: required")
            continue
        if f"{QNSS}:compute-endpoint" in sdp:
            endpoints[sdp_id] = COMPUTE_SDP
        elif isinstance(sdp.get("node-id"), str) and sdp["node-id"]:
            endpoints[sdp_id] = sdp["node-id"]
        else:
            problems.append(
                f"{path}.node-id: required (the site of SDP {sdp_id!r}) unless it is the compute endpoint"
            )
    service_slo = _slo(service, where, problems)
    connections: list[dict[str, Any]] = []
    groups = _list(service, "connection-groups", "connection-group", where, problems)
    if not groups:
        problems.append(
            f"{where}.connection-groups.connection-group: at least one connection group is required"
        )
    for gpath, group in groups:
        group_id = group.get("id")
        if not isinstance(group_id, str) or not group_id:
            problems.append(f"{gpath}.id: required")
            continue
        group_slo = {**service_slo, **_slo(group, gpath, problems)}
        security = _bare(group.get(f"{QNSS}:minimum-security-level", "none"))
        items = group.get("connectivity-construct", [])
        if not isinstance(items, list) or not items:
            problems.append(
                f"{gpath}.connectivity-construct: at least one connectivity construct is required"
            )
            continue
        for index, construct in enumerate(items):
            cpath = f"{gpath}.connectivity-construct[{index}]"
            if not isinstance(construct, dict):
                problems.append(f"{cpath}: must be an object")
                continue
            cc_id = construct.get("id")
            if not isinstance(cc_id, str | int) or cc_id == "":
                problems.append(f"{cpath}.id: required")
                continue
            name = group_id if len(items) == 1 else f"{group_id}-{cc_id}"
            ends = []
            for leaf in ("p2p-sender-sdp", "p2p-receiver-sdp"):
                sdp_id = construct.get(leaf)
                if sdp_id is None:
                    problems.append(
                        f"{cpath}.{leaf}: required (only point-to-point constructs are supported)"
                    )
                elif not isinstance(sdp_id, str) or sdp_id not in endpoints:
                    problems.append(f"{cpath}.{leaf}: unknown sdp {sdp_id!r}")
                else:
                    ends.append(endpoints[sdp_id])
            slo = {**group_slo, **_slo(construct, cpath, problems)}
            values: dict[str, float] = {}
            for metric in (BANDWIDTH, DELAY):
                if metric not in slo:
                    problems.append(
                        f"{cpath}: no {metric} SLO (give a metric-bound in the construct's, its group's or "
                        f"the slice service's service-slo-sle-policy)"
                    )
                    continue
                converted = _convert(metric, *slo[metric], f"{cpath} {metric} metric-unit", problems)
                if converted is not None:
                    values[metric] = converted
            if len(ends) == 2 and len(values) == 2:
                connections.append(
                    {
                        "name": name,
                        "from": ends[0],
                        "to": ends[1],
                        "security": security,
                        "bandwidth_mbps": values[BANDWIDTH],
                        "max_latency_ms": values[DELAY],
                    }
                )
    if problems:
        raise DescriptorError(problems)
    body["connections"] = connections
    return {"slice": body}


def _bounds(bandwidth_mbps: float, latency_ms: float) -> list[dict[str, Any]]:
    if float(latency_ms).is_integer():
        delay = {"metric-unit": "milliseconds", "bound": str(int(latency_ms))}
    else:
        delay = {"metric-unit": "microseconds", "bound": str(int(round(latency_ms * 1000)))}
    if float(bandwidth_mbps).is_integer():
        bandwidth = {"metric-unit": "Mbps", "bound": str(int(bandwidth_mbps))}
    else:
        bandwidth = {"metric-unit": "bps", "bound": str(int(round(bandwidth_mbps * 1e6)))}
    return [
        {"metric-type": f"{NSS}:{BANDWIDTH}", **bandwidth},
        {"metric-type": f"{NSS}:{DELAY}", **delay},
    ]


def ietf_from_descriptor(document: dict, compute_site: str | None = None) -> dict:
    """The ietf-network-slice-service request (config only) for a slice descriptor.

    `compute_site` names the SDP node of the compute endpoint (operational form only).
    """
    body = document.get("slice", document)
    service: dict[str, Any] = {"id": body["id"]}
    if body.get("description"):
        service["description"] = body["description"]
    sdps: dict[str, dict[str, Any]] = {}
    for conn in body["connections"]:
        for end in (conn["from"], conn["to"]):
            if end in sdps:
                continue
            if end == COMPUTE_SDP:
                sdp: dict[str, Any] = {"id": COMPUTE_SDP, f"{QNSS}:compute-endpoint": [None]}
                if compute_site:
                    sdp["node-id"] = compute_site
            else:
                sdp = {"id": end, "node-id": end}
            sdps[end] = sdp
    service["sdps"] = {"sdp": list(sdps.values())}
    groups = []
    for conn in body["connections"]:
        groups.append(
            {
                "id": conn["name"],
                "connectivity-type": f"{NSS}:point-to-point",
                "service-slo-sle-policy": {
                    "slo-policy": {"metric-bound": _bounds(conn["bandwidth_mbps"], conn["max_latency_ms"])}
                },
                f"{QNSS}:minimum-security-level": f"{QNSS}:{conn['security']}",
                "connectivity-construct": [
                    {"id": conn["name"], "p2p-sender-sdp": conn["from"], "p2p-receiver-sdp": conn["to"]}
                ],
            }
        )
    service["connection-groups"] = {"connection-group": groups}
    compute = body.get("compute")
    if compute:
        block: dict[str, Any] = {}
        if "site" in compute:
            block["site"] = compute["site"]
        if "site_role" in compute:
            block["site-role"] = compute["site_role"]
        block["vcpu"] = compute["vcpu"]
        block["memory-gb"] = str(compute["memory_gb"])
        service[f"{QNSS}:compute"] = block
    return {TOP: {"slice-service": [service]}}


def ietf_from_record(record: dict) -> dict:
    """The operational form of a registry record: request + status + chosen compute site and routes."""
    plan = record.get("plan") or {}
    compute_site = plan.get("compute_site")
    document = ietf_from_descriptor(record["descriptor"], compute_site)
    service = document[TOP]["slice-service"][0]
    admin, oper = _STATUS.get(record.get("state"), ("admin-down", "op-unknown"))
    status = {
        "admin-status": {"status": f"ietf-vpn-common:{admin}"},
        "oper-status": {"status": f"ietf-vpn-common:{oper}"},
    }
    if record.get("updated_at"):
        status["oper-status"]["last-change"] = record["updated_at"]
    service["status"] = status
    if compute_site and f"{QNSS}:compute" in service:
        service[f"{QNSS}:compute"]["chosen-site"] = compute_site
    routes = {conn.get("name"): conn for conn in plan.get("connections", [])}
    for group in service["connection-groups"]["connection-group"]:
        route = routes.get(group["id"])
        construct = group["connectivity-construct"][0]
        construct["status"] = {
            "admin-status": {"status": f"ietf-vpn-common:{admin}"},
            "oper-status": {"status": f"ietf-vpn-common:{oper}"},
        }
        if not route:
            continue
        hops = [
            {"index": index, "link": link, "security-level": f"{QNSS}:{level}"}
            for index, (link, level) in enumerate(zip(route.get("links", []), route.get("hop_security", [])))
        ]
        block: dict[str, Any] = {"site": list(route.get("sites", [])), "hop": hops}
        if route.get("latency_ms") is not None:
            block["latency-us"] = str(int(round(float(route["latency_ms"]) * 1000)))
        if route.get("vlan") is not None:
            block["vlan"] = route["vlan"]
        construct[f"{QNSS}:route"] = block
    return document


def ietf_from_records(records: list[dict]) -> dict:
    """The operational form of every planned slice of the registry, in one network-slice-services."""
    services = [ietf_from_record(r)[TOP]["slice-service"][0] for r in records if r.get("plan")]
    return {TOP: {"slice-service": services}}
