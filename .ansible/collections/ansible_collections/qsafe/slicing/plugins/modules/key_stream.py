#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: key_stream
short_description: Start or stop a key stream on a key host over NETCONF
description:
  - Creates (starts) or removes (stops) a key stream (qsafe-key-stream C(/key-streams/stream[name])) -
    the host's key script fetches a key from the KME every O(refresh_s) seconds and installs it in
    the card's key bank.
  - Only the configured leaves are compared for the diff, never the C(status) that the key script
    writes. No key material passes through this module.
version_added: 0.1.0
author: qsafe.slicing team (@qsafe)
extends_documentation_fragment:
  - qsafe.slicing.netconf_device
  - qsafe.slicing.netconf_device.connection
  - qsafe.slicing.netconf_device.attributes
options:
  name:
    description: Stream name, for example C(ks-ch2).
    type: str
    required: true
  channel:
    description: DWDM channel whose card the stream keys. Required when O(state=present).
    type: str
  method:
    description: Key method. Required when O(state=present).
    type: str
    choices: [dh, qra, qkd, hybrid]
  role:
    description:
      - C(primary) fetches new keys (master SAE), C(secondary) fetches keys by ID.
      - Required when O(state=present).
    type: str
    choices: [primary, secondary]
  kme:
    description:
      - KME of this end (inventory name or base URL), written to C(kme-url).
      - Required when O(state=present).
    type: str
  local_sae:
    description: This end's SAE ID. Required when O(state=present).
    type: str
  peer_sae:
    description: The other end's SAE ID. Required when O(state=present).
    type: str
  card:
    description: Inventory name of the encryption card the stream feeds. Required when O(state=present).
    type: str
  refresh_s:
    description: Key rotation period in seconds (1 to 86400).
    type: int
    default: 3
"""

EXAMPLES = r"""
- name: Start the primary end of key stream ks-ch2
  qsafe.slicing.key_stream:
    device: keys-a
    name: ks-ch2
    channel: ch2
    method: dh
    role: primary
    kme: kme-a
    local_sae: sae-ch2-a
    peer_sae: sae-ch2-b
    card: tce-ch2-a
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
    step_module_main(AnsibleModule, "key_stream")


if __name__ == "__main__":
    main()
