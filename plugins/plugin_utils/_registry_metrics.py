# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prometheus text metrics of the slice registry, read from the registry at every scrape.

Controller only. Metrics:

- `qsafe_slices{state}`: slices per state (every state listed, zeros included);
- `qsafe_slice_provisioning_seconds` (histogram): duration of every recorded provisioning or
  deprovisioning run, first step start to last step end (sum of step times when starts are missing);
- `qsafe_link_capacity_mbps{security, kind=reserved|free}`: bandwidth summed per security level;
- `qsafe_compute_vcpu{site, kind=reserved|capacity}`;
- `qsafe_orchestrator_lock_held`: 1 while a run holds the lock.

Run an exporter: `python -m qsafe_views.metrics --port 9464 [--state-dir .state]` (devel), or call
`serve_registry_metrics` from any controller process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import STATES, open_registry
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import capacity_by_security

try:
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

    HAS_PROMETHEUS = True
except ImportError:  # pragma: no cover - the collection works without metrics
    HAS_PROMETHEUS = False

DURATION_BUCKETS = (1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0)


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def run_durations(steps: list[Mapping[str, Any]]) -> list[float]:
    """Seconds of each run in a record's steps (all runs): first start to last end per run."""
    runs: dict[Any, list[Mapping[str, Any]]] = {}
    for step in steps:
        runs.setdefault(step.get("run"), []).append(step)
    out = []
    for _run, items in sorted(runs.items(), key=lambda kv: str(kv[0])):
        spans = []
        for step in items:
            start = _epoch((step.get("detail") or {}).get("started_at"))
            spans.append((start, float(step.get("seconds") or 0.0)))
        if all(start is not None for start, _s in spans):
            out.append(max(start + s for start, s in spans) - min(start for start, _s in spans))
        else:
            out.append(sum(s for _start, s in spans))
    return out


class RegistryCollector:
    """Reads the registry (and the topology for capacities) each time Prometheus scrapes."""

    def __init__(self, registry_config: Mapping[str, str], topology: Mapping[str, Any] | None = None) -> None:
        self.registry_config = dict(registry_config)
        self.topology = topology

    def collect(self):
        with open_registry(**self.registry_config) as registry:
            slices = registry.list()
            records = [registry.get(r["id"], all_runs=True) for r in slices]
            reservations = registry.reservations()
            holder = registry.lock_holder()
        by_state = GaugeMetricFamily("qsafe_slices", "Slices in the registry per state", labels=["state"])
        counts = {state: 0 for state in STATES}
        for record in slices:
            counts[record["state"]] = counts.get(record["state"], 0) + 1
        for state, count in counts.items():
            by_state.add_metric([state], count)
        yield by_state
        durations = [d for record in records if record for d in run_durations(record["steps"])]
        buckets, cumulative = [], 0
        for bound in DURATION_BUCKETS:
            cumulative = sum(1 for d in durations if d <= bound)
            buckets.append((repr(bound), cumulative))
        buckets.append(("+Inf", len(durations)))
        yield HistogramMetricFamily(
            "qsafe_slice_provisioning_seconds",
            "Duration of recorded (de)provisioning runs, first step start to last step end",
            buckets=buckets,
            sum_value=sum(durations),
        )
        capacity = GaugeMetricFamily(
            "qsafe_link_capacity_mbps", "Link bandwidth per security level", labels=["security", "kind"]
        )
        for row in capacity_by_security(reservations, self.topology):
            capacity.add_metric([row["security"], "reserved"], row["reserved_mbps"])
            capacity.add_metric([row["security"], "free"], row["free_mbps"])
        yield capacity
        sites = {
            s["name"]: s
            for s in ((self.topology or {}).get("topology", self.topology or {}).get("sites") or [])
        }
        vcpu = GaugeMetricFamily("qsafe_compute_vcpu", "vCPU per compute site", labels=["site", "kind"])
        for name, site in sorted(sites.items()):
            if site.get("compute"):
                vcpu.add_metric([name, "capacity"], site["compute"].get("vcpu", 0))
                vcpu.add_metric(
                    [name, "reserved"], reservations.get("compute", {}).get(name, {}).get("vcpu", 0)
                )
        yield vcpu
        lock = GaugeMetricFamily("qsafe_orchestrator_lock_held", "1 while a run holds the orchestrator lock")
        lock.add_metric([], 1 if holder else 0)
        yield lock


def serve_registry_metrics(
    registry_config: Mapping[str, str], topology: Mapping[str, Any] | None, port: int, addr: str = "127.0.0.1"
):
    """Serve the registry's metrics on http://addr:port/metrics; returns (server, thread)."""
    if not HAS_PROMETHEUS:
        raise RuntimeError("the Python library 'prometheus-client' is required to serve metrics")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RegistryCollector(registry_config, topology))
    return start_http_server(port, addr=addr, registry=registry)
