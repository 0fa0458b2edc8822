# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The published JSON Schemas match the ones the code validates with, and accept our files."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.schemas import (
    SLICE_SCHEMA,
    TOPOLOGY_SCHEMA,
)


@pytest.mark.parametrize(("name", "schema"), [("topology", TOPOLOGY_SCHEMA), ("slice", SLICE_SCHEMA)])
def test_schema_file_is_current(repo_root, name, schema):
    published = json.loads((repo_root / "schemas" / f"{name}.schema.json").read_text())
    assert published == schema, "run devel/tools/write_schemas.py"
    jsonschema.Draft202012Validator.check_schema(published)


def test_shipped_descriptors_are_valid(repo_root):
    slice_schema = json.loads((repo_root / "schemas" / "slice.schema.json").read_text())
    topology_schema = json.loads((repo_root / "schemas" / "topology.schema.json").read_text())
    jsonschema.validate(
        yaml.safe_load((repo_root / "inventories/testbed/group_vars/all/topology.yml").read_text()),
        topology_schema,
    )
    files = sorted((repo_root / "slices").glob("*.yml"))
    assert len(files) >= 2
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text()), slice_schema)
