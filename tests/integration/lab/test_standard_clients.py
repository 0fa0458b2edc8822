# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Standard NETCONF clients work against the lab as they would against a router, host keys verified.

- ansible.netcommon's netconf connection (from PyPI's `ansible` package) with the inventory's
  `ansible_netconf_ssh_config` (the lab's ssh_config: its known_hosts only): netconf_get and
  netconf_config on one device of each kind, as the operator identity;
- netconf-console2 with the same ssh_config and --hostkey-verify;
- OpenSSH's own client, with and without a PTY (scrapli's default transport asks for one).
A device whose host key is not the lab's is refused by each of them.
"""

from __future__ import annotations

import json
import os
import pathlib
import select
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
VENV_BIN = ROOT / ".venv" / "bin"
NC = "urn:ietf:params:xml:ns:netconf:base:1.0"
HELLO = (
    f'<?xml version="1.0" encoding="UTF-8"?><hello xmlns="{NC}"><capabilities>'
    "<capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>"
    f'<rpc message-id="1" xmlns="{NC}"><get-config><source><running/></source><filter type="subtree">'
    '<interfaces xmlns="http://openconfig.net/yang/interfaces"/></filter></get-config></rpc>]]>]]>'
)

# One device of each kind, an edit that changes a description-like leaf, and what the edit puts there.
PLAYBOOK = """
- name: Standard clients against the lab
  hosts: sw-cell-1,ots-metro-1,tce-ch2-a,keys-a
  gather_facts: false
  connection: ansible.netcommon.netconf
  vars:
    edits:
      sw-cell-1: >-
        <config><interfaces xmlns="http://openconfig.net/yang/interfaces"><interface><name>ru-1</name>
        <config><description>std-client</description></config></interface></interfaces></config>
      ots-metro-1: >-
        <config><connections xmlns="http://openconfig.net/yang/openconfig-transport-line-connectivity">
        <connection><index>99</index><config><index>99</index><source>sw-ch1-agg-1</source>
        <dest>std-client</dest></config></connection></connections></config>
      tce-ch2-a: >-
        <config><encryptor xmlns="urn:qsafe:yang:encryptor"><client-ports><client-port><name>c10</name>
        <description>std-client</description></client-port></client-ports></encryptor></config>
      keys-a: >-
        <config><key-streams xmlns="urn:qsafe:yang:key-stream"><stream><name>std-client</name>
        <channel>ch2</channel><method>dh</method><role>primary</role><kme-url>https://127.0.0.1:1</kme-url>
        <local-sae-id>a</local-sae-id><peer-sae-id>b</peer-sae-id><card>tce-ch2-a</card></stream></key-streams></config>
  tasks:
    - name: Read running
      ansible.netcommon.netconf_get:
        source: running
      register: before
    - name: Edit the candidate and commit
      ansible.netcommon.netconf_config:
        content: "{{ edits[inventory_hostname] }}"
      register: edited
    - name: Read it back
      ansible.netcommon.netconf_get:
        source: running
      register: after
    - name: Remove the key stream again (the descriptions stay changed; nothing reads them)
      ansible.netcommon.netconf_config:
        content: >-
          <config xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><key-streams
          xmlns="urn:qsafe:yang:key-stream"><stream nc:operation="delete"><name>std-client</name></stream>
          </key-streams></config>
      when: inventory_hostname == 'keys-a'
    - name: Remove the connection again
      ansible.netcommon.netconf_config:
        content: >-
          <config xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0"><connections
          xmlns="http://openconfig.net/yang/openconfig-transport-line-connectivity"><connection
          nc:operation="delete"><index>99</index></connection></connections></config>
      when: inventory_hostname == 'ots-metro-1'
    - name: Record
      ansible.builtin.copy:
        content: "{{ {'changed': edited.changed, 'before': before.stdout, 'after': after.stdout} | to_json }}"
        dest: "{{ out_dir }}/{{ inventory_hostname }}.json"
        mode: "0600"
      delegate_to: localhost
"""


def run_playbook(lab, tmp: pathlib.Path, playbook: str) -> subprocess.CompletedProcess:
    (tmp / "play.yml").write_text(playbook)
    env = dict(
        os.environ,
        QSAFE_LAB_DIR=str(lab.lab_dir),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".venv" / "collections"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "-i", str(ROOT / "inventories" / "testbed"),
         str(tmp / "play.yml"), "-e", json.dumps({"out_dir": str(tmp)})],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_ansible_netcommon_reads_and_edits_one_device_of_each_kind(lab, tmp_path):
    run = run_playbook(lab, tmp_path, PLAYBOOK)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    for device in ("sw-cell-1", "ots-metro-1", "tce-ch2-a", "keys-a"):
        out = json.loads((tmp_path / f"{device}.json").read_text())
        assert out["changed"] is True, device
        assert "std-client" not in out["before"] and "std-client" in out["after"], device
    # The edit went through the device's NACM as the operator identity: still no key material.
    assert "key-material" not in json.loads((tmp_path / "tce-ch2-a.json").read_text())["after"]


def test_ansible_netcommon_refuses_a_host_key_that_is_not_the_labs(lab, tmp_path):
    config = pathlib.Path(lab.desc["devices"]["sw-cell-2"]["ssh_config"])
    known = tmp_path / "known_hosts"
    wrong = (pathlib.Path(lab.desc["devices"]["sw-cell-1"]["known_hosts"]).read_text().splitlines())
    port = lab.desc["devices"]["sw-cell-2"]["port"]
    # sw-cell-2's port with another device's host key.
    other = next(line for line in wrong if not line.startswith(f"[127.0.0.1]:{port} "))
    known.write_text(f"[127.0.0.1]:{port} {other.split(' ', 1)[1]}\n")
    bad_config = tmp_path / "ssh_config"
    bad_config.write_text(config.read_text().replace(str(config.parent / "known_hosts"), str(known)))
    playbook = f"""
- name: Wrong host key
  hosts: sw-cell-2
  gather_facts: false
  connection: ansible.netcommon.netconf
  vars:
    ansible_netconf_ssh_config: {bad_config}
  tasks:
    - name: Read running
      ansible.netcommon.netconf_get:
        source: running
"""
    run = run_playbook(lab, tmp_path, playbook)
    assert run.returncode != 0
    text = run.stdout + run.stderr
    assert "Unknown host key" in text and "for [127.0.0.1]" in text, text[-3000:]


def netconf_console(lab, device: str, *args: str) -> subprocess.CompletedProcess:
    entry = lab.desc["devices"][device]
    return subprocess.run(
        [str(VENV_BIN / "netconf-console2"), "--host", entry["host"], "--port", str(entry["port"]),
         "-u", entry["user"], "--privKeyFile", entry["key_file"], "--ssh-config", entry["ssh_config"],
         "--hostkey-verify", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )


def test_netconf_console2_reads_a_device_with_the_host_key_verified(lab):
    res = netconf_console(lab, "sw-cell-1", "--get-config", "/interfaces")
    assert res.returncode == 0, res.stderr
    assert "<interfaces" in res.stdout and "ru-1" in res.stdout


def ssh(lab, device: str, *flags: str) -> str:
    """OpenSSH to the device's netconf subsystem: hello and one get-config; the output until the reply
    (the session stays open meanwhile: through a PTY an end of input is not an end of session)."""
    entry = lab.desc["devices"][device]
    proc = subprocess.Popen(
        ["ssh", "-F", entry["ssh_config"], "-p", str(entry["port"]), *flags, "-s", entry["host"], "netconf"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    out = b""
    deadline = time.monotonic() + 60

    def read_until(marker: bytes) -> None:
        nonlocal out
        while marker not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    return
                out += chunk

    try:
        read_until(b"</hello>")  # as scrapli does: the server's hello first, then the client's
        proc.stdin.write(HELLO.encode())
        proc.stdin.flush()
        read_until(b"</rpc-reply>")
    finally:
        proc.kill()
        proc.wait()
    return out.decode(errors="replace")


@pytest.mark.parametrize("pty", [False, True], ids=["no-pty", "pty"])
def test_openssh_reaches_the_netconf_subsystem_with_or_without_a_pty(lab, pty):
    out = ssh(lab, "sw-cell-1", "-tt" if pty else "-T")
    assert '<rpc-reply message-id="1"' in out or 'message-id="1"' in out, out[-2000:]
    assert "<interfaces" in out and "ru-1" in out, out[-2000:]
