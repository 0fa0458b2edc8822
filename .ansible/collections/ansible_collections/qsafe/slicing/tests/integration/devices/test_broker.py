# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The session broker: session reuse, dropped sessions, YANG errors, exit with its parent."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import StepRequest
from ansible_collections.qsafe.slicing.plugins.plugin_utils._netconf_broker import ensure_broker

from .conftest import connection

pytestmark = pytest.mark.lab


@pytest.fixture
def broker(tmp_path):
    """A broker whose 'play' is a sleep process we own; killing it must end the broker."""
    parent = subprocess.Popen(["sleep", "300"])  # noqa: S607
    state = tmp_path / "state"
    client = ensure_broker(parent_pid=parent.pid, state_dir=state, idle_timeout=120)
    pid = client.request({"op": "ping"})["result"]["pid"]
    try:
        yield client, parent, pid
    finally:
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, 9)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def _vlan(device: str, vid: int, state: str = "present", name: str | None = None) -> StepRequest:
    return StepRequest(device, "l2_switch", "vlan", {"vlan_id": vid}, state, name=name)


def test_sessions_are_reused_across_requests(lab, broker):
    client, _parent, _pid = broker
    conns = {d: connection(lab, d) for d in ("sw-agg-1", "sw-metro-1")}
    for vid in (700, 701, 702):
        for device, conn in conns.items():
            reply = client.step(conn, _vlan(device, vid))
            assert reply["ok"] and reply["result"]["changed"], reply
    for vid in (700, 701, 702):
        for device, conn in conns.items():
            assert client.step(conn, _vlan(device, vid, "absent"))["result"]["changed"]
    stats = client.stats()["devices"]
    assert {d: (stats[d]["connects"], stats[d]["requests"]) for d in conns} == {d: (1, 6) for d in conns}


def test_yang_error_reaches_the_caller(lab, broker):
    client, _parent, _pid = broker
    params = {"port": "c1", "encryption": True, "method": "dh"}
    req = StepRequest("tce-ch1-b", "encryptor", "client_port", params, name="card tce-ch1-b port c1")
    reply = client.step(connection(lab, "tce-ch1-b"), req)
    assert not reply["ok"]
    err = reply["error"]
    assert (err["device"], err["step"]) == ("tce-ch1-b", "card tce-ch1-b port c1")
    assert err["error_tag"] == "operation-failed"
    assert err["error_path"].endswith("/qenc:encryption") and "10-TCE-AES" in err["msg"]


def test_session_dropped_mid_step_fails_clearly_then_reconnects(lab, lab_faults, broker):
    client, _parent, _pid = broker
    conn = connection(lab, "sw-cell-1")
    assert client.step(conn, _vlan("sw-cell-1", 710))["ok"]  # session open
    lab_faults.drop("sw-cell-1", operation="commit", times=1)
    reply = client.step(conn, _vlan("sw-cell-1", 711, name="VLAN 711 on sw-cell-1"))
    assert not reply["ok"]
    err = reply["error"]
    assert (err["device"], err["step"], err["operation"], err["error_tag"]) == (
        "sw-cell-1", "VLAN 711 on sw-cell-1", "commit", "session-closed"), str(err)
    assert "sw-cell-1" in err["msg"] and "VLAN 711" in err["msg"]
    # The next step reopens the session (the dropped commit never reached the device).
    again = client.step(conn, _vlan("sw-cell-1", 711))
    assert again["ok"] and again["result"]["changed"]
    assert client.stats()["devices"]["sw-cell-1"]["connects"] == 2
    for vid in (710, 711):
        assert client.step(conn, _vlan("sw-cell-1", vid, "absent"))["ok"]


def test_idle_session_lost_is_reopened_once(lab, lab_faults, broker):
    client, _parent, _pid = broker
    conn = connection(lab, "sw-cell-1")
    assert client.step(conn, _vlan("sw-cell-1", 720))["ok"]
    lab_faults.drop("sw-cell-1", operation="lock", times=1)  # first RPC of the next step: nothing changed yet
    reply = client.step(conn, _vlan("sw-cell-1", 720, "absent"))
    assert reply["ok"] and reply["result"]["changed"], reply
    assert client.stats()["devices"]["sw-cell-1"]["reconnects"] == 1


def test_unreachable_device_is_a_clear_error(lab, broker):
    client, _parent, _pid = broker
    conn = connection(lab, "sw-cell-1")
    conn.port = 1  # nothing listens there
    reply = client.step(conn, _vlan("sw-cell-1", 730))
    assert not reply["ok"] and reply["error"]["error_tag"] == "connect-failed"
    assert reply["error"]["device"] == "sw-cell-1"


def test_broker_exits_when_its_parent_dies(lab, broker, tmp_path):
    client, parent, pid = broker
    assert client.step(connection(lab, "sw-core-1"), _vlan("sw-core-1", 740, "absent"))["ok"]
    assert _alive(pid)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid), "broker outlived its play"
    assert not os.path.exists(client.path), "socket left behind"
