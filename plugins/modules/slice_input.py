#!/usr/bin/python
# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: slice_input
author: qsafe.slicing team (@qsafe)
version_added: 0.1.0
short_description: Read a slice descriptor as data, never as code or configuration
description:
  - The first task of the slice playbooks. Reads the slice descriptor from V(slice_file) (a file the
    collection loads itself with a strict YAML loader) or from the variable C(slice) (for example
    C(-e @file)), checks that it is plain data, and returns it (and the topology) as data that
    Ansible never renders as a template.
  - The strict loader refuses documents over 256 KiB, duplicate keys, YAML merge keys, more than 32
    aliases or alias expansion beyond 50,000 values, recursive aliases, several documents in one
    file, and C(slice) files with any top-level key besides C(slice).
  - Every descriptor, topology and O(variables) value is refused when a key or text holds a Jinja
    marker (C({{), C({%), C({#)), a control character, a non-finite number or a value that is
    not JSON data; the message names the field.
  - "Extra vars are checked before any of them is used: a C(-e @file) that defines C(slice) (or an
    IETF request) defines nothing else; no C(-e) source may set C(topology), C(slice_provision_topology),
    C(slice_provision_descriptor) or C(slice_provision_registry_*) (extra vars beat the inventory
    and role parameters); no C(-e) source may set a variable outside the documented interface (the
    playbooks' options, the slice roles' timeouts, the AWX job settings, survey answers, AWX job
    metadata C(awx_*)/C(tower_*), the NETCONF credential's C(ansible_user),
    C(ansible_ssh_private_key_file) and C(qsafe_netconf_known_hosts), and O(extra_vars_allowed));
    every value is checked as data. Each C(-e) source is re-read with the strict loader."
  - An IETF Network Slice Service request (RFC 7951 JSON, one top-level
    C(ietf-network-slice-service:network-slice-services)) is accepted as V(slice_file) or as
    C(-e @file); either way it is read with the strict loader, checked as data as a whole, and turned
    into the descriptor, which is then checked like any other."
  - Runs on the controller through its action plugin; it cannot run as a module on a target.
options:
  descriptor:
    description: Read the slice descriptor (from V(slice_file), else from the variable C(slice)).
    type: bool
    default: true
  topology:
    description: Check the variable C(topology) as data and return it.
    type: bool
    default: true
  variables:
    description:
      - Names of further variables to return as checked data, read without rendering them (AWX
        survey answers). Undefined ones are left out.
    type: list
    elements: str
    default: []
  check_extra_vars:
    description: Apply the extra-vars rules above to every C(-e) source of this C(ansible-playbook) run.
    type: bool
    default: true
  extra_vars_allowed:
    description:
      - Further extra-var names this playbook takes (a site's own wrapper playbook), beyond the
        documented interface.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description:
      - Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation
        indicates no change.
    support: full
notes:
  - Extra vars are loaded and kept by Ansible before any task runs; this module cannot stop Ansible
    from loading them, only refuse to use them, first thing in the play. Ansible renders the
    connection variables of the first task's host (C(ansible_host), C(ansible_user),
    C(ansible_connection), C(ansible_become) ...) when it sets that task up, before the task runs;
    a template in such an extra var has run by the time this module refuses it.
"""

EXAMPLES = r"""
- name: Read the slice descriptor (slice_file=PATH, or -e @file checked before use)
  qsafe.slicing.slice_input:
  register: slice_input

- name: Provision it
  ansible.builtin.include_role:
    name: qsafe.slicing.slice_provision
  vars:
    slice_provision_descriptor: "{{ slice_input.descriptor }}"
    slice_provision_topology: "{{ slice_input.topology }}"
"""

RETURN = r"""
descriptor:
  description: "The descriptor, C({slice: {...}}), as plain data."
  returned: when O(descriptor) is true
  type: dict
source:
  description:
    - Where the descriptor came from (C(slice_file PATH), C(IETF request -e @PATH) or C(variable slice)).
  returned: when O(descriptor) is true
  type: str
topology:
  description: The topology variable as plain data.
  returned: when O(topology) is true and C(topology) is defined
  type: dict
variables:
  description: The O(variables) that are defined, as plain data.
  returned: always
  type: dict
problems:
  description: Every problem found, each naming the field or the C(-e) source.
  returned: failure
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = {
    "descriptor": {"type": "bool", "default": True},
    "topology": {"type": "bool", "default": True},
    "variables": {"type": "list", "elements": "str", "default": []},
    "check_extra_vars": {"type": "bool", "default": True},
    "extra_vars_allowed": {"type": "list", "elements": "str", "default": []},
}


def main():
    # The descriptor and the extra vars live on the controller: the action plugin does the work.
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="qsafe.slicing.slice_input runs on the controller through its action plugin")


if __name__ == "__main__":
    main()
