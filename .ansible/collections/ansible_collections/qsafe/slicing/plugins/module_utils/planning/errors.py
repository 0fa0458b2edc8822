# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Turn schema violations into messages that name the field and what is allowed.

`slice.connections[1].security: 'quantum' is not one of none, dh, qra, qkd` tells an operator
exactly what to fix; jsonschema's own wording does not.
"""

from __future__ import annotations

import math
import re

try:
    import jsonschema
    from jsonschema import ValidationError
    from jsonschema import validators as _validators

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


def _short(value, limit: int = 120) -> str:
    """repr of a value, cut so a 10 kB id does not flood the message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}... ({len(text)} characters)"


def _describe(error) -> str:
    kind = error.validator
    value = error.instance
    if isinstance(value, float) and not math.isfinite(value) and kind in ("type", "maximum", "minimum"):
        return f"{value!r} is not a finite number"
    if kind == "enum":
        return f"{_short(value)} is not one of {', '.join(str(v) for v in error.validator_value)}"
    if kind == "required":
        missing = [name for name in error.validator_value if name not in value]
        return f"missing required field {missing[0]!r}" if missing else error.message
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(set(value) - allowed)
        return f"unknown field {_short(extra[0])} (allowed: {', '.join(sorted(allowed))})"
    if kind == "type":
        return f"{_short(value)} is not of type {error.validator_value}"
    if kind == "exclusiveMinimum":
        return f"must be greater than {error.validator_value}, got {_short(value)}"
    if kind == "minimum":
        return f"must be at least {error.validator_value}, got {_short(value)}"
    if kind == "maximum":
        return f"must be at most {error.validator_value}, got {_short(value)}"
    if kind == "pattern" and "\\s" in error.validator_value:  # the site-name rule (schemas.py)
        return (
            f"{_short(value)} is not a valid site name (1-100 characters, no control characters, "
            "no space at either end)"
        )
    if kind == "pattern":
        return (
            f"{_short(value)} is not a valid name (letters, digits, '.', '_' and '-', at most 63 characters)"
        )
    if kind == "minItems":
        return f"must have at least {error.validator_value} item(s)"
    if kind == "maxItems":
        return f"must have at most {error.validator_value} item(s), got {len(value)}"
    if kind == "maxLength":
        return f"must be at most {error.validator_value} characters, got {len(value)}"
    return error.message


def _ecma_pattern(pattern: str) -> str:
    """JSON Schema patterns are ECMA 262, where a final `$` matches only at the very end; Python's
    `$` also matches before a final newline (so `"abc\\n"` would pass `^[a-z]+$`)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + r"\Z"
    return pattern


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not re.search(_ecma_pattern(pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _finite_type(validator, types, instance, schema):
    """`number`/`integer` also means finite: Python floats can be NaN or infinite, JSON's cannot."""
    wanted = [types] if isinstance(types, str) else list(types)
    numeric = "number" in wanted or "integer" in wanted
    if numeric and isinstance(instance, float) and not math.isfinite(instance):
        yield ValidationError(f"{instance!r} is not a finite number")
        return
    yield from _BASE_TYPE(validator, types, instance, schema)


if HAS_JSONSCHEMA:
    _BASE_TYPE = jsonschema.Draft202012Validator.VALIDATORS["type"]
    StrictValidator = _validators.extend(
        jsonschema.Draft202012Validator, {"pattern": _pattern, "type": _finite_type}
    )


def schema_problems(document, schema: dict) -> list[str]:
    """Every schema violation of `document`, as `field.path: what is wrong`, in document order."""
    if not HAS_JSONSCHEMA:
        raise RuntimeError("the Python library 'jsonschema' is required to validate descriptors")
    validator = StrictValidator(schema)
    errors = sorted(
        validator.iter_errors(document), key=lambda e: ([str(p) for p in e.absolute_path], e.message)
    )
    problems = []
    for error in errors:
        path = list(error.absolute_path)
        root, rest = (str(path[0]), path[1:]) if path else ("(document)", [])
        problems.append(f"{field_path(root, rest)}: {_describe(error)}")
    return problems
