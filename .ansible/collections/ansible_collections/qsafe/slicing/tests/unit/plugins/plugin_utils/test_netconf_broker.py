# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The session broker's pool and protocol on fake sessions: only DeviceConnection.open is patched."""

from __future__ import annotations

import os
import threading

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    DeviceConnection,
    StepRequest,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfConnectError
from ansible_collections.qsafe.slicing.plugins.plugin_utils import _netconf_broker as broker

from tests.unit.fake_netconf import FakeSession, rpc_error

VLAN_7 = (
    '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><vlans xmlns="http://openconfig.net/yang/vlan">'
    "<vlan><vlan-id>7</vlan-id></vlan></vlans></data>"
)


def conn(name: str = "sw-1", port: int = 830) -> DeviceConnection:
    return DeviceConnection(name, "127.0.0.1", port, "op", "/k", "/kh", 5.0)


def step(vid: int = 7) -> StepRequest:
    return StepRequest("sw-1", "l2_switch", "vlan", {"vlan_id": vid})


class Opened(list):
    def __init__(self) -> None:
        super().__init__()
        self.plan: list[FakeSession | Exception] = []


@pytest.fixture
def opened(monkeypatch):
    """Sessions handed out by DeviceConnection.open, in order; `plan` scripts the next ones."""
    opened = Opened()
    plan = opened.plan

    def fake_open(self, fast_send=True):
        item = plan.pop(0) if plan else FakeSession(self.name, after=VLAN_7)
        if isinstance(item, Exception):
            raise item
        opened.append(item)
        return item

    monkeypatch.setattr(DeviceConnection, "open", fake_open)
    return opened


def test_one_session_per_device_is_reused(opened):
    pool = broker.SessionPool()
    first = pool.step(conn(), step())
    second = pool.step(conn(), step())
    assert len(opened) == 1 and first["session_connects"] == second["session_connects"] == 1
    assert first["changed"] and not second["changed"]
    assert pool.stats()["devices"]["sw-1"]["requests"] == 2


def test_changed_connection_parameters_reopen_the_session(opened):
    pool = broker.SessionPool()
    pool.step(conn(), step())
    pool.step(conn(port=831), step())
    assert len(opened) == 2 and opened[0].closed


def test_a_session_lost_before_the_first_rpc_is_reopened_once(opened):
    pool = broker.SessionPool()
    pool.step(conn(), step())
    opened[0].fail["lock"] = [rpc_error("lock", "session-closed", device="sw-1")]
    result = pool.step(conn(), step(8))
    assert result["committed"] and len(opened) == 2
    assert pool.stats()["devices"]["sw-1"]["reconnects"] == 1


def test_a_session_lost_inside_a_step_fails_it_and_is_dropped(opened):
    pool = broker.SessionPool()
    pool.step(conn(), step())
    opened[0].fail["edit-config"] = [rpc_error("edit-config", "session-closed", device="sw-1")]
    with pytest.raises(broker.DeviceStepError) as caught:
        pool.step(conn(), step(8))
    assert caught.value.info["error_tag"] == "session-closed" and len(opened) == 1
    pool.step(conn(), step(9))
    assert len(opened) == 2


def test_connect_opens_in_parallel_and_reports_each_device(opened):
    opened.plan.extend([FakeSession("a"), NetconfConnectError("b", "connect", "refused")])
    pool = broker.SessionPool()
    got = pool.connect([conn("a"), conn("b"), conn("a")])
    assert got["a"] == "connected" and got["b"].startswith("error: ") and "refused" in got["b"]
    assert pool.connect([conn("a")]) == {"a": "open"}


def test_finish_on_a_device_with_nothing_pending(opened):
    not_pending = rpc_error(
        "commit", "operation-failed", "persistent confirmed commit not active", device="sw-1"
    )
    opened.plan.append(FakeSession("sw-1", fail={"commit": [not_pending]}))
    assert broker.SessionPool().finish(conn(), "confirm", "p1") == {
        "device": "sw-1", "changed": False, "pending": False}


def test_protocol_over_the_socket(opened, tmp_path):
    path = str(tmp_path / "b.sock")
    server = broker.BrokerServer(path, os.getpid(), idle_timeout=60)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = broker.BrokerClient(path, timeout=10)
        assert client.alive()
        reply = client.step(conn(), step())
        assert reply["ok"] and reply["result"]["commands"] and reply["result"]["committed"]
        bad = client.step(conn(), step(5000))
        assert not bad["ok"] and bad["error"]["error_tag"] == "invalid-input"
        unknown = client.request({"op": "nope"})["error"]["error_message"]
        assert unknown == "ValueError: unknown broker op 'nope'"
        assert client.stats()["devices"]["sw-1"]["connects"] == 1
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    finally:
        server.shutdown()
        server.server_close()
        server.pool.close()
        thread.join(5)
