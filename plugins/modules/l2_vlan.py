#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: l2_vlan
short_description: Create or remove a VLAN on an L2 switch over NETCONF
description:
  - Creates, renames or removes a VLAN on an L2 switch. On platform C(openconfig) (the default, see
    O(netconf_platform)) the VLAN is in the default network instance
    (openconfig-network-instance C(/network-instances/network-instance[name=DEFAULT]/vlans/vlan[vlan-id]));
    on C(openconfig_2016) in the 2016 top-level list (openconfig-vlan C(/vlans/vlan[vlan-id])).
  - Removing the last VLAN also removes the empty C(vlans) container, so the running
    configuration returns byte-identical to before.
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
extends_documentation_fragment:
  - qsafe.slicing.netconf_device
  - qsafe.slicing.netconf_device.apply
  - qsafe.slicing.netconf_device.connection
  - qsafe.slicing.netconf_device.attributes
options:
  vlan_id:
    description: VLAN ID, 1 to 4094.
    type: int
    required: true
  name:
    description: VLAN name (for example the slice and connection that own it).
    type: str
"""

EXAMPLES = r"""
- name: Create VLAN 100 on sw-cell-1
  qsafe.slicing.l2_vlan:
    device: sw-cell-1
    vlan_id: 100
    name: enterprise-app-1.control

- name: Remove it again
  qsafe.slicing.l2_vlan:
    device: sw-cell-1
    vlan_id: 100
    state: absent
"""

RETURN = r"""

changed:
  description: Whether the subtree differed between running (before) and candidate (after).
  returned: always
  type: bool
device:
  description: The device that was changed.
  returned: success
  type: str
  sample: sw-cell-1
step:
  description: Name of the step, for messages and the registry.
  returned: success
  type: str
kind:
  description: Device kind of the handler that built the edit.
  returned: success
  type: str
  sample: l2_switch
operation:
  description: Operation of the handler that built the edit.
  returned: success
  type: str
  sample: vlan
state:
  description: The requested state.
  returned: success
  type: str
committed:
  description: Whether a commit was sent (false in check mode and when nothing changed).
  returned: success
  type: bool
commit:
  description: Kind of commit sent - plain, confirmed, confirmed-follow-up - or null.
  returned: success
  type: str
  sample: confirmed
commands:
  description:
    - The C(edit-config) payloads sent to the candidate (XML), empty when the device already matched
      and nothing needed sending. They reach running only when RV(committed) is true.
  returned: success
  type: list
  elements: str
before:
  description: The affected subtree in running before the step (text).
  returned: success
  type: str
after:
  description: The affected subtree after the step (in candidate; what running holds once committed).
  returned: success
  type: str
elapsed_ms:
  description: Time spent on the device transaction, in milliseconds.
  returned: success
  type: float
diff:
  description: Before and after text of the affected subtree (diff mode only).
  returned: when diff mode is on
  type: dict
error_tag:
  description:
    - NETCONF error-tag of the failed operation, or a pseudo tag such as session-closed or invalid-input.
  returned: failure
  type: str
  sample: invalid-value
error_path:
  description: YANG error-path reported by the device (or the bad option for invalid-input).
  returned: failure
  type: str

"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import step_module_main


def main() -> None:
    step_module_main(AnsibleModule, "l2_vlan")


if __name__ == "__main__":
    main()
