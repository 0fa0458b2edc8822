# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start and stop lab daemons that outlive the Python process that started them.

Pids are recorded in the lab dir; before signalling a recorded pid we check /proc that it still
runs our command line (mentions the lab dir), so a recycled pid is never killed.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import subprocess
import time


def spawn(argv: list[str], log: pathlib.Path, env: dict[str, str] | None = None) -> int:
    """Start a daemon in its own session, output to log; return its pid."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(  # noqa: S603
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
    _CHILDREN[proc.pid] = proc
    return proc.pid


# Popen objects of daemons started by this process: reaped on stop so they leave no zombie.
_CHILDREN: dict[int, subprocess.Popen] = {}


def is_ours(pid: int, marker: str) -> bool:
    """True if pid is alive (not a zombie) and its command line contains marker."""
    try:
        cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state != "Z" and marker in cmdline


def alive(pid: int, marker: str) -> bool:
    """Like is_ours, but exact for daemons this process started (their title may be in flux)."""
    proc = _CHILDREN.get(pid)
    if proc is not None:
        return proc.poll() is None
    return is_ours(pid, marker)


def _reap(pid: int) -> None:
    proc = _CHILDREN.get(pid)
    if proc is not None and proc.poll() is not None:
        _CHILDREN.pop(pid, None)


def stop_all(pids: list[int], marker: str, grace_s: float = 5.0) -> None:
    """SIGTERM every pid at once, wait for all (in parallel), SIGKILL what is left after grace_s."""
    live = [p for p in pids if is_ours(p, marker)]
    for pid in live:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while live and time.monotonic() < deadline:
        for pid in live:
            _reap(pid)
        live = [p for p in live if is_ours(p, marker)]
        if live:
            time.sleep(0.05)
    for pid in live:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    end = time.monotonic() + 2
    while live and time.monotonic() < end:
        for pid in live:
            _reap(pid)
        live = [p for p in live if is_ours(p, marker)]
        if live:
            time.sleep(0.02)
    for pid in pids:
        proc = _CHILDREN.pop(pid, None)
        if proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=1)


LAB_PROGRAMS = ("netconfd", "sshd", "relay.py", "netconf-subsystem")


def sweep(marker: str) -> list[int]:
    """Kill leftover lab programs (relays, subsystems) whose command line mentions marker."""
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if any(p in cmdline for p in LAB_PROGRAMS) and is_ours(int(proc.name), marker):
            found.append(int(proc.name))
    for pid in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return found
