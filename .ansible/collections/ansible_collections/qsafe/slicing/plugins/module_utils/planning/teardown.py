# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which device steps deprovisioning a slice undoes, and which shared ones it must keep.

A slice is removed in the reverse order of its plan's steps. Steps marked `shared` (a channel's
key stream, a card port, a cross-connect) create resources that other slices may rely on too;
such a step is skipped while another slice that may hold device configuration uses the same
`resource`. "May hold" is deliberately conservative: leaking a shared resource until the last
slice leaves is harmless, removing it under a live slice is an outage.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.sql import HOLDING_STATES


def holds_devices(record: dict[str, Any]) -> bool:
    """True when the slice may have configuration on devices (a failed slice that still holds
    its reservation was not cleaned up: its deprovision failed or its controller died)."""
    if record.get("state") in HOLDING_STATES:
        return True
    return record.get("state") == "failed" and record.get("reservation") is not None


def resources_in_use(others: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Shared resource -> ids of the other slices that may use it."""
    users: dict[str, list[str]] = {}
    for record in others:
        if not holds_devices(record):
            continue
        for step in (record.get("plan") or {}).get("steps") or []:
            if step.get("shared"):
                users.setdefault(step["resource"], []).append(record["id"])
    return users


def teardown_steps(record: dict[str, Any], others: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    """(steps to remove, reverse plan order, each with state=absent; shared steps kept, with users)."""
    users = resources_in_use(others)
    remove: list[dict] = []
    kept: list[dict] = []
    for step in reversed((record.get("plan") or {}).get("steps") or []):
        holders = users.get(step["resource"]) if step.get("shared") else None
        if holders:
            kept.append({**step, "kept_for": sorted(set(holders))})
        else:
            remove.append({**step, "state": "absent"})
    return remove, kept
