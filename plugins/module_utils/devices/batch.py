# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A list of plan steps applied serially inside ONE task (qsafe.slicing.device_steps).

Why: a `device_step` loop pays Ansible's per-item cost (templating, action plugin set-up,
argument validation, result callbacks: ~30 ms per item here) on top of a ~7 ms device
transaction, so a 49-step slice spent more time in Ansible than on the devices. One task that
walks the steps keeps every semantic of the loop: steps run one at a time in plan order, each is
the same `run_step` transaction, progress is printed as each step finishes (the caller's
`progress` callback), and the first failure stops the walk (on_failure=stop) with the outcome of
every step tried, so a rescue can undo exactly the applied ones in reverse order.

Every step is validated (shape, device, handler params) before the first device is touched: bad
input fails naming `steps[i].<field>` and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import STATES, StepInputError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    DeviceStepError,
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.runs import steps_from_items
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    CommitOptions,
    StepRequest,
    validate,
)

STEP_KEYS = ("device", "kind", "operation", "params")
# Plan-step fields copied into each per-step result (so the result can be fed back as a step).
STEP_FIELDS = ("index", "name", "device", "kind", "operation", "params", "resource", "shared")
ON_FAILURE = ("stop", "continue")


def missing_step_key(step: Mapping[str, Any]) -> tuple[str, str] | None:
    """(key, message) of the first plan-step key that `step` lacks; None when it has them all."""
    for key in STEP_KEYS:
        if step.get(key) in (None, ""):
            return key, f"is required (a plan step has {', '.join(STEP_KEYS)})"
    return None


RunOne = Callable[[StepRequest], dict[str, Any]]
Progress = Callable[[int, int, dict[str, Any]], None]


def _bad_step(position: int, step: Any, field: str, message: str) -> DeviceStepError:
    step = step if isinstance(step, Mapping) else {}
    return DeviceStepError(
        {
            "device": step.get("device") or "?",
            "step": step.get("name"),
            "operation": "validate",
            "error_tag": "invalid-input",
            "error_path": f"steps[{position}].{field}",
            "error_message": message,
        }
    )


def batch_requests(
    steps: list[Any],
    state: str,
    commit: CommitOptions,
    check_mode: bool,
    diff: bool,
    states: list[str] | None = None,
) -> list[StepRequest]:
    """One validated StepRequest per step; raises DeviceStepError naming steps[i].field.

    The commit options and the state are checked once, before any step (StepInputError naming them).
    states: a state per step (the device roles' item form, whose items carry their own), else
    every step gets `state`.
    """
    if state not in STATES:
        raise StepInputError("state", f"must be present or absent, got {state!r}")
    commit.check()
    requests = []
    for position, step in enumerate(steps):
        if not isinstance(step, Mapping):
            raise _bad_step(position, step, "", f"must be a mapping (a plan step), got {type(step).__name__}")
        problem = missing_step_key(step)
        if problem:
            raise _bad_step(position, step, *problem)
        if not isinstance(step["params"], Mapping):
            raise _bad_step(position, step, "params", "must be a mapping")
        request = StepRequest(
            str(step["device"]),
            str(step["kind"]),
            str(step["operation"]),
            dict(step["params"]),
            states[position] if states else state,
            check_mode,
            diff,
            commit,
            step.get("name"),
        )
        try:
            validate(request)
        except Exception as exc:  # noqa: BLE001 - reported with the step's position
            info = failure_from(exc, request.device, request.step_name).info
            path = info.get("error_path")
            field = f"params.{path}" if path else "params"
            raise _bad_step(position, step, field, str(info.get("error_message") or exc)) from exc
        requests.append(request)
    return requests


def task_steps(
    steps: list[Any] | None, kind: str | None, items: Mapping[str, Any] | None, state: str
) -> tuple[list[Any], list[str] | None]:
    """The steps of one device_steps task: the plan steps given, then the items (item form) as steps.

    Returns (steps, states): states is None when every step takes the task's `state` (plan steps
    only), else one state per step (items carry their own, plan steps take the task's).
    """
    steps = list(steps or [])
    if not items:
        return steps, None
    if not kind:
        raise StepInputError("kind", "is required with items (the device kind of the items)")
    extra, extra_states = steps_from_items(kind, items, state)
    return steps + extra, [state] * len(steps) + extra_states


def started_iso(epoch_s: float) -> str:
    """Wall-clock start of a step, ISO 8601 UTC with milliseconds (the timeline's x axis)."""
    return (
        dt.datetime.fromtimestamp(epoch_s, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def step_entry(
    step: Mapping[str, Any], outcome: Mapping[str, Any], wall_s: float, started_at: float | None = None
) -> dict[str, Any]:
    """The per-step result: the plan step's fields, the step outcome, registry status, seconds and,
    when given, the wall-clock start (also in `detail`, which the registry stores with the step).

    The one rule for a step's registry status: failed, skipped, changed or ok.
    """
    entry = {k: step.get(k) for k in STEP_FIELDS if k in step}
    entry.update({k: v for k, v in outcome.items() if k not in ("step",)})
    entry["step"] = outcome.get("step") or step.get("name")
    failed = bool(outcome.get("failed"))
    entry["failed"] = failed
    entry["changed"] = bool(outcome.get("changed")) and not failed
    if failed:
        entry["status"] = "failed"
    elif outcome.get("skipped"):
        entry["status"] = "skipped"
    else:
        entry["status"] = "changed" if entry["changed"] else "ok"
    entry["seconds"] = round(wall_s, 4)
    detail: dict[str, Any] = {"device": step.get("device"), "resource": step.get("resource")}
    if failed:
        detail["error"] = str(outcome.get("msg", ""))[:2000]
    if outcome.get("commit"):
        detail["commit"] = outcome["commit"]  # plain, confirmed or confirmed-follow-up (timeline marks)
    if started_at is not None:
        entry["started_at"] = detail["started_at"] = started_iso(started_at)
    entry["detail"] = detail
    return entry


def run_batch(
    steps: list[Mapping[str, Any]],
    requests: list[StepRequest],
    run_one: RunOne,
    on_failure: str = "stop",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the requests in order with run_one (an Ansible-style step result each); the task result.

    Result: changed, results (one entry per step tried), changed_devices (first-change order),
    applied (steps that changed a device), failed + msg of the first failure (with its step's
    device, step, error_tag, ...), elapsed_ms of the whole walk.
    """
    if on_failure not in ON_FAILURE:
        raise ValueError(f"on_failure: must be one of {', '.join(ON_FAILURE)}, got {on_failure!r}")
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    changed_devices: list[str] = []
    first_failure: dict[str, Any] | None = None
    for position, (step, request) in enumerate(zip(steps, requests, strict=True)):
        t0, wall0 = time.perf_counter(), time.time()
        try:
            outcome = run_one(request)
        except Exception as exc:  # noqa: BLE001 - one formatter for every failure
            outcome = failure_result(failure_from(exc, request.device, request.step_name).to_dict())
        entry = step_entry(step, outcome, time.perf_counter() - t0, wall0)
        results.append(entry)
        if progress is not None:
            progress(position, len(steps), entry)
        if entry["changed"] and request.device not in changed_devices:
            changed_devices.append(request.device)
        if entry["failed"]:
            first_failure = first_failure or entry
            if on_failure == "stop":
                break
    result: dict[str, Any] = {
        "changed": bool(changed_devices),
        "results": results,
        "changed_devices": changed_devices,
        "applied": sum(1 for r in results if r["changed"]),
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    diffs = [r.pop("diff") for r in results if "diff" in r]
    if diffs:
        result["diff"] = diffs
    if first_failure is not None:
        result.update(
            {k: first_failure.get(k) for k in ("device", "step", "operation", "error_tag", "error_path")},
            failed=True,
            failed_index=first_failure.get("index"),
            msg=first_failure.get("msg") or "step failed",
        )
    return result


def progress_line(position: int, total: int, entry: Mapping[str, Any]) -> str:
    """One line per finished step, e.g. `[3/49] step 2 sw-cell-1: vlan 100 ... changed (9 ms)`."""
    outcome = entry["status"]
    if entry.get("commit"):
        outcome += f", {entry['commit']}"
    text = (
        f"[{position + 1}/{total}] step {entry.get('index', position)} {entry.get('device')}: "
        f"{entry.get('name') or entry.get('step')} ... {outcome} ({entry['seconds'] * 1000:.0f} ms)"
    )
    if entry["failed"]:
        text += f": {entry.get('msg')}"
    return text


def batch_failure(exc: BaseException) -> dict[str, Any]:
    """Task result for input that failed validation (nothing was sent to any device)."""
    info = exc.to_dict() if isinstance(exc, DeviceStepError) else failure_from(exc, "?", None).to_dict()
    out = failure_result(info)
    out.update(results=[], changed_devices=[], applied=0)
    return out
