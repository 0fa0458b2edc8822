#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: l2_port_vlan
short_description: Add a switch port to a VLAN or remove it over NETCONF
description:
  - Adds a VLAN to a trunk port's allowed VLANs, or sets a port's access VLAN
    (openconfig-vlan C(switched-vlan) of C(/interfaces/interface[name]/ethernet)).
  - A port in the other mode with VLANs, or an access port of another VLAN, is a conflict and fails
    without changing anything.
  - Removing a port's last VLAN removes the C(switched-vlan) container (and an otherwise empty
    C(ethernet) container).
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
extends_documentation_fragment:
  - qsafe.slicing.netconf_device
  - qsafe.slicing.netconf_device.connection
  - qsafe.slicing.netconf_device.attributes
options:
  port:
    description: Switch port (interface) name; it must exist on the switch.
    type: str
    required: true
  vlan_id:
    description: VLAN ID, 1 to 4094.
    type: int
    required: true
  mode:
    description: C(trunk) adds the VLAN to the port's trunk VLANs, C(access) makes it the access VLAN.
    type: str
    choices: [trunk, access]
    default: trunk
"""

EXAMPLES = r"""
- name: Carry VLAN 100 on the uplink trunk
  qsafe.slicing.l2_port_vlan:
    device: sw-cell-1
    port: ch2-agg-1
    vlan_id: 100
    mode: trunk
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
    step_module_main(AnsibleModule, "l2_port_vlan")


if __name__ == "__main__":
    main()
