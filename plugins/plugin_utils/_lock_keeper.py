# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hold the orchestrator lock across the tasks of a play: a small keeper process.

Ansible runs every task in a fresh process, so a lock taken inside one task dies when the
task ends. The keeper is a separate process started by the task (an action plugin runs in the
controller's worker, whose parent is the ansible-playbook process): it takes the lock,
reports back, and keeps it until `stop_lock_keeper()` is called or the watched process
(ansible-playbook) exits, however it exits. Since the lock itself still lives in the
keeper's fcntl lock / PostgreSQL session, a SIGKILLed keeper releases it too. When the watched
process exits without an unlock (a killed controller), the keeper marks the slices it leaves in
provisioning/deprovisioning failed as it releases the lock (`recover_stale`), so no slice stays
"stale" until another run comes.

Where the lock is: next to the registry it protects. The caller resolves the registry's location
(`resolve_registry_config`: a DSN, or the SQLite file as an absolute path, by the precedence of
`select_backend`, relative paths and the `.state` default taken from the caller's cwd and
environment) before the keeper starts, so the keeper (which runs with cwd `/`) locks
`<state dir>/registry.sqlite3.lock` of the same registry whatever its own cwd.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    open_registry,
    select_backend,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.errors import (
    LockTimeout,
    RegistryError,
    RegistryInputError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.sql import pid_alive


def _wait_for_exit_or_term(watch_pid: int, stop: list[bool], wakeup_fd: int) -> None:
    """Return when watch_pid exits or SIGTERM arrives (the signal wakes select via wakeup_fd)."""
    try:
        pidfd = os.pidfd_open(watch_pid)
    except (AttributeError, OSError):
        pidfd = None
    watched = [wakeup_fd] if pidfd is None else [wakeup_fd, pidfd]
    while not stop[0] and pid_alive(watch_pid):
        ready = select.select(watched, [], [], 0.2 if pidfd is None else 5.0)[0]
        if pidfd is not None and pidfd in ready:
            return
        if wakeup_fd in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wakeup_fd, 512)


def _keeper_main(config: dict, holder: str, timeout_s: float, watch_pid: int, report_fd: int) -> None:
    stop = [False]
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.__setitem__(0, True))
    try:
        registry = open_registry(**config)
        info = registry.acquire_lock(timeout_s=timeout_s, holder=holder)
    except RegistryError as exc:
        holder_info = getattr(exc, "holder", None)
        report = {"ok": False, "error": type(exc).__name__, "message": str(exc), "holder": holder_info}
        os.write(report_fd, json.dumps(report).encode())
        return
    os.write(report_fd, json.dumps({"ok": True, "info": {**info, "keeper_pid": os.getpid()}}).encode())
    os.close(report_fd)
    try:
        _wait_for_exit_or_term(watch_pid, stop, wake_read)
    finally:
        registry.release_lock()
        if not stop[0]:
            # The controller died holding the lock (killed, crashed: no unlock came). Its slice
            # would stay "provisioning (stale)" until the next lock taker noticed; mark it failed
            # now (reservation kept until a deprovision finds the devices clean: they revert the
            # unconfirmed commits by themselves within the confirm timeout).
            with contextlib.suppress(RegistryError):
                registry.recover_stale()
        registry.close()


def _collections_root() -> str | None:
    """The sys.path entry that holds this file's `ansible_collections/` (symlinks kept)."""
    path = os.path.abspath(__file__)
    for _level in range(5):
        path = os.path.dirname(path)
    return os.path.dirname(path) if os.path.basename(path) == "ansible_collections" else None


def resolve_registry_config(config: dict) -> dict:
    """open_registry() arguments naming the registry absolutely: {"dsn": ...} or {"path": abs path}.

    Resolved in the calling process (its cwd and environment), so that another process, whatever
    its cwd, opens the same registry and the same lock file.
    """
    kind, where = select_backend(
        dsn=config.get("dsn") or None,
        path=config.get("path") or None,
        state_dir=config.get("state_dir") or None,
        project_dir=config.get("project_dir") or None,
    )
    if kind == "postgresql":
        # A DSN from the environment stays there (the keeper inherits it): a DSN may hold a
        # password, and the keeper's arguments are visible to every local user.
        return {"dsn": config["dsn"]} if config.get("dsn") else {}
    return {"path": where}


def start_lock_keeper(config: dict, holder: str, timeout_s: float, watch_pid: int) -> dict:
    """Take the orchestrator lock in a keeper process; return the holder info + keeper_pid.

    `config` holds open_registry() keyword arguments (dsn / path / state_dir / project_dir).
    Raises LockTimeout (naming the current holder) when the lock stays busy for timeout_s.
    The keeper is a fresh interpreter, not a bare fork: SQLite's per-process lock state and
    open DB connections must not be inherited.
    """
    if (
        isinstance(watch_pid, bool)
        or not isinstance(watch_pid, int)
        or watch_pid <= 0
        or not pid_alive(watch_pid)
    ):
        raise RegistryInputError(f"watch_pid: {watch_pid!r} is not a running process")
    config = resolve_registry_config(config)
    read_fd, write_fd = os.pipe()
    paths = [p for p in (_collections_root(), *sys.path) if p]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    job = json.dumps([config, holder, timeout_s, watch_pid, write_fd])
    code = f"import sys; from {__name__} import _keeper_entry; _keeper_entry(sys.argv[1])"
    try:
        subprocess.Popen(
            [sys.executable, "-c", code, job],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write_fd,),
            start_new_session=True,  # not killed with the task's process group
            env=env,
            cwd="/",
        )
    finally:
        os.close(write_fd)
    chunks = []
    try:
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
    if not chunks:
        raise RegistryError("orchestrator lock keeper died before reporting whether it got the lock")
    report = json.loads(b"".join(chunks))
    if report["ok"]:
        return report["info"]
    if report["error"] == "LockTimeout":
        raise LockTimeout(report["message"], report.get("holder"))
    raise RegistryError(report["message"])


def _keeper_entry(job: str) -> None:
    config, holder, timeout_s, watch_pid, report_fd = json.loads(job)
    try:
        _keeper_main(config, holder, timeout_s, watch_pid, report_fd)
    except Exception as exc:  # noqa: BLE001 - report anything rather than die silently
        with contextlib.suppress(OSError):
            os.write(
                report_fd,
                json.dumps({"ok": False, "error": type(exc).__name__, "message": str(exc)}).encode(),
            )


def stop_lock_keeper(config: dict, token: str, keeper_pid: int, timeout_s: float = 10.0) -> bool:
    """Make the keeper holding `token` release the lock; False if it no longer holds it.

    The token is checked against the live lock holder first, so a recycled pid is never
    signalled.
    """
    with open_registry(**resolve_registry_config(config)) as registry:
        live = registry.lock_holder()
        if not live or live.get("token") != token or live.get("pid") != keeper_pid:
            return False
        os.kill(keeper_pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            live = registry.lock_holder()
            if not live or live.get("token") != token:
                return True
            time.sleep(0.02)
    raise RegistryError(f"lock keeper pid {keeper_pid} still held the lock {timeout_s} s after SIGTERM")
