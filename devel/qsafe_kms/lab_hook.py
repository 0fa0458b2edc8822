# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start and stop the lab's KMEs (called by the lab helper, usable standalone by tests).

start(lab_dir, topology) -> the lab.json "kms" section:
    {"ca_cert": path, "kmes": {name: {"url", "pid"}}, "saes": {sae_id: {"kme", "cert", "key"}}}
It is idempotent: if the KMEs recorded in <lab_dir>/kms/state.json are alive it returns the
same info and starts nothing. stop(lab_dir) stops them and removes <lab_dir>/kms.

Each KME is its own process (python -m qsafe_kms.server) listening on a socket the hook
binds on 127.0.0.1 port 0 and hands over, so the URLs are known before the processes start
and no port can be taken in between. Trusted nodes tn-1..tn-n run inside the first KME of
the QKD path (see devel/qsafe_kms/sources/qkd.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from qsafe_kms.pki import LabCA

STATE = "state.json"
START_TIMEOUT_S = 20.0
ADMIN_CN = "admin-lab"


def _topo(topology: dict) -> dict:
    return topology.get("topology", topology)


def _alive(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"qsafe_kms.server" in cmdline


def streams_of(topology: dict) -> list[dict]:
    """Key streams of the topology's channels: [{name, channel, method, refresh_s, primary, secondary}]."""
    out = []
    for ch in _topo(topology).get("channels", []):
        ks = ch.get("key_stream")
        if ks:
            out.append({**ks, "channel": ch["name"], "cards": ch.get("cards", {})})
    return out


def plan(topology: dict) -> dict:
    """KME names, SAE directory and streams derived from the topology (pure; used by start())."""
    topo = _topo(topology)
    kmes = [k["name"] for k in topo.get("key_managers", [])]
    saes: dict[str, str] = {}
    streams = []
    for ks in streams_of(topology):
        for end in ("primary", "secondary"):
            sae, kme = ks[end]["sae"], ks[end]["kme"]
            if kme not in kmes:
                raise ValueError(
                    f"channels[{ks['channel']}].key_stream.{end}.kme: {kme!r} is not a key_manager"
                )
            if saes.setdefault(sae, kme) != kme:
                raise ValueError(f"channels[{ks['channel']}].key_stream.{end}.sae: {sae!r} bound to two KMEs")
        streams.append(
            {"master": ks["primary"]["sae"], "slave": ks["secondary"]["sae"], "method": ks["method"]}
        )
    if len(kmes) < 2:
        raise ValueError("key_managers: at least two KMEs are needed")
    return {"kmes": kmes, "saes": saes, "streams": streams, "qkd": topo.get("qkd_sections")}


def start(lab_dir: Path, topology: dict, overrides: dict | None = None) -> dict:
    """Start one KME process per key manager; returns the lab.json "kms" section.

    `overrides` (tests and bench only) is merged into every KME's config, e.g. pool sizes or
    QKD rate overrides.
    """
    kdir = Path(lab_dir) / "kms"
    state_path = kdir / STATE
    if state_path.exists():
        state = json.loads(state_path.read_text())
        if all(_alive(k["pid"]) for k in state["kmes"].values()):
            return state
        stop(lab_dir)
    p = plan(topology)
    kdir.mkdir(parents=True, exist_ok=True)
    os.chmod(kdir, 0o700)
    ca = LabCA(kdir / "pki")
    certs = {k: ca.issue(k, kdir / "pki" / "kme", server=True) for k in p["kmes"]}
    sae_certs = {s: ca.issue(s, kdir / "pki" / "sae", server=False) for s in p["saes"]}
    admin = ca.issue(ADMIN_CN, kdir / "pki" / "admin", server=False)
    socks = {}
    for k in p["kmes"]:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(1024)
        socks[k] = s
    urls = {k: f"https://127.0.0.1:{s.getsockname()[1]}" for k, s in socks.items()}
    qkd = None
    if p["qkd"] and p["qkd"].get("path"):
        qkd = {"path": list(p["qkd"]["path"]), "km": [float(x) for x in p["qkd"]["km"]]}
    devel_dir = str(Path(__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [devel_dir, os.environ.get("PYTHONPATH")])),
    }
    procs = {}
    try:
        for k in p["kmes"]:
            cfg = {
                "name": k,
                "cert": str(certs[k].cert),
                "key": str(certs[k].key),
                "ca": str(ca.cert_path),
                "peers": {o: urls[o] for o in p["kmes"] if o != k},
                "saes": p["saes"],
                "streams": p["streams"],
                "qkd": qkd if qkd and k in (qkd["path"][0], qkd["path"][-1]) else None,
            }
            for key, value in (overrides or {}).items():
                if key == "qkd" and cfg["qkd"] is None:
                    continue
                if isinstance(value, dict) and isinstance(cfg.get(key), dict):
                    cfg[key] = {**cfg[key], **value}
                else:
                    cfg[key] = value
            cfg_path = kdir / f"{k}.json"
            cfg_path.write_text(json.dumps(cfg, indent=1))
            ready = kdir / f"{k}.ready"
            ready.unlink(missing_ok=True)
            fd = socks[k].fileno()
            with open(kdir / f"{k}.log", "ab") as logf:
                procs[k] = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "qsafe_kms.server",
                        "--config",
                        str(cfg_path),
                        "--fd",
                        str(fd),
                        "--ready-file",
                        str(ready),
                    ],
                    pass_fds=(fd,),
                    stdin=subprocess.DEVNULL,
                    stdout=logf,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                    cwd=str(kdir),
                )
        deadline = time.monotonic() + START_TIMEOUT_S
        for k, proc in procs.items():
            ready = kdir / f"{k}.ready"
            while not ready.exists():
                if proc.poll() is not None:
                    tail = (kdir / f"{k}.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"KME {k} exited with {proc.returncode} while starting:\n{tail}")
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"KME {k} not ready after {START_TIMEOUT_S} s (see {kdir / (k + '.log')})"
                    )
                time.sleep(0.05)
    except BaseException:
        for proc in procs.values():
            proc.kill()
            proc.wait()
        raise
    finally:
        for s in socks.values():
            s.close()
    info = {
        "ca_cert": str(ca.cert_path),
        "kmes": {k: {"url": urls[k], "pid": procs[k].pid} for k in p["kmes"]},
        "saes": {
            s: {"kme": p["saes"][s], "cert": str(c.cert), "key": str(c.key)} for s, c in sae_certs.items()
        },
        "admin": {"cert": str(admin.cert), "key": str(admin.key)},
    }
    tmp = state_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=1))
    tmp.replace(state_path)
    return info


def stop(lab_dir: Path) -> None:
    """Stop the KMEs recorded in <lab_dir>/kms/state.json and remove <lab_dir>/kms."""
    kdir = Path(lab_dir) / "kms"
    state_path = kdir / STATE
    pids = []
    if state_path.exists():
        try:
            pids = [int(k["pid"]) for k in json.loads(state_path.read_text())["kmes"].values()]
        except (ValueError, KeyError):
            pids = []
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5.0
    for pid in pids:
        while _alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
    shutil.rmtree(kdir, ignore_errors=True)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
