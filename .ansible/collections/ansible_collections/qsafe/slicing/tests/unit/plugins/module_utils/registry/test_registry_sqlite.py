# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry logic on a throw-away SQLite file (no lab, no PostgreSQL): usage of a real plan,
reservation conflicts, state transitions, and which steps a deprovision keeps.

tests/integration/registry runs the same API on both backends, with races between processes.
"""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.teardown import teardown_steps
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.vlans import SLICE_VLAN_MIN
from ansible_collections.qsafe.slicing.plugins.module_utils.registry import postgres, sqlite
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    HOLDING_STATES,
    CapacityError,
    RegistryInputError,
    StateTransitionError,
    capacities_from_topology,
    open_registry,
    plan_usage,
)


@pytest.fixture
def registry(tmp_path):
    with open_registry(path=str(tmp_path / "registry.sqlite3")) as reg:
        yield reg


@pytest.fixture
def plans(testbed_document, enterprise_slice, cdn_slice):
    ent = plan_from_documents(enterprise_slice, testbed_document, with_steps=True)
    cdn = plan_from_documents(cdn_slice, testbed_document, reservations=ent["usage"], with_steps=True)
    return {"ent": (enterprise_slice, ent), "cdn": (cdn_slice, cdn)}


def test_plan_usage_is_the_planners_usage(plans):
    _doc, plan = plans["ent"]
    assert plan_usage(plan["slice_id"], plan) == plan["usage"]
    assert plan["usage"]["vlans"] == [SLICE_VLAN_MIN, SLICE_VLAN_MIN + 1, SLICE_VLAN_MIN + 2]


def test_two_slices_fit_and_their_usage_adds_up(registry, plans, testbed_document):
    capacities = capacities_from_topology(testbed_document)
    for doc, plan in plans.values():
        assert registry.reserve(plan["slice_id"], doc, plan, capacities) is True
    held = registry.reservations()
    assert held["vlans"] == sorted(plans["ent"][1]["usage"]["vlans"] + plans["cdn"][1]["usage"]["vlans"])
    only_cdn = registry.reservations(exclude_slice=plans["ent"][1]["slice_id"])
    assert only_cdn["vlans"] == plans["cdn"][1]["usage"]["vlans"]
    doc, plan = plans["ent"]
    assert registry.reserve(plan["slice_id"], doc, plan, capacities) is False  # the same plan again


def test_a_plan_that_does_not_fit_names_every_violation_and_writes_nothing(registry, plans, testbed_document):
    capacities = capacities_from_topology(testbed_document)
    doc, plan = plans["ent"]
    registry.reserve("ent-1", doc, {**plan, "slice_id": "ent-1"}, capacities)
    link = plan["connections"][0]["links"][0]
    capacities["links"][link] = plan["connections"][0]["bandwidth_mbps"]  # full after ent-1
    with pytest.raises(CapacityError) as caught:
        registry.reserve("ent-2", doc, {**plan, "slice_id": "ent-2"}, capacities)
    text = str(caught.value)
    assert f"link {link}: " in text
    for vlan in plan["usage"]["vlans"]:
        assert f"vlan {vlan}: already reserved by slice ent-1" in text
    assert registry.get("ent-2") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["connections"][0].update(vlan=5000),
         r"plan.connections\[0\].vlan: must be an integer 1-4094"),
        (lambda p: p["connections"][1].update(vlan=p["connections"][0]["vlan"]),
         r"used by another connection"),
        (lambda p: p["connections"][0].update(bandwidth_mbps=-1), r"bandwidth_mbps: must be a number >= 0"),
        (lambda p: p.update(slice_id="other"), r"plan.slice_id: 'other' does not match"),
    ],
)
def test_bad_plans_are_refused_naming_the_field(registry, plans, testbed_document, change, message):
    doc, plan = plans["ent"]
    change(plan)
    with pytest.raises(RegistryInputError, match=message):
        registry.reserve(doc["slice"]["id"], doc, plan, capacities_from_topology(testbed_document))
    assert registry.list() == []


def test_state_transitions(registry, plans, testbed_document):
    doc, plan = plans["ent"]
    sid = plan["slice_id"]
    registry.reserve(sid, doc, plan, capacities_from_topology(testbed_document))
    assert registry.get(sid)["state"] == "planned"
    for state in ("provisioning", "provisioned", "deprovisioning", "deprovisioned"):
        assert registry.set_state(sid, state) is True
    assert registry.set_state(sid, "deprovisioned") is False  # idempotent
    with pytest.raises(StateTransitionError):
        registry.set_state(sid, "provisioned")
    with pytest.raises(RegistryInputError, match="state: 'gone' is not one of"):
        registry.set_state(sid, "gone")


def test_step_details_never_hold_key_material(registry, plans, testbed_document):
    doc, plan = plans["ent"]
    registry.reserve(plan["slice_id"], doc, plan, capacities_from_topology(testbed_document))
    with pytest.raises(RegistryInputError, match=r"detail.key: looks like key material"):
        registry.record_step(plan["slice_id"], 0, "step", "changed", 0.1, {"key": "c2VjcmV0"})


def test_deprovision_keeps_shared_steps_another_live_slice_uses(plans):
    ent, cdn = plans["ent"][1], plans["cdn"][1]
    shared = {s["resource"] for s in ent["steps"] if s["shared"]} & {s["resource"] for s in cdn["steps"]}
    assert shared, "the testbed's use cases share a channel"
    for state in HOLDING_STATES:
        remove, kept = teardown_steps({"id": "ent", "plan": ent},
                                      [{"id": "cdn", "plan": cdn, "state": state, "reservation": {}}])
        assert {s["resource"] for s in kept} == shared and all(s["kept_for"] == ["cdn"] for s in kept)
        assert [s["index"] for s in remove] == sorted((s["index"] for s in remove), reverse=True)
    remove, kept = teardown_steps({"id": "ent", "plan": ent},
                                  [{"id": "cdn", "plan": cdn, "state": "deprovisioned", "reservation": None}])
    assert kept == [] and len(remove) == len(ent["steps"])


def test_both_backends_create_the_same_tables():
    assert sqlite.SCHEMA.count("CREATE TABLE") == 6
    # PostgreSQL adds the orchestrator lock holder table (SQLite keeps the holder in a side file).
    assert sum("CREATE TABLE" in s for s in postgres.SCHEMA) == 7
    for table in ("slices", "slice_steps", "reserved_links", "reserved_compute", "reserved_vlans"):
        assert f"CREATE TABLE IF NOT EXISTS {table} " in sqlite.SCHEMA
        assert any(f"CREATE TABLE IF NOT EXISTS {table} " in s for s in postgres.SCHEMA)
