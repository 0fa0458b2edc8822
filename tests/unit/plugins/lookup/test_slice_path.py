# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The slice_path lookup called in-process with its documented options: the checks of
tests/playbooks/lookup_contract.yml without an ansible-playbook run (that run, the contract as a
play sees it, is in tests/integration/lookup/)."""

from __future__ import annotations

import pytest
import yaml
from ansible.constants import config
from ansible.errors import AnsibleError
from ansible_collections.qsafe.slicing.plugins.lookup import slice_path


@pytest.fixture(scope="module")
def lookup():
    """The plugin as the loader prepares it: its options declared from its own DOCUMENTATION."""
    name = "qsafe.slicing.slice_path"
    config.initialize_plugin_configuration_definitions(
        "lookup", name, yaml.safe_load(slice_path.DOCUMENTATION)["options"]
    )
    plugin = slice_path.LookupModule()
    plugin._load_name = name
    return plugin


def test_routes_of_every_connection(lookup, testbed_document, enterprise_slice):
    [plan] = lookup.run([{"slice": enterprise_slice["slice"]}], {}, topology=testbed_document)
    assert [c["name"] for c in plan["connections"]] == ["control", "uplink", "backhaul"]
    backhaul = plan["connections"][2]
    assert backhaul["sites"] == ["metro-1", "core-1"]
    assert backhaul["links"] == ["metro1-core1-qkd-4"]
    assert backhaul["weakest_security"] == "qkd"
    assert float(backhaul["latency_ms"]) == 0.635
    assert plan["compute_site"] == "metro-1"
    assert "steps" not in plan


def test_reservations_move_the_route_and_steps_are_rendered(lookup, testbed_document, enterprise_slice):
    [plan] = lookup.run(
        [{"slice": enterprise_slice["slice"]}],
        {},
        topology=testbed_document,
        reservations={"links": {"metro1-core1-qkd-4": 10000}},
        steps=True,
    )
    assert plan["connections"][2]["links"] == ["metro1-core1-qkd-5"]
    assert plan["steps"][0]["operation"] == "stream"


def test_infeasible_request_fails_naming_the_connection_and_the_constraint(
    lookup, testbed_document, enterprise_slice
):
    with pytest.raises(AnsibleError) as caught:
        lookup.run(
            [{"slice": enterprise_slice["slice"]}],
            {},
            topology=testbed_document,
            reservations={"links": {"metro1-core1-qkd-4": 9600, "metro1-core1-qkd-5": 9900}},
        )
    assert (
        "connection backhaul: no route metro-1 -> core-1 with security >= qkd and 1000 Mbit/s free "
        "within 5 ms; closest: metro1-core1-qkd-4 has 400 Mbit/s free"
    ) in str(caught.value)
