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
    and does not fail the task (confirming or cancelling twice is a no-op).
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
options:
  devices:
    description:
      - Inventory hostnames of the devices. One of O(devices) and O(runs) is required.
    type: list
    elements: str
  runs:
    description:
      - Registered results of the C(qsafe.slicing.device_steps) tasks of a run, in the order they
        ran (missing or skipped ones allowed). The devices are then taken from them - for
        C(confirm) the changed devices in first-change order, for C(cancel) every device changed or
        failed on in reverse first-touch order - and results made with another persist-id (an
        earlier run in the same play) are ignored.
    type: list
    elements: raw
  persist_id:
    description: Persist token that the confirmed commits were made with.
    type: str
    required: true
  action:
    description: C(confirm) makes the changes permanent, C(cancel) rolls them back.
    type: str
    choices: [confirm, cancel]
    default: confirm
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

- name: Roll back every device the run's device_steps tasks touched (reverse first-touch order)
  qsafe.slicing.netconf_confirm:
    runs: "{{ [key_stream_result, encryptor_result] }}"
    persist_id: "{{ run_persist_id }}"
    action: cancel
  register: cancelled
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
  description: Per-device outcome (device, changed, pending) or failure (msg, error_tag, error_path).
  returned: always
  type: list
  elements: dict
touched_devices_reverse:
  description: With O(runs), the devices the run changed or failed on, last touched first.
  returned: when O(runs) is given
  type: list
  elements: str
applied:
  description: With O(runs), how many steps the run applied (changed a device and did not fail).
  returned: when O(runs) is given
  type: int
undo_steps:
  description:
    - With O(runs) and O(action=cancel), the applied steps on devices where cancel reverted nothing
      (already confirmed, or cancel failed), newest first - undo them explicitly with
      C(qsafe.slicing.device_steps state=absent).
  returned: when O(runs) is given and O(action=cancel)
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import (
    confirm_direct,
    confirm_result,
    confirm_targets,
    module_kwargs,
    require_ncclient,
    with_run,
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
        devices, log = confirm_targets(params)
    except Exception as exc:  # noqa: BLE001 - bad runs are reported like any step failure
        module.fail_json(**failure_result(failure_from(exc, "?", params["action"]).to_dict()))
    if module.check_mode:
        planned = [{"device": d, "changed": True} for d in devices]
        module.exit_json(**with_run(confirm_result(params["action"], planned), log, params["action"]))
    connections = {}
    for device in devices:
        try:
            conn = dict((params["connections"] or {}).get(device) or {}, name=device)
            conn.setdefault("timeout", params["netconf_timeout"])
            connections[device] = DeviceConnection.from_dict(conn)
        except Exception as exc:  # noqa: BLE001 - bad input is reported like any step failure
            error = failure_from(exc, device, params["action"]).to_dict()
            module.fail_json(**failure_result(error))
    result = with_run(
        confirm_direct(connections, devices, params["action"], params["persist_id"]), log, params["action"]
    )
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
