# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Descriptors are data: the strict loader, the data checks, the extra-vars rules and the whole
hostile corpus (descriptors, topology files), each refused naming the field, in seconds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.documents import (
    MAX_ALIASES,
    DocumentError,
    data_problems,
    descriptor_from_text,
    extra_vars_problems,
    load_document,
    plain,
    read_extra_vars_source,
    topology_from_text,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import (
    DescriptorError,
    schema_problems,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.pce import PlanningError
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.schemas import SLICE_SCHEMA
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.topology import load_topology

from tests.hostile_inputs import IETF_TOP, ROOT, descriptor_cases, ietf_cases, topology_cases

# Generous for a loaded 2-core machine: the point is seconds, not the 8+ minutes an alias bomb took.
SECONDS = 10.0
CASES = descriptor_cases()


def _refusal(text, topology_document) -> str | None:
    """The message the collection gives for this file, or None if it would provision it."""
    try:
        document = descriptor_from_text(text, "slice_file x.yml")
        problems = schema_problems(document, SLICE_SCHEMA)
        if problems:
            raise DescriptorError(problems)
        plan_from_documents(document, topology_document)
    except (DescriptorError, PlanningError) as exc:
        return str(exc)
    return None


def test_corpus_is_large_enough():
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_descriptor_refused_naming_the_field(case, testbed_document):
    text = case.text.encode("latin-1") if case.name == "not-utf8" else case.text
    started = time.perf_counter()
    message = _refusal(text, testbed_document)
    elapsed = time.perf_counter() - started
    assert message is not None, f"{case.name} was accepted"
    assert case.named in message, message[:500]
    assert "Traceback" not in message
    assert elapsed < SECONDS, f"{case.name}: {elapsed:.1f} s"


def test_the_shipped_descriptors_still_load_and_plan(repo_root, testbed_document):
    for path in sorted((repo_root / "slices").glob("*.yml")):
        document = descriptor_from_text(path.read_bytes(), str(path))
        assert document == yaml.safe_load(path.read_text())
        assert plan_from_documents(document, testbed_document)["slice_id"] == document["slice"]["id"]


def test_a_small_alias_use_is_allowed():
    doc = load_document("a: &x {v: 1}\nb: *x\n")
    assert doc == {"a": {"v": 1}, "b": {"v": 1}}


def test_alias_budget_is_exact():
    anchors = "x: &x 1\n" + "".join(f"a{i}: *x\n" for i in range(MAX_ALIASES))
    assert len(load_document(anchors)) == MAX_ALIASES + 1
    with pytest.raises(DocumentError, match="YAML aliases"):
        load_document(anchors + "over: *x\n")


def test_dates_stay_text_and_json_loads():
    assert load_document("d: 2026-12-01\n") == {"d": "2026-12-01"}
    assert load_document('{"a": [1, 2.5, true, null]}') == {"a": [1, 2.5, True, None]}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"id": "{{ x }}"}, "slice.id: contains the template marker '{{'"),
        ({"a": ["ok", "{%x"]}, "slice.a[1]"),
        ({"a": "{#"}, "slice.a"),
        ({"{{k}}": 1}, "key '{{k}}'"),
        ({"a": float("nan")}, "slice.a: nan is not a finite number"),
        ({"a": [float("-inf")]}, "slice.a[0]: -inf is not a finite number"),
        ({"a": b"x"}, "slice.a: a bytes is not JSON data"),
        ({1: "x"}, "key 1 is not text"),
        ({"a": "x\x00y"}, "control character"),
    ],
)
def test_data_problems_name_the_field(value, fragment):
    problems = data_problems(value)
    assert any(fragment in p for p in problems), problems


def test_shared_references_count_against_the_budget():
    # What Ansible's own loader builds from an alias bomb: shared lists, tiny in memory.
    level = ["lol"] * 9
    for _depth in range(9):
        level = [level] * 9
    started = time.perf_counter()
    problems = data_problems({"description": level})
    assert time.perf_counter() - started < 1.0
    assert problems and "more than" in problems[-1]


def test_plain_copies_drop_subclasses():
    class Tagged(str):
        pass

    copied = plain({Tagged("k"): [Tagged("v"), 1, 2.5, True, None]})
    assert copied == {"k": ["v", 1, 2.5, True, None]}
    assert next(iter(copied)).__class__ is str and copied["k"][0].__class__ is str


def test_descriptor_file_holds_only_slice():
    with pytest.raises(DocumentError, match="'topology'"):
        descriptor_from_text("slice: {id: a, connections: []}\ntopology: {}\n", "f")


def test_extra_vars_rules():
    base = {"slice": {"id": "a"}}
    assert extra_vars_problems([("-e @f", "file", base)]) == []
    assert extra_vars_problems([("-e x", "kv", {"slice_provision_confirm_timeout": "5"})]) == []
    # inline JSON may combine the descriptor with operator settings (the operator typed it)
    assert extra_vars_problems([("-e {..}", "inline", {**base, "slice_provision_lock_timeout": 5})]) == []
    (problem,) = extra_vars_problems([("-e @f", "file", {**base, "slice_provision_lock_timeout": 5})])
    assert "one top-level key" in problem and "slice_provision_lock_timeout" in problem
    for name in (
        "topology",
        "slice_provision_topology",
        "slice_provision_registry_path",
        "slice_provision_descriptor",
    ):
        (problem,) = extra_vars_problems([("-e x", "kv", {name: "1"})])
        assert repr(name) in problem
    (problem,) = extra_vars_problems([("-e {..}", "inline", {"slice": {"id": "{{ 1 }}"}})])
    assert "slice.id" in problem and "template marker" in problem


def test_extra_vars_outside_the_documented_interface_are_refused():
    for name in ("ansible_host", "ansible_connection", "ansible_python_interpreter", "ansible_become", "x"):
        (problem,) = extra_vars_problems([("-e @settings.yml", "file", {name: "v"})])
        assert "-e @settings.yml" in problem and repr(name) in problem and "not an extra var" in problem
    (problem,) = extra_vars_problems([("-e a=b", "kv", {"slice_state": "absent", "debug_me": "1"})])
    assert "'debug_me'" in problem and "slice_state" not in problem
    # a site's wrapper playbook may name its own
    assert extra_vars_problems([("-e x", "kv", {"site_ticket": "CHG-1"})], allowed=["site_ticket"]) == []


def test_an_awx_job_s_extra_vars_pass():
    """What AWX passes in its extravars file: template settings, survey answers, job metadata and the
    NETCONF credential's injected variables."""
    job = {
        "qsafe_survey_connections": ["control", "uplink"],
        "qsafe_survey_base": "slices/enterprise_app.yml",
        "slice_state": "present",
        "slice_id": "ent-1",
        "slice_description": "",
        "compute_site_role": "metro",
        "compute_vcpu": 8,
        "compute_memory_gb": 16.0,
        "control_from": "cell-1",
        "uplink_max_latency_ms": 5.0,
        "awx_job_id": 7,
        "tower_job_id": 7,
        "awx_job_template_name": "t",
        "ansible_user": "netconf",
        "ansible_ssh_private_key_file": "/runner/env/key",
        "qsafe_netconf_known_hosts": "/runner/env/known_hosts",
    }
    assert extra_vars_problems([("-e @env/extravars", "file", job)]) == []
    # survey answers exist only for the connections the job names
    (problem,) = extra_vars_problems([("-e @env/extravars", "file", {**job, "backhaul_from": "metro-1"})])
    assert "'backhaul_from'" in problem
    # and every value is data
    (problem,) = extra_vars_problems([("-e @env/extravars", "file", {**job, "ansible_user": "{{ 1 }}"})])
    assert "ansible_user" in problem and "template marker" in problem


def test_an_ietf_request_file_in_extra_vars_holds_only_the_request():
    request = {IETF_TOP: {"slice-service": []}}
    assert extra_vars_problems([("-e @r.json", "file", request)]) == []
    (problem,) = extra_vars_problems([("-e @r.json", "file", {**request, "slice_state": "present"})])
    assert "IETF slice request file holds one top-level key" in problem
    (problem,) = extra_vars_problems([("-e @r.json", "file", {IETF_TOP: {"x": "{{ 1 }}"}})])
    assert f"{IETF_TOP}.x" in problem and "template marker" in problem


IETF_CASES = ietf_cases()


@pytest.mark.parametrize("case", IETF_CASES, ids=[c.name for c in IETF_CASES])
def test_hostile_ietf_request_refused_naming_the_path(case, testbed_document):
    started = time.perf_counter()
    message = _refusal(case.text, testbed_document)
    assert message is not None, f"{case.name} was accepted"
    assert case.named in message, message[:500]
    assert time.perf_counter() - started < SECONDS


def test_the_shipped_ietf_requests_load_and_plan(repo_root, testbed_document):
    for path in sorted((repo_root / "slices" / "ietf").glob("*.json")):
        document = descriptor_from_text(path.read_bytes(), f"slice_file {path.name}")
        assert schema_problems(document, SLICE_SCHEMA) == []
        assert plan_from_documents(document, testbed_document)["connections"]


def test_read_extra_vars_source_kinds(tmp_path):
    path = tmp_path / "d.yml"
    path.write_text("slice: {id: a}\n")

    def read(name):
        return Path(name).read_bytes()

    def kv(text):
        return dict(part.split("=", 1) for part in text.split())

    assert read_extra_vars_source(f"@{path}", read, kv) == (f"-e @{path}", "file", {"slice": {"id": "a"}})
    assert read_extra_vars_source('{"a": 1}', read, kv)[1:] == ("inline", {"a": 1})
    assert read_extra_vars_source("a=1 b=2", read, kv)[1:] == ("kv", {"a": "1", "b": "2"})
    with pytest.raises(DocumentError, match="cannot read"):
        read_extra_vars_source(f"@{tmp_path}/missing.yml", read, kv)
    path.write_text("slice: {id: a}\nslice: {id: b}\n")
    with pytest.raises(DocumentError, match="duplicate key 'slice'"):
        read_extra_vars_source(f"@{path}", read, kv)


TOPOLOGY_CASES = topology_cases()


@pytest.mark.parametrize(("name", "text", "named"), TOPOLOGY_CASES, ids=[c[0] for c in TOPOLOGY_CASES])
def test_hostile_topology_refused_naming_the_field(name, text, named):
    started = time.perf_counter()
    with pytest.raises((DescriptorError, DocumentError)) as err:
        load_topology(topology_from_text(text, "topology.yml"))
    assert named in str(err.value), str(err.value)[:500]
    assert time.perf_counter() - started < SECONDS


def test_the_testbed_topology_loads_strictly(repo_root):
    path = repo_root / "inventories/testbed/group_vars/all/topology.yml"
    document = topology_from_text(path.read_bytes(), str(path))
    assert len(load_topology(document).links) > 0


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("bandwidth_mbps", float("nan"), "nan is not a finite number"),
        ("bandwidth_mbps", float("inf"), "inf is not a finite number"),
        ("bandwidth_mbps", 10**400, "must be at most"),
        ("max_latency_ms", float("-inf"), "-inf is not a finite number"),
        ("name", "uplink\n", "is not a valid name"),
    ],
)
def test_the_schema_itself_refuses_non_finite_out_of_range_and_newlines(field, value, fragment):
    document = yaml.safe_load((ROOT / "slices" / "enterprise_app.yml").read_text())
    document["slice"]["connections"][1][field] = value
    problems = schema_problems(document, SLICE_SCHEMA)
    assert any(p.startswith(f"slice.connections[1].{field}: ") and fragment in p for p in problems), problems
