# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two runs competing for the last QKD capacity at once: exactly one slice, no double booking."""

from __future__ import annotations

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import capacities_from_topology

from tests.conftest import TOPOLOGY_FILE
from tests.integration.provisioning.conftest import descriptor
from tests.integration.provisioning.harness import (
    config_differences,
    open_registry,
    running_configs,
    start_playbook,
)

pytestmark = pytest.mark.lab


def fill_qkd_core_links(state_dir) -> None:
    """Reserve (registry only) all but 1000 Mbit/s of QKD capacity between metro-1 and core-1."""
    topology = yaml.safe_load(TOPOLOGY_FILE.read_text())
    with open_registry(state_dir) as registry:
        for sid, mbps in (("filler-1", 9000), ("filler-2", 10000)):
            doc = {
                "slice": {
                    "id": sid,
                    "connections": [
                        {
                            "name": "bulk",
                            "from": "metro-1",
                            "to": "core-1",
                            "security": "qkd",
                            "bandwidth_mbps": mbps,
                            "max_latency_ms": 5,
                        }
                    ],
                }
            }
            plan = plan_from_documents(doc, topology, registry.reservations())
            registry.reserve(sid, doc, plan, capacities_from_topology(topology))


def test_two_runs_for_the_last_capacity_give_one_slice(lab, baseline, state_dir, clean_devices):
    fill_qkd_core_links(state_dir)
    procs = []
    for sid in ("ent-a", "ent-b"):
        procs.append(
            start_playbook(
                "provision_slice.yml", lab.lab_dir, state_dir, descriptor("enterprise_app", id=sid)
            )
        )
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    codes = [p.returncode for p in procs]
    assert sorted(codes) == [0, 2], outputs
    loser = outputs[codes.index(2)]
    assert "connection backhaul" in loser and "qkd" in loser
    assert "Apply device step" not in loser.split("TASK [qsafe.slicing.slice_provision : Plan the slice")[-1]
    with open_registry(state_dir) as registry:
        provisioned = [r["id"] for r in registry.list("provisioned")]
        assert len(provisioned) == 1
        assert (
            registry.reservations()["links"]["metro1-core1-qkd-4"]
            + registry.reservations()["links"].get("metro1-core1-qkd-5", 0)
            <= 20000
        )
    winner = provisioned[0]
    from tests.integration.provisioning.harness import run_playbook

    gone = run_playbook("deprovision_slice.yml", lab.lab_dir, state_dir, {"slice_id": winner})
    assert gone.rc == 0, gone.stdout[-3000:]
    assert not config_differences(baseline, running_configs(lab.desc))
