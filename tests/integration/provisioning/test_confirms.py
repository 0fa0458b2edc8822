# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Never report what the devices do not hold (issue 17): every misreport of the audit as a test.

The oracle is independent of the code under test: the devices' running configuration read over
NETCONF well after the confirm timeout has passed (a confirmed commit that was not really
confirmed has reverted by then), compared with the start-up configuration, and the registry read
through its API.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import signal
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
    running_configs,
    start_playbook,
)

pytestmark = pytest.mark.lab

SLICE = "enterprise-app-1"
STEPS = plan_from_documents(
    descriptor("enterprise_app"), yaml.safe_load(TOPOLOGY_FILE.read_text()), with_steps=True
)["steps"]
PLAN_DEVICES = sorted({s["device"] for s in STEPS})
# Long enough for a run on a loaded 2-core machine, short enough to wait for it in a test.
CONFIRM_TIMEOUT_S = 15
# device_steps prints "[k/n] step <index> <device>: ..." as each step finishes.
STEP_LINE = re.compile(r"\[\d+/\d+\] step \d+ ")


def processes_of(state_dir: pathlib.Path) -> list[int]:
    """Pids of live processes started for this test's runs (their environment names its state dir)."""
    marker = f"QSAFE_STATE_DIR={state_dir}".encode()
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if marker in env and stat.rsplit(")", 1)[1].split()[0] != "Z":
            found.append(int(entry.name))
    return found


def leftovers(state_dir: pathlib.Path, wait_s: float = 10) -> list[int]:
    """Processes of this test's runs still alive after wait_s (killed, SIGKILL, and reaped)."""
    deadline = time.monotonic() + wait_s
    left = processes_of(state_dir)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = processes_of(state_dir)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


@pytest.fixture
def reap(state_dir):
    """After the test, no process of its runs is left running (any that is gets killed)."""
    yield
    leftovers(state_dir)


def run_until(lab, state_dir, playbook: str, extra: dict, steps_done: int):
    """Start a playbook, kill its process group (a crash) as soon as `steps_done` device steps have
    printed their progress line: all committed (confirmed commits pending), none confirmed yet."""
    proc = start_playbook(playbook, lab.lab_dir, state_dir, extra)
    seen = []
    done = 0
    for line in proc.stdout:
        seen.append(line)
        done += bool(STEP_LINE.search(line))
        if done >= steps_done:
            break
    else:
        pytest.fail(f"the run never finished {steps_done} steps:\n" + "".join(seen[-40:]))
    kill_controller(proc)
    return "".join(seen)


def held_devices(lab, baseline) -> list[str]:
    return config_differences(baseline, running_configs(lab.desc))


def settle(seconds: float = CONFIRM_TIMEOUT_S + 5) -> None:
    """Wait past the confirm timeout: whatever was not really confirmed has reverted by then."""
    time.sleep(seconds)


def remove_slice(play, lab, baseline) -> None:
    run = play("deprovision_slice.yml", {"slice_id": SLICE})
    assert run.rc == 0, run.stdout[-3000:]
    settle(3)


def test_rerun_right_after_a_crashed_provision(play, lab, baseline, state_dir, clean_devices, reap):
    extra = {"slice_provision_confirm_timeout": CONFIRM_TIMEOUT_S}
    run_until(lab, state_dir, "enterprise_app_slice.yml", extra, len(STEPS))
    assert held_devices(lab, baseline), "the crashed run applied nothing"
    again = play("enterprise_app_slice.yml", extra)
    assert again.rc == 0, again.stdout[-4000:]
    settle()
    # The re-run said provisioned: the devices must still hold the slice after the timeout.
    with open_registry(state_dir) as registry:
        assert registry.get(SLICE)["state"] == "provisioned"
    assert held_devices(lab, baseline) == PLAN_DEVICES
    remove_slice(play, lab, baseline)


def test_rerun_right_after_a_crashed_deprovision(play, lab, baseline, state_dir, clean_devices, reap):
    first = play("enterprise_app_slice.yml")
    assert first.rc == 0, first.stdout[-3000:]
    extra = {"slice_id": SLICE, "slice_deprovision_confirm_timeout": CONFIRM_TIMEOUT_S}
    run_until(lab, state_dir, "deprovision_slice.yml", extra, len(STEPS))
    again = play("deprovision_slice.yml", extra)
    assert again.rc == 0, again.stdout[-4000:]
    settle()
    with open_registry(state_dir) as registry:
        record = registry.get(SLICE)
        assert record["state"] == "deprovisioned" and record["reservation"] is None
    # Released in the registry: the devices must not hold the slice any more (no double booking).
    left = held_devices(lab, baseline)
    if left:
        remove_slice(play, lab, baseline)
    assert not left, f"deprovisioned, but the slice came back on {left}"


def test_run_longer_than_the_confirm_timeout(play, lab, baseline, state_dir, clean_devices, reap):
    run = play("enterprise_app_slice.yml", {"slice_provision_confirm_timeout": 1})
    settle(5)
    with open_registry(state_dir) as registry:
        state = registry.get(SLICE)["state"]
    held = held_devices(lab, baseline)
    assert run.rc == 0, run.stdout[-4000:]
    assert state == "provisioned"
    assert held == PLAN_DEVICES, f"provisioned, but only {held} hold it after the timeout"
    remove_slice(play, lab, baseline)


def test_a_killed_run_leaves_no_process(lab, baseline, state_dir, reap):
    extra = {"slice_provision_confirm_timeout": 5}
    run_until(lab, state_dir, "enterprise_app_slice.yml", extra, 21)
    left = leftovers(state_dir)
    assert not left, f"a worker, broker or lock keeper of the killed run is still alive: {left}"
    settle(8)
    assert not held_devices(lab, baseline)


def test_lab_down_names_the_unreachable_devices(lab, baseline, state_dir, tmp_path, reap):
    from tests.integration.provisioning.harness import run_playbook

    nolab = tmp_path / "no-lab"  # no lab.json: what the inventory sees when the lab is down
    nolab.mkdir()
    run = run_playbook("enterprise_app_slice.yml", nolab, state_dir)
    assert run.rc != 0
    assert "AnsibleValueOmittedError" not in run.stdout
    assert "unreachable before any change" in run.stdout, run.stdout[-3000:]
    for device in PLAN_DEVICES:
        assert device in run.stdout
    assert not held_devices(lab, baseline)


def test_a_device_down_is_named_before_any_change(play, lab, baseline, state_dir, reap):
    lab.lab.stop_device("ots-metro-1")
    try:
        run = play("enterprise_app_slice.yml")
    finally:
        lab.lab.start_device("ots-metro-1")
    assert run.rc != 0
    assert "unreachable before any change: ots-metro-1" in run.stdout, run.stdout[-3000:]
    assert "] step 0 " not in run.stdout
    assert not held_devices(lab, baseline)


def test_undo_failure_is_reported_and_the_reservation_kept(play, lab, lab_faults, baseline, state_dir, reap):
    from tests.integration.provisioning.test_rollback import step_match

    last = STEPS[-1]
    card = "tce-ch2-a"
    assert card in PLAN_DEVICES
    lab_faults.reject(
        last["device"], operation="edit-config", match=step_match(last), message="injected at the last step"
    )
    lab_faults.drop(card, operation="cancel-commit", times=None)  # every cancel on the card is lost
    # Long enough that the card cannot revert by itself before the rollback reads it back.
    run = play("enterprise_app_slice.yml", {"slice_provision_confirm_timeout": 600})
    lab_faults.clear()
    assert run.rc != 0
    assert f"step {last['index']} ({last['name']}) failed on device {last['device']}" in run.stdout
    assert f"still hold part of the slice: {card}" in run.stdout, run.stdout[-4000:]
    assert "undo failures" in run.stdout
    with open_registry(state_dir) as registry:
        record = registry.get(SLICE)
        assert record["state"] == "failed-partial"
        assert card in record["last_error"]
        assert record["reservation"] is not None, "released while a device still holds the slice"
        statuses = {
            s["index"]: s["status"]
            for s in record["steps"]
            if s["status"] in ("rolled_back", "rollback_failed")
        }
        on_card = {s["index"] for s in STEPS[:-1] if s["device"] == card}
        assert on_card and all(statuses[i] == "rollback_failed" for i in on_card)
        assert all(statuses[i] == "rolled_back" for i in statuses if i not in on_card)
    # A re-run finishes the job (cancels the failed run's pending commit on the card, re-applies):
    # provisioned, held by every device after its confirm timeout.
    extra = {"slice_provision_confirm_timeout": CONFIRM_TIMEOUT_S}
    again = play("enterprise_app_slice.yml", extra)
    assert again.rc == 0, again.stdout[-4000:]
    settle()
    assert held_devices(lab, baseline) == PLAN_DEVICES
    remove_slice(play, lab, baseline)
    assert not held_devices(lab, baseline)


def test_partial_confirm_of_a_deprovision_is_reported_per_device(
    play, lab, lab_faults, baseline, state_dir, reap
):
    first = play("enterprise_app_slice.yml")
    assert first.rc == 0, first.stdout[-3000:]
    switch = "sw-core-1"
    assert switch in PLAN_DEVICES
    # The final confirm (a commit with persist-id and no <confirmed/>) is refused on one switch.
    lab_faults.reject(
        switch,
        operation="commit",
        match=r"(?s)^(?!.*confirmed).*persist-id",
        message="injected confirm refusal",
    )
    extra = {"slice_id": SLICE, "slice_deprovision_confirm_timeout": CONFIRM_TIMEOUT_S}
    run = play("deprovision_slice.yml", extra)
    lab_faults.clear()
    assert run.rc != 0
    assert "injected confirm refusal" in run.stdout
    assert f"1 device(s) still hold part of the slice: {switch}" in run.stdout, run.stdout[-4000:]
    settle()
    # The registry names the one device that holds the slice; the others are really clean.
    assert held_devices(lab, baseline) == [switch]
    with open_registry(state_dir) as registry:
        record = registry.get(SLICE)
        assert record["state"] == "failed-partial" and switch in record["last_error"]
        assert record["reservation"] is not None
    again = play("deprovision_slice.yml", extra)
    assert again.rc == 0, again.stdout[-4000:]
    settle(3)
    assert not held_devices(lab, baseline)
    with open_registry(state_dir) as registry:
        assert registry.get(SLICE)["state"] == "deprovisioned"


@pytest.mark.slow
def test_a_500_connection_slice_outlasting_its_confirm_timeout(
    play, lab, baseline, state_dir, clean_devices, reap
):
    # 6010 steps on 9 devices: the run takes minutes, far longer than the 20 s confirm timeout;
    # the devices touched first must still hold the slice when the run says provisioned.
    conns = [
        {
            "name": f"c{i}",
            "from": "cell-1",
            "to": "core-1",
            "security": "dh",
            "bandwidth_mbps": 1,
            "max_latency_ms": 20,
        }
        for i in range(500)
    ]
    doc = {"slice": {"id": "bulk-500", "connections": conns}, "slice_provision_confirm_timeout": 20}
    run = play("provision_slice.yml", doc)
    assert run.rc == 0, run.stdout[-4000:]
    assert run.seconds > 20
    settle(25)
    held = held_devices(lab, baseline)
    with open_registry(state_dir) as registry:
        assert registry.get("bulk-500")["state"] == "provisioned"
    removed = play("deprovision_slice.yml", {"slice_id": "bulk-500", "slice_deprovision_confirm_timeout": 20})
    assert removed.rc == 0, removed.stdout[-4000:]
    assert len(held) == 9, f"provisioned, but only {held} hold it after the timeout"
