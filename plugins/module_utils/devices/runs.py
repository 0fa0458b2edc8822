# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a slice run's device tasks did, read from their results: the one place that knows it.

A slice run applies its plan through one `device_steps` task per device role (key streams, cards,
optical switch, L2 switches), all with the run's persist-id. Whatever task then fails, the rescue
needs the same facts: every step tried in order, the applied ones, the first failed one, the
devices touched in reverse first-touch order (cancel order), the steps a cancel could not revert,
and one failure message. They are computed here, from the tasks' registered results, instead of in
Jinja. A result registered by an earlier run in the same play (another persist-id) is ignored, so
a device role that failed before its task ran can never hand over someone else's steps.

Also here: the simple item form of the device roles (`l2_switch_vlans: [{device, vlan_id, ...}]`)
turned into plan-shaped steps, so a role runs its items as one `device_steps` task too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import STATES, StepInputError


@dataclass
class RunLog:
    """The merged outcome of a run's device tasks."""

    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def applied(self) -> list[dict[str, Any]]:
        """Steps that changed a device and did not fail, in run order."""
        return [r for r in self.results if r.get("changed") and not r.get("failed")]

    @property
    def failed_step(self) -> dict[str, Any] | None:
        return next((r for r in self.results if r.get("failed")), None)

    @property
    def changed_devices(self) -> list[str]:
        """Devices a step changed, first-change order (the devices to confirm)."""
        return _unique(r.get("device") for r in self.applied)

    @property
    def touched_devices(self) -> list[str]:
        """Devices changed or failed on (a failed step may have half-applied), first-touch order."""
        return _unique(r.get("device") for r in self.results if r.get("changed") or r.get("failed"))

    @property
    def touched_devices_reverse(self) -> list[str]:
        """The cancel order: the last device touched first."""
        return list(reversed(self.touched_devices))

    def undo_steps(self, cancelled: Iterable[str]) -> list[dict[str, Any]]:
        """Applied steps on devices where cancel reverted nothing (already confirmed), newest first."""
        gone = set(cancelled)
        return [r for r in reversed(self.applied) if r.get("device") not in gone]

    def summary(self) -> dict[str, Any]:
        return {
            "results": self.results,
            "applied": len(self.applied),
            "changed_devices": self.changed_devices,
            "touched_devices_reverse": self.touched_devices_reverse,
        }


def _unique(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in dict.fromkeys(v for v in values if v)]


def merge_runs(runs: Sequence[Any], persist_id: str | None = None) -> RunLog:
    """One RunLog from registered `device_steps` results, in the order the tasks ran.

    Missing, skipped or empty entries are allowed (a role whose task never ran). With persist_id,
    a result made with another persist-id (an earlier run in the same play) is left out.
    """
    log = RunLog()
    for position, run in enumerate(runs or ()):
        if not run:
            continue
        if not isinstance(run, Mapping):
            what = type(run).__name__
            raise StepInputError(f"runs[{position}]", f"must be a task result (mapping), got {what}")
        if persist_id is not None and run.get("persist_id") != persist_id:
            continue
        results = run.get("results") or []
        if not isinstance(results, list):
            raise StepInputError(f"runs[{position}].results", "must be a list")
        log.results.extend(dict(r) for r in results if isinstance(r, Mapping))
    return log


def failure_cause(failed_step: Mapping[str, Any] | None, failed_task: str | None, failed_msg: str | None,
                  removing: bool = False) -> str:
    """`step 20 (name) failed on device d: error` or `task T failed: error`."""
    if failed_step:
        verb = "removing step" if removing else "step"
        return (
            f"{verb} {failed_step.get('index')} ({failed_step.get('name')}) failed on device "
            f"{failed_step.get('device')}: {failed_step.get('msg') or 'no message'}"
        )
    return f"task {failed_task or '?'} failed: {failed_msg or 'no message'}"


def failure_message(
    slice_id: str,
    phase: str | None,
    log: RunLog,
    failed_task: str | None = None,
    failed_msg: str | None = None,
) -> str:
    """The one failure message of a slice run (provision, deprovision, or before any device work).

    phase: "provision" or "deprovision" when the run had started on the devices (the slice was
    marked provisioning/deprovisioning), None when it failed before that (nothing to undo).
    """
    cause = failure_cause(log.failed_step, failed_task, failed_msg, removing=phase == "deprovision")
    text = f"slice {slice_id}: {cause}"
    if phase == "provision":
        applied, touched = len(log.applied), len(log.touched_devices)
        text += f"; rolled back {applied} applied step(s) on {touched} device(s)"
    elif phase == "deprovision":
        text += "; removals cancelled, the slice stays in place (re-run to finish)"
    return text


# -- the device roles' item form -------------------------------------------------------------------
STEP_FIELDS_SKIPPED = ("device", "state")


def steps_from_items(
    kind: str, items: Mapping[str, Sequence[Any]], default_state: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """Plan-shaped steps (and each one's state) from flat items {device, <params>..., state}.

    items: operation -> list of items, in the order the operations build on each other (VLANs
    before port memberships). Present items run in that order; absent ones after them, in the
    reverse order (a membership is removed before its VLAN). Bad items raise StepInputError
    naming `items.<operation>[i].<field>`.
    """
    if default_state not in STATES:
        raise StepInputError("state", f"must be present or absent, got {default_state!r}")
    present: list[tuple[dict[str, Any], str]] = []
    absent: list[tuple[dict[str, Any], str]] = []
    for operation, entries in items.items():
        where = f"items.{operation}"
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise StepInputError(where, f"must be a list, got {type(entries).__name__}")
        bucket: list[tuple[dict[str, Any], str]] = []
        for position, item in enumerate(entries):
            here = f"{where}[{position}]"
            if not isinstance(item, Mapping):
                raise StepInputError(here, f"must be a mapping, got {type(item).__name__}")
            if not item.get("device"):
                raise StepInputError(f"{here}.device", "is required")
            state = item.get("state") or default_state
            if state not in STATES:
                raise StepInputError(f"{here}.state", f"must be present or absent, got {state!r}")
            params = {k: v for k, v in item.items() if k not in STEP_FIELDS_SKIPPED and v is not None}
            step = {
                "name": f"{operation} {' '.join(str(v) for v in params.values())}",
                "device": str(item["device"]),
                "kind": kind,
                "operation": operation,
                "params": params,
            }
            bucket.append((step, state))
        present.extend(s for s in bucket if s[1] == "present")
        absent[:0] = [s for s in reversed(bucket) if s[1] == "absent"]
    ordered = present + absent
    return [s for s, _ in ordered], [st for _, st in ordered]
