# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two AWX jobs (separate private data dirs, as on two execution nodes) provision at the same
time against one shared registry on a real PostgreSQL server, competing for the last compute
capacity of metro-1: they serialise on the orchestrator lock and exactly one gets it."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from tests.integration.awx.runner_jobs import private_data_dir, run_job
from tests.integration.provisioning.harness import config_differences, running_configs

pytestmark = [pytest.mark.lab, pytest.mark.slow]

PROVISION = "qsafe.slicing: provision slice"
DEPROVISION = "qsafe.slicing: deprovision slice"


def _task_time(runner, task: str, event: str = "runner_on_ok") -> datetime | None:
    for e in runner.events:
        if e["event"] == event and e["event_data"].get("task") == task:
            return datetime.fromisoformat(e["created"])
    return None


def test_two_jobs_race_for_the_last_capacity_on_postgresql(lab, pg_server, tmp_path):  # noqa: F811
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import open_registry

    dsn = pg_server.create_database()
    baseline = running_configs(lab.desc)
    envvars = {"QSAFE_LAB_DIR": str(lab.lab_dir), "QSAFE_REGISTRY_DSN": dsn}
    # metro-1 has 64 vCPU: one slice of 40 fits, two do not.
    jobs = {}
    for job_id, slice_id in ((51, "awx-race-1"), (52, "awx-race-2")):
        answers = {"slice_id": slice_id, "compute_site": "metro-1", "compute_vcpu": 40}
        # Each job gets its own state dir (broker sockets, no SQLite fallback shared).
        env = dict(envvars, QSAFE_STATE_DIR=str(tmp_path / f"state_{job_id}"))
        jobs[slice_id] = private_data_dir(tmp_path, PROVISION, answers, env, lab.desc, job_id=job_id)

    results = {}
    threads = [
        threading.Thread(target=lambda s=s, p=p: results.__setitem__(s, run_job(p, PROVISION)))
        for s, p in jobs.items()
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    try:
        statuses = {s: r.status for s, r in results.items()}
        assert sorted(statuses.values()) == ["failed", "successful"], statuses
        winner = next(s for s, st in statuses.items() if st == "successful")
        loser = next(s for s, st in statuses.items() if st == "failed")
        loser_out = results[loser].stdout.read()
        assert "metro-1" in loser_out and "vcpu" in loser_out, loser_out[-3000:]

        # The lock periods of the two jobs do not overlap.
        periods = []
        for runner in results.values():
            taken = _task_time(runner, "Take the orchestrator lock")
            released = _task_time(runner, "Release the orchestrator lock")
            assert taken and released
            periods.append((taken, released))
        periods.sort()
        assert periods[0][1] <= periods[1][0], periods

        with open_registry(dsn=dsn) as registry:
            assert registry.get(winner)["state"] == "provisioned"
            loser_record = registry.get(loser)
            assert loser_record is None or loser_record["reservation"] is None
            assert registry.reservations()["compute"] == {"metro-1": {"vcpu": 40, "memory_gb": 16}}
            assert "postgresql" in registry.describe()
    finally:
        for index, slice_id in enumerate(sorted(s for s, r in results.items() if r.status == "successful")):
            pdd = private_data_dir(
                tmp_path / "cleanup",
                DEPROVISION,
                {"slice_id": slice_id},
                dict(envvars, QSAFE_STATE_DIR=str(tmp_path / "state_cleanup")),
                lab.desc,
                job_id=60 + index,
            )
            gone = run_job(pdd, DEPROVISION)
            assert gone.status == "successful", gone.stdout.read()[-3000:]
    assert not config_differences(baseline, running_configs(lab.desc))
