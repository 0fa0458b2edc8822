# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Separate processes racing for capacity and for the orchestrator lock, on both backends."""

from __future__ import annotations

import os
import signal
import socket
import time

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import LockTimeout

from tests.integration.registry.plans import CAPACITIES, link_plan

RACERS = 4


def _race(spawn_worker, plans: dict[str, dict]) -> list[dict]:
    workers = [
        spawn_worker(action="reserve", slice_id=sid, plan=plan, capacities=CAPACITIES)
        for sid, plan in plans.items()
    ]
    for worker in workers:
        assert worker.line() == "ready"
    for worker in workers:  # all are connected and waiting: release them together
        worker.send()
    return [worker.json() for worker in workers]


def test_racing_for_the_last_capacity_exactly_one_wins(registry, spawn_worker):
    registry.reserve("base", {}, link_plan("base", "metro1-core1-qkd-4", 9000, 10), CAPACITIES)
    plans = {f"race-{i}": link_plan(f"race-{i}", "metro1-core1-qkd-4", 1000, 20 + i) for i in range(RACERS)}
    results = _race(spawn_worker, plans)
    winners = [r["slice_id"] for r in results if r["ok"]]
    losers = [r for r in results if not r["ok"]]
    assert len(winners) == 1, results
    assert {r["error"] for r in losers} == {"CapacityError"}
    for loser in losers:
        assert loser["message"].endswith(
            "link metro1-core1-qkd-4: 10000 Mbit/s reserved + 1000 requested > 10000 capacity"
        )
    assert registry.reservations()["links"] == {"metro1-core1-qkd-4": 10000}
    assert sorted(r["id"] for r in registry.list()) == sorted(["base", winners[0]])


def test_racing_for_one_vlan_exactly_one_wins(registry, spawn_worker):
    links = list(CAPACITIES["links"])
    plans = {f"vlan-{i}": link_plan(f"vlan-{i}", links[i], 10, 333) for i in range(RACERS)}
    results = _race(spawn_worker, plans)
    assert sum(r["ok"] for r in results) == 1, results
    winner = next(r["slice_id"] for r in results if r["ok"])
    for loser in (r for r in results if not r["ok"]):
        assert loser["message"].endswith(f"vlan 333: already reserved by slice {winner}")
    assert registry.reservations()["vlans"] == [333]


def test_second_holder_waits_then_times_out_naming_the_holder(registry, spawn_worker):
    holder = spawn_worker(action="hold_lock", holder="awx-job-41")
    held = holder.json()
    assert held["locked"] is True
    start = time.monotonic()
    with pytest.raises(LockTimeout) as err, registry.orchestrator_lock(timeout_s=0.6, holder="awx-job-42"):
        pass
    waited = time.monotonic() - start
    assert 0.6 <= waited < 3.0
    info = held["info"]
    assert str(err.value).startswith(
        f"orchestrator lock busy: held by 'awx-job-41' (pid {holder.proc.pid} on host {info['host']})"
        f" since {info['since']}; gave up after waiting 0."
    )
    assert err.value.holder["holder"] == "awx-job-41"
    assert registry.lock_holder()["token"] == info["token"]


def test_second_holder_gets_the_lock_when_the_first_releases(registry, spawn_worker):
    holder = spawn_worker(action="hold_lock", holder="first", hold_s=0.5)
    assert holder.json()["locked"] is True
    start = time.monotonic()
    with registry.orchestrator_lock(timeout_s=10, holder="second") as info:
        waited = time.monotonic() - start
        assert info["holder"] == "second"
        assert registry.lock_holder()["holder"] == "second"
    assert 0.2 <= waited < 5.0
    assert holder.json() == {"released": True}
    assert registry.lock_holder() is None


def test_sigkilled_holder_releases_the_lock(registry, spawn_worker):
    holder = spawn_worker(action="hold_lock", holder="doomed")
    assert holder.json()["locked"] is True
    assert registry.lock_holder()["holder"] == "doomed"
    os.kill(holder.proc.pid, signal.SIGKILL)
    holder.proc.wait()
    start = time.monotonic()
    with registry.orchestrator_lock(timeout_s=10, holder="survivor"):
        assert time.monotonic() - start < 5.0


def _wait_lock_free(registry, timeout_s: float = 5.0) -> None:
    """PostgreSQL notices a killed client's closed socket within milliseconds, not instantly."""
    deadline = time.monotonic() + timeout_s
    while registry.lock_holder() is not None:
        assert time.monotonic() < deadline, f"lock still held: {registry.lock_holder()}"
        time.sleep(0.02)


def test_slice_left_provisioning_by_a_killed_controller_is_stale(registry, spawn_worker):
    registry.reserve("ent-1", {}, link_plan("ent-1", "metro1-core1-qkd-4", 100, 10), CAPACITIES)
    registry.reserve("ent-2", {}, link_plan("ent-2", "metro1-core1-qkd-4", 100, 11), CAPACITIES)
    doomed = spawn_worker(action="hold_lock", holder="controller-a", provision="ent-1")
    assert doomed.json()["locked"] is True
    assert registry.get("ent-1")["owner"]["holder"] == "controller-a"
    assert registry.stale() == []  # its controller is alive and holds the lock
    os.kill(doomed.proc.pid, signal.SIGKILL)
    doomed.proc.wait()
    _wait_lock_free(registry)
    assert [r["id"] for r in registry.stale()] == ["ent-1"]
    with registry.orchestrator_lock(timeout_s=10, holder="controller-b"):
        registry.set_state("ent-2", "provisioning")  # ours, alive: not stale
        assert [r["id"] for r in registry.stale()] == ["ent-1"]
        assert registry.recover_stale() == ["ent-1"]
        assert registry.get("ent-2")["state"] == "provisioning"
    record = registry.get("ent-1")
    assert record["state"] == "failed"
    assert record["last_error"].startswith(
        f"controller controller-a (pid {doomed.proc.pid} on host {socket.gethostname()})"
        " stopped while the slice was provisioning (since "
    )
    assert record["reservation"] is not None  # kept until the devices are known clean
    # ent-2 was left provisioning when its lock was released: that is stale too.
    assert [r["id"] for r in registry.stale()] == ["ent-2"]
