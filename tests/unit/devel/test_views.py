# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pictures are written (PNG and SVG, not empty) and draw exactly what the registry holds."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.batch import started_iso
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    capacities_from_topology,
    open_registry,
)
from qsafe_views.__main__ import main as pictures_main
from qsafe_views.__main__ import write_pictures
from qsafe_views.network import draw_network
from qsafe_views.timeline import (
    bench_sources,
    draw_histograms,
    draw_timeline,
    merge_bench_results,
    timeline_bars,
)

ROOT = Path(__file__).resolve().parents[3]


def assert_written(files: list[str]) -> None:
    assert {Path(f).suffix for f in files} == {".png", ".svg"}
    for name in files:
        data = Path(name).read_bytes()
        assert len(data) > 2000, name
        if name.endswith(".png"):
            assert data.startswith(b"\x89PNG"), name
        else:
            assert b"<svg" in data[:2000], name


def provision(registry, topology: dict, descriptor: dict, statuses=None, with_starts=True, steps=True) -> str:
    """Reserve and record a run the way the slice roles do (steps with start, duration, commit)."""
    plan = plan_from_documents(descriptor, topology, registry.reservations(), with_steps=steps)
    steps = plan.pop("steps", [])
    slice_id = plan["slice_id"]
    registry.reserve(slice_id, descriptor, plan, capacities_from_topology(topology))
    registry.set_state(slice_id, "provisioning")
    now = time.time()
    for step in steps:
        status = (statuses or {}).get(step["index"], "changed")
        detail = {"device": step["device"], "resource": step["resource"], "commit": "confirmed"}
        if with_starts:
            detail["started_at"] = started_iso(now)
        registry.record_step(slice_id, step["index"], step["name"], status, 0.02, detail)
        now += 0.025
    registry.set_state(slice_id, "provisioned")
    return slice_id


@pytest.fixture
def testbed_registry(tmp_path, testbed_document):
    with open_registry(path=str(tmp_path / "registry.sqlite3")) as registry:
        for name in ("enterprise_app", "cdn"):
            provision(
                registry, testbed_document, yaml.safe_load((ROOT / "slices" / f"{name}.yml").read_text())
            )
        yield registry


def test_network_picture_draws_every_link_and_every_route_of_the_registry(
    tmp_path, testbed_registry, testbed_document
):
    records = testbed_registry.list()
    drawn = draw_network(testbed_document, records, tmp_path / "network")
    assert_written(drawn["files"])
    links = testbed_document["topology"]["links"]
    assert drawn["links"] == {link["name"]: link["security"] for link in links}
    expected = [
        (r["id"], c["name"], c["links"], c["vlan"]) for r in records for c in r["plan"]["connections"]
    ]
    assert [(r["slice"], r["connection"], r["links"], r["vlan"]) for r in drawn["routes"]] == expected
    assert drawn["compute"] == {"enterprise-app-1": "metro-1", "cdn-1": "agg-1"}
    assert set(drawn["labels"]) == {s["name"] for s in testbed_document["topology"]["sites"]}


def synthetic_topology(sites: int, seed: int = 15) -> dict:
    """A metro-sized network: 4 cores in a ring, metros (compute) on the ring, aggregations (compute)
    under metros, cells under aggregations; parallel links of several security levels per hop."""
    rng = random.Random(seed)
    cores, metros, aggs = 4, 12, 34
    cells = sites - cores - metros - aggs
    names = {
        "core": [f"core-{i}" for i in range(cores)],
        "metro": [f"metro-{i}" for i in range(metros)],
        "aggregation": [f"agg-{i}" for i in range(aggs)],
        "cell": [f"cell-{i}" for i in range(cells)],
    }
    doc_sites = []
    for role, group in names.items():
        for name in group:
            site = {"name": name, "role": role}
            if role in ("metro", "aggregation"):
                site["compute"] = {"vcpu": 64, "memory_gb": 256}
            doc_sites.append(site)
    links = []

    def connect(a: str, b: str, levels: list[str]) -> None:
        for level in levels:
            links.append(
                {
                    "name": f"{a}-{b}-{level}",
                    "a": a,
                    "b": b,
                    "security": level,
                    "capacity_mbps": 10000,
                    "latency_ms": round(rng.uniform(0.2, 0.8), 3),
                }
            )

    for i in range(cores):
        connect(names["core"][i], names["core"][(i + 1) % cores], ["dh", "qkd"])
    for i, metro in enumerate(names["metro"]):
        connect(metro, names["core"][i % cores], ["none", "dh", "qra", "qkd"])
        connect(metro, names["metro"][(i + 1) % metros], ["dh", "qkd"])
    for i, agg in enumerate(names["aggregation"]):
        connect(agg, names["metro"][i % metros], ["none", "dh", "qra", "qkd"])
    for i, cell in enumerate(names["cell"]):
        connect(cell, names["aggregation"][i % aggs], ["none", "dh", "qra"])
        if i % 3 == 0:
            connect(cell, names["aggregation"][(i + 7) % aggs], ["none", "qkd"])
    return {"topology": {"name": f"synthetic-{sites}", "sites": doc_sites, "links": links}}


def test_network_picture_stays_legible_at_150_sites(tmp_path):
    topology = synthetic_topology(150)
    with open_registry(path=str(tmp_path / "registry.sqlite3")) as registry:
        for number, (cell, core) in enumerate(
            (("cell-3", "core-1"), ("cell-57", "core-2"), ("cell-90", "core-0"))
        ):
            descriptor = yaml.safe_load((ROOT / "slices" / "enterprise_app.yml").read_text())
            body = descriptor["slice"]
            body["id"] = f"slice-{number}"
            for conn in body["connections"]:
                conn["from"] = {"cell-1": cell, "core-1": core}.get(conn["from"], conn["from"])
                conn["to"] = {"cell-1": cell, "core-1": core}.get(conn["to"], conn["to"])
                conn["max_latency_ms"] = 20
            provision(registry, topology, descriptor, steps=False)
        records = registry.list()
    drawn = draw_network(topology, records, tmp_path / "network-150")
    assert_written(drawn["files"])
    assert len(drawn["links"]) == len(topology["topology"]["links"])
    assert [r["links"] for r in drawn["routes"]] == [
        c["links"] for r in records for c in r["plan"]["connections"]
    ]
    on_routes = {s for r in drawn["routes"] for s in r["sites"]} | set(drawn["compute"].values())
    # legible: only the sites slices run through (and the cores) are named, not all 150
    assert set(drawn["labels"]) == on_routes | {f"core-{i}" for i in range(4)}
    assert len(drawn["labels"]) < 40


def test_timeline_bars_are_the_recorded_steps(tmp_path, testbed_document):
    with open_registry(path=str(tmp_path / "registry.sqlite3")) as registry:
        descriptor = yaml.safe_load((ROOT / "slices" / "cdn.yml").read_text())
        slice_id = provision(registry, testbed_document, descriptor, statuses={5: "failed", 2: "rolled_back"})
        record = registry.get(slice_id)
    drawn = draw_timeline(record, tmp_path / "timeline")
    assert_written(drawn["files"])
    steps = record["steps"]
    assert [(b["index"], b["device"], b["status"], b["seconds"]) for b in drawn["bars"]] == [
        (s["index"], s["detail"]["device"], s["status"], s["seconds"]) for s in steps
    ]
    assert drawn["bars"][0]["start_s"] == 0.0
    assert [b["start_s"] for b in drawn["bars"]] == pytest.approx(
        [0.025 * i for i in range(len(steps))], abs=0.002
    )
    assert drawn["lanes"] == list(dict.fromkeys(s["detail"]["device"] for s in steps))
    assert not any(b["estimated_start"] for b in drawn["bars"])
    kinds = timeline_bars(steps, lanes="kind")
    assert {b["lane"] for b in kinds} == {"keys", "tce", "ots", "sw"}


def test_timeline_without_recorded_starts_lays_steps_end_to_end(tmp_path, testbed_document):
    with open_registry(path=str(tmp_path / "registry.sqlite3")) as registry:
        descriptor = yaml.safe_load((ROOT / "slices" / "cdn.yml").read_text())
        record = registry.get(provision(registry, testbed_document, descriptor, with_starts=False))
    bars = timeline_bars(record["steps"])
    assert all(b["estimated_start"] for b in bars)
    assert [b["start_s"] for b in bars] == pytest.approx([0.02 * i for i in range(len(bars))])


def test_histograms_are_four_panels_of_100_runs(tmp_path):
    rng = random.Random(6)
    series = {}
    for phase in ("provision", "deprovision"):
        series[phase] = [rng.uniform(2.5, 6.0) for _run in range(100)]
        series[f"floor_{phase}"] = [rng.uniform(1.5, 3.5) for _run in range(100)]
    results = {"cycles": 100, "use_cases": {"enterprise_app": {"series": series}, "cdn": {"series": series}}}
    drawn = draw_histograms(results, tmp_path / "fig6")
    assert_written(drawn["files"])
    assert [(p["use_case"], p["phase"], p["runs"], p["counted"]) for p in drawn["panels"]] == [
        ("enterprise_app", "provision", 100, 100),
        ("enterprise_app", "deprovision", 100, 100),
        ("cdn", "provision", 100, 100),
        ("cdn", "deprovision", 100, 100),
    ]


def bench_file(use_case: str, cycles: int, seed: int) -> dict:
    """A results file as devel/bench/provision.py writes it (per-cycle records and the series)."""
    rng = random.Random(seed)
    names = ("provision", "deprovision", "floor_provision", "floor_deprovision")
    records = [
        {"cycle": i + 1, "loadavg": [2.0 + i, 1.0, 0.5], **{n: rng.uniform(2.0, 9.0) for n in names}}
        for i in range(cycles)
    ]
    series = {n: [r[n] for r in records] for n in names}
    return {
        "command": f".venv/bin/python devel/bench/provision.py --use-cases {use_case} --cycles 20",
        "cpus": 2,
        "complete": False,
        "use_cases": {use_case: {"steps": 47, "series": series, "cycles": records}},
    }


def test_fig6_is_drawn_from_the_bench_files_and_says_how_they_were_made(tmp_path, testbed_document):
    paths = []
    for use_case, cycles, seed in (("enterprise_app", 11, 1), ("cdn", 7, 2)):
        paths.append(tmp_path / f"{use_case}.json")
        paths[-1].write_text(json.dumps(bench_file(use_case, cycles, seed)))
    merged = merge_bench_results([json.loads(p.read_text()) for p in paths])
    assert [s["use_cases"] for s in merged["sources"]] == [{"enterprise_app": 11}, {"cdn": 7}]
    assert bench_sources(merged)[0]["loadavg_1min"] == [2.0, 12.0]
    drawn = draw_histograms(merged, tmp_path / "fig6")
    assert [(p["use_case"], p["phase"], p["runs"], p["counted"]) for p in drawn["panels"]] == [
        ("enterprise_app", "provision", 11, 11),
        ("enterprise_app", "deprovision", 11, 11),
        ("cdn", "provision", 7, 7),
        ("cdn", "deprovision", 7, 7),
    ]
    svg = (tmp_path / "fig6.svg").read_text()
    assert "--use-cases cdn --cycles 20" in svg and "stopped early" in svg
    with pytest.raises(ValueError, match="more than one"):
        merge_bench_results([bench_file("cdn", 1, 1), bench_file("cdn", 1, 2)])
    # the command line joins the files the same way, and draws from a snapshot of registry records
    records = tmp_path / "records.json"
    records.write_text("[]")
    argv = ["--records", str(records), "--out", str(tmp_path / "cli")]
    assert pictures_main([*argv, "--bench", str(paths[0]), "--bench", str(paths[1])]) == 0
    assert "--use-cases cdn" in (tmp_path / "cli" / "provision_fig6.svg").read_text()
    assert pictures_main([*argv, "--out", str(tmp_path / "none"), "--bench", ""]) == 0
    assert not (tmp_path / "none" / "provision_fig6.png").exists()


def test_the_command_writes_every_picture_from_the_registry(tmp_path, testbed_registry, testbed_document):
    files = write_pictures(testbed_registry.list(), testbed_document, tmp_path / "img")
    assert sorted(Path(f).name for f in files) == sorted(
        f"{stem}{suffix}"
        for stem in ("network", "timeline-enterprise-app-1", "timeline-cdn-1")
        for suffix in (".png", ".svg")
    )
    assert_written(files)
    registry_file = tmp_path / "registry.sqlite3"
    assert (
        pictures_main(
            [
                "--path",
                str(registry_file),
                "--out",
                str(tmp_path / "cli"),
                "--bench",
                str(tmp_path / "none.json"),
            ]
        )
        == 0
    )
    assert (tmp_path / "cli" / "network.svg").stat().st_size > 2000
