# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs of the device modules and the glue that runs them, shared by modules and actions.

Why here: the module (standalone, shipped as a process) and its action plugin (in the worker)
must accept exactly the same options and build exactly the same StepRequest; keeping the specs
and the request building in one place is what keeps the two paths from drifting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import STATES, StepInputError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import (
    ON_FAILURE,
    missing_step_key,
    run_batch,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    DeviceStepError,
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.handlers import MODULE_HANDLERS
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    COMMIT_MODES,
    CommitOptions,
    DeviceConnection,
    StepRequest,
    run_step,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.verify import finish_and_verify
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import HAS_NCCLIENT

# How a step is applied: the same options on every device module and on device_steps.
APPLY_SPEC: dict[str, Any] = {
    "state": {"type": "str", "default": "present", "choices": list(STATES)},
    "commit": {"type": "str", "default": "plain", "choices": list(COMMIT_MODES)},
    "confirm_timeout": {"type": "int", "default": 120},
    "persist_id": {"type": "str"},
}
TIMEOUT_SPEC: dict[str, Any] = {"netconf_timeout": {"type": "float", "default": 30.0}}
COMMON_SPEC: dict[str, Any] = {"device": {"type": "str", "required": True}, **APPLY_SPEC}
CONNECTION_SPEC: dict[str, Any] = {
    "netconf_host": {"type": "str"},
    "netconf_port": {"type": "int"},
    "netconf_user": {"type": "str"},
    "netconf_key_file": {"type": "path", "no_log": False},
    "netconf_known_hosts_file": {"type": "path"},
    "netconf_platform": {"type": "str"},
    **TIMEOUT_SPEC,
}
COMMIT_REQUIRED_IF = [("commit", "confirmed", ["persist_id"])]

# Each one-device module's own options are its handler's fields; device_step takes a plan step.
OPERATION_SPECS: dict[str, dict[str, Any]] = {name: h.argspec() for name, h in MODULE_HANDLERS.items()}
OPERATION_SPECS["device_step"] = {"step": {"type": "dict", "required": True}}
EXTRA_REQUIRED_IF: dict[str, list[Any]] = {name: h.required_if() for name, h in MODULE_HANDLERS.items()}
CONFIRM_SPEC: dict[str, Any] = {
    "devices": {"type": "list", "elements": "str", "default": []},
    "persist_id": {"type": "str"},
    "action": {"type": "str", "default": "confirm", "choices": ["confirm", "cancel", "verify"]},
    "steps": {"type": "list", "elements": "dict", "default": []},
    "state": {"type": "str", "choices": ["present", "absent"]},
    "connections": {"type": "dict"},
    **TIMEOUT_SPEC,
}
CONFIRM_REQUIRED_IF = [("action", "confirm", ["persist_id"]), ("action", "cancel", ["persist_id"])]
STEPS_SPEC: dict[str, Any] = {
    "steps": {"type": "list", "elements": "dict", "required": True},
    **APPLY_SPEC,
    "on_failure": {"type": "str", "default": "stop", "choices": list(ON_FAILURE)},
    "takeover_persist_ids": {"type": "list", "elements": "str", "default": []},
    "connections": {"type": "dict"},
    **TIMEOUT_SPEC,
}


def module_kwargs(name: str) -> dict[str, Any]:
    """AnsibleModule(**kwargs) of module `name` (also what the action plugin validates against)."""
    if name == "netconf_confirm":
        return {
            "argument_spec": dict(CONFIRM_SPEC),
            "required_if": CONFIRM_REQUIRED_IF,
            "supports_check_mode": True,
        }
    if name == "device_steps":
        return {
            "argument_spec": dict(STEPS_SPEC),
            "required_if": COMMIT_REQUIRED_IF,
            "supports_check_mode": True,
        }
    spec = dict(COMMON_SPEC)
    spec.update(CONNECTION_SPEC)
    spec.update(OPERATION_SPECS[name])
    return {
        "argument_spec": spec,
        "required_if": COMMIT_REQUIRED_IF + EXTRA_REQUIRED_IF.get(name, []),
        "supports_check_mode": True,
    }


def build_request(name: str, params: Mapping[str, Any], check_mode: bool, diff: bool) -> StepRequest:
    """The StepRequest of module `name` from its validated params."""
    commit = CommitOptions(params["commit"], int(params["confirm_timeout"]), params.get("persist_id"))
    device = params["device"]
    if name == "device_step":
        step = params["step"] or {}
        problem = missing_step_key(step)
        if problem:
            raise DeviceStepError(
                {
                    "device": device,
                    "step": step.get("name"),
                    "operation": "validate",
                    "error_tag": "invalid-input",
                    "error_path": f"step.{problem[0]}",
                    "error_message": problem[1],
                }
            )
        if step["device"] != device:
            raise DeviceStepError(
                {
                    "device": device,
                    "step": step.get("name"),
                    "operation": "validate",
                    "error_tag": "invalid-input",
                    "error_path": "device",
                    "error_message": f"device {device!r} differs from step.device {step['device']!r}",
                }
            )
        return StepRequest(
            device,
            step["kind"],
            step["operation"],
            dict(step.get("params") or {}),
            params["state"],
            check_mode,
            diff,
            commit,
            step.get("name"),
        )
    handler = MODULE_HANDLERS[name]
    op_params = {k: params.get(k) for k in handler.fields}
    return StepRequest(
        device, handler.kind, handler.operation, op_params, params["state"], check_mode, diff, commit, None
    )


def connection_from_params(params: Mapping[str, Any]) -> DeviceConnection:
    return DeviceConnection.from_dict(
        {
            "name": params["device"],
            "host": params.get("netconf_host"),
            "port": params.get("netconf_port"),
            "user": params.get("netconf_user"),
            "key_file": params.get("netconf_key_file"),
            "known_hosts": params.get("netconf_known_hosts_file"),
            "timeout": params.get("netconf_timeout") or 30.0,
            "platform": params.get("netconf_platform"),
        }
    )


def run_direct(conn: DeviceConnection, request: StepRequest) -> dict[str, Any]:
    """Run one step on a new session (the standalone module path); an Ansible result dict."""
    try:
        session = conn.open()
    except Exception as exc:  # noqa: BLE001 - reported through the one failure formatter
        return failure_result(failure_from(exc, request.device, request.step_name).to_dict())
    try:
        return run_step(session, request).to_result(request.diff)
    except DeviceStepError as exc:
        return failure_result(exc.to_dict())
    finally:
        session.close()


def run_steps_direct(
    connections: Mapping[str, DeviceConnection],
    steps: list[Mapping[str, Any]],
    requests: list[StepRequest],
    on_failure: str,
    progress: Any = None,
) -> dict[str, Any]:
    """device_steps on sessions opened on first use in this process (one per device), closed at the end."""
    sessions: dict[str, Any] = {}

    def run_one(request: StepRequest) -> dict[str, Any]:
        session = sessions.get(request.device)
        if session is None:
            try:
                session = sessions[request.device] = connections[request.device].open()
            except Exception as exc:  # noqa: BLE001 - reported through the one failure formatter
                return failure_result(failure_from(exc, request.device, request.step_name).to_dict())
        try:
            return run_step(session, request).to_result(request.diff)
        except DeviceStepError as exc:
            if not session.connected:
                sessions.pop(request.device, None)
            return failure_result(exc.to_dict())

    try:
        return run_batch(steps, requests, run_one, on_failure, progress)
    finally:
        for session in sessions.values():
            session.close()


def confirm_plan(devices: list[str], steps: list[Mapping[str, Any]]) -> tuple[list[str], dict[str, list]]:
    """(devices in order: the given ones then the steps' others, steps per device)."""
    per_device: dict[str, list] = {}
    for position, step in enumerate(steps):
        if not isinstance(step, Mapping) or not step.get("device") or not step.get("kind"):
            raise StepInputError(
                f"steps[{position}]", "must be a plan step (device, kind, operation, params)"
            )
        per_device.setdefault(str(step["device"]), []).append(dict(step))
    ordered = list(dict.fromkeys(list(devices) + list(per_device)))
    if not ordered:
        raise StepInputError("devices", "name at least one device (or give steps)")
    return ordered, per_device


def confirm_direct(
    connections: Mapping[str, DeviceConnection],
    devices: list[str],
    action: str,
    persist_id: str | None,
    steps: Mapping[str, list] | None = None,
    state: str | None = None,
) -> dict[str, Any]:
    """Confirm / cancel / verify on every device, each on a new session; the netconf_confirm result."""
    outcomes = []
    for device in devices:
        try:
            with connections[device].open() as session:
                outcomes.append(
                    finish_and_verify(session, action, persist_id, (steps or {}).get(device), state)
                )
        except Exception as exc:  # noqa: BLE001 - reported through the one failure formatter
            outcomes.append(failure_from(exc, device, f"{action} {persist_id}").to_dict())
    return confirm_result(action, outcomes)


def confirm_result(action: str, outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """Summarise per-device outcomes: changed, the devices confirmed/cancelled, failures, and (when
    steps were given) the read-back: `verified` devices and the `mismatched` steps.

    Fails when a device failed (named with its error) or when a read-back shows a step the device
    does not hold: after a confirm that is "the slice is not on the devices", whatever the confirm
    answered; after a cancel, "the rollback did not restore the device".
    """
    done = [o["device"] for o in outcomes if o.get("changed") and not o.get("msg")]
    failed = [o for o in outcomes if o.get("msg")]
    mismatched = [m for o in outcomes if not o.get("msg") for m in o.get("mismatched") or []]
    result: dict[str, Any] = {
        "changed": bool(done),
        "action": action,
        "devices": outcomes,
        "confirmed": done if action == "confirm" else [],
        "cancelled": done if action == "cancel" else [],
        "not_pending": [
            o["device"] for o in outcomes if not o.get("msg") and not o.get("changed") and action != "verify"
        ],
        "verified": [o["device"] for o in outcomes if o.get("verified")],
        "mismatched": mismatched,
        "failed_devices": [o["device"] for o in failed],  # never "unreachable": Ansible reads that key
    }
    problems = [o["msg"] for o in failed]
    if mismatched:
        by_dev: dict[str, list[str]] = {}
        for m in mismatched:
            by_dev.setdefault(str(m["device"]), []).append(f"step {m['index']} ({m['name']}): {m['why']}")
        what = {
            "confirm": "after the confirm the device does not hold",
            "cancel": "after the cancel the device still differs from before the run in",
            "verify": "read back, the device does not hold",
        }[action]
        problems += [f"{dev}: {what} {'; '.join(items)}" for dev, items in by_dev.items()]
    if problems:
        result.update(failed=True, msg="; ".join(problems))
    return result


def require_ncclient() -> str | None:
    return None if HAS_NCCLIENT else "ncclient"


def step_module_main(module_class: Any, name: str) -> None:
    """main() of the one-device modules (device_step and the per-operation ones): one step, exit.

    module_class is the module's own AnsibleModule import (sanity tests patch it there).
    """
    from ansible.module_utils.basic import missing_required_lib

    module = module_class(**module_kwargs(name))
    missing = require_ncclient()
    if missing:
        module.fail_json(msg=missing_required_lib(missing))
    try:
        request = build_request(name, module.params, module.check_mode, module._diff)
        conn = connection_from_params(module.params)
    except Exception as exc:  # noqa: BLE001 - bad input is reported like any step failure
        module.fail_json(**failure_result(failure_from(exc, module.params["device"], None).to_dict()))
    result = run_direct(conn, request)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)
