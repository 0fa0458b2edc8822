# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SIGKILL of the controller mid-provision: devices revert by themselves within the confirm
timeout, and the registry shows the slice stale/failed, never provisioned."""

from __future__ import annotations

import time

import pytest

from tests.integration.provisioning.harness import (
    config_differences,
    kill_controller,
    open_registry,
    running_configs,
    start_playbook,
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
    with open_registry(state_dir) as registry:
        record = registry.get("enterprise-app-1")
        assert record["state"] == "provisioning"
        assert "enterprise-app-1" in [r["id"] for r in registry.stale()]
        assert registry.recover_stale() == ["enterprise-app-1"]
        record = registry.get("enterprise-app-1")
        assert (
            record["state"] == "failed" and "stopped while the slice was provisioning" in record["last_error"]
        )

    deadline = killed_at + CONFIRM_TIMEOUT_S + 10
    while time.monotonic() < deadline:
        if not config_differences(baseline, running_configs(lab.desc)):
            break
        time.sleep(0.5)
    assert not config_differences(baseline, running_configs(lab.desc))
    reverted_after = time.monotonic() - killed_at
    assert reverted_after <= CONFIRM_TIMEOUT_S + 10
