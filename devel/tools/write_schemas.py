# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write schemas/*.schema.json from the schemas in plugins/module_utils/planning/schemas.py."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / ".venv" / "collections"))

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.schemas import (  # noqa: E402
    SLICE_SCHEMA,
    TOPOLOGY_SCHEMA,
)

OUTPUTS = {"topology.schema.json": TOPOLOGY_SCHEMA, "slice.schema.json": SLICE_SCHEMA}


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    for name, schema in OUTPUTS.items():
        (ROOT / "schemas" / name).write_text(render(schema))
        print(f"wrote schemas/{name}")
