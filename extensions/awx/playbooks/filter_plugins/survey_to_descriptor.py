# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX survey answers -> slice descriptor (the `survey_to_descriptor` filter).

Why: an AWX survey can only ask flat questions (one variable each), while a slice descriptor is
nested (`slice.compute.vcpu`, `slice.connections[i].security`). The job templates in
extensions/awx/job_templates.yml name their survey variables by one convention, decoded here:

    slice_id, slice_description                      -> slice.id, slice.description
    compute_site_role, compute_site, compute_vcpu,
    compute_memory_gb                                -> slice.compute.<field>
    <connection>_from, _to, _security, _bandwidth_mbps,
    _max_latency_ms                                  -> slice.connections[<connection>].<field>

The connection names (and their order) come from the job template's extra variable
`qsafe_survey_connections`; a use-case template also names a base descriptor
(`qsafe_survey_base`, e.g. slices/enterprise_app.yml) whose fields the answers override.
Empty answers (AWX sends "" for an unanswered optional question) leave the field out.
The result is checked against the slice JSON Schema, and an error names both the descriptor
field and the survey variable, so a bad launch fails before anything is locked or touched.

Filters: `connections | survey_variables` -> the variable names to read;
`answers | survey_to_descriptor(connections, base)` -> {"slice": {...}}.
"""

from __future__ import annotations

import copy
import importlib.util
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # plain Python use (tests, tools)

    class AnsibleFilterError(Exception):  # type: ignore[no-redef]
        """Stand-in when Ansible is not importable."""


# The validator (planning/errors.py) needs jsonschema; say so clearly when it is missing.
HAS_JSONSCHEMA = importlib.util.find_spec("jsonschema") is not None

SLICE_FIELDS: dict[str, tuple[str, str]] = {
    "slice_id": ("id", "text"),
    "slice_description": ("description", "text"),
}
COMPUTE_FIELDS: dict[str, tuple[str, str]] = {
    "compute_site_role": ("site_role", "text"),
    "compute_site": ("site", "text"),
    "compute_vcpu": ("vcpu", "integer"),
    "compute_memory_gb": ("memory_gb", "number"),
}
CONNECTION_FIELDS: dict[str, str] = {
    "from": "text",
    "to": "text",
    "security": "text",
    "bandwidth_mbps": "number",
    "max_latency_ms": "number",
}
_CONNECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def survey_variables(connections: Sequence[str]) -> list[str]:
    """Every survey variable the convention knows for these connections (the wrapper reads them)."""
    _check_connections(connections)
    names = list(SLICE_FIELDS) + list(COMPUTE_FIELDS)
    for conn in connections:
        names += [f"{conn}_{field}" for field in CONNECTION_FIELDS]
    return names


def descriptor_path(variable: str, connections: Sequence[str]) -> str:
    """Where a survey variable lands in the descriptor, e.g. 'slice.connections[1].security'."""
    if variable in SLICE_FIELDS:
        return f"slice.{SLICE_FIELDS[variable][0]}"
    if variable in COMPUTE_FIELDS:
        return f"slice.compute.{COMPUTE_FIELDS[variable][0]}"
    for index, conn in enumerate(connections):
        for field in CONNECTION_FIELDS:
            if variable == f"{conn}_{field}":
                return f"slice.connections[{index}].{field}"
    raise AnsibleFilterError(
        f"survey variable {variable!r} maps to no slice descriptor field "
        f"(connections: {', '.join(connections)})"
    )


def survey_to_descriptor(
    answers: Mapping[str, Any],
    connections: Sequence[str],
    base: Mapping[str, Any] | None = None,
    validate: bool = True,
) -> dict[str, Any]:
    """Build {"slice": {...}} from survey answers over an optional base descriptor."""
    _check_connections(connections)
    if not isinstance(answers, Mapping):
        raise AnsibleFilterError(f"survey answers must be a mapping, got {type(answers).__name__}")
    doc = copy.deepcopy(dict(base or {}))
    slice_doc = doc.setdefault("slice", {})
    if not isinstance(slice_doc, dict):
        raise AnsibleFilterError("base descriptor: 'slice' must be a mapping")

    for variable, (field, kind) in SLICE_FIELDS.items():
        value = _answer(answers, variable, kind)
        if value is not None:
            slice_doc[field] = value

    compute_answers = {
        field: _answer(answers, variable, kind) for variable, (field, kind) in COMPUTE_FIELDS.items()
    }
    compute_answers = {k: v for k, v in compute_answers.items() if v is not None}
    if compute_answers:
        compute = slice_doc.setdefault("compute", {})
        # A site answer pins the compute site and wins over the role (the survey always sends a
        # role: it is a required question with a default); a role alone replaces a base's site.
        if "site" in compute_answers:
            compute_answers.pop("site_role", None)
            compute.pop("site_role", None)
        elif "site_role" in compute_answers:
            compute.pop("site", None)
        compute.update(compute_answers)

    by_name = {c.get("name"): c for c in slice_doc.get("connections", []) if isinstance(c, dict)}
    ordered = [c for c in slice_doc.get("connections", []) if c.get("name") not in connections]
    result_connections = []
    for conn in connections:
        entry = dict(by_name.get(conn, {"name": conn}))
        for field, kind in CONNECTION_FIELDS.items():
            value = _answer(answers, f"{conn}_{field}", kind)
            if value is not None:
                entry[field] = value
        result_connections.append(entry)
    slice_doc["connections"] = result_connections + ordered

    if validate:
        _validate(doc, connections)
    return doc


def _check_connections(connections: Sequence[str]) -> None:
    if isinstance(connections, str) or not isinstance(connections, Sequence) or not connections:
        raise AnsibleFilterError("qsafe_survey_connections must be a non-empty list of connection names")
    for conn in connections:
        if not isinstance(conn, str) or not _CONNECTION_NAME.match(conn):
            raise AnsibleFilterError(f"qsafe_survey_connections: {conn!r} is not a valid connection name")
    if len(set(connections)) != len(connections):
        raise AnsibleFilterError("qsafe_survey_connections: connection names must be unique")


def _answer(answers: Mapping[str, Any], variable: str, kind: str) -> Any:
    """The typed, checked answer, or None when unanswered. API launches may send numbers as
    strings; an answer is data: template markers, control characters and non-finite numbers are
    refused (the same rules as a descriptor file)."""
    value = _typed_answer(answers, variable, kind)
    if value is not None:
        from ansible_collections.qsafe.slicing.plugins.module_utils.planning.documents import data_problems

        problems = data_problems(value, f"survey variable {variable}")
        if problems:
            raise AnsibleFilterError("; ".join(problems))
    return value


def _typed_answer(answers: Mapping[str, Any], variable: str, kind: str) -> Any:
    value = answers.get(variable)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if kind != "text" and isinstance(value, str) and len(value.strip()) > 40:
        raise AnsibleFilterError(
            f"survey variable {variable}: {len(value.strip())} characters is too long for a number"
        )
    if kind == "text":
        if not isinstance(value, str):
            raise AnsibleFilterError(f"survey variable {variable}: must be text, got {value!r}")
        return value.strip()
    if isinstance(value, bool):
        raise AnsibleFilterError(f"survey variable {variable}: must be a number, got {value!r}")
    if kind == "integer":
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)
        raise AnsibleFilterError(f"survey variable {variable}: must be a whole number, got {value!r}")
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*", value):
        # Decimal notation only: float() would also take 'nan', 'inf' and '1_000'.
        text = value.strip()
        number = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
    else:
        raise AnsibleFilterError(f"survey variable {variable}: must be a number, got {value!r}")
    if isinstance(number, float) and not math.isfinite(number):
        raise AnsibleFilterError(f"survey variable {variable}: must be a finite number, got {value!r}")
    return number


def _validate(doc: dict[str, Any], connections: Sequence[str]) -> None:
    if not HAS_JSONSCHEMA:
        raise AnsibleFilterError(
            "survey_to_descriptor needs the Python package jsonschema (see requirements.txt)"
        )
    from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import StrictValidator
    from ansible_collections.qsafe.slicing.plugins.module_utils.planning.schemas import SLICE_SCHEMA

    validator = StrictValidator(SLICE_SCHEMA)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    messages = []
    for error in errors:
        path = _json_path(error.absolute_path)
        messages.append(f"{path}{_survey_hint(path, connections)}: {error.message}")
    raise AnsibleFilterError("slice descriptor built from the survey is invalid: " + "; ".join(messages))


def _json_path(parts: Sequence[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(descriptor)"


def _survey_hint(path: str, connections: Sequence[str]) -> str:
    for variable in survey_variables(connections):
        if descriptor_path(variable, connections) == path:
            return f" (survey variable {variable})"
    return ""


class FilterModule:
    """survey_variables, survey_to_descriptor."""

    def filters(self) -> dict[str, Any]:
        return {"survey_variables": survey_variables, "survey_to_descriptor": survey_to_descriptor}
