# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network picture: every link coloured by its security level, every slice overlaid.

Sites are placed by role (cell, aggregation, metro, core from left to right) on small networks,
and from their `x_km`/`y_km` (or a force layout) on large ones; parallel links between two sites
(one per DWDM channel) are drawn side by side. Each slice connection's route is drawn over the very
links it uses, in the slice's colour, labelled with its VLAN; the compute site of each slice is
starred. Returns what was drawn so tests can compare it with the registry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

SECURITY_COLOURS = {
    "none": "#9e9e9e",
    "dh": "#1f77b4",
    "qra": "#2ca02c",
    "qkd": "#9467bd",
    "hybrid": "#ff7f0e",
}
ROLE_ORDER = ("cell", "aggregation", "metro", "core")
SMALL = 20  # sites: above this, labels only where slices run and no per-link names
SLICE_COLOURS = ("#d62728", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#ff7f0e", "#7f7f7f", "#1f77b4")
CONNECTION_STYLES = ("solid", "dashed", "dotted", "dashdot")


def _body(topology: Mapping[str, Any]) -> Mapping[str, Any]:
    return topology.get("topology", topology)


def layout(topology: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Site positions: by role columns when small, coordinates or a force layout when large."""
    sites = _body(topology)["sites"]
    if all("x_km" in s and "y_km" in s for s in sites):
        return {s["name"]: (float(s["x_km"]), float(s["y_km"])) for s in sites}
    if len(sites) <= SMALL:
        columns: dict[str, list[str]] = {}
        for site in sites:
            columns.setdefault(site.get("role", "?"), []).append(site["name"])
        order = [r for r in ROLE_ORDER if r in columns] + sorted(set(columns) - set(ROLE_ORDER))
        pos = {}
        for x, role in enumerate(order):
            names = columns[role]
            for i, name in enumerate(names):
                pos[name] = (float(x), (len(names) - 1) / 2.0 - i)
        return pos
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(s["name"] for s in sites)
    graph.add_edges_from((link["a"], link["b"]) for link in _body(topology)["links"])
    return {n: (float(x), float(y)) for n, (x, y) in nx.spring_layout(graph, seed=7, iterations=200).items()}


def _offsets(links: Sequence[Mapping[str, Any]], spacing: float) -> dict[str, float]:
    """Perpendicular offset of each link among the parallel links of its site pair."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for link in links:
        pairs.setdefault(tuple(sorted((link["a"], link["b"]))), []).append(link["name"])
    out = {}
    for names in pairs.values():
        for i, name in enumerate(names):
            out[name] = (i - (len(names) - 1) / 2.0) * spacing
    return out


def _segment(pos, a: str, b: str, offset: float) -> list[tuple[float, float]]:
    """The link's drawn path from a to b: leaves a, runs beside its parallel links shifted sideways
    by offset (sign fixed per sorted site pair), and joins b again, so bundles meet at the sites."""
    lo, hi = sorted((a, b))
    (x1, y1), (x2, y2) = pos[lo], pos[hi]
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    nx_, ny_ = -dy / length, dx / length
    bend = 0.15
    points = [
        (x1, y1),
        (x1 + dx * bend + nx_ * offset, y1 + dy * bend + ny_ * offset),
        (x2 - dx * bend + nx_ * offset, y2 - dy * bend + ny_ * offset),
        (x2, y2),
    ]
    return points if a == lo else points[::-1]


def draw_network(
    topology: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    out_stem: Path,
    title: str | None = None,
) -> dict[str, Any]:
    """Write <out_stem>.png and .svg; return {'links': {name: security}, 'routes': [...], 'compute': {...},
    'labels': [sites named], 'files': [...]} (routes: slice, connection, links, vlan, colour, in drawing
    order)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    body = _body(topology)
    sites, links = body["sites"], body["links"]
    pos = layout(topology)
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    small = len(sites) <= SMALL
    spacing = span * (0.018 if small else 0.004)
    offsets = _offsets(links, spacing)
    size = (12, 7) if small else (16, 14)
    fig, ax = plt.subplots(figsize=size)
    segments, colours = [], []
    drawn_links: dict[str, str] = {}
    for link in links:
        segments.append(_segment(pos, link["a"], link["b"], offsets[link["name"]]))
        colours.append(SECURITY_COLOURS.get(link["security"], "#000000"))
        drawn_links[link["name"]] = link["security"]
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=2.2 if small else 0.6, zorder=1))
    routes: list[dict[str, Any]] = []
    compute: dict[str, str] = {}
    live = [r for r in records if r.get("plan")]
    route_handles: list[Any] = []
    for number, record in enumerate(live):
        colour = SLICE_COLOURS[number % len(SLICE_COLOURS)]
        plan = record["plan"]
        shift = (number - (len(live) - 1) / 2.0) * spacing * 0.35
        for conn_index, conn in enumerate(plan.get("connections", [])):
            style = CONNECTION_STYLES[conn_index % len(CONNECTION_STYLES)]
            path = [
                _segment(pos, a, b, offsets.get(link_name, 0.0) + shift)
                for link_name, (a, b) in zip(conn["links"], zip(conn["sites"], conn["sites"][1:]))
            ]
            ax.add_collection(
                LineCollection(
                    path,
                    colors=colour,
                    linewidths=3.2 if small else 1.6,
                    alpha=0.9,
                    zorder=2,
                    linestyles=style,
                )
            )
            route_handles.append(
                Line2D(
                    [],
                    [],
                    color=colour,
                    lw=2.5,
                    ls=style,
                    label=f"{record['id']}/{conn['name']}: VLAN {conn.get('vlan', '-')}, "
                    f"{' '.join(conn.get('hop_security', []))}, {conn.get('latency_ms', 0):.3g} ms",
                )
            )
            routes.append(
                {
                    "slice": record["id"],
                    "connection": conn["name"],
                    "links": list(conn["links"]),
                    "sites": list(conn["sites"]),
                    "vlan": conn.get("vlan"),
                    "colour": colour,
                }
            )
        site = plan.get("compute_site")
        if site in pos:
            compute[record["id"]] = site
            ax.scatter(
                *pos[site],
                s=900 if small else 160,
                marker="*",
                color=colour,
                zorder=4,
                edgecolors="black",
                linewidths=0.6,
            )
    on_routes = {s for r in routes for s in r["sites"]} | set(compute.values())
    ax.scatter(
        xs,
        ys,
        s=380 if small else 14,
        color="white",
        edgecolors="black",
        zorder=3,
        linewidths=1.0 if small else 0.4,
    )
    labelled = []
    for site in sites:
        if small or site["name"] in on_routes or site.get("role") == "core":
            labelled.append(site["name"])
            x, y = pos[site["name"]]
            label = f"{site['name']}\n{site.get('role', '')}" if small else site["name"]
            ax.annotate(
                label,
                (x, y),
                xytext=(0, -22 if small else -7),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8 if small else 5,
                zorder=5,
            )
    handles = [
        Line2D([], [], color=c, lw=3, label=f"link: {lvl}")
        for lvl, c in SECURITY_COLOURS.items()
        if lvl in set(drawn_links.values())
    ]
    handles += [
        Line2D(
            [],
            [],
            color=SLICE_COLOURS[i % len(SLICE_COLOURS)],
            marker="*",
            ls="",
            markersize=12,
            label=f"slice {r['id']} ({r.get('state')}): compute at {r['plan'].get('compute_site', '-')}",
        )
        for i, r in enumerate(live)
    ]
    handles += route_handles
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_title(
        title
        or f"{body.get('name', 'network')}: {len(sites)} sites, {len(links)} links, {len(live)} slice(s)"
    )
    ax.autoscale()
    ax.margins(0.08)
    ax.set_aspect("equal" if not small else "auto")
    ax.axis("off")
    fig.tight_layout()
    files = []
    for suffix in (".png", ".svg"):
        path = Path(str(out_stem) + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=130 if small else 110, bbox_inches="tight")
        files.append(str(path))
    plt.close(fig)
    return {"links": drawn_links, "routes": routes, "compute": compute, "labels": labelled, "files": files}
