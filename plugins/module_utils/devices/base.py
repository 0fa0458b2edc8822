# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every device payload builder shares: the handler contract, its registry, XML helpers.

Why a registry of handlers keyed by (kind, operation): the plan's steps name a kind and an
operation; device_step dispatches through this table instead of an if-chain (as ncclient's device
handlers do), and adding a device kind is one new file that registers its handlers.

A handler declares its parameters once (`fields`: type, required, default, choices) and which of
them identify the resource (`identity_fields`); the module's argument spec (`argspec()`), the
plan renderer's resource key and the check of step params are all derived from that declaration.

A handler is pure: it validates params, names the subtree that the step touches (for the
before/after diff), and computes the edit from the device's current configuration (absent-state
edits delete only what exists, because netconfd rejects delete/remove of a missing node).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parses replies of the configured device
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
NC_ATTR = f'xmlns:nc="{NC_NS}"'
STATES = ("present", "absent")


class StepInputError(ValueError):
    """Bad step parameters; the message names the field. Nothing was sent to the device."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class StepConflictError(ValueError):
    """The device's current configuration contradicts the step (e.g. a port used by another VLAN)."""


@dataclass(frozen=True)
class Field:
    """One parameter of a handler: a step's `params` key and the same-named module option.

    required: required for state=present; an identity field that is required is required for
    state=absent too. no_log: set only where Ansible's secret-name heuristic must be told (a name
    containing "key" that is not a secret). problem: the value's own rule (e.g. a range), a
    function returning why a value breaks it, or None.
    """

    type: str  # "str", "int" or "bool" (Ansible argspec types)
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    no_log: bool | None = None
    problem: Callable[[Any], str | None] | None = None


class StepHandler:
    """Base class of a (kind, operation) payload builder. Subclasses set the class attributes."""

    kind: str = ""
    operation: str = ""
    #: the one-device module that runs this handler (its options are `fields`)
    module: str = ""
    #: params accepted, in module option order
    fields: Mapping[str, Field] = {}
    #: the params that identify the resource, in the order of the plan's resource key
    identity_fields: tuple[str, ...] = ()

    def validate(self, params: Mapping[str, Any], state: str = "present") -> dict[str, Any]:
        """Normalised params; raises StepInputError naming the first bad field."""
        if not isinstance(params, Mapping):
            raise StepInputError("params", f"must be a mapping, got {type(params).__name__}")
        unknown = sorted(set(params) - set(self.fields))
        if unknown:
            raise StepInputError(unknown[0], f"unknown parameter for {self.kind}/{self.operation}")
        out: dict[str, Any] = {}
        for name, spec in self.fields.items():
            value = params.get(name)
            if value is None:
                if spec.required and (state == "present" or name in self.identity_fields):
                    raise StepInputError(name, f"is required for {self.kind}/{self.operation}")
                out[name] = spec.default
                continue
            out[name] = _coerce(name, value, spec)
            problem = spec.problem(out[name]) if spec.problem else None
            if problem:
                raise StepInputError(name, problem)
        if state == "present":
            self.check(out)
        else:
            self.check_absent(out)
        return out

    def argspec(self) -> dict[str, dict[str, Any]]:
        """The module's own options (Ansible argument_spec) derived from `fields`."""
        spec: dict[str, dict[str, Any]] = {}
        for name, field in self.fields.items():
            option: dict[str, Any] = {"type": field.type}
            if field.required and name in self.identity_fields:
                option["required"] = True
            if field.default is not None:
                option["default"] = field.default
            if field.choices:
                option["choices"] = list(field.choices)
            if field.no_log is not None:
                option["no_log"] = field.no_log
            spec[name] = option
        return spec

    def required_if(self) -> list[tuple[str, str, list[str]]]:
        """Ansible required_if: the required fields that only state=present needs."""
        present_only = [n for n, f in self.fields.items() if f.required and n not in self.identity_fields]
        return [("state", "present", present_only)] if present_only else []

    def resource(self, device: str, params: Mapping[str, Any]) -> str:
        """The key that names what the step creates on the device (equal steps share it)."""
        identity = ":".join(str(params[k]) for k in self.identity_fields)
        return f"{self.kind}:{device}:{self.operation}:{identity}"

    def check(self, params: dict[str, Any]) -> None:
        """Cross-field checks for state=present (override)."""

    def check_absent(self, params: dict[str, Any]) -> None:
        """Checks for state=absent (override); by default none beyond the identity fields."""

    def identity(self, params: Mapping[str, Any]) -> str:
        """Short text naming what the step creates, for messages."""
        return f"{self.kind}/{self.operation}"

    def filter(self, params: Mapping[str, Any]) -> str:
        """Subtree filter of exactly what the step changes (used for before/after and diff)."""
        raise NotImplementedError

    def context_filter(self, params: Mapping[str, Any]) -> str | None:
        """Subtree filter of what edit() must see; None = the same as filter()."""
        return None

    def edit(self, params: Mapping[str, Any], state: str, current: ET.Element) -> str | None:
        """<config> content that brings the device to `state`; None when nothing needs sending."""
        raise NotImplementedError


def _coerce(name: str, value: Any, spec: Field) -> Any:
    if spec.type == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
            return value.lower() in ("true", "yes", "on", "1")
        raise StepInputError(name, f"must be a boolean, got {value!r}")
    if spec.type == "int":
        if isinstance(value, bool):
            raise StepInputError(name, f"must be an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise StepInputError(name, f"must be an integer, got {value!r}") from None
    if isinstance(value, (dict, list, bool)):
        raise StepInputError(name, f"must be a string, got {type(value).__name__}")
    text = str(value)
    if spec.choices and text not in spec.choices:
        raise StepInputError(name, f"must be one of {', '.join(spec.choices)}, got {value!r}")
    if not text:
        raise StepInputError(name, "must not be empty")
    return text


#: (kind, operation) -> the handler that defines the concept: fields, identity, checks, module.
HANDLERS: dict[tuple[str, str], StepHandler] = {}
#: platform -> (kind, operation) -> the handler that also builds that platform's payloads (a
#: subclass of the concept's handler, so fields and checks are the concept's, declared once).
PLATFORMS: dict[str, dict[tuple[str, str], StepHandler]] = {}
#: the platform of a device whose inventory sets no `qsafe_platform`
DEFAULT_PLATFORM = "openconfig"


def register(cls: type[StepHandler]) -> type[StepHandler]:
    """Class decorator: make cls the concept handler of (cls.kind, cls.operation)."""
    key = (cls.kind, cls.operation)
    if key in HANDLERS:
        raise ValueError(f"duplicate device handler for {key}")
    if any(h.module == cls.module for h in HANDLERS.values()):
        raise ValueError(f"two device handlers for module {cls.module}")
    HANDLERS[key] = cls()
    return cls


def register_platform(platform: str, *classes: type[StepHandler]) -> None:
    """Make each class the payload builder of (kind, operation) on `platform`.

    A class must derive from the concept handler of its (kind, operation): a platform changes how a
    step is written to the device, never which parameters it takes.
    """
    table = PLATFORMS.setdefault(platform, {})
    for cls in classes:
        key = (cls.kind, cls.operation)
        concept = HANDLERS.get(key)
        if concept is None or not issubclass(cls, type(concept)):
            raise ValueError(f"{platform}: {cls.__name__} does not derive from the handler of {key}")
        if key in table:
            raise ValueError(f"{platform}: duplicate payload for {key}")
        table[key] = cls()


# -- XML helpers ---------------------------------------------------------------------------------
def x(text: Any) -> str:
    """Escaped element text."""
    return escape(str(text))


def parse_data(data_xml: str) -> ET.Element:
    """The <data> element of a get-config reply (an empty <data> when the reply is empty)."""
    if not data_xml or not data_xml.strip():
        return ET.Element(f"{{{NC_NS}}}data")
    return ET.fromstring(data_xml.encode() if isinstance(data_xml, str) else data_xml)  # noqa: S314


def find(elem: ET.Element | None, *path: tuple[str, str]) -> ET.Element | None:
    """Follow (namespace, local-name) steps; None when any step is missing."""
    node = elem
    for ns, name in path:
        if node is None:
            return None
        node = node.find(f"{{{ns}}}{name}")
    return node


def find_all(elem: ET.Element | None, ns: str, name: str) -> list[ET.Element]:
    return [] if elem is None else elem.findall(f"{{{ns}}}{name}")


def text_of(elem: ET.Element | None, ns: str, name: str) -> str | None:
    child = None if elem is None else elem.find(f"{{{ns}}}{name}")
    return None if child is None or child.text is None else child.text.strip()


def list_entry(parent: ET.Element | None, ns: str, name: str, key: str, value: str) -> ET.Element | None:
    """The entry of list `name` whose key leaf equals value."""
    for entry in find_all(parent, ns, name):
        if text_of(entry, ns, key) == str(value):
            return entry
    return None


def pretty(data_xml: str) -> str:
    """Readable text of a <data> reply for diffs: local names, xmlns only where it changes."""
    root = parse_data(data_xml)
    lines: list[str] = []

    def walk(elem: ET.Element, depth: int, parent_ns: str | None) -> None:
        ns, _sep, local = elem.tag[1:].partition("}") if elem.tag.startswith("{") else ("", "", elem.tag)
        attr = f' xmlns="{ns}"' if ns != parent_ns else ""
        pad = "  " * depth
        children = list(elem)
        text = (elem.text or "").strip()
        if not children:
            lines.append(
                f"{pad}<{local}{attr}>{escape(text)}</{local}>" if text else f"{pad}<{local}{attr}/>"
            )
            return
        lines.append(f"{pad}<{local}{attr}>")
        for child in children:
            walk(child, depth + 1, ns)
        lines.append(f"{pad}</{local}>")

    for top in root:
        walk(top, 0, None)
    return "\n".join(lines) + ("\n" if lines else "")


Builder = Callable[..., str]
