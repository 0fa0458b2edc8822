# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin base of the device modules: run the step in the worker, through the play's broker.

Why an action plugin per module (PROVISIONING.md): a module task costs a new Python process
(~0.8 s here); the action plugin validates the same argument spec, takes the device's connection
from the inventory and hands the step to the per-play session broker, which keeps one NETCONF
session per device open. Execution paths (variable `qsafe_netconf_execution`):
  broker (default) - the session broker; module - ship and run the module (the plain module path,
  for comparison and for hosts that must run it themselves); direct - a new session in the worker.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.qsafe.slicing.plugins.module_utils.device_failures import (
    DeviceStepError,
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.device_module import (
    build_request,
    confirm_direct,
    confirm_result,
    module_kwargs,
    run_direct,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.device_operations import (
    DeviceConnection,
    StepResult,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf_broker import BrokerError, ensure_broker

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
}
CONN_FIELDS = {
    "netconf_host": "host",
    "netconf_port": "port",
    "netconf_user": "user",
    "netconf_key_file": "key_file",
    "netconf_known_hosts_file": "known_hosts",
}


class NetconfDeviceAction(ActionBase):
    """Subclasses set MODULE to the module's short name."""

    MODULE = ""
    TRANSFERS_FILES = False

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
                    filled[option] = self._templar.template(value)
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
        kwargs = module_kwargs(self.MODULE)
        _validation, args = self.validate_argument_spec(
            argument_spec=kwargs["argument_spec"], required_if=kwargs.get("required_if", [])
        )
        mode = self._execution(task_vars)
        check_mode = bool(self._task.check_mode)
        diff = bool(self._task.diff)
        if self.MODULE == "netconf_confirm":
            result.update(self._confirm(args, task_vars, mode, check_mode))
            return result
        device = args["device"]
        try:
            if mode == "module":
                module_args = {
                    k: v for k, v in self._connection_args(device, args, task_vars).items() if v is not None
                }
                result.update(
                    self._execute_module(
                        module_name=f"qsafe.slicing.{self.MODULE}",
                        module_args=module_args,
                        task_vars=task_vars,
                    )
                )
                return result
            request = build_request(self.MODULE, args, check_mode, diff)
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

    def _confirm(
        self, args: dict[str, Any], task_vars: dict[str, Any], mode: str, check_mode: bool
    ) -> dict[str, Any]:
        devices, action, persist_id = args["devices"], args["action"], args["persist_id"]
        if check_mode:
            return confirm_result(action, [{"device": d, "changed": True} for d in devices])
        given = args.get("connections") or {}
        conns: dict[str, DeviceConnection] = {}
        for device in devices:
            try:
                if device in given:
                    conns[device] = DeviceConnection.from_dict(dict(given[device], name=device))
                else:
                    conns[device] = self._device_connection(
                        device, {"netconf_timeout": args["netconf_timeout"]}, task_vars
                    )
            except Exception as exc:  # noqa: BLE001
                return failure_result(failure_from(exc, device, f"{action} {persist_id}").to_dict())
        if mode == "module":
            module_args = dict(
                args,
                connections={
                    d: {k: v for k, v in c.__dict__.items() if k != "name"} for d, c in conns.items()
                },
            )
            return self._execute_module(
                module_name="qsafe.slicing.netconf_confirm", module_args=module_args, task_vars=task_vars
            )
        if mode == "direct":
            return confirm_direct(conns, devices, action, persist_id)
        try:
            broker = self._broker(task_vars)
        except (BrokerError, OSError) as exc:
            return failure_result(failure_from(exc, devices[0] if devices else "?", action).to_dict())

        def finish(device: str) -> dict[str, Any]:
            try:
                reply = broker.finish(conns[device], action, persist_id)
            except (BrokerError, OSError, ValueError) as exc:
                return failure_from(exc, device, f"{action} {persist_id}").to_dict()
            return reply["result"] if reply.get("ok") else reply["error"]

        if action == "confirm" and len(devices) > 1:
            # Confirms are independent per device and the slice is complete: all at once (the
            # broker serves different devices in parallel). Cancels keep reverse first-touch order.
            with ThreadPoolExecutor(max_workers=min(CONFIRM_WORKERS, len(devices))) as pool:
                outcomes = list(pool.map(finish, devices))
        else:
            outcomes = [finish(device) for device in devices]
        return confirm_result(action, outcomes)


__all__ = ["DeviceStepError", "NetconfDeviceAction"]
