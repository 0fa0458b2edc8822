# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-play NETCONF session broker: one open session per device, reused by every task of a play.

Why: a new SSH+NETCONF session costs ~250-330 ms here, more than the device transaction itself;
a module process another ~0.8 s. The action plugins run in the Ansible worker and send each step
to this broker, which keeps the sessions open, so a step costs a few RPC round trips.

Life cycle: the first action plugin of a play spawns it (`ensure_broker`) with the pid of the
ansible-playbook process; it polls that pid and exits when the play ends (or after an idle
timeout), closing its sessions. Socket: <state dir>/brokers/broker-<hash>.sock, 0600 in a 0700
directory; peers with another uid are refused (SO_PEERCRED).

Protocol: one JSON object per line, one request per connection.
  request  {"op": "step", "connection": {...DeviceConnection}, "request": {...StepRequest}}
           {"op": "connect", "connections": [{...DeviceConnection}, ...], "wait": bool}  (open in parallel)
           {"op": "finish", "connection": {...}, "action": "confirm"|"cancel", "persist_id": str}
           {"op": "reachable"}  (every device a connect named: open, or why not)
           {"op": "takeover", "persist_ids": [...]}  (dead runs whose pending commits steps may cancel)
           {"op": "stats"} | {"op": "ping"} | {"op": "shutdown"}
  reply    {"ok": true, "result": {...}} | {"ok": false, "error": {device, step, operation,
           error_tag, error_path, error_type, error_message, msg}}
No key material ever passes: steps carry configuration only.

`connect` opens the sessions of the devices a batch of steps is about to touch in parallel
(an SSH+NETCONF connect is ~230 ms, mostly waiting on the device side; 13 devices took 3.0 s one
after the other and 1.2 s four at a time here). It changes nothing on the devices and is best
effort: a device that fails to connect is reported in the reply and again, by the broker's usual
connect-on-use, by its first step.

A session found dead before a step is reopened; if the first RPC of a request fails because the
session was lost (idle drop that the transport had not noticed yet: nothing was changed), the
broker reconnects once and retries. A session lost later in a step fails the step with the device
and step named (the device may or may not have applied it); the session is discarded.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import pathlib
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    DeviceStepError,
    failure_from,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
    DeviceConnection,
    StepRequest,
    follow_up,
    run_step,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.verify import finish_and_verify
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

MODULE = "ansible_collections.qsafe.slicing.plugins.plugin_utils._netconf_broker"
DEFAULT_IDLE_TIMEOUT = 900.0
POLL_S = 0.2
KEEPALIVE_S = 0.1
SPAWN_TIMEOUT_S = 15.0
MAX_SOCK_PATH = 100
# Parallel connects: SSH set-up is CPU on both ends (2 cores here); 4 was as good as 8.
CONNECT_WORKERS = 4
CONNECT_RETRIES = 20
# First RPC of each request kind: a session-closed failure there means nothing was changed.
FIRST_RPC = {"step": "lock", "confirm": "commit", "cancel": "cancel-commit", "verify": "get-config"}
# Step outcomes that leave a confirmed commit of the request's persist-id pending on the device.
PENDING_COMMITS = ("confirmed", "confirmed-follow-up", "pending-confirmed")
# A pending commit is extended once a third of its confirm timeout has passed since its last commit,
# while its run is active: up to max(confirm timeout, RUN_IDLE_S) after the run's last request (the
# gap between two tasks of a play - registry bookkeeping, the next device role - must not end it).
EXTEND_FRACTION = 1 / 3
RUN_IDLE_S = 30.0


class BrokerError(RuntimeError):
    """The broker could not be started or reached; the message says where its log is."""


# -- server side -----------------------------------------------------------------------------------
class _DeviceSlot:
    """One device's session and the lock that serialises its requests."""

    def __init__(self, conn: DeviceConnection, fast_send: bool) -> None:
        self.conn = conn
        self.fast_send = fast_send
        self.lock = threading.Lock()
        self.session: NetconfSession | None = None
        self.connects = 0
        self.requests = 0
        self.reconnects = 0
        self.extensions = 0
        # persist-id -> [confirm timeout s, monotonic time of its last (follow-up) commit]
        self.pending: dict[str, list[float]] = {}

    def reopen(self) -> NetconfSession:
        self.close()
        session = self.conn.open(fast_send=self.fast_send)
        self.session = session
        self.connects += 1
        return session

    def close(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            session.close()

    def call(self, kind: str, label: str | None, fn: Callable[[NetconfSession], Any]) -> Any:
        self.requests += 1
        fresh = self.session is None or not self.session.connected
        try:
            session = self.reopen() if fresh else self.session
        except Exception as exc:  # noqa: BLE001 - connect errors are reported per device
            raise failure_from(exc, self.conn.name, label) from exc
        try:
            return fn(session)
        except DeviceStepError as exc:
            lost = exc.info.get("error_tag") == "session-closed"
            if lost and not fresh and exc.info.get("operation") == FIRST_RPC.get(kind):
                self.reconnects += 1
                try:
                    session = self.reopen()
                except Exception as exc2:  # noqa: BLE001
                    raise failure_from(exc2, self.conn.name, label) from exc2
                return fn(session)
            if lost or exc.info.get("error_tag") == "timeout" or not session.connected:
                self.close()
            raise


class SessionPool:
    """Sessions by device name; a device's connection parameters changing reopens its session."""

    def __init__(self, fast_send: bool = True) -> None:
        self.fast_send = fast_send
        self._slots: dict[str, _DeviceSlot] = {}
        self._lock = threading.Lock()
        self.started = time.time()
        # persist-id -> [confirm timeout s, monotonic time of the run's last request]
        self._runs: dict[str, list[float]] = {}
        # every device a `connect` named in this play: the devices a run is about to change
        self._announced: dict[str, DeviceConnection] = {}
        # persist-ids of dead runs (from the registry, sent by the lock task): their pending
        # commits may be cancelled by a step of this play (CommitOptions.takeover)
        self.takeover: tuple[str, ...] = ()

    def reachable(self) -> dict[str, str]:
        """device -> open | connected | error text, for every device announced by `connect`:
        waits for the connects under way, retries the failed ones once (in parallel)."""
        with self._lock:
            conns = list(self._announced.values())
        return self.connect(conns, wait=True) if conns else {}

    def slot(self, conn: DeviceConnection) -> _DeviceSlot:
        with self._lock:
            slot = self._slots.get(conn.name)
            if slot is None or slot.conn != conn:
                if slot is not None:
                    slot.close()
                slot = _DeviceSlot(conn, self.fast_send)
                self._slots[conn.name] = slot
            return slot

    def step(self, conn: DeviceConnection, request: StepRequest) -> dict[str, Any]:
        slot = self.slot(conn)
        persist_id = request.commit.persist_id if request.commit.mode == "confirmed" else None
        if persist_id:
            self.touch_run(persist_id, request.commit.confirm_timeout)
            if not request.commit.takeover and self.takeover:
                request.commit.takeover = self.takeover
        with slot.lock:
            result = slot.call("step", request.step_name, lambda s: run_step(s, request))
            if persist_id and result.commit in PENDING_COMMITS:
                slot.pending[persist_id] = [float(request.commit.confirm_timeout), time.monotonic()]
        return dict(result.to_dict(), session_connects=slot.connects)

    # -- keeping a run's confirmed commits alive while it runs ------------------------------------
    def touch_run(self, persist_id: str, confirm_timeout: float) -> None:
        """The run with this persist-id is active now (a request of it arrived)."""
        with self._lock:
            self._runs[persist_id] = [float(confirm_timeout), time.monotonic()]

    def extend_pending(self, now: float | None = None) -> list[tuple[str, str, str]]:
        """Follow-up confirmed commits for the pending commits that need one; [(device, pid, outcome)].

        A run's commits are extended while the run is active: until max(confirm timeout,
        RUN_IDLE_S) after its last request (a step). A controller that dies takes the broker with
        it, so its devices revert within one confirm timeout; one that hangs stops being extended
        after that window. A device busy with a request is skipped (that request commits or finishes anyway).
        """
        done = []
        now = time.monotonic() if now is None else now
        with self._lock:
            slots = list(self._slots.values())
            runs = {k: list(v) for k, v in self._runs.items()}
        for slot in slots:
            due = [
                pid
                for pid, (timeout, last) in slot.pending.items()
                if now - last >= timeout * EXTEND_FRACTION
                and pid in runs
                and now - runs[pid][1] <= max(runs[pid][0], RUN_IDLE_S)
            ]
            if not due or not slot.lock.acquire(blocking=False):
                continue
            try:
                for pid in due:
                    timeout = int(slot.pending[pid][0])
                    try:
                        outcome = slot.call(
                            "step", f"extend {pid}", lambda s, p=pid, t=timeout: follow_up(s, p, t)
                        )
                    except Exception as exc:  # noqa: BLE001 - retried next tick; the read-back decides
                        done.append((slot.conn.name, pid, f"error: {exc}"))
                        continue
                    if outcome == "ours":
                        slot.pending[pid][1] = time.monotonic()
                        slot.extensions += 1
                    else:
                        slot.pending.pop(pid, None)
                    done.append((slot.conn.name, pid, outcome))
            finally:
                slot.lock.release()
        return done

    def connect(
        self, conns: list[DeviceConnection], wait: bool = True, workers: int = CONNECT_WORKERS
    ) -> dict[str, str]:
        """Open the sessions of conns in parallel (best effort); device -> open | connected | error text.

        wait=False returns at once ({device: "started"}) and connects in the background, in list
        order: a step for a device waits on that device's slot lock, so the first steps run while
        the later devices are still connecting.
        """

        def one(conn: DeviceConnection) -> tuple[str, str]:
            slot = self.slot(conn)
            with slot.lock:
                if slot.session is not None and slot.session.connected:
                    return conn.name, "open"
                try:
                    slot.reopen()
                except Exception as exc:  # noqa: BLE001 - reported, retried by the device's first step
                    slot.close()
                    why = failure_from(exc, conn.name, "connect").info.get("error_message")
                    return conn.name, f"error: {why}"
                return conn.name, "connected"

        unique = list({c.name: c for c in conns}.values())
        if not unique:
            return {}
        with self._lock:
            for conn in unique:
                self._announced[conn.name] = conn

        def run_all() -> dict[str, str]:
            with ThreadPoolExecutor(max_workers=max(1, min(workers, len(unique)))) as pool:
                return dict(pool.map(one, unique))

        if wait:
            return run_all()
        threading.Thread(target=run_all, name="broker-connect", daemon=True).start()
        return {c.name: "started" for c in unique}

    def finish(
        self,
        conn: DeviceConnection,
        action: str,
        persist_id: str,
        steps: list[dict[str, Any]] | None = None,
        state: str | None = None,
    ) -> dict[str, Any]:
        """confirm / cancel / verify on one device; with steps, the device is read back after."""
        slot = self.slot(conn)
        label = f"{action} {persist_id}" if action != "verify" else "verify (read back)"
        if persist_id and action != "verify":
            with self._lock:
                self._runs.pop(persist_id, None)

        def run(session: NetconfSession) -> dict[str, Any]:
            try:
                return finish_and_verify(session, action, persist_id, steps, state)
            except Exception as exc:  # noqa: BLE001
                raise failure_from(exc, conn.name, label) from exc

        with slot.lock:
            if action != "verify":
                slot.pending.pop(persist_id, None)
            return slot.call(action, label, run)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "pid": os.getpid(),
                "uptime_s": round(time.time() - self.started, 3),
                "devices": {
                    name: {
                        "connects": s.connects,
                        "requests": s.requests,
                        "reconnects": s.reconnects,
                        "extensions": s.extensions,
                        "connected": bool(s.session and s.session.connected),
                        "session_id": s.session.session_id if s.session else None,
                    }
                    for name, s in self._slots.items()
                },
            }

    def close(self) -> None:
        with self._lock:
            for slot in self._slots.values():
                with contextlib.suppress(Exception):
                    slot.close()


class _Handler(socketserver.StreamRequestHandler):
    server: BrokerServer

    def handle(self) -> None:
        if not self.server.peer_allowed(self.request):
            return
        self.server.touch()
        line = self.rfile.readline()
        try:
            reply = {"ok": True, "result": self.server.dispatch(json.loads(line))}
        except DeviceStepError as exc:
            reply = {"ok": False, "error": exc.to_dict()}
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
            err = failure_from(exc, "?", None).to_dict()
            reply = {"ok": False, "error": err}
        self.server.touch()
        self.wfile.write(json.dumps(reply).encode() + b"\n")


class BrokerServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    # socketserver's default backlog is 5; a Unix-socket client with a timeout (non-blocking
    # connect) gets EAGAIN, not a wait, when the backlog is full (seen with 8 parallel confirms).
    request_queue_size = 128

    def __init__(self, path: str, parent_pid: int, idle_timeout: float, fast_send: bool = True) -> None:
        self.pool = SessionPool(fast_send=fast_send)
        self.parent_pid = parent_pid
        self.parent_start = process_start_time(parent_pid)
        self.idle_timeout = idle_timeout
        self.last_used = time.monotonic()
        self.path = path
        old_umask = os.umask(0o177)
        try:
            super().__init__(path, _Handler)
        finally:
            os.umask(old_umask)
        os.chmod(path, 0o600)

    def touch(self) -> None:
        self.last_used = time.monotonic()

    def peer_allowed(self, sock: socket.socket) -> bool:
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return uid == os.getuid()

    def dispatch(self, msg: dict[str, Any]) -> Any:
        op = msg.get("op")
        if op == "step":
            return self.pool.step(
                DeviceConnection.from_dict(msg["connection"]), StepRequest.from_dict(msg["request"])
            )
        if op == "connect":
            conns = [DeviceConnection.from_dict(c) for c in msg.get("connections") or []]
            return self.pool.connect(conns, wait=bool(msg.get("wait", True)))
        if op == "finish":
            return self.pool.finish(
                DeviceConnection.from_dict(msg["connection"]),
                msg["action"],
                msg.get("persist_id"),
                msg.get("steps"),
                msg.get("state"),
            )
        if op == "reachable":
            return self.pool.reachable()
        if op == "takeover":
            self.pool.takeover = tuple(str(p) for p in msg.get("persist_ids") or () if p)
            return {"takeover": list(self.pool.takeover)}
        if op == "stats":
            return self.pool.stats()
        if op == "ping":
            return {"pid": os.getpid()}
        if op == "shutdown":
            threading.Thread(target=self.shutdown, daemon=True).start()
            return {"pid": os.getpid()}
        raise ValueError(f"unknown broker op {op!r}")

    def should_exit(self) -> str | None:
        if not parent_alive(self.parent_pid, self.parent_start):
            return f"parent {self.parent_pid} exited"
        if time.monotonic() - self.last_used > self.idle_timeout:
            return f"idle for {self.idle_timeout:.0f} s"
        return None

    def keep_alive(self) -> None:
        """Extend the active runs' pending confirmed commits (see SessionPool.extend_pending)."""
        while True:
            time.sleep(KEEPALIVE_S)
            for device, pid, outcome in self.pool.extend_pending():
                if outcome != "ours":
                    sys.stderr.write(f"broker {os.getpid()}: extend {pid} on {device}: {outcome}\n")
                    sys.stderr.flush()

    def watch(self) -> None:
        while True:
            time.sleep(POLL_S)
            reason = self.should_exit()
            if reason:
                sys.stderr.write(f"broker {os.getpid()}: exiting ({reason})\n")
                sys.stderr.flush()
                self.shutdown()
                return


def process_start_time(pid: int) -> str | None:
    """Start time of pid (field 22 of /proc/pid/stat), to tell a reused pid from the original."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def parent_alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if start is not None and process_start_time(pid) != start:
        return False
    stat = pathlib.Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def serve(path: str, parent_pid: int, idle_timeout: float, fast_send: bool = True) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    server = BrokerServer(path, parent_pid, idle_timeout, fast_send=fast_send)
    threading.Thread(target=server.watch, daemon=True).start()
    threading.Thread(target=server.keep_alive, daemon=True).start()
    try:
        server.serve_forever(poll_interval=POLL_S)
    finally:
        server.server_close()
        server.pool.close()
        # A clean exit leaves nothing behind (the log is kept only when the broker crashed).
        for leftover in (
            path,
            str(pathlib.Path(path).with_suffix(".lock")),
            str(pathlib.Path(path).with_suffix(".log")),
        ):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)


# -- client side -----------------------------------------------------------------------------------
def play_pid() -> int:
    """The ansible-playbook (or ansible) process this worker belongs to; else the parent pid.

    An orphaned worker (its play was killed: parent is init) gets BrokerError: a broker watching
    pid 1 would outlive the play until its idle timeout.
    """
    pid = os.getppid()
    if pid <= 1:
        raise BrokerError("the play's controller process is gone (worker orphaned); not starting a broker")
    seen = 0
    while pid > 1 and seen < 8:
        try:
            cmd = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        if any(os.path.basename(part.decode(errors="replace")).startswith("ansible") for part in cmd[:2]):
            return pid
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        seen += 1
    return os.getppid()


def default_state_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("QSAFE_STATE_DIR") or pathlib.Path.cwd() / ".state")


def socket_path(parent_pid: int, state_dir: str | os.PathLike[str] | None = None) -> pathlib.Path:
    """<state>/brokers/broker-<hash>.sock; /tmp/qsafe-brokers-<uid>/ when that path is too long."""
    token = f"{parent_pid}:{process_start_time(parent_pid)}"
    name = f"broker-{hashlib.sha256(token.encode()).hexdigest()[:16]}.sock"
    base = pathlib.Path(state_dir) if state_dir else default_state_dir()
    path = base / "brokers" / name
    if len(str(path)) > MAX_SOCK_PATH:
        path = pathlib.Path(f"/tmp/qsafe-brokers-{os.getuid()}") / name  # noqa: S108 - 0700 dir, uid checked
    return path


def _collections_root() -> pathlib.Path:
    """Directory that contains ansible_collections/ with this collection (for the broker's import)."""
    here = pathlib.Path(__file__)
    for parent in here.parents:
        if parent.name == "ansible_collections":
            return parent.parent
    return here.parents[3]  # not expected: the collection loader always imports from ansible_collections/


def _private_dir(path: pathlib.Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = path.stat()
    if st.st_uid != os.getuid():
        raise BrokerError(f"{path} belongs to another user")
    if st.st_mode & 0o077:
        path.chmod(0o700)


class BrokerClient:
    """Talks to one broker socket (one request per connection)."""

    def __init__(self, path: str | os.PathLike[str], timeout: float = 300.0) -> None:
        self.path = str(path)
        self.timeout = timeout

    def request(self, msg: dict[str, Any]) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(self.timeout)
            for attempt in range(CONNECT_RETRIES):
                try:
                    sock.connect(self.path)
                    break
                except BlockingIOError:
                    # Backlog full for a moment (many parallel requests): nothing was sent yet.
                    if attempt == CONNECT_RETRIES - 1:
                        raise
                    time.sleep(0.005 * (attempt + 1))
            sock.sendall(json.dumps(msg).encode() + b"\n")
            with sock.makefile("rb") as f:
                line = f.readline()
        if not line:
            raise BrokerError(f"broker at {self.path} closed the connection without a reply")
        return json.loads(line)

    def alive(self) -> bool:
        try:
            return bool(self.request({"op": "ping"}).get("ok"))
        except (OSError, ValueError, BrokerError):
            return False

    def step(self, conn: DeviceConnection, request: StepRequest) -> dict[str, Any]:
        return self.request({"op": "step", "connection": conn.__dict__, "request": request.to_dict()})

    def connect(self, conns: list[DeviceConnection], wait: bool = True) -> dict[str, Any]:
        return self.request({"op": "connect", "connections": [c.__dict__ for c in conns], "wait": wait})

    def finish(
        self,
        conn: DeviceConnection,
        action: str,
        persist_id: str | None,
        steps: list[dict[str, Any]] | None = None,
        state: str | None = None,
    ) -> dict[str, Any]:
        msg = {"op": "finish", "connection": conn.__dict__, "action": action, "persist_id": persist_id}
        if steps:
            msg.update(steps=steps, state=state)
        return self.request(msg)

    def stats(self) -> dict[str, Any]:
        return self.request({"op": "stats"})["result"]

    def takeover(self, persist_ids: list[str]) -> dict[str, Any]:
        return self.request({"op": "takeover", "persist_ids": list(persist_ids)})

    def reachable(self) -> dict[str, str]:
        reply = self.request({"op": "reachable"})
        if not reply.get("ok"):
            raise BrokerError(str((reply.get("error") or {}).get("msg")))
        return reply["result"]


def ensure_broker(
    parent_pid: int | None = None,
    state_dir: str | os.PathLike[str] | None = None,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    fast_send: bool = True,
) -> BrokerClient:
    """A client of the play's broker, spawning the broker first if it is not running."""
    pid = parent_pid or play_pid()
    path = socket_path(pid, state_dir)
    client = BrokerClient(path)
    if client.alive():
        return client
    _private_dir(path.parent)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if client.alive():
            return client
        log = path.with_suffix(".log")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_collections_root()), env.get("PYTHONPATH")]))
        argv = [
            sys.executable,
            "-m",
            MODULE,
            "--socket",
            str(path),
            "--parent-pid",
            str(pid),
            "--idle-timeout",
            str(idle_timeout),
        ]
        if not fast_send:
            argv.append("--no-fast-send")
        with open(log, "ab") as out:
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=env,
                start_new_session=True,
                close_fds=True,
            )
        deadline = time.monotonic() + SPAWN_TIMEOUT_S
        while time.monotonic() < deadline:
            if client.alive():
                return client
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise BrokerError(f"the NETCONF session broker did not start (socket {path}, log {log}): {tail}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="qsafe.slicing NETCONF session broker (one per play)")
    ap.add_argument("--socket", required=True)
    ap.add_argument("--parent-pid", type=int, required=True)
    ap.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_TIMEOUT)
    ap.add_argument("--no-fast-send", action="store_true")
    args = ap.parse_args(argv)
    serve(args.socket, args.parent_pid, args.idle_timeout, fast_send=not args.no_fast_send)


if __name__ == "__main__":
    main()
