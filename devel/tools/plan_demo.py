# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate and plan the two use-case slices on the testbed; print routes and device steps.

Used by `make demo`. Planning is pure Python: no device is touched here.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / ".venv" / "collections"))

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import (  # noqa: E402
    plan_from_documents,
)

TOPOLOGY = ROOT / "inventories" / "testbed" / "group_vars" / "all" / "topology.yml"
SLICES = [ROOT / "slices" / "enterprise_app.yml", ROOT / "slices" / "cdn.yml"]


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def show(plan: dict) -> None:
    print(f"\n=== slice {plan['slice_id']}  (compute at {plan['compute_site'] or '-'})")
    rows = [["connection", "route", "security per hop", "latency / bound", "Mbit/s", "VLAN"]]
    for conn in plan["connections"]:
        rows.append(
            [
                f"{conn['name']} ({conn['security']}+)",
                " -> ".join(conn["sites"]),
                ", ".join(f"{link} [{sec}]" for link, sec in zip(conn["links"], conn["hop_security"])),
                f"{conn['latency_ms']:.3f} / {conn['max_latency_ms']:g} ms",
                f"{conn['bandwidth_mbps']:g}",
                str(conn["vlan"]),
            ]
        )
    print(table(rows))
    print(f"\n{len(plan['steps'])} device steps, applied in this order (undone in reverse):")
    rows = [["#", "device", "operation", "what"]]
    rows += [[str(s["index"]), s["device"], s["operation"], s["name"]] for s in plan["steps"]]
    print(table(rows))


def main() -> int:
    topology = yaml.safe_load(TOPOLOGY.read_text())
    reservations: dict = {"links": {}, "compute": {}, "vlans": []}
    for path in SLICES:
        started = time.perf_counter()
        plan = plan_from_documents(yaml.safe_load(path.read_text()), topology, reservations, with_steps=True)
        elapsed_ms = (time.perf_counter() - started) * 1000
        show(plan)
        print(f"(validated and planned {path.relative_to(ROOT)} in {elapsed_ms:.1f} ms)")
        usage = plan["usage"]
        for link, mbps in usage["links"].items():
            reservations["links"][link] = reservations["links"].get(link, 0) + mbps
        for site, need in usage["compute"].items():
            held = reservations["compute"].setdefault(site, {"vcpu": 0, "memory_gb": 0})
            held["vcpu"] += need["vcpu"]
            held["memory_gb"] += need["memory_gb"]
        reservations["vlans"] += usage["vlans"]
    return 0


if __name__ == "__main__":
    sys.exit(main())
