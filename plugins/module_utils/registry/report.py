# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry's records in words: the lines the slice roles and `slice_status.yml` print.

Pure functions over plain records (the dicts the registry returns), so the playbooks print what
Python composed instead of zipping and joining lists in Jinja.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def plan_summary(plan: Mapping[str, Any]) -> list[str]:
    """`<connection>: a -> b -> c: sec,sec` per connection, then `<n> device steps`."""
    lines = [
        f"{c.get('name')}: {' -> '.join(c.get('sites') or [])}: {','.join(c.get('hop_security') or [])}"
        for c in plan.get("connections") or []
    ]
    lines.append(f"{len(plan.get('steps') or [])} device steps")
    return lines


def teardown_summary(record: Mapping[str, Any], remove: list[dict], kept: list[dict]) -> str:
    """One line: the slice's state, the steps to undo and the shared ones kept (for whom)."""
    users = sorted({who for step in kept for who in step.get("kept_for") or []})
    return (
        f"slice {record.get('id')} is {record.get('state')}: {len(remove)} step(s) to undo, "
        f"{len(kept)} shared step(s) kept for {', '.join(users) or 'nobody'}"
    )


def slice_lines(record: Mapping[str, Any], stale: Iterable[str] = ()) -> list[str]:
    """A slice's status: state (stale?), compute site, last run's steps and device time, last
    error; then one line per connection: name | links | security per hop | VLAN."""
    plan = record.get("plan") or {}
    steps = record.get("steps") or []
    device_s = round(sum(float(s.get("seconds") or 0.0) for s in steps), 2)
    head = (
        f"slice {record.get('id')}: {record.get('state')}"
        f"{' (stale)' if record.get('id') in set(stale) else ''}"
        f", compute at {plan.get('compute_site') or '-'}"
        f", last run {len(steps)} steps in {device_s} s of device time"
    )
    if record.get("last_error"):
        head += f", last error: {record['last_error']}"
    lines = [head]
    for conn in plan.get("connections") or []:
        links = ", ".join(conn.get("links") or [])
        security = ",".join(conn.get("hop_security") or [])
        lines.append(f"{conn.get('name')} | {links} | {security} | VLAN {conn.get('vlan')}")
    return lines


def registry_lines(backend: str, lock_holder: Mapping[str, Any] | None, stale: list[str],
                   reservations: Mapping[str, Any]) -> list[str]:
    """The registry header of the status report."""
    return [
        f"registry: {backend}",
        f"orchestrator lock: {(lock_holder or {}).get('holder') or 'free'}",
        f"stale (controller gone mid-run, devices revert by themselves): {', '.join(stale) or 'none'}",
        f"reserved: {dict(reservations)}",
    ]
