# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks take a slice as an IETF Network Slice Service request file (slice_file=...json)
through the same strict loader and validation as a descriptor (plan_slice.yml: no lab needed)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.provisioning.harness import run_playbook

ROOT = Path(__file__).resolve().parents[3]
TOP = "ietf-network-slice-service:network-slice-services"


def test_plan_slice_takes_an_ietf_request(tmp_path):
    request = {"slice_file": "slices/ietf/enterprise_app.json"}
    run = run_playbook("plan_slice.yml", tmp_path, tmp_path, request, timeout=240)
    assert run.rc == 0, run.stdout[-3000:]
    assert "compute at metro-1" in run.stdout
    assert "backhaul | metro-1 -> core-1 | qkd" in run.stdout


def test_a_bad_ietf_request_is_refused_naming_file_and_path(tmp_path):
    doc = json.loads((ROOT / "slices" / "ietf" / "cdn.json").read_text())
    group = doc[TOP]["slice-service"][0]["connection-groups"]["connection-group"][1]
    group["qsafe-network-slice-security:minimum-security-level"] = "qsafe-network-slice-security:quantum"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    run = run_playbook("plan_slice.yml", tmp_path, tmp_path, {"slice_file": str(bad)}, timeout=240)
    assert run.rc != 0
    assert "slice.connections[1].security: 'quantum' is not one of" in run.stdout, run.stdout[-3000:]
