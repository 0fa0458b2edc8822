#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: slice_registry_info
author: qsafe.slicing team (@qsafe)
version_added: "0.1.0"
short_description: Read the slice registry (slices, reservations, teardown steps, lock holder)
description:
  - Reads the slice registry that M(qsafe.slicing.slice_registry) writes - slice records,
    the capacity other slices hold, the steps that deprovisioning a slice undoes, the holder of the
    orchestrator lock - and the lines of a status report. Changes nothing.
  - The backend is SQLite (a file in the state dir) unless a PostgreSQL O(dsn) is given; unset
    options fall back to the environment (E(QSAFE_REGISTRY_DSN), E(QSAFE_REGISTRY_PATH),
    E(QSAFE_STATE_DIR)), then to C(.state/registry.sqlite3) under the current directory.
  - An action plugin of the same name runs this in the controller's worker. It cannot run as a
    module on a target.
options:
  query:
    description:
      - C(reservations) what all slices except O(slice_id) hold (the path lookup's input).
      - C(get) the record of O(slice_id).
      - C(list) every record (or O(slice_id)'s only, or those in O(state)), stale slices, the lock
        holder, the backend, reservations, and the status report's lines.
      - C(teardown_steps) the steps that deprovisioning O(slice_id) undoes, in reverse plan order,
        leaving out shared resources that other slices still use.
      - C(lock_holder) the live holder of the orchestrator lock.
    type: str
    required: true
    choices: [reservations, get, list, teardown_steps, lock_holder]
  slice_id:
    description: The slice the query is about (required by C(get) and C(teardown_steps)).
    type: str
  state:
    description: Only slices in this state (C(list)).
    type: str
    choices: [planned, provisioning, provisioned, failed, deprovisioning, deprovisioned]
  dsn:
    description: PostgreSQL DSN (libpq string or URL); the password belongs in PGPASSWORD or ~/.pgpass.
    type: str
  path:
    description: SQLite registry file.
    type: path
  state_dir:
    description: Directory holding C(registry.sqlite3).
    type: path
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Reads only, the same in check mode.
  diff_mode:
    description:
      - Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation
        indicates no change.
    support: full
"""

EXAMPLES = r"""
- name: What other slices hold
  qsafe.slicing.slice_registry_info:
    query: reservations
    slice_id: enterprise-app-1
  register: held

- name: Status report of every slice
  qsafe.slicing.slice_registry_info:
    query: list
  register: registry

- name: Print it
  ansible.builtin.debug:
    msg: "{{ registry.lines + (registry.slices | map(attribute='lines') | flatten) }}"
"""

RETURN = r"""
reservations:
  description: Links (Mbit/s), compute (vcpu, memory_gb) per site and VLANs held.
  returned: query is reservations or list
  type: dict
found:
  description: Whether the slice exists.
  returned: query is get
  type: bool
record:
  description: The slice record (id, state, descriptor, plan, last_error, owner, reservation, steps, ...).
  returned: query is get or teardown_steps
  type: dict
records:
  description: The slice records (current run's steps).
  returned: query is list
  type: list
  elements: dict
stale:
  description: Ids of slices left provisioning/deprovisioning by a controller that is gone.
  returned: query is list
  type: list
  elements: str
lock_holder:
  description: The live lock holder, or null.
  returned: query is list or lock_holder
  type: dict
backend:
  description: The backend in use, without password.
  returned: query is list
  type: str
lines:
  description: The registry part of the status report (backend, lock, stale slices, reservations).
  returned: query is list
  type: list
  elements: str
slices:
  description:
    - Per slice, C(id) and C(lines) - state, compute site, last run's steps and device time, last
      error, then one line per connection (links, security per hop, VLAN).
  returned: query is list
  type: list
  elements: dict
steps:
  description: Steps to remove, reverse plan order, each with C(state=absent).
  returned: query is teardown_steps
  type: list
  elements: dict
kept_shared:
  description: Shared steps left in place, each with C(kept_for) naming the slices using them.
  returned: query is teardown_steps
  type: list
  elements: dict
summary:
  description: One line - the slice's state, how many steps are undone and which shared ones stay for whom.
  returned: query is teardown_steps
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.argspec import INFO_ARGUMENT_SPEC


def main():
    # Same reason as slice_registry: the registry lives with the controller; the action plugin of
    # the same name does the work.
    module = AnsibleModule(argument_spec=INFO_ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(
        msg="qsafe.slicing.slice_registry_info runs on the controller through its action plugin; "
        "it cannot run as a module on a target (use it in a play on the controller)"
    )


if __name__ == "__main__":
    main()
