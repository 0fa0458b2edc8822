# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real, throw-away PostgreSQL server for tests: initdb, start on loopback, stop, remove.

Importable by any suite (`from tests.integration.pg_server import PgServer`, or through the
`pg_server` / `pg_dsn` fixtures of tests/integration/registry/conftest.py). Uses Debian's server
binaries (/usr/lib/postgresql/<major>/bin, or $QSAFE_PG_BIN). As root, the cluster is
owned by the `postgres` system user (initdb refuses root) and commands run via runuser.
Each server gets a free TCP port on 127.0.0.1 and its unix socket in its own temp dir,
so several test sessions on one machine never collide.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

PG_USER = "postgres"


class PgServerError(RuntimeError):
    """The server could not be created or started; the message carries its log tail."""


def find_pg_bin() -> str | None:
    """Directory of initdb/pg_ctl: $QSAFE_PG_BIN, else the newest Debian major, else PATH."""
    env = os.environ.get("QSAFE_PG_BIN")
    if env:
        return env
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """One cluster in a temp dir. Use as a context manager; `stop()` is idempotent."""

    def __init__(self, bin_dir: str | None = None, start_timeout_s: float = 30.0):
        self.bin_dir = bin_dir or find_pg_bin()
        if not self.bin_dir or not os.path.exists(os.path.join(self.bin_dir, "initdb")):
            raise PgServerError(
                "PostgreSQL server binaries not found"
                " (looked in $QSAFE_PG_BIN, /usr/lib/postgresql/*/bin, PATH);"
                " install the Debian package `postgresql` (make setup does)"
            )
        self.start_timeout_s = start_timeout_s
        self.base = tempfile.mkdtemp(prefix="qsafe-pg-")
        self.data = os.path.join(self.base, "data")
        self.sockets = os.path.join(self.base, "run")
        self.log = os.path.join(self.base, "server.log")
        self.port: int | None = None
        self.started = False
        self._as_root = os.geteuid() == 0
        if self._as_root:
            owner = pwd.getpwnam(PG_USER)
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
        os.makedirs(self.sockets)
        if self._as_root:
            os.chown(self.sockets, owner.pw_uid, owner.pw_gid)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [os.path.join(self.bin_dir, args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", PG_USER, "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, cwd=self.base, check=False)
        if check and result.returncode != 0:
            raise PgServerError(
                f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}\n{self._log_tail()}"
            )
        return result

    def _log_tail(self, lines: int = 20) -> str:
        try:
            with open(self.log, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def start(self) -> PgServer:
        self._run("initdb", "-D", self.data, "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-sync", "-N")
        last_error = ""
        for _attempt in range(5):  # another session may grab the free port between probe and bind
            self.port = free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
                " -c shared_buffers=16MB"
            )
            result = self._run(
                "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w",
                "-t", str(int(self.start_timeout_s)), "start", check=False,
            )  # fmt: skip
            if result.returncode == 0:
                self.started = True
                return self
            last_error = result.stderr.strip() + "\n" + self._log_tail()
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop", check=False)
            time.sleep(0.1)
        raise PgServerError(f"postgres did not start: {last_error}")

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={PG_USER} dbname={dbname}"

    def create_database(self, name: str | None = None) -> str:
        """A fresh empty database; returns its DSN."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
            self.started = False
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> PgServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def running_pg_server():
    """`with running_pg_server() as server:` for non-pytest callers (benchmarks, scripts)."""
    with PgServer() as server:
        yield server
