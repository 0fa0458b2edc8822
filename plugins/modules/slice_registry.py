#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: slice_registry
author: qsafe.slicing team (@qsafe)
version_added: "0.1.0"
short_description: Write the slice registry and hold the orchestrator lock
description:
  - Writes the slice registry (slice records, reservations of link capacity, compute and VLANs,
    per-step timings) and takes or releases the orchestrator lock that lets one change run at a
    time across concurrent playbook runs. Reads are M(qsafe.slicing.slice_registry_info).
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
      - C(reserve) atomically checks that O(plan) fits the capacities of O(topology) and records it;
        returns the plan's route summary (RV(summary)).
      - C(release) frees the slice's reservation.
      - C(set_state) moves the slice to O(state), after recording the step outcomes of O(runs) when
        given; moving to C(failed) without O(error) composes the run's failure message (RV(error)).
      - C(record_steps) appends O(steps) (or O(runs)) outcomes to the slice's current run.
      - C(recover_stale) marks slices of dead controllers failed.
    type: str
    required: true
    choices: [lock, unlock, reserve, release, set_state, record_steps, recover_stale]
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
    description: Target state (C(set_state)).
    type: str
    choices: [planned, provisioning, provisioned, failed, deprovisioning, deprovisioned]
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
  runs:
    description:
      - Registered results of a run's C(qsafe.slicing.device_steps) tasks, in the order they ran
        (missing or skipped ones allowed), for C(set_state) and C(record_steps). Every step tried is
        recorded as it ended; results made with another O(persist_id) are ignored.
    type: list
    elements: raw
  persist_id:
    description: The run's persist-id; only O(runs) results made with it count.
    type: str
  rolled_back:
    description:
      - With O(runs), also record every applied step as C(rolled_back) (C(rollback_failed) where the
        O(undone) task's step failed).
    type: bool
    default: false
  undone:
    description: The registered result of the C(qsafe.slicing.device_steps state=absent) undo task.
    type: dict
  failed_task:
    description: Name of the task that failed (C(set_state state=failed) without O(error)).
    type: str
  failed_msg:
    description: Message of the task that failed (C(set_state state=failed) without O(error)).
    type: str
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

- name: Record the run's steps and mark the slice provisioned
  qsafe.slicing.slice_registry:
    action: set_state
    slice_id: "{{ plan.slice_id }}"
    state: provisioned
    runs: "{{ [key_stream_result, encryptor_result] }}"
    persist_id: "{{ run_persist_id }}"

- name: Release the lock
  qsafe.slicing.slice_registry:
    action: unlock
    lock_token: "{{ registry_lock.lock.token }}"
    keeper_pid: "{{ registry_lock.lock.keeper_pid }}"
"""

RETURN = r"""
lock:
  description: Lock holder info (holder, host, pid, since, token, keeper_pid), for C(lock).
  returned: action is lock
  type: dict
recovered_stale:
  description: Slices of dead controllers that were marked failed.
  returned: action is lock or recover_stale
  type: list
  elements: str
released:
  description: Whether C(unlock) released a lock it still held.
  returned: action is unlock
  type: bool
previous_state:
  description: The slice's state before the action, or null for a new slice.
  returned: action is reserve or set_state
  type: str
summary:
  description: The plan's route per connection (sites and security per hop) and its step count.
  returned: action is reserve
  type: list
  elements: str
  sample: ["control: cell-1 -> agg-1 -> metro-1 -> core-1: dh,dh,dh", "49 device steps"]
error:
  description: The error stored with the state (composed from O(runs) when not given).
  returned: action is set_state and the state has an error
  type: str
recorded:
  description: Number of step outcomes written.
  returned: action is record_steps or set_state
  type: int
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
