# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SQLite backend: one file on the controller, for single-machine use (the default).

Writes use `BEGIN IMMEDIATE`, which lets one writer at a time in, so the read-check-write
of a reservation is atomic across processes. The orchestrator lock is an `flock` on a
side file: the kernel drops it when the holder dies, even by SIGKILL, so a killed
controller never leaves it stuck. Not for several machines (use PostgreSQL there).
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import time
from contextlib import contextmanager

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.errors import RegistryInputError
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.sql import (
    SqlRegistry,
    lock_timeout_error,
    new_holder_info,
    schema,
)

SCHEMA = ";\n".join(schema("INTEGER PRIMARY KEY AUTOINCREMENT")) + ";\n"


class SqliteRegistry(SqlRegistry):
    backend = "sqlite"

    def __init__(self, path: str, busy_timeout_s: float = 60.0):
        super().__init__()
        if not isinstance(path, str) or not path:
            raise RegistryInputError("path: must be a file path for the SQLite registry")
        self.path = os.path.abspath(path)
        self.lock_path = self.path + ".lock"
        self.holder_path = self.path + ".lock.holder.json"
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self._conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        try:
            self._conn.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._lock_fd: int | None = None

    def describe(self) -> str:
        return f"sqlite:{self.path}"

    def _exec(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._conn.execute(sql, params).fetchall()

    @contextmanager
    def _write(self):
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._exec
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @contextmanager
    def _read(self):
        self._conn.execute("BEGIN")
        try:
            yield self._exec
        finally:
            self._conn.execute("COMMIT")

    def close(self) -> None:
        if self._lock_fd is not None:
            self._unlock()
        self._conn.close()

    # ---- orchestrator lock ------------------------------------------------------------
    def _read_holder(self) -> dict | None:
        try:
            with open(self.holder_path, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None

    def lock_holder(self) -> dict | None:
        if self._lock_info is not None:
            return dict(self._lock_info)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return self._read_holder() or {"holder": "unknown", "host": None, "pid": None, "since": None}
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def acquire_lock(self, timeout_s: float = 300.0, holder: str | None = None) -> dict:
        """Take the lock (see orchestrator_lock); keep it until release_lock() or process exit."""
        if self._lock_info is not None:
            raise RegistryInputError("orchestrator lock: already held by this registry object")
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        start = time.monotonic()
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= timeout_s:
                    os.close(fd)
                    raise lock_timeout_error(self._read_holder(), waited) from None
                time.sleep(min(delay, max(timeout_s - waited, 0.001)))
                delay = min(delay * 2, 0.05)
        info = new_holder_info(holder)
        tmp = f"{self.holder_path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(info, handle)
        os.replace(tmp, self.holder_path)
        self._lock_fd = fd
        self._lock_info = info
        return dict(info)

    def release_lock(self) -> None:
        self._unlock()

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        fd, self._lock_fd, self._lock_info = self._lock_fd, None, None
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
