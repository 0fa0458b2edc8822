# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a run's device tasks did, from their results: merge, cancel order, undo list, message;
and the device roles' item form turned into steps."""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import StepInputError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import task_steps
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.runs import (
    failure_message,
    merge_runs,
    steps_from_items,
)

PID = "qsafe-run-1"


def entry(index, device, changed=True, failed=False, msg=None):
    out = {"index": index, "name": f"step {index}", "device": device, "changed": changed, "failed": failed}
    if msg:
        out["msg"] = msg
    return out


# key streams on keys-a, keys-b; cards on tce-a (failed at index 4, after a change on tce-b)
KEY_STREAMS = {
    "persist_id": PID,
    "results": [entry(0, "keys-a"), entry(1, "keys-b"), entry(2, "keys-a", False)],
}
CARDS = {
    "persist_id": PID,
    "failed": True,
    "results": [entry(3, "tce-b"), entry(4, "tce-a", False, True, "lock [in-use]")],
}


def test_merge_keeps_task_order_and_skips_missing_roles():
    log = merge_runs([KEY_STREAMS, CARDS, {}, None], PID)
    assert [r["index"] for r in log.results] == [0, 1, 2, 3, 4]
    assert [r["index"] for r in log.applied] == [0, 1, 3]
    assert log.failed_step["index"] == 4
    assert log.changed_devices == ["keys-a", "keys-b", "tce-b"]


def test_touched_devices_reverse_first_touch_order_includes_the_failed_device():
    log = merge_runs([KEY_STREAMS, CARDS], PID)
    assert log.touched_devices == ["keys-a", "keys-b", "tce-b", "tce-a"]
    assert log.touched_devices_reverse == ["tce-a", "tce-b", "keys-b", "keys-a"]


def test_results_of_another_persist_id_are_ignored():
    earlier = {"persist_id": "qsafe-earlier", "results": [entry(7, "sw-1")]}
    log = merge_runs([earlier, KEY_STREAMS], PID)
    assert "sw-1" not in log.touched_devices
    assert [r["index"] for r in log.results] == [0, 1, 2]


def test_undo_steps_are_the_applied_ones_cancel_did_not_revert_newest_first():
    log = merge_runs([KEY_STREAMS, CARDS], PID)
    assert [r["index"] for r in log.undo_steps(["tce-b", "keys-b"])] == [0]
    assert [r["index"] for r in log.undo_steps([])] == [3, 1, 0]


def test_a_run_that_is_not_a_mapping_is_named():
    with pytest.raises(StepInputError, match=r"runs\[1\]"):
        merge_runs([KEY_STREAMS, "oops"], PID)


def test_failure_message_names_step_device_error_and_rollback():
    log = merge_runs([KEY_STREAMS, CARDS], PID)
    msg = failure_message("ent-1", "provision", log)
    assert msg == (
        "slice ent-1: step 4 (step 4) failed on device tce-a: lock [in-use]; "
        "rolled back 3 applied step(s) on 4 device(s)"
    )


def test_failure_message_of_a_task_that_is_not_a_device_step():
    msg = failure_message("ent-1", "provision", merge_runs([], PID), "Reserve the plan", "capacity")
    assert msg == (
        "slice ent-1: task Reserve the plan failed: capacity; rolled back 0 applied step(s) on 0 device(s)"
    )
    before = failure_message("ent-1", None, merge_runs([], PID), "Plan", "no route")
    assert before == "slice ent-1: task Plan failed: no route"


def test_failure_message_of_a_removal():
    log = merge_runs([CARDS], PID)
    msg = failure_message("ent-1", "deprovision", log)
    assert msg.startswith("slice ent-1: removing step 4 (step 4) failed on device tce-a: lock [in-use]")
    assert msg.endswith("removals cancelled, the slice stays in place (re-run to finish)")


def test_items_present_in_operation_order_absent_after_in_reverse():
    items = {
        "vlan": [
            {"device": "sw-1", "vlan_id": 10, "name": "a"},
            {"device": "sw-1", "vlan_id": 11, "name": "b", "state": "absent"},
            {"device": "sw-1", "vlan_id": 12, "state": "absent"},
        ],
        "vlan_member": [
            {"device": "sw-1", "port": "p1", "vlan_id": 10, "mode": "trunk"},
            {"device": "sw-1", "port": "p2", "vlan_id": 11, "state": "absent"},
        ],
    }
    steps, states = steps_from_items("l2_switch", items, "present")
    order = [(s["operation"], s["params"].get("vlan_id"), st) for s, st in zip(steps, states, strict=True)]
    assert order == [
        ("vlan", 10, "present"),
        ("vlan_member", 10, "present"),
        ("vlan_member", 11, "absent"),
        ("vlan", 12, "absent"),
        ("vlan", 11, "absent"),
    ]
    assert steps[0] == {
        "name": "vlan 10 a",
        "device": "sw-1",
        "kind": "l2_switch",
        "operation": "vlan",
        "params": {"vlan_id": 10, "name": "a"},
    }


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ({"vlan": [{"vlan_id": 10}]}, r"items\.vlan\[0\]\.device"),
        ({"vlan": [{"device": "sw-1", "vlan_id": 10, "state": "gone"}]}, r"items\.vlan\[0\]\.state"),
        ({"vlan": "sw-1"}, r"items\.vlan:"),
        ({"vlan": [5]}, r"items\.vlan\[0\]:"),
    ],
)
def test_bad_items_are_named(items, field):
    with pytest.raises(StepInputError, match=field):
        steps_from_items("l2_switch", items, "present")


def test_task_steps_plan_steps_take_the_task_state_items_their_own():
    plan = [{"device": "sw-1", "kind": "l2_switch", "operation": "vlan", "params": {"vlan_id": 5}}]
    assert task_steps(plan, "l2_switch", None, "absent") == (plan, None)
    steps, states = task_steps(plan, "l2_switch", {"vlan": [{"device": "sw-2", "vlan_id": 6}]}, "absent")
    assert [s["device"] for s in steps] == ["sw-1", "sw-2"]
    assert states == ["absent", "absent"]
    with pytest.raises(StepInputError, match="kind"):
        task_steps([], None, {"vlan": []}, "present")
