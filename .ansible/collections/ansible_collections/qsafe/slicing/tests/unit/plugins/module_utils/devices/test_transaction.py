# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One step as a NETCONF transaction, on a fake session (tests/unit/fake_netconf.py).

The RPC order, `changed` from before/after, check mode, confirmed commits, lock waits and the
failure mapping are what run_step decides; the fake only answers RPCs.
"""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices import transaction
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import DeviceStepError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    CommitOptions,
    StepRequest,
    finish_commit,
    run_step,
)

from tests.unit.fake_netconf import EMPTY, FakeSession, rpc_error

VLAN_7 = (
    '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><vlans xmlns="http://openconfig.net/yang/vlan">'
    "<vlan><vlan-id>7</vlan-id><config><vlan-id>7</vlan-id></config></vlan></vlans></data>"
)
TRANSACTION = ["lock", "discard-changes", "get-config", "get-config", "edit-config", "get-config"]


def vlan_step(state: str = "present", **kw) -> StepRequest:
    return StepRequest("dev-1", "l2_switch", "vlan", {"vlan_id": 7}, state, **kw)


def test_a_change_is_committed_and_reported_with_what_was_sent():
    session = FakeSession(after=VLAN_7)
    result = run_step(session, vlan_step())
    assert session.ops() == [*TRANSACTION, "commit", "unlock"]
    assert (result.changed, result.committed, result.commit) == (True, True, "plain")
    assert session.running == VLAN_7
    assert result.commands == [dict(session.calls)["edit-config"]]
    assert "<vlan-id>7</vlan-id>" in result.commands[0]
    out = result.to_result(diff=False)
    assert out["commands"] == result.commands and "diff" not in out
    assert out["before"] == "" and "<vlan-id>7</vlan-id>" in out["after"]


def test_nothing_changed_discards_and_does_not_commit():
    session = FakeSession(running=VLAN_7, after=VLAN_7)
    result = run_step(session, vlan_step())
    assert session.ops() == [*TRANSACTION, "discard-changes", "unlock"]
    assert (result.changed, result.committed, result.commit) == (False, False, None)


def test_check_mode_edits_the_candidate_then_discards_it():
    session = FakeSession(after=VLAN_7)
    result = run_step(session, vlan_step(check_mode=True))
    assert session.ops() == [*TRANSACTION, "discard-changes", "unlock"]
    assert result.changed and not result.committed and session.running == EMPTY


def test_absent_of_what_is_not_there_sends_nothing():
    session = FakeSession()
    result = run_step(session, vlan_step("absent"))
    assert "edit-config" not in session.ops() and "commit" not in session.ops()
    assert result.commands == [] and not result.changed


def test_diff_only_in_diff_mode_and_names_the_datastores():
    result = run_step(FakeSession(after=VLAN_7), vlan_step(diff=True)).to_result(diff=True)
    assert result["diff"]["before_header"].startswith("dev-1 running")
    assert result["diff"]["after_header"].startswith("dev-1 running")


def test_confirmed_commit_is_persistent():
    session = FakeSession(after=VLAN_7)
    result = run_step(session, vlan_step(commit=CommitOptions("confirmed", 60, "p1")))
    assert dict(session.calls)["commit"] == {"confirmed": True, "timeout": 60, "persist": "p1",
                                             "persist_id": None}
    assert result.commit == "confirmed"


def test_pending_confirmed_commit_gets_a_follow_up_without_the_lock():
    pending = rpc_error("lock", "in-use", "confirmed-commit pending")
    session = FakeSession(after=VLAN_7, fail={"lock": [pending]})
    result = run_step(session, vlan_step(commit=CommitOptions("confirmed", 60, "p1")))
    assert "unlock" not in session.ops()
    assert dict(session.calls)["commit"]["persist_id"] == "p1"
    assert result.commit == "confirmed-follow-up"


def test_pending_confirmed_commit_refuses_a_plain_commit_and_changes_nothing():
    pending = rpc_error("lock", "in-use", "confirmed-commit pending")
    session = FakeSession(after=VLAN_7, fail={"lock": [pending]})
    with pytest.raises(DeviceStepError) as caught:
        run_step(session, vlan_step())
    assert caught.value.info["error_tag"] == "in-use"
    assert "a plain commit would confirm it" in str(caught.value)
    assert session.ops() == ["lock"]


def test_a_short_lock_by_another_writer_is_waited_for(monkeypatch):
    monkeypatch.setattr(transaction, "LOCK_RETRY_S", 0.001)
    session = FakeSession(after=VLAN_7, fail={"lock": [rpc_error("lock", "lock-denied")] * 3})
    assert run_step(session, vlan_step()).committed
    assert session.ops()[:4] == ["lock", "lock", "lock", "lock"]


def test_a_lock_held_too_long_fails_naming_the_tag(monkeypatch):
    monkeypatch.setattr(transaction, "LOCK_WAIT_S", 0.0)
    session = FakeSession(fail={"lock": [rpc_error("lock", "lock-denied")]})
    with pytest.raises(DeviceStepError) as caught:
        run_step(session, vlan_step())
    assert caught.value.info["error_tag"] == "lock-denied"


def test_a_refused_edit_is_discarded_unlocked_and_reported_with_the_path():
    error = rpc_error("edit-config", "invalid-value", "bad VLAN", "/vlans/vlan/vlan-id")
    session = FakeSession(after=VLAN_7, fail={"edit-config": [error]})
    with pytest.raises(DeviceStepError) as caught:
        run_step(session, vlan_step())
    assert session.ops()[-2:] == ["edit-config", "unlock"]
    info = caught.value.info
    assert (info["device"], info["operation"], info["error_tag"], info["error_path"]) == (
        "dev-1", "edit-config", "invalid-value", "/vlans/vlan/vlan-id")
    assert "commit" not in session.ops()


def test_a_failed_commit_discards_the_candidate():
    session = FakeSession(after=VLAN_7, fail={"commit": [rpc_error("commit", "operation-failed")]})
    with pytest.raises(DeviceStepError):
        run_step(session, vlan_step())
    assert session.ops()[-3:] == ["commit", "discard-changes", "unlock"]
    assert session.running == EMPTY


def test_a_conflict_sends_no_edit():
    port_free = (
        '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>'
    )
    session = FakeSession(running=port_free)
    request = StepRequest("dev-1", "l2_switch", "vlan_member", {"vlan_id": 7, "port": "p9"})
    with pytest.raises(DeviceStepError) as caught:
        run_step(session, request)
    assert caught.value.info["error_tag"] == "conflict"
    assert "edit-config" not in session.ops()


def test_bad_input_touches_no_device():
    session = FakeSession()
    with pytest.raises(DeviceStepError) as caught:
        run_step(session, StepRequest("dev-1", "l2_switch", "vlan", {"vlan_id": 9999}))
    assert (caught.value.info["error_tag"], caught.value.info["error_path"]) == ("invalid-input", "vlan_id")
    assert session.calls == []


@pytest.mark.parametrize(
    ("commit", "field"),
    [(CommitOptions("confirmed", 60, None), "persist_id"), (CommitOptions("fast"), "commit"),
     (CommitOptions("plain", 0), "confirm_timeout")],
)
def test_bad_commit_options_touch_no_device(commit, field):
    session = FakeSession()
    with pytest.raises(DeviceStepError) as caught:
        run_step(session, vlan_step(commit=commit))
    assert caught.value.info["error_path"] == field and session.calls == []


def test_a_lost_session_is_reported_as_such():
    lost = rpc_error("get-config", "session-closed", "connection lost")
    session = FakeSession(fail={"get-config": [lost]})
    with pytest.raises(DeviceStepError) as caught:
        run_step(session, vlan_step())
    assert caught.value.info["error_tag"] == "session-closed"
    assert "may or may not have applied it" in str(caught.value)


@pytest.mark.parametrize(("action", "rpc"), [("confirm", "commit"), ("cancel", "cancel-commit")])
def test_finish_commit_pending_and_not_pending(action, rpc):
    session = FakeSession()
    assert finish_commit(session, action, "p1") == {"device": "dev-1", "changed": True, "pending": True}
    assert session.ops() == [rpc]
    not_pending = rpc_error(rpc, "operation-failed", "persistent confirmed commit not active")
    idle = FakeSession(fail={rpc: [not_pending]})
    assert finish_commit(idle, action, "p1")["changed"] is False


def test_finish_commit_other_errors_are_raised():
    session = FakeSession(fail={"commit": [rpc_error("commit", "in-use", "locked")]})
    with pytest.raises(Exception, match="locked"):
        finish_commit(session, "confirm", "p1")
