# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins under ansible-playbook, with connection variables from the testbed inventory."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.lab

ROOT = pathlib.Path(__file__).resolve().parents[3]

PLAYBOOK = """
- name: Device modules through the action plugins
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Plan the VLAN (check mode, diff)
      qsafe.slicing.l2_vlan: {device: sw-cell-2, vlan_id: 800, name: pb.vlan}
      check_mode: true
      diff: true
      register: planned
    - name: Create it with a confirmed commit
      qsafe.slicing.l2_vlan:
        device: sw-cell-2
        vlan_id: 800
        name: pb.vlan
        commit: confirmed
        persist_id: pb-run
        confirm_timeout: 60
      register: created
    - name: Add a member in the same confirmed run (follow-up commit)
      qsafe.slicing.device_step:
        device: sw-cell-2
        step: {index: 0, name: "VLAN 800 on sw-cell-2 port ru-1", device: sw-cell-2, kind: l2_switch,
               operation: vlan_member, params: {vlan_id: 800, port: ru-1, mode: trunk}}
        commit: confirmed
        persist_id: pb-run
        confirm_timeout: 60
      register: member
    - name: Confirm
      qsafe.slicing.netconf_confirm: {devices: [sw-cell-2], persist_id: pb-run, action: confirm}
      register: confirmed
    - name: Same again, as a shipped module process
      qsafe.slicing.l2_vlan: {device: sw-cell-2, vlan_id: 800, name: pb.vlan}
      vars:
        qsafe_netconf_execution: module
      register: as_module
    - name: Remove the member and the VLAN
      qsafe.slicing.l2_port_vlan: {device: sw-cell-2, vlan_id: 800, port: ru-1, state: absent}
      register: unmember
    - name: Remove the VLAN
      qsafe.slicing.l2_vlan: {device: sw-cell-2, vlan_id: 800, state: absent}
      register: removed
    - name: A YANG rejection fails the task with the device's error
      qsafe.slicing.encryptor_port: {device: tce-ch1-a, port: c3, encryption: true, method: dh}
      register: rejected
      ignore_errors: true
    - name: Report
      ansible.builtin.copy:
        dest: "{{ report }}"
        content: "{{ {'planned': planned, 'created': created, 'member': member, 'confirmed': confirmed,
                      'as_module': as_module, 'unmember': unmember, 'removed': removed,
                      'rejected': rejected} | to_json }}"
        mode: "0600"
"""


def test_action_plugins_under_ansible_playbook(lab, tmp_path):
    (tmp_path / "play.yml").write_text(PLAYBOOK)
    report = tmp_path / "report.json"
    state = tmp_path / "state"
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".venv" / "collections"),
        QSAFE_LAB_DIR=str(lab.lab_dir),
        QSAFE_STATE_DIR=str(state),
        ANSIBLE_NOCOLOR="1",
        PATH=f"{pathlib.Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    proc = subprocess.run(  # noqa: S603
        [
            str(pathlib.Path(sys.executable).parent / "ansible-playbook"),
            *("-i", str(ROOT / "inventories" / "testbed"), str(tmp_path / "play.yml")),
            *("-e", f"report={report}"),
        ],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    r = json.loads(report.read_text())
    assert r["planned"]["changed"] and not r["planned"]["committed"]
    assert "<vlan-id>800</vlan-id>" in r["planned"]["diff"]["after"]
    assert r["created"]["commit"] == "confirmed" and r["member"]["commit"] == "confirmed-follow-up"
    assert r["confirmed"]["confirmed"] == ["sw-cell-2"]
    assert r["as_module"]["changed"] is False and "session_connects" not in r["as_module"]
    assert r["unmember"]["changed"] and r["removed"]["changed"]
    rej = r["rejected"]
    assert rej["failed"] and rej["device"] == "tce-ch1-a" and rej["error_tag"] == "operation-failed"
    assert "10-TCE-AES" in rej["msg"] and rej["error_path"].endswith("/qenc:encryption")
    # One session per device for the whole play (the module task does not use the broker).
    assert r["removed"]["session_connects"] == 1
    # The broker went away with the play and left no socket behind.
    assert not list((state / "brokers").glob("*.sock"))
    with lab.session("sw-cell-2") as s:
        assert "<vlan-id>800</vlan-id>" not in s.get_config("running")
