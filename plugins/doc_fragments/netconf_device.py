# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the qsafe.slicing device modules."""

from __future__ import annotations


class ModuleDocFragment:
    # Which device (the one-device modules).
    DOCUMENTATION = r"""
options:
  device:
    description:
      - Inventory hostname of the NETCONF device to change.
      - The action plugin reads the device's connection variables from C(hostvars[device])
        (C(ansible_host), C(ansible_port), C(ansible_user), C(ansible_ssh_private_key_file),
        C(qsafe_netconf_known_hosts)) unless the C(netconf_*) options are given.
    type: str
    required: true
"""

    # How a step is applied: present/absent, how to commit (the one-device modules and device_steps).
    APPLY = r"""
options:
  state:
    description:
      - C(present) creates or updates the resource, C(absent) removes what exists of it.
    type: str
    choices: [present, absent]
    default: present
  commit:
    description:
      - C(plain) commits the candidate. C(confirmed) makes a confirmed commit (RFC 6241) that the
        device rolls back after O(confirm_timeout) seconds unless it is confirmed with
        M(qsafe.slicing.netconf_confirm); a confirmed commit already pending with the same
        O(persist_id) is extended by a follow-up confirmed commit.
    type: str
    choices: [plain, confirmed]
    default: plain
  confirm_timeout:
    description:
      - Seconds before an unconfirmed confirmed commit is rolled back by the device.
    type: int
    default: 120
  persist_id:
    description:
      - Persist token of the confirmed commit, so that any session (another task, another run)
        can confirm or cancel it. Required when O(commit=confirmed).
    type: str
"""

    # Connection options: filled from the inventory by the action plugin; set them for standalone use.
    CONNECTION = r"""
options:
  netconf_host:
    description:
      - Address of the device's NETCONF SSH server. Default from C(hostvars[device].ansible_host).
    type: str
  netconf_port:
    description:
      - NETCONF SSH port. Default from C(hostvars[device].ansible_port).
    type: int
  netconf_user:
    description:
      - SSH login user. Default from C(hostvars[device].ansible_user).
    type: str
  netconf_key_file:
    description:
      - SSH private key file. Default from C(hostvars[device].ansible_ssh_private_key_file).
    type: path
  netconf_known_hosts_file:
    description:
      - known_hosts file that the device's host key is verified against (no other file is
        trusted, unknown keys are refused). Default from C(hostvars[device].qsafe_netconf_known_hosts).
    type: path
  netconf_platform:
    description:
      - The device's platform, which decides the YANG model its payloads are written in
        (C(openconfig) current OpenConfig, C(openconfig_2016) the 2016 OpenConfig VLAN model).
        Default from C(hostvars[device].qsafe_platform), else C(openconfig).
    type: str
  netconf_timeout:
    description:
      - Seconds to wait for the SSH connection and for each NETCONF reply.
    type: float
    default: 30.0
notes:
  - The action plugin runs the step in the Ansible worker and keeps one NETCONF session per device
    open across tasks in a per-play session broker (a local daemon on a Unix socket that exits with
    the play). Set the variable C(qsafe_netconf_execution) to C(module) to ship and run the module
    as a process instead, or C(direct) to open a new session in the worker for every task.
  - The transaction is lock, discard stale candidate, read the subtree, edit the candidate, read it
    back, commit (or discard in check mode or when nothing changed), unlock. C(changed) comes only
    from comparing the subtree in running (before) and candidate (after).
  - Check mode edits the candidate and then discards it, so the device validates the edit but
    running is never changed.
"""

    # Ansible attributes of every device module.
    ATTRIBUTES = r"""
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying the device.
    support: full
  diff_mode:
    description: Returns the before and after text of the affected configuration subtree.
    support: full
  idempotent:
    description: A second run with the same arguments reports no change.
    support: full
"""
