# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan rendering: the ordered device steps derived from the bindings."""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import plan_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.render import (
    BindingError,
    render_steps,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import parse_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import load_topology


def steps_for(topology_document, slice_document):
    topology = load_topology(topology_document)
    plan = plan_slice(parse_slice(slice_document, topology), topology)
    return plan, render_steps(plan, topology)


def test_enterprise_steps_cover_every_device_kind_in_safe_order(testbed_document, enterprise_slice):
    steps = steps_for(testbed_document, enterprise_slice)[1]
    assert [s["index"] for s in steps] == list(range(len(steps)))
    # The safe order: keys flow before encryption is on, light before VLANs, ports admitted last.
    safe_order = ["stream", "client_port", "cross_connect", "vlan", "vlan_member"]
    ranks = [safe_order.index(s["operation"]) for s in steps]
    assert ranks == sorted(ranks)
    assert set(ranks) == set(range(len(safe_order)))  # every kind of step is there
    assert len({s["resource"] for s in steps}) == len(steps)


def test_key_streams_only_for_encrypted_channels(testbed_document, cdn_slice):
    steps = steps_for(testbed_document, cdn_slice)[1]
    streams = sorted(
        (s["device"], s["params"]["name"], s["params"]["role"]) for s in steps if s["kind"] == "key_stream"
    )
    assert streams == [
        ("keys-a", "ks-ch2", "primary"),
        ("keys-a", "ks-ch4", "primary"),
        ("keys-b", "ks-ch2", "secondary"),
        ("keys-b", "ks-ch4", "secondary"),
    ]
    plain = [s for s in steps if s["kind"] == "encryptor" and s["params"]["channel"] == "ch1"]
    assert {(s["device"], s["params"]["encryption"], s["params"]["key_stream"]) for s in plain} == {
        ("tce-ch1-a", False, None),
        ("tce-ch1-b", False, None),
    }


def test_backhaul_steps_exactly(testbed_document, enterprise_slice):
    enterprise_slice["slice"]["connections"] = [enterprise_slice["slice"]["connections"][2]]
    plan, steps = steps_for(testbed_document, enterprise_slice)
    vlan = plan.connections[0].vlan
    assert [(s["device"], s["operation"], s["params"]) for s in steps] == [
        (
            "keys-a",
            "stream",
            {
                "name": "ks-ch4",
                "channel": "ch4",
                "method": "qkd",
                "role": "primary",
                "kme": "kme-a",
                "local_sae": "sae-ch4-a",
                "peer_sae": "sae-ch4-b",
                "card": "tce-ch4-a",
                "refresh_s": 3,
            },
        ),
        (
            "keys-b",
            "stream",
            {
                "name": "ks-ch4",
                "channel": "ch4",
                "method": "qkd",
                "role": "secondary",
                "kme": "kme-b",
                "local_sae": "sae-ch4-b",
                "peer_sae": "sae-ch4-a",
                "card": "tce-ch4-b",
                "refresh_s": 3,
            },
        ),
        (
            "tce-ch4-a",
            "client_port",
            {
                "port": "c4",
                "channel": "ch4",
                "enabled": True,
                "encryption": True,
                "method": "qkd",
                "key_stream": "ks-ch4",
            },
        ),
        (
            "tce-ch4-b",
            "client_port",
            {
                "port": "c4",
                "channel": "ch4",
                "enabled": True,
                "encryption": True,
                "method": "qkd",
                "key_stream": "ks-ch4",
            },
        ),
        (
            "ots-metro-1",
            "cross_connect",
            {"ingress": "sw-ch4-core-1", "egress": "tce-ch4-c4", "bidirectional": True},
        ),
        ("sw-metro-1", "vlan", {"vlan_id": vlan, "name": "enterprise-app-1.backhaul"}),
        ("sw-core-1", "vlan", {"vlan_id": vlan, "name": "enterprise-app-1.backhaul"}),
        ("sw-metro-1", "vlan_member", {"vlan_id": vlan, "port": "ch4-core-1", "mode": "trunk"}),
        ("sw-core-1", "vlan_member", {"vlan_id": vlan, "port": "ch4-metro-1", "mode": "trunk"}),
        ("sw-metro-1", "vlan_member", {"vlan_id": vlan, "port": "srv-1", "mode": "trunk"}),
        ("sw-core-1", "vlan_member", {"vlan_id": vlan, "port": "upf-1", "mode": "trunk"}),
    ]
    shared = {s["operation"]: s["shared"] for s in steps}
    assert shared == {
        "stream": True,
        "client_port": True,
        "cross_connect": True,
        "vlan": False,
        "vlan_member": False,
    }


def test_missing_bindings_give_a_clear_error(testbed_document, enterprise_slice):
    for link in testbed_document["topology"]["links"]:
        link.pop("devices")
    with pytest.raises(BindingError, match=r"link cell1-agg1-dh-2: no device bindings \('devices'\)"):
        steps_for(testbed_document, enterprise_slice)
