# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Descriptors are data: a strict loader and the checks every descriptor value passes.

A slice descriptor (or a topology, or an AWX survey answer) is written by someone other than the
operator who runs the play, so nothing in it may run code or change anything but the slice:

- `load_document` reads YAML (JSON is YAML) with a safe loader that refuses documents over a size
  limit, duplicate keys, merge keys, more than a few aliases and alias expansion beyond a node
  budget (a "billion laughs" document is refused in milliseconds instead of expanding), several
  documents in one file, and YAML-only types (dates stay text; binary, sets are refused).
- `data_problems` walks a loaded value (from this loader, or a variable Ansible already loaded)
  with the same node budget and refuses Jinja template markers in any key or text, non-finite
  numbers and values that are not JSON data, naming the field.
- `descriptor_from_document` turns a loaded slice file (a descriptor, or an IETF Network Slice
  Service request, checked as data as a whole before it is converted) into the descriptor.
- `extra_vars_problems` applies the rules for `-e` sources: a file that carries `slice` (or an IETF
  request) carries nothing else, no source sets the topology, the role's descriptor or registry
  location, and no source sets a variable outside the documented interface (DOCUMENTED_EXTRA_VARS:
  the playbooks' options, the AWX job's settings, survey answers, job metadata and the NETCONF
  credential's injected variables); every value is checked as data.

Pure Python (PyYAML only): the action plugin, the AWX filter and the unit tests share it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

try:
    import yaml

    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    HAS_YAML = False

from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import (
    DescriptorError,
    field_path,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.ietf import TOP as IETF_TOP
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.ietf import descriptor_from_ietf

MAX_DESCRIPTOR_BYTES = 256 * 1024
MAX_TOPOLOGY_BYTES = 8 * 1024 * 1024
MAX_ALIASES = 32
MAX_NODES = 50_000
MAX_TOPOLOGY_NODES = 2_000_000
MAX_DEPTH = 32
TEMPLATE_MARKERS = ("{{", "{%", "{#")
DESCRIPTOR_KEY = "slice"
# Variables that decide what a slice is planned on, what the role provisions, or where the
# reservation is recorded: the inventory and the environment set them, never an extra var
# (extra vars beat every other variable in Ansible, role parameters included).
FORBIDDEN_EXTRA_VARS = re.compile(
    r"^(topology|slice_input|slice_provision_(topology|descriptor|registry_\w*)|slice_deprovision_registry_\w*)$"
)
# What the collection's playbooks take as extra vars (docs/provisioning.md, docs/awx.md). Any other
# name given with -e is refused before it is used: an extra var beats every other variable, so a
# settings file could otherwise set connection variables (ansible_*) or any role internal.
DOCUMENTED_EXTRA_VARS = frozenset(
    {
        # playbooks/*_slice.yml, plan_slice.yml
        "slice_file",
        "slice",
        "slice_id",
        "slice_state",
        "use_case",
        # operator settings of the slice roles (meta/argument_specs.yml)
        "slice_provision_confirm_timeout",
        "slice_provision_lock_timeout",
        "slice_deprovision_confirm_timeout",
        "slice_deprovision_lock_timeout",
        # AWX job templates (extensions/awx/job_templates.yml): settings and survey answers
        "qsafe_survey_connections",
        "qsafe_survey_base",
        "slice_description",
        "compute_site",
        "compute_site_role",
        "compute_vcpu",
        "compute_memory_gb",
        # the AWX credential type "qsafe NETCONF device key" (extensions/awx/credential_types.yml)
        "ansible_user",
        "ansible_ssh_private_key_file",
        "qsafe_netconf_known_hosts",
    }
)
# Per connection survey answers: <connection>_<field> for the connections in qsafe_survey_connections.
SURVEY_CONNECTION_FIELDS = ("from", "to", "security", "bandwidth_mbps", "max_latency_ms")
# The job metadata AWX (and Tower before it) adds to every job's extra vars.
AWX_JOB_METADATA = re.compile(r"^(awx|tower)_[a-z0-9_]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SUSPECT = re.compile(r"[{\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # cheap pre-filter for _text_problems


class DocumentError(DescriptorError):
    """A document could not be read as data (size, aliases, duplicates, syntax, templates...)."""


def _mark(node_or_mark) -> str:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"


if HAS_YAML:
    # The C parser composes (aliases become shared nodes, nothing is expanded); the budget walk
    # and the constructor below stay in Python.
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _StrictLoader(_Base):  # type: ignore[valid-type,misc]
        """A safe loader with duplicate-key detection and no merge keys (aliases: see _budget)."""

        def construct_mapping(self, node, deep=False):
            if not isinstance(node, yaml.MappingNode):
                return super().construct_mapping(node, deep=deep)
            seen: dict = {}
            for key_node, _value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise DocumentError(
                        [f"{self.source}: YAML merge keys ('<<') are not allowed (at {_mark(key_node)})"]
                    )
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    raise DocumentError(
                        [f"{self.source}: a mapping key must be text (at {_mark(key_node)})"]
                    ) from None
                if key in seen:
                    raise DocumentError(
                        [
                            f"{self.source}: duplicate key {key!r} at {_mark(key_node)} "
                            f"(first at {_mark(seen[key])}); every key may appear once"
                        ]
                    )
                seen[key] = key_node
            return super().construct_mapping(node, deep=deep)

    # Dates stay text (a JSON document has no dates); the other implicit types are JSON's.
    _StrictLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


def _budget(root, source: str, max_nodes: int) -> None:
    """Refuse more than MAX_ALIASES aliases, recursive aliases, nesting deeper than MAX_DEPTH and
    more than max_nodes nodes once aliases are expanded (counted on the composed node graph,
    where an alias is a node reached again; memoised, so nothing is expanded)."""
    sizes: dict[int, int] = {}
    aliases = 0
    on_path: set[int] = set()

    def children(node):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                yield key
                yield value
        elif isinstance(node, yaml.SequenceNode):
            yield from node.value

    # Iterative post-order walk: a deep document must not hit Python's recursion limit.
    stack = [(root, iter(children(root)), 1)]
    on_path.add(id(root))
    totals = [1]
    while stack:
        node, it, depth = stack[-1]
        child = next(it, None)
        if child is None:
            stack.pop()
            on_path.discard(id(node))
            total = totals.pop()
            sizes[id(node)] = total
            if total > max_nodes:
                raise DocumentError(
                    [
                        f"{source}: more than {max_nodes} values once YAML aliases are expanded "
                        "(alias expansion budget); a descriptor is plain data, write values out"
                    ]
                )
            if totals:
                totals[-1] += total
            continue
        if id(child) in on_path:
            raise DocumentError([f"{source}: recursive YAML alias at {_mark(child)}"])
        if id(child) in sizes:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise DocumentError(
                    [
                        f"{source}: more than {MAX_ALIASES} YAML aliases (anchor at {_mark(child)}); "
                        "a descriptor is plain data, write values out"
                    ]
                )
            totals[-1] += sizes[id(child)]
            if totals[-1] > max_nodes:
                raise DocumentError(
                    [
                        f"{source}: more than {max_nodes} values once YAML aliases are expanded "
                        "(alias expansion budget); a descriptor is plain data, write values out"
                    ]
                )
            continue
        if depth + 1 > MAX_DEPTH:
            raise DocumentError([f"{source}: nested deeper than {MAX_DEPTH} levels (at {_mark(child)})"])
        on_path.add(id(child))
        stack.append((child, iter(children(child)), depth + 1))
        totals.append(1)


def load_document(
    text: str | bytes,
    source: str = "descriptor",
    max_bytes: int = MAX_DESCRIPTOR_BYTES,
    max_nodes: int = MAX_NODES,
) -> Any:
    """Parse one YAML/JSON document strictly (see the module docstring); raise DocumentError."""
    if not HAS_YAML:
        raise DocumentError(["the Python library PyYAML is required to read descriptors"])
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if len(raw) > max_bytes:
        raise DocumentError([f"{source}: {len(raw)} bytes, more than the {max_bytes}-byte limit"])
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError([f"{source}: not UTF-8 text (byte {exc.start})"]) from None
    loader = _StrictLoader(decoded)
    loader.source = source
    try:
        node = loader.get_single_node()
        if node is None:
            raise DocumentError([f"{source}: the document is empty"])
        _budget(node, source, max_nodes)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        where = _mark(getattr(exc, "problem_mark", None))
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DocumentError([f"{source}: not valid YAML at {where}: {problem}"]) from None
    except RecursionError:
        raise DocumentError([f"{source}: nested too deeply"]) from None
    finally:
        loader.dispose()


def _describe_type(value: Any) -> str:
    return type(value).__name__


def data_problems(value: Any, root: str = DESCRIPTOR_KEY, max_nodes: int = MAX_NODES) -> list[str]:
    """Everything in `value` that is not plain JSON data, as `field.path: what is wrong`.

    Refuses Jinja template markers in keys and text (a descriptor is never a template), control
    characters other than tab and newline, non-finite numbers, keys that are not text and types
    JSON does not have. Shared references count once per use, so a structure that an alias bomb
    built is refused by the node budget instead of being walked for minutes.
    """
    problems: list[str] = []
    stack: list[tuple[Any, tuple]] = [(value, ())]
    nodes = 0
    while stack:
        item, path = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            return problems + [
                f"{root}: more than {max_nodes} values (counting repeated references); "
                "a descriptor is plain data"
            ]
        if len(path) > MAX_DEPTH:
            problems.append(f"{field_path(root, path)}: nested deeper than {MAX_DEPTH} levels")
            continue
        if isinstance(item, str):
            if _SUSPECT.search(item):
                problems += _text_problems(field_path(root, path), item)
        elif item is None or isinstance(item, bool | int):
            continue
        elif isinstance(item, float):
            if not math.isfinite(item):
                problems.append(f"{field_path(root, path)}: {item!r} is not a finite number")
        elif isinstance(item, Mapping):
            for key in reversed(list(item)):
                if not isinstance(key, str):
                    problems.append(f"{field_path(root, path)}: key {key!r} is not text")
                    continue
                if _SUSPECT.search(key):
                    key_problems = _text_problems(f"{field_path(root, path)} key {key[:40]!r}", key)
                    if key_problems:
                        problems += key_problems
                        continue
                stack.append((item[key], (*path, key)))
        elif isinstance(item, list | tuple):
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], (*path, index)))
        else:
            problems.append(
                f"{field_path(root, path)}: a {_describe_type(item)} is not JSON data "
                "(text, number, list, mapping)"
            )
    return problems


def _text_problems(where: str, text: str) -> list[str]:
    problems = []
    for marker in TEMPLATE_MARKERS:
        if marker in text:
            problems.append(
                f"{where}: contains the template marker {marker!r}; descriptors are data and are never "
                "evaluated as templates (remove the marker)"
            )
            break
    control = _CONTROL.search(text)
    if control:
        problems.append(f"{where}: contains the control character {control.group()!r}")
    return problems


def plain(value: Any) -> Any:
    """A copy made of exact JSON types (str, int, float, bool, None, dict, list).

    Ansible wraps variables in subclasses carrying origin and trust tags; a plain copy carries no
    trust, so it can never be rendered as a template downstream. Call after data_problems.
    """
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def descriptor_from_text(text: str | bytes, source: str) -> dict:
    """A slice file's content -> `{"slice": {...}}` as plain data; raise DocumentError.

    The file is a slice descriptor or an IETF Network Slice Service request (RFC 7951 JSON, one
    top-level `ietf-network-slice-service:network-slice-services`): see descriptor_from_document."""
    return descriptor_from_document(load_document(text, source), source)


def is_ietf_document(document: Any) -> bool:
    """True when a loaded slice file is an IETF Network Slice Service request (its one top-level key)."""
    return isinstance(document, dict) and list(document) == [IETF_TOP]


def descriptor_from_document(document: Any, source: str) -> dict:
    """A strictly loaded slice file -> `{"slice": {...}}` as plain data; raise DocumentError.

    An IETF request is checked as data as a whole first (a template marker, control character or
    non-finite number anywhere in it is refused, naming its path, even in nodes the conversion does
    not read), then turned into a descriptor (planning/ietf.py), which is checked like any other."""
    if is_ietf_document(document):
        problems = data_problems(document[IETF_TOP], IETF_TOP)
        if problems:
            raise DocumentError([f"{source}: {problem}" for problem in problems])
        try:
            document = descriptor_from_ietf(document)
        except DescriptorError as exc:
            raise DocumentError([f"{source}: {problem}" for problem in exc.problems]) from None
    if not isinstance(document, dict) or list(document) != [DESCRIPTOR_KEY]:
        keys = sorted(document) if isinstance(document, dict) else []
        extra = [k for k in keys if k != DESCRIPTOR_KEY]
        if extra:
            message = (
                f"{source}: a slice descriptor holds one top-level key, 'slice'; refusing "
                f"{', '.join(repr(k) for k in extra[:10])} (the topology, the registry and every other "
                "variable come from the inventory and the environment, never from a descriptor)"
            )
        else:
            message = f"{source}: a slice descriptor is a mapping with one top-level key, 'slice'"
        raise DocumentError([message])
    problems = data_problems(document[DESCRIPTOR_KEY])
    if problems:
        raise DocumentError(problems)
    return plain(document)


def topology_from_text(text: str | bytes, source: str) -> dict:
    """A topology file's content -> `{"topology": {...}}` as plain data; raise DocumentError."""
    document = load_document(text, source, MAX_TOPOLOGY_BYTES, MAX_TOPOLOGY_NODES)
    if not isinstance(document, dict) or "topology" not in document:
        raise DocumentError([f"{source}: a topology file is a mapping with the top-level key 'topology'"])
    problems = data_problems(document["topology"], "topology", MAX_TOPOLOGY_NODES)
    if problems:
        raise DocumentError(problems)
    return plain(document)


def documented_extra_vars(sources: Iterable[tuple[str, str, Any]], allowed: Iterable[str] = ()) -> set[str]:
    """The extra-var names these sources may set: DOCUMENTED_EXTRA_VARS, `allowed`, and the survey
    answers of the connections the sources name in qsafe_survey_connections."""
    names = set(DOCUMENTED_EXTRA_VARS) | set(allowed)
    for _label, _kind, data in sources:
        connections = data.get("qsafe_survey_connections") if isinstance(data, Mapping) else None
        if isinstance(connections, list):
            names |= {
                f"{conn}_{field}"
                for conn in connections
                if isinstance(conn, str)
                for field in SURVEY_CONNECTION_FIELDS
            }
    return names


def extra_vars_problems(sources: Iterable[tuple[str, str, Any]], allowed: Iterable[str] = ()) -> list[str]:
    """Rules for `ansible-playbook -e` sources, each `(label, kind, data)`.

    kind is "file" (`-e @file`), "inline" (`-e '{...}'` JSON/YAML text) or "kv" (`-e a=b`); data
    is what the source defines. A file that defines `slice` (a descriptor file) or an IETF request
    defines nothing else; no source defines a variable matching FORBIDDEN_EXTRA_VARS or one outside
    the documented interface (documented_extra_vars: DOCUMENTED_EXTRA_VARS, AWX job metadata,
    survey answers, `allowed`); every value is plain data (`slice` and IETF requests included).
    """
    sources = list(sources)
    documented = documented_extra_vars(sources, allowed)
    problems: list[str] = []
    for label, kind, data in sources:
        if not isinstance(data, Mapping):
            problems.append(f"{label}: extra vars must be a mapping of variable names")
            continue
        names = [str(k) for k in data]
        for key in (DESCRIPTOR_KEY, IETF_TOP):
            if kind == "file" and key in data and len(names) > 1:
                extra = sorted(n for n in names if n != key)
                what = "a slice descriptor file" if key == DESCRIPTOR_KEY else "an IETF slice request file"
                problems.append(
                    f"{label}: {what} holds one top-level key, {key!r}; refusing "
                    f"{', '.join(repr(n) for n in extra[:10])} (pass operator settings as -e name=value; "
                    "the topology and the registry come from the inventory and the environment)"
                )
        forbidden = sorted(n for n in names if FORBIDDEN_EXTRA_VARS.match(n))
        if forbidden:
            problems.append(
                f"{label}: {', '.join(repr(n) for n in forbidden)} cannot be set as extra vars "
                "(extra vars override the inventory's topology and the registry location; set them in "
                "the inventory or the environment: QSAFE_REGISTRY_DSN, QSAFE_REGISTRY_PATH, QSAFE_STATE_DIR)"
            )
        undocumented = sorted(
            n
            for n in names
            if n not in documented
            and not (n == IETF_TOP and kind != "kv")
            and not AWX_JOB_METADATA.match(n)
            and not FORBIDDEN_EXTRA_VARS.match(n)
        )
        if undocumented:
            shown = ", ".join(repr(n[:60]) for n in undocumented[:10])
            more = f" and {len(undocumented) - 10} more" if len(undocumented) > 10 else ""
            problems.append(
                f"{label}: not an extra var the slice playbooks take: {shown}{more}; refusing the run "
                "before anything uses it (extra vars beat the inventory: connection variables (ansible_*) "
                "and role internals belong in the inventory; docs/provisioning.md lists the extra vars)"
            )
        for name in names:
            if name == IETF_TOP and kind != "kv":
                problems += [f"{label}: {p}" for p in data_problems(data[name], IETF_TOP)]
            elif name in documented or AWX_JOB_METADATA.match(name):
                problems += [f"{label}: {p}" for p in data_problems(data[name], name)]
    return problems


def read_extra_vars_source(
    option: str, read_file: Callable[[str], bytes], parse_kv: Callable[[str], dict]
) -> tuple[str, str, Any]:
    """One `-e` option -> (label, kind, data), parsed strictly (as ansible-playbook would, but
    with load_document): `@path` is a file, text starting with `{` or `[` is inline YAML/JSON,
    anything else is `name=value` pairs."""
    text = option.strip()
    if text.startswith("@"):
        path = text[1:]
        label = f"-e @{path}"
        try:
            raw = read_file(path)
        except OSError as exc:
            raise DocumentError([f"{label}: cannot read: {exc.strerror or exc}"]) from None
        return label, "file", load_document(raw, label)
    if text.startswith(("{", "[")):
        label = "-e '" + (text if len(text) <= 40 else text[:37] + "...") + "'"
        return label, "inline", load_document(text, label)
    return f"-e {text[:40]}", "kv", parse_kv(text)
