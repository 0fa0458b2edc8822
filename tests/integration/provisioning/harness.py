# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drive the slice playbooks against a lab and read every device back (tests and bench share it).

Real parts only: `ansible-playbook` runs the collection's playbooks on a lab started by the
project's fixtures; device state is read with get-config over NETCONF; the registry is read
through its public API. Nothing here fakes a device result.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[3]
VENV_BIN = ROOT / ".venv" / "bin"
COLLECTIONS = ROOT / ".venv" / "collections"
INVENTORY = ROOT / "inventories" / "testbed"


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    seconds: float

    @property
    def recap(self) -> dict[str, int]:
        """localhost's PLAY RECAP counters (ok, changed, failed, ...)."""
        m = re.search(r"localhost\s+:\s+(.*)", self.stdout.split("PLAY RECAP")[-1])
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))} if m else {}


def playbook_env(lab_dir: pathlib.Path | str, state_dir: pathlib.Path | str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QSAFE_LAB_DIR=str(lab_dir),
        QSAFE_STATE_DIR=str(state_dir),
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        PYTHONDONTWRITEBYTECODE="1",
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    env.pop("QSAFE_REGISTRY_DSN", None)
    env.pop("QSAFE_REGISTRY_PATH", None)
    return env


def playbook_argv(playbook: str, extra_vars: dict[str, Any] | None = None, *flags: str) -> list[str]:
    argv = [str(VENV_BIN / "ansible-playbook"), "-i", str(INVENTORY), str(ROOT / "playbooks" / playbook)]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    return argv + list(flags)


def run_playbook(
    playbook: str,
    lab_dir: pathlib.Path | str,
    state_dir: pathlib.Path | str,
    extra_vars: dict[str, Any] | None = None,
    *flags: str,
    timeout: float = 300,
) -> PlaybookRun:
    started = time.perf_counter()
    proc = subprocess.run(
        playbook_argv(playbook, extra_vars, *flags),
        cwd=ROOT,
        env=playbook_env(lab_dir, state_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return PlaybookRun(proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - started)


def start_playbook(
    playbook: str,
    lab_dir: pathlib.Path | str,
    state_dir: pathlib.Path | str,
    extra_vars: dict[str, Any] | None = None,
    *flags: str,
) -> subprocess.Popen:
    """Start ansible-playbook in its own process group (so a test can SIGKILL the controller)."""
    return subprocess.Popen(
        playbook_argv(playbook, extra_vars, *flags),
        cwd=ROOT,
        env=playbook_env(lab_dir, state_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def kill_controller(proc: subprocess.Popen) -> None:
    """SIGKILL ansible-playbook and its workers (the whole process group), as a crash would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def run_processes(state_dir: pathlib.Path | str) -> list[int]:
    """Pids of live processes started for runs on this state dir: ansible-playbook, its workers,
    the session broker and the lock keeper all inherit QSAFE_STATE_DIR=<state_dir> (zombies are
    not counted: they hold nothing)."""
    marker = f"QSAFE_STATE_DIR={state_dir}".encode()
    found = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if (entry / "stat").read_text().split(") ", 1)[1].startswith("Z"):
                continue
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def wait_no_run_processes(state_dir: pathlib.Path | str, timeout: float = 20.0) -> list[int]:
    """Wait until no process of this state dir's runs is left; the ones still alive at timeout."""
    deadline = time.monotonic() + timeout
    while True:
        left = run_processes(state_dir)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def lab_devices(lab_desc: dict[str, Any]) -> list[str]:
    return sorted(lab_desc["devices"])


def running_configs(lab_desc: dict[str, Any], devices: list[str] | None = None) -> dict[str, str]:
    """get-config running of every lab device, as the device sends it (byte comparison)."""
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    def read(device: str) -> str:
        with NetconfSession.from_lab(device, lab_desc) as session:
            return session.get_config("running")

    names = devices or lab_devices(lab_desc)
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(names, pool.map(read, names), strict=True))


def config_differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(d for d in before if before[d] != after.get(d))


def open_registry(state_dir: pathlib.Path | str):
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import open_registry as _open

    return _open(state_dir=str(state_dir))


def python() -> str:
    return str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
