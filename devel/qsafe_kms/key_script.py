# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key-script daemon: one per key host; runs the host's key streams and rotates card keys.

Reconciler: every `poll_s` it reads /key-streams/stream from its key host over NETCONF (the
provisioning roles write that list) and starts, restarts or stops one worker per enabled
stream. Each stream has a primary end (master SAE) and a secondary end (slave SAE) on two
key hosts. Every refresh-interval seconds the primary:

  1. fetches a new key from its KME (ETSI 014 enc_keys);
  2. hands the key ID to the secondary over a local socket (handoff dir, one UNIX socket per
     secondary SAE); the secondary redeems it at its own KME (dec_keys) and commits, on its
     card, banks {current := the key that was in next, next := the new key}, then answers;
  3. commits the same bank change on its own card.

So the key that becomes current has sat in the next bank for a whole period on both cards
(traffic never waits for a key) and both ends switch within one write of each other. Key
bits go only to the cards' key-material leaves, in each card's key-bank agent (NACM: writable by
the key-script identity, readable by nobody; never saved to a file), which provisioning's
confirmed commits on the card never block; key IDs, counts, ages and errors go to the stream's
status container and to state(). Failed cycles keep the current key, record last-error and retry next period.

Run: python -m qsafe_kms.key_script --lab-json .lab/lab.json --host keys-a [--handoff-dir D]
     [--metrics-port 9465]   (Prometheus text metrics on 127.0.0.1: rotations, failures, key age
                              per stream, keys served by method; see KeyScriptMetrics)
Stop: SIGTERM (or KeyScriptDaemon.stop()).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET  # noqa: S405 - parses replies of the configured device
from dataclasses import dataclass, field
from pathlib import Path

from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession
from qsafe_lab.lab import key_bank_session

from qsafe_kms.client import KmsClient, KmsError

log = logging.getLogger("qsafe_kms.key_script")
KS_NS = "urn:qsafe:yang:key-stream"
ENC_NS = "urn:qsafe:yang:encryptor"
LOCK_RETRY_S = 3.0


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class StreamConfig:
    name: str
    channel: str
    method: str
    role: str
    kme_url: str
    local_sae: str
    peer_sae: str
    card: str
    refresh_s: int = 3
    enabled: bool = True


def parse_streams(data_xml: str) -> list[StreamConfig]:
    """Stream list from a <data> reply of get-config on the key host."""
    root = ET.fromstring(data_xml)  # noqa: S314 - reply of our own device
    out = []
    for st in root.iter(f"{{{KS_NS}}}stream"):

        def text(tag: str, default: str | None = None, st=st) -> str | None:
            el = st.find(f"{{{KS_NS}}}{tag}")
            return el.text if el is not None and el.text is not None else default

        out.append(
            StreamConfig(
                name=text("name"),
                channel=text("channel"),
                method=text("method"),
                role=text("role"),
                kme_url=text("kme-url"),
                local_sae=text("local-sae-id"),
                peer_sae=text("peer-sae-id"),
                card=text("card"),
                refresh_s=int(text("refresh-interval", "3")),
                enabled=text("enabled", "true") == "true",
            )
        )
    return out


@dataclass
class StreamState:
    """Readable per-stream state (no key material)."""

    current_key_id: str | None = None
    next_key_id: str | None = None
    switched_at: float | None = None
    rotations: int = 0
    failures: int = 0
    keys_served: int = 0  # keys this end obtained from its KME (enc_keys as primary, dec_keys as secondary)
    last_error: str = ""
    history: list[tuple[float, str]] = field(default_factory=list)

    def view(self) -> dict:
        age = None if self.switched_at is None else round(time.time() - self.switched_at, 3)
        return {
            "current_key_id": self.current_key_id,
            "next_key_id": self.next_key_id,
            "key_age_s": age,
            "rotations": self.rotations,
            "failures": self.failures,
            "keys_served": self.keys_served,
            "last_error": self.last_error,
        }


class CardBanks:
    """The two key banks of one encryption card, written over NETCONF as the key-script user.

    They live in the card's key-bank agent (lab.json `key_bank_port`), a datastore of its own with a
    writable running and no candidate: a write takes effect at once and never waits for, or is
    rolled back with, provisioning's locks and confirmed commits on the card's configuration.
    """

    def __init__(self, card: str, lab: dict, fast_send: bool) -> None:
        self.card, self.lab, self.fast_send = card, lab, fast_send
        self.session: NetconfSession | None = None
        self.staged: tuple[str, bytes] | None = None  # what the next bank holds (id, bits), in memory only

    def _connect(self) -> NetconfSession:
        if self.session is None or not self.session.connected:
            self.session = key_bank_session(
                self.card, self.lab, identity="keyscript", fast_send=self.fast_send, timeout=10
            ).connect()
        return self.session

    def rotate(self, new_id: str, new_key: bytes) -> str | None:
        """Commit {current := staged next, next := new}; return the key ID now current."""
        now = _now()
        banks = []
        if self.staged is not None:
            banks.append(("current", *self.staged))
        banks.append(("next", new_id, new_key))
        xml = (
            f'<encryptor xmlns="{ENC_NS}"><key-banks>'
            + "".join(
                f"<bank><name>{b}</name><key-id>{kid}</key-id><installed-at>{now}</installed-at>"
                f"<key-material>{base64.b64encode(bits).decode()}</key-material></bank>"
                for b, kid, bits in banks
            )
            + "</key-banks></encryptor>"
        )
        try:
            # One edit of running: both banks change together (no lock: only this worker writes them).
            self._connect().edit_config(xml, target="running")
        except NetconfOperationError:
            self.close()
            raise
        current = self.staged[0] if self.staged else None
        self.staged = (new_id, new_key)
        return current

    def close(self) -> None:
        if self.session is not None:
            with contextlib.suppress(Exception):
                self.session.close()
        self.session = None


def commit(session: NetconfSession, xml: str, default_operation: str | None = None) -> None:
    """lock candidate (retrying while provisioning holds it) -> edit -> commit -> unlock."""
    deadline = time.monotonic() + LOCK_RETRY_S
    while True:
        try:
            session.lock()
            break
        except NetconfOperationError as exc:
            if exc.error_tag not in ("lock-denied", "in-use") or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        session.edit_config(xml, target="candidate", default_operation=default_operation)
        session.commit()
    except NetconfOperationError:
        with contextlib.suppress(NetconfOperationError):
            session.discard_changes()
        raise
    finally:
        with contextlib.suppress(NetconfOperationError):
            session.unlock()


def _scrub(text: str, secret: bytes | None) -> str:
    """Error text for status/logs: never the key, in any encoding."""
    if secret:
        for form in (base64.b64encode(secret).decode(), secret.hex()):
            text = text.replace(form, "<key>")
    return text[:300]


def kme_url(value: str, kms: dict) -> str:
    """A stream's `kme-url` leaf holds a URL or, as the slice plan writes it, a KME name."""
    if "://" in value:
        return value
    try:
        return kms["kmes"][value]["url"]
    except KeyError:
        raise ValueError(f"kme-url {value!r} is neither a URL nor a KME of this lab") from None


class StreamWorker(threading.Thread):
    """Runs one stream end until stop() (primary: timer + handoff client; secondary: handoff server)."""

    def __init__(self, cfg: StreamConfig, lab: dict, handoff_dir: Path, fast_send: bool) -> None:
        super().__init__(name=f"stream-{cfg.name}-{cfg.role}", daemon=True)
        self.cfg, self.lab, self.handoff_dir = cfg, lab, handoff_dir
        self.state = StreamState()
        self._halt = threading.Event()
        kms = lab["kms"]
        sae = kms["saes"][cfg.local_sae]
        self.kms = KmsClient(kme_url(cfg.kme_url, kms), kms["ca_cert"], sae["cert"], sae["key"], timeout=5)
        self.card = CardBanks(cfg.card, lab, fast_send)
        self._server: socket.socket | None = None

    def stop(self) -> None:
        self._halt.set()
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.close()

    def run(self) -> None:
        try:
            if self.cfg.role == "primary":
                self._run_primary()
            else:
                self._run_secondary()
        finally:
            self.kms.close()
            self.card.close()

    def _record(self, ok_id: str | None, error: str = "") -> None:
        s = self.state
        if error:
            s.failures += 1
            s.last_error = error
            log.warning("stream %s (%s): %s", self.cfg.name, self.cfg.role, error)
            return
        s.last_error = ""
        s.next_key_id = self.card.staged[0] if self.card.staged else None
        if ok_id is not None:
            s.current_key_id, s.switched_at = ok_id, time.time()
            s.rotations += 1
            s.history.append((s.switched_at, ok_id))
            del s.history[:-50]

    # primary ---------------------------------------------------------------------------------
    def _run_primary(self) -> None:
        period = self.cfg.refresh_s
        next_due = time.monotonic()
        while not self._halt.is_set():
            self._cycle_primary()
            next_due += period
            if next_due < time.monotonic():  # a slow cycle: skip missed slots, do not burst
                next_due = time.monotonic() + period
            self._halt.wait(max(0.0, next_due - time.monotonic()))

    def _cycle_primary(self) -> None:
        key = None
        try:
            (key,) = self.kms.enc_keys(self.cfg.peer_sae)
            self.state.keys_served += 1
            answer = self._handoff(key.key_id)
            if not answer.get("ok"):
                raise RuntimeError(f"secondary {self.cfg.peer_sae}: {answer.get('error', 'refused')}")
            current = self.card.rotate(key.key_id, key.key)
            if current != answer.get("current"):
                raise RuntimeError(f"ends disagree on the current key: {current} vs {answer.get('current')}")
            self._record(current)
        except (KmsError, NetconfOperationError, OSError, RuntimeError, ValueError) as exc:
            self._record(None, _scrub(f"{type(exc).__name__}: {exc}", key.key if key else None))

    def _handoff(self, key_id: str) -> dict:
        path = self.handoff_dir / f"{self.cfg.peer_sae}.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(max(2.0, self.cfg.refresh_s * 0.8))
            s.connect(str(path))
            s.sendall(
                json.dumps({"stream": self.cfg.name, "master": self.cfg.local_sae, "key_ID": key_id}).encode()
                + b"\n"
            )
            data = s.makefile("rb").readline()
        return json.loads(data or b"{}")

    # secondary -------------------------------------------------------------------------------
    def _run_secondary(self) -> None:
        path = self.handoff_dir / f"{self.cfg.local_sae}.sock"
        path.unlink(missing_ok=True)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        os.chmod(path, 0o600)
        self._server.listen(4)
        self._server.settimeout(0.5)
        try:
            while not self._halt.is_set():
                try:
                    conn, _addr = self._server.accept()
                except TimeoutError:
                    continue
                except OSError:
                    break
                with conn:
                    conn.settimeout(5)
                    try:
                        req = json.loads(conn.makefile("rb").readline() or b"{}")
                        answer = self._redeem(req)
                    except (ValueError, OSError) as exc:
                        answer = {"ok": False, "error": f"bad handoff: {type(exc).__name__}"}
                    with contextlib.suppress(OSError):
                        conn.sendall(json.dumps(answer).encode() + b"\n")
        finally:
            path.unlink(missing_ok=True)

    def _redeem(self, req: dict) -> dict:
        if req.get("master") != self.cfg.peer_sae or req.get("stream") != self.cfg.name:
            return {"ok": False, "error": "handoff from an unexpected master or stream"}
        key = None
        try:
            (key,) = self.kms.dec_keys(self.cfg.peer_sae, [str(req["key_ID"])])
            self.state.keys_served += 1
            current = self.card.rotate(key.key_id, key.key)
        except (KmsError, NetconfOperationError, OSError, ValueError, KeyError) as exc:
            err = _scrub(f"{type(exc).__name__}: {exc}", key.key if key else None)
            self._record(None, err)
            return {"ok": False, "error": err}
        self._record(current)
        return {"ok": True, "current": current}


class KeyScriptDaemon:
    """Reconciles the stream workers of one key host from its NETCONF configuration."""

    def __init__(self, host: str, lab: dict, handoff_dir: Path, poll_s: float = 2.0, fast_send: bool = False):
        self.host, self.lab, self.handoff_dir, self.poll_s, self.fast_send = (
            host,
            lab,
            handoff_dir,
            poll_s,
            fast_send,
        )
        self.workers: dict[str, tuple[StreamConfig, StreamWorker]] = {}
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None
        self._session: NetconfSession | None = None
        self.last_error = ""
        self._written: dict[str, tuple] = {}

    def start(self) -> KeyScriptDaemon:
        self.handoff_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._loop, name=f"keyscript-{self.host}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._halt.set()
        if self._thread:
            self._thread.join(timeout=10)
        for _cfg, w in self.workers.values():
            w.stop()
        for _cfg, w in self.workers.values():
            w.join(timeout=10)
        self.workers.clear()
        if self._session:
            with contextlib.suppress(Exception):
                self._session.close()

    def state(self) -> dict:
        return {
            "host": self.host,
            "last_error": self.last_error,
            "streams": {
                n: {"role": c.role, "card": c.card, "method": c.method, **w.state.view()}
                for n, (c, w) in self.workers.items()
            },
        }

    def _host_session(self) -> NetconfSession:
        if self._session is None or not self._session.connected:
            self._session = NetconfSession.from_lab(
                self.host, self.lab, identity="keyscript", fast_send=self.fast_send, timeout=10
            ).connect()
        return self._session

    def _loop(self) -> None:
        while not self._halt.is_set():
            try:
                self.reconcile()
                self.write_status()
                self.last_error = ""
            except (NetconfOperationError, OSError, ET.ParseError) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                log.warning("key host %s: %s", self.host, self.last_error)
                if self._session:
                    with contextlib.suppress(Exception):
                        self._session.close()
                self._session = None
            self._halt.wait(self.poll_s)

    def reconcile(self) -> None:
        data = self._host_session().get_config(filter=f'<key-streams xmlns="{KS_NS}"/>')
        wanted = {c.name: c for c in parse_streams(data) if c.enabled}
        for name in list(self.workers):
            cfg, worker = self.workers[name]
            if wanted.get(name) != cfg or not worker.is_alive():
                worker.stop()
                worker.join(timeout=10)
                del self.workers[name]
        for name, cfg in wanted.items():
            if name not in self.workers:
                try:
                    worker = StreamWorker(cfg, self.lab, self.handoff_dir, self.fast_send)
                except (ValueError, KeyError) as exc:  # one bad stream must not stop the others
                    log.warning("stream %s (%s) not started: %s", name, cfg.role, exc)
                    continue
                worker.start()
                self.workers[name] = (cfg, worker)

    def write_status(self) -> None:
        """Write each stream's status container (key IDs, counts, errors; never key bits)."""
        parts = []
        for name, (_cfg, w) in self.workers.items():
            s = w.state
            snapshot = (s.current_key_id, s.rotations, s.last_error)
            if self._written.get(name) == snapshot:
                continue
            self._written[name] = snapshot
            last = (
                dt.datetime.fromtimestamp(s.switched_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                if s.switched_at
                else None
            )
            inner = "".join(
                f"<{tag}>{ET_escape(val)}</{tag}>"
                for tag, val in (
                    ("current-key-id", s.current_key_id),
                    ("last-rotation", last),
                    ("rotations", str(s.rotations)),
                    ("last-error", s.last_error),
                )
                if val is not None
            )
            parts.append(
                f'<stream><name>{name}</name><status nc:operation="replace">{inner}</status></stream>'
            )
        if not parts:
            return
        xml = (
            f'<key-streams xmlns="{KS_NS}" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">'
            f"{''.join(parts)}</key-streams>"
        )
        try:
            # default-operation none: a stream deleted since reconcile() is not re-created by its status.
            commit(self._host_session(), xml, default_operation="none")
        except NetconfOperationError as exc:
            if exc.error_tag != "data-missing":
                raise
            self._written.clear()  # the next reconcile drops the deleted stream; rewrite the rest then


class KeyScriptMetrics:
    """Prometheus collector over a daemon's live state (read at every scrape, nothing duplicated).

    qsafe_key_rotations_total / qsafe_key_rotation_failures_total / qsafe_key_age_seconds per
    stream end (host, stream, role, method); qsafe_keys_served_total per method (keys this host's
    ends obtained from their KMEs); qsafe_key_streams (workers running). Never key material."""

    def __init__(self, daemon: KeyScriptDaemon) -> None:
        self.daemon = daemon

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        state = self.daemon.state()
        labels = ["host", "stream", "role", "method"]
        rotations = CounterMetricFamily("qsafe_key_rotations", "Key rotations committed", labels=labels)
        failures = CounterMetricFamily("qsafe_key_rotation_failures", "Failed rotation cycles", labels=labels)
        age = GaugeMetricFamily("qsafe_key_age_seconds", "Seconds since the current key became current",
                                labels=labels)
        served = CounterMetricFamily("qsafe_keys_served", "Keys got from the KME", labels=["host", "method"])
        by_method: dict[str, int] = {}
        for name, stream in sorted(state["streams"].items()):
            values = [self.daemon.host, name, stream["role"], stream["method"]]
            rotations.add_metric(values, stream["rotations"])
            failures.add_metric(values, stream["failures"])
            if stream["key_age_s"] is not None:
                age.add_metric(values, stream["key_age_s"])
            by_method[stream["method"]] = by_method.get(stream["method"], 0) + stream["keys_served"]
        for method, count in sorted(by_method.items()):
            served.add_metric([self.daemon.host, method], count)
        streams = GaugeMetricFamily("qsafe_key_streams", "Stream ends running here", labels=["host"])
        streams.add_metric([self.daemon.host], len(state["streams"]))
        yield from (rotations, failures, age, served, streams)


def serve_metrics(daemon: KeyScriptDaemon, port: int, addr: str = "127.0.0.1"):
    """Serve the daemon's metrics over HTTP (GET /metrics, text format); returns (server, thread)."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry(auto_describe=False)
    registry.register(KeyScriptMetrics(daemon))
    return start_http_server(port, addr=addr, registry=registry)


def ET_escape(text: str) -> str:  # noqa: N802 - mirrors xml.sax.saxutils.escape
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def spawn(
    lab_json: Path, hosts: list[str], run_dir: Path, poll_s: float = 2.0, metrics_ports: dict | None = None
) -> dict:
    """Start one daemon process per key host (idempotent); returns {host: {"pid", "state_file"}}.

    run_dir holds keyscripts.json (pids), each daemon's state file, log and the handoff sockets.
    metrics_ports: {host: port} to serve that daemon's Prometheus metrics on 127.0.0.1:port.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    record = run_dir / "keyscripts.json"
    known = json.loads(record.read_text()) if record.exists() else {}
    devel_dir = Path(__file__).resolve().parents[1]
    repo_root = devel_dir.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(
                None, [str(devel_dir), str(repo_root / ".venv" / "collections"), os.environ.get("PYTHONPATH")]
            )
        ),
    }
    for host in hosts:
        if host in known and _alive(known[host]["pid"]):
            continue
        state_file = run_dir / f"{host}.state.json"
        port = (metrics_ports or {}).get(host)
        metrics_args = ["--metrics-port", str(port)] if port else []
        with open(run_dir / f"{host}.log", "ab") as logf:
            proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "qsafe_kms.key_script",
                    "--lab-json",
                    str(lab_json),
                    "--host",
                    host,
                    "--handoff-dir",
                    str(run_dir / "handoff"),
                    "--poll",
                    str(poll_s),
                    "--state-file",
                    str(state_file),
                    *metrics_args,
                ],
                stdin=subprocess.DEVNULL,
                stdout=logf,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + 5.0
        while not _alive(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # until exec: before it, /proc/<pid>/cmdline is still the parent's
        if proc.poll() is not None:
            raise RuntimeError(
                f"key-script daemon for {host} exited at start (see {run_dir / (host + '.log')})"
            )
        known[host] = {"pid": proc.pid, "state_file": str(state_file)}
        if (metrics_ports or {}).get(host):
            known[host]["metrics"] = f"http://127.0.0.1:{metrics_ports[host]}/metrics"
    record.write_text(json.dumps(known, indent=1))
    return known


def terminate(run_dir: Path, timeout_s: float = 15.0) -> None:
    """Stop the daemons recorded in run_dir/keyscripts.json (SIGTERM, then SIGKILL)."""
    record = Path(run_dir) / "keyscripts.json"
    if not record.exists():
        return
    pids = [v["pid"] for v in json.loads(record.read_text()).values()]
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for pid in pids:
        while _alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    record.unlink()


def _alive(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"qsafe_kms.key_script" in cmdline  # a zombie has an empty cmdline


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="key-script daemon of one key host")
    ap.add_argument("--lab-json", required=True, type=Path)
    ap.add_argument("--host", required=True, help="key host name in lab.json, e.g. keys-a")
    ap.add_argument("--handoff-dir", type=Path, help="default: <lab dir>/kms/handoff")
    ap.add_argument("--poll", type=float, default=2.0, help="seconds between reconciliations")
    ap.add_argument("--state-file", type=Path, help="write state() as JSON here every poll")
    ap.add_argument("--metrics-port", type=int, help="serve Prometheus metrics on 127.0.0.1:PORT/metrics")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("ncclient").setLevel(logging.ERROR)  # ncclient debug logs would show RPC bodies
    lab = json.loads(args.lab_json.read_text())
    handoff = args.handoff_dir or Path(lab["lab_dir"]) / "kms" / "handoff"
    daemon = KeyScriptDaemon(args.host, lab, handoff, args.poll).start()
    server = serve_metrics(daemon, args.metrics_port)[0] if args.metrics_port else None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(args.poll):
        if args.state_file:
            tmp = args.state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(daemon.state()))
            tmp.replace(args.state_file)
    daemon.stop()
    if server is not None:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
