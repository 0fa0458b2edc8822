# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs of qsafe.slicing.slice_registry (writes) and slice_registry_info (reads): shared
by the modules (docs, validation) and the action plugins that run them on the controller
(plugins/plugin_utils/_slice_registry.py)."""

from __future__ import annotations

from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import STATES, STEP_STATUSES

# slice_registry: everything that writes (or holds the lock).
ACTIONS = (
    "lock",
    "unlock",
    "reserve",
    "release",
    "set_state",
    "record_steps",
    "recover_stale",
)
# slice_registry_info: everything that only reads.
QUERIES = ("reservations", "get", "list", "teardown_steps", "lock_holder")

BACKEND_SPEC: dict[str, Any] = {
    "dsn": {"type": "str", "no_log": True},
    "path": {"type": "path"},
    "state_dir": {"type": "path"},
}

ARGUMENT_SPEC: dict[str, Any] = {
    "action": {"type": "str", "required": True, "choices": list(ACTIONS)},
    "slice_id": {"type": "str"},
    **BACKEND_SPEC,
    "descriptor": {"type": "dict"},
    "plan": {"type": "dict"},
    "topology": {"type": "dict"},
    "state": {"type": "str", "choices": list(STATES)},
    "error": {"type": "str"},
    "steps": {"type": "list", "elements": "dict"},
    "step_status": {"type": "str", "choices": list(STEP_STATUSES)},
    "runs": {"type": "list", "elements": "raw"},
    "persist_id": {"type": "str"},
    "rolled_back": {"type": "bool", "default": False},
    "undone": {"type": "dict"},
    "failed_task": {"type": "str"},
    "failed_msg": {"type": "str"},
    "holder": {"type": "str"},
    "lock_token": {"type": "str", "no_log": False},
    "keeper_pid": {"type": "int"},
    "timeout": {"type": "float", "default": 300.0},
}

INFO_ARGUMENT_SPEC: dict[str, Any] = {
    "query": {"type": "str", "required": True, "choices": list(QUERIES)},
    "slice_id": {"type": "str"},
    "state": {"type": "str", "choices": list(STATES)},
    **BACKEND_SPEC,
}

REQUIRED_BY_ACTION: dict[str, tuple[str, ...]] = {
    "unlock": ("lock_token", "keeper_pid"),
    "reserve": ("slice_id", "descriptor", "plan", "topology"),
    "release": ("slice_id",),
    "set_state": ("slice_id", "state"),
    "record_steps": ("slice_id",),
    "get": ("slice_id",),
    "teardown_steps": ("slice_id",),
}
