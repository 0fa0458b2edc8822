# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The broker keeps a run's pending confirmed commits alive while the run is active, and only then.

The device session is the fake netconfd of the devices tests (connection layer); the pool's
bookkeeping and the follow-up logic are the real ones.
"""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import DeviceConnection
from ansible_collections.qsafe.slicing.plugins.plugin_utils._netconf_broker import RUN_IDLE_S, SessionPool

from tests.unit.plugins.module_utils.devices.test_verify import FakeSession

CONN = DeviceConnection("sw", "127.0.0.1", 1, "u", "/k", "/kh")


def pool_with(session: FakeSession, persist_id: str, timeout: float, committed_at: float, active_at: float):
    pool = SessionPool()
    slot = pool.slot(CONN)
    slot.session = session
    slot.pending[persist_id] = [timeout, committed_at]
    pool._runs[persist_id] = [timeout, active_at]
    return pool, slot


def follow_ups(session: FakeSession) -> int:
    return sum(1 for c in session.calls if c[0] == "commit" and c[1])


def test_extended_after_a_third_of_the_timeout():
    session = FakeSession(pending="qsafe-run")
    pool, slot = pool_with(session, "qsafe-run", 9, committed_at=100.0, active_at=100.0)
    assert pool.extend_pending(now=102.0) == []  # 2 s < 9/3
    assert pool.extend_pending(now=103.5) == [("sw", "qsafe-run", "ours")]
    assert follow_ups(session) == 1 and slot.extensions == 1


def test_not_extended_once_the_run_is_idle():
    session = FakeSession(pending="qsafe-run")
    pool, _slot = pool_with(session, "qsafe-run", 9, committed_at=0.0, active_at=0.0)
    assert pool.extend_pending(now=RUN_IDLE_S + 1) == []
    assert follow_ups(session) == 0


def test_a_commit_that_is_gone_is_dropped():
    session = FakeSession(pending=None)  # reverted or confirmed elsewhere
    pool, slot = pool_with(session, "qsafe-run", 3, committed_at=100.0, active_at=100.0)
    assert pool.extend_pending(now=101.5) == [("sw", "qsafe-run", "none")]
    assert slot.pending == {}


def test_a_busy_device_is_skipped():
    session = FakeSession(pending="qsafe-run")
    pool, slot = pool_with(session, "qsafe-run", 3, committed_at=100.0, active_at=100.0)
    with slot.lock:
        assert pool.extend_pending(now=101.5) == []


def test_steps_take_over_the_dead_runs_the_lock_task_named():
    from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
        CommitOptions,
        StepRequest,
    )

    from tests.unit.plugins.module_utils.devices.test_verify import data, vlans

    session = FakeSession(running=data(vlans(101)), pending="qsafe-dead")
    pool = SessionPool()
    pool.slot(CONN).session = session
    pool.takeover = ("qsafe-dead",)  # what {"op": "takeover"} sets
    request = StepRequest(
        "sw",
        "l2_switch",
        "vlan",
        {"vlan_id": 101, "name": "s-101"},
        commit=CommitOptions("confirmed", 9, "qsafe-me"),
    )
    out = pool.step(CONN, request)
    assert out["took_over"] == "qsafe-dead" and out["commit"] == "confirmed"
    assert session.pending == "qsafe-me"
    assert pool.slot(CONN).pending["qsafe-me"][0] == 9.0
