# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab: one netconfd + sshd pair per inventory device on 127.0.0.1, described by lab.json.

`Lab(lab_dir, inventory_dir).up()` is idempotent (returns changed=False when everything already
runs), `down()` stops all daemons in parallel and removes sockets, pids and fault files. The
optional key-manager hook `qsafe_kms.lab_hook` is started/stopped with the lab when importable.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import importlib
import importlib.util
import json
import logging
import os
import pathlib
import shutil
import socket
import time
from collections.abc import Iterator
from typing import Any

from qsafe_lab import keys, processes
from qsafe_lab.device import DevicePaths, netconfd_argv, platform_of, ram_root, sshd_argv, write_ssh_files
from qsafe_lab.inventory import Device, Inventory, load_inventory
from qsafe_lab.startup import ADMIN_USER, KEY_BANK_SUFFIX, KEYSCRIPT_USER, OPERATOR_USER, render_startup

LOG = logging.getLogger("qsafe_lab")
HOST = "127.0.0.1"
READY_TIMEOUT_S = 15.0
KMS_HOOK = "qsafe_kms.lab_hook"


def default_lab_dir() -> pathlib.Path:
    env = os.environ.get("QSAFE_LAB_DIR")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[2] / ".lab"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _referenced_by_a_process(path: str) -> bool:
    """True if a live process mentions path in its command line (netconfd's --startup does)."""
    needle = path.encode()
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if needle in (proc / "cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def sweep_stale_ram_dirs(own: pathlib.Path) -> list[str]:
    """Remove RAM dirs (/dev/shm/qsafe-lab-<uid>-*) of labs that were killed without `down`.

    They hold netconfd's running copies (backup-cfg.xml may carry key material). A dir is stale
    when its owner lab dir is gone (or unrecorded) and no live process uses it; `own` (this lab's
    dir, handled by up/down themselves) is left alone.
    """
    removed = []
    for d in own.parent.glob(f"qsafe-lab-{os.getuid()}-*"):
        if d == own or not d.is_dir():
            continue
        owner = d / "owner"
        try:
            lab_dir = owner.read_text().strip()
        except OSError:
            lab_dir = ""
        if lab_dir and pathlib.Path(lab_dir).exists():
            continue
        if _referenced_by_a_process(str(d)):
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed.append(str(d))
    return removed


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((HOST, port)) == 0


def key_bank_session(card: str, desc: dict[str, Any], identity: str = "keyscript", **kwargs: Any) -> Any:
    """An unconnected NetconfSession to an encryptor card's key-bank agent (lab.json key_bank_port)."""
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    entry = desc["devices"][card]
    if "key_bank_port" not in entry:
        raise KeyError(f"{card} has no key banks (not an encryptor card of this lab)")
    return NetconfSession(
        card,
        entry["host"],
        entry["key_bank_port"],
        entry["user"],
        desc["users"][identity]["key_file"],
        entry["known_hosts"],
        **kwargs,
    )


class LabError(RuntimeError):
    """The lab could not be started or stopped; the message names the device and its log."""


class Lab:
    """A lab instance rooted at lab_dir, built from the inventory at inventory_dir."""

    def __init__(
        self,
        lab_dir: pathlib.Path | str | None = None,
        inventory_dir: pathlib.Path | str | None = None,
        down_at_start: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        self.lab_dir = pathlib.Path(lab_dir).resolve() if lab_dir else default_lab_dir().resolve()
        self.inventory: Inventory = load_inventory(inventory_dir)
        unknown = set(down_at_start) - {d.name for d in self.inventory.devices}
        if unknown:
            raise ValueError(f"down_at_start: unknown devices {sorted(unknown)}")
        self.down_at_start = set(down_at_start)

    # -- units: the inventory's devices plus each encryptor's key-bank agent ---------------------
    def units(self, names: set[str] | None = None) -> list[Device]:
        """Every netconfd + sshd pair the lab runs: each device, then (for an encryptor card) its
        key-bank agent `<card>-keys` (kind key_bank), which goes up and down with its card."""
        out = []
        for dev in self.inventory.devices:
            if names is not None and dev.name not in names:
                continue
            out.append(dev)
            if dev.kind == "encryptor":
                out.append(Device(dev.name + KEY_BANK_SUFFIX, "key_bank", {"card": dev.name}))
        return out

    # -- files ---------------------------------------------------------------------------------
    @property
    def lab_json(self) -> pathlib.Path:
        return self.lab_dir / "lab.json"

    @property
    def pids_json(self) -> pathlib.Path:
        return self.lab_dir / "pids.json"

    @property
    def known_hosts(self) -> pathlib.Path:
        return self.lab_dir / "keys" / "known_hosts"

    @property
    def ssh_config(self) -> pathlib.Path:
        """ssh_config for standard clients, next to known_hosts (lab.json names it per device)."""
        return self.lab_dir / "keys" / "ssh_config"

    def client_key(self, identity: str) -> pathlib.Path:
        return self.lab_dir / "keys" / f"client_{identity}"

    def paths(self, name: str) -> DevicePaths:
        return DevicePaths(self.lab_dir, name)

    @property
    def marker(self) -> str:
        """Substring of every lab process's command line (used to recognise our pids)."""
        return str(self.lab_dir) + "/"

    def _read(self, path: pathlib.Path) -> dict[str, Any]:
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def _write(self, path: pathlib.Path, data: dict[str, Any]) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        tmp.replace(path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise up/down of the same lab dir across processes."""
        self.lab_dir.mkdir(parents=True, exist_ok=True)
        with open(self.lab_dir / ".lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            yield

    # -- status --------------------------------------------------------------------------------
    def _device_alive(self, name: str, pids: dict[str, Any], port: int | None) -> bool:
        entry = pids.get(name) or {}
        return (
            bool(entry)
            and all(processes.alive(entry.get(k, -1), self.marker) for k in ("netconfd", "sshd"))
            and port is not None
            and port_open(port)
        )

    def status(self) -> dict[str, Any]:
        """{'running': bool, 'devices': {name: 'up'|'down'}} from pids and open ports."""
        desc = self._read(self.lab_json)
        pids = self._read(self.pids_json)
        ports = self._ports(desc)
        devices = {}
        for dev in self.inventory.devices:
            alive = all(
                self._device_alive(u.name, pids, ports.get(u.name)) for u in self.units(names={dev.name})
            )
            devices[dev.name] = "up" if alive else "down"
        return {"running": any(v == "up" for v in devices.values()), "devices": devices}

    # -- up ------------------------------------------------------------------------------------
    def up(self) -> dict[str, Any]:
        """Start whatever is not running; return {'changed': bool, 'lab_json': path, 'started': [...]}."""
        with self._locked():
            return self._up()

    def _up(self) -> dict[str, Any]:
        for sub in ("keys", "devices", "run", "faults"):
            (self.lab_dir / sub).mkdir(parents=True, exist_ok=True)
        self.lab_dir.chmod(0o700)
        if os.geteuid() == 0:
            pathlib.Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privsep dir
        for ident in keys.IDENTITIES:
            keys.keygen(self.client_key(ident), f"qsafe-lab {ident}")
        self._prepare_ram_root()
        client_keys = {ident: self.client_key(ident) for ident in keys.IDENTITIES}

        desc = self._read(self.lab_json)
        pids = self._read(self.pids_json)
        old_ports = self._ports(desc)
        to_start = []
        for dev in self.units(names={d.name for d in self.inventory.devices} - self.down_at_start):
            if not self._device_alive(dev.name, pids, old_ports.get(dev.name)):
                to_start.append(dev)

        # Stop leftovers of half-running devices before restarting them.
        stale = [p for d in to_start for p in (pids.get(d.name) or {}).values()]
        processes.stop_all(stale, self.marker)

        ports = {d.name: old_ports.get(d.name) for d in self.units()}
        for dev in self.units():
            if ports[dev.name] is None or (dev in to_start and port_open(ports[dev.name])):
                ports[dev.name] = free_port()
        for dev in to_start:
            self._start_device(dev, ports[dev.name], client_keys, pids)
        self._write(self.pids_json, pids)
        self._wait_ready(to_start, ports)

        new_desc = self._describe(ports)
        kms = self._kms_start()
        if kms is not None:
            new_desc["kms"] = kms
        elif "kms" in desc:
            new_desc["kms"] = desc["kms"]
        self._write_known_hosts(ports)
        changed = bool(to_start) or new_desc != desc
        if new_desc != desc:
            self._write(self.lab_json, new_desc)
        return {"changed": changed, "lab_json": str(self.lab_json), "started": [d.name for d in to_start]}

    def _ports(self, desc: dict[str, Any]) -> dict[str, int]:
        """{unit name: port} from a lab.json document (key-bank agents from their card's entry)."""
        ports = {}
        for name, entry in (desc.get("devices") or {}).items():
            if entry.get("port") is not None:
                ports[name] = entry["port"]
            if entry.get("key_bank_port") is not None:
                ports[name + KEY_BANK_SUFFIX] = entry["key_bank_port"]
        return ports

    def _prepare_ram_root(self) -> None:
        """This lab's RAM dir, with an owner record (so a later sweep can tell it is stale)."""
        root = ram_root(self.lab_dir)
        root.mkdir(mode=0o700, exist_ok=True)
        root.chmod(0o700)
        (root / "owner").write_text(str(self.lab_dir) + "\n")
        if root.parent != self.lab_dir:
            for path in sweep_stale_ram_dirs(root):
                LOG.warning("removed stale lab RAM dir %s", path)

    def _start_device(self, dev: Any, port: int, client_keys: dict[str, pathlib.Path], pids: dict) -> None:
        paths = self.paths(dev.name)
        paths.dir.mkdir(parents=True, exist_ok=True)
        # A device (re)starts from its startup file only: drop what a killed run left in RAM.
        shutil.rmtree(paths.ram_dir, ignore_errors=True)
        paths.ram_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        paths.ram_dir.parent.chmod(0o700)
        paths.startup.write_text(render_startup(self.inventory.topology, dev))
        paths.sock.unlink(missing_ok=True)
        write_ssh_files(paths, port, client_keys)
        env = dict(os.environ, HOME=str(paths.ram_dir))  # netconfd's ~/.yuma stays in RAM too
        nc_pid = processes.spawn(netconfd_argv(dev, paths, port), paths.dir / "netconfd.out", env=env)
        ssh_pid = processes.spawn(sshd_argv(paths), paths.dir / "sshd.log")
        pids[dev.name] = {"netconfd": nc_pid, "sshd": ssh_pid}

    def _wait_ready(self, devices: list[Any], ports: dict[str, int]) -> None:
        pids = self._read(self.pids_json)
        pending = {d.name for d in devices}
        deadline = time.monotonic() + READY_TIMEOUT_S
        while pending:
            for name in sorted(pending):
                entry = pids[name]
                for prog in ("netconfd", "sshd"):
                    if not processes.alive(entry[prog], self.marker):
                        log = self.paths(name).dir / ("netconfd.log" if prog == "netconfd" else "sshd.log")
                        raise LabError(f"device {name}: {prog} exited during start-up, see {log}")
                if self.paths(name).sock.exists() and port_open(ports[name]):
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise LabError(f"devices not ready after {READY_TIMEOUT_S} s: {sorted(pending)}")
            if pending:
                time.sleep(0.05)

    def _write_known_hosts(self, ports: dict[str, int]) -> None:
        lines = [
            keys.known_hosts_line(HOST, ports[d.name], keys.public_key(self.paths(d.name).host_key))
            for d in self.units()
            if self.paths(d.name).host_key.exists()
        ]
        text = "".join(lines)
        if not self.known_hosts.exists() or self.known_hosts.read_text() != text:
            self.known_hosts.write_text(text)
        config = keys.ssh_config_text(HOST, getpass.getuser(), self.client_key("operator"), self.known_hosts)
        if not self.ssh_config.exists() or self.ssh_config.read_text() != config:
            self.ssh_config.write_text(config)

    def _describe(self, ports: dict[str, int]) -> dict[str, Any]:
        """The lab.json document (contract: devices{name: kind, host, port, user, key_file, ...})."""
        login = getpass.getuser()
        users = {
            "operator": {
                "user": login,
                "netconf_user": OPERATOR_USER,
                "key_file": str(self.client_key("operator")),
            },
            "keyscript": {
                "user": login,
                "netconf_user": KEYSCRIPT_USER,
                "key_file": str(self.client_key("keyscript")),
            },
            # Only tests use it (to prove NACM holds); the collection and inventories never do.
            "admin": {
                "user": login,
                "netconf_user": ADMIN_USER,
                "key_file": str(self.client_key("admin")),
            },
        }
        devices = {}
        for dev in self.inventory.devices:
            paths = self.paths(dev.name)
            devices[dev.name] = {
                "kind": dev.kind,
                "platform": platform_of(dev),
                "host": HOST,
                "port": ports[dev.name],
                "user": login,
                "key_file": users["operator"]["key_file"],
                "known_hosts": str(self.known_hosts),
                "ssh_config": str(self.ssh_config),
                "netconf_user": OPERATOR_USER,
                "keyscript_key_file": users["keyscript"]["key_file"],
                "fault_file": str(paths.fault_file),
                "down_at_start": dev.name in self.down_at_start,
            }
            if dev.kind == "encryptor":
                # The card's key banks: its key-bank agent (writable running; see device.py).
                devices[dev.name]["key_bank_port"] = ports[dev.name + KEY_BANK_SUFFIX]
        return {"version": 1, "lab_dir": str(self.lab_dir), "users": users, "devices": devices}

    # -- key manager hook ----------------------------------------------------------------------
    def _kms_hook(self) -> Any | None:
        try:
            if importlib.util.find_spec(KMS_HOOK) is None:
                return None
        except ModuleNotFoundError:
            return None
        return importlib.import_module(KMS_HOOK)

    def _kms_start(self) -> dict[str, Any] | None:
        hook = self._kms_hook()
        if hook is None:
            return None
        return dict(hook.start(self.lab_dir, self.inventory.topology))

    # -- down ----------------------------------------------------------------------------------
    def down(self) -> dict[str, Any]:
        """Stop everything (in parallel) and remove runtime files; keys and logs are removed too."""
        with self._locked():
            hook = self._kms_hook()
            if hook is not None:
                try:
                    hook.stop(self.lab_dir)
                except Exception:  # noqa: BLE001 - the devices must still be stopped
                    LOG.exception("lab down: the key manager hook's stop failed; stopping the rest")
            pids = self._read(self.pids_json)
            flat = [p for entry in pids.values() for p in entry.values()]
            live_before = [p for p in flat if processes.is_ours(p, self.marker)]
            processes.stop_all(flat, self.marker)
            swept = processes.sweep(self.marker)
            existed = self.lab_json.exists() or bool(live_before)
            for sub in ("run", "faults", "devices", "keys", "yang"):
                shutil.rmtree(self.lab_dir / sub, ignore_errors=True)
            shutil.rmtree(ram_root(self.lab_dir), ignore_errors=True)
            if ram_root(self.lab_dir).parent != self.lab_dir:
                swept_ram = sweep_stale_ram_dirs(ram_root(self.lab_dir))
                for path in swept_ram:
                    LOG.warning("removed stale lab RAM dir %s", path)
            for f in (self.lab_json, self.pids_json):
                f.unlink(missing_ok=True)
            return {"changed": existed or bool(swept), "stopped": len(live_before) + len(swept)}

    # -- single devices (fault injection: a device going down mid-run) ------------------------
    def stop_device(self, name: str) -> None:
        """Stop one device's netconfd and sshd; its port stays reserved in lab.json."""
        with self._locked():
            pids = self._read(self.pids_json)
            units = self.units(names={name})
            flat = [p for unit in units for p in pids.pop(unit.name, {}).values()]
            processes.stop_all(flat, self.marker)
            for unit in units:
                self.paths(unit.name).sock.unlink(missing_ok=True)
            self._write(self.pids_json, pids)

    def start_device(self, name: str) -> None:
        """(Re)start one device on its lab.json port (fresh startup configuration)."""
        self.inventory.device(name)
        with self._locked():
            self.down_at_start.discard(name)
            desc = self._read(self.lab_json)
            pids = self._read(self.pids_json)
            ports = self._ports(desc)
            units = [
                u for u in self.units(names={name}) if not self._device_alive(u.name, pids, ports[u.name])
            ]
            if not units:
                return
            client_keys = {ident: self.client_key(ident) for ident in keys.IDENTITIES}
            for unit in units:
                self._start_device(unit, ports[unit.name], client_keys, pids)
            self._write(self.pids_json, pids)
            self._wait_ready(units, ports)
            desc["devices"][name]["down_at_start"] = False
            self._write(self.lab_json, desc)
