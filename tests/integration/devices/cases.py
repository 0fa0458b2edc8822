# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One present/absent case per (kind, operation) handler, on devices and resources no other test uses."""

from __future__ import annotations

CASES = {
    "vlan": {
        "device": "sw-cell-2", "kind": "l2_switch", "operation": "vlan",
        "params": {"vlan_id": 610, "name": "test.vlan"}, "marker": "<vlan-id>610</vlan-id>",
    },
    "vlan_member": {
        "device": "sw-cell-2", "kind": "l2_switch", "operation": "vlan_member",
        "params": {"vlan_id": 611, "port": "ch1-agg-1", "mode": "trunk"},
        "marker": "<trunk-vlans>611</trunk-vlans>",
    },
    "cross_connect": {
        "device": "ots-metro-1", "kind": "optical_switch", "operation": "cross_connect",
        "params": {"ingress": "sw-ch5-core-1", "egress": "tce-ch5-c4", "bidirectional": True},
        "marker": "<dest>tce-ch5-c4</dest>",
    },
    "client_port": {
        "device": "tce-ch5-a", "kind": "encryptor", "operation": "client_port",
        "params": {"port": "c7", "channel": "ch5", "enabled": True, "encryption": True, "method": "qkd",
                   "key_stream": "ks-ch5"},
        "marker": "<encryption>aes-256</encryption>",
    },
    "stream": {
        "device": "keys-b", "kind": "key_stream", "operation": "stream",
        "params": {"name": "ks-test", "channel": "ch5", "method": "qkd", "role": "secondary", "kme": "kme-b",
                   "local_sae": "sae-ch5-b", "peer_sae": "sae-ch5-a", "card": "tce-ch5-b", "refresh_s": 3},
        "marker": "<name>ks-test</name>",
    },
}
