#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: netconf_confirm
short_description: Confirm or cancel a persisted confirmed commit on NETCONF devices
description:
  - Sends a confirming commit (C(<commit><persist-id>)) or a cancel-commit (C(<cancel-commit><persist-id>))
    for the confirmed commit O(persist_id) to every device in O(devices), in the order given.
  - Works from any session (the session that made the confirmed commit may be gone) - through the
    play's session broker with the action plugin, on a new session per device otherwise.
  - A device with no confirmed commit pending under O(persist_id) is reported in RV(not_pending)
    and does not fail the task by itself (confirming or cancelling twice is a no-op).
  - Given O(steps) (the run's plan steps), every device they name is also read back after the
    confirm or cancel (one get-config of the subtrees the steps touch, devices in parallel) and the
    task fails unless each device holds every step in O(state) - after a confirm, "nothing pending"
    is success only when the read-back matches. O(action=verify) only reads back.
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
options:
  devices:
    description:
      - Inventory hostnames of the devices. The devices named by O(steps) are added (in first-use
        order); at least one device or step is required.
    type: list
    elements: str
    default: []
  persist_id:
    description: Persist token that the confirmed commits were made with. Required unless O(action=verify).
    type: str
  action:
    description:
      - C(confirm) makes the changes permanent, C(cancel) rolls them back, C(verify) only reads the
        devices back against O(steps).
    type: str
    choices: [confirm, cancel, verify]
    default: confirm
  steps:
    description:
      - Plan steps (device, kind, operation, params, and index and name for the messages) that the
        devices must hold after the action, in O(state).
    type: list
    elements: dict
    default: []
  state:
    description:
      - Whether O(steps) must be present or absent on the devices after the action. Unset, each
        step's own C(state) (a device_steps result carries it) is used, else present.
    type: str
    choices: [present, absent]
  connections:
    description:
      - Connection of each device, a dict of device name to a dict with C(host), C(port), C(user),
        C(key_file), C(known_hosts).
      - The action plugin fills it from the inventory; set it only for standalone use.
    type: dict
  netconf_timeout:
    description: Seconds to wait for the SSH connection and for each NETCONF reply.
    type: float
    default: 30.0
attributes:
  check_mode:
    description: In check mode nothing is sent; every device is reported as changed.
    support: full
  diff_mode:
    description: No diff is produced.
    support: none
  idempotent:
    description: Confirming or cancelling again reports no change (nothing pending).
    support: full
"""

EXAMPLES = r"""
- name: Confirm the slice on every device this run changed
  qsafe.slicing.netconf_confirm:
    devices: [sw-cell-1, ots-metro-1, tce-ch2-a]
    persist_id: "{{ run_persist_id }}"
    action: confirm

- name: Roll the run back
  qsafe.slicing.netconf_confirm:
    devices: [tce-ch2-a, ots-metro-1, sw-cell-1]
    persist_id: "{{ run_persist_id }}"
    action: cancel
"""

RETURN = r"""
changed:
  description: Whether any device had a pending confirmed commit that was confirmed or cancelled.
  returned: always
  type: bool
action:
  description: The action taken.
  returned: always
  type: str
confirmed:
  description: Devices whose pending confirmed commit was confirmed.
  returned: always
  type: list
  elements: str
cancelled:
  description: Devices whose pending confirmed commit was cancelled (rolled back).
  returned: always
  type: list
  elements: str
not_pending:
  description: Devices with no confirmed commit pending under the persist-id.
  returned: always
  type: list
  elements: str
devices:
  description:
    - Per-device outcome (device, changed, pending, verified, mismatched) or failure (msg,
      error_tag, error_path).
  returned: always
  type: list
  elements: dict
verified:
  description: Devices whose read-back holds every step given for them.
  returned: always
  type: list
  elements: str
mismatched:
  description: Steps a device does not hold after the action (index, name, device, why).
  returned: always
  type: list
  elements: dict
failed_devices:
  description: Devices where the action or the read-back failed (see RV(devices) for the error).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import (
    confirm_direct,
    confirm_plan,
    confirm_result,
    module_kwargs,
    require_ncclient,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import DeviceConnection

NAME = "netconf_confirm"


def main() -> None:
    module = AnsibleModule(**module_kwargs(NAME))
    missing = require_ncclient()
    if missing:
        module.fail_json(msg=missing_required_lib(missing))
    params = module.params
    try:
        devices, steps = confirm_plan(params["devices"] or [], params["steps"] or [])
    except Exception as exc:  # noqa: BLE001 - bad input is reported like any step failure
        module.fail_json(**failure_result(failure_from(exc, "?", params["action"]).to_dict()))
    if module.check_mode:
        planned = [{"device": d, "changed": params["action"] != "verify"} for d in devices]
        module.exit_json(**confirm_result(params["action"], planned))
    connections = {}
    for device in devices:
        try:
            conn = dict((params["connections"] or {}).get(device) or {}, name=device)
            conn.setdefault("timeout", params["netconf_timeout"])
            connections[device] = DeviceConnection.from_dict(conn)
        except Exception as exc:  # noqa: BLE001 - bad input is reported like any step failure
            error = failure_from(exc, device, params["action"]).to_dict()
            module.fail_json(**failure_result(error))
    result = confirm_direct(
        connections, devices, params["action"], params["persist_id"], steps, params["state"]
    )
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
