# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SIGKILL of the controller mid-provision: devices revert by themselves within the confirm
timeout, the lock keeper marks the slice failed as soon as the controller is gone (never stale
until a re-run, never provisioned), and no process of the run is left."""

from __future__ import annotations

import time

import pytest

from tests.integration.provisioning.harness import (
    config_differences,
    kill_controller,
    open_registry,
    running_configs,
    start_playbook,
    wait_no_run_processes,
)

pytestmark = pytest.mark.lab

CONFIRM_TIMEOUT_S = 6


def test_sigkill_mid_provision_reverts(lab, baseline, state_dir, clean_devices):
    proc = start_playbook(
        "enterprise_app_slice.yml",
        lab.lab_dir,
        state_dir,
        {"slice_provision_confirm_timeout": CONFIRM_TIMEOUT_S},
    )
    seen = []
    for line in proc.stdout:
        seen.append(line)
        # device_steps prints "[21/49] step 20 <device>: ..." as step 20 finishes: 21 steps
        # committed (confirmed commits, not confirmed yet): crash now.
        if "] step 20 " in line:
            break
    else:
        pytest.fail("the run never reached step 20:\n" + "".join(seen[-40:]))
    kill_controller(proc)
    killed_at = time.monotonic()

    assert config_differences(baseline, running_configs(lab.desc)), "nothing was applied before the kill"
    deadline = killed_at + CONFIRM_TIMEOUT_S + 10
    while time.monotonic() < deadline:
        if not config_differences(baseline, running_configs(lab.desc)):
            break
        time.sleep(0.5)
    assert not config_differences(baseline, running_configs(lab.desc))
    reverted_after = time.monotonic() - killed_at
    assert reverted_after <= CONFIRM_TIMEOUT_S + 10
    assert not wait_no_run_processes(state_dir), "processes of the killed run are left"
    with open_registry(state_dir) as registry:
        record = registry.get("enterprise-app-1")
        # The keeper saw its controller die and marked the slice (no re-run needed).
        assert record["state"] == "failed", record
        assert "stopped while the slice was provisioning" in record["last_error"]
        assert registry.stale() == []
        assert registry.lock_holder() is None
