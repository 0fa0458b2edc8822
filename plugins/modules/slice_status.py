#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: slice_status
author: qsafe.slicing team (@qsafe)
version_added: "0.2.0"
short_description: Slices, reservations and key streams as data and as aligned tables
description:
  - Reads the slice registry (records, reservations, stale runs, the orchestrator lock) and the
    key hosts' stream status (written by the key-script daemons; key IDs, last rotation, rotation
    count, never keys) and returns one structured report.
  - Per slice its state, compute and last run; per connection the route, the security of every hop
    against the minimum asked, latency against its bound, bandwidth and VLAN; the reserved bandwidth
    of every link as utilisation; reserved and free bandwidth per security level; per key stream its
    method, last rotation, key age and whether both ends hold the same key ID.
  - With O(format=text) the report is also printed as aligned tables while the task runs; with
    O(format=json) it is printed as JSON.
  - Runs on the controller through its action plugin (it reads the registry and opens NETCONF
    sessions to the key hosts with their inventory connection variables).
options:
  slice_id:
    description: Show only this slice (the reservations and key streams are always shown whole).
    type: str
  topology:
    description: The topology document (C(topology:) mapping), for link capacity and security.
    type: dict
    required: true
  key_hosts:
    description: Inventory hosts whose key streams to read over NETCONF; none read when empty.
    type: list
    elements: str
    default: []
  format:
    description:
      - Print the report as C(text) tables, as C(json), or C(none) (return it only).
      - C(ietf) prints the slices in the operational form of the IETF Network Slice Service model
        (C(ietf-network-slice-service) JSON per RFC 7951 with the C(qsafe-network-slice-security)
        augmentation) and returns it as RV(ietf).
    type: str
    choices: [text, json, ietf, none]
    default: text
  netconf_timeout:
    description: Seconds to wait for each key host.
    type: float
    default: 10
  dsn:
    description: PostgreSQL connection string of the registry (else E(QSAFE_REGISTRY_DSN)).
    type: str
  path:
    description: SQLite file of the registry (else E(QSAFE_REGISTRY_PATH)).
    type: path
  state_dir:
    description: Directory holding C(registry.sqlite3) (else E(QSAFE_STATE_DIR), then C(.state)).
    type: path
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Nothing is changed.
  idempotent:
    support: full
    description: Reads only.
notes:
  - A key host that cannot be reached does not fail the task; the report says why the key streams
    were not read (C(key_streams_error)).
"""

EXAMPLES = r"""
- name: Show every slice, link utilisation and the key streams
  qsafe.slicing.slice_status:
    topology: "{{ topology }}"
    key_hosts: "{{ groups['key_hosts'] | default([]) }}"
  register: status

- name: One slice as JSON for another tool
  qsafe.slicing.slice_status:
    slice_id: enterprise-app-1
    topology: "{{ topology }}"
    format: json
"""

RETURN = r"""
status:
  description:
    - The report (registry, slices, links, capacity_by_security, compute, vlans, key_streams).
    - C(slices[].connections[]) hold name, from, to, sites, links, hop_security, required_security,
      latency_ms, max_latency_ms, latency_ok, bandwidth_mbps and vlan.
    - C(key_streams[]) hold stream, method, channel, refresh_s, rotations, last_rotation, key_age_s,
      current_key_id, agree and ends (per key host, its role, card, key ID and rotations).
  returned: always
  type: dict
text:
  description: The report as aligned text tables (what O(format=text) prints).
  returned: always
  type: str
ietf:
  description: The slices as C(ietf-network-slice-service:network-slice-services) (operational form).
  returned: O(format=ietf)
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import STATUS_ARGUMENT_SPEC


def main():
    module = AnsibleModule(argument_spec=STATUS_ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(
        msg="qsafe.slicing.slice_status runs on the controller through its action plugin; "
        "it cannot run as a module on a target (use it in a play on the controller)"
    )


if __name__ == "__main__":
    main()
