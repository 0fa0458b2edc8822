# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NACM that holds (issue 13): neither the operator nor the key-script identity can give itself
rights, on every device kind of the lab, whatever standard NETCONF route it tries.

Every attempt goes through plain ncclient (not the project's session layer), as an outside tool
would, and must be refused; afterwards running (and startup) as the administrative identity reads
them must be byte-identical to before. The administrative identity (lab.json users.admin, the
devices' netconfd superuser) is used only to read; nothing in the collection uses it.
"""

from __future__ import annotations

import base64
import os
import pathlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ncclient import manager
from ncclient.operations import RPCError
from ncclient.xml_ import to_ele

pytestmark = pytest.mark.lab

NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
NACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
ENC = "urn:qsafe:yang:encryptor"

# One device of every kind; "key_bank" is an encryptor card's key-bank agent (docs/lab.md).
TARGETS = {
    "l2_switch": ("sw-cell-1", False),
    "optical_switch": ("ots-metro-1", False),
    "encryptor": ("tce-ch2-a", False),
    "key_host": ("keys-a", False),
    "key_bank": ("tce-ch2-a", True),
}
IDENTITIES = ("operator", "keyscript")


def _nacm(body: str, op: str = "") -> str:
    attr = f' xmlns:nc="{NC}" nc:operation="{op}"' if op else ""
    return f'<nacm xmlns="{NACM}"{attr}>{body}</nacm>'


GRANT_KEYS = (
    "<rule-list><name>mine</name><group>operators</group><rule><name>keys</name>"
    "<module-name>*</module-name><access-operations>*</access-operations><action>permit</action>"
    "</rule></rule-list>"
)

# name -> config sent in an edit-config (each tries to change /nacm, to give rights or to drop checks)
NACM_EDITS = {
    "enable-nacm false": _nacm("<enable-nacm>false</enable-nacm>"),
    "read-default deny": _nacm("<read-default>deny</read-default>"),
    "write-default deny": _nacm("<write-default>deny</write-default>"),
    "exec-default permit": _nacm("<exec-default>permit</exec-default>"),
    "rule-list granting everything": _nacm(GRANT_KEYS),
    "rule-list reading key material": _nacm(
        "<rule-list><name>p</name><group>operators</group><group>key-scripts</group><rule><name>r</name>"
        f'<module-name>qsafe-encryptor</module-name><path xmlns:qenc="{ENC}">'
        "/qenc:encryptor/qenc:key-banks/qenc:bank/qenc:key-material</path>"
        "<access-operations>read</access-operations><action>permit</action></rule></rule-list>"
    ),
    "rule-list reading /nacm": _nacm(
        "<rule-list><name>p</name><group>operators</group><rule><name>r</name>"
        "<module-name>ietf-netconf-acm</module-name>"
        "<access-operations>*</access-operations><action>permit</action></rule></rule-list>"
    ),
    "join the key-scripts group": _nacm(
        "<groups><group><name>key-scripts</name><user-name>qsafe-operator</user-name></group></groups>"
    ),
    "join a new group": _nacm(
        "<groups><group><name>admins</name><user-name>qsafe-operator</user-name>"
        "<user-name>qsafe-keyscript</user-name></group></groups>"
    ),
    "edit own group": _nacm(
        "<groups><group><name>operators</name><user-name>qsafe-keyscript</user-name></group></groups>"
    ),
    "delete the groups": _nacm(f'<groups xmlns:nc="{NC}" nc:operation="delete"/>'),
    "delete /nacm": _nacm("", op="delete"),
    "replace /nacm": _nacm("<enable-nacm>false</enable-nacm>", op="replace"),
}


def _connect(desc: dict[str, Any], device: str, identity: str, key_bank: bool, tmp: pathlib.Path) -> Any:
    entry = desc["devices"][device]
    cfg = tmp / "ssh_config"
    cfg.write_text(f"Host *\n  UserKnownHostsFile {entry['known_hosts']}\n  StrictHostKeyChecking yes\n")
    return manager.connect(
        host=entry["host"],
        port=entry["key_bank_port"] if key_bank else entry["port"],
        username=entry["user"],
        key_filename=desc["users"][identity]["key_file"],
        hostkey_verify=True,
        ssh_config=str(cfg),
        look_for_keys=False,
        allow_agent=False,
        timeout=20,
        device_params={"name": "default"},
    )


@pytest.fixture(scope="module", autouse=True)
def _short_tick() -> Iterator[None]:
    """ncclient polls its socket every TICK (0.1 s) per RPC: a few hundred RPCs here. Shorter for
    this module only (the client's behaviour is otherwise untouched)."""
    import ncclient.transport.session as nc_session

    saved, nc_session.TICK = nc_session.TICK, 0.005
    try:
        yield
    finally:
        nc_session.TICK = saved


@pytest.fixture(scope="module")
def sessions(lab, tmp_path_factory) -> Iterator[Callable[[str, str, bool], Any]]:
    """(device, identity, key_bank) -> an open ncclient manager, opened once for the module."""
    if "admin" not in lab.desc["users"]:
        pytest.fail("the lab has no administrative identity (lab.json users.admin)")
    tmp = tmp_path_factory.mktemp("nacm")
    open_: dict[tuple[str, str, bool], Any] = {}

    def get(device: str, identity: str, key_bank: bool) -> Any:
        key = (device, identity, key_bank)
        if key not in open_ or not open_[key].connected:
            open_[key] = _connect(lab.desc, device, identity, key_bank, tmp)
        return open_[key]

    yield get
    for m in open_.values():
        if m.connected:
            m.close_session()


def _snapshot(sessions, device: str, key_bank: bool) -> tuple[str, str]:
    """running and startup as the administrative identity reads them (everything, /nacm included)."""
    admin = sessions(device, "admin", key_bank)
    running = admin.get_config(source="running").data_xml
    startup = admin.get_config(source="startup").data_xml
    assert "<nacm" in running and "<enable-nacm>true</enable-nacm>" in running
    return running, startup


def _refused(what: str, call: Callable[[], Any]) -> RPCError:
    try:
        reply = call()
    except RPCError as err:
        return err
    raise AssertionError(f"{what}: accepted ({str(reply)[:200]})")


def _edit_refused(
    m: Any, key_bank: bool, config: str, what: str, default_operation: str | None = None
) -> None:
    """An edit is refused at edit-config or, at the latest, at commit; nothing is left behind."""
    target = "running" if key_bank else "candidate"
    try:
        m.edit_config(
            target=target,
            config=f'<config xmlns="{NC}">{config}</config>',
            default_operation=default_operation,
        )
        if not key_bank:
            _refused(f"{what} (commit)", m.commit)
    except RPCError as err:
        assert err.tag in ("access-denied", "operation-not-supported", "in-use"), (what, err.tag, err.message)
    finally:
        if not key_bank:
            m.discard_changes()


# The key-material rule names the encryptor's namespace, which only cards know.
EDIT_CASES = [
    (edit, kind)
    for edit in NACM_EDITS
    for kind in TARGETS
    if edit != "rule-list reading key material" or kind in ("encryptor", "key_bank")
]


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("kind", list(TARGETS))
def test_nacm_cannot_be_edited(sessions, kind, identity):
    """Every edit of NACM_EDITS, one after the other; each must be refused and change nothing."""
    device, key_bank = TARGETS[kind]
    accepted = []
    for edit, edit_kind in EDIT_CASES:
        if edit_kind != kind:
            continue
        before = _snapshot(sessions, device, key_bank)
        try:
            _edit_refused(sessions(device, identity, key_bank), key_bank, NACM_EDITS[edit], edit)
        except AssertionError as exc:
            accepted.append(str(exc)[:200])
        if _snapshot(sessions, device, key_bank) != before:
            accepted.append(f"{edit}: running or startup changed")
    assert not accepted, f"{identity} on {kind} ({device}): {accepted}"


def _other_rpcs(m: Any, victim_session: str) -> dict[str, Callable[[], Any]]:
    """Routes around edit-config: whole-datastore copies and deletes, killing the key script's
    session, replacing the whole configuration, the server's own management RPCs."""
    permissive = f'<config><nacm xmlns="{NACM}"><enable-nacm>false</enable-nacm></nacm></config>'

    def copy(source: str, target: str) -> Callable[[], Any]:
        # Raw RPCs: ncclient's copy_config cannot send an inline <config> or a URL the server
        # does not advertise, and a client-side refusal proves nothing about the server.
        return lambda: m.dispatch(
            to_ele(
                f'<copy-config xmlns="{NC}"><target>{target}</target><source>{source}</source></copy-config>'
            )
        )

    return {
        "copy-config running -> startup": copy("<running/>", "<startup/>"),
        "copy-config startup -> running": copy("<startup/>", "<running/>"),
        "copy-config candidate -> running": copy("<candidate/>", "<running/>"),
        "copy-config inline -> running": copy(permissive, "<running/>"),
        "copy-config inline -> candidate": copy(permissive, "<candidate/>"),
        "copy-config inline -> startup": copy(permissive, "<startup/>"),
        "copy-config running -> file url": copy("<running/>", "<url>file:///tmp/qsafe-nacm-test.xml</url>"),
        "delete-config startup": lambda: m.delete_config(target="startup"),
        "delete-config candidate": lambda: m.delete_config(target="candidate"),
        "kill-session of the other identity": lambda: m.kill_session(victim_session),
        "shutdown": lambda: m.dispatch(to_ele('<shutdown xmlns="http://yuma123.org/ns/yuma123-system"/>')),
        "restart": lambda: m.dispatch(to_ele('<restart xmlns="http://yuma123.org/ns/yuma123-system"/>')),
        "load a module": lambda: m.dispatch(
            to_ele('<load xmlns="http://yuma123.org/ns/yuma123-system"><module>toaster</module></load>')
        ),
    }


OTHER_RPCS = list(_other_rpcs(None, "1"))


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("kind", list(TARGETS))
def test_no_other_route_to_rights(sessions, kind, identity):
    """Every route of _other_rpcs, one after the other; each must be refused and change nothing."""
    device, key_bank = TARGETS[kind]
    accepted = []
    for route in OTHER_RPCS:
        try:
            _route_refused(sessions, device, key_bank, identity, route)
        except AssertionError as exc:
            accepted.append(str(exc)[:300])
    assert not accepted, f"{identity} on {kind} ({device}): {accepted}"


def _route_refused(sessions, device: str, key_bank: bool, identity: str, route: str) -> None:
    before = _snapshot(sessions, device, key_bank)
    victim = sessions(device, "keyscript" if identity == "operator" else "operator", key_bank)
    m = sessions(device, identity, key_bank)
    err = _refused(route, _other_rpcs(m, victim.session_id)[route])
    assert err.tag in ("access-denied", "operation-not-supported", "invalid-value", "operation-failed"), (
        route,
        err.tag,
        err.message,
    )
    assert victim.connected and victim.get_config(source="running") is not None, (
        f"{route}: victim session gone"
    )
    assert _snapshot(sessions, device, key_bank) == before, f"{route}: running or startup changed"
    assert not pathlib.Path("/tmp/qsafe-nacm-test.xml").exists()


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("kind", [k for k in TARGETS if k != "key_bank"])
def test_replacing_the_whole_configuration_keeps_nacm(sessions, kind, identity):
    """An edit that removes /nacm as a whole."""
    device, key_bank = TARGETS[kind]
    before = _snapshot(sessions, device, key_bank)
    m = sessions(device, identity, key_bank)
    _edit_refused(
        m,
        key_bank,
        f'<nacm xmlns="{NACM}" xmlns:nc="{NC}" nc:operation="remove"/>',
        f"{identity} remove /nacm",
    )
    assert _snapshot(sessions, device, key_bank) == before


def _key_reads(m: Any) -> dict[str, Callable[[], str]]:
    leaf = f'<encryptor xmlns="{ENC}"><key-banks><bank><key-material/></bank></key-banks></encryptor>'
    return {
        "get-config": lambda: m.get_config(source="running").data_xml,
        "get-config startup": lambda: m.get_config(source="startup").data_xml,
        "get-config subtree key leaf": lambda: (
            m.get_config(source="running", filter=("subtree", leaf)).data_xml
        ),
        "get-config xpath key leaf": lambda: (
            m.get_config(source="running", filter=("xpath", "//*[local-name()='key-material']")).data_xml
        ),
        "get": lambda: m.get().data_xml,
        "get subtree key leaf": lambda: m.get(filter=("subtree", leaf)).data_xml,
        "get xpath key leaf": lambda: m.get(filter=("xpath", "//*[local-name()='key-material']")).data_xml,
        "get with-defaults report-all": lambda: m.get(with_defaults="report-all").data_xml,
    }


@pytest.mark.parametrize("identity", IDENTITIES)
def test_key_material_unreadable_by_any_path(lab, sessions, identity):
    """A fresh key written by the key script is not in any answer to either identity."""
    from qsafe_lab.lab import key_bank_session

    key = os.urandom(32)
    kid = f"kid-nacm-{os.urandom(3).hex()}"
    with key_bank_session("tce-ch5-a", lab.desc, "keyscript") as s:
        s.edit_config(
            f'<encryptor xmlns="{ENC}"><key-banks><bank><name>next</name><key-id>{kid}</key-id>'
            f"<key-material>{base64.b64encode(key).decode()}</key-material></bank></key-banks></encryptor>",
            target="running",
        )
    forms = [base64.b64encode(key).decode(), key.hex(), key.hex().upper()]
    m = sessions("tce-ch5-a", identity, True)
    for name, read in _key_reads(m).items():
        try:
            reply = read()
        except RPCError as err:
            reply = err.message or ""
        assert not any(f in reply for f in forms), f"{identity}: {name} returned the key"
    assert kid in _key_reads(m)["get-config"](), "key IDs must stay readable"
