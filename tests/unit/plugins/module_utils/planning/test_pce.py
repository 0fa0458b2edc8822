# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Path computation: every constraint honoured, the documented objective, clear infeasibility."""

from __future__ import annotations

import random

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import PlanningError, plan_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import parse_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import load_topology

from tests.unit.helpers import make_request, make_topology

SITES = [("a", "cell", 0, 0), ("b", "aggregation", 0, 0), ("c", "core", 0, 0)]


def route_links(topology, connections, reservations=None, compute=None):
    plan = plan_slice(make_request(topology, connections, compute), topology, reservations)
    return [c.links for c in plan.connections]


PARALLEL = make_topology(
    SITES,
    [
        ("ab-none", "a", "b", "none", 10000, 1.0),
        ("ab-dh", "a", "b", "dh", 10000, 1.0),
        ("ab-qkd", "a", "b", "qkd", 10000, 0.5),
        ("bc-qkd", "b", "c", "qkd", 10000, 1.0),
    ],
)


@pytest.mark.parametrize(
    ("security", "expected"),
    [
        ("none", ["ab-none"]),  # lowest sufficient level, even though qkd is faster
        ("dh", ["ab-dh"]),
        ("qra", ["ab-qkd"]),  # no qra link: the next level up qualifies
        ("qkd", ["ab-qkd"]),
    ],
)
def test_security_is_a_minimum_and_lowest_sufficient_wins(security, expected):
    assert route_links(PARALLEL, [("x", "a", "b", security, 100, 10)]) == [expected]


def test_weakest_security_and_latency_reported():
    plan = plan_slice(make_request(PARALLEL, [("x", "a", "c", "dh", 100, 10)]), PARALLEL)
    conn = plan.connections[0]
    assert conn.links == ["ab-dh", "bc-qkd"]
    assert conn.sites == ["a", "b", "c"]
    assert conn.hop_security == ["dh", "qkd"]
    assert conn.weakest_security == "dh"
    assert conn.latency_ms == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("reserved", "expected"),
    [
        ({}, ["ab-dh"]),
        ({"ab-dh": 9950}, ["ab-qkd"]),  # 50 free < 100 requested: next sufficient link
        ({"ab-dh": 9900}, ["ab-dh"]),  # exactly enough is enough
    ],
)
def test_capacity_respected(reserved, expected):
    assert route_links(PARALLEL, [("x", "a", "b", "dh", 100, 10)], {"links": reserved}) == [expected]


def test_capacity_exhausted_names_connection_and_link():
    with pytest.raises(PlanningError) as caught:
        route_links(
            PARALLEL, [("backhaul", "a", "b", "dh", 1000, 10)], {"links": {"ab-dh": 9500, "ab-qkd": 9400}}
        )
    assert caught.value.constraint == "capacity"
    assert caught.value.connection == "backhaul"
    assert str(caught.value) == (
        "connection backhaul: no route a -> b with security >= dh and 1000 Mbit/s free within 10 ms; "
        "closest: ab-qkd has 600 Mbit/s free"
    )


def test_slice_own_earlier_connections_take_capacity():
    links = route_links(PARALLEL, [("one", "a", "b", "dh", 6000, 10), ("two", "a", "b", "dh", 6000, 10)])
    assert links == [["ab-dh"], ["ab-qkd"]]


def test_same_link_twice_in_a_slice_is_counted_twice():
    plan = plan_slice(
        make_request(PARALLEL, [("one", "a", "b", "dh", 3000, 10), ("two", "a", "b", "dh", 3000, 10)]),
        PARALLEL,
    )
    assert plan.usage()["links"] == {"ab-dh": 6000.0}


DETOUR = make_topology(
    SITES,
    [
        ("ac-qkd", "a", "c", "qkd", 10000, 1.0),
        ("ab-dh", "a", "b", "dh", 10000, 3.0),
        ("bc-dh", "b", "c", "dh", 10000, 3.0),
    ],
)


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        (10, ["ab-dh", "bc-dh"]),  # the bound is loose: keep the premium link free
        (6, ["ab-dh", "bc-dh"]),  # exactly at the bound is within it
        (5, ["ac-qkd"]),  # the bound binds: the faster premium link is needed
    ],
)
def test_latency_bound(bound, expected):
    assert route_links(DETOUR, [("x", "a", "c", "dh", 100, bound)]) == [expected]


def test_latency_infeasible_names_the_fastest_route():
    with pytest.raises(PlanningError) as caught:
        route_links(DETOUR, [("ctl", "a", "c", "dh", 100, 0.5)])
    assert caught.value.constraint == "latency"
    assert str(caught.value) == (
        "connection ctl: no route a -> c with security >= dh and 100 Mbit/s free within 0.5 ms; "
        "closest: a -> c takes 1 ms"
    )


def test_security_infeasible():
    with pytest.raises(PlanningError) as caught:
        route_links(DETOUR, [("x", "a", "b", "qkd", 100, 10)])
    assert caught.value.constraint == "security"
    assert str(caught.value) == (
        "connection x: no route a -> b with security >= qkd and 100 Mbit/s free within 10 ms; "
        "closest: no chain of links with security >= qkd joins a and b"
    )


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        (
            [("ab-2", "a", "b", "dh", 10000, 2.0), ("ab-1", "a", "b", "dh", 10000, 1.0)],
            ["ab-1"],
        ),  # faster twin
        (
            [("ab-y", "a", "b", "dh", 10000, 1.0), ("ab-x", "a", "b", "dh", 10000, 1.0)],
            ["ab-x"],
        ),  # name breaks tie
    ],
)
def test_parallel_links(links, expected):
    topology = make_topology(SITES, links)
    assert route_links(topology, [("x", "a", "b", "dh", 100, 10)]) == [expected]


def test_fewer_hops_break_latency_ties():
    topology = make_topology(
        SITES + [("d", "metro", 0, 0)],
        [
            ("ad", "a", "d", "dh", 10000, 2.0),
            ("ab", "a", "b", "dh", 10000, 1.0),
            ("bd", "b", "d", "dh", 10000, 1.0),
        ],
    )
    assert route_links(topology, [("x", "a", "d", "dh", 100, 10)]) == [["ad"]]


COMPUTE_SITES = [
    ("cell", "cell", 0, 0),
    ("m1", "metro", 8, 16),
    ("m2", "metro", 64, 256),
    ("core", "core", 0, 0),
]
COMPUTE_LINKS = [
    ("cell-m1", "cell", "m1", "qkd", 10000, 1.0),
    ("cell-m2", "cell", "m2", "qkd", 10000, 2.0),
    ("m1-core", "m1", "core", "qkd", 10000, 1.0),
    ("m2-core", "m2", "core", "qkd", 10000, 1.0),
]


@pytest.mark.parametrize(
    ("compute", "reservations", "site"),
    [
        ({"site_role": "metro", "vcpu": 4, "memory_gb": 8}, {}, "m1"),  # both fit: m1 is closer
        ({"site_role": "metro", "vcpu": 16, "memory_gb": 8}, {}, "m2"),  # m1 too small
        (
            {"site_role": "metro", "vcpu": 4, "memory_gb": 8},
            {"compute": {"m1": {"vcpu": 6, "memory_gb": 0}}},
            "m2",
        ),
        (
            {"site_role": "metro", "vcpu": 4, "memory_gb": 8},
            {"links": {"cell-m1": 10000}},
            "m2",
        ),  # m1 unreachable
        ({"site": "m2", "vcpu": 1, "memory_gb": 1}, {}, "m2"),
    ],
)
def test_compute_placement(compute, reservations, site):
    topology = make_topology(COMPUTE_SITES, COMPUTE_LINKS)
    request = make_request(
        topology,
        [("up", "cell", "compute", "qra", 1000, 5), ("back", "compute", "core", "qkd", 1000, 5)],
        compute,
    )
    plan = plan_slice(request, topology, reservations)
    assert plan.compute_site == site
    assert plan.connections[0].sites == ["cell", site]
    assert plan.connections[1].sites == [site, "core"]
    assert plan.usage()["compute"] == {site: {"vcpu": compute["vcpu"], "memory_gb": compute["memory_gb"]}}


def test_compute_infeasible_message():
    # closest is the site short of the least (m2, 64 of the 100 vCPU), not the first by name (m1)
    topology = make_topology(COMPUTE_SITES, COMPUTE_LINKS)
    request = make_request(
        topology,
        [("up", "cell", "compute", "qra", 1000, 5)],
        {"site_role": "metro", "vcpu": 100, "memory_gb": 8},
    )
    with pytest.raises(PlanningError) as caught:
        plan_slice(request, topology)
    assert caught.value.constraint == "compute"
    assert str(caught.value) == (
        "compute: no site with role metro has 100 vCPU and 8 GB memory free; "
        "closest: m2 has 64 vCPU and 256 GB free"
    )


def test_vlans_skip_reserved_ones():
    plan = plan_slice(
        make_request(PARALLEL, [("x", "a", "b", "dh", 1, 10), ("y", "a", "b", "dh", 1, 10)]),
        PARALLEL,
        {"vlans": [100, 102]},
    )
    assert [c.vlan for c in plan.connections] == [101, 103]


def test_deterministic_whatever_the_input_order(testbed_document, enterprise_slice):
    first = plan_slice(
        parse_slice(enterprise_slice, load_topology(testbed_document)), load_topology(testbed_document)
    ).to_dict()
    shuffled = dict(testbed_document)
    body = dict(shuffled["topology"])
    for key in ("links", "sites"):
        items = list(body[key])
        random.Random(7).shuffle(items)
        body[key] = items
    shuffled["topology"] = body
    topology = load_topology(shuffled)
    assert plan_slice(parse_slice(enterprise_slice, topology), topology).to_dict() == first


def test_enterprise_use_case_on_the_testbed(testbed_document, enterprise_slice):
    topology = load_topology(testbed_document)
    plan = plan_slice(parse_slice(enterprise_slice, topology), topology)
    assert plan.compute_site == "metro-1"
    routes = {c.name: (c.links, c.weakest_security) for c in plan.connections}
    assert routes == {
        "control": (["cell1-agg1-dh-2", "agg1-metro1-dh-2", "metro1-core1-dh-2"], "dh"),
        "uplink": (["cell1-agg1-qra-3", "agg1-metro1-qra-3"], "qra"),
        "backhaul": (["metro1-core1-qkd-4"], "qkd"),
    }


def test_cdn_use_case_on_the_testbed(testbed_document, cdn_slice):
    topology = load_topology(testbed_document)
    plan = plan_slice(parse_slice(cdn_slice, topology), topology)
    assert plan.compute_site == "agg-1"
    routes = {c.name: (c.links, c.weakest_security) for c in plan.connections}
    assert routes == {
        "control": (["cell1-agg1-dh-2", "agg1-metro1-dh-2", "metro1-core1-dh-2"], "dh"),
        "delivery": (["metro1-core1-qkd-4", "agg1-metro1-qkd-4"], "qkd"),
        "edge": (["cell1-agg1-none-1"], "none"),
    }


def test_second_qkd_channel_used_when_first_is_full(testbed_document, enterprise_slice):
    topology = load_topology(testbed_document)
    plan = plan_slice(
        parse_slice(enterprise_slice, topology), topology, {"links": {"metro1-core1-qkd-4": 9500}}
    )
    assert plan.connections[2].links == ["metro1-core1-qkd-5"]


def test_bound_checked_in_the_units_the_search_adds():
    # a-b direct is 1.0000004 ms (over a 1 ms bound); a-m-b is 0.9999996 ms (within it).
    topology = make_topology(
        SITES[:2] + [("m", "metro", 0, 0)],
        [
            ("ab", "a", "b", "dh", 10000, 1.0000004),
            ("am", "a", "m", "qkd", 10000, 0.4999998),
            ("mb", "m", "b", "qkd", 10000, 0.4999998),
        ],
    )
    assert route_links(topology, [("x", "a", "b", "dh", 100, 1.0)]) == [["am", "mb"]]
