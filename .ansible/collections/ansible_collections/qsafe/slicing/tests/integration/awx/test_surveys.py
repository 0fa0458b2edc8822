# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every job template survey, checked against AWX's survey rules and the real slice JSON Schema.

For each survey: the descriptor built from its defaults, from every min and max, from every
choice and from the longest allowed text must validate against schemas/slice.schema.json, and
every question must map to a descriptor field. The negative tests prove these checks fail when
a survey drifts from the schema (a choice outside the enum, a minimum the schema refuses).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
import yaml

from tests.integration.awx.conftest import ROOT
from tests.integration.awx.fake_awx import survey_spec_error

SCHEMA = json.loads((ROOT / "schemas" / "slice.schema.json").read_text())
# Survey variables that are not descriptor fields (consumed by the playbook itself).
PLAYBOOK_VARIABLES = {"slice_state"}
# Templates without qsafe_survey_connections ask only for slice_id; check it as a slice id.
ID_ONLY_CONNECTIONS = ["control", "uplink", "backhaul"]
ID_ONLY_BASE = "slices/enterprise_app.yml"
SAMPLE_TEXT = {"slice_id": "slice-1"}


def _base(template: dict[str, Any]) -> dict[str, Any]:
    path = template["extra_vars"].get("qsafe_survey_base", ID_ONLY_BASE) if "extra_vars" in template else ""
    if "qsafe_survey_connections" not in template.get("extra_vars", {}):
        path = ID_ONLY_BASE
    return yaml.safe_load((ROOT / path).read_text()) if path else {}


def _connections(template: dict[str, Any]) -> list[str]:
    return template.get("extra_vars", {}).get("qsafe_survey_connections", ID_ONLY_CONNECTIONS)


def default_answers(template: dict[str, Any]) -> dict[str, Any]:
    answers = {}
    for q in template["survey_spec"]["spec"]:
        value = q.get("default", "")
        if q["required"] and value == "":
            value = SAMPLE_TEXT[q["variable"]]
        answers[q["variable"]] = value
    return answers


def boundary_answers(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label, answers): defaults with one question set to one of its extreme answers."""
    base = default_answers(template)
    cases = []
    for q in template["survey_spec"]["spec"]:
        values: list[Any] = []
        if q["type"] in ("integer", "float"):
            values = [q["min"], q["max"]]
            if q["type"] == "float":
                values += [float(q["min"]), float(q["max"])]
        elif q["type"] == "multiplechoice":
            values = list(q["choices"])
        elif q["type"] == "text":
            values = ["a" * q["max"]]
            if q.get("min"):
                values.append("a" * q["min"])
        for value in values:
            cases.append((f"{q['variable']}={value!r}", dict(base, **{q["variable"]: value})))
    return cases


def survey_problems(template: dict[str, Any], survey_filter: Any) -> list[str]:
    """Everything wrong with one template's survey (empty list = good)."""
    problems = []
    error = survey_spec_error(template["survey_spec"])
    if error:
        problems.append(f"AWX would refuse the survey: {error}")
    connections = _connections(template)
    known = set(survey_filter.survey_variables(connections)) | PLAYBOOK_VARIABLES
    for q in template["survey_spec"]["spec"]:
        if q["variable"] not in known:
            problems.append(f"{q['variable']}: maps to no descriptor field")
    if problems:
        return problems
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for label, answers in [("defaults", default_answers(template)), *boundary_answers(template)]:
        descriptor = survey_filter.survey_to_descriptor(answers, connections, _base(template), validate=False)
        for err in validator.iter_errors(descriptor):
            problems.append(f"{label}: {'/'.join(map(str, err.absolute_path))}: {err.message}")
    return problems


def test_every_template_has_a_survey_and_the_five_playbooks_exist(job_templates):
    names = [t["name"] for t in job_templates]
    assert len(names) == len(set(names)) == 5
    for template in job_templates:
        assert (ROOT / template["playbook"]).is_file(), template["playbook"]
        assert template["survey_spec"]["spec"], template["name"]
    playbooks = {t["playbook"] for t in job_templates}
    assert "playbooks/deprovision_slice.yml" in playbooks and "playbooks/slice_status.yml" in playbooks


@pytest.mark.parametrize("index", range(5))
def test_survey_answers_make_schema_valid_descriptors(job_templates, survey_filter, index):
    template = job_templates[index]
    assert survey_problems(template, survey_filter) == []


@pytest.mark.parametrize(
    ("name", "slice_file"),
    [
        ("qsafe.slicing: enterprise app slice (use case 1)", "slices/enterprise_app.yml"),
        ("qsafe.slicing: CDN slice (use case 2)", "slices/cdn.yml"),
    ],
)
def test_use_case_defaults_are_the_use_case(job_templates, survey_filter, name, slice_file):
    template = next(t for t in job_templates if t["name"] == name)
    built = survey_filter.survey_to_descriptor(
        default_answers(template), _connections(template), _base(template)
    )
    assert built == yaml.safe_load((ROOT / slice_file).read_text())


def test_generic_provision_defaults_equal_use_case_1_routes(job_templates, survey_filter):
    template = next(t for t in job_templates if t["name"] == "qsafe.slicing: provision slice")
    built = survey_filter.survey_to_descriptor(default_answers(template), _connections(template))
    expected = yaml.safe_load((ROOT / "slices" / "enterprise_app.yml").read_text())["slice"]
    assert built["slice"]["connections"] == expected["connections"]
    assert built["slice"]["compute"] == expected["compute"]


def test_security_questions_offer_exactly_the_schema_levels(job_templates):
    levels = SCHEMA["properties"]["slice"]["properties"]["connections"]["items"]["properties"]["security"][
        "enum"
    ]
    questions = [
        q for t in job_templates for q in t["survey_spec"]["spec"] if q["variable"].endswith("_security")
    ]
    assert len(questions) == 9
    for q in questions:
        assert q["choices"] == levels, q["variable"]


# --- the checks above must be able to fail ----------------------------------------------------


def _mutated(job_templates, variable: str, **changes: Any) -> dict[str, Any]:
    template = copy.deepcopy(next(t for t in job_templates if t["name"] == "qsafe.slicing: provision slice"))
    question = next(q for q in template["survey_spec"]["spec"] if q["variable"] == variable)
    question.update(changes)
    return template


@pytest.mark.parametrize(
    ("variable", "changes", "expected"),
    [
        ("uplink_security", {"choices": ["none", "dh", "qra", "qkd", "hybrid"]}, "uplink_security='hybrid'"),
        ("compute_site_role", {"choices": ["cell", "edge"], "default": "cell"}, "compute_site_role='edge'"),
        ("compute_vcpu", {"min": 0}, "compute_vcpu=0"),
        ("compute_memory_gb", {"min": 0}, "compute_memory_gb=0"),
        ("control_bandwidth_mbps", {"min": -5}, "control_bandwidth_mbps=-5"),
        ("slice_id", {"max": 64}, "slice_id='aaaa"),
        ("backhaul_max_latency_ms", {"min": 0.5}, "AWX would refuse"),
        ("uplink_security", {"default": "quantum"}, "defaults"),
    ],
)
def test_a_survey_that_drifts_from_the_schema_is_caught(
    job_templates, survey_filter, variable, changes, expected
):
    problems = survey_problems(_mutated(job_templates, variable, **changes), survey_filter)
    assert any(expected in p for p in problems), problems


def test_an_unmapped_question_is_caught(job_templates, survey_filter):
    template = copy.deepcopy(job_templates[0])
    template["survey_spec"]["spec"].append(
        {"question_name": "x", "variable": "uplink_colour", "type": "text", "required": False, "default": ""}
    )
    assert survey_problems(template, survey_filter) == ["uplink_colour: maps to no descriptor field"]


# --- the filter itself ------------------------------------------------------------------------


def test_filter_types_api_answers_and_drops_empty_ones(survey_filter):
    answers = {
        "slice_id": " s-1 ",
        "slice_description": "",
        "compute_site": "metro-1",
        "compute_vcpu": "4",
        "compute_memory_gb": "7.5",
        "a_from": "cell-1",
        "a_to": "core-1",
        "a_security": "dh",
        "a_bandwidth_mbps": 10,
        "a_max_latency_ms": "3",
    }
    doc = survey_filter.survey_to_descriptor(answers, ["a"])
    assert doc == {
        "slice": {
            "id": "s-1",
            "compute": {"site": "metro-1", "vcpu": 4, "memory_gb": 7.5},
            "connections": [
                {
                    "name": "a",
                    "from": "cell-1",
                    "to": "core-1",
                    "security": "dh",
                    "bandwidth_mbps": 10,
                    "max_latency_ms": 3,
                }
            ],
        }
    }


def test_filter_site_answer_replaces_the_base_role(survey_filter, enterprise_slice):
    doc = survey_filter.survey_to_descriptor(
        {"compute_site": "metro-1"}, ["control", "uplink", "backhaul"], enterprise_slice
    )
    assert doc["slice"]["compute"] == {"site": "metro-1", "vcpu": 8, "memory_gb": 16}
    assert enterprise_slice["slice"]["compute"]["site_role"] == "metro"  # base not modified


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"compute_vcpu": "eight"}, "survey variable compute_vcpu: must be a whole number, got 'eight'"),
        ({"uplink_bandwidth_mbps": True}, "survey variable uplink_bandwidth_mbps: must be a number"),
        (
            {"uplink_security": "quantum"},
            "slice.connections[1].security (survey variable uplink_security): 'quantum' is not one of",
        ),
        (
            {"backhaul_max_latency_ms": 0},
            "slice.connections[2].max_latency_ms (survey variable backhaul_max_latency_ms)",
        ),
        ({"slice_id": "bad id"}, "slice.id (survey variable slice_id)"),
    ],
)
def test_filter_errors_name_the_survey_variable_and_field(survey_filter, enterprise_slice, answers, message):
    with pytest.raises(survey_filter.AnsibleFilterError) as info:
        survey_filter.survey_to_descriptor(answers, ["control", "uplink", "backhaul"], enterprise_slice)
    assert message in str(info.value)


def test_filter_refuses_bad_connection_lists(survey_filter):
    for connections in ("control", [], ["a", "a"], ["bad name"]):
        with pytest.raises(survey_filter.AnsibleFilterError, match="qsafe_survey_connections"):
            survey_filter.survey_variables(connections)


# --- credential types -------------------------------------------------------------------------


def test_credential_types_mark_secrets_and_inject_only_their_inputs(credential_types):
    names = {c["name"] for c in credential_types}
    assert names == {
        "qsafe NETCONF device key",
        "qsafe KMS client certificate",
        "qsafe slice registry (PostgreSQL)",
    }
    for ctype in credential_types:
        assert ctype["kind"] in ("cloud", "net")
        fields = {f["id"]: f for f in ctype["inputs"]["fields"]}
        for fid, spec in fields.items():
            if any(word in fid for word in ("key", "password", "secret")) and fid != "ssh_key_data_label":
                assert spec.get("secret") is True, f"{ctype['name']}: {fid} must be secret"
        files = {k.split(".", 1)[1] for k in ctype["injectors"].get("file", {})}
        injected = (
            list(ctype["injectors"].get("env", {}).values())
            + list(ctype["injectors"].get("extra_vars", {}).values())
            + list(ctype["injectors"].get("file", {}).values())
        )
        for value in injected:
            ref = value.strip("{} ")
            assert ref in fields or ref.removeprefix("tower.filename.") in files, f"{ctype['name']}: {value}"
    registry = next(c for c in credential_types if c["name"] == "qsafe slice registry (PostgreSQL)")
    assert registry["injectors"]["env"] == {"QSAFE_REGISTRY_DSN": "{{ dsn }}", "PGPASSWORD": "{{ password }}"}
