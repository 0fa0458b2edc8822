# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry behaviour, run on SQLite and on a real PostgreSQL (see conftest.registry_config)."""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    CapacityError,
    RegistryInputError,
    SliceNotFound,
    StateTransitionError,
    open_registry,
)

from tests.integration.registry.plans import CAPACITIES, enterprise_plan, link_plan

DESCRIPTOR = {"slice": {"id": "ent-1"}}


def test_reserve_records_slice_and_reservation_format(registry):
    assert registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES) is True
    assert registry.reservations() == {
        "links": {"cell1-core1-dh-2": 100, "cell1-metro1-qra-3": 1000, "metro1-core1-qkd-4": 2000},
        "compute": {"metro-1": {"vcpu": 8, "memory_gb": 16}},
        "vlans": [100, 101, 102],
    }
    record = registry.get("ent-1")
    assert record["state"] == "planned"
    assert record["descriptor"] == DESCRIPTOR
    assert record["plan"] == enterprise_plan("ent-1")
    assert record["reservation"]["links"]["metro1-core1-qkd-4"] == 2000
    assert record["created_at"].endswith("Z") and record["last_error"] is None and record["steps"] == []
    assert registry.get("nope") is None


def test_reservations_sum_over_slices_and_exclude(registry):
    registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES)
    registry.reserve("ent-2", DESCRIPTOR, enterprise_plan("ent-2", vlan_base=200, vcpu=4), CAPACITIES)
    both = registry.reservations()
    assert both["links"]["metro1-core1-qkd-4"] == 4000
    assert both["compute"] == {"metro-1": {"vcpu": 12, "memory_gb": 32}}
    assert both["vlans"] == [100, 101, 102, 200, 201, 202]
    only_two = registry.reservations(exclude_slice="ent-1")
    assert only_two["links"]["metro1-core1-qkd-4"] == 2000
    assert only_two["vlans"] == [200, 201, 202]


def test_link_over_capacity_names_the_link_and_changes_nothing(registry):
    registry.reserve("big", DESCRIPTOR, link_plan("big", "metro1-core1-qkd-4", 9600, 10), CAPACITIES)
    before = registry.reservations()
    with pytest.raises(CapacityError) as err:
        registry.reserve("ent-1", DESCRIPTOR, link_plan("ent-1", "metro1-core1-qkd-4", 1000, 11), CAPACITIES)
    assert err.value.violations == [
        "link metro1-core1-qkd-4: 9600 Mbit/s reserved + 1000 requested > 10000 capacity"
    ]
    assert str(err.value) == (
        "slice ent-1 cannot be reserved: link metro1-core1-qkd-4: 9600 Mbit/s reserved + 1000 requested"
        " > 10000 capacity"
    )
    assert registry.get("ent-1") is None
    assert registry.reservations() == before


def test_two_connections_on_one_link_count_twice(registry):
    # 2 x 5001 on metro1-core1-qkd-4 exceeds 10000 although each connection alone fits.
    with pytest.raises(CapacityError) as err:
        registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1", mbps=5001), CAPACITIES)
    assert err.value.violations == [
        "link metro1-core1-qkd-4: 0 Mbit/s reserved + 10002 requested > 10000 capacity"
    ]


def test_compute_and_vlan_and_unknown_link_violations_all_reported(registry):
    registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1", vcpu=60), CAPACITIES)
    plan = enterprise_plan("ent-2", vlan_base=101, vcpu=8)
    plan["connections"][0]["links"] = ["no-such-link"]
    with pytest.raises(CapacityError) as err:
        registry.reserve("ent-2", DESCRIPTOR, plan, CAPACITIES)
    assert err.value.violations == [
        "link no-such-link: not in the topology (no capacity known)",
        "compute site metro-1: vcpu 60 reserved + 8 requested > 64 capacity",
        "vlan 101: already reserved by slice ent-1",
        "vlan 102: already reserved by slice ent-1",
    ]


def test_reserve_is_idempotent_and_replaces_a_changed_plan(registry):
    plan = enterprise_plan("ent-1")
    assert registry.reserve("ent-1", DESCRIPTOR, plan, CAPACITIES) is True
    updated = registry.get("ent-1")["updated_at"]
    assert registry.reserve("ent-1", DESCRIPTOR, plan, CAPACITIES) is False
    assert registry.get("ent-1")["updated_at"] == updated
    # 4800 x 2 fits only because the slice's own 2000 is not counted against it.
    assert registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1", mbps=4800), CAPACITIES) is True
    assert registry.reservations()["links"]["metro1-core1-qkd-4"] == 9600


def test_release_frees_capacity_and_keeps_the_record(registry):
    registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES)
    assert registry.release("ent-1") is True
    assert registry.reservations() == {"links": {}, "compute": {}, "vlans": []}
    assert registry.get("ent-1")["reservation"] is None
    assert registry.release("ent-1") is False
    assert registry.release("never-seen") is False
    # The VLANs are free again for another slice.
    assert registry.reserve("ent-2", DESCRIPTOR, enterprise_plan("ent-2"), CAPACITIES) is True


def test_state_lifecycle_and_invalid_transition(registry):
    registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES)
    assert registry.set_state("ent-1", "provisioning", holder="run-1") is True
    record = registry.get("ent-1")
    assert record["state"] == "provisioning" and record["run"] == 1
    assert record["owner"]["holder"] == "run-1" and isinstance(record["owner"]["pid"], int)
    assert registry.set_state("ent-1", "provisioning") is False
    assert registry.set_state("ent-1", "provisioned") is True
    assert registry.get("ent-1")["owner"] is None
    with pytest.raises(StateTransitionError) as err:
        registry.set_state("ent-1", "planned")
    assert str(err.value) == (
        "slice ent-1: cannot go from provisioned to planned"
        " (allowed from provisioned: deprovisioning, failed, provisioning)"
    )
    assert registry.get("ent-1")["state"] == "provisioned"
    registry.set_state("ent-1", "deprovisioning")
    registry.set_state("ent-1", "deprovisioned")
    assert registry.get("ent-1")["run"] == 2
    with pytest.raises(SliceNotFound, match="slice 'ghost' is not in the registry"):
        registry.set_state("ghost", "provisioning")
    with pytest.raises(RegistryInputError, match="state: 'done' is not one of planned, provisioning"):
        registry.set_state("ent-1", "done")


def test_failure_records_error_and_retry_clears_it(registry):
    registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES)
    registry.set_state("ent-1", "provisioning")
    registry.set_state("ent-1", "failed", error="step 3 sw-metro-1: vlan 101 in use")
    assert registry.get("ent-1")["last_error"] == "step 3 sw-metro-1: vlan 101 in use"
    assert [r["id"] for r in registry.list("failed")] == ["ent-1"]
    assert registry.list("provisioned") == []
    registry.set_state("ent-1", "provisioning")
    registry.set_state("ent-1", "provisioned")
    assert registry.get("ent-1")["last_error"] is None


def test_failed_slice_goes_back_to_planned_when_reserved_again(registry):
    registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES)
    registry.set_state("ent-1", "failed", error="boom")
    registry.release("ent-1")
    assert registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES) is True
    assert registry.get("ent-1")["state"] == "planned"


def test_steps_are_appended_per_run(registry):
    registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES)
    registry.set_state("ent-1", "provisioning")
    registry.record_step("ent-1", 0, "sw-cell-1 vlan 100", "changed", 0.12, {"device": "sw-cell-1"})
    registry.record_step("ent-1", 1, "ox-metro-1 cross-connect", "failed", 0.5, "rpc-error: in-use")
    registry.record_step("ent-1", 0, "sw-cell-1 vlan 100", "rolled_back", 0.1)
    steps = registry.get("ent-1")["steps"]
    assert [(s["index"], s["status"]) for s in steps] == [(0, "changed"), (1, "failed"), (0, "rolled_back")]
    assert steps[0]["detail"] == {"device": "sw-cell-1"} and steps[0]["seconds"] == pytest.approx(0.12)
    assert steps[1]["detail"] == "rpc-error: in-use" and steps[0]["run"] == 1
    registry.set_state("ent-1", "failed", error="x")
    registry.set_state("ent-1", "provisioning")
    registry.record_step("ent-1", 0, "sw-cell-1 vlan 100", "changed", 0.1)
    assert [s["run"] for s in registry.get("ent-1")["steps"]] == [2]
    assert len(registry.get("ent-1", all_runs=True)["steps"]) == 4
    with pytest.raises(SliceNotFound):
        registry.record_step("ghost", 0, "x", "ok", 0.1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.record_step("ent-1", 0, "kms", "ok", 0.1, {"stream": {"key": "c2VjcmV0"}}),
         "detail.stream.key: looks like key material, which is never stored"),
        (lambda r: r.record_step("ent-1", 0, "kms", "done", 0.1), "status: 'done' is not one of ok, changed"),
        (lambda r: r.record_step("ent-1", -1, "kms", "ok", 0.1),
         "step_index: must be an integer >= 0, got -1"),
        (lambda r: r.record_step("ent-1", 0, "kms", "ok", "1s"), "seconds: must be a number >= 0, got '1s'"),
    ],
)  # fmt: skip
def test_bad_step_input_is_rejected_and_nothing_stored(registry, call, message):
    registry.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES)
    with pytest.raises(RegistryInputError, match=message):
        call(registry)
    assert registry.get("ent-1", all_runs=True)["steps"] == []


def _bad_plan(mutate):
    plan = enterprise_plan("ent-1")
    mutate(plan)
    return plan


@pytest.mark.parametrize(
    ("slice_id", "plan", "message"),
    [
        ("bad id!", enterprise_plan("bad id!"), "slice_id: must be 1-128 characters"),
        ("ent-1", enterprise_plan("other"), "plan.slice_id: 'other' does not match slice id 'ent-1'"),
        ("ent-1", _bad_plan(lambda p: p["connections"][1].update(bandwidth_mbps=-5)),
         r"plan.connections\[1\].bandwidth_mbps: must be a number >= 0, got -5"),
        ("ent-1", _bad_plan(lambda p: p["connections"][2].update(vlan=5000)),
         r"plan.connections\[2\].vlan: must be an integer 1-4094, got 5000"),
        ("ent-1", _bad_plan(lambda p: p["connections"][2].update(vlan=100)),
         r"plan.connections\[2\].vlan: 100 is used by another connection of the slice"),
        ("ent-1", _bad_plan(lambda p: p["connections"][0].update(links="cell1-core1-dh-2")),
         r"plan.connections\[0\].links: must be a list of link names"),
        ("ent-1", _bad_plan(lambda p: p.update(compute_site=None)),
         "plan.compute_site: must name a site when plan.compute is set"),
    ],
)  # fmt: skip
def test_bad_plan_is_rejected_naming_the_field(registry, slice_id, plan, message):
    with pytest.raises(RegistryInputError, match=message):
        registry.reserve(slice_id, DESCRIPTOR, plan, CAPACITIES)
    assert registry.list() == []
    assert registry.reservations() == {"links": {}, "compute": {}, "vlans": []}


def test_bad_capacities_are_rejected(registry):
    with pytest.raises(RegistryInputError, match=r"capacities.links\[x\]: must be a number >= 0, got 'big'"):
        registry.reserve(
            "ent-1", DESCRIPTOR, enterprise_plan("ent-1"), {"links": {"x": "big"}, "compute": {}}
        )


def test_data_survives_reopening(registry_config):
    with open_registry(**registry_config) as first:
        first.reserve("ent-1", DESCRIPTOR, enterprise_plan("ent-1"), CAPACITIES)
        first.set_state("ent-1", "provisioning")
        first.record_step("ent-1", 0, "sw-cell-1 vlan 100", "changed", 0.2)
    with open_registry(**registry_config) as second:
        record = second.get("ent-1")
    assert record["state"] == "provisioning" and len(record["steps"]) == 1
    assert record["reservation"]["vlans"] == [100, 101, 102]
