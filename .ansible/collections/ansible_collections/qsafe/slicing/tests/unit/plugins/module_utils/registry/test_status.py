# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status report (structured) and its tables (text), from a real SQLite registry."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    capacities_from_topology,
    open_registry,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import (
    cell,
    format_report,
    format_table,
    key_stream_rows,
    parse_key_streams,
    status_report,
)

ROOT = Path(__file__).resolve().parents[5]
NOW = dt.datetime(2026, 12, 1, 7, 0, 10, tzinfo=dt.UTC)


def key_host_reply(streams: list[tuple[str, str, str | None, str | None, int]]) -> str:
    """A get-config <data> reply of a key host: (name, role, key id, last rotation, rotations)."""
    body = ""
    for name, role, key_id, last, rotations in streams:
        status = ""
        if key_id:
            status = (
                f"<status><current-key-id>{key_id}</current-key-id><last-rotation>{last}</last-rotation>"
                f"<rotations>{rotations}</rotations></status>"
            )
        body += (
            f"<stream><name>{name}</name><channel>ch4</channel><method>qkd</method><role>{role}</role>"
            f"<kme-url>kme-a</kme-url><local-sae-id>a</local-sae-id><peer-sae-id>b</peer-sae-id>"
            f"<card>tce-ch4-a</card><refresh-interval>3</refresh-interval>{status}</stream>"
        )
    return (
        '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">'
        f'<key-streams xmlns="urn:qsafe:yang:key-stream">{body}</key-streams></data>'
    )


@pytest.fixture
def registry_records(tmp_path, testbed_document):
    capacities = capacities_from_topology(testbed_document)
    with open_registry(path=str(tmp_path / "registry.sqlite3")) as registry:
        for name in ("enterprise_app", "cdn"):
            descriptor = yaml.safe_load((ROOT / "slices" / f"{name}.yml").read_text())
            plan = plan_from_documents(descriptor, testbed_document, registry.reservations())
            slice_id = plan["slice_id"]
            registry.reserve(slice_id, descriptor, plan, capacities)
            registry.set_state(slice_id, "provisioning")
            for index, step in enumerate(
                plan_from_documents(descriptor, testbed_document, with_steps=True)["steps"][:3]
            ):
                registry.record_step(
                    slice_id, index, step["name"], "changed", 0.01, {"device": step["device"]}
                )
            registry.set_state(slice_id, "provisioned")
        return registry.list(), registry.reservations()


def test_cell_never_gives_a_python_repr():
    assert cell(None) == "-"
    assert cell(["dh", "qra"]) == "dh qra"
    assert cell({"changed": 3}) == "changed=3"
    assert cell(1000.0) == "1000"
    assert cell(1.905) == "1.905"
    assert cell(True) == "yes"


def test_format_table_aligns_columns_and_right_aligns_numbers():
    text = format_table(["name", "n"], [["a", 5], ["longer", 100]], numeric=[1])
    lines = text.splitlines()
    assert lines == ["name      n", "------  ---", "a         5", "longer  100"]
    with pytest.raises(ValueError, match="2 columns"):
        format_table(["a", "b"], [[1]])


def test_report_matches_the_registry(registry_records, testbed_document):
    records, reservations = registry_records
    report = status_report(records, reservations, testbed_document, backend="sqlite test")
    json.dumps(report)  # plain data
    assert [s["id"] for s in report["slices"]] == ["enterprise-app-1", "cdn-1"]
    for record, row in zip(records, report["slices"], strict=True):
        assert row["state"] == "provisioned"
        assert row["compute_site"] == record["plan"]["compute_site"]
        assert row["last_run"]["steps"] == 3
        for planned, shown in zip(record["plan"]["connections"], row["connections"], strict=True):
            assert shown["sites"] == planned["sites"]
            assert shown["hop_security"] == planned["hop_security"]
            assert shown["vlan"] == planned["vlan"]
            assert shown["latency_ok"] is True
    links = {r["link"]: r for r in report["links"]}
    assert set(links) == set(reservations["links"])
    for name, row in links.items():
        assert row["reserved_mbps"] == reservations["links"][name]
        assert row["utilisation"] == pytest.approx(reservations["links"][name] / 10000)
    by_level = {r["security"]: r for r in report["capacity_by_security"]}
    assert list(by_level) == ["none", "dh", "qra", "qkd"]
    total = sum(reservations["links"].values())
    assert sum(r["reserved_mbps"] for r in by_level.values()) == pytest.approx(total)
    for row in by_level.values():
        assert row["free_mbps"] == row["capacity_mbps"] - row["reserved_mbps"]


def test_text_report_is_tables_without_reprs(registry_records, testbed_document):
    records, reservations = registry_records
    by_host = {
        "keys-a": parse_key_streams(
            key_host_reply([("ch4-metro1-core1", "primary", "k2", "2026-12-01T07:00:07Z", 2)])
        ),
        "keys-b": parse_key_streams(
            key_host_reply([("ch4-metro1-core1", "secondary", "k2", "2026-12-01T07:00:07Z", 2)])
        ),
    }
    report = status_report(records, reservations, testbed_document, key_streams=key_stream_rows(by_host, NOW))
    text = format_report(report)
    assert not re.search(r"[{}\[\]]|None|'", text), text
    assert "cell-1 > agg-1 > metro-1 > core-1" in text
    assert "dh dh dh (>= dh)" in text
    assert "metro1-core1-qkd-4" in text and "30.0%" in text  # 1000 + 2000 of 10000 Mbit/s
    # every table row has its columns where the header has them
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if len(lines) > 2 and set(lines[1]) <= {"-", " "}:
            starts = [m.start() for m in re.finditer(r"-+", lines[1])]
            for line in lines[2:]:
                for start in starts[1:]:
                    assert line[start - 2 : start] == "  ", (block, line)


def test_key_streams_both_ends_and_age():
    by_host = {
        "keys-a": parse_key_streams(
            key_host_reply(
                [
                    ("s1", "primary", "k7", "2026-12-01T07:00:07Z", 7),
                    ("s2", "primary", "k9", "2026-12-01T07:00:04Z", 3),
                    ("s3", "primary", None, None, 0),
                ]
            )
        ),
        "keys-b": parse_key_streams(
            key_host_reply(
                [
                    ("s1", "secondary", "k7", "2026-12-01T07:00:06Z", 7),
                    ("s2", "secondary", "k8", "2026-12-01T07:00:01Z", 2),
                ]
            )
        ),
    }
    rows = {r["stream"]: r for r in key_stream_rows(by_host, NOW)}
    assert rows["s1"]["agree"] is True and rows["s1"]["current_key_id"] == "k7"
    assert rows["s1"]["key_age_s"] == 3.0 and rows["s1"]["last_rotation"] == "2026-12-01T07:00:07Z"
    assert rows["s2"]["agree"] is False and rows["s2"]["rotations"] == 2
    assert rows["s3"]["agree"] is False and rows["s3"]["key_age_s"] is None
    assert rows["s1"]["method"] == "qkd" and set(rows["s1"]["ends"]) == {"keys-a", "keys-b"}
