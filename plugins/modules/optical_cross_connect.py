#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: optical_cross_connect
short_description: Patch or unpatch two ports of the optical switch over NETCONF
description:
  - Creates or removes a port-to-port cross-connect (qsafe-optical-switch
    C(/optical-switch/cross-connects/cross-connect[ingress])).
  - An ingress already patched to another egress is a conflict; removing deletes the patch only when
    it is exactly O(ingress) to O(egress).
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
extends_documentation_fragment:
  - qsafe.slicing.netconf_device
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

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import (
    build_request,
    connection_from_params,
    module_kwargs,
    require_ncclient,
    run_direct,
)

NAME = "optical_cross_connect"


def main() -> None:
    module = AnsibleModule(**module_kwargs(NAME))
    missing = require_ncclient()
    if missing:
        module.fail_json(msg=missing_required_lib(missing))
    try:
        request = build_request(NAME, module.params, module.check_mode, module._diff)
        conn = connection_from_params(module.params)
    except Exception as exc:  # noqa: BLE001 - bad input is reported like any step failure
        module.fail_json(**failure_result(failure_from(exc, module.params["device"], None).to_dict()))
    result = run_direct(conn, request)
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
