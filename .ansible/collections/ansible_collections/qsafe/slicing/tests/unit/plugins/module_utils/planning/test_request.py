# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad descriptors are rejected with a message naming the field and what is allowed."""

from __future__ import annotations

import copy

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import DescriptorError
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import parse_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import load_topology


def _mutate(document: dict, change) -> dict:
    document = copy.deepcopy(document)
    change(document["slice"])
    return document


def _set(path, value):
    def change(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path):
    def change(body):
        target = body
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


SLICE_CASES = [
    (
        "bad security",
        _set(["connections", 1, "security"], "quantum"),
        "slice.connections[1].security: 'quantum' is not one of none, dh, qra, qkd",
    ),
    (
        "negative bandwidth",
        _set(["connections", 0, "bandwidth_mbps"], -5),
        "slice.connections[0].bandwidth_mbps: must be greater than 0, got -5",
    ),
    (
        "zero bandwidth",
        _set(["connections", 2, "bandwidth_mbps"], 0),
        "slice.connections[2].bandwidth_mbps: must be greater than 0, got 0",
    ),
    (
        "bandwidth as text",
        _set(["connections", 0, "bandwidth_mbps"], "fast"),
        "slice.connections[0].bandwidth_mbps: 'fast' is not of type number",
    ),
    (
        "missing latency",
        _delete(["connections", 0, "max_latency_ms"]),
        "slice.connections[0]: missing required field 'max_latency_ms'",
    ),
    (
        "typo field",
        _set(["connections", 0, "bandwith_mbps"], 10),
        "slice.connections[0]: unknown field 'bandwith_mbps' "
        "(allowed: bandwidth_mbps, from, max_latency_ms, name, "
        "security, to)",
    ),
    (
        "unknown site",
        _set(["connections", 0, "to"], "core-9"),
        "slice.connections[0].to: unknown site 'core-9'",
    ),
    (
        "self loop",
        _set(["connections", 0, "to"], "cell-1"),
        "slice.connections[0]: 'from' and 'to' are the same endpoint 'cell-1'",
    ),
    (
        "duplicate names",
        _set(["connections", 2, "name"], "control"),
        "slice.connections[2].name: duplicate connection name 'control' (also slice.connections[0])",
    ),
    (
        "compute endpoint without block",
        _delete(["compute"]),
        [
            "slice.connections[1].to: endpoint 'compute' needs a slice.compute block",
            "slice.connections[2].from: endpoint 'compute' needs a slice.compute block",
        ],
    ),
    (
        "both site and role",
        _set(["compute", "site"], "metro-1"),
        "slice.compute: give exactly one of 'site' or 'site_role'",
    ),
    (
        "unknown compute site",
        lambda b: b.__setitem__("compute", {"site": "metro-9", "vcpu": 1, "memory_gb": 1}),
        "slice.compute.site: unknown site 'metro-9'",
    ),
    (
        "site without compute",
        lambda b: b.__setitem__("compute", {"site": "core-1", "vcpu": 1, "memory_gb": 1}),
        "slice.compute.site: site 'core-1' hosts no compute",
    ),
    (
        "role without compute",
        _set(["compute", "site_role"], "cell"),
        "slice.compute.site_role: no site with role 'cell' hosts compute",
    ),
    (
        "bad role",
        _set(["compute", "site_role"], "edge"),
        "slice.compute.site_role: 'edge' is not one of cell, aggregation, metro, core",
    ),
    ("zero vcpu", _set(["compute", "vcpu"], 0), "slice.compute.vcpu: must be greater than 0, got 0"),
    (
        "bad id",
        _set(["id"], "my slice!"),
        "slice.id: 'my slice!' is not a valid name "
        "(letters, digits, '.', '_' and '-', at most 63 characters)",
    ),
    ("no connections", _set(["connections"], []), "slice.connections: must have at least 1 item(s)"),
]


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in SLICE_CASES], ids=[c[0] for c in SLICE_CASES])
def test_bad_slice_is_rejected_with_exact_message(testbed_document, enterprise_slice, change, message):
    topology = load_topology(testbed_document)
    with pytest.raises(DescriptorError) as caught:
        parse_slice(_mutate(enterprise_slice, change), topology)
    assert caught.value.problems == (message if isinstance(message, list) else [message])


def test_every_problem_is_reported_at_once(testbed_document, enterprise_slice):
    topology = load_topology(testbed_document)
    body = enterprise_slice["slice"]
    body["connections"][0]["security"] = "quantum"
    body["connections"][1]["bandwidth_mbps"] = -1
    with pytest.raises(DescriptorError) as caught:
        parse_slice(enterprise_slice, topology)
    assert caught.value.problems == [
        "slice.connections[0].security: 'quantum' is not one of none, dh, qra, qkd",
        "slice.connections[1].bandwidth_mbps: must be greater than 0, got -1",
    ]


def test_top_level_must_be_a_slice(testbed_document):
    topology = load_topology(testbed_document)
    with pytest.raises(DescriptorError) as caught:
        parse_slice({"slise": {}}, topology)
    assert caught.value.problems == [
        "(document): missing required field 'slice'",
        "(document): unknown field 'slise' (allowed: slice)",
    ]


TOPOLOGY_CASES = [
    (
        "unknown link end",
        lambda t: t["links"][0].__setitem__("b", "agg-9"),
        ["topology.links[0].b: unknown site 'agg-9'"],
    ),
    (
        "self loop link",
        lambda t: t["links"][0].__setitem__("b", "cell-1"),
        ["topology.links[0]: link 'cell1-agg1-none-1' connects site 'cell-1' to itself"],
    ),
    (
        "duplicate link",
        lambda t: t["links"][1].__setitem__("name", "cell1-agg1-none-1"),
        ["topology.links[1].name: duplicate link name 'cell1-agg1-none-1'"],
    ),
    (
        "duplicate site",
        lambda t: t["sites"][1].__setitem__("name", "cell-1"),
        [
            "topology.sites[1].name: duplicate site name 'cell-1'",
            "topology.links[1].a: unknown site 'cell-2'",
            "topology.links[5].a: unknown site 'cell-2'",
            "topology.links[9].a: unknown site 'cell-2'",
            "topology.links[13].a: unknown site 'cell-2'",
            "topology.links[17].a: unknown site 'cell-2'",
        ],
    ),
    (
        "bad link security",
        lambda t: t["links"][3].__setitem__("security", "aes"),
        ["topology.links[3].security: 'aes' is not one of none, dh, qra, qkd"],
    ),
    (
        "zero capacity",
        lambda t: t["links"][2].__setitem__("capacity_mbps", 0),
        ["topology.links[2].capacity_mbps: must be greater than 0, got 0"],
    ),
    (
        "negative latency",
        lambda t: t["links"][2].__setitem__("latency_ms", -1),
        ["topology.links[2].latency_ms: must be at least 0, got -1"],
    ),
    (
        "bad role",
        lambda t: t["sites"][0].__setitem__("role", "edge"),
        ["topology.sites[0].role: 'edge' is not one of cell, aggregation, metro, core"],
    ),
]


@pytest.mark.parametrize(
    ("change", "problems"), [c[1:] for c in TOPOLOGY_CASES], ids=[c[0] for c in TOPOLOGY_CASES]
)
def test_bad_topology_is_rejected_with_exact_messages(testbed_document, change, problems):
    change(testbed_document["topology"])
    with pytest.raises(DescriptorError) as caught:
        load_topology(testbed_document)
    assert caught.value.problems == problems


def test_topology_without_device_bindings_still_loads(testbed_document):
    body = testbed_document["topology"]
    for key in ("channels", "key_managers", "qkd_sections", "span"):
        body.pop(key)
    for link in body["links"]:
        link.pop("devices")
    topology = load_topology(testbed_document)
    assert len(topology.links) == 20
    assert topology.sites["metro-1"].vcpu == 64
