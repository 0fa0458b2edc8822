# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keys never where they should not be (issue 13 item 2, issue 17 item 6).

A demo-like run: the lab and its KMEs up, the key-script daemons of both key hosts running, both
use-case slices provisioned with `ansible-playbook` (so their channels' key streams rotate card
keys), then both deprovisioned. The test collects every key the KMEs delivered to the key scripts
over ETSI GS QKD 014 (their KMS client, recording what it receives) and then searches every file
the lab, the KMEs, the registry, the key scripts and the runs wrote (lab dir with logs and PKI,
the lab's RAM dir under /dev/shm, the state dir with the registry and broker files, ansible's
log, local temp dir and output) for each key in raw, base64 and hex form: zero hits. Private keys
may only be in the PKI and SSH key places the lab documents.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import time
from pathlib import Path

import pytest
from qsafe_kms import key_script
from qsafe_kms.client import KmsClient
from qsafe_kms.key_script import KeyScriptDaemon
from qsafe_lab.device import ram_root

from tests.integration.provisioning.harness import playbook_argv, playbook_env

pytestmark = [pytest.mark.lab, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
SLICES = {"enterprise_app_slice.yml": "enterprise-app-1", "cdn_slice.yml": "cdn-1"}


class _RecordingKmsClient(KmsClient):
    """The key scripts' ETSI 014 client, keeping a copy of every key delivered (test memory only)."""

    delivered: list[bytes] = []

    def enc_keys(self, *args, **kwargs):
        keys = super().enc_keys(*args, **kwargs)
        self.delivered.extend(k.key for k in keys)
        return keys

    def dec_keys(self, *args, **kwargs):
        keys = super().dec_keys(*args, **kwargs)
        self.delivered.extend(k.key for k in keys)
        return keys


def _play(tmp: Path, lab_dir: Path, state: Path, playbook: str, extra: dict | None = None) -> None:
    env = playbook_env(lab_dir, state)
    env.update(ANSIBLE_LOG_PATH=str(tmp / "ansible.log"), ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-local"))
    proc = subprocess.run(
        playbook_argv(playbook, extra, "-v"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    name = playbook.replace(".yml", "") + ("-" + "-".join(map(str, extra.values())) if extra else "")
    (tmp / f"{name}.out").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


def _files(*roots: Path):
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                yield path


# Where the lab keeps private keys on purpose (docs/lab.md, docs/kms.md): the KMS PKI, the SSH
# client keys and each device's SSH host key.
def _private_key_allowed(path: Path, lab_dir: Path) -> bool:
    rel = path.relative_to(lab_dir) if path.is_relative_to(lab_dir) else None
    if rel is None:
        return False
    parts = rel.parts
    return (
        parts[:2] == ("kms", "pki")
        or parts[:1] == ("keys",)
        or (parts[:1] == ("devices",) and path.name == "ssh_host_ed25519_key")
    )


def test_no_delivered_key_at_rest_after_a_demo_run(lab, tmp_path, monkeypatch):
    lab_dir = Path(lab.lab_dir)
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setattr(key_script, "KmsClient", _RecordingKmsClient)
    _RecordingKmsClient.delivered = []
    # The daemons log as their processes do (key_script.main): warnings to a file, ncclient quiet.
    handler = logging.FileHandler(tmp_path / "keyscripts.log")
    logging.getLogger("qsafe_kms").addHandler(handler)
    logging.getLogger("ncclient").setLevel(logging.ERROR)
    daemons = [
        KeyScriptDaemon(h, lab.desc, tmp_path / "handoff", poll_s=1.0).start() for h in ("keys-a", "keys-b")
    ]
    try:
        for playbook in SLICES:
            _play(tmp_path, lab_dir, state, playbook)
        # Let the slices' channels rotate a few periods (the testbed's streams refresh every 3 s).
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and len(_RecordingKmsClient.delivered) < 16:
            time.sleep(1)
        states = [d.state() for d in daemons]
        (tmp_path / "keyscripts.state.json").write_text(json.dumps(states))
        for slice_id in SLICES.values():
            _play(tmp_path, lab_dir, state, "deprovision_slice.yml", {"slice_id": slice_id})
    finally:
        for d in daemons:
            d.stop()
        logging.getLogger("qsafe_kms").removeHandler(handler)
        handler.close()
    keys = list(_RecordingKmsClient.delivered)
    rotating = [n for s in states for n, st in s["streams"].items() if st["rotations"] >= 2]
    assert len(keys) >= 16 and rotating, (len(keys), states)

    forms = []
    for k in keys:
        b64 = base64.b64encode(k)
        forms += [
            k,
            b64,
            b64.rstrip(b"="),
            base64.urlsafe_b64encode(k),
            k.hex().encode(),
            k.hex().upper().encode(),
        ]
    roots = [lab_dir, ram_root(lab_dir), tmp_path]
    scanned, hits, private = 0, set(), []
    for path in _files(*roots):
        data = path.read_bytes()
        scanned += 1
        if any(f in data for f in forms):
            hits.add(str(path))
        if b"PRIVATE KEY" in data and not _private_key_allowed(path, lab_dir):
            private.append(str(path))
    assert scanned > 50, scanned
    assert not hits, f"delivered keys at rest in {sorted(hits)}"
    assert not private, f"private keys outside the PKI / SSH key places: {private}"
    # The run really wrote where it was searched.
    assert (tmp_path / "ansible.log").stat().st_size > 0
    assert any(state.rglob("*")), "the registry wrote nothing"
    assert not os.environ.get("QSAFE_REGISTRY_DSN")
