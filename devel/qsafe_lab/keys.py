# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-lab SSH material: a host key per device, two client keys, authorized_keys and known_hosts.

NETCONF identities: sshd can only authenticate accounts that exist, and the lab must not add
system users. So both identities log in as the account that runs the lab, and the client key
decides the NETCONF user: each authorized_keys line carries a forced command that starts the relay
with --netconf-user (qsafe-operator, qsafe-keyscript or qsafe-admin; the admin identity is
netconfd's superuser, the only one that may change NACM, and nothing in the collection uses it).
netconfd's NACM then sees that name.
"""

from __future__ import annotations

import pathlib
import shlex
import subprocess

IDENTITIES = ("operator", "keyscript", "admin")


def keygen(path: pathlib.Path, comment: str) -> None:
    """Create an ed25519 key pair at path (and path.pub) unless it exists."""
    if path.exists() and path.with_suffix(".pub").exists():
        return
    path.unlink(missing_ok=True)
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    path.chmod(0o600)


def public_key(path: pathlib.Path) -> str:
    """'type base64' of a key pair's public half (comment dropped)."""
    return " ".join(path.with_suffix(".pub").read_text().split()[:2])


def authorized_keys_line(pubkey: str, command: list[str]) -> str:
    # restrict (no forwarding, no agent, no X11), but a PTY is allowed: some NETCONF clients ask
    # for one (scrapli's default transport); the relay puts it in raw mode.
    cmd = shlex.join(command).replace('"', '\\"')
    return f'restrict,pty,command="{cmd}" {pubkey}\n'


def ssh_config_text(host: str, user: str, key_file: pathlib.Path, known_hosts: pathlib.Path) -> str:
    """An ssh_config for standard clients (ansible.netcommon's netconf connection, netconf-console2,
    OpenSSH): the lab's devices, verified against the lab's known_hosts only."""
    return (
        "# Lab devices: host keys verified against the lab's known_hosts only (no ~/.ssh, no auto-add).\n"
        f"Host {host}\n"
        f"  User {user}\n"
        f"  IdentityFile {key_file}\n"
        "  IdentitiesOnly yes\n"
        f"  UserKnownHostsFile {known_hosts}\n"
        "  GlobalKnownHostsFile /dev/null\n"
        "  StrictHostKeyChecking yes\n"
        "  HashKnownHosts no\n"
    )


def known_hosts_line(host: str, port: int, pubkey: str) -> str:
    return f"[{host}]:{port} {pubkey}\n"
