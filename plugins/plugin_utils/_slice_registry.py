# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The operations of the slice_registry (writes) and slice_registry_info (reads) actions: one
function per `action` / `query`, plain Python.

Controller only (the lock keeper watches ansible-playbook). Registry semantics live in
module_utils/registry/, what a run's device tasks did in module_utils/devices/runs.py, the lines
printed in module_utils/registry/report.py; this file only maps Ansible options onto those, decides
`changed` truthfully, and in check mode reads instead of writing.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import StepInputError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import step_entry
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.runs import (
    RunLog,
    failure_message,
    merge_runs,
)
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
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.report import (
    plan_summary,
    registry_lines,
    slice_lines,
    teardown_summary,
)
from ansible_collections.qsafe.slicing.plugins.plugin_utils._lock_keeper import (
    start_lock_keeper,
    stop_lock_keeper,
)


class ActionFailed(Exception):
    """A failure to report as the task's msg (never contains key material or passwords)."""


def registry_config(params: dict[str, Any]) -> dict[str, str]:
    """open_registry() keyword arguments from the options; unset ones fall back to the env."""
    return {k: params[k] for k in ("dsn", "path", "state_dir") if params.get(k)}


def _check_required(option: str, params: dict[str, Any]) -> None:
    missing = [k for k in REQUIRED_BY_ACTION.get(params[option], ()) if params.get(k) in (None, "")]
    if missing:
        raise ActionFailed(f"{option}={params[option]} needs: {', '.join(missing)}")


def run_action(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    """Run params['action'] (slice_registry); the task result (changed + data). Raises ActionFailed."""
    _check_required("action", params)
    try:
        return _HANDLERS[params["action"]](params, check_mode, watch_pid)
    except RegistryError as exc:
        raise ActionFailed(f"slice registry: {type(exc).__name__}: {exc}") from exc
    except StepInputError as exc:
        raise ActionFailed(f"slice registry: {exc}") from exc


def run_query(params: dict[str, Any]) -> dict[str, Any]:
    """Run params['query'] (slice_registry_info): reads only, the same in check mode."""
    _check_required("query", params)
    try:
        return _QUERIES[params["query"]](params)
    except RegistryError as exc:
        raise ActionFailed(f"slice registry: {type(exc).__name__}: {exc}") from exc


def _lock(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    """Take the orchestrator lock in a keeper that lives as long as watch_pid; recover stale slices."""
    config = registry_config(params)
    holder = params.get("holder") or f"ansible-playbook pid {watch_pid}"
    info = start_lock_keeper(config, holder=holder, timeout_s=params["timeout"], watch_pid=watch_pid)
    recovered: list[str] = []
    if not check_mode:
        with open_registry(**config) as registry:
            recovered = registry.recover_stale()
    return {"changed": False, "lock": info, "recovered_stale": recovered}


def _unlock(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    released = stop_lock_keeper(registry_config(params), params["lock_token"], params["keeper_pid"])
    return {"changed": False, "released": released}


def _reservations(params: dict[str, Any]) -> dict[str, Any]:
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
            return {
                "changed": not same,
                "previous_state": record["state"] if record else None,
                "summary": plan_summary(params["plan"]),
            }
        changed = registry.reserve(slice_id, params["descriptor"], params["plan"], capacities)
        return {
            "changed": changed,
            "previous_state": record["state"] if record else None,
            "summary": plan_summary(params["plan"]),
        }


def _release(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        if check_mode:
            record = registry.get(params["slice_id"])
            return {"changed": bool(record and record["reservation"] is not None)}
        return {"changed": registry.release(params["slice_id"])}


# The phase of a run that failed, from the state the slice was in (None: before any device work).
PHASE_OF_STATE = {"provisioning": "provision", "deprovisioning": "deprovision"}


def _set_state(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    """Move the slice to `state`; with `runs`, first record the run's step outcomes.

    `runs` (the device_steps results of the run, this persist-id only) are recorded as they ended;
    with `rolled_back`, the applied ones again as rolled_back (rollback_failed where the `undone`
    task's step failed). Moving to failed without `error` composes the run's failure message (the
    first failed step, else `failed_task`/`failed_msg`), returned as `error`.
    """
    slice_id, state = params["slice_id"], params["state"]
    log = merge_runs(params.get("runs") or [], params.get("persist_id"))
    rows = _run_rows(log, params.get("rolled_back"), params.get("undone"))
    with open_registry(**registry_config(params)) as registry:
        record = registry.get(slice_id)
        previous = record["state"] if record else None
        error = params.get("error")
        if state == "failed" and not error:
            phase = PHASE_OF_STATE.get(previous or "")
            error = failure_message(slice_id, phase, log, params.get("failed_task"), params.get("failed_msg"))
        out: dict[str, Any] = {"previous_state": previous, "recorded": 0}
        if error is not None:
            out["error"] = error
        if check_mode:
            return dict(out, changed=previous != state)
        for row in rows:
            registry.record_step(slice_id, *row)
        changed = registry.set_state(
            slice_id,
            state,
            error=error,
            holder=params.get("holder"),
            lock_token=params.get("lock_token"),
        )
        return dict(out, changed=changed, recorded=len(rows))


def _run_rows(log: RunLog, rolled_back: bool | None, undone: dict[str, Any] | None) -> list[tuple]:
    """Registry rows (index, name, status, seconds, detail) of a run's steps."""
    entries = [step_outcome(r) for r in log.results]
    if rolled_back:
        undo_failed = {r.get("index") for r in (undone or {}).get("results") or [] if r.get("failed")}
        for r in log.applied:
            status = "rollback_failed" if r.get("index") in undo_failed else "rolled_back"
            entries.append(step_outcome(r, status))
    return [_row(f"runs.results[{n}]", e) for n, e in enumerate(entries)]


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


def _row(where: str, step: dict[str, Any]) -> tuple:
    for field in ("index", "name", "status"):
        if step.get(field) in (None, ""):
            raise ActionFailed(f"{where}.{field}: required")
    if step["status"] not in STEP_STATUSES:
        raise ActionFailed(f"{where}.status: {step['status']!r} is not one of {', '.join(STEP_STATUSES)}")
    try:
        index, seconds = int(step["index"]), float(step["seconds"])
    except (TypeError, ValueError) as exc:
        raise ActionFailed(f"{where}: index must be an integer and seconds a number ({exc})") from exc
    return (index, str(step["name"]), step["status"], seconds, step["detail"])


def _record_steps(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    """Append step outcomes to the slice's current run (`steps`: outcomes, device_step loop results
    or device_steps results; or `runs`: device_steps task results of one persist-id)."""
    if params.get("steps") is None and params.get("runs") is None:
        raise ActionFailed("action=record_steps needs: steps or runs")
    rows = [
        _row(f"steps[{position}]", step_outcome(entry, params.get("step_status")))
        for position, entry in enumerate(params.get("steps") or [])
    ]
    if params.get("runs") is not None:
        log = merge_runs(params["runs"], params.get("persist_id"))
        rows += _run_rows(log, params.get("rolled_back"), params.get("undone"))
    if check_mode:
        return {"changed": bool(rows), "recorded": 0}
    with open_registry(**registry_config(params)) as registry:
        for row in rows:
            registry.record_step(params["slice_id"], *row)
    return {"changed": bool(rows), "recorded": len(rows)}


def _recover_stale(params: dict[str, Any], check_mode: bool, watch_pid: int) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        if check_mode:
            stale = [r["id"] for r in registry.stale()]
            return {"changed": bool(stale), "recovered_stale": stale}
        recovered = registry.recover_stale()
    return {"changed": bool(recovered), "recovered_stale": recovered}


_HANDLERS = {
    "lock": _lock,
    "unlock": _unlock,
    "reserve": _reserve,
    "release": _release,
    "set_state": _set_state,
    "record_steps": _record_steps,
    "recover_stale": _recover_stale,
}


# -- reads (slice_registry_info) -------------------------------------------------------------------
def _get(params: dict[str, Any]) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        record = registry.get(params["slice_id"])
    return {"changed": False, "found": record is not None, "record": record}


def _list(params: dict[str, Any]) -> dict[str, Any]:
    """Every slice (or `slice_id` only), the registry's state, and the status report's lines."""
    with open_registry(**registry_config(params)) as registry:
        records = registry.list(params.get("state"))
        stale = [r["id"] for r in registry.stale()]
        holder = registry.lock_holder()
        backend = registry.describe()
        reservations = registry.reservations()
    if params.get("slice_id"):
        records = [r for r in records if r["id"] == params["slice_id"]]
    return {
        "changed": False,
        "records": records,
        "stale": stale,
        "lock_holder": holder,
        "backend": backend,
        "reservations": reservations,
        "lines": registry_lines(backend, holder, stale, reservations),
        "slices": [{"id": r["id"], "lines": slice_lines(r, stale)} for r in records],
    }


def _lock_holder(params: dict[str, Any]) -> dict[str, Any]:
    with open_registry(**registry_config(params)) as registry:
        return {"changed": False, "lock_holder": registry.lock_holder()}


def _teardown_steps(params: dict[str, Any]) -> dict[str, Any]:
    """The steps that deprovisioning this slice removes, in order, and the shared ones kept."""
    with open_registry(**registry_config(params)) as registry:
        record = registry.get(params["slice_id"])
        if record is None:
            raise RegistryInputError(f"slice_id: no slice {params['slice_id']!r} in the registry")
        others = [r for r in registry.list() if r["id"] != record["id"]]
    remove, kept = teardown_steps(record, others)
    return {
        "changed": False,
        "record": record,
        "steps": remove,
        "kept_shared": kept,
        "summary": teardown_summary(record, remove, kept),
    }


_QUERIES = {
    "reservations": _reservations,
    "get": _get,
    "list": _list,
    "lock_holder": _lock_holder,
    "teardown_steps": _teardown_steps,
}
