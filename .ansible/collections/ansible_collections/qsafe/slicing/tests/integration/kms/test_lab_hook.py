# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""lab_hook.start/stop: idempotent start, lab.json "kms" shape, certificates, clean stop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from qsafe_kms import lab_hook


def test_start_is_idempotent_and_stop_cleans_up(tmp_path, topology):
    try:
        info = lab_hook.start(tmp_path, topology)
        assert set(info) >= {"ca_cert", "kmes", "saes"}
        assert set(info["kmes"]) == {"kme-a", "kme-b"}
        assert all(k["url"].startswith("https://127.0.0.1:") for k in info["kmes"].values())
        expected_saes = {f"sae-ch{n}-{e}" for n in (2, 3, 4, 5) for e in "ab"}
        assert set(info["saes"]) == expected_saes
        for sae, s in info["saes"].items():
            cert = x509.load_pem_x509_certificate(Path(s["cert"]).read_bytes())
            assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == sae
            assert os.stat(s["key"]).st_mode & 0o777 == 0o600
            assert s["kme"] == ("kme-a" if sae.endswith("-a") else "kme-b")
        again = lab_hook.start(tmp_path, topology)
        assert again == info  # same processes, nothing started
        pids = [k["pid"] for k in info["kmes"].values()]
        assert all(lab_hook._alive(p) for p in pids)
    finally:
        lab_hook.stop(tmp_path)
    assert not (tmp_path / "kms").exists()
    assert not any(lab_hook._alive(p) for p in pids)
    lab_hook.stop(tmp_path)  # stopping twice is harmless


def test_bad_topology_names_the_field(topology):
    import copy

    broken = copy.deepcopy(topology)
    broken["topology"]["channels"][1]["key_stream"]["primary"]["kme"] = "kme-z"
    with pytest.raises(ValueError, match=r"channels\[ch2\].key_stream.primary.kme"):
        lab_hook.plan(broken)
