# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real networks as data: the converter's rule, the shipped inventories, their planning examples."""

from __future__ import annotations

import sys

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents

INVENTORIES = {"abilene": "topozoo/Abilene", "north_america": "backbone/north_america_nosc"}


@pytest.fixture(scope="module")
def converter(repo_root):
    sys.path.insert(0, str(repo_root / "devel" / "tools"))
    try:
        import topology_from_topohub

        yield topology_from_topohub
    finally:
        sys.path.remove(str(repo_root / "devel" / "tools"))


@pytest.mark.parametrize(
    ("km", "a", "b", "seacable", "levels"),
    [
        (50, "cell", "cell", False, ["none", "dh", "qkd"]),
        (150, "cell", "cell", False, ["none", "dh"]),
        (150, "cell", "aggregation", False, ["none", "dh", "qra"]),
        (250, "metro", "core", False, ["none", "dh", "qra", "qkd"]),  # relayed over trusted nodes
        (350, "metro", "core", False, ["none", "dh", "qra"]),
        (50, "core", "core", True, ["none", "dh", "qra"]),  # no trusted node at sea
    ],
)
def test_security_rule(converter, km, a, b, seacable, levels):
    assert converter.span_levels(km, a, b, seacable) == levels


@pytest.mark.parametrize("inventory", sorted(INVENTORIES))
def test_inventory_is_the_converters_output(converter, repo_root, inventory):
    path = repo_root / "inventories" / inventory / "group_vars" / "all" / "topology.yml"
    source = INVENTORIES[inventory]
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == converter.convert(
        converter.read_source(source), source
    )


@pytest.mark.parametrize(
    ("inventory", "compute_site", "backhaul"),
    [
        ("abilene", "Denver", ["Denver", "Kansas City", "Indianapolis", "Atlanta"]),
        ("north_america", "Allentown", ["Allentown", "Syracuse"]),
    ],
)
def test_planning_example(repo_root, inventory, compute_site, backhaul):
    topology = yaml.safe_load(
        (repo_root / "inventories" / inventory / "group_vars/all/topology.yml").read_text()
    )
    example = yaml.safe_load((repo_root / "inventories" / inventory / "example_slice.yml").read_text())
    plan = plan_from_documents(example, topology)
    assert plan["compute_site"] == compute_site
    assert plan["connections"][2]["sites"] == backhaul
    for conn in plan["connections"]:
        assert conn["latency_ms"] <= conn["max_latency_ms"]
