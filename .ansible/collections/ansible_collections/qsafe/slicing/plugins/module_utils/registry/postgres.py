# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PostgreSQL backend: one registry shared by controllers on several machines (AWX nodes).

Every write transaction first takes a transaction-scoped advisory lock, so reservations
are checked and written one at a time across all clients (READ COMMITTED then sees every
earlier commit). The orchestrator lock is a session advisory lock on a dedicated
connection: it dies with the session, so a killed controller releases it as soon as the
server sees the connection close (TCP keepalives are tightened on that session so that a
dead machine, not only a dead process, frees it within about 30 s).
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.errors import (
    BackendUnavailable,
    RegistryInputError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.sql import (
    SqlRegistry,
    lock_timeout_error,
    new_holder_info,
    schema,
)

try:
    import psycopg
    from psycopg import conninfo as pg_conninfo
    from psycopg import errors as pg_errors

    HAS_PSYCOPG = True
except ImportError:  # pragma: no cover - exercised only where psycopg is absent
    HAS_PSYCOPG = False

# Advisory lock keys (two int4 form): a fixed namespace for this collection, then the purpose.
LOCK_NAMESPACE = 0x71736C63  # "qslc"
KEY_SCHEMA = 1
KEY_WRITE = 2
KEY_ORCHESTRATOR = 3

SCHEMA = [
    *schema("BIGSERIAL PRIMARY KEY"),
    # Who holds the orchestrator lock (the SQLite backend keeps this in a side file).
    """CREATE TABLE IF NOT EXISTS orchestrator_lock_holder (
      id INTEGER PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
      since TEXT NOT NULL, token TEXT NOT NULL, backend_pid INTEGER NOT NULL)""",
]


def redact_dsn(dsn: str) -> str:
    """postgresql://user@host:port/db, never the password."""
    try:
        parts = pg_conninfo.conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 - any parse failure: say nothing about the DSN's content
        return "postgresql://(unparsable DSN)"
    user = parts.get("user", "")
    host = parts.get("host", "")
    port = parts.get("port", "")
    where = f"{host}:{port}" if port else host
    return f"postgresql://{user + '@' if user else ''}{where}/{parts.get('dbname', '')}"


class PostgresRegistry(SqlRegistry):
    backend = "postgresql"

    def __init__(self, dsn: str, connect_timeout_s: int = 10):
        super().__init__()
        if not HAS_PSYCOPG:
            raise BackendUnavailable("the PostgreSQL registry needs the Python package psycopg (3.x)")
        if not isinstance(dsn, str) or not dsn:
            raise RegistryInputError("dsn: must be a PostgreSQL connection string")
        self._dsn = dsn
        self._connect_timeout_s = connect_timeout_s
        self._conn = self._connect("qsafe.slicing registry")
        self._lock_conn = None
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, KEY_SCHEMA))
            for statement in SCHEMA:
                self._conn.execute(statement)

    def _connect(self, application_name: str):
        params = pg_conninfo.conninfo_to_dict(self._dsn)
        params.setdefault("connect_timeout", str(self._connect_timeout_s))
        params.setdefault("application_name", application_name)
        try:
            return psycopg.connect(pg_conninfo.make_conninfo(**params), autocommit=True)
        except psycopg.OperationalError as exc:
            # libpq's message names host and port, never the password.
            raise BackendUnavailable(f"cannot reach the registry at {redact_dsn(self._dsn)}: {exc}") from None

    def describe(self) -> str:
        return redact_dsn(self._dsn)

    def _executor(self, cur):
        def run(sql: str, params: tuple = ()) -> list[tuple]:
            cur.execute(sql.replace("?", "%s"), params)
            return cur.fetchall() if cur.description is not None else []

        return run

    @contextmanager
    def _write(self):
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, KEY_WRITE))
            yield self._executor(cur)

    @contextmanager
    def _read(self):
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield self._executor(cur)

    def close(self) -> None:
        self._unlock()
        self._conn.close()

    # ---- orchestrator lock ----------------------------------------------------------------
    def lock_holder(self) -> dict | None:
        if self._lock_info is not None:
            return dict(self._lock_info)
        with self._conn.cursor() as cur:
            cur.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = %s::int::oid AND objid = %s::int::oid AND objsubid = 2",
                (LOCK_NAMESPACE, KEY_ORCHESTRATOR),
            )
            row = cur.fetchone()
            if row is None:
                return None
            cur.execute(
                "SELECT holder, host, pid, since, token FROM orchestrator_lock_holder"
                " WHERE id = 1 AND backend_pid = %s",
                (row[0],),
            )
            found = cur.fetchone()
        if found is None:  # acquired this instant, holder row not written yet
            return {"holder": "unknown", "host": None, "pid": None, "since": None, "token": None}
        return dict(zip(("holder", "host", "pid", "since", "token"), found, strict=True))

    def acquire_lock(self, timeout_s: float = 300.0, holder: str | None = None) -> dict:
        """Take the lock (see orchestrator_lock); keep it until release_lock() or session end."""
        if self._lock_info is not None:
            raise RegistryInputError("orchestrator lock: already held by this registry object")
        conn = self._connect("qsafe.slicing orchestrator lock")
        start = time.monotonic()
        try:
            for setting in (
                "tcp_keepalives_idle = 10",
                "tcp_keepalives_interval = 5",
                "tcp_keepalives_count = 3",
            ):
                conn.execute(f"SET {setting}")
            got = False
            if timeout_s > 0:
                millis = max(1, min(int(timeout_s * 1000), 2_000_000_000))
                conn.execute(f"SET lock_timeout = {millis}")
                try:
                    conn.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_NAMESPACE, KEY_ORCHESTRATOR))
                    got = True
                except pg_errors.LockNotAvailable:
                    got = False
                conn.execute("SET lock_timeout = 0")
            else:
                row = conn.execute(
                    "SELECT pg_try_advisory_lock(%s, %s)", (LOCK_NAMESPACE, KEY_ORCHESTRATOR)
                ).fetchone()
                got = bool(row and row[0])
            if not got:
                raise lock_timeout_error(self.lock_holder(), time.monotonic() - start)
            info = new_holder_info(holder)
            conn.execute(
                "INSERT INTO orchestrator_lock_holder (id, holder, host, pid, since, token, backend_pid)"
                " VALUES (1, %s, %s, %s, %s, %s, pg_backend_pid())"
                " ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, host = EXCLUDED.host,"
                " pid = EXCLUDED.pid, since = EXCLUDED.since, token = EXCLUDED.token,"
                " backend_pid = EXCLUDED.backend_pid",
                (info["holder"], info["host"], info["pid"], info["since"], info["token"]),
            )
        except BaseException:
            conn.close()
            raise
        self._lock_conn = conn
        self._lock_info = info
        return dict(info)

    def release_lock(self) -> None:
        self._unlock()

    def _unlock(self) -> None:
        if self._lock_conn is None:
            return
        conn, self._lock_conn, self._lock_info = self._lock_conn, None, None
        try:
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_NAMESPACE, KEY_ORCHESTRATOR))
        finally:
            conn.close()  # closing the session releases the lock even if the unlock failed
