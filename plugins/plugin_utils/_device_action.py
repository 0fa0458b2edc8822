# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin base of the device modules: run the step in the worker, through the play's broker.

Why an action plugin per module (docs/provisioning.md): a module task costs a new Python process
(~0.8 s here); the action plugin validates the same argument spec, takes the device's connection
from the inventory and hands the step to the per-play session broker, which keeps one NETCONF
session per device open. Execution paths (variable `qsafe_netconf_execution`):
  broker (default) - the session broker; module - ship and run the module (the plain module path,
  for comparison and for hosts that must run it themselves); direct - a new session in the worker.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    DeviceStepError,
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import (
    build_request,
    module_kwargs,
    run_direct,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    DeviceConnection,
    StepResult,
)
from ansible_collections.qsafe.slicing.plugins.plugin_utils._netconf_broker import ensure_broker

EXECUTION_VAR = "qsafe_netconf_execution"
CONFIRM_WORKERS = 8
EXECUTIONS = ("broker", "module", "direct")
# Module option -> inventory variables tried in order.
HOSTVARS = {
    "netconf_host": ("ansible_host",),
    "netconf_port": ("ansible_port",),
    "netconf_user": ("ansible_user",),
    "netconf_key_file": ("ansible_ssh_private_key_file", "ansible_private_key_file"),
    "netconf_known_hosts_file": ("qsafe_netconf_known_hosts",),
    "netconf_platform": ("qsafe_platform",),
}
CONN_FIELDS = {
    "netconf_host": "host",
    "netconf_port": "port",
    "netconf_user": "user",
    "netconf_key_file": "key_file",
    "netconf_known_hosts_file": "known_hosts",
    "netconf_platform": "platform",
}


class NetconfDeviceAction(ActionBase):
    """The module's short name comes from the task (one action file, the others symlinks to it)."""

    TRANSFERS_FILES = False

    @property
    def module_name(self) -> str:
        return (self._task.resolved_action or self._task.action).rsplit(".", 1)[-1]

    # -- inputs ----------------------------------------------------------------------------------
    def _execution(self, task_vars: dict[str, Any]) -> str:
        mode = self._templar.template(task_vars.get(EXECUTION_VAR, "broker")) or "broker"
        if mode not in EXECUTIONS:
            raise AnsibleActionFail(f"{EXECUTION_VAR}: must be one of {', '.join(EXECUTIONS)}, got {mode!r}")
        return mode

    def _hostvars(self, device: str, task_vars: dict[str, Any]) -> Any:
        hostvars = task_vars.get("hostvars") or {}
        if device not in hostvars:
            raise AnsibleActionFail(
                f"device {device!r} is not in the inventory (no hostvars); check the device name"
            )
        return hostvars[device]

    def _connection_args(
        self, device: str, args: dict[str, Any], task_vars: dict[str, Any]
    ) -> dict[str, Any]:
        """args with the netconf_* options filled from hostvars[device] where not given."""
        filled = dict(args)
        hostvars = None
        for option, names in HOSTVARS.items():
            if filled.get(option) not in (None, ""):
                continue
            if hostvars is None:
                hostvars = self._hostvars(device, task_vars)
            for name in names:
                value = hostvars.get(name) if hasattr(hostvars, "get") else None
                if value not in (None, ""):
                    try:
                        value = self._templar.template(value)
                    except Exception:  # noqa: BLE001, S112 - omitted/undefined in the inventory: not set
                        continue
                    if value not in (None, ""):
                        filled[option] = value
                        break
        if filled.get("netconf_port") is not None:
            filled["netconf_port"] = int(filled["netconf_port"])
        return filled

    def _device_connection(
        self, device: str, args: dict[str, Any], task_vars: dict[str, Any]
    ) -> DeviceConnection:
        filled = self._connection_args(device, args, task_vars)
        data = {field: filled.get(option) for option, field in CONN_FIELDS.items()}
        data.update(name=device, timeout=float(args.get("netconf_timeout") or 30.0))
        return DeviceConnection.from_dict(data)

    def _broker(self, task_vars: dict[str, Any]) -> Any:
        state_dir = task_vars.get("qsafe_state_dir")
        return ensure_broker(state_dir=self._templar.template(state_dir) if state_dir else None)

    # -- run -------------------------------------------------------------------------------------
    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        kwargs = module_kwargs(self.module_name)
        _validation, args = self.validate_argument_spec(
            argument_spec=kwargs["argument_spec"], required_if=kwargs.get("required_if", [])
        )
        mode = self._execution(task_vars)
        check_mode = bool(self._task.check_mode)
        diff = bool(self._task.diff)
        result.update(self._run_module(args, task_vars, mode, check_mode, diff))
        return result

    def _run_module(
        self, args: dict[str, Any], task_vars: dict[str, Any], mode: str, check_mode: bool, diff: bool
    ) -> dict[str, Any]:
        """One device step (the modules that change one device); netconf_confirm overrides this."""
        result: dict[str, Any] = {}
        device = args["device"]
        try:
            if mode == "module":
                module_args = {
                    k: v for k, v in self._connection_args(device, args, task_vars).items() if v is not None
                }
                result.update(
                    self._execute_module(
                        module_name=f"qsafe.slicing.{self.module_name}",
                        module_args=module_args,
                        task_vars=task_vars,
                    )
                )
                return result
            request = build_request(self.module_name, args, check_mode, diff)
            conn = self._device_connection(device, args, task_vars)
            if mode == "direct":
                result.update(run_direct(conn, request))
                return result
            reply = self._broker(task_vars).step(conn, request)
        except AnsibleActionFail:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure goes through the one formatter
            step = args.get("step") or {}
            result.update(failure_result(failure_from(exc, device, step.get("name")).to_dict()))
            return result
        if not reply.get("ok"):
            result.update(failure_result(reply["error"]))
            return result
        out = reply["result"]
        # Rebuild the public result from the broker's StepResult fields (same shape as the module's).
        fields = {k: out[k] for k in StepResult.__dataclass_fields__ if k in out}
        result.update(StepResult(**fields).to_result(diff))
        result["session_connects"] = out.get("session_connects")
        return result


__all__ = ["DeviceStepError", "NetconfDeviceAction"]
