# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad descriptors and infeasible requests fail before any device is touched or anything reserved."""

from __future__ import annotations

import pytest

from tests.integration.provisioning.conftest import descriptor
from tests.integration.provisioning.harness import config_differences, open_registry, running_configs

pytestmark = pytest.mark.lab

BAD = [
    pytest.param({"security": "quantum"}, "connections[1].security", id="unknown-security-level"),
    pytest.param({"bandwidth_mbps": -5}, "connections[1].bandwidth_mbps", id="negative-bandwidth"),
    pytest.param({"from": "cell-9"}, "cell-9", id="unknown-site"),
]


@pytest.mark.parametrize(("change", "named"), BAD)
def test_bad_descriptor_rejected_before_devices(play, lab, baseline, state_dir, change, named):
    doc = descriptor("enterprise_app")
    doc["slice"]["connections"][1].update(change)
    run = play("provision_slice.yml", doc)
    assert run.rc != 0
    assert named in run.stdout, run.stdout[-3000:]
    assert "Apply device step" not in run.stdout
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        assert registry.list() == []


def test_infeasible_request_rejected_before_devices(play, lab, baseline, state_dir):
    doc = descriptor("enterprise_app")
    doc["slice"]["connections"][2]["bandwidth_mbps"] = 50000  # more than any QKD link carries
    run = play("provision_slice.yml", doc)
    assert run.rc != 0
    assert "connection backhaul" in run.stdout, run.stdout[-3000:]
    assert "Apply device step" not in run.stdout
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        assert registry.list() == []


def test_missing_descriptor_is_named(play):
    run = play("provision_slice.yml")
    assert run.rc != 0
    assert "pass a slice descriptor" in run.stdout
