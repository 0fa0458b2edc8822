# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of qsafe.slicing.device_steps: a plan's steps, serially, in one task, via the broker.

Logic in module_utils/devices/batch.py and runs.py; here: connection variables from the inventory, the play's
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
    task_steps,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import failure_result
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
            **{k: v for k, v in kwargs.items() if k != "supports_check_mode"}
        )
        mode = self._execution(task_vars)
        if mode == "module":
            result.update(self._as_module(args, task_vars), persist_id=args.get("persist_id"))
            return result
        check_mode, diff = bool(self._task.check_mode), bool(self._task.diff)
        # The run's persist-id comes back with the result, so a slice rescue merging several
        # device tasks' results can tell this run's from an earlier run's in the same play.
        result["persist_id"] = args.get("persist_id")
        try:
            steps, states = task_steps(args["steps"], args.get("kind"), args.get("items"), args["state"])
            commit = CommitOptions(args["commit"], int(args["confirm_timeout"]), args.get("persist_id"))
            requests = batch_requests(steps, args["state"], commit, check_mode, diff, states)
            conns = self._connections(requests, args, task_vars)
            extra = [d for d in args["preconnect"] if d not in conns]
            ahead = [self._device_connection(d, {"netconf_timeout": args["netconf_timeout"]}, task_vars)
                     for d in extra] if mode == "broker" else []
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
            # `preconnect` names devices that later tasks of the run will need: their sessions open
            # after this task's own, while it runs.
            broker.connect(list(conns.values()) + ahead, wait=False)
        except Exception as exc:  # noqa: BLE001 - no device was touched
            result.update(batch_failure(exc))
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
        for request in requests:
            device = request.device
            if device in conns:
                continue
            if device in given:
                data = dict(given[device], name=device, timeout=args["netconf_timeout"])
                conns[device] = DeviceConnection.from_dict(data)
            else:
                conns[device] = self._device_connection(
                    device, {"netconf_timeout": args["netconf_timeout"]}, task_vars
                )
        return conns

    def _as_module(self, args: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        """Ship the module (one process for the whole list), with connections from the inventory."""
        given = dict(args.get("connections") or {})
        steps, _states = task_steps(args["steps"], args.get("kind"), args.get("items"), args["state"])
        for step in steps:
            device = step.get("device") if isinstance(step, dict) else None
            if device and device not in given:
                timeout = {"netconf_timeout": args["netconf_timeout"]}
                conn = self._device_connection(device, timeout, task_vars)
                given[device] = {k: v for k, v in conn.__dict__.items() if k not in ("name", "timeout")}
        module_args = dict(args, connections=given, preconnect=[])
        return self._execute_module(
            module_name="qsafe.slicing.device_steps", module_args=module_args, task_vars=task_vars
        )
