# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A failure injected at a step of the enterprise plan ends with every device identical to before,
no reservation left, the slice failed, and a message naming the step, device and device error."""

from __future__ import annotations

import time

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
# First step, a card port, a cross-connect, a VLAN, the last member port: one of each kind.
SAMPLE = [0, 14, 20, 27, 48]


def test_the_sample_has_one_step_of_each_kind_and_the_last():
    """No lab needed: the sample must keep its claim when the plan changes."""
    kinds = {STEPS[i]["operation"] for i in SAMPLE}
    assert kinds == {s["operation"] for s in STEPS} and len(kinds) == len(SAMPLE)
    assert SAMPLE[0] == 0 and SAMPLE[-1] == len(STEPS) - 1


def step_match(step: dict) -> str:
    """A regex that matches this step's edit-config and no earlier step's on the same device."""
    params = step["params"]
    fields = {
        "stream": ("name",),
        "client_port": ("port",),
        "cross_connect": ("ingress",),
        "vlan": ("name",),
        "vlan_member": ("vlan_id", "port"),
    }[step["operation"]]
    tokens = [str(params[f]) for f in fields]
    return "(?s)" + "".join(f"(?=.*>{t}<)" for t in tokens)


def inject_and_provision(play, lab, lab_faults, baseline, state_dir, index: int) -> float:
    step = STEPS[index]
    lab_faults.reject(
        step["device"],
        operation="edit-config",
        match=step_match(step),
        error_tag="operation-failed",
        message=f"injected fault at step {index}",
    )
    started = time.perf_counter()
    run = play("enterprise_app_slice.yml")
    seconds = time.perf_counter() - started
    assert run.rc != 0
    assert f"step {index} ({step['name']}) failed on device {step['device']}" in run.stdout, run.stdout[
        -4000:
    ]
    assert f"injected fault at step {index}" in run.stdout
    lab_faults.clear()
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        record = registry.get("enterprise-app-1")
        assert record["state"] == "failed"
        assert record["reservation"] is None
        assert f"step {index}" in record["last_error"]
        assert registry.reservations() == {"links": {}, "compute": {}, "vlans": []}
        statuses = [s["status"] for s in record["steps"]]
        assert statuses.count("failed") == 1
        assert statuses.count("rolled_back") == index  # every earlier step was applied, then undone
    return seconds


@pytest.mark.parametrize("index", SAMPLE)
def test_failure_at_step_rolls_back(play, lab, lab_faults, baseline, state_dir, index):
    inject_and_provision(play, lab, lab_faults, baseline, state_dir, index)


@pytest.mark.slow
def test_failure_at_every_step_rolls_back(play, lab, lab_faults, baseline, tmp_path, capsys):
    times = []
    for index in range(len(STEPS)):
        state_dir = tmp_path / f"state-{index}"
        state_dir.mkdir()
        from tests.integration.provisioning.harness import run_playbook

        def run(playbook, extra=None, *flags, _s=state_dir):
            return run_playbook(playbook, lab.lab_dir, _s, extra, *flags)

        times.append(inject_and_provision(run, lab, lab_faults, baseline, state_dir, index))
    with capsys.disabled():
        print(
            f"\nfailure at each of {len(STEPS)} steps: total {sum(times):.1f} s, "
            f"max {max(times):.2f} s per injected run"
        )
