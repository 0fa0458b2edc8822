# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one entry point: a topology is validated and its graph built once per content."""

from __future__ import annotations

import copy

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.planning import plan
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import DescriptorError


@pytest.fixture
def loads(monkeypatch):
    """Count the real validations (the function is wrapped, not replaced)."""
    calls = []
    real = plan.load_topology

    def counting(document):
        calls.append(1)
        return real(document)

    monkeypatch.setattr(plan, "load_topology", counting)
    plan._loaded.clear()
    return calls


def test_unchanged_topology_is_validated_once(loads, testbed_document, enterprise_slice):
    first = plan.plan_from_documents(enterprise_slice, testbed_document)
    again = plan.plan_from_documents(enterprise_slice, copy.deepcopy(testbed_document))
    reordered = {"topology": dict(reversed(list(testbed_document["topology"].items())))}
    plan.plan_from_documents(enterprise_slice, reordered)
    assert len(loads) == 1
    assert again == first


def test_changed_topology_is_validated_again(loads, testbed_document, enterprise_slice):
    plan.plan_from_documents(enterprise_slice, testbed_document)
    changed = copy.deepcopy(testbed_document)
    for link in changed["topology"]["links"]:
        if link["name"] == "metro1-core1-qkd-4":
            link["capacity_mbps"] = 500  # the backhaul (1000 Mbit/s) no longer fits on channel 4
    result = plan.plan_from_documents(enterprise_slice, changed)
    assert len(loads) == 2
    assert result["connections"][2]["links"] == ["metro1-core1-qkd-5"]


def test_invalid_topology_is_never_cached(loads, testbed_document, enterprise_slice):
    broken = copy.deepcopy(testbed_document)
    broken["topology"]["links"][0]["security"] = "quantum"
    for _round in range(2):
        with pytest.raises(DescriptorError):
            plan.plan_from_documents(enterprise_slice, broken)
    assert len(loads) == 2
    assert not plan._loaded
