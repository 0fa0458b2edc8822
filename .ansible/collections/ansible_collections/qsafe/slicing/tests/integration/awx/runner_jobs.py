# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a job template's playbook through ansible-runner the way an AWX job does.

AWX (its task manager, then ansible-runner on an execution node) gives every job a private
data directory:
    project/          the project checkout (here: a symlink to this repository)
    inventory/hosts   an executable script printing the inventory JSON that AWX imported from the
                      project's inventory source (`ansible-inventory --list --export`)
    env/extravars     job template extra_vars + survey answers + awx_* job variables + the
                      extra_vars of the credentials' injectors
    env/envvars       the credentials' env injectors + AWX's own variables
    env/<files>       the credentials' file injectors (written 0600)
and runs `ansible-playbook` there, collecting events and artifacts in artifacts/<ident>/.
This module builds exactly that from extensions/awx/job_templates.yml and credential_types.yml
(rendering the injectors with Jinja, as AWX does) and runs ansible_runner.run().
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
from typing import Any

import ansible_runner
import jinja2

from tests.integration.awx.conftest import AWX_DIR, ROOT, load_yaml

VENV_BIN = ROOT / ".venv" / "bin"
COLLECTIONS = ROOT / ".venv" / "collections"


def job_template(name: str) -> dict[str, Any]:
    templates = load_yaml(AWX_DIR / "job_templates.yml")["qsafe_awx_job_templates"]
    return next(t for t in templates if t["name"] == name)


def survey_defaults(template: dict[str, Any]) -> dict[str, Any]:
    return {q["variable"]: q.get("default", "") for q in template["survey_spec"]["spec"]}


def exported_inventory(env: dict[str, str]) -> dict[str, Any]:
    """What AWX stores after syncing the project inventory source inventories/testbed/hosts.yml."""
    out = subprocess.run(
        [
            str(VENV_BIN / "ansible-inventory"),
            "-i",
            str(ROOT / "inventories" / "testbed" / "hosts.yml"),
            "--list",
            "--export",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def inject(credential_type: str, inputs: dict[str, str], env_dir: pathlib.Path) -> tuple[dict, dict]:
    """(extra_vars, env) of one credential, rendering its type's injectors like AWX does."""
    ctypes = load_yaml(AWX_DIR / "credential_types.yml")["qsafe_awx_credential_types"]
    injectors = next(c for c in ctypes if c["name"] == credential_type)["injectors"]
    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)  # noqa: S701 - not HTML
    filenames = {}
    for key, template in injectors.get("file", {}).items():
        name = key.split(".", 1)[1]
        path = env_dir / f"cred_{credential_type.split()[1].lower()}_{name}"
        path.write_text(jinja.from_string(template).render(**inputs))
        path.chmod(0o600)
        filenames[name] = str(path)
    context = dict(inputs, tower={"filename": filenames})
    render = {k: jinja.from_string(v).render(**context) for k, v in injectors.get("extra_vars", {}).items()}
    envs = {k: jinja.from_string(v).render(**context) for k, v in injectors.get("env", {}).items()}
    return render, envs


def private_data_dir(
    base: pathlib.Path,
    template_name: str,
    answers: dict[str, Any],
    envvars: dict[str, str],
    lab_desc: dict[str, Any] | None = None,
    job_id: int = 1,
) -> pathlib.Path:
    """Lay out one job's private data dir; `answers` override the survey defaults."""
    template = job_template(template_name)
    pdd = base / f"job_{job_id}"
    (pdd / "env").mkdir(parents=True)
    (pdd / "inventory").mkdir()
    (pdd / "project").symlink_to(ROOT, target_is_directory=True)

    env = dict(os.environ, **envvars)
    script = pdd / "inventory" / "hosts"
    inventory_json = json.dumps(exported_inventory(env))
    script.write_text(f"#!/usr/bin/env python3\nimport sys\nsys.stdout.write({inventory_json!r})\n")
    script.chmod(0o700)

    extravars = dict(template.get("extra_vars") or {})
    extravars.update(survey_defaults(template))
    extravars.update(answers)
    extravars.update(
        awx_job_id=job_id,
        tower_job_id=job_id,
        awx_job_template_name=template_name,
        awx_user_name="admin",
        awx_job_launch_type="manual",
    )
    all_env = dict(envvars)
    if lab_desc is not None and "qsafe NETCONF devices" in template["credentials"]:
        device = next(iter(lab_desc["devices"].values()))
        cred_vars, cred_env = inject(
            "qsafe NETCONF device key",
            {
                "username": device["user"],
                "ssh_key_data": pathlib.Path(device["key_file"]).read_text(),
                "known_hosts": pathlib.Path(device["known_hosts"]).read_text(),
            },
            pdd / "env",
        )
        extravars.update(cred_vars)
        all_env.update(cred_env)
    if envvars.get("QSAFE_REGISTRY_DSN") and "qsafe slice registry" in template["credentials"]:
        cred_vars, cred_env = inject(
            "qsafe slice registry (PostgreSQL)",
            {"dsn": envvars["QSAFE_REGISTRY_DSN"], "password": ""},
            pdd / "env",
        )
        extravars.update(cred_vars)
        all_env.update(cred_env)
    all_env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),  # the EE's /usr/share/ansible/collections
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        PYTHONDONTWRITEBYTECODE="1",
        JOB_ID=str(job_id),
    )
    (pdd / "env" / "extravars").write_text(json.dumps(extravars))
    (pdd / "env" / "envvars").write_text(json.dumps(all_env))
    (pdd / "env" / "settings").write_text(json.dumps({"suppress_ansible_output": True, "job_timeout": 600}))
    return pdd


def run_job(pdd: pathlib.Path, template_name: str) -> ansible_runner.Runner:
    """Run the job (the venv's ansible-playbook comes first on env/envvars' PATH)."""
    template = job_template(template_name)
    return ansible_runner.run(
        private_data_dir=str(pdd),
        playbook=template["playbook"],
        ident="job",
        quiet=True,
    )


def events(runner: ansible_runner.Runner) -> list[dict[str, Any]]:
    return list(runner.events)
