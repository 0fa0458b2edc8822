# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""JSON Schemas of the topology file and the slice descriptor (the contracts).

The schemas live here, as Python, so that module_utils can validate without reading files;
`schemas/*.schema.json` are generated from these dicts (`devel/tools/write_schemas.py`) and a test
keeps the two identical.
"""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.security import LEVELS

_NAME = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"}
# Site names are what operators and real topologies call them ('Las Vegas', 'Zürich'): any
# letters, spaces and punctuation, no control characters, no space at either end, 1-100
# characters. Where a device needs an identifier, `topology.site_slug` derives a stable one.
_CONTROL = "\\x00-\\x1f\\x7f-\\x9f"
SITE_NAME_PATTERN = f"^[^\\s{_CONTROL}](?:[^{_CONTROL}]{{0,98}}[^\\s{_CONTROL}])?$"
_SITE_NAME = {"type": "string", "pattern": SITE_NAME_PATTERN}
_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
# Upper bounds: far above any real network (1 Pbit/s, one hour of latency, a million vCPU), low
# enough that arithmetic on them stays exact; they also refuse 1e400 (infinity) and 10**400.
MAX_MBPS = 1_000_000_000
MAX_LATENCY_MS = 3_600_000
MAX_VCPU = 1_000_000
MAX_MEMORY_GB = 1_000_000_000
MAX_CONNECTIONS = 1000
MAX_DESCRIPTION = 1024
_COMPUTE_CAPACITY = {
    "type": "object",
    "required": ["vcpu", "memory_gb"],
    "additionalProperties": False,
    "properties": {
        "vcpu": {"type": "integer", "minimum": 0, "maximum": MAX_VCPU},
        "memory_gb": {"type": "number", "minimum": 0, "maximum": MAX_MEMORY_GB},
    },
}

SITE_ROLES: tuple[str, ...] = ("cell", "aggregation", "metro", "core")

TOPOLOGY_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://qsafe.example/schemas/topology.schema.json",
    "title": "qsafe.slicing topology",
    "type": "object",
    "required": ["topology"],
    "additionalProperties": False,
    "properties": {
        "topology": {
            "type": "object",
            "required": ["sites", "links"],
            # Device bindings (channels, key managers, ...) are extra fields only device-step
            # rendering reads; planning must work without them.
            "additionalProperties": True,
            "properties": {
                "name": {"type": "string"},
                "sites": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["name", "role"],
                        "additionalProperties": True,
                        "properties": {
                            "name": _SITE_NAME,
                            "role": {"enum": list(SITE_ROLES)},
                            "compute": _COMPUTE_CAPACITY,
                        },
                    },
                },
                "links": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "a", "b", "security", "capacity_mbps", "latency_ms"],
                        "additionalProperties": True,
                        "properties": {
                            "name": _NAME,
                            "a": _SITE_NAME,
                            "b": _SITE_NAME,
                            "security": {"enum": list(LEVELS)},
                            "capacity_mbps": {**_POSITIVE, "maximum": MAX_MBPS},
                            "latency_ms": {"type": "number", "minimum": 0, "maximum": MAX_LATENCY_MS},
                            "devices": {"type": "object"},
                        },
                    },
                },
            },
        }
    },
}

SLICE_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://qsafe.example/schemas/slice.schema.json",
    "title": "qsafe.slicing slice descriptor",
    "type": "object",
    "required": ["slice"],
    "additionalProperties": False,
    "properties": {
        "slice": {
            "type": "object",
            "required": ["id", "connections"],
            "additionalProperties": False,
            "properties": {
                "id": _NAME,
                "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
                "compute": {
                    "type": "object",
                    "required": ["vcpu", "memory_gb"],
                    "additionalProperties": False,
                    "properties": {
                        "site_role": {"enum": list(SITE_ROLES)},
                        "site": _SITE_NAME,
                        "vcpu": {"type": "integer", "exclusiveMinimum": 0, "maximum": MAX_VCPU},
                        "memory_gb": {**_POSITIVE, "maximum": MAX_MEMORY_GB},
                    },
                },
                "connections": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_CONNECTIONS,
                    "items": {
                        "type": "object",
                        "required": ["name", "from", "to", "security", "bandwidth_mbps", "max_latency_ms"],
                        "additionalProperties": False,
                        "properties": {
                            "name": _NAME,
                            "from": _SITE_NAME,
                            "to": _SITE_NAME,
                            "security": {"enum": list(LEVELS)},
                            "bandwidth_mbps": {**_POSITIVE, "maximum": MAX_MBPS},
                            "max_latency_ms": {**_POSITIVE, "maximum": MAX_LATENCY_MS},
                        },
                    },
                },
            },
        }
    },
}
