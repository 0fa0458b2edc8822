# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plan's steps in one task (batch.py) over fake sessions: order, stop at the first failure,
per-step entries a rescue can undo, and input checked before any device is touched."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import StepInputError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import (
    batch_failure,
    batch_requests,
    progress_line,
    run_batch,
    step_entry,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import DeviceStepError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import CommitOptions, run_step

from tests.unit.fake_netconf import FakeSession, rpc_error

DATA = '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">{}</data>'


def vlan(vid: int) -> str:
    return DATA.format(
        f'<vlans xmlns="http://openconfig.net/yang/vlan"><vlan><vlan-id>{vid}</vlan-id></vlan></vlans>'
    )


def plan_step(index: int, device: str, vid: int) -> dict:
    return {"index": index, "name": f"VLAN {vid} on {device}", "device": device, "kind": "l2_switch",
            "operation": "vlan", "params": {"vlan_id": vid}, "resource": f"l2_switch:{device}:vlan:{vid}",
            "shared": False}


STEPS = [plan_step(0, "sw-a", 100), plan_step(1, "sw-b", 100), plan_step(2, "sw-a", 101)]


def run(steps, sessions, on_failure="stop", progress=None):
    requests = batch_requests(steps, "present", CommitOptions(), False, False)
    return run_batch(steps, requests, lambda r: run_step(sessions[r.device], r).to_result(False),
                     on_failure, progress)


def test_steps_run_in_order_and_report_devices_in_first_change_order():
    sessions = {"sw-a": FakeSession("sw-a", after=vlan(100)), "sw-b": FakeSession("sw-b", after=vlan(100))}
    lines = []
    result = run(STEPS, sessions, progress=lambda i, n, e: lines.append(progress_line(i, n, e)))
    assert [r["index"] for r in result["results"]] == [0, 1, 2]
    assert result["changed_devices"] == ["sw-a", "sw-b"]
    assert result["results"][2]["status"] == "ok"  # the fake's sw-a already holds the edit's answer
    assert result["applied"] == 2 and not result.get("failed")
    assert lines[0].startswith("[1/3] step 0 sw-a: VLAN 100 on sw-a ... changed, plain (")
    assert all(r["commands"] for r in result["results"])


def test_first_failure_stops_the_walk_with_every_tried_step():
    bad = rpc_error("edit-config", "invalid-value", "no", "/vlans", device="sw-b")
    sessions = {"sw-a": FakeSession("sw-a", after=vlan(100)),
                "sw-b": FakeSession("sw-b", after=vlan(100), fail={"edit-config": [bad]})}
    result = run(STEPS, sessions)
    assert [r["status"] for r in result["results"]] == ["changed", "failed"]
    assert result["failed"] and result["failed_index"] == 1
    where = (result["device"], result["error_tag"], result["error_path"])
    assert where == ("sw-b", "invalid-value", "/vlans")
    assert result["results"][1]["detail"]["error"].startswith("step 'VLAN 100 on sw-b' on device sw-b failed")
    assert sessions["sw-a"].ops().count("lock") == 1  # step 2 (sw-a again) never ran


def test_continue_tries_every_step_and_reports_the_first_failure():
    bad = rpc_error("edit-config", "invalid-value", "no", device="sw-a")
    sessions = {"sw-a": FakeSession("sw-a", fail={"edit-config": [bad]}),
                "sw-b": FakeSession("sw-b", after=vlan(100))}
    result = run(STEPS, sessions, on_failure="continue")
    assert [r["status"] for r in result["results"]] == ["failed", "changed", "ok"]
    assert result["failed_index"] == 0 and result["changed_devices"] == ["sw-b"]


def test_an_exception_from_the_runner_becomes_the_step_failure():
    requests = batch_requests(STEPS[:1], "present", CommitOptions(), False, False)

    def boom(request):
        raise RuntimeError("worker died")

    result = run_batch(STEPS[:1], requests, boom)
    assert result["error_tag"] == "internal-error" and "RuntimeError: worker died" in result["msg"]


@pytest.mark.parametrize(
    ("steps", "path"),
    [
        ([STEPS[0], "not a step"], "steps[1]."),
        ([STEPS[0], {**STEPS[1], "device": ""}], "steps[1].device"),
        ([{**STEPS[0], "params": [1]}], "steps[0].params"),
        ([STEPS[0], {**STEPS[1], "params": {"vlan_id": 5000}}], "steps[1].params.vlan_id"),
        ([{**STEPS[0], "operation": "nope"}], "steps[0].params.operation"),
    ],
)
def test_bad_steps_fail_before_any_device_naming_the_position(steps, path):
    with pytest.raises(DeviceStepError) as caught:
        batch_requests(steps, "present", CommitOptions(), False, False)
    assert caught.value.info["error_path"] == path
    failure = batch_failure(caught.value)
    assert failure["failed"] and failure["results"] == [] and failure["applied"] == 0


def test_state_and_commit_options_are_checked_once():
    with pytest.raises(StepInputError, match="state"):
        batch_requests(STEPS, "gone", CommitOptions(), False, False)
    with pytest.raises(StepInputError, match="persist_id"):
        batch_requests(STEPS, "present", CommitOptions("confirmed"), False, False)


def test_on_failure_must_be_known():
    with pytest.raises(ValueError, match="on_failure"):
        run_batch([], [], lambda r: {}, "retry")


@pytest.mark.parametrize(
    ("outcome", "status"),
    [({"changed": True}, "changed"), ({"changed": False}, "ok"),
     ({"failed": True, "changed": True}, "failed"), ({"skipped": True}, "skipped")],
)
def test_step_entry_status(outcome, status):
    entry = step_entry(STEPS[0], outcome, 0.01234)
    assert entry["status"] == status and entry["seconds"] == 0.0123
    assert entry["detail"]["resource"] == STEPS[0]["resource"]


def test_every_step_records_its_wall_clock_start_for_the_timeline():
    requests = batch_requests(STEPS, "present", CommitOptions(), False, False)
    before = time.time()
    result = run_batch(STEPS, requests, lambda r: (time.sleep(0.01), {"changed": True})[1])
    entries = result["results"]
    starts = [dt.datetime.fromisoformat(e["started_at"].replace("Z", "+00:00")).timestamp() for e in entries]
    assert [e["detail"]["started_at"] for e in entries] == [e["started_at"] for e in entries]
    assert before - 0.001 <= starts[0]
    assert all(b - a >= 0.009 for a, b in zip(starts, starts[1:]))
