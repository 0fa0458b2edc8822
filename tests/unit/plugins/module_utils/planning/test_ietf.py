# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IETF Network Slice Service requests in, operational state out, checked by yanglint against
the vendored ietf-network-slice-service module and the qsafe augmentation."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.errors import DescriptorError
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.ietf import (
    TOP,
    descriptor_from_ietf,
    ietf_from_descriptor,
    ietf_from_record,
    ietf_from_records,
    is_ietf_request,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents

ROOT = Path(__file__).resolve().parents[5]
USE_CASES = ("enterprise_app", "cdn")
YANG_MODULES = [
    ROOT / "yang" / "ietf" / "ietf-network-slice-service@2026-05-27.yang",
    ROOT / "yang" / "qsafe-network-slice-security.yang",
]


def yanglint(document: dict, tmp_path: Path, kind: str) -> subprocess.CompletedProcess:
    """Validate an instance document with yanglint (-t config: a request; -t data: operational)."""
    path = tmp_path / f"instance-{kind}.json"
    path.write_text(json.dumps(document))
    argv = ["yanglint", "-i", "-t", kind, "-p", str(ROOT / "yang" / "ietf"), "-p", str(ROOT / "yang")]
    argv += [*map(str, YANG_MODULES), str(path)]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def descriptor(name: str) -> dict:
    return yaml.safe_load((ROOT / "slices" / f"{name}.yml").read_text())


def request(name: str) -> dict:
    return json.loads((ROOT / "slices" / "ietf" / f"{name}.json").read_text())


@pytest.mark.parametrize("name", USE_CASES)
def test_shipped_request_imports_to_the_use_case_descriptor(name):
    assert is_ietf_request(request(name))
    assert descriptor_from_ietf(request(name)) == descriptor(name)


@pytest.mark.parametrize("name", USE_CASES)
def test_shipped_request_is_what_the_export_of_the_descriptor_gives(name):
    assert ietf_from_descriptor(descriptor(name)) == request(name)


@pytest.mark.parametrize("name", USE_CASES)
def test_shipped_request_is_valid_config_for_the_yang_modules(name, tmp_path):
    run = yanglint(request(name), tmp_path, "config")
    assert run.returncode == 0, run.stderr


def test_yanglint_rejects_an_unknown_security_level(tmp_path):
    bad = request("cdn")
    group = bad[TOP]["slice-service"][0]["connection-groups"]["connection-group"][1]
    group["qsafe-network-slice-security:minimum-security-level"] = "qsafe-network-slice-security:quantum"
    run = yanglint(bad, tmp_path, "config")
    assert run.returncode != 0
    assert "minimum-security-level" in run.stderr


@pytest.mark.parametrize("name", USE_CASES)
def test_export_of_a_provisioned_record_is_valid_operational_data(name, tmp_path, testbed_document):
    plan = plan_from_documents(descriptor(name), testbed_document)
    record = {
        "descriptor": descriptor(name),
        "plan": plan,
        "state": "provisioned",
        "updated_at": "2026-12-01T07:00:00.000Z",
    }
    exported = ietf_from_record(record)
    run = yanglint(exported, tmp_path, "data")
    assert run.returncode == 0, run.stderr
    # a request may not carry state data: the export is operational, not a request
    assert yanglint(exported, tmp_path, "config").returncode != 0
    service = exported[TOP]["slice-service"][0]
    assert service["status"]["oper-status"]["status"] == "ietf-vpn-common:op-up"
    assert service["qsafe-network-slice-security:compute"]["chosen-site"] == plan["compute_site"]
    for group, conn in zip(
        service["connection-groups"]["connection-group"], plan["connections"], strict=True
    ):
        route = group["connectivity-construct"][0]["qsafe-network-slice-security:route"]
        assert route["site"] == conn["sites"]
        assert [h["link"] for h in route["hop"]] == conn["links"]
        assert [h["security-level"].split(":")[1] for h in route["hop"]] == conn["hop_security"]
        assert route["vlan"] == conn["vlan"]
    # the operational form still reads back as the request it answers
    assert descriptor_from_ietf(exported) == descriptor(name)


def test_slo_inherited_from_the_slice_service_and_overridden_per_construct():
    doc = request("enterprise_app")
    service = doc[TOP]["slice-service"][0]
    groups = service["connection-groups"]["connection-group"]
    service["service-slo-sle-policy"] = groups[0].pop("service-slo-sle-policy")  # 100 Mbps, 10 ms
    construct = groups[0]["connectivity-construct"][0]
    construct["service-slo-sle-policy"] = {
        "slo-policy": {
            "metric-bound": [
                {"metric-type": "one-way-delay-maximum", "metric-unit": "microseconds", "bound": "2500"}
            ]
        }
    }
    body = descriptor_from_ietf(doc)["slice"]
    assert body["connections"][0]["bandwidth_mbps"] == 100
    assert body["connections"][0]["max_latency_ms"] == 2.5


def test_units_are_converted():
    doc = request("cdn")
    bound = doc[TOP]["slice-service"][0]["connection-groups"]["connection-group"][1]
    bound["service-slo-sle-policy"]["slo-policy"]["metric-bound"][0].update(
        {"metric-unit": "Gbps", "bound": 2}
    )
    assert descriptor_from_ietf(doc)["slice"]["connections"][1]["bandwidth_mbps"] == 2000


def _problems(doc) -> str:
    with pytest.raises(DescriptorError) as err:
        descriptor_from_ietf(doc)
    return str(err.value)


def test_errors_name_the_rfc7951_path_and_every_problem():
    doc = request("enterprise_app")
    service = doc[TOP]["slice-service"][0]
    groups = service["connection-groups"]["connection-group"]
    groups[0]["connectivity-construct"][0]["p2p-receiver-sdp"] = "nowhere"
    groups[1]["service-slo-sle-policy"]["slo-policy"]["metric-bound"][0]["metric-unit"] = "furlongs"
    del groups[2]["service-slo-sle-policy"]
    text = _problems(doc)
    where = f"{TOP}.slice-service[0].connection-groups.connection-group"
    assert f"{where}[0].connectivity-construct[0].p2p-receiver-sdp: unknown sdp 'nowhere'" in text
    assert "furlongs" in text and f"{where}[1].connectivity-construct[0]" in text
    assert f"{where}[2].connectivity-construct[0]: no one-way-bandwidth SLO" in text


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop(TOP), "not an IETF Network Slice Service request"),
        (lambda d: d[TOP]["slice-service"].append(copy.deepcopy(d[TOP]["slice-service"][0])), "exactly one"),
        (lambda d: d[TOP]["slice-service"][0].pop("id"), "slice-service[0].id: required"),
        (lambda d: d[TOP]["slice-service"][0]["sdps"]["sdp"][0].pop("node-id"), "sdp[0].node-id: required"),
        (
            lambda d: d[TOP]["slice-service"][0]["connection-groups"]["connection-group"][0][
                "connectivity-construct"
            ][0].pop("p2p-sender-sdp"),
            "only point-to-point",
        ),
    ],
)
def test_bad_requests_are_refused_naming_the_field(change, expected):
    doc = request("enterprise_app")
    change(doc)
    assert expected in _problems(doc)


def test_imported_descriptor_is_validated_like_any_other(testbed_document):
    doc = request("cdn")
    group = doc[TOP]["slice-service"][0]["connection-groups"]["connection-group"][0]
    group["qsafe-network-slice-security:minimum-security-level"] = "qsafe-network-slice-security:quantum"
    imported = descriptor_from_ietf(doc)
    with pytest.raises(DescriptorError, match=r"slice.connections\[0\].security: 'quantum' is not one of"):
        plan_from_documents(imported, testbed_document)


def test_export_of_the_whole_registry_is_one_valid_document(tmp_path, testbed_document):
    records = []
    reservations: dict = {"links": {}, "compute": {}, "vlans": []}
    for name in USE_CASES:
        plan = plan_from_documents(descriptor(name), testbed_document, reservations)
        reservations["vlans"] += [c["vlan"] for c in plan["connections"]]
        record = {"id": plan["slice_id"], "descriptor": descriptor(name), "plan": plan}
        record["state"] = "provisioned"
        records.append(record)
    records.append({"id": "never-planned", "descriptor": descriptor("cdn"), "plan": None, "state": "failed"})
    exported = ietf_from_records(records)
    assert [s["id"] for s in exported[TOP]["slice-service"]] == ["enterprise-app-1", "cdn-1"]
    run = yanglint(exported, tmp_path, "data")
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("name", USE_CASES)
def test_the_strict_loader_reads_an_ietf_request_file_as_its_descriptor(name):
    from ansible_collections.qsafe.slicing.plugins.module_utils.planning.documents import descriptor_from_text

    text = (ROOT / "slices" / "ietf" / f"{name}.json").read_bytes()
    assert descriptor_from_text(text, f"slice_file slices/ietf/{name}.json") == descriptor(name)


def test_the_strict_loader_names_the_file_and_the_path_of_a_bad_request():
    from ansible_collections.qsafe.slicing.plugins.module_utils.planning.documents import (
        DocumentError,
        descriptor_from_text,
    )

    doc = request("cdn")
    doc[TOP]["slice-service"][0]["sdps"]["sdp"][0].pop("node-id")
    with pytest.raises(DocumentError) as err:
        descriptor_from_text(json.dumps(doc), "slice_file bad.json")
    assert f"slice_file bad.json: {TOP}.slice-service[0].sdps.sdp[0].node-id: required" in str(err.value)
