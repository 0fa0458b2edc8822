"""One entry point from descriptors to a plan: validate, compute paths, render device steps.

The lookup, the modules and the demo all call `plan_from_documents`, so they cannot disagree.
"""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import plan_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.render import render_steps
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import parse_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import load_topology


def plan_from_documents(
    slice_document: dict, topology_document: dict, reservations: dict | None = None, with_steps: bool = False
) -> dict:
    """Validate both documents and plan the slice. Raises DescriptorError or PlanningError.

    Returns the plan as plain data: slice_id, compute_site, compute, connections (each with
    from, to, sites, links, hop_security, latency_ms, weakest_security, vlan, ...) and, when
    `with_steps`, the ordered device steps.
    """
    topology = load_topology(topology_document)
    request = parse_slice(slice_document, topology)
    plan = plan_slice(request, topology, reservations)
    result = plan.to_dict()
    result["usage"] = plan.usage()
    if with_steps:
        result["steps"] = render_steps(plan, topology)
    return result
