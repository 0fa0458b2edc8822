# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provision and deprovision through ansible-runner, laid out exactly as an AWX job (see
tests/integration/awx/runner_jobs.py), against the lab's real NETCONF devices; the job events, the artifacts,
the registry and the devices' running configuration are checked."""

from __future__ import annotations

import json

import pytest

from tests.integration.awx.runner_jobs import private_data_dir, run_job
from tests.integration.provisioning.harness import config_differences, open_registry, running_configs

pytestmark = [pytest.mark.lab, pytest.mark.slow]

PROVISION = "qsafe.slicing: provision slice"
DEPROVISION = "qsafe.slicing: deprovision slice"


def _by_event(runner, name):
    return [e for e in runner.events if e["event"] == name]


def test_provision_and_deprovision_as_awx_jobs(lab, tmp_path):  # noqa: F811 - pytest fixture
    baseline = running_configs(lab.desc)
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    envvars = {"QSAFE_LAB_DIR": str(lab.lab_dir), "QSAFE_STATE_DIR": str(state_dir)}
    answers = {"slice_id": "awx-ent-1", "uplink_security": "qra", "compute_vcpu": 4}

    pdd = private_data_dir(tmp_path, PROVISION, answers, envvars, lab.desc, job_id=41)
    runner = run_job(pdd, PROVISION)
    stdout = runner.stdout.read()
    assert (runner.status, runner.rc) == ("successful", 0), stdout[-4000:]

    # Job events, as AWX stores them.
    assert _by_event(runner, "runner_on_failed") == [], stdout[-3000:]
    oks = {e["event_data"]["task"] for e in _by_event(runner, "runner_on_ok")}
    assert {
        "Build the slice descriptor",
        "Reserve the plan in the slice registry",
        "Take the orchestrator lock",
    } <= oks
    built = next(
        e
        for e in _by_event(runner, "runner_on_ok")
        if e["event_data"]["task"] == "Build the slice descriptor"
    )
    slice_doc = built["event_data"]["res"]["ansible_facts"]["slice"]
    assert slice_doc["id"] == "awx-ent-1" and slice_doc["compute"]["vcpu"] == 4
    stats = _by_event(runner, "playbook_on_stats")
    assert (
        len(stats) == 1
        and stats[0]["event_data"]["failures"] == {}
        and stats[0]["event_data"]["changed"]["localhost"] > 0
    )

    # Artifacts: rc, status, stdout and one JSON file per event.
    artifacts = pdd / "artifacts" / "job"
    assert (artifacts / "rc").read_text() == "0" and (artifacts / "status").read_text() == "successful"
    assert len(list((artifacts / "job_events").glob("*.json"))) == len(list(runner.events))
    assert "awx-ent-1" in (artifacts / "stdout").read_text()
    assert json.loads((pdd / "env" / "extravars").read_text())["awx_job_id"] == 41
    # The device key reached the job only as a file in the private data dir (credential injector).
    assert pdd.joinpath("env", "cred_netconf_key").stat().st_mode & 0o777 == 0o600

    changed = config_differences(baseline, running_configs(lab.desc))
    assert {"sw-cell-1", "sw-metro-1", "sw-core-1", "ots-metro-1"} <= set(changed)
    with open_registry(state_dir) as registry:
        record = registry.get("awx-ent-1")
        assert record["state"] == "provisioned" and record["descriptor"]["slice"]["compute"]["vcpu"] == 4

    pdd2 = private_data_dir(tmp_path, DEPROVISION, {"slice_id": "awx-ent-1"}, envvars, lab.desc, job_id=42)
    gone = run_job(pdd2, DEPROVISION)
    assert (gone.status, gone.rc) == ("successful", 0), gone.stdout.read()[-4000:]
    assert _by_event(gone, "runner_on_failed") == []
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        record = registry.get("awx-ent-1")
        assert record["state"] == "deprovisioned" and record["reservation"] is None


def test_bad_survey_answer_fails_the_job_before_any_change(lab, tmp_path):  # noqa: F811
    baseline = running_configs(lab.desc)
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    envvars = {"QSAFE_LAB_DIR": str(lab.lab_dir), "QSAFE_STATE_DIR": str(state_dir)}
    pdd = private_data_dir(
        tmp_path,
        PROVISION,
        {"slice_id": "awx-bad", "backhaul_security": "quantum"},
        envvars,
        lab.desc,
        job_id=43,
    )
    runner = run_job(pdd, PROVISION)
    assert (runner.status, runner.rc) == ("failed", 2)
    failed = _by_event(runner, "runner_on_failed")
    assert len(failed) == 1 and failed[0]["event_data"]["task"] == "Build the slice descriptor"
    assert (
        "slice.connections[2].security (survey variable backhaul_security)"
        in failed[0]["event_data"]["res"]["msg"]
    )
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        assert registry.list() == []
