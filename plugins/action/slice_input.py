# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""qsafe.slicing.slice_input: the slice descriptor as data (see the module's documentation).

Reads variables from task_vars as Ansible holds them, before any template is rendered, and
returns plain copies: a registered result is never rendered again, so nothing a descriptor
carries can run on the controller.
"""

from __future__ import annotations

from ansible import context
from ansible.parsing.splitter import parse_kv
from ansible.plugins.action import ActionBase
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.documents import (
    MAX_DESCRIPTOR_BYTES,
    MAX_TOPOLOGY_NODES,
    DocumentError,
    data_problems,
    descriptor_from_document,
    descriptor_from_text,
    extra_vars_problems,
    is_ietf_document,
    plain,
    read_extra_vars_source,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import schema_problems
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.schemas import SLICE_SCHEMA

ARGUMENT_SPEC = {
    "descriptor": {"type": "bool", "default": True},
    "topology": {"type": "bool", "default": True},
    "variables": {"type": "list", "elements": "str", "default": []},
    "check_extra_vars": {"type": "bool", "default": True},
    "extra_vars_allowed": {"type": "list", "elements": "str", "default": []},
}
USAGE = (
    "pass a slice descriptor: -e slice_file=slices/enterprise_app.yml (read by the collection's strict "
    "loader; recommended; a descriptor or an IETF Network Slice Service request such as "
    "slices/ietf/enterprise_app.json) or -e @slices/enterprise_app.yml (a file with one top-level key, "
    "'slice', or an IETF request)"
)


class Refused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _read_limited(path: str, limit: int = MAX_DESCRIPTOR_BYTES) -> bytes:
    with open(path, "rb") as handle:
        # One byte over the limit is enough for load_document to name the limit.
        return handle.read(limit + 1)


def _extra_vars() -> list[str]:
    return [str(option) for option in (context.CLIARGS.get("extra_vars") or ())]


def read_extra_vars(options: list[str]) -> list[tuple[str, str, object]]:
    """Every -e source re-read with the strict loader: (label, kind, data)."""
    sources, problems = [], []
    for option in options:
        try:
            sources.append(read_extra_vars_source(option, _read_limited, parse_kv))
        except DocumentError as exc:
            problems += exc.problems
    if problems:
        raise Refused(problems)
    return sources


def check_extra_vars(sources: list[tuple[str, str, object]], allowed: list[str] = ()) -> None:
    problems = extra_vars_problems(sources, allowed)
    if problems:
        raise Refused(problems)


def read_descriptor(task_vars: dict, sources: list[tuple[str, str, object]] = ()) -> tuple[dict, str]:
    """The descriptor from exactly one of: slice_file=PATH, an IETF request given as -e @file (taken
    from the strict re-read of that file, never from what Ansible loaded), the variable `slice`."""
    ietf = [(label, data) for label, kind, data in sources if kind != "kv" and is_ietf_document(data)]
    given = [
        name
        for name, present in (
            ("slice_file=PATH", task_vars.get("slice_file") is not None),
            ("an IETF request (-e @file)", bool(ietf)),
            ("the variable 'slice'", "slice" in task_vars),
        )
        if present
    ]
    if len(given) > 1 or len(ietf) > 1:
        got = ", ".join(given) if len(given) > 1 else ", ".join(label for label, _data in ietf)
        raise Refused(
            [
                "give the descriptor once (slice_file=PATH, an IETF request as -e @file, or the variable "
                f"'slice'), not both: got {got}"
            ]
        )
    path = task_vars.get("slice_file")
    if path is not None:
        if not isinstance(path, str) or not path.strip():
            raise Refused(["slice_file: must be the path of a slice descriptor file"])
        problems = data_problems(path, "slice_file")
        if problems:
            raise Refused(problems)
        try:
            raw = _read_limited(path)
        except OSError as exc:
            raise Refused([f"slice_file: cannot read {path!r}: {exc.strerror or exc}"]) from None
        try:
            document = descriptor_from_text(raw, f"slice_file {path}")
        except DocumentError as exc:
            raise Refused(exc.problems) from None
        source = f"slice_file {path}"
    elif ietf:
        label, data = ietf[0]
        try:
            document = descriptor_from_document(data, label)
        except DocumentError as exc:
            raise Refused(exc.problems) from None
        source = f"IETF request {label}"
    elif "slice" in task_vars:
        value = task_vars["slice"]
        if not isinstance(value, dict):
            raise Refused([f"slice: must be a mapping (the descriptor's 'slice:' block); {USAGE}"])
        problems = data_problems(value)
        if problems:
            raise Refused(problems)
        document, source = {"slice": plain(value)}, "variable slice"
    else:
        raise Refused([USAGE])
    problems = schema_problems(document, SLICE_SCHEMA)
    if problems:
        raise Refused(problems)
    return document, source


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        _unused, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        result["changed"] = False
        try:
            sources = read_extra_vars(_extra_vars())
            if params["check_extra_vars"]:
                check_extra_vars(sources, params["extra_vars_allowed"])
            if params["descriptor"]:
                result["descriptor"], result["source"] = read_descriptor(task_vars, sources)
            if params["topology"] and "topology" in task_vars:
                problems = data_problems(task_vars["topology"], "topology", MAX_TOPOLOGY_NODES)
                if problems:
                    raise Refused(problems)
                result["topology"] = plain(task_vars["topology"])
            variables = {}
            for name in params["variables"]:
                if name in task_vars:
                    problems = data_problems(task_vars[name], name)
                    if problems:
                        raise Refused(problems)
                    variables[name] = plain(task_vars[name])
            result["variables"] = variables
        except Refused as exc:
            shown = exc.problems[:20]
            if len(exc.problems) > 20:
                shown.append(f"... and {len(exc.problems) - 20} more")
            result.update(failed=True, problems=exc.problems, msg="input refused: " + "; ".join(shown))
        return result
