# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The orchestrator lock lives next to the registry it protects, whatever the cwd and the user.

The slice_registry action is run the way Ansible runs it (its operations called in a worker
process whose cwd is the operator's directory, no QSAFE_STATE_DIR): lock, status during the run,
unlock. Once as the current user from a directory that is not the repository, once as an
unprivileged user (`nobody`, via setpriv) with a writable state dir only.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import json, os, subprocess, sys
    from ansible_collections.qsafe.slicing.plugins.plugin_utils._slice_registry import run_action, run_query
    play = subprocess.Popen(["sleep", "60"])
    try:
        base = {"dsn": None, "path": None, "state_dir": None, "slice_id": None}
        lock = run_action(dict(base, action="lock", holder="provision s1", timeout=5), False, play.pid)
        during = run_query(dict(base, query="list", state=None))
        unlock = run_action(dict(base, action="unlock", lock_token=lock["lock"]["token"],
                                 keeper_pid=lock["lock"]["keeper_pid"]), False, play.pid)
        after = run_query(dict(base, query="list", state=None))
    finally:
        play.kill()
        play.wait()
    print(json.dumps({"lock": lock["lock"], "during": during["lock_holder"], "backend": during["backend"],
                      "released": unlock["released"], "after": after["lock_holder"]}))
    """
)


# The venv's interpreter may live under root's home (pyenv), out of reach of another user: the
# unprivileged run uses the system interpreter of the same version with the venv's packages.
SYSTEM_PYTHON = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
SITE = ROOT / ".venv" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QSAFE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / ".venv" / "collections"), str(ROOT), str(SITE)])
    return env


def _check(out: str, cwd: pathlib.Path) -> None:
    got = json.loads(out.strip().splitlines()[-1])
    db = cwd / ".state" / "registry.sqlite3"
    assert got["backend"] == f"sqlite:{db}"
    assert got["during"] is not None, "status saw no lock holder while the run held the lock"
    assert got["during"]["token"] == got["lock"]["token"]
    assert got["during"]["holder"] == "provision s1"
    assert got["released"] is True
    assert got["after"] is None
    assert (cwd / ".state" / "registry.sqlite3.lock").exists()


def test_lock_next_to_the_registry_from_another_cwd(tmp_path):
    work = tmp_path / "operator"
    work.mkdir()
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=work, env=_env(), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    _check(proc.stdout, work)


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("setpriv") or not os.path.exists(SYSTEM_PYTHON),
    reason="needs root (to drop to nobody), setpriv and the system interpreter",
)
def test_lock_as_an_unprivileged_operator():
    # pytest's tmp_path sits in a 0700 directory of root: use a directory nobody can reach.
    work = pathlib.Path(tempfile.mkdtemp(prefix="qsafe-operator-", dir="/tmp"))
    try:
        shutil.chown(work, "nobody", "nogroup")
        argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", SYSTEM_PYTHON, "-c", SCRIPT]
        env = dict(_env(), HOME=str(work))
        proc = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        _check(proc.stdout, work)
        assert (work / ".state" / "registry.sqlite3").stat().st_uid != 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
