# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/slice_status.yml prints aligned tables (no Python reprs), with -e format=json the same
report as JSON, with -e format=ietf the slices in the IETF model's operational form (yanglint-valid);
all from a real registry (no lab: the key hosts cannot be reached, and the report says so instead of
failing)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    capacities_from_topology,
    open_registry,
)

from tests.integration.provisioning.harness import run_playbook

ROOT = Path(__file__).resolve().parents[3]


def _fill(state_dir: Path, topology: dict) -> list[dict]:
    with open_registry(state_dir=str(state_dir)) as registry:
        for name in ("enterprise_app", "cdn"):
            descriptor = yaml.safe_load((ROOT / "slices" / f"{name}.yml").read_text())
            plan = plan_from_documents(descriptor, topology, registry.reservations())
            registry.reserve(plan["slice_id"], descriptor, plan, capacities_from_topology(topology))
            registry.set_state(plan["slice_id"], "provisioning")
            registry.record_step(plan["slice_id"], 0, "first step", "changed", 0.1, {"device": "sw-cell-1"})
            registry.set_state(plan["slice_id"], "provisioned")
        return registry.list()


def test_status_tables_and_json(tmp_path, testbed_document):
    records = _fill(tmp_path / "state", testbed_document)
    lab_dir = tmp_path / "no-lab"
    lab_dir.mkdir()
    text = run_playbook("slice_status.yml", lab_dir, tmp_path / "state", None, timeout=240)
    assert text.rc == 0, text.stdout[-3000:]
    report = text.stdout.split("print the report]", 1)[1].split("ok: [localhost]", 1)[0]
    assert not re.search(r"\{'|\['|None", report), report
    assert "enterprise-app-1  control     cell-1 > agg-1 > metro-1 > core-1  dh dh dh (>= dh)" in report
    assert "key streams: not read" in report
    as_json = run_playbook("slice_status.yml", lab_dir, tmp_path / "state", {"format": "json"}, timeout=240)
    assert as_json.rc == 0, as_json.stdout[-3000:]
    block = re.search(r"^\{\n.*?^\}$", as_json.stdout, re.S | re.M)
    assert block, as_json.stdout[-3000:]
    data = json.loads(block.group(0))
    assert [s["id"] for s in data["slices"]] == [r["id"] for r in records]
    for record, shown in zip(records, data["slices"], strict=True):
        planned = record["plan"]["connections"]
        assert [c["links"] for c in shown["connections"]] == [c["links"] for c in planned]
        assert [c["vlan"] for c in shown["connections"]] == [c["vlan"] for c in planned]
    assert data["key_streams"] == [] and data["key_streams_error"]
    only = {"format": "json", "slice_id": "cdn-1"}
    one = run_playbook("slice_status.yml", lab_dir, tmp_path / "state", only, timeout=240)
    block = re.search(r"^\{\n.*?^\}$", one.stdout, re.S | re.M)
    assert [s["id"] for s in json.loads(block.group(0))["slices"]] == ["cdn-1"]
    ietf = run_playbook("slice_status.yml", lab_dir, tmp_path / "state", {"format": "ietf"}, timeout=240)
    assert ietf.rc == 0, ietf.stdout[-3000:]
    block = re.search(r"^\{\n.*?^\}$", ietf.stdout, re.S | re.M)
    exported = json.loads(block.group(0))
    services = exported["ietf-network-slice-service:network-slice-services"]["slice-service"]
    assert [s["id"] for s in services] == [r["id"] for r in records]
    (tmp_path / "export.json").write_text(json.dumps(exported))
    yang = ROOT / "yang"
    lint = subprocess.run(
        ["yanglint", "-i", "-t", "data", "-p", str(yang / "ietf"), "-p", str(yang),
         str(yang / "ietf" / "ietf-network-slice-service@2026-05-27.yang"),
         str(yang / "qsafe-network-slice-security.yang"), str(tmp_path / "export.json")],
        capture_output=True, text=True, check=False,
    )
    assert lint.returncode == 0, lint.stderr
