# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: slice_path
author: qsafe.slicing team (@qsafe)
version_added: "0.1.0"
short_description: Compute security-aware routes for every connection of a slice
description:
  - Validates a slice descriptor against a topology and computes, for every connection, a route
    whose every link has security at least the requested level, enough free capacity and a total
    latency within the bound.
  - Among feasible routes the lowest sufficient security is preferred, then the lowest latency,
    then the fewest hops, so premium (QKD) links stay free for connections that need them; the
    route is the exact optimum under the latency bound.
  - Connections are planned in descriptor order; a slice refused that way is planned jointly
    (every assignment of routes under shared capacity).
  - Raises an error naming the connection and the constraint that cannot be met; never returns a
    route that breaks a constraint.
options:
  _terms:
    description: The slice descriptor, either a mapping with key C(slice) or the inner mapping.
    required: true
    type: dict
  topology:
    description: The topology, either a mapping with key C(topology) or the inner mapping.
    required: true
    type: dict
  reservations:
    description:
      - "Resources already in use by other slices: C(links) maps link name to Mbit/s, C(compute) maps
        site to C(vcpu) and C(memory_gb), C(vlans) lists VLAN IDs in use."
    type: dict
    default: {}
  steps:
    description: Also render the ordered device steps that realise the plan (needs device bindings).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Plan the enterprise slice on the testbed
  ansible.builtin.set_fact:
    plan: "{{ lookup('qsafe.slicing.slice_path', slice_descriptor, topology=topology) }}"

- name: Plan with capacity already reserved and show the device steps
  ansible.builtin.debug:
    msg: "{{ lookup('qsafe.slicing.slice_path', slice_descriptor, topology=topology,
             reservations={'links': {'metro1-core1-qkd-4': 9000}}, steps=true) }}"
"""

RETURN = r"""
_raw:
  description: One plan per term.
  type: list
  elements: dict
  contains:
    slice_id:
      description: The slice ID.
      type: str
    compute_site:
      description: The site chosen for the slice's compute, or null.
      type: str
    method:
      description:
        - C(sequential) (connection by connection) or C(joint) (the joint search placed a slice
          refused connection by connection).
      type: str
    connections:
      description: Per connection, the route chosen.
      type: list
      elements: dict
      contains:
        name: {description: Connection name., type: str}
        sites: {description: Ordered sites of the route., type: list, elements: str}
        links: {description: Ordered link names of the route., type: list, elements: str}
        hop_security: {description: Security level of each link., type: list, elements: str}
        latency_ms: {description: Total latency of the route., type: float}
        weakest_security: {description: The weakest security on the route., type: str}
        vlan: {description: VLAN allocated to the connection., type: int}
    usage:
      description: Resources the plan takes (links, compute, vlans).
      type: dict
    steps:
      description: Ordered device steps, when O(steps=true).
      type: list
      elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import DescriptorError
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import PlanningError
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.render import BindingError


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        topology = self.get_option("topology")
        reservations = self.get_option("reservations") or {}
        with_steps = self.get_option("steps")
        plans = []
        for term in terms:
            try:
                plans.append(plan_from_documents(term, topology, reservations, with_steps))
            except (DescriptorError, PlanningError, BindingError) as exc:
                raise AnsibleLookupError(f"slice_path: {to_native(exc)}") from exc
        return plans
