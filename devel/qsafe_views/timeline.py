# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provisioning timeline of a run (the paper's Fig. 7 swim lane) and the Fig. 6 histograms.

Timeline: one lane per device (or device kind), each step a bar from its recorded wall-clock start
(`detail.started_at`, written by device_steps) for its recorded duration; confirmed commits are
ticked, failed steps red, rolled-back steps hatched. Histograms: per use case and phase, the
`devel/bench/provision.py` series with the paper's 60-120 s range shaded for comparison.
Both return what they drew so tests can compare it with the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

STATUS_COLOURS = {
    "changed": "#2ca02c",
    "ok": "#9e9e9e",
    "skipped": "#dddddd",
    "failed": "#d62728",
    "rolled_back": "#ff7f0e",
    "rollback_failed": "#8c0000",
}
PAPER_RANGE_S = (60.0, 120.0)  # the paper's measured slice set-up / tear-down times (Fig. 6)


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _device_kind(device: str) -> str:
    """sw-cell-1 -> sw, tce-ch3-a -> tce, keys-a -> keys (the lane when lanes are device kinds)."""
    return device.split("-", 1)[0]


def timeline_bars(steps: Sequence[Mapping[str, Any]], lanes: str = "device") -> list[dict[str, Any]]:
    """Bars of a run: lane, start (s from the first step), seconds, status, commit, index, name.

    Start times come from the steps' recorded `detail.started_at`; a step without one starts where
    the previous bar ended (marked `estimated_start`)."""
    starts = [_epoch((s.get("detail") or {}).get("started_at")) for s in steps]
    known = [t for t in starts if t is not None]
    origin = min(known) if known else 0.0
    bars = []
    cursor = 0.0
    for step, start in zip(steps, starts):
        detail = step.get("detail") or {}
        device = detail.get("device") or "?"
        begin = start - origin if start is not None else cursor
        seconds = float(step.get("seconds") or 0.0)
        bars.append(
            {
                "lane": device if lanes == "device" else _device_kind(device),
                "device": device,
                "start_s": round(begin, 4),
                "seconds": seconds,
                "status": step.get("status"),
                "commit": detail.get("commit"),
                "index": step.get("index"),
                "name": step.get("name"),
                "estimated_start": start is None,
            }
        )
        cursor = max(cursor, begin + seconds)
    return bars


def draw_timeline(
    record: Mapping[str, Any], out_stem: Path, lanes: str = "device", title: str | None = None
) -> dict[str, Any]:
    """Write <out_stem>.png and .svg for the record's current run; return {'bars', 'lanes', 'files'}."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    steps = record.get("steps") or []
    bars = timeline_bars(steps, lanes)
    order: list[str] = []
    for bar in bars:
        if bar["lane"] not in order:
            order.append(bar["lane"])
    fig, ax = plt.subplots(figsize=(12, 0.42 * max(3, len(order)) + 1.6))
    for bar in bars:
        y = order.index(bar["lane"])
        width = max(bar["seconds"], 0.002)
        ax.barh(
            y,
            width,
            left=bar["start_s"],
            height=0.6,
            color=STATUS_COLOURS.get(bar["status"], "#000000"),
            edgecolor="black",
            linewidth=0.3,
            hatch="///" if bar["status"] in ("rolled_back", "rollback_failed") else None,
        )
        if (bar["commit"] or "").startswith("confirmed"):
            ax.plot([bar["start_s"] + width], [y], marker="|", color="black", markersize=9)
    ax.set_yticks(range(len(order)), order, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(
        "seconds from the first step"
        + (" (some starts estimated)" if any(b["estimated_start"] for b in bars) else "")
    )
    ax.grid(axis="x", alpha=0.3)
    total = max((b["start_s"] + b["seconds"] for b in bars), default=0.0)
    statuses = sorted({b["status"] for b in bars})
    handles = [Patch(color=STATUS_COLOURS.get(s, "#000"), label=s) for s in statuses]
    handles.append(
        plt.Line2D([], [], marker="|", color="black", ls="", markersize=9, label="confirmed commit")
    )
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(
        title
        or f"slice {record.get('id')} ({record.get('state')}): run {record.get('run')}, "
        f"{len(bars)} steps in {total:.2f} s on {len(order)} {'devices' if lanes == 'device' else 'kinds'}"
    )
    fig.tight_layout()
    files = []
    for suffix in (".png", ".svg"):
        path = Path(str(out_stem) + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120, bbox_inches="tight")
        files.append(str(path))
    plt.close(fig)
    return {"bars": bars, "lanes": order, "files": files}


def bench_sources(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """How a `devel/bench/provision.py` results file was made: command, start, load averages, and
    the cycles each use case completed (a run stopped early keeps the cycles it finished)."""
    if "sources" in results:
        return list(results["sources"])
    loads = [
        cycle["loadavg"][0]
        for data in results.get("use_cases", {}).values()
        for cycle in data.get("cycles", [])
        if cycle.get("loadavg")
    ]
    return [
        {
            "command": results.get("command", "devel/bench/provision.py"),
            "started_at": results.get("started_at"),
            "complete": results.get("complete", True),
            "use_cases": {
                name: len(data.get("cycles") or data["series"].get("provision", []))
                for name, data in results.get("use_cases", {}).items()
            },
            "loadavg_1min": [min(loads), max(loads)] if loads else None,
            "cpus": results.get("cpus"),
        }
    ]


def merge_bench_results(results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Several results files (e.g. one run per use case) as one, keeping where each came from."""
    merged: dict[str, Any] = {"use_cases": {}, "sources": []}
    for one in results:
        for name, data in one.get("use_cases", {}).items():
            if name in merged["use_cases"]:
                raise ValueError(f"use case {name!r} is in more than one results file")
            merged["use_cases"][name] = data
        merged["sources"] += bench_sources(one)
    return merged


def _source_line(source: Mapping[str, Any]) -> str:
    cycles = ", ".join(f"{name} {n} cycles" for name, n in source.get("use_cases", {}).items())
    load = source.get("loadavg_1min")
    cpus = f" on {source['cpus']} CPUs" if source.get("cpus") else ""
    where = f"; 1-min load average {load[0]:.1f}-{load[1]:.1f}{cpus}" if load else ""
    stopped = "" if source.get("complete", True) else " (stopped early)"
    return f"{source.get('command')}: {cycles}{stopped}{where}"


def draw_histograms(
    results: Mapping[str, Any], out_stem: Path, paper_range: tuple[float, float] = PAPER_RANGE_S
) -> dict[str, Any]:
    """Fig. 6: four panels (use case x provision/deprovision) of `devel/bench/provision.py` series.

    Each panel: the playbook's wall times, the plain ncclient floors, the paper's range shaded (on a
    log time axis so both the seconds measured here and the paper's minutes fit). Below the panels,
    the command(s) that measured them, the cycles done and the load average during the run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    cases = list(results["use_cases"])
    fig, axes = plt.subplots(len(cases), 2, figsize=(11, 3.3 * len(cases)), squeeze=False)
    panels = []
    for row, use_case in enumerate(cases):
        series = results["use_cases"][use_case]["series"]
        for col, phase in enumerate(("provision", "deprovision")):
            ax = axes[row][col]
            values = list(series[phase])
            floors = list(series.get(f"floor_{phase}", []))
            low = min(values + floors + [paper_range[0]]) * 0.8
            high = max(values + floors + [paper_range[1]]) * 1.2
            bins = np.geomspace(low, high, 40)
            ax.axvspan(
                *paper_range,
                color="#ffcc80",
                alpha=0.5,
                label=f"paper: {paper_range[0]:.0f}-{paper_range[1]:.0f} s",
            )
            counts, _edges, _patches = ax.hist(
                values, bins=bins, color="#1f77b4", alpha=0.85, label=f"ansible-playbook ({len(values)} runs)"
            )
            if floors:
                ax.hist(floors, bins=bins, color="#7f7f7f", alpha=0.6, label="plain ncclient floor")
            ax.set_xscale("log")
            ax.set_xlabel("seconds (log scale)")
            ax.set_ylabel("runs")
            ax.set_title(f"{use_case}: {phase}, median {float(np.median(values)):.2f} s")
            ax.legend(fontsize=7, loc="upper center")
            panels.append(
                {
                    "use_case": use_case,
                    "phase": phase,
                    "runs": len(values),
                    "counted": int(sum(counts)),
                    "median_s": float(np.median(values)),
                }
            )
    sources = [_source_line(source) for source in bench_sources(results)]
    fig.tight_layout(rect=(0, 0.03 * len(sources), 1, 1))
    for index, line in enumerate(sources):
        fig.text(0.01, 0.03 * (len(sources) - index - 0.6), line, fontsize=7, family="monospace")
    files = []
    for suffix in (".png", ".svg"):
        path = Path(str(out_stem) + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG text stays text (searchable)
            fig.savefig(path, dpi=110)
        files.append(str(path))
    plt.close(fig)
    return {"panels": panels, "files": files}
