# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""extensions/awx/register.yml against a fake AWX API server (tests/integration/awx/fake_awx.py).

AWX itself cannot run here; the fake records every request so the test can check what the
playbook sends: the objects created in order with ids resolved, the surveys exactly as in
job_templates.yml, the credentials attached, idempotence (a second run sends no write), repair
of a drifted template with a PATCH of only the changed fields, and secrets never in the output.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator

import pytest
import yaml

from tests.integration.awx.conftest import AWX_DIR, ROOT, load_yaml
from tests.integration.awx.fake_awx import FakeAwxServer

TOKEN = "test-token-5f1c"  # noqa: S105 - the fake server's token
SECRETS = {
    "qsafe NETCONF devices": {
        "username": "root",
        "ssh_key_data": "SECRET-SSH-KEY-9d2e",
        "known_hosts": "[h]:1 ssh-ed25519 AAAA",
    },
    "qsafe KMS client": {
        "kms_url": "https://kme.example",
        "ca_cert": "CA",
        "client_cert": "CERT",
        "client_key": "SECRET-KMS-KEY-77ab",
    },
    "qsafe slice registry": {
        "dsn": "host=db.example user=qsafe dbname=qsafe_registry",
        "password": "SECRET-PG-31f0",
    },
}


@pytest.fixture
def awx() -> Iterator[FakeAwxServer]:
    with FakeAwxServer(TOKEN) as server:
        yield server


def register(awx: FakeAwxServer, tmp_path, secrets: dict | None = SECRETS) -> subprocess.CompletedProcess:
    argv = [str(ROOT / ".venv" / "bin" / "ansible-playbook"), str(AWX_DIR / "register.yml")]
    if secrets is not None:
        secrets_file = tmp_path / "secrets.yml"
        secrets_file.write_text(yaml.safe_dump({"qsafe_awx_credential_inputs": secrets}))
        argv += ["-e", f"@{secrets_file}"]
    env = dict(
        os.environ,
        CONTROLLER_HOST=awx.url + "/",
        CONTROLLER_OAUTH_TOKEN=TOKEN,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
    )
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180, check=False)


def recap(proc: subprocess.CompletedProcess) -> dict[str, int]:
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("localhost") and "ok=" in ln)
    return {k: int(v) for k, v in (part.split("=") for part in line.split()[2:])}


@pytest.mark.slow
def test_register_creates_then_changes_nothing_then_repairs_drift(awx, tmp_path):
    """Three runs on one fake AWX (each run costs seconds): create, idempotent, repair."""
    check_first_run_creates_everything(awx, tmp_path)
    check_second_run_sends_no_write(awx, tmp_path)
    check_drift_is_repaired_with_only_the_changed_fields(awx, tmp_path)


def check_first_run_creates_everything(awx, tmp_path):
    proc = register(awx, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    fake = awx.fake
    assert all(r.authorization == f"Bearer {TOKEN}" for r in fake.requests)
    for secret in ("SECRET-SSH-KEY-9d2e", "SECRET-KMS-KEY-77ab", "SECRET-PG-31f0"):
        assert secret not in proc.stdout + proc.stderr

    writes = [(r.method, r.path) for r in fake.writes()]
    creates = [p for m, p in writes if m == "POST" and p.count("/") == 4]
    assert (
        creates
        == [
            "/api/v2/credential_types/",
            "/api/v2/credential_types/",
            "/api/v2/credential_types/",
            "/api/v2/credentials/",
            "/api/v2/credentials/",
            "/api/v2/credentials/",
            "/api/v2/execution_environments/",
            "/api/v2/projects/",
            "/api/v2/inventories/",
            "/api/v2/inventory_sources/",
        ]
        + ["/api/v2/job_templates/"] * 5
    )
    assert not [w for w in writes if w[0] == "PATCH"]

    # Credential types exactly as in credential_types.yml (injector templates unrendered).
    ctypes = load_yaml(AWX_DIR / "credential_types.yml")["qsafe_awx_credential_types"]
    sent_types = [r.body for r in fake.writes() if r.path == "/api/v2/credential_types/"]
    assert sent_types == ctypes
    assert sent_types[2]["injectors"]["env"]["QSAFE_REGISTRY_DSN"] == "{{ dsn }}"

    # Credentials: right type id and organization, secrets sent only in the request body.
    org = fake.find("organizations", "Default")["id"]
    for name, type_name in (
        ("qsafe NETCONF devices", "qsafe NETCONF device key"),
        ("qsafe slice registry", "qsafe slice registry (PostgreSQL)"),
    ):
        cred = fake.find("credentials", name)
        assert cred["credential_type"] == fake.find("credential_types", type_name)["id"]
        assert cred["organization"] == org and cred["inputs"] == SECRETS[name]

    project = fake.find("projects", "qsafe.slicing")
    ee = fake.find("execution_environments", "qsafe.slicing EE")
    inventory = fake.find("inventories", "qsafe testbed")
    source = fake.find("inventory_sources", "qsafe testbed (project)")
    assert project["default_environment"] == ee["id"] and project["scm_type"] == "git"
    assert (source["inventory"], source["source_project"], source["source"], source["source_path"]) == (
        inventory["id"],
        project["id"],
        "scm",
        "inventories/testbed/hosts.yml",
    )

    templates = load_yaml(AWX_DIR / "job_templates.yml")["qsafe_awx_job_templates"]
    for template in templates:
        jt = fake.find("job_templates", template["name"])
        assert (jt["inventory"], jt["project"], jt["execution_environment"]) == (
            inventory["id"],
            project["id"],
            ee["id"],
        )
        assert jt["playbook"] == template["playbook"] and jt["job_type"] == "run"
        assert jt["survey_enabled"] is True and jt["allow_simultaneous"] is True
        assert json.loads(jt["extra_vars"]) == template["extra_vars"]
        assert fake.surveys[jt["id"]] == template["survey_spec"]
        attached = [fake.objects["credentials"][c]["name"] for c in fake.jt_credentials[jt["id"]]]
        assert attached == template["credentials"]


def check_second_run_sends_no_write(awx, tmp_path):
    awx.fake.requests.clear()
    proc = register(awx, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert [(r.method, r.path) for r in awx.fake.writes()] == []
    assert recap(proc)["changed"] == 0
    assert len(awx.fake.requests) > 10  # it did look everything up


def check_drift_is_repaired_with_only_the_changed_fields(awx, tmp_path):
    fake = awx.fake
    jt = fake.find("job_templates", "qsafe.slicing: slice status")
    jt["description"] = "edited by hand"
    jt["playbook"] = "other.yml"
    fake.surveys[jt["id"]]["spec"][0]["default"] = "x"
    wrong = fake.find("credentials", "qsafe NETCONF devices")["id"]
    fake.jt_credentials[jt["id"]] = [wrong]
    fake.requests.clear()

    proc = register(awx, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    writes = [(r.method, r.path, r.body) for r in fake.writes()]
    registry = fake.find("credentials", "qsafe slice registry")["id"]
    assert writes == [
        (
            "PATCH",
            f"/api/v2/job_templates/{jt['id']}/",
            {
                "description": "Slices, routes, security per hop, per-step timings, lock holder (read only)",
                "playbook": "playbooks/slice_status.yml",
            },
        ),
        ("POST", f"/api/v2/job_templates/{jt['id']}/survey_spec/", fake.surveys[jt["id"]]),
        ("POST", f"/api/v2/job_templates/{jt['id']}/credentials/", {"id": registry}),
        ("POST", f"/api/v2/job_templates/{jt['id']}/credentials/", {"id": wrong, "disassociate": True}),
    ]
    assert fake.surveys[jt["id"]]["spec"][0]["default"] == ""
    assert fake.jt_credentials[jt["id"]] == [registry]


def test_missing_credentials_fail_clearly_without_secrets(awx, tmp_path):
    proc = register(awx, tmp_path, secrets=None)
    assert proc.returncode != 0
    assert "create these credentials in AWX" in proc.stdout
    assert "qsafe NETCONF devices, qsafe KMS client, qsafe slice registry" in proc.stdout
    assert not [w for w in awx.fake.writes() if w.path.startswith("/api/v2/job_templates")]


def test_wrong_token_fails(awx, tmp_path):
    awx.fake.token = "other"  # noqa: S105 - a wrong token on purpose
    proc = register(awx, tmp_path)
    assert proc.returncode != 0 and "401" in proc.stdout
    assert awx.fake.writes() == []
