# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry logic shared by the SQLite and PostgreSQL backends.

Both backends store the same tables (`schema()`, one DDL for both dialects) and run the same
statements (written with `?` placeholders; the PostgreSQL backend rewrites them). A backend
supplies only what really differs: how a write transaction is made exclusive for reservations,
the auto-numbered key type, and the orchestrator lock. That keeps "no double booking" one
algorithm with two proofs (the tests run the same races on both).
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.errors import (
    LockTimeout,
    RegistryInputError,
    SliceNotFound,
    StateTransitionError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.usage import (
    as_number,
    check_capacities,
    empty_usage,
    plan_usage,
    require_fit,
)

STATES = (
    "planned",
    "provisioning",
    "provisioned",
    "failed",
    "failed-partial",
    "deprovisioning",
    "deprovisioned",
)
TRANSITIONAL_STATES = ("provisioning", "deprovisioning")
# A run that failed and could not put every device back (an undo failed, a device was down): the
# slice keeps its reservation and its last_error names the devices that still hold configuration;
# a re-run (provision or deprovision) finishes the job.
PARTIAL_STATE = "failed-partial"
# States after which the last run's owner (and so its persist-id) is kept: a re-run may find that
# run's confirmed commits still pending on devices and cancel them (see dead_persist_ids).
FAILED_STATES = ("failed", PARTIAL_STATE)
# States in which a slice has (or may still have) configuration on the devices.
HOLDING_STATES = ("provisioned", *TRANSITIONAL_STATES, PARTIAL_STATE)
# Which state may follow which. Re-entering the same state is an idempotent no-op.
TRANSITIONS = {
    "planned": {"provisioning", "failed", "deprovisioned"},
    "provisioning": {"provisioned", "failed", PARTIAL_STATE},
    "provisioned": {"provisioning", "deprovisioning", "failed"},
    "failed": {"planned", "provisioning", "deprovisioning", "deprovisioned"},
    PARTIAL_STATE: {"provisioning", "deprovisioning", "failed"},
    "deprovisioning": {"deprovisioned", "failed", PARTIAL_STATE},
    "deprovisioned": {"planned"},
}
STEP_STATUSES = ("ok", "changed", "failed", "skipped", "rolled_back", "rollback_failed")
# Field names that carry key material in the KMS and device APIs; a step detail holding one
# would put a key at rest in the registry, so it is refused.
SECRET_FIELDS = frozenset({"key", "keys", "secret", "password", "passphrase", "private_key", "psk"})
SLICE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


SCHEMA_VERSION = "1"
# The tables of both backends; {auto_id} is the dialect's auto-numbered primary key.
_TABLES = (
    "CREATE TABLE IF NOT EXISTS registry_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS slices (
      id TEXT PRIMARY KEY, descriptor TEXT NOT NULL, plan TEXT NOT NULL, state TEXT NOT NULL,
      created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
      last_error TEXT, owner TEXT, reserved INTEGER NOT NULL DEFAULT 0, run INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS slice_steps (
      id {auto_id}, slice_id TEXT NOT NULL REFERENCES slices(id),
      run INTEGER NOT NULL, step_index INTEGER NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
      seconds DOUBLE PRECISION NOT NULL, detail TEXT, at DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS slice_steps_by_slice ON slice_steps (slice_id, run)",
    """CREATE TABLE IF NOT EXISTS reserved_links (
      slice_id TEXT NOT NULL REFERENCES slices(id), link TEXT NOT NULL, mbps DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (slice_id, link))""",
    """CREATE TABLE IF NOT EXISTS reserved_compute (
      slice_id TEXT NOT NULL REFERENCES slices(id), site TEXT NOT NULL,
      vcpu DOUBLE PRECISION NOT NULL, memory_gb DOUBLE PRECISION NOT NULL, PRIMARY KEY (slice_id, site))""",
    """CREATE TABLE IF NOT EXISTS reserved_vlans (
      vlan INTEGER PRIMARY KEY, slice_id TEXT NOT NULL REFERENCES slices(id))""",
    "INSERT INTO registry_meta (name, value) VALUES ('schema_version', '{version}')"
    " ON CONFLICT (name) DO NOTHING",
)


def schema(auto_id: str) -> list[str]:
    """The DDL statements of the registry, for a dialect whose auto-numbered key is `auto_id`."""
    return [statement.format(auto_id=auto_id, version=SCHEMA_VERSION) for statement in _TABLES]


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_slice_id(slice_id) -> str:
    if not isinstance(slice_id, str) or not SLICE_ID_RE.match(slice_id):
        raise RegistryInputError(
            f"slice_id: must be 1-128 characters of letters, digits, '.', '_', ':' or '-', got {slice_id!r}"
        )
    return slice_id


def to_json(value, field: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise RegistryInputError(f"{field}: not JSON-serialisable ({exc})") from None


def refuse_secrets(value, field: str) -> None:
    if isinstance(value, dict):
        for name, item in value.items():
            if str(name).lower() in SECRET_FIELDS:
                raise RegistryInputError(f"{field}.{name}: looks like key material, which is never stored")
            refuse_secrets(item, f"{field}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_secrets(item, f"{field}[{index}]")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def new_holder_info(holder: str | None) -> dict:
    return {
        "holder": holder or f"pid {os.getpid()}",
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "since": iso(time.time()),
        "token": uuid.uuid4().hex,
    }


def lock_timeout_error(holder: dict | None, waited: float) -> LockTimeout:
    if holder:
        who = (
            f"held by {holder.get('holder')!r} (pid {holder.get('pid')} on host {holder.get('host')}) "
            f"since {holder.get('since')}"
        )
    else:
        who = "held by an unknown holder"
    return LockTimeout(f"orchestrator lock busy: {who}; gave up after waiting {waited:.1f} s", holder)


class SqlRegistry:
    """Slice records, reservations and the orchestrator lock on one SQL database.

    Not thread-safe: one object per thread or process (open a new one after fork).
    """

    backend = "sql"

    @contextmanager
    def orchestrator_lock(self, timeout_s: float = 300.0, holder: str | None = None):
        """Hold the orchestrator lock for the block (the backend's acquire_lock); wait up to timeout_s."""
        info = self.acquire_lock(timeout_s=timeout_s, holder=holder)
        try:
            yield info
        finally:
            self._unlock()

    def __init__(self) -> None:
        self._lock_info: dict | None = None  # set while this object holds the orchestrator lock

    # ---- backend hooks ---------------------------------------------------------------
    def _write(self):  # pragma: no cover - abstract
        """A context manager yielding an executor inside an exclusive write transaction."""
        raise NotImplementedError

    def _read(self):  # pragma: no cover - abstract
        """A context manager yielding an executor inside a consistent read transaction."""
        raise NotImplementedError

    def lock_holder(self) -> dict | None:  # pragma: no cover - abstract
        """The live holder of the orchestrator lock, or None when it is free."""
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- reservations ------------------------------------------------------------------
    def _current(self, db, exclude_slice: str | None) -> dict:
        excl = exclude_slice or ""
        usage = empty_usage()
        for link, mbps in db(
            "SELECT link, SUM(mbps) FROM reserved_links WHERE slice_id <> ? GROUP BY link", (excl,)
        ):
            usage["links"][link] = as_number(mbps)
        rows = db(
            "SELECT site, SUM(vcpu), SUM(memory_gb) FROM reserved_compute WHERE slice_id <> ? GROUP BY site",
            (excl,),
        )
        for site, vcpu, memory in rows:
            usage["compute"][site] = {"vcpu": as_number(vcpu), "memory_gb": as_number(memory)}
        owners = dict(
            db("SELECT vlan, slice_id FROM reserved_vlans WHERE slice_id <> ? ORDER BY vlan", (excl,))
        )
        usage["vlans"] = sorted(owners)
        usage["vlan_owners"] = owners
        return usage

    def _own_usage(self, db, slice_id: str) -> dict | None:
        links = dict(db("SELECT link, mbps FROM reserved_links WHERE slice_id = ?", (slice_id,)))
        compute = db("SELECT site, vcpu, memory_gb FROM reserved_compute WHERE slice_id = ?", (slice_id,))
        vlans = [
            row[0]
            for row in db("SELECT vlan FROM reserved_vlans WHERE slice_id = ? ORDER BY vlan", (slice_id,))
        ]
        held = db("SELECT reserved FROM slices WHERE id = ?", (slice_id,))
        if not held or not held[0][0]:
            return None
        return {
            "links": {k: as_number(v) for k, v in links.items()},
            "compute": {s: {"vcpu": as_number(c), "memory_gb": as_number(m)} for s, c, m in compute},
            "vlans": vlans,
        }

    def reservations(self, exclude_slice: str | None = None) -> dict:
        """Everything reserved, summed per link / compute site, in the planner's format."""
        with self._read() as db:
            usage = self._current(db, exclude_slice)
        usage.pop("vlan_owners")
        return usage

    def reserve(self, slice_id: str, descriptor: dict, plan: dict, capacities: dict) -> bool:
        """Record the slice and reserve its plan atomically, or raise CapacityError.

        Returns False when the slice already holds exactly this plan (nothing written), True
        otherwise. A slice that holds another plan has it replaced, checked without counting
        its own old reservation. A failed or deprovisioned slice goes back to `planned`.
        """
        check_slice_id(slice_id)
        if not isinstance(descriptor, dict):
            raise RegistryInputError("descriptor: must be a mapping")
        usage = plan_usage(slice_id, plan)
        check_capacities(capacities)
        descriptor_json = to_json(descriptor, "descriptor")
        plan_json = to_json(plan, "plan")
        now = time.time()
        with self._write() as db:
            row = db("SELECT state, descriptor, plan FROM slices WHERE id = ?", (slice_id,))
            own = self._own_usage(db, slice_id) if row else None
            normalized = {
                "links": {k: as_number(v) for k, v in usage["links"].items()},
                "compute": {s: {f: as_number(v) for f, v in c.items()} for s, c in usage["compute"].items()},
                "vlans": usage["vlans"],
            }
            if row and own == normalized and row[0][1] == descriptor_json and row[0][2] == plan_json:
                return False
            require_fit(slice_id, usage, self._current(db, slice_id), capacities)
            if row:
                state = "planned" if row[0][0] in ("failed", "deprovisioned") else row[0][0]
                db(
                    "UPDATE slices SET descriptor = ?, plan = ?, state = ?, updated_at = ?, reserved = 1"
                    " WHERE id = ?",
                    (descriptor_json, plan_json, state, now, slice_id),
                )
                self._drop_reservation(db, slice_id)
            else:
                db(
                    "INSERT INTO slices (id, descriptor, plan, state, created_at, updated_at, reserved, run)"
                    " VALUES (?, ?, ?, 'planned', ?, ?, 1, 0)",
                    (slice_id, descriptor_json, plan_json, now, now),
                )
            for link, mbps in usage["links"].items():
                db(
                    "INSERT INTO reserved_links (slice_id, link, mbps) VALUES (?, ?, ?)",
                    (slice_id, link, mbps),
                )
            for site, need in usage["compute"].items():
                db(
                    "INSERT INTO reserved_compute (slice_id, site, vcpu, memory_gb) VALUES (?, ?, ?, ?)",
                    (slice_id, site, need["vcpu"], need["memory_gb"]),
                )
            for vlan in usage["vlans"]:
                db("INSERT INTO reserved_vlans (vlan, slice_id) VALUES (?, ?)", (vlan, slice_id))
        return True

    @staticmethod
    def _drop_reservation(db, slice_id: str) -> None:
        for table in ("reserved_links", "reserved_compute", "reserved_vlans"):
            db(f"DELETE FROM {table} WHERE slice_id = ?", (slice_id,))  # noqa: S608 - fixed table names

    def release(self, slice_id: str) -> bool:
        """Free the slice's reservation; the record stays. False when nothing was reserved, and
        while the slice is failed-partial: devices still hold part of it, so its capacity and
        VLANs stay booked until a re-run finishes the job."""
        check_slice_id(slice_id)
        with self._write() as db:
            row = db("SELECT reserved, state FROM slices WHERE id = ?", (slice_id,))
            if not row or not row[0][0] or row[0][1] == PARTIAL_STATE:
                return False
            self._drop_reservation(db, slice_id)
            db("UPDATE slices SET reserved = 0, updated_at = ? WHERE id = ?", (time.time(), slice_id))
        return True

    # ---- records -------------------------------------------------------------------------
    def _owner(self, holder: str | None, lock_token: str | None) -> dict:
        info = self._lock_info or {}
        return {
            "holder": holder or info.get("holder") or f"pid {os.getpid()}",
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "token": lock_token or info.get("token"),
            "since": iso(time.time()),
        }

    def set_state(
        self,
        slice_id: str,
        state: str,
        error: str | None = None,
        *,
        holder: str | None = None,
        lock_token: str | None = None,
    ) -> bool:
        """Move the slice to `state` (see TRANSITIONS); False when it already was there.

        Entering provisioning/deprovisioning records who does it (holder, host, pid and the
        orchestrator lock token, taken from the lock this object holds unless given) and
        starts a new run, so `stale()` can find the slice if that controller dies. `error` is
        stored as last_error (a new error replaces it; leaving `failed` for a good state
        clears it).
        """
        check_slice_id(slice_id)
        if state not in STATES:
            raise RegistryInputError(f"state: {state!r} is not one of {', '.join(STATES)}")
        if error is not None and not isinstance(error, str):
            raise RegistryInputError("error: must be a string")
        now = time.time()
        with self._write() as db:
            row = db("SELECT state, last_error, run, owner FROM slices WHERE id = ?", (slice_id,))
            if not row:
                raise SliceNotFound(slice_id)
            current, last_error, run, owner = row[0]
            if current == state:
                if error is not None and error != last_error:
                    db(
                        "UPDATE slices SET last_error = ?, updated_at = ? WHERE id = ?",
                        (error, now, slice_id),
                    )
                    return True
                return False
            if state not in TRANSITIONS[current]:
                allowed = ", ".join(sorted(TRANSITIONS[current]))
                raise StateTransitionError(
                    f"slice {slice_id}: cannot go from {current} to {state}"
                    f" (allowed from {current}: {allowed})"
                )
            if state in TRANSITIONAL_STATES:
                owner = to_json(self._owner(holder, lock_token), "owner")
                run += 1
            elif state not in FAILED_STATES:
                owner = None
            if error is None and state in ("provisioned", "deprovisioned", "planned"):
                last_error = None
            db(
                "UPDATE slices SET state = ?, last_error = ?, owner = ?, run = ?, updated_at = ?"
                " WHERE id = ?",
                (state, error if error is not None else last_error, owner, run, now, slice_id),
            )
        return True

    def record_step(
        self,
        slice_id: str,
        step_index: int,
        name: str,
        status: str,
        seconds: float,
        detail=None,
    ) -> None:
        """Append one step's outcome to the slice's current run (never key material)."""
        check_slice_id(slice_id)
        if isinstance(step_index, bool) or not isinstance(step_index, int) or step_index < 0:
            raise RegistryInputError(f"step_index: must be an integer >= 0, got {step_index!r}")
        if not isinstance(name, str) or not name:
            raise RegistryInputError("name: must be a non-empty string")
        if status not in STEP_STATUSES:
            raise RegistryInputError(f"status: {status!r} is not one of {', '.join(STEP_STATUSES)}")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise RegistryInputError(f"seconds: must be a number >= 0, got {seconds!r}")
        refuse_secrets(detail, "detail")
        detail_json = to_json(detail, "detail")
        now = time.time()
        with self._write() as db:
            row = db("SELECT run FROM slices WHERE id = ?", (slice_id,))
            if not row:
                raise SliceNotFound(slice_id)
            db(
                "INSERT INTO slice_steps (slice_id, run, step_index, name, status, seconds, detail, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (slice_id, row[0][0], step_index, name, status, float(seconds), detail_json, now),
            )
            db("UPDATE slices SET updated_at = ? WHERE id = ?", (now, slice_id))

    _COLUMNS = "id, descriptor, plan, state, created_at, updated_at, last_error, owner, reserved, run"

    def _record(self, db, row, all_runs: bool) -> dict:
        slice_id, descriptor, plan, state, created, updated, last_error, owner, reserved, run = row
        sql = "SELECT run, step_index, name, status, seconds, detail, at FROM slice_steps WHERE slice_id = ?"
        params: tuple = (slice_id,)
        if not all_runs:
            sql += " AND run = ?"
            params = (slice_id, run)
        steps = [
            {
                "run": r[0],
                "index": r[1],
                "name": r[2],
                "status": r[3],
                "seconds": r[4],
                "detail": json.loads(r[5]) if r[5] is not None else None,
                "at": iso(r[6]),
            }
            for r in db(sql + " ORDER BY id", params)
        ]
        return {
            "id": slice_id,
            "state": state,
            "descriptor": json.loads(descriptor),
            "plan": json.loads(plan),
            "created_at": iso(created),
            "updated_at": iso(updated),
            "last_error": last_error,
            "owner": json.loads(owner) if owner else None,
            "run": run,
            "reservation": self._own_usage(db, slice_id) if reserved else None,
            "steps": steps,
        }

    def get(self, slice_id: str, all_runs: bool = False) -> dict | None:
        """The slice record (None if unknown); steps of the current run unless all_runs."""
        check_slice_id(slice_id)
        with self._read() as db:
            rows = db(f"SELECT {self._COLUMNS} FROM slices WHERE id = ?", (slice_id,))  # noqa: S608
            return self._record(db, rows[0], all_runs) if rows else None

    def list(self, state: str | None = None) -> list[dict]:
        """All slice records (optionally in one state), oldest first, current run's steps."""
        if state is not None and state not in STATES:
            raise RegistryInputError(f"state: {state!r} is not one of {', '.join(STATES)}")
        with self._read() as db:
            sql = f"SELECT {self._COLUMNS} FROM slices"  # noqa: S608
            rows = db(
                sql + (" WHERE state = ?" if state else "") + " ORDER BY created_at, id",
                (state,) if state else (),
            )
            return [self._record(db, row, False) for row in rows]

    def dead_persist_ids(self, prefix: str) -> list[str]:
        """Persist-ids (prefix + lock token) of the last runs of failed slices and of stale ones.

        Those runs are over (failed, or their controller died): a confirmed commit of theirs still
        pending on a device will only revert, so a new run may cancel it and re-apply its own.
        """
        found = []
        for record in self.stale() + self.list("failed") + self.list(PARTIAL_STATE):
            token = (record.get("owner") or {}).get("token")
            if token and f"{prefix}{token}" not in found:
                found.append(f"{prefix}{token}")
        return found

    # ---- crash recovery --------------------------------------------------------------------
    def _owner_alive(self, owner: dict | None, live: dict | None) -> bool:
        if not owner:
            return False
        if owner.get("token"):
            return bool(live) and live.get("token") == owner["token"]
        if owner.get("host") == socket.gethostname():
            return pid_alive(int(owner.get("pid", 0)))
        return live is not None  # another host, no lock token: alive only while someone holds the lock

    def stale(self) -> list[dict]:
        """Slices left in provisioning/deprovisioning by a controller that is gone.

        A change is made only under the orchestrator lock, and the lock dies with its holder;
        so a transitional slice whose recorded lock token is not the live holder's is stale.
        """
        live = self.lock_holder()
        found = []
        for state in TRANSITIONAL_STATES:
            for record in self.list(state):
                if not self._owner_alive(record["owner"], live):
                    found.append(record)
        return found

    def recover_stale(self) -> list[str]:
        """Mark every stale slice failed with an error naming the dead controller; ids changed.

        Reservations are kept: the devices may still hold part of the slice until their
        confirmed commits revert, and releasing early could double-book. Release after cleanup.
        """
        changed = []
        for record in self.stale():
            owner = record["owner"] or {}
            error = (
                f"controller {owner.get('holder')} (pid {owner.get('pid')} on host {owner.get('host')}) "
                f"stopped while the slice was {record['state']} (since {owner.get('since')}); "
                f"devices revert unconfirmed commits by themselves"
            )
            if self.set_state(record["id"], "failed", error=error):
                changed.append(record["id"])
        return changed
