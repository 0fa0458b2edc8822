# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Slice registry and orchestrator lock: the public entry point.

Roles, modules and the benchmark call `open_registry()` and use the returned object; they
never import a backend directly. The backend is chosen once, here:

1. `dsn=` argument, else `path=` argument;
2. environment `QSAFE_REGISTRY_DSN` (PostgreSQL), else `QSAFE_REGISTRY_PATH` (SQLite file);
3. SQLite file `registry.sqlite3` in `state_dir=` or `QSAFE_STATE_DIR`;
4. SQLite file `<project_dir or cwd>/.state/registry.sqlite3`.

SQLite serves one controller machine; PostgreSQL is for controllers on several machines
(AWX execution nodes). Both give the same API and the same guarantees (the tests run
every case on both): reservations are checked and written atomically, and the
orchestrator lock admits one holder at a time and dies with its holder's process.

API of the returned object (see registry/sql.py SqlRegistry for details):
  reserve(slice_id, descriptor, plan, capacities) -> bool     atomic check + record
  release(slice_id) -> bool                                    free the reservation
  reservations(exclude_slice=None) -> {"links", "compute", "vlans"}
  set_state(slice_id, state, error=None, *, holder=None, lock_token=None) -> bool
  record_step(slice_id, step_index, name, status, seconds, detail=None)
  get(slice_id, all_runs=False) -> dict | None ;  list(state=None) -> [dict]
  orchestrator_lock(timeout_s=300, holder=None)  context manager -> holder info
  acquire_lock(...) / release_lock() ;  lock_holder() -> dict | None
  stale() -> [dict] ;  recover_stale() -> [slice ids marked failed]
  describe() -> "sqlite:/path" or "postgresql://user@host:port/db" (no password); close()
"""

from __future__ import annotations

import os

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.errors import (
    BackendUnavailable,
    CapacityError,
    LockTimeout,
    RegistryError,
    RegistryInputError,
    SliceNotFound,
    StateTransitionError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.sql import (
    HOLDING_STATES,
    STATES,
    STEP_STATUSES,
    TRANSITIONS,
    SqlRegistry,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.usage import (
    capacities_from_topology,
    plan_usage,
)

__all__ = [
    "BackendUnavailable",
    "CapacityError",
    "HOLDING_STATES",
    "LockTimeout",
    "RegistryError",
    "RegistryInputError",
    "STATES",
    "STEP_STATUSES",
    "SliceNotFound",
    "SqlRegistry",
    "StateTransitionError",
    "TRANSITIONS",
    "capacities_from_topology",
    "open_registry",
    "plan_usage",
    "select_backend",
]

ENV_DSN = "QSAFE_REGISTRY_DSN"
ENV_PATH = "QSAFE_REGISTRY_PATH"
ENV_STATE_DIR = "QSAFE_STATE_DIR"
DEFAULT_FILE = "registry.sqlite3"
DEFAULT_STATE_SUBDIR = ".state"


def select_backend(
    dsn: str | None = None,
    path: str | None = None,
    state_dir: str | None = None,
    project_dir: str | None = None,
    environ: dict | None = None,
) -> tuple[str, str]:
    """("postgresql", dsn) or ("sqlite", absolute file path), by the precedence above.

    Empty strings count as unset, so an Ansible option defaulting to "" falls through.
    """
    env = os.environ if environ is None else environ
    if dsn:
        return "postgresql", dsn
    if path:
        return "sqlite", os.path.abspath(path)
    if env.get(ENV_DSN):
        return "postgresql", env[ENV_DSN]
    if env.get(ENV_PATH):
        return "sqlite", os.path.abspath(env[ENV_PATH])
    state = state_dir or env.get(ENV_STATE_DIR)
    if state:
        return "sqlite", os.path.abspath(os.path.join(state, DEFAULT_FILE))
    base = project_dir or os.getcwd()
    return "sqlite", os.path.abspath(os.path.join(base, DEFAULT_STATE_SUBDIR, DEFAULT_FILE))


def open_registry(
    dsn: str | None = None,
    path: str | None = None,
    state_dir: str | None = None,
    project_dir: str | None = None,
) -> SqlRegistry:
    """Open (creating tables if needed) the registry chosen by select_backend()."""
    kind, where = select_backend(dsn=dsn, path=path, state_dir=state_dir, project_dir=project_dir)
    if kind == "postgresql":
        from ansible_collections.qsafe.slicing.plugins.module_utils.registry.postgres import PostgresRegistry

        return PostgresRegistry(where)
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.sqlite import SqliteRegistry

    return SqliteRegistry(where)
