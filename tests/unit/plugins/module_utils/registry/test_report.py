# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lines the slice roles and slice_status.yml print, from plain records."""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.report import (
    plan_summary,
    registry_lines,
    slice_lines,
    teardown_summary,
)

PLAN = {
    "slice_id": "ent-1",
    "compute_site": "metro-1",
    "connections": [
        {"name": "control", "sites": ["cell-1", "agg-1", "core-1"], "links": ["l1", "l2"],
         "hop_security": ["dh", "qkd"], "vlan": 101},
        {"name": "uplink", "sites": ["cell-1", "metro-1"], "links": ["l3"],
         "hop_security": ["qra"], "vlan": 102},
    ],
    "steps": [{"index": 0}, {"index": 1}, {"index": 2}],
}


def test_plan_summary_one_line_per_connection_then_step_count():
    assert plan_summary(PLAN) == [
        "control: cell-1 -> agg-1 -> core-1: dh,qkd",
        "uplink: cell-1 -> metro-1: qra",
        "3 device steps",
    ]


def test_slice_lines_state_stale_compute_device_time_error_and_connections():
    record = {"id": "ent-1", "state": "provisioning", "plan": PLAN, "last_error": "boom",
              "steps": [{"seconds": 0.25}, {"seconds": 0.5}]}
    assert slice_lines(record, ["ent-1"]) == [
        "slice ent-1: provisioning (stale), compute at metro-1, last run 2 steps in 0.75 s of device time, "
        "last error: boom",
        "control | l1, l2 | dh,qkd | VLAN 101",
        "uplink | l3 | qra | VLAN 102",
    ]
    fresh = slice_lines({"id": "ent-2", "state": "planned", "plan": {}, "steps": []}, ["ent-1"])
    assert fresh == ["slice ent-2: planned, compute at -, last run 0 steps in 0 s of device time"]


def test_teardown_summary_names_who_keeps_shared_steps():
    record = {"id": "ent-1", "state": "provisioned"}
    kept = [{"kept_for": ["cdn-1"]}, {"kept_for": ["cdn-1", "ent-2"]}]
    assert teardown_summary(record, [{}, {}], kept) == (
        "slice ent-1 is provisioned: 2 step(s) to undo, 2 shared step(s) kept for cdn-1, ent-2"
    )
    assert teardown_summary(record, [], []).endswith("0 shared step(s) kept for nobody")


def test_registry_lines():
    lines = registry_lines("sqlite /x", None, [], {"links": {}})
    assert lines[1] == "orchestrator lock: free"
    assert lines[2].endswith(": none")
    assert registry_lines("pg", {"holder": "provision a"}, ["a", "b"], {})[1:3] == [
        "orchestrator lock: provision a",
        "stale (controller gone mid-run, devices revert by themselves): a, b",
    ]
