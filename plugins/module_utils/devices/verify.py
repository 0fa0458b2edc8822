# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a device back and tell, step by step, whether its running configuration holds the plan.

Why: a run's end state is what the devices hold after the confirm, not what the steps reported.
A confirmed commit can revert under the controller (confirm timeout passed, a crashed run's
commit found by a re-run, a dropped confirm); only reading running back tells.

Cheap by construction: ONE get-config of running per device, whose subtree filter is the union
of what the device's steps look at (each handler's context filter; identical filters merged, list
entries of the same container side by side), and the comparison is pure Python.

A step holds when the handler, given the read-back configuration, would send nothing, or only
what running already shows: every element of its edit without an `operation` attribute is present
with the same text (list entries matched by their leaves, leaf-lists by value), and every element
marked delete/remove is absent. That is the plan compared with the device, through the same
handler that made the change, so both directions (present and absent) are checked the same way.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parses our own filters and the device's replies
from collections.abc import Iterable, Mapping
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    DEFAULT_PLATFORM,
    NC_NS,
    StepConflictError,
    parse_data,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.handlers import handler_for
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

OPERATION_ATTR = f"{{{NC_NS}}}operation"
REMOVING = ("delete", "remove")


def _tag_key(elem: ET.Element) -> str:
    return elem.tag


def _merge_into(target: ET.Element, extra: ET.Element) -> None:
    """Union of two subtree filters rooted at the same node (same tag)."""
    if len(target) == 0:
        return  # target already selects the whole node
    if len(extra) == 0:
        for child in list(target):
            target.remove(child)
        return
    have = {ET.tostring(c) for c in target}
    for child in extra:
        if ET.tostring(child) not in have:
            target.append(child)
            have.add(ET.tostring(child))


def read_filter(
    steps: Iterable[Mapping[str, Any]], state: str | None, platform: str | None = None
) -> list[str]:
    """The subtree filter (its top nodes, one get-config) covering what every step of one device
    looks at, merged per top node. platform: the device's (None: the default platform)."""
    roots: dict[str, ET.Element] = {}
    for step in steps:
        handler = handler_for(str(step["kind"]), str(step["operation"]), platform or DEFAULT_PLATFORM)
        params = handler.validate(dict(step.get("params") or {}), _state_of(step, state))
        text = handler.context_filter(params) or handler.filter(params)
        elem = ET.fromstring(text)  # noqa: S314 - our own filter text
        key = _tag_key(elem)
        if key in roots:
            _merge_into(roots[key], elem)
        else:
            roots[key] = elem
    return [ET.tostring(e, encoding="unicode") for e in roots.values()]


def _text(elem: ET.Element) -> str:
    return (elem.text or "").strip()


def _matches(want: ET.Element, have: ET.Element) -> bool:
    """have holds everything want asks for (want without operation attributes below it)."""
    if want.tag != have.tag:
        return False
    if len(want) == 0:
        return _text(want) == "" or _text(want) == _text(have)
    return _contained(want, have)


def _contained(want: ET.Element, have: ET.Element | None) -> bool:
    """Every child of want is satisfied in have: kept ones present, removed ones absent."""
    for child in want:
        op = child.get(OPERATION_ATTR)
        candidates = [] if have is None else [c for c in have if c.tag == child.tag]
        if op in REMOVING:
            probe = _strip_operation(child)
            if len(probe) == 0 and _text(probe) == "":
                if candidates:
                    return False  # the whole node must be gone
            elif any(_matches(probe, c) for c in candidates):
                return False
            continue
        if not any(_matches(child, c) for c in candidates):
            return False
    return True


def _strip_operation(elem: ET.Element) -> ET.Element:
    copy = ET.Element(elem.tag, {k: v for k, v in elem.attrib.items() if k != OPERATION_ATTR})
    copy.text = elem.text
    copy.extend(list(elem))
    return copy


def _state_of(step: Mapping[str, Any], state: str | None) -> str:
    """The caller's state, else the one the step (a step result) was run with, else present."""
    return str(state or step.get("state") or "present")


def step_holds(
    step: Mapping[str, Any], state: str | None, current: ET.Element, platform: str | None = None
) -> tuple[bool, str]:
    """(holds, why not) for one plan step against the read-back <data> of its device."""
    state = _state_of(step, state)
    handler = handler_for(str(step["kind"]), str(step["operation"]), platform or DEFAULT_PLATFORM)
    params = handler.validate(dict(step.get("params") or {}), state)
    try:
        edit = handler.edit(params, state, current)
    except StepConflictError as exc:
        return False, f"conflict: {exc}"
    if edit is None:
        return True, ""
    wanted = ET.fromstring(f'<data xmlns="{NC_NS}">{edit}</data>')  # noqa: S314 - our own edit text
    if _contained(wanted, current):
        return True, ""
    what = handler.identity(params)
    return False, f"{what} is {'missing' if state == 'present' else 'still there'}"


def verify_steps(
    data_xml: str, steps: list[Mapping[str, Any]], state: str | None, platform: str | None = None
) -> list[dict[str, Any]]:
    """The steps that running does NOT hold: [{index, name, device, why}] (empty: all hold)."""
    current = parse_data(data_xml)
    wrong = []
    for step in steps:
        ok, why = step_holds(step, state, current, platform)
        if not ok:
            wrong.append(
                {
                    "index": step.get("index"),
                    "name": step.get("name"),
                    "device": step.get("device"),
                    "why": why,
                }
            )
    return wrong


def read_back(
    session: NetconfSession, steps: list[Mapping[str, Any]], state: str | None
) -> list[dict[str, Any]]:
    """One get-config of running on session's device; the steps it does not hold."""
    if not steps:
        return []
    data = session.get_config("running", read_filter(steps, state, session.platform))
    return verify_steps(data, steps, state, session.platform)


def by_device(steps: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Steps grouped per device, devices in first-use order."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for step in steps:
        out.setdefault(str(step["device"]), []).append(step)
    return out


# -- confirm / cancel / verify one device, then read it back ---------------------------------------
FINISH_ACTIONS = ("confirm", "cancel", "verify")


def finish_and_verify(
    session: NetconfSession,
    action: str,
    persist_id: str | None,
    steps: list[Mapping[str, Any]] | None = None,
    state: str | None = None,
) -> dict[str, Any]:
    """confirm / cancel persist_id (or only `verify`), then, when steps are given, read the device
    back: {device, changed, pending, verified, mismatched: [{index, name, device, why}]}.

    "Nothing pending" is not a failure by itself: the read-back decides (a device whose pending
    commit was already confirmed, or never needed one, holds the plan; one whose commit reverted
    does not, and is reported in `mismatched`).
    """
    from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import finish_commit

    if action not in FINISH_ACTIONS:
        raise ValueError(f"action: must be one of {', '.join(FINISH_ACTIONS)}, got {action!r}")
    if action == "verify":
        out: dict[str, Any] = {"device": session.device, "changed": False, "pending": None}
    else:
        out = finish_commit(session, action, str(persist_id))
    if steps:
        wrong = read_back(session, list(steps), state)
        out.update(verified=not wrong, mismatched=wrong)
    return out
