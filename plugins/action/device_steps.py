# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of qsafe.slicing.device_steps: a plan's steps, serially, in one task, via the broker.

Logic in module_utils/device_batch.py; here: connection variables from the inventory, the play's
session broker (its sessions opened in parallel before the first step), one broker request per
step and one progress line per finished step through Ansible's display (shown while it runs).
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import (
    batch_failure,
    batch_requests,
    progress_line,
    run_batch,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    failure_result,
    unreachable_error,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import (
    module_kwargs,
    run_steps_direct,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    CommitOptions,
    DeviceConnection,
    StepRequest,
    StepResult,
)
from ansible_collections.qsafe.slicing.plugins.plugin_utils._device_action import NetconfDeviceAction

display = Display()


class ActionModule(NetconfDeviceAction):
    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = self._base_result(tmp, task_vars)
        kwargs = module_kwargs(self.module_name)
        _validation, args = self.validate_argument_spec(
            argument_spec=kwargs["argument_spec"], required_if=kwargs.get("required_if", [])
        )
        mode = self._execution(task_vars)
        if mode == "module":
            result.update(self._as_module(args, task_vars))
            return result
        check_mode, diff = bool(self._task.check_mode), bool(self._task.diff)
        steps = args["steps"]
        try:
            commit = CommitOptions(
                args["commit"],
                int(args["confirm_timeout"]),
                args.get("persist_id"),
                tuple(args.get("takeover_persist_ids") or ()),
            )
            requests = batch_requests(steps, args["state"], commit, check_mode, diff)
            conns = self._connections(requests, args, task_vars)
        except AnsibleActionFail:
            raise
        except Exception as exc:  # noqa: BLE001 - bad input: named, nothing sent
            result.update(batch_failure(exc))
            return result

        def progress(position: int, total: int, entry: dict[str, Any]) -> None:
            display.display(f"  {progress_line(position, total, entry)}")

        if mode == "direct":
            result.update(run_steps_direct(conns, steps, requests, args["on_failure"], progress))
            return result
        try:
            broker = self._broker(task_vars)
            # Sessions of every device of the list, opened in the background in first-use order
            # while the first steps already run (each step waits for its own device only).
            broker.connect(list(conns.values()), wait=False)
            # Before the first change: every device this play's run named must answer (a lab or
            # device that is down is named here, not halfway through the plan).
            down = (
                {d: why for d, why in broker.reachable().items() if why.startswith("error")} if steps else {}
            )
        except Exception as exc:  # noqa: BLE001 - no device was touched
            result.update(batch_failure(exc))
            return result
        if down:
            result.update(batch_failure(unreachable_error(down)))
            return result

        def run_one(request: StepRequest) -> dict[str, Any]:
            reply = broker.step(conns[request.device], request)
            if not reply.get("ok"):
                return failure_result(reply["error"])
            out = reply["result"]
            fields = {k: out[k] for k in StepResult.__dataclass_fields__ if k in out}
            return StepResult(**fields).to_result(request.diff)

        result.update(run_batch(steps, requests, run_one, args["on_failure"], progress))
        return result

    def _base_result(self, tmp: Any, task_vars: dict[str, Any]) -> dict[str, Any]:
        """ActionBase's result set-up (the single-step run() of the base class is not used here)."""
        return ActionBase.run(self, tmp, task_vars)

    def _connections(
        self, requests: list[StepRequest], args: dict[str, Any], task_vars: dict[str, Any]
    ) -> dict[str, DeviceConnection]:
        """device -> connection: the `connections` option where given, else hostvars[device]."""
        given = args.get("connections") or {}
        conns: dict[str, DeviceConnection] = {}
        missing: dict[str, str] = {}
        for request in requests:
            device = request.device
            if device in conns or device in missing:
                continue
            try:
                if device in given:
                    data = dict(given[device], name=device, timeout=args["netconf_timeout"])
                    conns[device] = DeviceConnection.from_dict(data)
                else:
                    conns[device] = self._device_connection(
                        device, {"netconf_timeout": args["netconf_timeout"]}, task_vars
                    )
            except AnsibleActionFail:
                raise
            except Exception as exc:  # noqa: BLE001 - every device without connection details, named
                missing[device] = f"no connection details ({exc})"
        if missing:
            raise unreachable_error(missing)
        return conns

    def _as_module(self, args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        """Ship the module (one process for the whole list), with connections from the inventory."""
        given = dict(args.get("connections") or {})
        for step in args["steps"]:
            device = step.get("device") if isinstance(step, dict) else None
            if device and device not in given:
                timeout = {"netconf_timeout": args["netconf_timeout"]}
                conn = self._device_connection(device, timeout, task_vars)
                given[device] = {k: v for k, v in conn.__dict__.items() if k not in ("name", "timeout")}
        module_args = dict(args, connections=given)
        return self._execute_module(
            module_name="qsafe.slicing.device_steps", module_args=module_args, task_vars=task_vars
        )
