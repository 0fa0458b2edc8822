# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile inputs: slice descriptors, AWX survey answers and topology files that must be refused.

One table per input kind. Every descriptor case is the text of a file (what an outsider hands
the operator) and the fragment the refusal must name (the field, or the limit for size/alias
cases). The unit tests run the whole table through the strict loader and the planner; the
provisioning tests run it through playbooks/provision_slice.yml as `slice_file=` and `-e @file`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PWNED = "@PWNED@"  # replaced by a per-test path: a file that must never be created


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    named: str  # a fragment the refusal names
    # Whether ansible-playbook itself may refuse the file while loading `-e @file` (YAML it
    # cannot read), before the collection's first task: any clean refusal then counts.
    ansible_may_refuse_first: bool = False


def _base() -> dict:
    return yaml.safe_load((ROOT / "slices" / "enterprise_app.yml").read_text())


def _dump(doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000)


def _slice(name, named, /, **changes) -> Case:
    doc = _base()
    for key, value in changes.items():
        if value is _DELETE:
            doc["slice"].pop(key)
        else:
            doc["slice"][key] = value
    return Case(name, _dump(doc), named)


def _conn(name, named, /, index=1, **changes) -> Case:
    doc = _base()
    for key, value in changes.items():
        if value is _DELETE:
            doc["slice"]["connections"][index].pop(key)
        else:
            doc["slice"]["connections"][index][key] = value
    return Case(name, _dump(doc), named)


def _compute(name, named, /, **changes) -> Case:
    doc = _base()
    for key, value in changes.items():
        if value is _DELETE:
            doc["slice"]["compute"].pop(key)
        else:
            doc["slice"]["compute"][key] = value
    return Case(name, _dump(doc), named)


def _top(name, named, /, **extra) -> Case:
    doc = _base()
    doc.update(extra)
    return Case(name, _dump(doc), named)


def _raw(name, named, text, ansible_may_refuse_first=False) -> Case:
    return Case(name, text, named, ansible_may_refuse_first)


_DELETE = object()
C1 = "slice.connections[1]"
HUGE_INT = 10**400


def _alias_bomb(where: str) -> str:
    lines = ["lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    anchors = "\n".join("  " + line for line in lines)
    body = _dump(_base())
    if where == "description":
        return body.replace("slice:\n", f"slice:\n{anchors}\n  description: *a9\n", 1)
    return body + "\n".join(lines) + "\n"


def _connections(n: int) -> str:
    doc = _base()
    doc["slice"]["connections"] = [
        {
            "name": f"c{i}",
            "from": "cell-1",
            "to": "core-1",
            "security": "none",
            "bandwidth_mbps": 1,
            "max_latency_ms": 10,
        }
        for i in range(n)
    ]
    return json.dumps(doc, separators=(",", ":"))


def descriptor_cases() -> list[Case]:
    pwned = f"{{{{ lookup('ansible.builtin.pipe', 'touch {PWNED}') }}}}"
    cases = [
        # ---- wrong types
        _slice("id-int", "slice.id", id=42),
        _slice("id-list", "slice.id", id=["a"]),
        _slice("id-mapping", "slice.id", id={"a": 1}),
        _slice("id-null", "slice.id", id=None),
        _slice("id-bool", "slice.id", id=True),
        _slice("connections-string", "slice.connections", connections="control"),
        _slice("connections-mapping", "slice.connections", connections={"name": "x"}),
        _slice("connections-empty", "slice.connections", connections=[]),
        _slice("connection-not-mapping", "slice.connections[0]", connections=["control"]),
        _slice("description-int", "slice.description", description=42),
        _conn("bandwidth-string", f"{C1}.bandwidth_mbps", bandwidth_mbps="100"),
        _conn("bandwidth-bool", f"{C1}.bandwidth_mbps", bandwidth_mbps=True),
        _conn("bandwidth-list", f"{C1}.bandwidth_mbps", bandwidth_mbps=[1]),
        _conn("latency-null", f"{C1}.max_latency_ms", max_latency_ms=None),
        _conn("security-int", f"{C1}.security", security=3),
        _conn("name-int", f"{C1}.name", name=7),
        _conn("from-list", f"{C1}.from", **{"from": ["cell-1"]}),
        _slice("compute-string", "slice.compute", compute="metro"),
        _compute("vcpu-float", "slice.compute.vcpu", vcpu=8.5),
        _compute("vcpu-string", "slice.compute.vcpu", vcpu="8"),
        _compute("memory-string", "slice.compute.memory_gb", memory_gb="16"),
        # ---- missing fields
        _slice("missing-id", "'id'", id=_DELETE),
        _slice("missing-connections", "'connections'", connections=_DELETE),
        _conn("missing-name", "'name'", name=_DELETE),
        _conn("missing-from", "'from'", **{"from": _DELETE}),
        _conn("missing-to", "'to'", to=_DELETE),
        _conn("missing-security", "'security'", security=_DELETE),
        _conn("missing-bandwidth", "'bandwidth_mbps'", bandwidth_mbps=_DELETE),
        _conn("missing-latency", "'max_latency_ms'", max_latency_ms=_DELETE),
        _compute("missing-vcpu", "'vcpu'", vcpu=_DELETE),
        _compute("missing-memory", "'memory_gb'", memory_gb=_DELETE),
        _compute("compute-site-and-role", "slice.compute", site="metro-1"),
        _compute("compute-neither-site-nor-role", "slice.compute", site_role=_DELETE),
        _slice("compute-endpoint-without-compute", "needs a slice.compute block", compute=_DELETE),
        # ---- unknown fields
        _slice("unknown-slice-field", "'owner'", owner="mallory"),
        _conn("unknown-connection-field", "'priority'", priority=1),
        _compute("unknown-compute-field", "'gpu'", gpu=4),
        _slice("unknown-field-jinja-name", "template marker", **{"{{ 7*7 }}": 1}),
        # ---- unknown sites and impossible requests
        _conn("unknown-from-site", "cell-9", **{"from": "cell-9"}),
        _conn("unknown-to-site", "core-9", to="core-9"),
        _compute("unknown-compute-site", "nowhere-1", site="nowhere-1", site_role=_DELETE),
        _compute("compute-site-without-compute", "hosts no compute", site="cell-1", site_role=_DELETE),
        _compute("compute-role-misspelt", "slice.compute.site_role", site_role="edge"),
        _conn("from-equals-to", "same endpoint", **{"from": "compute", "to": "compute"}),
        _conn("infeasible-bandwidth", "connection uplink", bandwidth_mbps=50_000),
        _conn("infeasible-latency", "connection uplink", max_latency_ms=0.0001),
        # ---- numbers: zero, negative, huge, not finite
        _conn("bandwidth-zero", f"{C1}.bandwidth_mbps", bandwidth_mbps=0),
        _conn("bandwidth-negative", f"{C1}.bandwidth_mbps", bandwidth_mbps=-5),
        _conn("bandwidth-huge", f"{C1}.bandwidth_mbps", bandwidth_mbps=1e12),
        _conn("bandwidth-nan", f"{C1}.bandwidth_mbps", bandwidth_mbps=float("nan")),
        _conn("bandwidth-inf", f"{C1}.bandwidth_mbps", bandwidth_mbps=float("inf")),
        _conn("bandwidth-minus-inf", f"{C1}.bandwidth_mbps", bandwidth_mbps=float("-inf")),
        _conn("bandwidth-10e400-int", f"{C1}.bandwidth_mbps", bandwidth_mbps=HUGE_INT),
        _raw(
            "bandwidth-1e400-float",
            f"{C1}.bandwidth_mbps",
            _dump(_base()).replace("bandwidth_mbps: 1000", "bandwidth_mbps: 1.0e+400", 1),
        ),
        _raw(
            "bandwidth-1e400-json",
            "slice.connections[0].bandwidth_mbps",
            json.dumps(_base()).replace('"bandwidth_mbps": 100', '"bandwidth_mbps": 1e400', 1),
        ),
        _conn("latency-zero", f"{C1}.max_latency_ms", max_latency_ms=0),
        _conn("latency-negative", f"{C1}.max_latency_ms", max_latency_ms=-1),
        _conn("latency-nan", f"{C1}.max_latency_ms", max_latency_ms=float("nan")),
        _conn("latency-huge", f"{C1}.max_latency_ms", max_latency_ms=1e300),
        _compute("vcpu-zero", "slice.compute.vcpu", vcpu=0),
        _compute("vcpu-negative", "slice.compute.vcpu", vcpu=-1),
        _compute("vcpu-huge", "slice.compute.vcpu", vcpu=10**30),
        _compute("memory-zero", "slice.compute.memory_gb", memory_gb=0),
        _compute("memory-nan", "slice.compute.memory_gb", memory_gb=float("nan")),
        _compute("memory-inf", "slice.compute.memory_gb", memory_gb=float("inf")),
        # ---- ids and names: non-ASCII, long, metacharacters
        _slice("id-non-ascii", "slice.id", id="ënterprise-app"),
        _slice("id-cjk", "slice.id", id="切片-1"),
        _slice("id-rtl-override", "slice.id", id="app\u202e1"),
        _slice("id-emoji", "slice.id", id="slice-🔥"),
        _slice("id-10kB", "slice.id", id="a" * 10_240),
        _slice("id-64-chars", "slice.id", id="a" * 64),
        _slice("id-empty", "slice.id", id=""),
        _slice("id-leading-dash", "slice.id", id="-rf"),
        _slice("id-trailing-newline", "slice.id", id="enterprise-app-1\n"),
        _slice("id-leading-space", "slice.id", id=" enterprise-app-1"),
        _slice("id-nul", "slice.id", id="app\x001"),
        _slice("id-shell-semicolon", "slice.id", id="x; rm -rf /"),
        _slice("id-shell-subst", "slice.id", id="$(touch /tmp/qsafe-pwned)"),
        _slice("id-shell-backticks", "slice.id", id="`id`"),
        _slice("id-shell-pipe", "slice.id", id="a|b"),
        _slice("id-xml", "slice.id", id="<id>&amp;</id>"),
        _slice("id-xml-cdata", "slice.id", id="]]><x/><![CDATA["),
        _slice("id-sql", "slice.id", id="x'; DROP TABLE slices;--"),
        _slice("id-sql-or", "slice.id", id="' OR '1'='1"),
        _slice("id-jinja-expression", "slice.id", id="{{ 7*7 }}"),
        _slice("id-jinja-statement", "slice.id", id="{% raw %}x{% endraw %}"),
        _slice("id-jinja-comment", "slice.id", id="{# x #}"),
        _slice("id-path-traversal", "slice.id", id="../../etc/passwd"),
        _conn("connection-name-shell", f"{C1}.name", name="up;link"),
        _conn("connection-name-xml", f"{C1}.name", name="<uplink/>"),
        _conn("connection-name-jinja", f"{C1}.name", name="{{ uplink }}"),
        _conn("from-jinja", f"{C1}.from", **{"from": "{{ 'cell-1' }}"}),
        # ---- descriptions that try to run code
        _slice("description-pipe-lookup", "slice.description", description=pwned),
        _slice(
            "description-jinja-block",
            "slice.description",
            description=f"{{% for x in [1] %}}{pwned}{{% endfor %}}",
        ),
        _slice("description-jinja-comment", "slice.description", description="{# hidden #}"),
        _slice("description-10kB", "slice.description", description="d" * 10_240),
        _slice("description-escape-sequence", "slice.description", description="ok\x1b[2Jcleared"),
        # ---- levels
        _conn("security-unknown", f"{C1}.security", security="quantum"),
        _conn("security-uppercase", f"{C1}.security", security="QKD"),
        _conn("security-misspelt", f"{C1}.security", security="qrа"),  # Cyrillic a
        _conn("security-trailing-space", f"{C1}.security", security="qkd "),
        _conn("security-doubled", f"{C1}.security", security="dhh"),
        _conn("security-hybrid-typo", f"{C1}.security", security="hybird"),
        # ---- duplicates
        _raw(
            "duplicate-connection-names",
            "duplicate connection name",
            _dump(_base()).replace("name: uplink", "name: control", 1),
        ),
        _raw("duplicate-key-slice", "duplicate key 'slice'", _dump(_base()) + "slice: {id: other}\n"),
        _raw(
            "duplicate-key-id",
            "duplicate key 'id'",
            _dump(_base()).replace("  id: enterprise-app-1\n", "  id: enterprise-app-1\n  id: other\n", 1),
        ),
        _raw(
            "duplicate-key-security",
            "duplicate key 'security'",
            _dump(_base()).replace("security: qra\n", "security: qra\n    security: none\n", 1),
        ),
        # ---- YAML features that are not data
        _raw("alias-bomb-description", "YAML aliases", _alias_bomb("description")),
        _raw("alias-bomb-top-level", "YAML aliases", _alias_bomb("top")),
        _raw(
            "alias-expansion-over-budget",
            "alias expansion budget",
            _dump(_base()).replace(
                "slice:\n",
                "slice:\n  x0: &b0 ["
                + ", ".join(["0"] * 400)
                + "]\n"
                + "".join(f"  x{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 5)}]\n" for i in range(1, 6)),
                1,
            ),
        ),
        _raw("recursive-alias", "recursive YAML alias", "slice: &s\n  id: x\n  self: *s\n"),
        _raw(
            "merge-key",
            "merge keys",
            _dump(_base()).replace("slice:\n", "defaults: &d {security: none}\nslice:\n  <<: *d\n", 1),
        ),
        _raw("two-documents", "YAML", _dump(_base()) + "---\n" + _dump(_base()), True),
        _raw("python-object-tag", "YAML", "slice: !!python/object/apply:os.system ['true']\n", True),
        _raw(
            "binary-tag", "slice.id", _dump(_base()).replace("id: enterprise-app-1", "id: !!binary aGk=", 1)
        ),
        _raw("syntax-error", "YAML", "slice: {id: [unclosed\n", True),
        _raw("empty-document", "empty", "", True),
        _raw("top-level-list", "one top-level key", "- slice: {id: x}\n", True),
        _raw("top-level-string", "one top-level key", "just text\n", True),
        _raw("not-utf8", "UTF-8", "slice:\n  id: caf\xe9\n".encode("latin-1").decode("latin-1"), True),
        _raw("deep-nesting", "nested deeper", "slice: " + "[" * 60 + "]" * 60 + "\n"),
        _raw("over-size-limit", "byte limit", _dump(_base()) + "# " + "x" * 300_000 + "\n"),
        _raw("10k-connections", "byte limit", _connections(10_000)),
        _raw("1001-connections", "slice.connections", _connections(1001)),
        # ---- extra top-level keys: a descriptor is not configuration
        _top("extra-topology", "'topology'", topology={"sites": [], "links": []}),
        _top(
            "extra-registry-path", "'slice_provision_registry_path'", slice_provision_registry_path="/tmp/x"
        ),
        _top(
            "extra-registry-dsn", "'slice_provision_registry_dsn'", slice_provision_registry_dsn="host=evil"
        ),
        _top("extra-provision-topology", "'slice_provision_topology'", slice_provision_topology={}),
        _top("extra-ansible-var", "'ansible_python_interpreter'", ansible_python_interpreter="/bin/sh"),
        _top("extra-confirm-timeout", "'slice_provision_confirm_timeout'", slice_provision_confirm_timeout=1),
        _top("extra-descriptor-var", "'slice_provision_descriptor'", slice_provision_descriptor={}),
        _raw("inner-mapping-only", "one top-level key", _dump(_base()["slice"])),
    ]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return cases


def write_case(case: Case, directory: Path, pwned: Path) -> Path:
    path = directory / f"{case.name}.yml"
    text = case.text.replace(PWNED, str(pwned))
    if case.name == "not-utf8":
        path.write_bytes(text.encode("latin-1"))
    else:
        path.write_text(text, encoding="utf-8")
    return path


# A small sample for `make test` (the slow test runs them all): one per kind of refusal.
SAMPLE = (
    "unknown-from-site",
    "bandwidth-nan",
    "id-10kB",
    "id-trailing-newline",
    "description-pipe-lookup",
    "duplicate-key-id",
    "alias-bomb-description",
    "extra-topology",
)


# ---------------------------------------------------------------- AWX survey answers
ENTERPRISE_CONNECTIONS = ["control", "uplink", "backhaul"]


def survey_cases() -> list[tuple[str, dict, str]]:
    """(name, answers over the enterprise template's answers, fragment the refusal names)."""
    pwned = f"{{{{ lookup('ansible.builtin.pipe', 'touch {PWNED}') }}}}"
    return [
        ("id-jinja", {"slice_id": "{{ 7*7 }}"}, "slice_id"),
        ("description-pipe-lookup", {"slice_description": pwned}, "slice_description"),
        ("site-jinja", {"control_from": "{% raw %}cell-1{% endraw %}"}, "control_from"),
        ("id-trailing-newline", {"slice_id": "ent\n-1"}, "slice_id"),
        ("id-10kB", {"slice_id": "a" * 10_240}, "slice_id"),
        ("id-non-ascii", {"slice_id": "ënterprise"}, "slice_id"),
        ("id-sql", {"slice_id": "x'; DROP TABLE slices;--"}, "slice_id"),
        ("id-xml", {"slice_id": "<id/>"}, "slice_id"),
        ("id-shell", {"slice_id": "$(reboot)"}, "slice_id"),
        ("bandwidth-nan-text", {"uplink_bandwidth_mbps": "nan"}, "uplink_bandwidth_mbps"),
        ("bandwidth-inf-text", {"uplink_bandwidth_mbps": "inf"}, "uplink_bandwidth_mbps"),
        ("bandwidth-1e400-text", {"uplink_bandwidth_mbps": "1e400"}, "uplink_bandwidth_mbps"),
        ("bandwidth-nan-float", {"uplink_bandwidth_mbps": float("nan")}, "uplink_bandwidth_mbps"),
        ("bandwidth-inf-float", {"uplink_bandwidth_mbps": float("inf")}, "uplink_bandwidth_mbps"),
        ("bandwidth-huge-int", {"uplink_bandwidth_mbps": 10**400}, "uplink_bandwidth_mbps"),
        ("bandwidth-huge-text", {"uplink_bandwidth_mbps": "9" * 5000}, "uplink_bandwidth_mbps"),
        ("bandwidth-zero", {"uplink_bandwidth_mbps": 0}, "uplink_bandwidth_mbps"),
        ("bandwidth-negative", {"uplink_bandwidth_mbps": "-5"}, "uplink_bandwidth_mbps"),
        ("bandwidth-bool", {"uplink_bandwidth_mbps": True}, "uplink_bandwidth_mbps"),
        ("bandwidth-underscore", {"uplink_bandwidth_mbps": "1_000"}, "uplink_bandwidth_mbps"),
        ("bandwidth-list", {"uplink_bandwidth_mbps": [1]}, "uplink_bandwidth_mbps"),
        ("vcpu-fraction", {"compute_vcpu": "8.5"}, "compute_vcpu"),
        ("vcpu-huge", {"compute_vcpu": "9" * 30}, "compute_vcpu"),
        ("memory-nan", {"compute_memory_gb": "NaN"}, "compute_memory_gb"),
        ("security-misspelt", {"backhaul_security": "QKD"}, "backhaul_security"),
        ("security-mapping", {"backhaul_security": {"level": "qkd"}}, "backhaul_security"),
        ("role-misspelt", {"compute_site_role": "edge"}, "compute_site_role"),
        ("id-control-char", {"slice_id": "a\x1bb"}, "slice_id"),
    ]


# ---------------------------------------------------------------- topology files
def _topology() -> dict:
    return yaml.safe_load((ROOT / "inventories/testbed/group_vars/all/topology.yml").read_text())


def topology_cases() -> list[tuple[str, str, str]]:
    """(name, topology file text, fragment the refusal names)."""

    def changed(fn) -> str:
        doc = copy.deepcopy(_topology())
        fn(doc["topology"])
        return _dump(doc)

    def site(key, value):
        return lambda t: t["sites"][0].__setitem__(key, value)

    def link(key, value):
        return lambda t: t["links"][0].__setitem__(key, value)

    base = _dump(_topology())
    bomb = base.replace(
        "topology:\n",
        "topology:\n  x0: &t0 ["
        + ", ".join(["0"] * 9)
        + "]\n"
        + "".join(f"  x{i}: &t{i} [{', '.join([f'*t{i - 1}'] * 9)}]\n" for i in range(1, 10)),
        1,
    )
    return [
        ("site-name-jinja", changed(site("name", "{{ 7*7 }}")), "topology.sites[0].name"),
        (
            "site-switch-pipe-lookup",
            changed(site("switch", "{{ lookup('pipe', 'id') }}")),
            "topology.sites[0].switch",
        ),
        ("link-name-trailing-newline", changed(link("name", "l1\n")), "topology.links[0].name"),
        (
            "link-capacity-nan",
            changed(link("capacity_mbps", float("nan"))),
            "topology.links[0].capacity_mbps",
        ),
        (
            "link-capacity-inf",
            changed(link("capacity_mbps", float("inf"))),
            "topology.links[0].capacity_mbps",
        ),
        ("link-capacity-huge", changed(link("capacity_mbps", 10**400)), "topology.links[0].capacity_mbps"),
        ("link-capacity-zero", changed(link("capacity_mbps", 0)), "topology.links[0].capacity_mbps"),
        ("link-latency-negative", changed(link("latency_ms", -1)), "topology.links[0].latency_ms"),
        ("link-latency-nan", changed(link("latency_ms", float("nan"))), "topology.links[0].latency_ms"),
        ("link-security-misspelt", changed(link("security", "QKD")), "topology.links[0].security"),
        ("link-unknown-site", changed(link("a", "nowhere")), "topology.links[0].a"),
        ("site-role-misspelt", changed(site("role", "edge")), "topology.sites[0].role"),
        (
            "site-vcpu-string",
            changed(site("compute", {"vcpu": "8", "memory_gb": 1})),
            "topology.sites[0].compute.vcpu",
        ),
        ("site-memory-nan", changed(site("compute", {"vcpu": 8, "memory_gb": float("nan")})), "memory_gb"),
        (
            "duplicate-site-name",
            changed(lambda t: t["sites"].append(dict(t["sites"][0]))),
            "duplicate site name",
        ),
        (
            "duplicate-key",
            base.replace("  name: bt-idq-testbed\n", "  name: bt-idq-testbed\n  name: x\n", 1),
            "duplicate key 'name'",
        ),
        ("alias-bomb", bomb, "YAML aliases"),
        ("recursive-alias", "topology: &t\n  sites: []\n  links: []\n  self: *t\n", "recursive YAML alias"),
        ("merge-key", base.replace("topology:\n", "d: &d {x: 1}\ntopology:\n  <<: *d\n", 1), "merge keys"),
        ("over-size-limit", base + "# " + "x" * (9 * 1024 * 1024) + "\n", "byte limit"),
        ("no-topology-key", "sites: []\n", "'topology'"),
        ("python-tag", "topology: !!python/object/apply:os.system ['true']\n", "YAML"),
    ]


# ---------------------------------------------------------------- IETF Network Slice Service requests
IETF_TOP = "ietf-network-slice-service:network-slice-services"
IETF_SERVICE = f"{IETF_TOP}.slice-service[0]"


def _ietf() -> dict:
    return json.loads((ROOT / "slices" / "ietf" / "enterprise_app.json").read_text())


def _ietf_changed(fn) -> str:
    doc = _ietf()
    fn(doc[IETF_TOP]["slice-service"][0])
    return json.dumps(doc, indent=1)


def ietf_cases() -> list[Case]:
    """IETF requests that must be refused, as slice_file= and as -e @file (same strict loader)."""
    pwned = f"{{{{ lookup('ansible.builtin.pipe', 'touch {PWNED}') }}}}"
    text = json.dumps(_ietf(), indent=1)
    # YAML is a superset of JSON: an IETF request file can carry anchors and aliases.
    bomb_anchors = "".join(
        f"  lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
        for i in range(10)
    )
    service = _ietf()[IETF_TOP]["slice-service"][0]
    bomb = yaml.safe_dump(
        {IETF_TOP: {"slice-service": [{**service, "description": "@BOMB@"}]}}, sort_keys=False, width=10_000
    )
    bomb = bomb.replace(f"{IETF_TOP}:\n", f"{IETF_TOP}:\n{bomb_anchors}", 1).replace("'@BOMB@'", "*a9")

    def group(index, key, value):
        def change(s):
            s["connection-groups"]["connection-group"][index][key] = value

        return change

    def bound(value):
        def change(s):
            s["connection-groups"]["connection-group"][1]["service-slo-sle-policy"]["slo-policy"][
                "metric-bound"
            ][0]["bound"] = value

        return change

    return [
        Case(
            "ietf-description-pipe-lookup", _ietf_changed(lambda s: s.update(description=pwned)), "template"
        ),
        Case("ietf-id-jinja", _ietf_changed(lambda s: s.update(id="{{ 7*7 }}")), f"{IETF_SERVICE}.id"),
        # a node the conversion never reads is still data, never a template
        Case(
            "ietf-ignored-node-jinja",
            _ietf_changed(group(0, "service-tags", {"tag-type": pwned})),
            "service-tags",
        ),
        Case("ietf-key-jinja", _ietf_changed(group(0, "{{ 7*7 }}", 1)), "template marker"),
        Case(
            "ietf-duplicate-key",
            text.replace('"id": "enterprise-app-1",', '"id": "enterprise-app-1", "id": "other",', 1),
            "duplicate key 'id'",
        ),
        Case("ietf-alias-bomb", bomb, "YAML aliases"),
        Case("ietf-over-size-limit", text[:-2] + ', "pad": "' + "x" * 300_000 + '"}\n', "byte limit"),
        Case("ietf-bound-nan", _ietf_changed(bound("NaN")), "bound: must be a finite number"),
        Case("ietf-bound-1e400", _ietf_changed(bound("1e400")), "bound: must be a finite number"),
        Case(
            "ietf-sdp-list",
            _ietf_changed(
                group(
                    0,
                    "connectivity-construct",
                    [{"id": "c", "p2p-sender-sdp": ["cell-1"], "p2p-receiver-sdp": "core-1"}],
                )
            ),
            "p2p-sender-sdp",
        ),
        Case(
            "ietf-security-unknown",
            _ietf_changed(group(1, "qsafe-network-slice-security:minimum-security-level", "quantum")),
            "slice.connections[1].security",
        ),
        Case(
            "ietf-extra-top-level-topology",
            text[:-2] + ', "topology": {"sites": [], "links": []}}\n',
            "'topology'",
        ),
        Case(
            "ietf-two-services", json.dumps({IETF_TOP: {"slice-service": [service, service]}}), "exactly one"
        ),
    ]


IETF_SAMPLE = (
    "ietf-description-pipe-lookup",
    "ietf-duplicate-key",
    "ietf-alias-bomb",
    "ietf-over-size-limit",
)
