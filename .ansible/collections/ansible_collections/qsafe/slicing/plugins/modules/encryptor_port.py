#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: encryptor_port
short_description: Configure a client port of a channel encryption card over NETCONF
description:
  - Enables a 10G client port of a 10-TCE or 10-TCE-AES card and switches its AES-256
    encryption on or off; with encryption on, sets the card's key method (qsafe-encryptor
    C(client-ports/client-port[name]) and C(key-source/method)).
  - Absent puts the port back to its startup state (disabled, clear) and removes the key source
    once no port of the card encrypts any more.
  - Never reads or writes key material (the key banks are filled by the key script).
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
extends_documentation_fragment:
  - qsafe.slicing.netconf_device
  - qsafe.slicing.netconf_device.connection
  - qsafe.slicing.netconf_device.attributes
options:
  port:
    description: Client port name, C(c1) to C(c10).
    type: str
    required: true
  channel:
    description: DWDM channel the card should carry; a different channel on the card is a conflict.
    type: str
  enabled:
    description: Administrative state of the port.
    type: bool
    default: true
  encryption:
    description:
      - Encrypt the port's traffic with AES-256 (needs a 10-TCE-AES card; the device refuses otherwise).
    type: bool
    default: false
  method:
    description: Key method of the channel; required when O(encryption=true).
    type: str
    choices: [none, dh, qra, qkd, hybrid]
  key_stream:
    description: Name of the key stream feeding the card; recorded in the port description.
    type: str
"""

EXAMPLES = r"""
- name: Encrypt client port c1 of card tce-ch4-a with QKD keys
  qsafe.slicing.encryptor_port:
    device: tce-ch4-a
    port: c1
    channel: ch4
    encryption: true
    method: qkd
    key_stream: ks-ch4
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
    step_module_main(AnsibleModule, "encryptor_port")


if __name__ == "__main__":
    main()
