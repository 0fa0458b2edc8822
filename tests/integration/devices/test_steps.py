# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each (kind, operation) against the lab: present, idempotence, check mode, diff, absent, round trip."""

from __future__ import annotations

import time

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import DeviceStepError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.handlers import handler_for
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    CommitOptions,
    StepRequest,
    finish_commit,
    run_step,
)

from .cases import CASES

pytestmark = pytest.mark.lab


def _req(case: dict, state: str = "present", **kw) -> StepRequest:
    return StepRequest(case["device"], case["kind"], case["operation"], dict(case["params"]), state, **kw)


def _subtree(session, case) -> str:
    flt = handler_for(case["kind"], case["operation"], "openconfig").filter(case["params"])
    return session.get_config("running", flt)


@pytest.mark.parametrize("name", sorted(CASES))
def test_present_absent_round_trip(open_session, name):
    case = CASES[name]
    s = open_session(case["device"])
    full_before = s.get_config("running")

    planned = run_step(s, _req(case, check_mode=True, diff=True))
    assert planned.changed and not planned.committed
    assert case["marker"] in planned.after and case["marker"] not in planned.before
    assert case["marker"] not in _subtree(s, case), "check mode changed the device"

    applied = run_step(s, _req(case, diff=True))
    assert applied.changed and applied.committed and applied.commit == "plain"
    assert case["marker"] in _subtree(s, case)

    again = run_step(s, _req(case))
    assert not again.changed and not again.committed

    planned_rm = run_step(s, _req(case, "absent", check_mode=True, diff=True))
    assert planned_rm.changed and case["marker"] in planned_rm.before
    assert case["marker"] not in planned_rm.after
    assert case["marker"] in _subtree(s, case), "check mode removed from the device"

    removed = run_step(s, _req(case, "absent"))
    assert removed.changed and case["marker"] not in _subtree(s, case)
    assert not run_step(s, _req(case, "absent")).changed
    assert s.get_config("running") == full_before, "present then absent must restore running exactly"


def test_yang_rejection_names_device_path_and_tag(open_session):
    s = open_session("tce-ch1-a")  # a 10-TCE card: the model's `must` refuses aes-256
    req = StepRequest("tce-ch1-a", "encryptor", "client_port",
                      {"port": "c2", "encryption": True, "method": "dh"}, name="card tce-ch1-a port c2 (dh)")
    with pytest.raises(DeviceStepError) as err:
        run_step(s, req)
    info = err.value.info
    assert info["device"] == "tce-ch1-a" and info["step"] == "card tce-ch1-a port c2 (dh)"
    assert info["error_tag"] == "operation-failed"
    assert "client-port[qenc:name='c2']/qenc:encryption" in info["error_path"]
    assert "needs a 10-TCE-AES card" in str(err.value)
    port_c2 = {"kind": "encryptor", "operation": "client_port", "params": {"port": "c2"}}
    assert "<encryption>off</encryption>" in _subtree(s, port_c2)


@pytest.mark.parametrize(
    ("operation", "params", "field"),
    [
        ("vlan", {"vlan_id": 5000}, "vlan_id"),
        ("vlan", {"name": "x"}, "vlan_id"),
        ("vlan_member", {"vlan_id": 7, "port": "ru-1", "mode": "hybrid"}, "mode"),
        ("vlan", {"vlan_id": "ten"}, "vlan_id"),
        ("vlan", {"vlan_id": 7, "colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field_and_sends_nothing(open_session, operation, params, field):
    s = open_session("sw-cell-2")
    before = s.get_config("running")
    with pytest.raises(DeviceStepError) as err:
        run_step(s, StepRequest("sw-cell-2", "l2_switch", operation, params))
    assert err.value.info["error_tag"] == "invalid-input" and err.value.info["error_path"] == field
    assert s.get_config("running") == before


def test_conflict_is_refused_without_change(open_session):
    s = open_session("sw-cell-2")
    trunk = StepRequest("sw-cell-2", "l2_switch", "vlan_member", {"vlan_id": 620, "port": "ch3-agg-1"})
    run_step(s, trunk)
    try:
        with pytest.raises(DeviceStepError) as err:
            run_step(s, StepRequest("sw-cell-2", "l2_switch", "vlan_member",
                                    {"vlan_id": 621, "port": "ch3-agg-1", "mode": "access"}))
        assert err.value.info["error_tag"] == "conflict" and "TRUNK" in str(err.value)
    finally:
        trunk.state = "absent"
        run_step(s, trunk)


def _confirmed(case_params: dict, persist: str) -> StepRequest:
    return StepRequest("sw-core-1", "l2_switch", "vlan", case_params,
                       commit=CommitOptions("confirmed", 60, persist))


def test_confirmed_commits_follow_up_then_cancel_from_a_new_session(open_session):
    s = open_session("sw-core-1")
    before = s.get_config("running")
    first = run_step(s, _confirmed({"vlan_id": 630}, "t-cancel"))
    second = run_step(s, _confirmed({"vlan_id": 631}, "t-cancel"))
    assert (first.commit, second.commit) == ("confirmed", "confirmed-follow-up")
    assert "<vlan-id>631</vlan-id>" in s.get_config("running")
    # A plain commit while the confirmed commit is pending would confirm it: refused, clearly.
    with pytest.raises(DeviceStepError) as err:
        run_step(s, StepRequest("sw-core-1", "l2_switch", "vlan", {"vlan_id": 632}))
    assert err.value.info["error_tag"] == "in-use" and "confirmed commit is pending" in str(err.value)
    other = open_session("sw-core-1")
    assert finish_commit(other, "cancel", "t-cancel")["changed"] is True
    assert s.get_config("running") == before
    assert finish_commit(other, "cancel", "t-cancel")["changed"] is False  # nothing pending: idempotent


def test_confirmed_commit_confirmed_from_a_new_session_survives_timeout(open_session):
    s = open_session("sw-core-1")
    step = StepRequest("sw-core-1", "l2_switch", "vlan", {"vlan_id": 640},
                       commit=CommitOptions("confirmed", 2, "t-confirm"))
    assert run_step(s, step).committed
    assert finish_commit(open_session("sw-core-1"), "confirm", "t-confirm")["changed"] is True
    time.sleep(2.5)  # past confirm_timeout
    assert "<vlan-id>640</vlan-id>" in s.get_config("running")
    run_step(s, StepRequest("sw-core-1", "l2_switch", "vlan", {"vlan_id": 640}, "absent"))
