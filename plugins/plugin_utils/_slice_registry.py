# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The slice_registry action's operations: one function per `action`, plain Python.

Controller only (the lock keeper watches ansible-playbook). Registry semantics live in
module_utils/registry/; this file only maps Ansible options onto that API, decides `changed`
truthfully, and in check mode reads instead of writing.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import step_entry
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.teardown import teardown_steps
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.argspec import REQUIRED_BY_ACTION
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    HOLDING_STATES,
    STEP_STATUSES,
    RegistryError,
    RegistryInputError,
    capacities_from_topology,
    open_registry,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.readback import (
    PARTIAL_STATE,
    holding_devices,
    partial_message,
    undo_status,
)
from ansible_collections.qsafe.slicing.plugins.plugin_utils._lock_keeper import (
    start_lock_keeper,
    stop_lock_keeper,
)

# A run's persist-id is this prefix + its orchestrator lock token.
PERSIST_PREFIX = "qsafe-"


class ActionFailed(Exception):
    """A failure to report as the task's msg (never contains key material or passwords)."""


def registry_config(params: dict[str, Any]) -> dict[str, str]:
    """open_registry() keyword arguments from the options; unset ones fall back to the env."""
    return {k: params[k] for k in ("dsn", "path", "state_dir") if params.get(k)}


def _check_required(params: dict[str, Any]) -> None:
    missing = [k for k in REQUIRED_BY_ACTION.get(params["action"], ()) if params.get(k) in (None, "")]
    if missing:
        raise ActionFailed(f"action={params['action']} needs: {', '.join(missing)}")


def run_action(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    """Run params['action']; return the task result (changed + data). Raises ActionFailed."""
    _check_required(params)
    handler = _HANDLERS[params["action"]]
    try:
        return handler(params, check_mode, watch_pid)
    except RegistryError as exc:
        raise ActionFailed(f"slice registry: {type(exc).__name__}: {exc}") from exc


def _lock(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    """Take the orchestrator lock in a keeper that lives as long as watch_pid; recover stale slices."""
    config = registry_config(params)
    holder = params.get("holder") or f"ansible-playbook pid {watch_pid}"
    info = start_lock_keeper(config, holder=holder, timeout_s=params["timeout"], watch_pid=watch_pid)
    recovered: list[str] = []
    with open_registry(**config) as registry:
        if not check_mode:
            recovered = registry.recover_stale()
        dead = registry.dead_persist_ids(PERSIST_PREFIX)
    info = dict(info, persist_id=f"{PERSIST_PREFIX}{info['token']}")
    return {"changed": False, "lock": info, "recovered_stale": recovered, "takeover_persist_ids": dead}


def _unlock(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    released = stop_lock_keeper(registry_config(params), params["lock_token"], params["keeper_pid"])
    return {"changed": False, "released": released}


def _reservations(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        return {"changed": False, "reservations": registry.reservations(exclude_slice=params.get("slice_id"))}


def _reserve(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    slice_id = params["slice_id"]
    capacities = capacities_from_topology(params["topology"])
    with open_registry(**registry_config(params)) as registry:
        record = registry.get(slice_id)
        if record and record["state"] in HOLDING_STATES and record["plan"] != params["plan"]:
            # Re-planning a live slice would leave the old plan's steps on the devices.
            raise ActionFailed(
                f"slice {slice_id} is {record['state']} with a different plan; deprovision it first"
            )
        if check_mode:
            same = bool(record) and record["plan"] == params["plan"] and record["reservation"] is not None
            return {"changed": not same, "previous_state": record["state"] if record else None}
        changed = registry.reserve(slice_id, params["descriptor"], params["plan"], capacities)
        return {"changed": changed, "previous_state": record["state"] if record else None}


def _release(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        if check_mode:
            record = registry.get(params["slice_id"])
            return {"changed": bool(record and record["reservation"] is not None)}
        return {"changed": registry.release(params["slice_id"])}


def _set_state(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    slice_id, state = params["slice_id"], params["state"]
    error = params.get("error")
    held = holding_devices(params.get("readback"))
    if state == "failed" and held:
        state = PARTIAL_STATE
        error = partial_message(
            error or f"slice {slice_id}: run failed", held, *(params.get("undo_results") or [])
        )
    with open_registry(**registry_config(params)) as registry:
        record = registry.get(slice_id)
        previous = record["state"] if record else None
        if check_mode:
            return {"changed": previous != state, "previous_state": previous, "state": state, "error": error}
        changed = registry.set_state(
            slice_id,
            state,
            error=error,
            holder=params.get("holder"),
            lock_token=params.get("lock_token"),
        )
        return {
            "changed": changed,
            "previous_state": previous,
            "state": state,
            "error": error,
            "holding": sorted(held),
        }


def step_outcome(entry: dict[str, Any], status_override: str | None = None) -> dict[str, Any]:
    """One step outcome {index, name, status, seconds, detail} from a device_step loop result
    (recognised by `ansible_loop_var`) or from a plain step / outcome mapping."""
    if "ansible_loop_var" in entry:
        # A device_step loop item: the same per-step entry that device_steps returns.
        seconds = entry.get("seconds") or (entry.get("elapsed_ms") or 0.0) / 1000.0
        entry = step_entry(entry.get(entry["ansible_loop_var"]) or {}, entry, seconds)
    status = entry.get("status") or "ok"
    detail = entry.get("detail") or {"device": entry.get("device"), "resource": entry.get("resource")}
    if status_override:
        undo_failed = status == "failed" and status_override == "rolled_back"
        status = "rollback_failed" if undo_failed else status_override
    return {"index": entry.get("index"), "name": entry.get("name"), "status": status,
            "seconds": entry.get("seconds") or 0.0, "detail": detail}


def _record_steps(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    """Append step outcomes to the slice's current run (device_step loop results or mappings)."""
    rows = []
    for position, entry in enumerate(params["steps"]):
        override = params.get("step_status")
        if override == "rolled_back" and not entry.get("failed"):
            # Never rolled_back for a device state that was not read back.
            override = undo_status(entry, {}, params.get("readback"))
        step = step_outcome(entry, override)
        where = f"steps[{position}]"
        for field in ("index", "name", "status"):
            if step.get(field) in (None, ""):
                raise ActionFailed(f"{where}.{field}: required")
        if step["status"] not in STEP_STATUSES:
            raise ActionFailed(f"{where}.status: {step['status']!r} is not one of {', '.join(STEP_STATUSES)}")
        try:
            index, seconds = int(step["index"]), float(step["seconds"])
        except (TypeError, ValueError) as exc:
            raise ActionFailed(f"{where}: index must be an integer and seconds a number ({exc})") from exc
        rows.append((index, str(step["name"]), step["status"], seconds, step["detail"]))
    if check_mode:
        return {"changed": bool(rows), "recorded": 0}
    with open_registry(**registry_config(params)) as registry:
        for index, name, status, seconds, detail in rows:
            registry.record_step(params["slice_id"], index, name, status, seconds, detail)
    return {"changed": bool(rows), "recorded": len(rows)}


def _get(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        record = registry.get(params["slice_id"])
    return {"changed": False, "found": record is not None, "record": record}


def _list(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        records = registry.list(params.get("state"))
        stale = [r["id"] for r in registry.stale()]
        return {
            "changed": False,
            "records": records,
            "stale": stale,
            "lock_holder": registry.lock_holder(),
            "backend": registry.describe(),
            "reservations": registry.reservations(),
        }


def _recover_stale(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        if check_mode:
            stale = [r["id"] for r in registry.stale()]
            return {"changed": bool(stale), "recovered_stale": stale}
        recovered = registry.recover_stale()
    return {"changed": bool(recovered), "recovered_stale": recovered}


def _teardown_steps(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    """The steps that deprovisioning this slice removes, in order, and the shared ones kept."""
    with open_registry(**registry_config(params)) as registry:
        record = registry.get(params["slice_id"])
        if record is None:
            raise RegistryInputError(f"slice_id: no slice {params['slice_id']!r} in the registry")
        others = [r for r in registry.list() if r["id"] != record["id"]]
    remove, kept = teardown_steps(record, others)
    return {"changed": False, "record": record, "steps": remove, "kept_shared": kept}


_HANDLERS = {
    "lock": _lock,
    "unlock": _unlock,
    "reservations": _reservations,
    "reserve": _reserve,
    "release": _release,
    "set_state": _set_state,
    "record_steps": _record_steps,
    "get": _get,
    "list": _list,
    "recover_stale": _recover_stale,
    "teardown_steps": _teardown_steps,
}
