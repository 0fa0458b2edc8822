# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of qsafe.slicing.slice_registry: shared by the module (docs, validation) and the
action plugin that runs it on the controller (plugins/plugin_utils/_slice_registry.py)."""

from __future__ import annotations

from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import STATES, STEP_STATUSES

ACTIONS = (
    "lock",
    "unlock",
    "reservations",
    "reserve",
    "release",
    "set_state",
    "record_steps",
    "get",
    "list",
    "recover_stale",
    "teardown_steps",
)

ARGUMENT_SPEC: dict[str, Any] = {
    "action": {"type": "str", "required": True, "choices": list(ACTIONS)},
    "slice_id": {"type": "str"},
    "dsn": {"type": "str", "no_log": True},
    "path": {"type": "path"},
    "state_dir": {"type": "path"},
    "descriptor": {"type": "dict"},
    "plan": {"type": "dict"},
    "topology": {"type": "dict"},
    "state": {"type": "str", "choices": list(STATES)},
    "error": {"type": "str"},
    "steps": {"type": "list", "elements": "dict"},
    "step_status": {"type": "str", "choices": list(STEP_STATUSES)},
    "holder": {"type": "str"},
    "lock_token": {"type": "str", "no_log": False},
    "keeper_pid": {"type": "int"},
    "timeout": {"type": "float", "default": 300.0},
    "readback": {"type": "dict"},
    "undo_results": {"type": "list", "elements": "raw"},
}

REQUIRED_BY_ACTION: dict[str, tuple[str, ...]] = {
    "unlock": ("lock_token", "keeper_pid"),
    "reserve": ("slice_id", "descriptor", "plan", "topology"),
    "release": ("slice_id",),
    "set_state": ("slice_id", "state"),
    "record_steps": ("slice_id", "steps"),
    "get": ("slice_id",),
    "teardown_steps": ("slice_id",),
}


# A slice in one of these states has configuration on the devices.
