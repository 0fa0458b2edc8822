# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A failure anywhere after the reservation - before the first device step, or between two device
roles - is rolled back by the one rescue: the reservation is released, the slice marked failed
with the failing task named, and every device is identical to before."""

from __future__ import annotations

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents

from tests.conftest import TOPOLOGY_FILE
from tests.integration.provisioning.conftest import descriptor
from tests.integration.provisioning.harness import config_differences, open_registry, running_configs

pytestmark = pytest.mark.lab

STEPS = plan_from_documents(
    descriptor("enterprise_app"), yaml.safe_load(TOPOLOGY_FILE.read_text()), with_steps=True
)["steps"]
KEY_STREAM_STEPS = sum(1 for s in STEPS if s["kind"] == "key_stream")


@pytest.mark.parametrize(
    ("bad", "applied_before"),
    [
        # The key_stream role (the first device role) refuses its input: after reserve, before any
        # device step.
        pytest.param({"key_stream_commit": "sometimes"}, 0, id="before-first-device-step"),
        # The encryptor role refuses its input after the key streams were applied (confirmed
        # commits pending): they are cancelled.
        pytest.param({"encryptor_commit": "sometimes"}, KEY_STREAM_STEPS, id="between-device-roles"),
    ],
)
def test_failure_after_reserve_releases_and_rolls_back(play, lab, baseline, state_dir, bad, applied_before):
    assert KEY_STREAM_STEPS > 0
    option = next(iter(bad))
    run = play("enterprise_app_slice.yml", bad)
    assert run.rc != 0
    tail = run.stdout.split("PLAY RECAP")[0][-4000:]
    assert option in run.stdout, tail
    assert "Reserve the plan in the slice registry" in run.stdout
    assert f"rolled back {applied_before} applied step(s)" in run.stdout, tail
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        record = registry.get("enterprise-app-1")
        assert record["state"] == "failed"
        assert record["reservation"] is None
        assert option in record["last_error"]
        assert registry.reservations() == {"links": {}, "compute": {}, "vlans": []}
        statuses = [s["status"] for s in record["steps"]]
        assert statuses.count("rolled_back") == applied_before
    again = play("enterprise_app_slice.yml")
    assert again.rc == 0, again.stdout[-3000:]
    gone = play("deprovision_slice.yml", {"slice_id": "enterprise-app-1"})
    assert gone.rc == 0, gone.stdout[-3000:]
    assert not config_differences(baseline, running_configs(lab.desc))
