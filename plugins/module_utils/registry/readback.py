# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the registry may record after a rollback: only what the devices were read back holding.

A run that failed undoes its steps (cancel-commit, then explicit removals where cancel could not)
and then reads the devices back (qsafe.slicing.netconf_confirm action=verify: the applied steps
must be absent). `rolled_back` is recorded only for a step whose device was read back without it;
a step the device still holds, or whose device could not be read, is `rollback_failed`, and the
slice becomes `failed-partial` with an error that names each device still holding configuration
(and why), keeping its reservation until a re-run finishes the job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.sql import PARTIAL_STATE

__all__ = [
    "PARTIAL_STATE",
    "holding_devices",
    "partial_message",
    "steps_statuses",
    "undo_failures",
    "undo_status",
]


def holding_devices(readback: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """device -> what it still holds (or why it could not be read), from a netconf_confirm result."""
    held: dict[str, list[str]] = {}
    if not readback:
        return held
    for item in readback.get("mismatched") or []:
        held.setdefault(str(item.get("device")), []).append(
            f"step {item.get('index')} ({item.get('name')}): {item.get('why')}"
        )
    for outcome in readback.get("devices") or []:
        if outcome.get("msg"):
            why = outcome.get("error_message") or outcome["msg"]
            held.setdefault(str(outcome.get("device")), []).append(
                f"not read back: {outcome.get('error_tag') or 'error'}: {why}"
            )
    return held


def undo_status(
    step: Mapping[str, Any], held: Mapping[str, list[str]], readback: Mapping[str, Any] | None
) -> str:
    """rolled_back when the read-back shows the step gone from its device, else rollback_failed."""
    if readback is None:
        return "rollback_failed"  # never record rolled_back for a state nobody read back
    device = str(step.get("device"))
    wrong = {(str(m.get("device")), m.get("index")) for m in readback.get("mismatched") or []}
    unread = {str(o.get("device")) for o in readback.get("devices") or [] if o.get("msg")}
    if device in unread or (device, step.get("index")) in wrong:
        return "rollback_failed"
    return "rolled_back"


def partial_message(error: str, held: Mapping[str, list[str]], *undo: Mapping[str, Any] | None) -> str:
    """The run's error, plus the devices that still hold part of the slice and each undo failure."""
    if not held:
        return error
    parts = [f"{device} ({'; '.join(items)})" for device, items in sorted(held.items())]
    text = f"{error}; {len(held)} device(s) still hold part of the slice: {', '.join(parts)}"
    failures = undo_failures(*undo)
    if failures:
        text += f"; undo failures: {'; '.join(failures)}"
    return text + "; the reservation is kept (failed-partial): re-run to finish"


def undo_failures(*results: Mapping[str, Any] | None) -> list[str]:
    """Per device (and step) failures of the cancel / explicit undo tasks' results."""
    out = []
    for result in results:
        if not result:
            continue
        for outcome in result.get("devices") or []:
            if outcome.get("msg"):
                out.append(f"{outcome.get('device')}: {outcome['msg']}")
        for entry in result.get("results") or []:
            if entry.get("failed"):
                out.append(f"{entry.get('device')} step {entry.get('index')}: {entry.get('msg')}")
    return out


def steps_statuses(
    steps: Iterable[Mapping[str, Any]], readback: Mapping[str, Any] | None
) -> list[tuple[Mapping[str, Any], str]]:
    held = holding_devices(readback)
    return [(step, undo_status(step, held, readback)) for step in steps]
