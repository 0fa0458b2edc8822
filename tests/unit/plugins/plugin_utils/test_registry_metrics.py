# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry's Prometheus metrics, scraped over HTTP on 127.0.0.1 from a real SQLite registry."""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import started_iso
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    capacities_from_topology,
    open_registry,
)
from ansible_collections.qsafe.slicing.plugins.plugin_utils._registry_metrics import serve_registry_metrics
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[4]


def scrape(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:  # noqa: S310
        text = reply.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path, testbed_document):
    path = str(tmp_path / "registry.sqlite3")
    port = free_port()
    server, thread = serve_registry_metrics({"path": path}, testbed_document, port)
    try:
        yield path, port
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_metrics_follow_the_registry(served, testbed_document):
    path, port = served
    empty = scrape(port)
    assert empty[("qsafe_slices", (("state", "provisioned"),))] == 0
    assert empty[("qsafe_slice_provisioning_seconds_count", ())] == 0
    assert empty[("qsafe_link_capacity_mbps", (("kind", "free"), ("security", "qkd")))] == 80000
    with open_registry(path=path) as registry:
        for name, step_s in (("enterprise_app", 0.1), ("cdn", 0.2)):
            descriptor = yaml.safe_load((ROOT / "slices" / f"{name}.yml").read_text())
            plan = plan_from_documents(descriptor, testbed_document, registry.reservations())
            registry.reserve(plan["slice_id"], descriptor, plan, capacities_from_topology(testbed_document))
            registry.set_state(plan["slice_id"], "provisioning")
            start = time.time()
            for index in range(10):  # 10 steps, each step_s long, step_s apart: the run spans 19 step_s
                detail = {"device": "sw-cell-1", "started_at": started_iso(start + index * 2 * step_s)}
                registry.record_step(plan["slice_id"], index, f"step {index}", "changed", step_s, detail)
        registry.set_state("enterprise-app-1", "provisioned")
        reservations = registry.reservations()
    metrics = scrape(port)
    assert metrics[("qsafe_slices", (("state", "provisioned"),))] == 1
    assert metrics[("qsafe_slices", (("state", "provisioning"),))] == 1
    assert metrics[("qsafe_slice_provisioning_seconds_count", ())] == 2
    assert metrics[("qsafe_slice_provisioning_seconds_sum", ())] == pytest.approx(1.9 + 3.8, abs=0.01)
    assert metrics[("qsafe_slice_provisioning_seconds_bucket", (("le", "1.0"),))] == 0
    assert metrics[("qsafe_slice_provisioning_seconds_bucket", (("le", "2.0"),))] == 1
    assert metrics[("qsafe_slice_provisioning_seconds_bucket", (("le", "5.0"),))] == 2
    reserved_qkd = sum(v for k, v in reservations["links"].items() if "-qkd-" in k)
    assert reserved_qkd > 0
    assert metrics[("qsafe_link_capacity_mbps", (("kind", "reserved"), ("security", "qkd")))] == reserved_qkd
    assert (
        metrics[("qsafe_link_capacity_mbps", (("kind", "free"), ("security", "qkd")))] == 80000 - reserved_qkd
    )
    assert metrics[("qsafe_compute_vcpu", (("kind", "reserved"), ("site", "metro-1")))] == 8
    assert metrics[("qsafe_compute_vcpu", (("kind", "capacity"), ("site", "metro-1")))] == 64
    assert metrics[("qsafe_orchestrator_lock_held", ())] == 0
