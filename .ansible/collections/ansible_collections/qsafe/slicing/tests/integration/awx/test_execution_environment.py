# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""meta/execution-environment.yml: `ansible-builder create` makes a complete build context.

Only the build context is produced here (no container engine in this environment); the image
build itself (`ansible-builder build`) is not run. The test builds the collection tarball the EE
installs, runs the real ansible-builder (pinned in requirements-dev.txt) in a temp dir laid out
like the repository, and checks the Containerfile and the files it copies.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import yaml

from tests.integration.awx.conftest import ROOT

BIN = ROOT / ".venv" / "bin"
EE_FILE = ROOT / "meta" / "execution-environment.yml"


def test_ee_definition_follows_the_collection_version():
    ee = yaml.safe_load(EE_FILE.read_text())
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    tarball = f"qsafe-slicing-{version}.tar.gz"
    assert ee["version"] == 3
    assert ee["dependencies"]["python"] == "../requirements.txt"
    assert ee["dependencies"]["system"] == "../bindep.txt"
    assert ee["dependencies"]["galaxy"]["collections"] == [{"name": f"collections/{tarball}", "type": "file"}]
    assert ee["additional_build_files"] == [{"src": f"../.build/dist/{tarball}", "dest": "collections"}]
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    assert ee["dependencies"]["ansible_core"]["package_pip"] == f"ansible-core=={pins['ansible-core']}"


def test_ansible_builder_create_produces_the_build_context(tmp_path: Path):
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    (tmp_path / "meta").mkdir()
    shutil.copy(EE_FILE, tmp_path / "meta")
    for name in ("requirements.txt", "bindep.txt"):
        shutil.copy(ROOT / name, tmp_path)
    build = subprocess.run(
        [BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / ".build" / "dist", ROOT],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr

    create = subprocess.run(
        [
            BIN / "ansible-builder",
            "create",
            "-f",
            "meta/execution-environment.yml",
            "-c",
            "context",
            "--output-filename",
            "Containerfile",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert create.returncode == 0, create.stdout + create.stderr
    context = tmp_path / "context"
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core==2.19.14 ansible-runner==2.4.3"' in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile
    assert "introspect --user-pip=requirements.txt --user-bindep=bindep.txt" in containerfile
    assert "RUN /output/scripts/assemble" in containerfile and "install-from-bindep" in containerfile

    built = context / "_build"
    assert (built / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
    assert (built / "bindep.txt").read_text() == (ROOT / "bindep.txt").read_text()
    assert yaml.safe_load((built / "requirements.yml").read_text()) == {
        "collections": [{"name": f"collections/qsafe-slicing-{version}.tar.gz", "type": "file"}]
    }
    with tarfile.open(built / "collections" / f"qsafe-slicing-{version}.tar.gz") as tar:
        names = set(tar.getnames())
    assert {"MANIFEST.json", "roles/slice_provision/tasks/main.yml", "playbooks/provision_slice.yml"} <= names
    assert not any(n.startswith((".venv/", "devel/qsafe_lab/", ".lab/")) for n in names)

    # The builder stage's introspection (the script the Containerfile runs) must see every pin.
    out = tmp_path / "introspected.txt"
    (tmp_path / "no-collections").mkdir()
    intro = subprocess.run(
        [
            BIN / "python",
            built / "scripts" / "introspect.py",
            "introspect",
            tmp_path / "no-collections",
            f"--user-pip={built / 'requirements.txt'}",
            f"--user-bindep={built / 'bindep.txt'}",
            f"--write-pip={out}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert intro.returncode == 0, intro.stderr
    wanted = [
        ln for ln in (ROOT / "requirements.txt").read_text().splitlines() if ln and not ln.startswith("#")
    ]
    got = [ln.split("#")[0].strip() for ln in out.read_text().splitlines()]
    assert wanted == got
