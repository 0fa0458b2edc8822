#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: slice_registry
author: qsafe.slicing team (@qsafe)
version_added: "0.1.0"
short_description: Slice registry, reservations and the orchestrator lock
description:
  - Reads and writes the slice registry (slice records, reservations of link capacity, compute
    and VLANs, per-step timings) and takes or releases the orchestrator lock that lets one change
    run at a time across concurrent playbook runs.
  - The backend is SQLite (a file in the state dir) unless a PostgreSQL O(dsn) is given; unset
    options fall back to the environment (E(QSAFE_REGISTRY_DSN), E(QSAFE_REGISTRY_PATH),
    E(QSAFE_STATE_DIR)), then to C(.state/registry.sqlite3) under the current directory.
  - An action plugin of the same name runs this in the controller's worker (fast, and the lock
    keeper can watch the C(ansible-playbook) process). It cannot run as a module on a target.
options:
  action:
    description:
      - C(lock) starts a lock keeper holding the orchestrator lock until C(unlock) or until
        C(ansible-playbook) exits, then marks slices of dead controllers C(failed).
      - C(unlock) releases the lock taken by C(lock) (needs O(lock_token) and O(keeper_pid)).
      - C(reservations) returns what all slices except O(slice_id) hold (the path lookup's input).
      - C(reserve) atomically checks that O(plan) fits the capacities of O(topology) and records it.
      - C(release) frees the slice's reservation; C(set_state) moves the slice to O(state).
      - C(record_steps) appends O(steps) outcomes to the slice's current run.
      - C(get), C(list), C(recover_stale) read the records or mark stale ones failed.
      - C(teardown_steps) returns the steps that deprovisioning O(slice_id) undoes, in reverse plan
        order, leaving out shared resources that other slices still use.
    type: str
    required: true
    choices: [lock, unlock, reservations, reserve, release, set_state, record_steps, get, list,
              recover_stale, teardown_steps]
  slice_id:
    description: The slice the action is about.
    type: str
  dsn:
    description: PostgreSQL DSN (libpq string or URL); the password belongs in PGPASSWORD or ~/.pgpass.
    type: str
  path:
    description: SQLite registry file.
    type: path
  state_dir:
    description: Directory holding C(registry.sqlite3).
    type: path
  descriptor:
    description: The slice descriptor (C(reserve)).
    type: dict
  plan:
    description: The plan from the C(qsafe.slicing.slice_path) lookup (C(reserve)).
    type: dict
  topology:
    description: The topology whose link and compute capacities bound the reservation (C(reserve)).
    type: dict
  state:
    description: Target state (C(set_state)) or state filter (C(list)).
    type: str
    choices: [planned, provisioning, provisioned, failed, failed-partial, deprovisioning, deprovisioned]
  readback:
    description:
      - The result of the rollback's read-back (qsafe.slicing.netconf_confirm O(action=verify) of the
        applied steps with O(state=absent)). C(record_steps) with O(step_status=rolled_back) records
        rolled_back only for steps the read-back shows gone, rollback_failed for the others (and
        for all of them without a read-back); C(set_state) to failed becomes C(failed-partial), with
        an error naming the devices that still hold configuration, when the read-back shows any.
    type: dict
  undo_results:
    description: Results of the cancel and explicit undo tasks, whose per-device failures the error names.
    type: list
    elements: raw
  error:
    description: Error text to store with the state (C(set_state)).
    type: str
  steps:
    description:
      - Step outcomes for C(record_steps), each with C(index), C(name), C(status) (ok, changed,
        failed, skipped, rolled_back, rollback_failed), C(seconds) and optional C(detail); or the
        registered results of a C(qsafe.slicing.device_step) loop, whose status, C(seconds) and
        error are taken from each item.
    type: list
    elements: dict
  step_status:
    description:
      - Record every step of O(steps) with this status instead (a failed item recorded as
        C(rolled_back) becomes C(rollback_failed)).
    type: str
    choices: [ok, changed, failed, skipped, rolled_back, rollback_failed]
  holder:
    description: Who holds the lock (shown to a run that waits for it).
    type: str
  lock_token:
    description: Token returned by C(lock); needed by C(unlock), recorded by C(set_state).
    type: str
  keeper_pid:
    description: Lock keeper pid returned by C(lock) (C(unlock)).
    type: int
  timeout:
    description: Seconds C(lock) waits for a busy lock before failing with the holder's name.
    type: float
    default: 300.0
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Writes nothing; C(lock) still takes the lock so a check run sees a stable registry.
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
- name: Take the orchestrator lock for this play
  qsafe.slicing.slice_registry:
    action: lock
    holder: "provision enterprise-app-1"
    timeout: 300
  register: registry_lock

- name: Reserve the plan
  qsafe.slicing.slice_registry:
    action: reserve
    slice_id: "{{ plan.slice_id }}"
    descriptor: "{{ slice }}"
    plan: "{{ plan }}"
    topology: "{{ topology }}"

- name: Release the lock
  qsafe.slicing.slice_registry:
    action: unlock
    lock_token: "{{ registry_lock.lock.token }}"
    keeper_pid: "{{ registry_lock.lock.keeper_pid }}"
"""

RETURN = r"""
lock:
  description:
    - Lock holder info (holder, host, pid, since, token, keeper_pid, and persist_id - this run's
      persist-id), for C(lock).
  returned: action is lock
  type: dict
recovered_stale:
  description: Slices of dead controllers that were marked failed.
  returned: action is lock or recover_stale
  type: list
  elements: str
takeover_persist_ids:
  description:
    - Persist-ids of the last runs of failed and stale slices (over for good). A device step may
      cancel a confirmed commit of theirs that it finds pending and re-apply its change under this
      run's persist-id. The action hands them to the play's session broker, so every device step
      of the play can (the C(takeover_persist_ids) option of M(qsafe.slicing.device_steps) overrides).
  returned: action is lock
  type: list
  elements: str
released:
  description: Whether C(unlock) released a lock it still held.
  returned: action is unlock
  type: bool
reservations:
  description: Links (Mbit/s), compute (vcpu, memory_gb) per site and VLANs held.
  returned: action is reservations or list
  type: dict
previous_state:
  description: The slice's state before the action, or null for a new slice.
  returned: action is reserve or set_state
  type: str
recorded:
  description: Number of step outcomes written.
  returned: action is record_steps
  type: int
found:
  description: Whether the slice exists.
  returned: action is get
  type: bool
record:
  description: The slice record (id, state, descriptor, plan, last_error, owner, reservation, steps, ...).
  returned: action is get or teardown_steps
  type: dict
records:
  description: All slice records (current run's steps).
  returned: action is list
  type: list
  elements: dict
stale:
  description: Ids of slices left provisioning/deprovisioning by a controller that is gone.
  returned: action is list
  type: list
  elements: str
lock_holder:
  description: The live lock holder, or null.
  returned: action is list
  type: dict
backend:
  description: The backend in use, without password.
  returned: action is list
  type: str
steps:
  description: Steps to remove, reverse plan order, each with C(state=absent).
  returned: action is teardown_steps
  type: list
  elements: dict
kept_shared:
  description: Shared steps left in place, each with C(kept_for) naming the slices using them.
  returned: action is teardown_steps
  type: list
  elements: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.argspec import ARGUMENT_SPEC


def main():
    # The registry's orchestrator lock is held by a keeper process that watches ansible-playbook:
    # only the controller can run that, so the action plugin of the same name does the work.
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(
        msg="qsafe.slicing.slice_registry runs on the controller through its action plugin; "
        "it cannot run as a module on a target (use it in a play on the controller)"
    )


if __name__ == "__main__":
    main()
