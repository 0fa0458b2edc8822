# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: one lab per test session (temp dir, free ports), a fresh registry per test, and a
guard that every device is back to its start-up configuration after each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from qsafe_lab.pytest_plugin import lab, lab_faults  # noqa: F401

from tests.integration.provisioning.harness import ROOT, config_differences, run_playbook, running_configs


@pytest.fixture(scope="session")
def baseline(lab) -> dict[str, str]:  # noqa: F811 - pytest fixture
    """Running configuration of every device right after the lab started."""
    return running_configs(lab.desc)


@pytest.fixture
def state_dir(tmp_path):
    path = tmp_path / "state"
    path.mkdir()
    return path


@pytest.fixture
def play(lab, state_dir) -> Any:  # noqa: F811
    """play(playbook, extra_vars=None, *flags) -> PlaybookRun against this session's lab."""

    def run(playbook: str, extra_vars: dict | None = None, *flags: str):
        return run_playbook(playbook, lab.lab_dir, state_dir, extra_vars, *flags)

    return run


@pytest.fixture
def clean_devices(lab, baseline) -> Iterator[None]:  # noqa: F811
    """Fail the test if it leaves any device different from the baseline."""
    yield
    left = config_differences(baseline, running_configs(lab.desc))
    assert not left, f"devices not back to their start-up configuration: {left}"


def descriptor(name: str, **changes: Any) -> dict:
    doc = yaml.safe_load((ROOT / "slices" / f"{name}.yml").read_text())
    doc["slice"].update(changes)
    return doc
