# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn schema violations into messages that name the field and what is allowed.

`slice.connections[1].security: 'quantum' is not one of none, dh, qra, qkd` tells an operator
exactly what to fix; jsonschema's own wording does not.
"""

from __future__ import annotations

try:
    import jsonschema

    HAS_JSONSCHEMA = True
except ImportError:  # pragma: no cover - exercised only where jsonschema is absent
    HAS_JSONSCHEMA = False


class DescriptorError(ValueError):
    """A topology or slice descriptor is invalid. `problems` lists every finding."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def field_path(root: str, path) -> str:
    text = root
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _describe(error) -> str:
    kind = error.validator
    value = error.instance
    if kind == "enum":
        return f"{value!r} is not one of {', '.join(str(v) for v in error.validator_value)}"
    if kind == "required":
        missing = [name for name in error.validator_value if name not in value]
        return f"missing required field {missing[0]!r}" if missing else error.message
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(set(value) - allowed)
        return f"unknown field {extra[0]!r} (allowed: {', '.join(sorted(allowed))})"
    if kind == "type":
        return f"{value!r} is not of type {error.validator_value}"
    if kind == "exclusiveMinimum":
        return f"must be greater than {error.validator_value}, got {value!r}"
    if kind == "minimum":
        return f"must be at least {error.validator_value}, got {value!r}"
    if kind == "pattern" and "\\s" in error.validator_value:  # the site-name rule (schemas.py)
        return (
            f"{value!r} is not a valid site name (1-100 characters, no control characters, "
            "no space at either end)"
        )
    if kind == "pattern":
        return f"{value!r} is not a valid name (letters, digits, '.', '_' and '-', at most 63 characters)"
    if kind == "minItems":
        return f"must have at least {error.validator_value} item(s)"
    return error.message


def schema_problems(document, schema: dict) -> list[str]:
    """Every schema violation of `document`, as `field.path: what is wrong`, in document order."""
    if not HAS_JSONSCHEMA:
        raise RuntimeError("the Python library 'jsonschema' is required to validate descriptors")
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(document), key=lambda e: ([str(p) for p in e.absolute_path], e.message)
    )
    problems = []
    for error in errors:
        path = list(error.absolute_path)
        root, rest = (str(path[0]), path[1:]) if path else ("(document)", [])
        problems.append(f"{field_path(root, rest)}: {_describe(error)}")
    return problems
