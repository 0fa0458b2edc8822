# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place where a failed device step becomes a failure message.

Modules, action plugins and the session broker all report through `failure_from()`, so a user
always reads the same facts: the step, the device, the NETCONF operation that failed, the YANG
error-path and error-tag the device sent, its message, and what to do next.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    StepConflictError,
    StepInputError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import (
    NetconfConnectError,
    NetconfOperationError,
)

HINTS = {
    "session-closed": "the NETCONF session to the device was lost during the step; the device may "
    "or may not have applied it: re-run (steps are idempotent) or roll back",
    "connect-failed": "check that the device is up and the inventory's connection variables "
    "(host, port, user, key file, known_hosts) are right",
    "timeout": "the device did not answer in time",
    "in-use": "another session holds the datastore lock or a confirmed commit is pending; confirm or "
    "cancel it (qsafe.slicing.netconf_confirm) or wait",
    "invalid-input": "fix the task's parameters; nothing was sent to the device",
    "unreachable": "nothing was changed on any device; start the lab (playbooks/lab_up.yml) or the "
    "devices, or fix the inventory's connection variables, then re-run",
    "conflict": "the device's current configuration contradicts the step; nothing was changed",
}

FIELDS = ("device", "step", "operation", "error_tag", "error_path", "error_type", "error_message")


class DeviceStepError(Exception):
    """A step failed; carries the reportable facts (plain data, safe for JSON and logs)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = {k: info.get(k) for k in FIELDS}
        super().__init__(format_failure(self.info))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.info, msg=str(self))


def format_failure(info: dict[str, Any]) -> str:
    step = f"step '{info['step']}'" if info.get("step") else "step"
    text = f"{step} on device {info.get('device')} failed: {info.get('operation') or 'operation'}"
    if info.get("error_tag"):
        text += f" [{info['error_tag']}]"
    if info.get("error_path"):
        text += f" at {info['error_path']}"
    text += f": {info.get('error_message') or 'no message'}"
    hint = HINTS.get(info.get("error_tag") or "")
    return f"{text} ({hint})" if hint else text


def failure_from(exc: BaseException, device: str, step: str | None) -> DeviceStepError:
    """Turn any exception raised while running a step into a DeviceStepError."""
    if isinstance(exc, DeviceStepError):
        return exc
    info: dict[str, Any] = {"device": device, "step": step}
    if isinstance(exc, NetconfOperationError):
        info.update(
            device=exc.device or device,
            operation=exc.operation,
            error_tag=exc.error_tag,
            error_path=exc.error_path,
            error_type=exc.error_type,
            error_message=exc.message,
        )
        if isinstance(exc, NetconfConnectError) and not exc.error_tag:
            info["error_tag"] = "connect-failed"
    elif isinstance(exc, StepInputError):
        info.update(
            operation="validate", error_tag="invalid-input", error_path=exc.field, error_message=str(exc)
        )
    elif isinstance(exc, StepConflictError):
        info.update(operation="plan-edit", error_tag="conflict", error_message=str(exc))
    else:
        info.update(
            operation="internal", error_tag="internal-error", error_message=f"{type(exc).__name__}: {exc}"
        )
    return DeviceStepError(info)


def unreachable_error(down: dict[str, str]) -> DeviceStepError:
    """One failure naming every device that cannot be reached (device -> why), before any change."""
    names = sorted(down)
    why = "; ".join(f"{d}: {down[d].removeprefix('error: ')}" for d in names)
    return DeviceStepError(
        {
            "device": ", ".join(names),
            "operation": "connect",
            "error_tag": "unreachable",
            "error_message": f"{len(names)} device(s) unreachable before any change: {why}",
        }
    )


def failure_result(error: dict[str, Any]) -> dict[str, Any]:
    """Ansible task result of a failed step, from DeviceStepError.to_dict() (or the broker's reply)."""
    result = {k: error.get(k) for k in FIELDS}
    result.update(failed=True, changed=False, msg=error.get("msg") or format_failure(error))
    return result
