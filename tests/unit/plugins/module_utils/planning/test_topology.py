# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real site names: spaces and non-ASCII letters are accepted, each site has a stable slug."""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import DescriptorError
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import plan_slice
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import site_slug

from tests.unit.helpers import make_request, make_topology

REAL = [("Las Vegas", "cell", 0, 0), ("Zürich", "metro", 8, 16), ("Helsingør", "core", 0, 0)]
LINKS = [
    ("lv-zh", "Las Vegas", "Zürich", "qkd", 10000, 1.0),
    ("zh-sj", "Zürich", "Helsingør", "qkd", 10000, 1.0),
]


def test_real_site_names_plan():
    topology = make_topology(REAL, LINKS)
    request = make_request(
        topology,
        [("up", "Las Vegas", "compute", "dh", 100, 5), ("back", "compute", "Helsingør", "qkd", 100, 5)],
        {"site": "Zürich", "vcpu": 1, "memory_gb": 1},
    )
    plan = plan_slice(request, topology)
    assert plan.connections[0].sites == ["Las Vegas", "Zürich"]
    assert plan.connections[1].sites == ["Zürich", "Helsingør"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("metro-1", "metro-1"),  # already an identifier: kept as is
        ("Las Vegas", "las-vegas-2bd25c"),
        ("Zürich", "zurich-425168"),
        ("東京", "site-130016"),
        ("Helsingør", "helsingor-0ac867"),  # a letter that decomposition leaves alone
    ],
)
def test_slugs_are_stable_identifiers(name, slug):
    assert site_slug(name) == slug
    assert make_topology([(name, "cell", 0, 0)], []).sites[name].slug == slug


@pytest.mark.parametrize("name", [" Las Vegas", "Las Vegas ", "Las\tVegas", "Las\nVegas", "", "x" * 101])
def test_bad_site_names_are_refused_naming_the_field(name):
    with pytest.raises(DescriptorError) as caught:
        make_topology([(name, "cell", 0, 0)], [])
    assert caught.value.problems == [
        f"topology.sites[0].name: {name!r} is not a valid site name (1-100 characters, no control "
        "characters, no space at either end)"
    ]
