#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: device_steps
short_description: Apply or undo a list of rendered plan steps, one at a time, in one task
description:
  - Runs the steps of a slice plan serially, in list order, each as the same NETCONF transaction
    as M(qsafe.slicing.device_step) (lock, read, edit, compare, commit or discard, unlock), and
    prints one progress line per step as it finishes.
  - Every step is validated (shape and parameters) before the first device is touched; bad input
    fails naming C(steps[i].<field>) and changes nothing.
  - With O(on_failure=stop) the first failed step ends the task; RV(results) then holds every step
    tried (the applied ones and the failed one), so a rescue can undo exactly the applied steps.
  - One task because a C(device_step) loop pays Ansible's per-item cost for every step, several times
    the device transaction itself.
  - O(state=absent) applies each step's inverse; pass the steps in the order to undo them.
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
extends_documentation_fragment:
  - qsafe.slicing.netconf_device.apply
  - qsafe.slicing.netconf_device.attributes
options:
  steps:
    description:
      - Plan steps, each with at least C(device), C(kind), C(operation) and C(params) (C(name),
        C(index), C(resource), C(shared) are copied into the results). Extra keys are ignored, so
        the RV(results) of an earlier run can be passed back (for example to undo them).
    type: list
    elements: dict
    default: []
  kind:
    description:
      - Device kind of O(items) (C(l2_switch), C(optical_switch), C(encryptor), C(key_stream)).
    type: str
  items:
    description:
      - The simple item form of the device roles, run after O(steps) - a dict of operation name
        (C(vlan), C(vlan_member), C(cross_connect), C(client_port), C(stream)) to a list of flat
        items, each with C(device), the operation's parameters and an optional C(state) (default
        O(state)).
      - Present items run in the operations' order, absent items after them in reverse order (a
        port membership is removed before its VLAN). Requires O(kind).
    type: dict
  preconnect:
    description:
      - More devices (inventory hostnames) whose NETCONF sessions the play's broker opens in the
        background after those of this task's steps - the devices later tasks of the same run will
        change. Nothing is sent to them. Ignored unless the broker runs the steps.
    type: list
    elements: str
    default: []
  state:
    description:
      - C(present) applies each step, C(absent) its inverse.
  on_failure:
    description:
      - C(stop) ends at the first failed step; C(continue) tries every step and fails at the end
        if any step failed.
    type: str
    choices: [stop, continue]
    default: stop
  connections:
    description:
      - Device name to C(host), C(port), C(user), C(key_file), C(known_hosts). Devices not listed
        are taken from the inventory (C(hostvars[device])) by the action plugin.
    type: dict
  netconf_timeout:
    description:
      - Seconds to wait for the SSH connection and for each NETCONF reply.
    type: float
    default: 30.0
notes:
  - The action plugin runs the steps in the Ansible worker through the play's NETCONF session
    broker and opens the sessions of all devices of the list in parallel before the first step.
    Variable C(qsafe_netconf_execution) selects C(module) (this module as one process for the whole
    list) or C(direct) (sessions opened in the worker).
"""

EXAMPLES = r"""
- name: Apply the plan's steps with confirmed commits
  qsafe.slicing.device_steps:
    steps: "{{ plan.steps }}"
    commit: confirmed
    persist_id: "{{ run_persist_id }}"
  register: applied

- name: VLAN 3001 and its port membership on a switch (item form)
  qsafe.slicing.device_steps:
    kind: l2_switch
    items:
      vlan: [{device: sw-cell-1, vlan_id: 3001, name: lab.demo}]
      vlan_member: [{device: sw-cell-1, port: ru-1, vlan_id: 3001, mode: trunk}]

- name: Undo the applied ones in reverse order
  qsafe.slicing.device_steps:
    steps: "{{ applied.results | selectattr('changed') | reverse | list }}"
    state: absent
    on_failure: continue
"""

RETURN = r"""
changed:
  description: Whether any step changed a device.
  returned: always
  type: bool
results:
  description:
    - One entry per step tried, in order - the step's own fields (C(index), C(name), C(device),
      C(kind), C(operation), C(params), C(resource), C(shared)) and its outcome (C(changed),
      C(failed), C(committed), C(commit), C(elapsed_ms) of the device transaction, C(msg) and
      C(error_tag)/C(error_path) on failure), C(status) (ok, changed or failed), C(seconds) (wall
      time of the step) and C(detail) for the slice registry.
  returned: always
  type: list
  elements: dict
changed_devices:
  description: Devices that a step changed, in first-change order.
  returned: always
  type: list
  elements: str
  sample: [sw-cell-1, keys-a]
applied:
  description: Number of steps that changed a device.
  returned: always
  type: int
persist_id:
  description: The O(persist_id) the steps were committed with (tells one run's results from another's).
  returned: always
  type: str
elapsed_ms:
  description: Wall time of the whole list, in milliseconds.
  returned: success
  type: float
diff:
  description: Before and after text of each step's subtree (diff mode only).
  returned: when diff mode is on
  type: list
  elements: dict
failed_index:
  description: C(index) of the first failed step.
  returned: failure
  type: int
device:
  description: Device of the first failed step.
  returned: failure
  type: str
error_tag:
  description: NETCONF error-tag of the first failure (or invalid-input, session-closed, ...).
  returned: failure
  type: str
error_path:
  description: YANG error-path of the first failure, or the bad option (C(steps[i].<field>)).
  returned: failure
  type: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import (
    batch_failure,
    batch_requests,
    task_steps,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import (
    module_kwargs,
    require_ncclient,
    run_steps_direct,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    CommitOptions,
    DeviceConnection,
)

NAME = "device_steps"


def main() -> None:
    module = AnsibleModule(**module_kwargs(NAME))
    missing = require_ncclient()
    if missing:
        module.fail_json(msg=missing_required_lib(missing))
    params = module.params
    given = params.get("connections") or {}
    try:
        steps, states = task_steps(params["steps"], params.get("kind"), params.get("items"), params["state"])
        commit = CommitOptions(params["commit"], int(params["confirm_timeout"]), params.get("persist_id"))
        requests = batch_requests(steps, params["state"], commit, module.check_mode, module._diff, states)
        conns = {}
        for request in requests:
            entry = given.get(request.device) or {}
            conns[request.device] = DeviceConnection.from_dict(
                dict(entry, name=request.device, timeout=params["netconf_timeout"])
            )
    except Exception as exc:  # noqa: BLE001 - bad input is reported like any step failure
        module.fail_json(**batch_failure(exc), persist_id=params.get("persist_id"))
    result = run_steps_direct(conns, steps, requests, params["on_failure"])
    result["persist_id"] = params.get("persist_id")
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
