# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix: every step index of both use cases, provisioning and deprovisioning, with each
fault kind the lab injects, plus controller SIGKILL at random moments and lock-holder death.

After every case: devices byte-identical to the right state (before the run for a failed
provision, the slice in place for a failed deprovision), the registry consistent (slice failed,
reservation released after a failed provision and kept after a failed deprovision, nothing left
reserved by nobody), no process of the run left (the tests kill and reap whole process groups),
and the next run succeeds.

Fault kinds (the lab relay's rules, qsafe_lab.faults):
- commit_rejected: the device answers the commit of the step with an rpc-error;
- session_dropped: the session is closed when the step's commit is sent (the device never sees
  it), so the step fails with the session lost mid-transaction;
- device_down: the step's device is stopped before the run (a device that is down is down from its
  first step on, so this kind is run at the first step of each device) and restarted after it.

The whole matrix is slow (`make test-slow`); `make test` runs FAST_SAMPLE only.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents

from tests.conftest import TOPOLOGY_FILE
from tests.integration.provisioning.conftest import descriptor
from tests.integration.provisioning.harness import (
    config_differences,
    kill_controller,
    open_registry,
    run_playbook,
    running_configs,
    start_playbook,
    wait_no_run_processes,
)

pytestmark = pytest.mark.lab

USE_CASES = {"enterprise_app": "enterprise-app-1", "cdn": "cdn-1"}
FAULTS = ("commit_rejected", "session_dropped", "device_down")
CONFIRM_TIMEOUT_S = 8
EMPTY = {"links": {}, "compute": {}, "vlans": []}


def plan_steps(use_case: str) -> list[dict]:
    doc = descriptor(use_case)
    return plan_from_documents(doc, yaml.safe_load(TOPOLOGY_FILE.read_text()), with_steps=True)["steps"]


STEPS = {uc: plan_steps(uc) for uc in USE_CASES}


def run_order(use_case: str, phase: str) -> list[dict]:
    """The steps in the order the run applies them (deprovision: reverse plan order)."""
    steps = STEPS[use_case]
    return list(steps) if phase == "provision" else list(reversed(steps))


def commits_before(use_case: str, phase: str, index: int) -> int:
    """How many commits the run sends to the step's device before this step's own."""
    order = run_order(use_case, phase)
    device = next(s["device"] for s in order if s["index"] == index)
    count = 0
    for step in order:
        if step["index"] == index:
            return count
        if step["device"] == device:
            count += 1
    raise AssertionError(index)


def first_steps(use_case: str, phase: str) -> list[int]:
    seen: dict[str, int] = {}
    for step in run_order(use_case, phase):
        seen.setdefault(step["device"], step["index"])
    return list(seen.values())


def matrix() -> list[tuple[str, str, int, str]]:
    cases = []
    for uc in USE_CASES:
        for phase in ("provision", "deprovision"):
            firsts = set(first_steps(uc, phase))
            for step in run_order(uc, phase):
                for fault in FAULTS:
                    if fault == "device_down" and step["index"] not in firsts:
                        continue
                    cases.append((uc, phase, step["index"], fault))
    return cases


MATRIX = matrix()
# One of each fault kind and phase, for `make test`.
FAST_SAMPLE = [
    ("enterprise_app", "provision", 27, "commit_rejected"),
    ("cdn", "deprovision", 3, "session_dropped"),
    ("enterprise_app", "provision", first_steps("enterprise_app", "provision")[3], "device_down"),
]


def playbook(use_case: str) -> str:
    return f"{use_case}_slice.yml"


class Case:
    """One fault case against the session's lab with its own registry."""

    def __init__(self, lab, lab_faults, baseline, state_dir) -> None:
        self.lab, self.faults, self.baseline, self.state_dir = lab, lab_faults, baseline, state_dir
        self.stopped: list[str] = []

    def play(self, use_case: str, state: str = "present", **extra):
        extra_vars = {"slice_state": state, **extra}
        return run_playbook(playbook(use_case), self.lab.lab_dir, self.state_dir, extra_vars)

    def inject(self, use_case: str, phase: str, index: int, fault: str) -> dict:
        step = next(s for s in STEPS[use_case] if s["index"] == index)
        device, skip = step["device"], commits_before(use_case, phase, index)
        if fault == "commit_rejected":
            self.faults.reject(device, operation="commit", times=1, skip=skip,
                               message=f"injected: commit of step {index} rejected")
        elif fault == "session_dropped":
            self.faults.drop(device, operation="commit", times=1, skip=skip)
        else:
            self.lab.lab.stop_device(device)
            self.stopped.append(device)
        return step

    def heal(self) -> None:
        self.faults.clear()
        for device in self.stopped:
            self.lab.lab.start_device(device)
        self.stopped.clear()

    def devices_equal(self, expected: dict[str, str], within: float = 0.0) -> list[str]:
        deadline = time.monotonic() + within
        while True:
            left = config_differences(expected, running_configs(self.lab.desc))
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.5)


def run_case(case: Case, use_case: str, phase: str, index: int, fault: str) -> None:
    slice_id = USE_CASES[use_case]
    if phase == "deprovision":
        setup = case.play(use_case)
        assert setup.rc == 0, setup.stdout[-3000:]
    before = running_configs(case.lab.desc)
    step = case.inject(use_case, phase, index, fault)
    try:
        run = case.play(use_case, "present" if phase == "provision" else "absent",
                        slice_provision_confirm_timeout=CONFIRM_TIMEOUT_S,
                        slice_deprovision_confirm_timeout=CONFIRM_TIMEOUT_S)
    finally:
        case.heal()
    assert run.rc != 0, run.stdout[-3000:]
    verb = "step" if phase == "provision" else "removing step"
    named = f"{verb} {index} ({step['name']}) failed on device {step['device']}"
    assert named in run.stdout, run.stdout[-3000:]
    assert not wait_no_run_processes(case.state_dir), "processes of the run are left"
    # A restarted device comes back with its start-up configuration (the baseline).
    expected = dict(before)
    if fault == "device_down":
        expected[step["device"]] = case.baseline[step["device"]]
    assert not case.devices_equal(expected, within=CONFIRM_TIMEOUT_S + 10)
    with open_registry(case.state_dir) as registry:
        record = registry.get(slice_id)
        assert record["state"] == "failed", record["state"]
        assert f"step {index}" in record["last_error"]
        assert registry.stale() == [] and registry.lock_holder() is None
        if phase == "provision":
            assert record["reservation"] is None and registry.reservations() == EMPTY
        else:
            assert record["reservation"] is not None
    again = case.play(use_case, "present" if phase == "provision" else "absent")
    assert again.rc == 0, again.stdout[-3000:]
    if phase == "provision":
        gone = case.play(use_case, "absent")
        assert gone.rc == 0, gone.stdout[-3000:]
    assert not case.devices_equal(case.baseline)
    with open_registry(case.state_dir) as registry:
        assert registry.get(slice_id)["state"] == "deprovisioned"
        assert registry.reservations() == EMPTY


@pytest.fixture
def case(lab, lab_faults, baseline, state_dir):
    the_case = Case(lab, lab_faults, baseline, state_dir)
    try:
        yield the_case
    finally:
        the_case.heal()


def _id(value):
    return str(value)


@pytest.mark.parametrize(("use_case", "phase", "index", "fault"), FAST_SAMPLE, ids=_id)
def test_fault_sample(case, use_case, phase, index, fault):
    run_case(case, use_case, phase, index, fault)


@pytest.mark.slow
@pytest.mark.parametrize(("use_case", "phase", "index", "fault"), MATRIX, ids=_id)
def test_fault_matrix(case, use_case, phase, index, fault):
    run_case(case, use_case, phase, index, fault)


# -- controller SIGKILL at random moments ----------------------------------------------------------
KILLS = 20
SEED = 13


def kill_moments() -> list[tuple[str, str, float]]:
    """(use case, phase, fraction of a typical run's time) for each kill, reproducible."""
    rng = random.Random(SEED)
    return [(rng.choice(list(USE_CASES)), rng.choice(("provision", "deprovision")), rng.random())
            for _ in range(KILLS)]


@pytest.mark.slow
@pytest.mark.parametrize(("use_case", "phase", "fraction"), kill_moments(), ids=_id)
def test_sigkill_at_a_random_moment(lab, baseline, state_dir, use_case, phase, fraction):
    case = Case(lab, None, baseline, state_dir)
    slice_id = USE_CASES[use_case]
    extra = {"slice_provision_confirm_timeout": CONFIRM_TIMEOUT_S,
             "slice_deprovision_confirm_timeout": CONFIRM_TIMEOUT_S}
    if phase == "deprovision":
        assert case.play(use_case).rc == 0
    start_state = running_configs(lab.desc)
    # A full run's time on this machine now (measured, not assumed), then kill at a fraction of it.
    timed = case.play(use_case, "present" if phase == "provision" else "absent")
    assert timed.rc == 0, timed.stdout[-3000:]
    other = running_configs(lab.desc)
    if phase == "provision":
        assert case.play(use_case, "absent").rc == 0
    else:
        assert case.play(use_case).rc == 0
    assert not case.devices_equal(start_state)
    proc = start_playbook(playbook(use_case), lab.lab_dir, state_dir,
                          dict(extra, slice_state="present" if phase == "provision" else "absent"))
    time.sleep(fraction * timed.seconds)
    kill_controller(proc)
    assert not wait_no_run_processes(state_dir), "processes of the killed run are left"
    # Right state: the devices revert unconfirmed commits by themselves; a run killed after its
    # confirm leaves the finished change.
    deadline = time.monotonic() + CONFIRM_TIMEOUT_S + 10
    while time.monotonic() < deadline:
        now = running_configs(lab.desc)
        if not config_differences(start_state, now) or not config_differences(other, now):
            break
        time.sleep(0.5)
    now = running_configs(lab.desc)
    assert not config_differences(start_state, now) or not config_differences(other, now)
    with open_registry(state_dir) as registry:
        record = registry.get(slice_id)
        assert registry.stale() == [] and registry.lock_holder() is None
        if record["state"] in ("failed", "provisioning", "provisioned"):
            # capacity stays booked while the devices may hold the slice
            assert record["reservation"] is not None or not config_differences(baseline, now)
    # The next run finishes the job, whatever moment the kill hit; then clean up.
    again = case.play(use_case, "present" if phase == "provision" else "absent")
    assert again.rc == 0, again.stdout[-3000:]
    assert case.play(use_case, "absent").rc == 0
    assert not case.devices_equal(baseline)


# -- lock-holder death -----------------------------------------------------------------------------
@pytest.mark.slow
def test_lock_keeper_killed_mid_run(lab, baseline, state_dir):
    """The process holding the orchestrator lock dies while the run goes on: the run still ends
    consistently (its own rescue or success), no process is left, and the next run succeeds."""
    proc = start_playbook("enterprise_app_slice.yml", lab.lab_dir, state_dir)
    killed = None
    for line in proc.stdout:
        if "] step 5 " in line:
            killed = _keeper_pid(state_dir)
            assert killed, "no lock keeper found for this run"
            os.kill(killed, signal.SIGKILL)
            break
    out = proc.communicate(timeout=300)[0]
    assert killed, "the run never reached step 5"
    assert not wait_no_run_processes(state_dir), "processes of the run are left"
    with open_registry(state_dir) as registry:
        record = registry.get("enterprise-app-1")
        assert registry.stale() == [] and registry.lock_holder() is None
        if proc.returncode == 0:
            assert record["state"] == "provisioned", out[-3000:]
        else:
            assert record["state"] == "failed" and record["reservation"] is None, out[-3000:]
            assert not config_differences(baseline, running_configs(lab.desc))
    assert run_playbook("enterprise_app_slice.yml", lab.lab_dir, state_dir).rc == 0
    gone = run_playbook("deprovision_slice.yml", lab.lab_dir, state_dir, {"slice_id": "enterprise-app-1"})
    assert gone.rc == 0
    assert not config_differences(baseline, running_configs(lab.desc))


def _keeper_pid(state_dir) -> int | None:
    out = subprocess.run(["pgrep", "-f", "_keeper_entry"], capture_output=True, text=True, check=False)
    for pid in out.stdout.split():
        try:
            env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")  # noqa: SIM115
        except OSError:
            continue
        if f"QSAFE_STATE_DIR={state_dir}".encode() in env:
            return int(pid)
    return None
