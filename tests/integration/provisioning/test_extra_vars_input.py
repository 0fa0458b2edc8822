# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IETF requests as `-e @file` and as `slice_file=`, and extra vars outside the documented interface,
through playbooks/provision_slice.yml.

An IETF Network Slice Service request given with `-e @request.json` goes through the same strict
loader and checks as `slice_file=` (slice_input re-reads the file itself); a hostile one is refused
in both forms before any device is touched (every device's running configuration unchanged, no
registry row), naming what is wrong, with no traceback, and nothing it carries runs. An extra var the
playbooks do not take (a connection variable in a settings file) is refused before any device.
"""

from __future__ import annotations

import json

import pytest

from tests.hostile_inputs import IETF_SAMPLE, ietf_cases, write_case
from tests.integration.provisioning.harness import (
    config_differences,
    open_registry,
    run_playbook,
    running_configs,
)

pytestmark = pytest.mark.lab

CASES = {case.name: case for case in ietf_cases()}
SECONDS = 60


def _check_untouched(lab, baseline, state_dir):
    assert not config_differences(baseline, running_configs(lab.desc))
    with open_registry(state_dir) as registry:
        assert registry.list() == []


def _refused_before_devices(run):
    assert run.rc != 0, run.stdout[-3000:]
    assert "Traceback" not in run.stdout, run.stdout[-3000:]
    assert run.seconds < SECONDS, f"{run.seconds:.1f} s"
    assert "Take the orchestrator lock" not in run.stdout and "Apply device step" not in run.stdout


@pytest.mark.parametrize("mode", ["slice_file", "extra_vars_file"])
@pytest.mark.parametrize("name", IETF_SAMPLE)
def test_hostile_ietf_request_refused_before_devices(name, mode, lab, baseline, state_dir, tmp_path):
    case = CASES[name]
    pwned = tmp_path / "PWNED"
    path = write_case(case, tmp_path, pwned).rename(tmp_path / f"{case.name}.json")
    extra = ["-e", f"slice_file={path}"] if mode == "slice_file" else ["-e", f"@{path}"]
    run = run_playbook("provision_slice.yml", lab.lab_dir, state_dir, None, *extra, timeout=300)
    _refused_before_devices(run)
    assert case.named in run.stdout, run.stdout[-3000:]
    assert not pwned.exists(), f"{case.name}: the request ran a command"
    _check_untouched(lab, baseline, state_dir)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["slice_file", "extra_vars_file"])
@pytest.mark.parametrize("name", [n for n in CASES if n not in IETF_SAMPLE])
def test_hostile_ietf_corpus_refused_before_devices(name, mode, lab, baseline, state_dir, tmp_path):
    test_hostile_ietf_request_refused_before_devices(name, mode, lab, baseline, state_dir, tmp_path)


def test_an_ietf_request_as_extra_vars_file_plans_like_slice_file(lab, state_dir, repo_root):
    request = repo_root / "slices" / "ietf" / "enterprise_app.json"
    runs = [
        run_playbook("provision_slice.yml", lab.lab_dir, state_dir, None, "-e", option, "--check")
        for option in (f"slice_file={request}", f"@{request}")
    ]
    for run in runs:
        assert run.rc == 0, run.stdout[-3000:]

    def route(out: str) -> str:
        return out.split("Show the route and security of every connection")[1].split("TASK")[0]

    assert route(runs[0].stdout) == route(runs[1].stdout)
    assert "metro-1" in route(runs[1].stdout)


def test_an_ietf_request_and_a_descriptor_at_once_are_refused(lab, state_dir, repo_root):
    run = run_playbook(
        "provision_slice.yml",
        lab.lab_dir,
        state_dir,
        None,
        "-e",
        f"slice_file={repo_root / 'slices' / 'cdn.yml'}",
        "-e",
        f"@{repo_root / 'slices' / 'ietf' / 'enterprise_app.json'}",
    )
    assert run.rc != 0 and "give the descriptor once" in run.stdout, run.stdout[-3000:]


@pytest.mark.parametrize(
    "settings",
    [
        {"ansible_python_interpreter": "/bin/sh"},
        {"ansible_ssh_common_args": "-o ProxyCommand=true"},
        {"slice_provision_confirm_timeout": 60, "debug_everything": True},
    ],
    ids=["interpreter", "ssh-args", "unknown-setting"],
)
def test_a_settings_file_cannot_set_what_the_playbooks_do_not_take(
    settings, lab, baseline, state_dir, repo_root, tmp_path
):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(settings))
    run = run_playbook(
        "provision_slice.yml",
        lab.lab_dir,
        state_dir,
        None,
        "-e",
        f"slice_file={repo_root / 'slices' / 'enterprise_app.yml'}",
        "-e",
        f"@{path}",
    )
    _refused_before_devices(run)
    (name,) = [n for n in settings if n != "slice_provision_confirm_timeout"]
    assert "not an extra var the slice playbooks take" in run.stdout and repr(name) in run.stdout, run.stdout[
        -3000:
    ]
    _check_untouched(lab, baseline, state_dir)
