# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's switches hold what devices on current upstream OpenConfig would hold.

Checked from outside with a tool nobody here wrote: yanglint (Debian libyang2-tools) validates the
running configuration of every L2 switch and of the optical switch, after both use cases are
provisioned with ansible-playbook, against the upstream OpenConfig release vendored unmodified in
yang/openconfig (not against the lab's own form of openconfig-network-instance in yang/lab). And
the 2016 platform still works as a second platform: a lab switch started with
qsafe_platform=openconfig_2016 gets its VLANs in the 2016 top-level /vlans, through the same
handler concepts.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import tempfile

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    DeviceConnection,
    StepRequest,
    run_step,
)
from lxml import etree
from qsafe_lab import Lab

from tests.integration.provisioning.harness import run_playbook

ROOT = pathlib.Path(__file__).resolve().parents[3]
UPSTREAM = ROOT / "yang" / "openconfig"
# The switch's modules, and the identity modules its values name (yanglint implements them).
SWITCH_MODULES = (
    "iana-if-type",
    "openconfig-network-instance-types",
    "openconfig-interfaces",
    "openconfig-if-ethernet",
    "openconfig-vlan",
    "openconfig-network-instance",
)
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NI = "http://openconfig.net/yang/network-instance"
SWITCHES = ("sw-cell-1", "sw-cell-2", "sw-agg-1", "sw-metro-1", "sw-core-1")

pytestmark = pytest.mark.skipif(shutil.which("yanglint") is None, reason="yanglint (make setup) missing")


def top_nodes(data_xml: str, drop_nacm: bool = True) -> str:
    """The <data> reply's top nodes, namespace declarations kept (identityref values need them);
    without NACM, which is not an OpenConfig model."""
    root = etree.fromstring(data_xml.encode())
    return "\n".join(
        etree.tostring(node, encoding="unicode")
        for node in root
        if not (drop_nacm and etree.QName(node).namespace == NACM_NS)
    )


OPTICAL_MODULES = ("openconfig-transport-line-connectivity",)


def yanglint(
    document: str, tmp: pathlib.Path, modules: tuple[str, ...] = SWITCH_MODULES
) -> subprocess.CompletedProcess:
    data = tmp / "data.xml"
    data.write_text(document)
    schemas = [str(UPSTREAM / f"{m}.yang") for m in modules]
    return subprocess.run(
        ["yanglint", "-i", "-t", "config", "-p", str(UPSTREAM), *schemas, str(data)],
        capture_output=True, text=True, check=False,
    )


def test_the_upstream_files_are_the_release_named_in_the_readme():
    readme = (UPSTREAM / "README.md").read_text()
    assert "v5.9.0" in readme and "f34434149a47aa8ff82ffd32add3aacb7c880af2" in readme
    for module in SWITCH_MODULES:
        assert f"| `{module}` |" in readme
    # The lab's own form is not among the upstream files and says so in its first line.
    assert (ROOT / "yang" / "lab" / "openconfig-network-instance.yang").read_text().startswith(
        "// qsafe.slicing lab form of OpenConfig's openconfig-network-instance"
    )


def test_switch_configs_after_both_use_cases_are_valid_upstream(lab, open_session, tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    use_cases = ("enterprise_app_slice.yml", "cdn_slice.yml")
    try:
        for playbook in use_cases:
            run = run_playbook(playbook, lab.lab_dir, state_dir)
            assert run.rc == 0, run.output[-3000:]
        vlans = 0
        for switch in SWITCHES:
            data = open_session(switch).get_config("running")
            vlans += data.count("<vlan-id>") // 2  # key and config leaf
            res = yanglint(top_nodes(data), tmp_path)
            assert res.returncode == 0, f"{switch}: {res.stderr}"
        assert vlans >= 6, "both slices' VLANs should be on the switches"
        data = open_session("ots-metro-1").get_config("running")
        assert data.count("<source>") >= 2, "the slices' patches should be on the optical switch"
        res = yanglint(top_nodes(data), tmp_path, OPTICAL_MODULES)
        assert res.returncode == 0, f"ots-metro-1: {res.stderr}"
    finally:
        for playbook in reversed(use_cases):
            run_playbook(playbook, lab.lab_dir, state_dir, {"slice_state": "absent"})


ACCESS_WITH_TRUNK = (
    '<interfaces xmlns="http://openconfig.net/yang/interfaces"><interface><name>{port}</name>'
    '<ethernet xmlns="http://openconfig.net/yang/interfaces/ethernet">'
    '<switched-vlan xmlns="http://openconfig.net/yang/vlan"><config>'
    "<interface-mode>ACCESS</interface-mode><access-vlan>620</access-vlan>"
    "<trunk-vlans>621</trunk-vlans><native-vlan>622</native-vlan>"
    "</config></switched-vlan></ethernet></interface></interfaces>"
)
PORT_FILTER = (
    '<interfaces xmlns="http://openconfig.net/yang/interfaces"><interface><name>{port}</name>'
    "</interface></interfaces>"
)


def test_access_port_with_trunk_vlans_is_refused_upstream_and_never_held_by_the_lab(
    lab, open_session, tmp_path
):
    """Upstream's `when`s are intact in the lab: trunk-vlans and native-vlan exist only in TRUNK mode.

    yanglint refuses the combined document ("When condition ... not satisfied"), as a switch on the
    model would. yuma123 netconfd enforces the same `when`s its own way (docs/lab.md): it answers
    ok and drops the leaves whose condition is false, so running never holds them.
    """
    port = "ru-1"
    session = open_session("sw-cell-1")
    before = session.get_config("running", PORT_FILTER.format(port=port))
    edit = ACCESS_WITH_TRUNK.format(port=port)
    # Upstream refuses it: the port as configured (an ethernet interface) with that switched-vlan.
    doc = edit.replace(
        f"<name>{port}</name>",
        f"<name>{port}</name><config><name>{port}</name>"
        '<type xmlns:ianaift="urn:ietf:params:xml:ns:yang:iana-if-type">ianaift:ethernetCsmacd</type>'
        "</config>",
        1,
    )
    res = yanglint(doc, tmp_path)
    assert res.returncode != 0
    assert "When condition \"../interface-mode = 'TRUNK'\" not satisfied" in res.stderr
    with session.locked():
        session.discard_changes()
        try:
            session.edit_config(edit)
            session.commit()
            held = session.get_config("running", PORT_FILTER.format(port=port))
            assert "<access-vlan>620</access-vlan>" in held
            assert "trunk-vlans" not in held and "native-vlan" not in held
            res = yanglint(top_nodes(held), tmp_path)
            assert res.returncode == 0, res.stderr
        finally:
            session.discard_changes()
            restore = (
                '<interfaces xmlns="http://openconfig.net/yang/interfaces"><interface><name>'
                f'{port}</name><ethernet xmlns="http://openconfig.net/yang/interfaces/ethernet" '
                'xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0" nc:operation="remove"/>'
                "</interface></interfaces>"
            )
            session.edit_config(restore)
            session.commit()
    assert session.get_config("running", PORT_FILTER.format(port=port)) == before


def test_a_2016_openconfig_switch_is_a_second_platform(tmp_path):
    """One lab switch on qsafe_platform openconfig_2016: the same step lands in the 2016 /vlans."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars" / "all").mkdir(parents=True)
    shutil.copy(ROOT / "inventories/testbed/group_vars/all/topology.yml", inventory / "group_vars/all/")
    hosts = {"all": {"children": {"l2_switches": {"hosts": {
        "sw-cell-1": {"site": "cell-1", "qsafe_platform": "openconfig_2016"},
        "sw-cell-2": {"site": "cell-2"},
    }}}}}
    (inventory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    base = pathlib.Path(tempfile.mkdtemp(prefix="qlab16-", dir="/tmp"))
    the_lab = Lab(base / "lab", inventory)
    try:
        the_lab.up()
        desc = yaml.safe_load(the_lab.lab_json.read_text())
        assert desc["devices"]["sw-cell-1"]["platform"] == "openconfig_2016"
        assert desc["devices"]["sw-cell-2"]["platform"] == "openconfig"
        for switch, where in (("sw-cell-1", '<vlans xmlns="http://openconfig.net/yang/vlan">'),
                              ("sw-cell-2", f'<network-instances xmlns="{NI}">')):
            entry = desc["devices"][switch]
            conn = DeviceConnection(switch, entry["host"], entry["port"], entry["user"], entry["key_file"],
                                    entry["known_hosts"], timeout=10.0, platform=entry["platform"])
            session = conn.open()
            try:
                step = StepRequest(switch, "l2_switch", "vlan", {"vlan_id": 630, "name": "platform.test"})
                assert run_step(session, step).changed
                running = session.get_config("running")
                assert where in running and "<vlan-id>630</vlan-id>" in running, running
            finally:
                session.close()
        # The 2016 payload on a current switch is refused by the device: platforms are not mixed up.
        entry = desc["devices"]["sw-cell-2"]
        wrong = DeviceConnection("sw-cell-2", entry["host"], entry["port"], entry["user"], entry["key_file"],
                                 entry["known_hosts"], timeout=10.0, platform="openconfig_2016").open()
        try:
            with pytest.raises(Exception, match=r"edit-config \[unknown-element\]"):
                run_step(wrong, StepRequest("sw-cell-2", "l2_switch", "vlan", {"vlan_id": 631}))
        finally:
            wrong.close()
    finally:
        the_lab.down()
        shutil.rmtree(base, ignore_errors=True)
