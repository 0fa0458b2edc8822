# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-back verification and the confirmed-commit ownership rules, offline.

The NETCONF session is a fake that answers like the lab's netconfd (replies and rpc-errors as
measured there); the logic under test (verify.py, transaction.py) is the real one.
"""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import DeviceStepError
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import confirm_result
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    CommitOptions,
    StepRequest,
    follow_up,
    run_step,
    take_over,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.verify import (
    finish_and_verify,
    read_back,
    read_filter,
    verify_steps,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
VLAN = "http://openconfig.net/yang/vlan"
IF = "http://openconfig.net/yang/interfaces"
ETH = "http://openconfig.net/yang/interfaces/ethernet"
ENC = "urn:qsafe:yang:encryptor"

# The read-back logic is the same on every platform; these cases are written in the 2016 model.
PLATFORM = "openconfig_2016"


def data(*parts: str) -> str:
    return f'<data xmlns="{NC}">{"".join(parts)}</data>'


def vlans(*ids: int) -> str:
    body = "".join(
        f"<vlan><vlan-id>{i}</vlan-id><config><vlan-id>{i}</vlan-id><name>s-{i}</name></config></vlan>"
        for i in ids
    )
    return f'<vlans xmlns="{VLAN}">{body}</vlans>'


def port(name: str, *trunk: int) -> str:
    sv = ""
    if trunk:
        leaves = "".join(f"<trunk-vlans>{t}</trunk-vlans>" for t in trunk)
        sv = (
            f'<ethernet xmlns="{ETH}"><switched-vlan xmlns="{VLAN}"><config>'
            f"<interface-mode>TRUNK</interface-mode>{leaves}</config></switched-vlan></ethernet>"
        )
    return f"<interface><name>{name}</name><config><name>{name}</name></config>{sv}</interface>"


def ports(*items: str) -> str:
    return f'<interfaces xmlns="{IF}">{"".join(items)}</interfaces>'


def card(enabled: str, encryption: str, method: str | None) -> str:
    ks = f"<key-source><method>{method}</method></key-source>" if method else ""
    return (
        f'<encryptor xmlns="{ENC}"><client-ports><client-port><name>c1</name><enabled>{enabled}</enabled>'
        f"<encryption>{encryption}</encryption></client-port></client-ports>{ks}</encryptor>"
    )


VLAN_STEP = {
    "index": 3,
    "name": "vlan 101",
    "device": "sw",
    "kind": "l2_switch",
    "operation": "vlan",
    "params": {"vlan_id": 101, "name": "s-101"},
}
MEMBER_STEP = {
    "index": 4,
    "name": "member",
    "device": "sw",
    "kind": "l2_switch",
    "operation": "vlan_member",
    "params": {"port": "p1", "vlan_id": 101, "mode": "trunk"},
}
MEMBER2_STEP = dict(MEMBER_STEP, index=5, params={"port": "p2", "vlan_id": 101, "mode": "trunk"})
CARD_STEP = {
    "index": 7,
    "name": "card",
    "device": "tce",
    "kind": "encryptor",
    "operation": "client_port",
    "params": {"port": "c1", "encryption": True, "method": "qkd", "enabled": True},
}


@pytest.mark.parametrize(
    ("running", "steps", "state", "wrong"),
    [
        (data(), [VLAN_STEP], "present", [3]),
        (data(vlans(101)), [VLAN_STEP], "present", []),
        (data(vlans(7)), [VLAN_STEP], "present", [3]),
        (data(vlans(101, 7)), [VLAN_STEP], "absent", [3]),
        (data(vlans(7)), [VLAN_STEP], "absent", []),
        (data(), [VLAN_STEP], "absent", []),
        (data(ports(port("p1", 5, 101))), [MEMBER_STEP], "present", []),
        (data(ports(port("p1", 5))), [MEMBER_STEP], "present", [4]),
        (data(ports(port("p1", 5, 101))), [MEMBER_STEP], "absent", [4]),
        (data(ports(port("p1", 5))), [MEMBER_STEP], "absent", []),
        (data(ports(port("p1")), vlans(101)), [VLAN_STEP, MEMBER_STEP], "present", [4]),
        (data(card("true", "aes-256", "qkd")), [CARD_STEP], "present", []),
        (data(card("true", "aes-256", "dh")), [CARD_STEP], "present", [7]),
        (data(card("true", "aes-256", "qkd")), [CARD_STEP], "absent", [7]),
        (data(card("false", "off", None)), [CARD_STEP], "absent", []),
    ],
)
def test_steps_held_or_not(running, steps, state, wrong):
    got = verify_steps(running, steps, state, PLATFORM)
    assert [w["index"] for w in got] == wrong
    for w in got:
        assert w["why"] and w["device"]


def test_filter_is_one_per_top_node_and_merged():
    flt = read_filter([VLAN_STEP, MEMBER_STEP, MEMBER2_STEP, VLAN_STEP], "present", PLATFORM)
    assert len(flt) == 2  # vlans + interfaces, identical ones merged
    assert flt[1].count("<ns0:name>p1</ns0:name>") == 1 and "p2" in flt[1]


class FakeSession:
    """Answers like netconfd: one pending confirmed commit (persist-id or None) and running data."""

    device = "sw"
    connected = True
    platform = PLATFORM

    def __init__(self, running: str = data(), pending: str | None = None) -> None:
        self.running = running
        self.pending = pending
        self.calls: list[tuple] = []

    def _err(self, op, tag, msg, path=None):
        return NetconfOperationError(self.device, op, msg, error_tag=tag, error_path=path)

    def lock(self, target="candidate"):
        self.calls.append(("lock",))
        if self.pending:
            raise self._err("lock", "in-use", "cannot perform the operation with confirmed-commit pending")

    def unlock(self, target="candidate"):
        self.calls.append(("unlock",))

    def discard_changes(self):
        self.calls.append(("discard",))

    def get_config(self, source="running", filter=None):  # noqa: A002
        self.calls.append(("get-config", source))
        return self.running

    def edit_config(self, config, **kw):
        self.calls.append(("edit", config))
        if "<vlan-id>101" in config:
            self.running = data(vlans(101))

    def commit(self, confirmed=False, timeout=None, persist=None, persist_id=None):
        self.calls.append(("commit", confirmed, persist, persist_id))
        if persist_id is not None:
            if self.pending is None:
                raise self._err("commit", "operation-failed", "persistent confirmed commit not active")
            if persist_id != self.pending:
                raise self._err("commit", "invalid-value", "invalid value", "/nc:rpc/nc:commit/nc:persist-id")
            if not confirmed:
                self.pending = None
            return
        if confirmed:
            self.pending = persist

    def cancel_commit(self, persist_id=None):
        self.calls.append(("cancel", persist_id))
        if self.pending is None:
            raise self._err("cancel-commit", "operation-failed", "operation failed")
        if persist_id != self.pending:
            raise self._err("cancel-commit", "invalid-value", "invalid value")
        self.pending = None
        self.running = data()


def test_follow_up_tells_whose_commit_is_pending():
    assert follow_up(FakeSession(pending="qsafe-me"), "qsafe-me", 10) == "ours"
    assert follow_up(FakeSession(pending="qsafe-dead"), "qsafe-me", 10) == "foreign"
    assert follow_up(FakeSession(pending=None), "qsafe-me", 10) == "none"


def _request(takeover=()):
    return StepRequest(
        "sw",
        "l2_switch",
        "vlan",
        {"vlan_id": 101, "name": "s-101"},
        "present",
        commit=CommitOptions("confirmed", 10, "qsafe-me", tuple(takeover)),
    )


def test_change_already_present_under_a_dead_run_is_not_done():
    # The dead run's unconfirmed commit put VLAN 101 in running: without its persist-id the step
    # must not count it as done (it reverts), and says why instead of netconfd's "invalid value".
    session = FakeSession(running=data(vlans(101)), pending="qsafe-dead")
    with pytest.raises(DeviceStepError, match="confirmed commit of another run is pending") as err:
        run_step(session, _request())
    assert err.value.info["error_tag"] == "in-use"


def test_dead_run_is_cancelled_and_the_step_reapplied_under_this_run():
    session = FakeSession(running=data(vlans(101)), pending="qsafe-dead")
    result = run_step(session, _request(takeover=["qsafe-other", "qsafe-dead"]))
    assert result.took_over == "qsafe-dead"
    assert result.changed and result.commit == "confirmed"
    assert session.pending == "qsafe-me"
    assert ("cancel", "qsafe-dead") in session.calls


def test_own_pending_commit_counts_as_done():
    session = FakeSession(running=data(vlans(101)), pending="qsafe-me")
    result = run_step(session, _request())
    assert not result.changed and result.commit == "pending-confirmed"


def test_take_over_skips_unknown_ids():
    session = FakeSession(pending="qsafe-dead")
    assert take_over(session, ["qsafe-a", "qsafe-me"], "qsafe-me") is None
    assert session.pending == "qsafe-dead"


def test_confirm_with_nothing_pending_fails_unless_read_back_matches():
    gone = finish_and_verify(FakeSession(running=data()), "confirm", "qsafe-me", [VLAN_STEP], "present")
    assert gone["pending"] is False and not gone["verified"]
    result = confirm_result("confirm", [gone])
    assert (
        result["failed"]
        and "sw: after the confirm the device does not hold step 3 (vlan 101)" in result["msg"]
    )
    held = finish_and_verify(
        FakeSession(running=data(vlans(101))), "confirm", "qsafe-me", [VLAN_STEP], "present"
    )
    assert not confirm_result("confirm", [held]).get("failed")


def test_read_back_is_one_get_config():
    session = FakeSession(running=data(vlans(101), ports(port("p1", 101), port("p2", 101))))
    assert read_back(session, [VLAN_STEP, MEMBER_STEP, MEMBER2_STEP], "present") == []
    assert [c for c in session.calls if c[0] == "get-config"] == [("get-config", "running")]
