# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of qsafe.slicing.netconf_confirm: confirm or cancel a run's confirmed commits on
many devices, through the play's session broker (confirms in parallel, cancels in order)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import (
    confirm_direct,
    confirm_result,
    confirm_targets,
    with_run,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import DeviceConnection
from ansible_collections.qsafe.slicing.plugins.plugin_utils._device_action import (
    CONFIRM_WORKERS,
    NetconfDeviceAction,
)
from ansible_collections.qsafe.slicing.plugins.plugin_utils._netconf_broker import BrokerError


class ActionModule(NetconfDeviceAction):
    def _run_module(
        self, args: dict[str, Any], task_vars: dict[str, Any], mode: str, check_mode: bool, diff: bool
    ) -> dict[str, Any]:
        try:
            devices, log = confirm_targets(args)
        except Exception as exc:  # noqa: BLE001 - bad runs: named, nothing sent
            return failure_result(failure_from(exc, "?", args["action"]).to_dict())
        given = {k: v for k, v in args.items() if k != "runs"}
        outcome = self._confirm(dict(given, devices=devices), task_vars, mode, check_mode)
        return with_run(outcome, log, args["action"])

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
