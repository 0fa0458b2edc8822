# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Confirmed commit semantics of the lab's netconfd (yuma123 2.13), and lock contention.

netconfd checks the confirmed-commit timer only after ~1 s with no I/O on any of its sessions (its
select loop's idle branch), so a device kept busy never rolls back; the tests leave the device idle
while they wait and never poll it faster than that. Each test cleans up its own pending commit.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import (
    cancel_commit,
    confirm_commit,
)

pytestmark = pytest.mark.lab

OC_LINE = "http://openconfig.net/yang/openconfig-transport-line-connectivity"
DEVICE = "ots-metro-1"
IDLE_S = 1.5  # more than netconfd's idle tick: the device must be left alone this long to roll back
# Each test port is a line-connectivity connection of its own (an index no slice uses); its `dest`
# carries the text a test writes.
INDEX = {"sw-ch1-core-1": 901, "sw-ch2-core-1": 902, "sw-ch3-core-1": 903, "sw-ch4-core-1": 904,
         "sw-ch5-core-1": 905, "sw-ch1-agg-1": 906}


def _desc(port: str, text: str) -> str:
    i = INDEX[port]
    return (f'<connections xmlns="{OC_LINE}"><connection><index>{i}</index><config><index>{i}</index>'
            f"<source>{port}</source><dest>{text}</dest></config></connection></connections>")


def _flt(port: str) -> str:
    index = INDEX[port]
    return f'<connections xmlns="{OC_LINE}"><connection><index>{index}</index></connection></connections>'


def _params(lab) -> dict:
    s = lab.session(DEVICE)
    return {k: getattr(s, k) for k in ("device", "host", "port", "user", "key_file", "known_hosts")}


def _running(lab, *ports: str) -> str:
    with lab.session(DEVICE) as s:
        return "".join(s.get_config("running", _flt(p)) for p in ports)


def _edit_commit(s, cfg: str, **commit: object) -> None:
    """Edit + commit without <lock>: netconfd refuses locks while a confirmed commit is pending."""
    s.discard_changes()
    s.edit_config(cfg)
    s.commit(**commit)


@contextlib.contextmanager
def _cleanup(lab, persist_id: str) -> Iterator[None]:
    """Cancel the test's confirmed commit if it is still pending, so no test leaks one."""
    try:
        yield
    finally:
        with contextlib.suppress(NetconfOperationError):
            cancel_commit(_params(lab), persist_id)


def test_unconfirmed_commit_rolls_back_once_device_is_idle(lab):
    port = "sw-ch1-core-1"
    with _cleanup(lab, "rb-1"), lab.session(DEVICE) as s:
        res = s.transaction(_desc(port, "rollback-me"), confirmed=True, confirm_timeout=2, persist="rb-1")
        assert res.committed
        # Busy device: RPCs every 0.3 s for twice the timeout; netconfd never gets to its timer.
        end = time.monotonic() + 4
        while time.monotonic() < end:
            assert "rollback-me" in s.get_config("running", _flt(port)), "rolled back while busy"
            time.sleep(0.3)
        time.sleep(2 * IDLE_S)  # idle: the overdue rollback happens now
        assert "rollback-me" not in s.get_config("running", _flt(port))


def test_confirm_by_persist_id_from_new_session(lab):
    port = "sw-ch2-core-1"
    with _cleanup(lab, "keep-1"):
        with lab.session(DEVICE) as s:
            s.transaction(_desc(port, "keep-me"), confirmed=True, confirm_timeout=2, persist="keep-1")
        confirm_commit(_params(lab), "keep-1")
    time.sleep(2 + 2 * IDLE_S)  # idle past the confirm timeout
    assert "keep-me" in _running(lab, port)
    with lab.session(DEVICE) as s, s.locked():  # nothing pending any more
        pass


def test_follow_up_confirmed_commits_keep_rollback_point(lab):
    """Several confirmed commits with one persist-id, from different sessions: each restarts the timer,
    the rollback point stays the one before the first; cancel-commit by persist-id from a new session."""
    p1, p2 = "sw-ch3-core-1", "sw-ch4-core-1"
    before = _running(lab, p1, p2)
    with _cleanup(lab, "fu-1"):
        t0 = time.monotonic()
        with lab.session(DEVICE) as s:
            s.transaction(_desc(p1, "step-1"), confirmed=True, confirm_timeout=3, persist="fu-1")
        with lab.session(DEVICE) as s:  # follow-up from a new session, same persist-id kept
            _edit_commit(s, _desc(p2, "step-2"), confirmed=True, timeout=8, persist="fu-1", persist_id="fu-1")
        with lab.session(DEVICE) as s:  # and another one (plain follow-up form)
            _edit_commit(s, _desc(p2, "step-3"), confirmed=True, timeout=8, persist_id="fu-1")
        time.sleep(max(0.0, t0 + 3 + 2 * IDLE_S - time.monotonic()))  # idle past the FIRST timeout
        got = _running(lab, p1, p2)
        assert "step-1" in got and "step-3" in got, "follow-up did not restart the timer"
        cancel_commit(_params(lab), "fu-1")
        assert _running(lab, p1, p2) == before, "cancel did not return to the first rollback point"


def test_other_sessions_cannot_lock_or_commit_while_pending(lab):
    port, other = "sw-ch5-core-1", "sw-ch1-agg-1"
    with _cleanup(lab, "pend-1"):
        with lab.session(DEVICE) as s:
            s.transaction(_desc(port, "pending"), confirmed=True, confirm_timeout=30, persist="pend-1")
        with lab.session(DEVICE) as s:
            with pytest.raises(NetconfOperationError) as err:
                s.lock()
            assert err.value.error_tag == "in-use" and "confirmed-commit pending" in err.value.message
            with pytest.raises(NetconfOperationError) as err:
                _edit_commit(s, _desc(other, "plain"))
            assert err.value.error_tag == "in-use" and err.value.operation == "commit"
            s.discard_changes()
        assert "plain" not in _running(lab, other)
        confirm_commit(_params(lab), "pend-1")
    assert "pending" in _running(lab, port)


def test_wrong_persist_id_is_refused(lab):
    with lab.session(DEVICE) as s, pytest.raises(NetconfOperationError) as err:
        s.commit(persist_id="no-such-commit")
    assert err.value.operation == "commit"


def test_lock_contention_is_clear(lab):
    with lab.session("sw-cell-2") as a, lab.session("sw-cell-2") as b, a.locked():
        with pytest.raises(NetconfOperationError) as err:
            b.lock()
        assert err.value.error_tag in ("lock-denied", "in-use")
        assert "sw-cell-2" in str(err.value) and "lock" in str(err.value)
    with lab.session("sw-cell-2") as c, c.locked():  # released in finally
        pass
