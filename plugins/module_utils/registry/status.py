# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Slice status that people and programs can read: one structured report, and aligned tables.

`status_report` joins the registry's records and reservations with the topology (capacity and
security of every link) and the key hosts' stream status into plain data (what the info module
returns and `-e format=json` prints); `format_report` renders that same data as aligned text
tables. Pure functions: the callers read the registry and the key hosts.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 - parses replies of the operator's own key hosts
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

KS_NS = "urn:qsafe:yang:key-stream"


# ---- tables ----------------------------------------------------------------------------------
def cell(value: Any) -> str:
    """One table cell as text: no Python reprs (None -> '-', lists joined, floats trimmed)."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    if isinstance(value, list | tuple):
        return " ".join(cell(v) for v in value) if value else "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items()) if value else "-"
    return str(value)


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Iterable[int] = ()) -> str:
    """Aligned columns, a rule under the headers; columns listed in `numeric` right-aligned."""
    right = set(numeric)
    text_rows = [[cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells, the table has {len(headers)} columns: {row}")
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(row) for row in text_rows)
    return "\n".join(out)


# ---- key streams -------------------------------------------------------------------------------
def parse_key_streams(data_xml: str) -> list[dict[str, Any]]:
    """Streams of one key host from a get-config reply: configuration and the status that the
    key-script daemon writes (key IDs, last rotation, rotation count, last error; never keys)."""
    root = ET.fromstring(data_xml)  # noqa: S314 - the operator's own key host
    out = []
    for stream in root.iter(f"{{{KS_NS}}}stream"):

        def text(*path: str, _s=stream) -> str | None:
            node = _s
            for part in path:
                node = node.find(f"{{{KS_NS}}}{part}") if node is not None else None
            return node.text if node is not None and node.text else None

        rotations = text("status", "rotations")
        out.append(
            {
                "name": text("name"),
                "channel": text("channel"),
                "method": text("method"),
                "role": text("role"),
                "card": text("card"),
                "refresh_s": int(text("refresh-interval") or 3),
                "enabled": (text("enabled") or "true") == "true",
                "current_key_id": text("status", "current-key-id"),
                "last_rotation": text("status", "last-rotation"),
                "rotations": int(rotations) if rotations else 0,
                "last_error": text("status", "last-error"),
            }
        )
    return out


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def key_stream_rows(by_host: Mapping[str, list[dict[str, Any]]], now: dt.datetime) -> list[dict[str, Any]]:
    """One row per stream across its two ends: method, channel, per end key ID and rotations, last
    rotation, key age in seconds (from the later end's last rotation) and whether both ends hold the
    same current key ID."""
    streams: dict[str, dict[str, Any]] = {}
    for host in sorted(by_host):
        for end in by_host[host]:
            row = streams.setdefault(
                end["name"],
                {
                    "stream": end["name"],
                    "method": end["method"],
                    "channel": end["channel"],
                    "refresh_s": end["refresh_s"],
                    "ends": {},
                },
            )
            row["ends"][host] = {
                "role": end["role"],
                "card": end["card"],
                "current_key_id": end["current_key_id"],
                "last_rotation": end["last_rotation"],
                "rotations": end["rotations"],
                "last_error": end["last_error"],
            }
    rows = []
    for name in sorted(streams):
        row = streams[name]
        ends = list(row["ends"].values())
        ids = {e["current_key_id"] for e in ends}
        times = [t for t in (_parse_time(e["last_rotation"]) for e in ends) if t is not None]
        last = max(times) if times else None
        row["agree"] = len(ends) == 2 and len(ids) == 1 and None not in ids
        row["current_key_id"] = ends[0]["current_key_id"] if row["agree"] else None
        row["last_rotation"] = last.strftime("%Y-%m-%dT%H:%M:%SZ") if last else None
        row["key_age_s"] = round((now - last).total_seconds(), 1) if last else None
        row["rotations"] = min(e["rotations"] for e in ends) if ends else 0
        row["errors"] = [f"{host}: {e['last_error']}" for host, e in row["ends"].items() if e["last_error"]]
        rows.append(row)
    return rows


# ---- the report ------------------------------------------------------------------------------------
def _links(topology: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    body = (topology or {}).get("topology", topology or {})
    return {link["name"]: link for link in body.get("links", []) or []}


def _sites(topology: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    body = (topology or {}).get("topology", topology or {})
    return {site["name"]: site for site in body.get("sites", []) or []}


def slice_rows(record: Mapping[str, Any], stale: Iterable[str] = ()) -> dict[str, Any]:
    """One slice's status: state, compute, last run, and per connection its route and SLOs."""
    plan = record.get("plan") or {}
    body = (record.get("descriptor") or {}).get("slice", record.get("descriptor") or {})
    wanted = {c.get("name"): c for c in body.get("connections", [])}
    steps = record.get("steps") or []
    connections = []
    for conn in plan.get("connections", []):
        asked = wanted.get(conn.get("name"), {})
        latency = conn.get("latency_ms")
        bound = conn.get("max_latency_ms", asked.get("max_latency_ms"))
        connections.append(
            {
                "name": conn.get("name"),
                "from": conn.get("from"),
                "to": conn.get("to"),
                "sites": list(conn.get("sites", [])),
                "links": list(conn.get("links", [])),
                "hop_security": list(conn.get("hop_security", [])),
                "required_security": conn.get("security", asked.get("security")),
                "latency_ms": round(float(latency), 3) if latency is not None else None,
                "max_latency_ms": bound,
                "latency_ok": None if latency is None or bound is None else float(latency) <= float(bound),
                "bandwidth_mbps": conn.get("bandwidth_mbps", asked.get("bandwidth_mbps")),
                "vlan": conn.get("vlan"),
            }
        )
    statuses: dict[str, int] = {}
    for step in steps:
        statuses[step.get("status")] = statuses.get(step.get("status"), 0) + 1
    return {
        "id": record.get("id"),
        "state": record.get("state"),
        "stale": record.get("id") in set(stale),
        "compute_site": plan.get("compute_site"),
        "compute": plan.get("compute") or body.get("compute"),
        "updated_at": record.get("updated_at"),
        "last_error": record.get("last_error"),
        "last_run": {
            "run": record.get("run"),
            "steps": len(steps),
            "device_seconds": round(sum(float(s.get("seconds") or 0) for s in steps), 3),
            "statuses": statuses,
        },
        "connections": connections,
    }


def link_utilisation(reservations: Mapping[str, Any], topology: Mapping[str, Any] | None) -> list[dict]:
    """Reserved bandwidth per link against its capacity (links that hold a reservation)."""
    links = _links(topology)
    rows = []
    for name, reserved in sorted((reservations or {}).get("links", {}).items()):
        link = links.get(name, {})
        capacity = link.get("capacity_mbps")
        rows.append(
            {
                "link": name,
                "a": link.get("a"),
                "b": link.get("b"),
                "security": link.get("security"),
                "reserved_mbps": reserved,
                "capacity_mbps": capacity,
                "utilisation": round(float(reserved) / float(capacity), 4) if capacity else None,
            }
        )
    return rows


def capacity_by_security(reservations: Mapping[str, Any], topology: Mapping[str, Any] | None) -> list[dict]:
    """Reserved and free bandwidth summed over the links of each security level."""
    reserved = (reservations or {}).get("links", {})
    totals: dict[str, dict[str, float]] = {}
    for name, link in _links(topology).items():
        level = totals.setdefault(
            link.get("security"), {"capacity_mbps": 0.0, "reserved_mbps": 0.0, "links": 0}
        )
        level["capacity_mbps"] += float(link.get("capacity_mbps") or 0)
        level["reserved_mbps"] += float(reserved.get(name, 0))
        level["links"] += 1
    rows = []
    for security, t in totals.items():
        rows.append(
            {
                "security": security,
                "links": t["links"],
                "capacity_mbps": t["capacity_mbps"],
                "reserved_mbps": t["reserved_mbps"],
                "free_mbps": t["capacity_mbps"] - t["reserved_mbps"],
            }
        )
    order = ("none", "dh", "qra", "qkd", "hybrid")
    return sorted(
        rows, key=lambda r: (order.index(r["security"]) if r["security"] in order else 99, r["security"])
    )


def compute_utilisation(reservations: Mapping[str, Any], topology: Mapping[str, Any] | None) -> list[dict]:
    sites = _sites(topology)
    rows = []
    for name, used in sorted((reservations or {}).get("compute", {}).items()):
        capacity = sites.get(name, {}).get("compute") or {}
        rows.append(
            {
                "site": name,
                "vcpu_reserved": used.get("vcpu"),
                "vcpu_capacity": capacity.get("vcpu"),
                "memory_gb_reserved": used.get("memory_gb"),
                "memory_gb_capacity": capacity.get("memory_gb"),
            }
        )
    return rows


def status_report(
    records: list[Mapping[str, Any]],
    reservations: Mapping[str, Any] | None = None,
    topology: Mapping[str, Any] | None = None,
    *,
    stale: Iterable[str] = (),
    lock_holder: Mapping[str, Any] | None = None,
    backend: str | None = None,
    key_streams: list[dict[str, Any]] | None = None,
    key_streams_error: str | None = None,
) -> dict[str, Any]:
    """Everything `slice_status` shows, as plain data (JSON-serialisable)."""
    stale = list(stale)
    report: dict[str, Any] = {
        "registry": {
            "backend": backend,
            "lock_holder": dict(lock_holder) if lock_holder else None,
            "stale": stale,
        },
        "slices": [slice_rows(r, stale) for r in records],
        "links": link_utilisation(reservations or {}, topology),
        "capacity_by_security": capacity_by_security(reservations or {}, topology),
        "compute": compute_utilisation(reservations or {}, topology),
        "vlans": list((reservations or {}).get("vlans", [])),
        "key_streams": key_streams if key_streams is not None else [],
    }
    if key_streams_error:
        report["key_streams_error"] = key_streams_error
    return report


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def format_report(report: Mapping[str, Any]) -> str:
    """The report as aligned text tables (what `slice_status.yml` prints)."""
    reg = report["registry"]
    holder = reg.get("lock_holder")
    lines = [
        f"registry: {reg.get('backend') or '-'}",
        "orchestrator lock: "
        + (
            f"held by {holder.get('holder')} (pid {holder.get('pid')} on {holder.get('host')})"
            f" since {holder.get('since')}"
            if holder
            else "free"
        ),
        f"stale slices (controller gone mid-run): {', '.join(reg.get('stale') or []) or 'none'}",
        "",
    ]
    slices = report["slices"]
    if not slices:
        lines.append("no slices in the registry")
    else:
        lines.append(
            format_table(
                [
                    "slice",
                    "state",
                    "compute",
                    "vcpu",
                    "mem GB",
                    "last run",
                    "device s",
                    "updated",
                    "last error",
                ],
                [
                    [
                        s["id"],
                        s["state"] + (" (stale)" if s["stale"] else ""),
                        s["compute_site"],
                        (s["compute"] or {}).get("vcpu"),
                        (s["compute"] or {}).get("memory_gb"),
                        f"{s['last_run']['steps']} step"
                        + ("" if s["last_run"]["steps"] == 1 else "s")
                        + (f" ({cell(s['last_run']['statuses'])})" if s["last_run"]["statuses"] else ""),
                        s["last_run"]["device_seconds"],
                        s["updated_at"],
                        (s["last_error"] or "")[:80],
                    ]
                    for s in slices
                ],
                numeric=(3, 4, 6),
            )
        )
        lines.append("")
        rows = []
        for s in slices:
            for c in s["connections"]:
                rows.append(
                    [
                        s["id"],
                        c["name"],
                        " > ".join(c["sites"]),
                        f"{' '.join(c['hop_security'])} (>= {c['required_security']})",
                        f"{cell(c['latency_ms'])} / {cell(c['max_latency_ms'])}"
                        + ("" if c["latency_ok"] in (None, True) else " OVER"),
                        c["bandwidth_mbps"],
                        c["vlan"],
                    ]
                )
        lines.append(
            format_table(
                ["slice", "connection", "route", "security per hop", "latency ms / bound", "Mbit/s", "VLAN"],
                rows,
                numeric=(5, 6),
            )
        )
    lines.append("")
    if report["links"]:
        lines.append(
            format_table(
                ["link", "security", "reserved Mbit/s", "capacity", "utilisation"],
                [
                    [r["link"], r["security"], r["reserved_mbps"], r["capacity_mbps"], _pct(r["utilisation"])]
                    for r in report["links"]
                ],
                numeric=(2, 3, 4),
            )
        )
    else:
        lines.append("no link reservations")
    if report["capacity_by_security"]:
        lines.append("")
        lines.append(
            format_table(
                ["security", "links", "capacity Mbit/s", "reserved", "free"],
                [
                    [r["security"], r["links"], r["capacity_mbps"], r["reserved_mbps"], r["free_mbps"]]
                    for r in report["capacity_by_security"]
                ],
                numeric=(1, 2, 3, 4),
            )
        )
    if report["compute"]:
        lines.append("")
        lines.append(
            format_table(
                ["compute site", "vcpu reserved", "of", "memory GB reserved", "of"],
                [
                    [
                        r["site"],
                        r["vcpu_reserved"],
                        r["vcpu_capacity"],
                        r["memory_gb_reserved"],
                        r["memory_gb_capacity"],
                    ]
                    for r in report["compute"]
                ],
                numeric=(1, 2, 3, 4),
            )
        )
    lines.append("")
    if report.get("key_streams_error"):
        lines.append(f"key streams: not read ({report['key_streams_error']})")
    elif report["key_streams"]:
        lines.append(
            format_table(
                [
                    "key stream",
                    "method",
                    "channel",
                    "refresh s",
                    "rotations",
                    "last rotation",
                    "key age s",
                    "key ID (both ends)",
                    "ends agree",
                ],
                [
                    [
                        k["stream"],
                        k["method"],
                        k["channel"],
                        k["refresh_s"],
                        k["rotations"],
                        k["last_rotation"],
                        k["key_age_s"],
                        k["current_key_id"]
                        or " / ".join(cell(e["current_key_id"])[:8] for e in k["ends"].values()),
                        k["agree"],
                    ]
                    for k in report["key_streams"]
                ],
                numeric=(3, 4, 6),
            )
        )
        for k in report["key_streams"]:
            for error in k.get("errors", []):
                lines.append(f"  {k['stream']} {error}")
    else:
        lines.append("no key streams configured")
    return "\n".join(lines).rstrip() + "\n"


# The slice_status module's options (documented in plugins/modules/slice_status.py).
STATUS_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "slice_id": {"type": "str"},
    "topology": {"type": "dict", "required": True},
    "key_hosts": {"type": "list", "elements": "str", "default": [], "no_log": False},
    "format": {"type": "str", "choices": ["text", "json", "ietf", "none"], "default": "text"},
    "netconf_timeout": {"type": "float", "default": 10},
    "dsn": {"type": "str"},
    "path": {"type": "path"},
    "state_dir": {"type": "path"},
}
