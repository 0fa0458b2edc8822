# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures: the repository paths and the testbed documents."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOPOLOGY_FILE = ROOT / "inventories" / "testbed" / "group_vars" / "all" / "topology.yml"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def _testbed_document() -> dict:
    return yaml.safe_load(TOPOLOGY_FILE.read_text())


@pytest.fixture
def testbed_document(_testbed_document) -> dict:
    """A fresh copy of the testbed topology document, safe to mutate."""
    return copy.deepcopy(_testbed_document)


@pytest.fixture
def enterprise_slice() -> dict:
    return yaml.safe_load((ROOT / "slices" / "enterprise_app.yml").read_text())


@pytest.fixture
def cdn_slice() -> dict:
    return yaml.safe_load((ROOT / "slices" / "cdn.yml").read_text())
