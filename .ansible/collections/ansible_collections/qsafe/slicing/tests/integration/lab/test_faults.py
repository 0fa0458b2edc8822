# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection: reject an edit, drop a session mid-step, device down at start; lab lifecycle."""

import json
import pathlib
import shutil
import tempfile

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import (
    NetconfConnectError,
    NetconfOperationError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession
from qsafe_lab import Lab
from qsafe_lab.device import ram_root
from qsafe_lab.processes import is_ours

pytestmark = pytest.mark.lab
KS = "urn:qsafe:yang:key-stream"
EDIT = (f'<key-streams xmlns="{KS}"><stream><name>ks-f</name><channel>ch4</channel><method>qkd</method>'
        "<role>secondary</role><kme-url>https://127.0.0.1:1</kme-url><local-sae-id>a</local-sae-id>"
        "<peer-sae-id>b</peer-sae-id><card>tce-ch4-b</card></stream></key-streams>")


def test_reject_chosen_edit(lab, lab_faults):
    lab_faults.reject("keys-b", match="ks-f", error_tag="resource-denied", message="no key budget",
                      error_path="/qks:key-streams", times=1)
    with lab.session("keys-b") as s:
        with pytest.raises(NetconfOperationError) as err:
            s.transaction(EDIT)
        assert (err.value.error_tag, err.value.message) == ("resource-denied", "no key budget")
        assert s.transaction(EDIT).changed  # times=1: the next attempt goes through


def test_drop_session_mid_step(lab, lab_faults):
    lab_faults.drop("keys-b", operation="commit")
    with lab.session("keys-b") as s:
        with pytest.raises(NetconfOperationError) as err:
            s.transaction(EDIT.replace("ks-f", "ks-g"))
        assert err.value.error_tag == "session-closed" and err.value.operation == "commit"
    with lab.session("keys-b") as s:  # commit never reached the device
        assert "ks-g" not in s.get_config("running")


class _FailingKmsHook:
    """A key-manager hook whose stop fails: `down` must log it and still stop every device."""

    def start(self, lab_dir, topology):
        return {"fake": True}

    def stop(self, lab_dir):
        raise RuntimeError("kms stop failed")


def test_down_at_start_idempotent_up_and_clean_down(caplog):
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="qlab-", dir="/tmp"))
    lab = Lab(tmp / "lab", down_at_start={"keys-b"})
    lab._kms_hook = _FailingKmsHook  # type: ignore[method-assign]
    # A RAM dir left by a killed lab whose lab dir is gone: up must remove it.
    stale = ram_root(tmp / "gone")
    (stale / "dev").mkdir(parents=True)
    (stale / "owner").write_text(str(tmp / "gone"))
    (stale / "dev" / "backup-cfg.xml").write_text("<key-material>secret</key-material>")
    try:
        assert lab.up()["changed"] is True
        assert not stale.exists(), "stale RAM dir of a killed lab was not removed"
        desc = json.loads(lab.lab_json.read_text())
        assert lab.up()["changed"] is False
        assert lab.status()["devices"]["keys-b"] == "down"
        with pytest.raises(NetconfConnectError):
            NetconfSession.from_lab("keys-b", desc, timeout=3).connect()
        with NetconfSession.from_lab("keys-a", desc) as s:
            assert s.connected
        pids = [p for e in json.loads(lab.pids_json.read_text()).values() for p in e.values()]
    finally:
        lab.down()
        shutil.rmtree(stale, ignore_errors=True)
    assert "kms stop failed" in caplog.text
    assert not any(is_ours(p, str(lab.lab_dir) + "/") for p in pids)
    assert not list((tmp / "lab").glob("**/*.sock")) and not (tmp / "lab" / "lab.json").exists()
    assert not ram_root(lab.lab_dir).exists()
    assert lab.down()["changed"] is False
    shutil.rmtree(tmp, ignore_errors=True)
