# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small stand-in for the AWX REST API v2, for testing extensions/awx/register.yml.

This is a test double, not AWX: AWX (Django, PostgreSQL, Redis, receptor, containers) cannot run
in this environment. It implements only the endpoints register.yml uses, with the behaviour of
AWX that matters to it, taken from AWX's API code and docs:

- token auth (`Authorization: Bearer ...`, else 401);
- list endpoints filter by exact field values (`?name=...&inventory=3`) and answer
  {count, next, previous, results}; POST creates (201, with `id`), PATCH updates (200);
  a duplicate name in the same collection is refused (400);
- secret credential inputs are stored but answered as `$encrypted$`;
- a job template's inventory, project and execution environment must exist; extra_vars is text;
- `job_templates/N/survey_spec/` GET/POST, with the validation of AWX's
  JobTemplateSurveySpec._validate_spec_data (required keys, types, default types, integer
  min/max, choices for choice questions, unique variables);
- `job_templates/N/credentials/` GET, POST {"id"} attaches (204), {"id", "disassociate"} detaches
  (204); two credentials of the same type are refused (400), as AWX does.
Every request is recorded (method, path, query, JSON body, Authorization header).
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

KINDS = (
    "organizations",
    "credential_types",
    "credentials",
    "execution_environments",
    "projects",
    "inventories",
    "inventory_sources",
    "job_templates",
)
SURVEY_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "textarea": (str,),
    "password": (str,),
    "multiplechoice": (str,),
    "multiselect": (str,),
    "integer": (int,),
    "float": (float, int),
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None


@dataclass
class FakeAwx:
    token: str
    objects: dict[str, dict[int, dict[str, Any]]] = field(default_factory=lambda: {k: {} for k in KINDS})
    surveys: dict[int, dict[str, Any]] = field(default_factory=dict)
    jt_credentials: dict[int, list[int]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    next_id: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        obj = dict(obj, id=self.next_id)
        self.next_id += 1
        self.objects[kind][obj["id"]] = obj
        return obj

    def find(self, kind: str, name: str) -> dict[str, Any]:
        matches = [o for o in self.objects[kind].values() if o["name"] == name]
        assert len(matches) == 1, f"{kind} named {name!r}: {len(matches)} objects"
        return matches[0]

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    # --- request handling -------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, body: Any, auth: str | None) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self.lock:
            self.requests.append(Request(method, parts.path, query, copy.deepcopy(body), auth))
            if auth != f"Bearer {self.token}":
                return 401, {"detail": "Authentication credentials were not provided."}
            segs = [s for s in parts.path.split("/") if s]
            if segs[:2] != ["api", "v2"] or len(segs) < 3 or segs[2] not in KINDS:
                return 404, {"detail": "Not found."}
            kind, rest = segs[2], segs[3:]
            if not rest:
                return self._collection(kind, method, query, body)
            if not rest[0].isdigit() or int(rest[0]) not in self.objects[kind]:
                return 404, {"detail": "Not found."}
            oid = int(rest[0])
            if len(rest) == 1:
                return self._detail(kind, oid, method, body)
            if kind == "job_templates" and rest[1:] == ["survey_spec"]:
                return self._survey(oid, method, body)
            if kind == "job_templates" and rest[1:] == ["credentials"]:
                return self._credentials(oid, method, body)
            return 404, {"detail": "Not found."}

    def _collection(self, kind: str, method: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if method == "GET":
            results = [
                self._public(kind, o)
                for o in self.objects[kind].values()
                if all(str(o.get(k)) == v for k, v in query.items() if k not in ("page", "page_size"))
            ]
            return 200, {"count": len(results), "next": None, "previous": None, "results": results}
        if method != "POST":
            return 405, {"detail": f'Method "{method}" not allowed.'}
        error = self._check(kind, body, None)
        if error:
            return 400, error
        obj = self.add(kind, body)
        if kind == "projects":
            obj["status"] = "successful"
        return 201, self._public(kind, obj)

    def _detail(self, kind: str, oid: int, method: str, body: Any) -> tuple[int, Any]:
        obj = self.objects[kind][oid]
        if method == "GET":
            return 200, self._public(kind, obj)
        if method != "PATCH":
            return 405, {"detail": f'Method "{method}" not allowed.'}
        error = self._check(kind, dict(obj, **body), oid)
        if error:
            return 400, error
        obj.update(body)
        return 200, self._public(kind, obj)

    def _check(self, kind: str, body: Any, oid: int | None) -> dict[str, Any] | None:
        if not isinstance(body, dict) or not body.get("name"):
            return {"name": ["This field is required."]}
        if any(o["name"] == body["name"] and o["id"] != oid for o in self.objects[kind].values()):
            return {"__all__": [f"{kind} with this Name already exists."]}
        refs = {
            "job_templates": {
                "inventory": "inventories",
                "project": "projects",
                "execution_environment": "execution_environments",
            },
            "credentials": {"credential_type": "credential_types", "organization": "organizations"},
            "inventory_sources": {"inventory": "inventories", "source_project": "projects"},
            "projects": {"organization": "organizations", "default_environment": "execution_environments"},
            "inventories": {"organization": "organizations"},
        }.get(kind, {})
        for key, target in refs.items():
            if key in body and body[key] not in self.objects[target]:
                return {key: [f'Invalid pk "{body[key]}" - object does not exist.']}
        if kind == "job_templates":
            if not body.get("playbook"):
                return {"playbook": ["This field is required."]}
            if not isinstance(body.get("extra_vars", ""), str):
                return {"extra_vars": ["Must be a string (JSON or YAML)."]}
        if kind == "credential_types" and body.get("kind") not in ("cloud", "net"):
            return {"kind": [f"Must be 'cloud' or 'net', not {body.get('kind')!r}"]}
        return None

    def _public(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(obj)
        if kind == "credentials":
            ctype = self.objects["credential_types"].get(obj.get("credential_type"), {})
            secret = {f["id"] for f in ctype.get("inputs", {}).get("fields", []) if f.get("secret")}
            out["inputs"] = {k: ("$encrypted$" if k in secret and v else v) for k, v in obj["inputs"].items()}
        return out

    def _survey(self, oid: int, method: str, body: Any) -> tuple[int, Any]:
        if method == "GET":
            return 200, copy.deepcopy(self.surveys.get(oid, {}))
        if method != "POST":
            return 405, {"detail": f'Method "{method}" not allowed.'}
        error = survey_spec_error(body)
        if error:
            return 400, {"error": error}
        self.surveys[oid] = copy.deepcopy(body)
        return 200, None

    def _credentials(self, oid: int, method: str, body: Any) -> tuple[int, Any]:
        attached = self.jt_credentials.setdefault(oid, [])
        if method == "GET":
            results = [self._public("credentials", self.objects["credentials"][c]) for c in attached]
            return 200, {"count": len(results), "next": None, "previous": None, "results": results}
        if (
            method != "POST"
            or not isinstance(body, dict)
            or body.get("id") not in self.objects["credentials"]
        ):
            return 400, {"msg": "bad association"}
        cid = body["id"]
        if body.get("disassociate"):
            if cid in attached:
                attached.remove(cid)
            return 204, None
        ctype = self.objects["credentials"][cid]["credential_type"]
        if any(self.objects["credentials"][c]["credential_type"] == ctype for c in attached):
            return 400, {"error": "Cannot assign multiple credentials of the same type."}
        attached.append(cid)
        return 204, None


def survey_spec_error(spec: Any) -> str | None:
    """The checks of AWX's JobTemplateSurveySpec._validate_spec_data; None when valid."""
    if not isinstance(spec, dict):
        return "survey spec must be a JSON object"
    for key, typ in (("name", str), ("description", str), ("spec", list)):
        if not isinstance(spec.get(key), typ):
            return f"Field '{key}' is missing from survey spec or has the wrong type."
    if not spec["spec"]:
        return "'spec' doesn't contain any items."
    seen = set()
    for idx, item in enumerate(spec["spec"]):
        if not isinstance(item, dict):
            return f"Survey question {idx} is not a json object."
        for key in ("type", "question_name", "variable", "required"):
            if key not in item:
                return f"'{key}' missing from survey question {idx}"
        if not isinstance(item["required"], bool):
            return f"'required' in survey question {idx} expected to be boolean."
        if item["variable"] in seen:
            return f"'variable' '{item['variable']}' duplicated in survey question {idx}."
        seen.add(item["variable"])
        if item["type"] not in SURVEY_TYPES:
            return f"'{item['type']}' in survey question {idx} is not an allowed question type."
        allowed = SURVEY_TYPES[item["type"]]
        if "default" in item and (
            not isinstance(item["default"], allowed) or isinstance(item["default"], bool)
        ):
            return (
                f"Default value {item['default']!r} in survey question {idx} expected to be {item['type']}."
            )
        for key in ("min", "max"):
            if item.get(key) is not None and (not isinstance(item[key], int) or isinstance(item[key], bool)):
                return f"The {key} limit in survey question {idx} expected to be integer."
        if item["type"] in ("multiplechoice", "multiselect") and "choices" not in item:
            return f"Survey question {idx} of type {item['type']} must specify choices."
    return None


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAwx

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            self._reply(400, {"detail": "JSON parse error"})
            return
        status, payload = self.fake.handle(self.command, self.path, body, self.headers.get("Authorization"))
        self._reply(status, payload)

    def _reply(self, status: int, payload: Any) -> None:
        data = b"" if payload is None or status == 204 else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base
        return


class FakeAwxServer:
    """Start with `with FakeAwxServer(token) as srv:`; srv.url is http://127.0.0.1:<free port>."""

    def __init__(self, token: str) -> None:
        self.fake = FakeAwx(token=token)
        self.fake.add("organizations", {"name": "Default"})
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeAwxServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
