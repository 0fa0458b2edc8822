# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One lab device: its files under the lab dir and the argv of its netconfd + sshd pair."""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import os
import pathlib
import sys
from dataclasses import dataclass

from qsafe_lab import keys
from qsafe_lab.inventory import Device
from qsafe_lab.startup import ADMIN_USER, KEYSCRIPT_USER, OPERATOR_USER, kind_modules

REPO = pathlib.Path(__file__).resolve().parents[2]
YUMA_MODULES = pathlib.Path("/usr/share/yuma/modules")
# Which YANG directories make up each platform's module set, first match wins. openconfig: the
# upstream release (yang/openconfig, unmodified) behind yang/lab, the forms of upstream modules that
# this netconfd cannot compile (docs/lab.md "YANG models on the lab's netconfd"); openconfig_2016:
# the 2016 set. The project's own modules (yang/*.yang) come first in both.
PLATFORM_YANG_DIRS: dict[str, list[pathlib.Path]] = {
    "openconfig": [REPO / "yang" / "lab", REPO / "yang" / "openconfig"],
    "openconfig_2016": [REPO / "yang" / "openconfig-2016"],
}
DEFAULT_PLATFORM = "openconfig"


def platform_modpath(lab_dir: pathlib.Path, platform: str) -> pathlib.Path:
    """One directory of links to the platform's modules, for netconfd's --modpath.

    Why not the YANG directories themselves: netconfd searches a --modpath directory recursively,
    so `yang/` would also find the other platform's same-named modules (yang/openconfig-2016 holds
    a 2016 openconfig-extensions, for one) in whatever order the directory lists them.
    """
    out = lab_dir / "yang" / platform
    out.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, pathlib.Path] = {}
    for src in [*sorted((REPO / "yang").glob("*.yang"))] + [
        f for d in PLATFORM_YANG_DIRS[platform] for f in sorted(d.glob("*.yang"))
    ]:
        wanted.setdefault(src.name.split("@")[0].removesuffix(".yang"), src)
    for link in out.iterdir():
        if link.stem not in wanted or link.resolve() != wanted[link.stem]:
            link.unlink()
    for name, src in wanted.items():
        link = out / f"{name}.yang"
        if not link.is_symlink():
            with contextlib.suppress(FileExistsError):  # another device of the lab made it
                link.symlink_to(src)
    return out


def platform_of(dev: Device) -> str:
    """The device's platform: inventory variable qsafe_platform, else the default."""
    platform = str(dev.hostvars.get("qsafe_platform") or DEFAULT_PLATFORM)
    if platform not in PLATFORM_YANG_DIRS:
        raise ValueError(
            f"device {dev.name}: qsafe_platform {platform!r} is not one of {', '.join(PLATFORM_YANG_DIRS)}"
        )
    return platform
RELAY = pathlib.Path(__file__).resolve().parent / "relay.py"
MAX_SOCK_PATH = 107  # sun_path


def ram_root(lab_dir: pathlib.Path) -> pathlib.Path:
    base = pathlib.Path("/dev/shm") if pathlib.Path("/dev/shm").is_dir() else lab_dir
    digest = hashlib.sha256(str(lab_dir).encode()).hexdigest()[:12]
    return base / f"qsafe-lab-{os.getuid()}-{digest}"


@dataclass
class DevicePaths:
    """Where one device's files live; `sock` is short because unix socket paths are <= 107 bytes."""

    lab_dir: pathlib.Path
    name: str

    @property
    def dir(self) -> pathlib.Path:
        return self.lab_dir / "devices" / self.name

    @property
    def sock(self) -> pathlib.Path:
        return self.lab_dir / "run" / f"{self.name}.sock"

    @property
    def fault_file(self) -> pathlib.Path:
        return self.lab_dir / "faults" / f"{self.name}.json"

    @property
    def ram_dir(self) -> pathlib.Path:
        """netconfd's HOME and startup dir, in RAM (/dev/shm): netconfd writes backup-cfg.xml (a copy of
        running, which may hold key material) next to its startup file, and keys must not rest on disk."""
        return ram_root(self.lab_dir) / self.name

    @property
    def startup(self) -> pathlib.Path:
        return self.ram_dir / "startup.xml"

    @property
    def host_key(self) -> pathlib.Path:
        return self.dir / "ssh_host_ed25519_key"

    @property
    def sshd_config(self) -> pathlib.Path:
        return self.dir / "sshd_config"

    @property
    def authorized_keys(self) -> pathlib.Path:
        return self.dir / "authorized_keys"


def netconfd_argv(dev: Device, paths: DevicePaths, port: int) -> list[str]:
    if len(str(paths.sock)) > MAX_SOCK_PATH:
        raise ValueError(f"lab dir too long for a unix socket path: {paths.sock}")
    platform = platform_of(dev)
    modules = ["ietf-netconf-acm", *kind_modules(dev.kind, platform)]
    # A card's key-bank agent has a writable running datastore and no candidate: the key script's
    # edits take effect at once and never meet provisioning's locks or pending confirmed commits
    # (which are on the card's own netconfd); nothing there is ever saved (--with-startup keeps
    # running out of the startup file unless copy-config asks, and NACM refuses copy-config).
    target = ["--target=running"] if dev.kind == "key_bank" else []
    return [
        "/usr/sbin/netconfd",
        f"--modpath={platform_modpath(paths.lab_dir, platform)}:{YUMA_MODULES}",
        *[f"--module={m}" for m in modules],
        *target,
        f"--startup={paths.startup}",
        # Commits are not written back to the startup file: nothing (no key) is saved at rest.
        "--with-startup=true",
        "--access-control=enforcing",
        # The lab's administrative identity (never used by the collection): NACM does not apply.
        f"--superuser={ADMIN_USER}",
        # No <copy-config> to or from file:// URLs (a copy of running is a file with keys in it).
        "--with-url=false",
        f"--ncxserver-sockname={paths.sock}",
        # netconfd accepts sessions only from the SSH ports it is told about (ncx-connect check).
        f"--port={port}",
        f"--log={paths.dir / 'netconfd.log'}",
        "--log-level=warn",
    ]


def relay_command(paths: DevicePaths, port: int, netconf_user: str) -> list[str]:
    return [
        sys.executable,
        "-I",
        "-S",
        str(RELAY),
        f"--sock={paths.sock}",
        f"--port={port}",
        f"--faults={paths.fault_file}",
        f"--netconf-user={netconf_user}",
    ]


def sshd_config_text(paths: DevicePaths, port: int) -> str:
    return f"""# Lab device {paths.name}: loopback only, public keys only, netconf only (forced command).
Port {port}
ListenAddress 127.0.0.1
HostKey {paths.host_key}
PidFile none
AuthorizedKeysFile {paths.authorized_keys}
AllowUsers {getpass.getuser()}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PrintMotd no
PermitTTY yes
AllowTcpForwarding no
X11Forwarding no
MaxStartups 100:30:200
LogLevel ERROR
Subsystem netconf /usr/sbin/netconf-subsystem
"""


def write_ssh_files(paths: DevicePaths, port: int, client_keys: dict[str, pathlib.Path]) -> None:
    """sshd_config and authorized_keys for this device on this port (host key created once)."""
    keys.keygen(paths.host_key, f"qsafe-lab {paths.name}")
    paths.sshd_config.write_text(sshd_config_text(paths, port))
    users = {"operator": OPERATOR_USER, "keyscript": KEYSCRIPT_USER, "admin": ADMIN_USER}
    lines = [
        keys.authorized_keys_line(
            keys.public_key(client_keys[ident]), relay_command(paths, port, users[ident])
        )
        for ident in keys.IDENTITIES
    ]
    paths.authorized_keys.write_text("".join(lines))
    paths.authorized_keys.chmod(0o600)


def sshd_argv(paths: DevicePaths) -> list[str]:
    return ["/usr/sbin/sshd", "-D", "-e", "-f", str(paths.sshd_config)]
