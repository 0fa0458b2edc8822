# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hostile corpus through playbooks/provision_slice.yml, as `slice_file=` and as `-e @file`.

Every file is refused before any device is touched (running configuration of every lab device
unchanged, no registry row), with a message naming the field and no Python traceback, in
seconds, and nothing it carries runs (the pipe lookup's file is never created). A sample runs in
`make test`; the whole corpus is slow-marked.
"""

from __future__ import annotations

import pytest

from tests.hostile_inputs import SAMPLE, descriptor_cases, write_case
from tests.integration.provisioning.harness import (
    config_differences,
    open_registry,
    run_playbook,
    running_configs,
)

pytestmark = pytest.mark.lab

CASES = {case.name: case for case in descriptor_cases()}
# A refused run is a few seconds of ansible-playbook start-up; the alias bomb used to run > 8 min.
SECONDS = 60


def _run_case(case, mode, lab, state_dir, tmp_path):
    pwned = tmp_path / "PWNED"
    path = write_case(case, tmp_path, pwned)
    extra = ["-e", f"slice_file={path}"] if mode == "slice_file" else ["-e", f"@{path}"]
    run = run_playbook("provision_slice.yml", lab.lab_dir, state_dir, None, *extra, timeout=300)
    assert run.rc != 0, run.stdout[-3000:]
    assert "Traceback" not in run.stdout, run.stdout[-3000:]
    assert run.seconds < SECONDS, f"{case.name} {mode}: {run.seconds:.1f} s"
    assert "Apply device step" not in run.stdout and "Take the orchestrator lock" not in run.stdout
    if mode == "slice_file" or not case.ansible_may_refuse_first:
        assert case.named in run.stdout, run.stdout[-3000:]
    assert not pwned.exists(), f"{case.name}: the descriptor ran a command"
    return run


def _check_untouched(lab, baseline, state_dir):
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        assert registry.list() == []


@pytest.mark.parametrize("mode", ["slice_file", "extra_vars_file"])
@pytest.mark.parametrize("name", SAMPLE)
def test_hostile_sample_refused_before_devices(name, mode, lab, baseline, state_dir, tmp_path):
    _run_case(CASES[name], mode, lab, state_dir, tmp_path)
    _check_untouched(lab, baseline, state_dir)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["slice_file", "extra_vars_file"])
@pytest.mark.parametrize("name", [n for n in CASES if n not in SAMPLE])
def test_hostile_corpus_refused_before_devices(name, mode, lab, baseline, state_dir, tmp_path):
    _run_case(CASES[name], mode, lab, state_dir, tmp_path)
    _check_untouched(lab, baseline, state_dir)


def test_slice_file_plans_the_same_as_extra_vars(lab, state_dir, repo_root, clean_devices):
    """The documented form plans (check mode) exactly as -e @file does."""
    via_file = run_playbook(
        "provision_slice.yml",
        lab.lab_dir,
        state_dir,
        None,
        "-e",
        f"slice_file={repo_root / 'slices' / 'enterprise_app.yml'}",
        "--check",
    )
    via_vars = run_playbook(
        "provision_slice.yml",
        lab.lab_dir,
        state_dir,
        None,
        "-e",
        f"@{repo_root / 'slices' / 'enterprise_app.yml'}",
        "--check",
    )
    assert via_file.rc == 0, via_file.stdout[-3000:]
    assert via_vars.rc == 0, via_vars.stdout[-3000:]

    def route(out: str) -> str:
        return out.split("Show the route and security of every connection")[1].split("TASK")[0]

    assert route(via_file.stdout) == route(via_vars.stdout)
    assert "device steps" in route(via_file.stdout)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["-e", "topology={}"], "'topology'"),
        (["-e", "slice_provision_registry_path=/tmp/elsewhere.sqlite3"], "'slice_provision_registry_path'"),
        (["-e", '{"slice_provision_topology": {}}'], "'slice_provision_topology'"),
    ],
    ids=["topology", "registry-path", "provision-topology-json"],
)
def test_configuration_cannot_come_from_extra_vars(extra, named, lab, baseline, state_dir, repo_root):
    run = run_playbook(
        "provision_slice.yml",
        lab.lab_dir,
        state_dir,
        None,
        "-e",
        f"slice_file={repo_root / 'slices' / 'enterprise_app.yml'}",
        *extra,
    )
    assert run.rc != 0 and named in run.stdout, run.stdout[-3000:]
    assert "Take the orchestrator lock" not in run.stdout
    _check_untouched(lab, baseline, state_dir)


def test_both_forms_at_once_are_refused(lab, state_dir, repo_root):
    path = repo_root / "slices" / "enterprise_app.yml"
    run = run_playbook(
        "provision_slice.yml", lab.lab_dir, state_dir, None, "-e", f"slice_file={path}", "-e", f"@{path}"
    )
    assert run.rc != 0 and "not both" in run.stdout, run.stdout[-3000:]


def test_deprovision_slice_id_is_never_rendered(lab, state_dir, tmp_path):
    pwned = tmp_path / "PWNED"
    run = run_playbook(
        "deprovision_slice.yml",
        lab.lab_dir,
        state_dir,
        {"slice_id": f"{{{{ lookup('ansible.builtin.pipe', 'touch {pwned}') }}}}"},
    )
    assert run.rc != 0 and "slice_id: contains the template marker" in run.stdout, run.stdout[-3000:]
    assert not pwned.exists()
