# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One entry point from descriptors to a plan: validate, compute paths, render device steps.

The lookup, the modules and the demo all call `plan_from_documents`, so they cannot disagree.

A topology is validated and its site graph built once per content: both are kept, keyed by a
SHA-256 of the document's canonical JSON, for the last few topologies this process has seen, so
planning again on an unchanged topology costs the hash and the query only. A process that forks
per task (an Ansible worker) keeps the cache for the loops and terms of that task.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import PathEngine, plan_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.render import render_steps
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.request import parse_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import Topology, load_topology

CACHED_TOPOLOGIES = 4
_loaded: OrderedDict[str, tuple[Topology, PathEngine]] = OrderedDict()


def topology_digest(document) -> str:
    """SHA-256 of the document's canonical JSON (key order and whitespace do not matter)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def load_planning_topology(document) -> tuple[Topology, PathEngine]:
    """The validated topology and its path engine, from the cache when the content was seen.

    Raises DescriptorError (never cached: an invalid document is checked again every time)."""
    key = topology_digest(document)
    hit = _loaded.get(key)
    if hit is not None:
        _loaded.move_to_end(key)
        return hit
    topology = load_topology(document)
    entry = (topology, PathEngine(topology))
    _loaded[key] = entry
    while len(_loaded) > CACHED_TOPOLOGIES:
        _loaded.popitem(last=False)
    return entry


def plan_from_documents(
    slice_document: dict, topology_document: dict, reservations: dict | None = None, with_steps: bool = False
) -> dict:
    """Validate both documents and plan the slice. Raises DescriptorError or PlanningError.

    Returns the plan as plain data: slice_id, compute_site, compute, method, connections (each
    with from, to, sites, links, hop_security, latency_ms, weakest_security, vlan, ...) and, when
    `with_steps`, the ordered device steps.
    """
    topology, engine = load_planning_topology(topology_document)
    request = parse_slice(slice_document, topology)
    plan = plan_slice(request, topology, reservations, engine)
    result = plan.to_dict()
    result["usage"] = plan.usage()
    if with_steps:
        result["steps"] = render_steps(plan, topology)
    return result
