# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provision then deprovision leaves every device's running configuration byte-identical;
both are idempotent; --check --diff shows the changes and changes nothing."""

from __future__ import annotations

import pytest

from tests.integration.provisioning.conftest import descriptor
from tests.integration.provisioning.harness import config_differences, open_registry, running_configs

pytestmark = pytest.mark.lab


def test_check_mode_changes_nothing(play, lab, baseline, state_dir, clean_devices):
    run = play("provision_slice.yml", descriptor("enterprise_app"), "--check", "--diff")
    assert run.rc == 0, run.stdout[-3000:]
    # Every device the slice touches appears in the diff output.
    for device in ("keys-a", "tce-ch3-a", "ots-metro-1", "sw-cell-1", "sw-core-1"):
        assert f"{device} running" in run.stdout, device
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        assert registry.list() == []
        assert registry.reservations() == {"links": {}, "compute": {}, "vlans": []}


def test_provision_deprovision_roundtrip(play, lab, baseline, state_dir, clean_devices):
    run = play("enterprise_app_slice.yml")
    assert run.rc == 0, run.stdout[-4000:]
    changed = config_differences(baseline, running_configs(lab.desc))
    assert {"keys-a", "keys-b", "ots-metro-1", "sw-cell-1", "sw-metro-1", "sw-core-1"} <= set(changed)
    with open_registry(state_dir) as registry:
        record = registry.get("enterprise-app-1")
        assert record["state"] == "provisioned"
        assert record["reservation"]["vlans"] == [100, 101, 102]
        assert len(record["steps"]) == len(record["plan"]["steps"]) == 49
        assert all(s["status"] == "changed" and s["seconds"] > 0 for s in record["steps"])

    again = play("enterprise_app_slice.yml")
    assert again.rc == 0 and again.recap["changed"] == 0, again.stdout[-4000:]

    gone = play("deprovision_slice.yml", {"slice_id": "enterprise-app-1"})
    assert gone.rc == 0, gone.stdout[-4000:]
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        record = registry.get("enterprise-app-1")
        assert record["state"] == "deprovisioned" and record["reservation"] is None
        assert registry.reservations()["vlans"] == []

    twice = play("deprovision_slice.yml", {"slice_id": "enterprise-app-1"})
    assert twice.rc == 0 and twice.recap["changed"] == 0, twice.stdout[-4000:]


def test_shared_resources_survive_the_other_slice(play, lab, baseline, state_dir, clean_devices):
    assert play("cdn_slice.yml").rc == 0
    with_cdn = running_configs(lab.desc)
    ent = play("enterprise_app_slice.yml")
    assert ent.rc == 0, ent.stdout[-4000:]
    gone = play("enterprise_app_slice.yml", {"slice_state": "absent"})
    assert gone.rc == 0, gone.stdout[-4000:]
    assert "kept for cdn-1" in gone.stdout
    assert not config_differences(with_cdn, running_configs(lab.desc))
    assert play("cdn_slice.yml", {"slice_state": "absent"}).rc == 0


def test_unknown_slice_id_fails_clearly(play):
    run = play("deprovision_slice.yml", {"slice_id": "no-such-slice"})
    assert run.rc != 0
    assert "no slice 'no-such-slice'" in run.stdout
