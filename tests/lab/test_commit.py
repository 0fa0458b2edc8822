"""Confirmed commit, confirm/cancel by persist-id from a new session, lock contention."""

import time

import pytest

from ansible_collections.qsafe.slicing.plugins.module_utils.netconf_errors import NetconfOperationError
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf_session import confirm_commit

pytestmark = pytest.mark.lab

OTS = "urn:qsafe:yang:optical-switch"
FLT = f'<optical-switch xmlns="{OTS}"><ports><port><name>{{p}}</name></port></ports></optical-switch>'


def _desc(port: str, text: str) -> str:
    return (f'<optical-switch xmlns="{OTS}"><ports><port><name>{port}</name>'
            f"<description>{text}</description></port></ports></optical-switch>")


def _params(lab, device):
    s = lab.session(device)
    return {k: getattr(s, k) for k in ("device", "host", "port", "user", "key_file", "known_hosts")}


def test_unconfirmed_commit_rolls_back(lab):
    port = "sw-ch1-core-1"
    with lab.session("ots-metro-1") as s:
        res = s.transaction(_desc(port, "rollback-me"), confirmed=True, confirm_timeout=2, persist="rb-1")
        assert res.committed and "rollback-me" in s.get_config("running", FLT.format(p=port))
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        with lab.session("ots-metro-1") as s:
            if "rollback-me" not in s.get_config("running", FLT.format(p=port)):
                return
        time.sleep(0.5)
    pytest.fail("confirmed commit was not rolled back after its timeout")


def test_confirm_by_persist_id_from_new_session(lab):
    port = "sw-ch2-core-1"
    with lab.session("ots-metro-1") as s:
        s.transaction(_desc(port, "keep-me"), confirmed=True, confirm_timeout=2, persist="keep-1")
    confirm_commit(_params(lab, "ots-metro-1"), "keep-1")
    time.sleep(3)  # past the confirm timeout
    with lab.session("ots-metro-1") as s:
        assert "keep-me" in s.get_config("running", FLT.format(p=port))


def test_wrong_persist_id_is_refused(lab):
    with lab.session("ots-metro-1") as s, pytest.raises(NetconfOperationError) as err:
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
