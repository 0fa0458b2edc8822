#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: optical_cross_connect
short_description: Patch or unpatch two ports of the optical switch over NETCONF
description:
  - Creates or removes a port-to-port cross-connect. On platform C(openconfig) (the default, see
    O(netconf_platform)) it is a pair of openconfig-transport-line-connectivity connections
    C(/connections/connection[index]) (O(ingress) to O(egress) and back); on C(openconfig_2016) a
    qsafe-optical-switch C(/optical-switch/cross-connects/cross-connect[ingress]).
  - An ingress already patched to another egress is a conflict; removing deletes the patch only when
    it is exactly O(ingress) to O(egress).
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
extends_documentation_fragment:
  - qsafe.slicing.netconf_device
  - qsafe.slicing.netconf_device.apply
  - qsafe.slicing.netconf_device.connection
  - qsafe.slicing.netconf_device.attributes
options:
  ingress:
    description: Ingress port (switch side).
    type: str
    required: true
  egress:
    description: Egress port (line side, facing an encryption card client port).
    type: str
    required: true
  bidirectional:
    description:
      - The optical switch always patches both directions; only C(true) is supported.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Patch the agg-1 switch port to card ch2 client port c3
  qsafe.slicing.optical_cross_connect:
    device: ots-metro-1
    ingress: sw-ch2-agg-1
    egress: tce-ch2-c3
    commit: confirmed
    persist_id: run-42
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
    step_module_main(AnsibleModule, "optical_cross_connect")


if __name__ == "__main__":
    main()
