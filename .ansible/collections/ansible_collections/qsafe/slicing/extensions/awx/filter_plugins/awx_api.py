# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers for extensions/awx/register.yml (AWX REST API v2 through ansible.builtin.uri).

Why filters: register.yml must decide, per object, whether to POST (absent), PATCH (differs) or
leave it (same), and AWX answers secret inputs with `$encrypted$`. Doing that comparison in Jinja
would be unreadable; here it is plain Python that tests/integration/awx/ checks directly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

try:
    from ansible.errors import AnsibleFilterError
except ImportError:  # plain Python use (tests)

    class AnsibleFilterError(Exception):  # type: ignore[no-redef]
        """Stand-in when Ansible is not importable."""


import yaml

ENCRYPTED = "$encrypted$"
# Keys of job_templates.yml entries that are not job template fields (they go to other endpoints).
JOB_TEMPLATE_SIDE_KEYS = ("credentials", "survey_spec", "inventory", "project", "execution_environment")


def awx_lookup_url(body: Mapping[str, Any], base: str, scope: Sequence[str] = ()) -> str:
    """GET URL that finds an object by name (and by the ids in `scope`, e.g. inventory)."""
    query = {"name": body["name"]}
    for key in scope:
        query[key] = body[key]
    return f"{base.rstrip('/')}/?{urlencode(query)}"


def awx_same(have: Any, want: Any, key: str = "") -> bool:
    """True when the stored value `have` already equals the wanted `want`.

    extra_vars are compared parsed (AWX stores the text; YAML and JSON texts may differ in
    layout); a stored `$encrypted$` counts as equal: AWX never returns secrets, and re-sending
    them on every run would make the registration never idempotent.
    """
    if have == ENCRYPTED and isinstance(want, str):
        return True
    if key == "extra_vars":
        return _parse_vars(have) == _parse_vars(want)
    if isinstance(want, Mapping) and isinstance(have, Mapping):
        return set(want) == set(have) and all(awx_same(have[k], want[k]) for k in want)
    if isinstance(want, list) and isinstance(have, list):
        return len(want) == len(have) and all(awx_same(h, w) for h, w in zip(have, want, strict=True))
    return have == want


def awx_changed_fields(existing: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """Fields of `desired` that differ from the stored object (the PATCH body; {} = nothing)."""
    return {k: v for k, v in desired.items() if not awx_same(existing.get(k), v, k)}


def awx_plan(items: Sequence[Mapping[str, Any]], found: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per wanted object: {action: create|update|keep, name, body, id, patch}.

    `found` holds the list responses of the name lookups, in the order of `items`. More than one
    match means the name is not unique in that scope: refuse rather than guess.
    """
    if len(items) != len(found):
        raise AnsibleFilterError("awx_plan: one lookup result per item expected")
    plan = []
    for body, response in zip(items, found, strict=True):
        results = response.get("results", []) if isinstance(response, Mapping) else []
        if len(results) > 1:
            raise AnsibleFilterError(
                f"{len(results)} AWX objects are named {body['name']!r}; rename or delete the extra ones"
            )
        if not results:
            plan.append(
                {"action": "create", "name": body["name"], "body": dict(body), "id": None, "patch": {}}
            )
            continue
        patch = awx_changed_fields(results[0], body)
        plan.append(
            {
                "action": "update" if patch else "keep",
                "name": body["name"],
                "body": dict(body),
                "id": results[0]["id"],
                "patch": patch,
            }
        )
    return plan


def awx_job_template_body(
    template: Mapping[str, Any], ids: Mapping[str, Mapping[str, int]]
) -> dict[str, Any]:
    """The job_templates POST/PATCH body: names resolved to ids, extra_vars as JSON text."""

    def resolve(kind: str, name: str) -> int:
        try:
            return ids[kind][name]
        except KeyError:
            raise AnsibleFilterError(
                f"job template {template['name']!r}: no {kind} named {name!r} in AWX"
            ) from None

    body = {k: v for k, v in template.items() if k not in JOB_TEMPLATE_SIDE_KEYS}
    body.setdefault("job_type", "run")
    body["inventory"] = resolve("inventories", template["inventory"])
    body["project"] = resolve("projects", template["project"])
    body["execution_environment"] = resolve("execution_environments", template["execution_environment"])
    body["survey_enabled"] = bool(template.get("survey_spec"))
    body["extra_vars"] = json.dumps(template.get("extra_vars") or {}, sort_keys=True)
    return body


def awx_name_url(name: str, base: str) -> str:
    """GET URL that finds an object by name alone."""
    return awx_lookup_url({"name": name}, base)


def awx_credential_body(
    name: str,
    ids: Mapping[str, Mapping[str, int]],
    credentials: Mapping[str, str],
    inputs: Mapping[str, Mapping[str, Any]],
    organization: str,
) -> dict[str, Any]:
    """credentials POST/PATCH body (inputs hold secrets: register.yml never logs it)."""
    type_name = credentials[name]
    if type_name not in ids.get("credential_types", {}):
        raise AnsibleFilterError(f"credential {name!r}: no credential type named {type_name!r} in AWX")
    return {
        "name": name,
        "organization": ids["organizations"][organization],
        "credential_type": ids["credential_types"][type_name],
        "inputs": dict(inputs[name]),
    }


def awx_credential_posts(
    templates: Sequence[Mapping[str, Any]],
    attached: Sequence[Mapping[str, Any]],
    ids: Mapping[str, Mapping[str, int]],
) -> list[dict[str, Any]]:
    """Every attach/detach POST for every job template: [{job_template_id, body, label}]."""
    posts = []
    for template, current in zip(templates, attached, strict=True):
        jt_id = ids["job_templates"][template["name"]]
        for body in awx_credential_changes(template, current, ids):
            verb = "detach" if body.get("disassociate") else "attach"
            posts.append(
                {"job_template_id": jt_id, "body": body, "label": f"{template['name']}: {verb} {body['id']}"}
            )
    return posts


def awx_credential_changes(
    template: Mapping[str, Any], attached: Mapping[str, Any], ids: Mapping[str, Mapping[str, int]]
) -> list[dict[str, Any]]:
    """POST bodies for /job_templates/N/credentials/: attach the missing, detach the others."""
    wanted = []
    for name in template.get("credentials", []):
        if name not in ids.get("credentials", {}):
            raise AnsibleFilterError(
                f"job template {template['name']!r}: no credential named {name!r} in AWX"
            )
        wanted.append(ids["credentials"][name])
    have = [c["id"] for c in attached.get("results", [])]
    changes: list[dict[str, Any]] = [{"id": i} for i in wanted if i not in have]
    changes += [{"id": i, "disassociate": True} for i in have if i not in wanted]
    return changes


def _parse_vars(text: Any) -> Any:
    if isinstance(text, Mapping):
        return dict(text)
    if text in (None, ""):
        return {}
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


class FilterModule:
    """AWX registration helpers."""

    def filters(self) -> dict[str, Any]:
        return {
            "awx_lookup_url": awx_lookup_url,
            "awx_changed_fields": awx_changed_fields,
            "awx_plan": awx_plan,
            "awx_job_template_body": awx_job_template_body,
            "awx_credential_changes": awx_credential_changes,
            "awx_credential_posts": awx_credential_posts,
            "awx_credential_body": awx_credential_body,
            "awx_name_url": awx_name_url,
        }
