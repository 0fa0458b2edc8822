# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cost of the registry operations one slice provisioning makes, SQLite vs PostgreSQL, one run.

Run from the repo root:
  .venv/bin/python devel/bench/registry.py [--cycles 200]
Per cycle: lock, reserve, provisioning, 10 record_step, provisioned, deprovisioning,
deprovisioned, release, unlock (the registry side of one provision + deprovision).
Also: lock keeper start+stop (a new interpreter per start).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path[:0] = [os.path.join(os.getcwd(), ".venv", "collections"), os.getcwd()]

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import open_registry  # noqa: E402
from ansible_collections.qsafe.slicing.plugins.plugin_utils._lock_keeper import (  # noqa: E402
    start_lock_keeper,
    stop_lock_keeper,
)

from tests.integration.pg_server import PgServer  # noqa: E402
from tests.integration.registry.plans import CAPACITIES, enterprise_plan  # noqa: E402


def cycle(reg, n: int) -> float:
    sid = f"bench-{n}"
    start = time.perf_counter()
    with reg.orchestrator_lock(timeout_s=10, holder="bench"):
        reg.reserve(sid, {"slice": {"id": sid}}, enterprise_plan(sid), CAPACITIES)
        reg.set_state(sid, "provisioning")
        for step in range(10):
            reg.record_step(sid, step, f"step {step}", "changed", 0.01)
        reg.set_state(sid, "provisioned")
        reg.set_state(sid, "deprovisioning")
        reg.set_state(sid, "deprovisioned")
        reg.release(sid)
    return time.perf_counter() - start


def measure(name: str, config: dict, cycles: int) -> None:
    with open_registry(**config) as reg:
        times = [cycle(reg, n) for n in range(cycles)]
    keeper = []
    for _round in range(10):
        start = time.perf_counter()
        info = start_lock_keeper(config, "bench", timeout_s=10, watch_pid=os.getpid())
        stop_lock_keeper(config, info["token"], info["keeper_pid"])
        keeper.append(time.perf_counter() - start)
    p95 = statistics.quantiles(times, n=20)[18]
    print(
        f"{name:10s} cycle p50 {statistics.median(times) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"
        f"  ({cycles} cycles, 17 writes each)"
        f"   keeper start+stop p50 {statistics.median(keeper) * 1000:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("sqlite", {"path": os.path.join(tmp, "registry.sqlite3")}, args.cycles)
    with PgServer() as server:
        measure("postgresql", {"dsn": server.create_database()}, args.cycles)


if __name__ == "__main__":
    main()
