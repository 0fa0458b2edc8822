# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the pictures: python -m qsafe_views [--out docs/img] [--topology FILE] [--bench JSON ...]
[--state-dir DIR | --path FILE | --dsn DSN | --records JSON] [--lanes device|kind] [--fig6-only]

From the slice registry (same selection as the playbooks: options, then QSAFE_REGISTRY_DSN /
QSAFE_REGISTRY_PATH / QSAFE_STATE_DIR, then .state/) or a JSON list of its records taken earlier
(--records: the demo draws the slices as they were provisioned while it removes them), the topology
and, when it exists, the benchmark's raw series (devel/bench/out/provision.json; --bench '' for
none). Writes PNG and SVG of each.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import open_registry

from qsafe_views.network import draw_network
from qsafe_views.timeline import draw_histograms, draw_timeline, merge_bench_results

ROOT = Path(__file__).resolve().parents[2]


def holding(records: list[dict]) -> list[dict]:
    """Slices that hold network resources (what the network picture overlays)."""
    return [r for r in records if r.get("reservation") is not None]


def write_pictures(
    records: list[dict],
    topology: dict,
    out: Path,
    bench: Path | list[Path] | None = None,
    lanes: str = "device",
) -> list[str]:
    """Network with the slices that hold resources, one timeline per slice with a recorded run,
    Fig. 6 from the benchmark results file(s) that exist; returns the files written."""
    files = draw_network(topology, holding(records), out / "network")["files"]
    for record in records:
        if record.get("steps"):
            files += draw_timeline(record, out / f"timeline-{record['id']}", lanes=lanes)["files"]
    paths = [bench] if isinstance(bench, Path) else list(bench or [])
    found = [json.loads(path.read_text()) for path in paths if path.exists()]
    if found:
        results = found[0] if len(found) == 1 else merge_bench_results(found)
        files += draw_histograms(results, out / "provision_fig6")["files"]
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / ".pictures")
    ap.add_argument("--topology", type=Path, default=ROOT / "inventories/testbed/group_vars/all/topology.yml")
    ap.add_argument(
        "--bench",
        action="append",
        help="a devel/bench/provision.py results file (repeat to join runs of different use cases; "
        "'' for none); default devel/bench/out/provision.json",
    )
    ap.add_argument("--records", type=Path, help="a JSON list of registry records instead of the registry")
    ap.add_argument("--lanes", choices=("device", "kind"), default="device")
    ap.add_argument("--fig6-only", action="store_true", help="draw only Fig. 6 from the --bench file(s)")
    ap.add_argument("--state-dir")
    ap.add_argument("--path")
    ap.add_argument("--dsn")
    args = ap.parse_args(argv)
    benches = args.bench if args.bench is not None else [str(ROOT / "devel/bench/out/provision.json")]
    bench = [Path(b) for b in benches if b]
    if args.fig6_only:
        found = [json.loads(path.read_text()) for path in bench]
        results = found[0] if len(found) == 1 else merge_bench_results(found)
        for path in draw_histograms(results, args.out / "provision_fig6")["files"]:
            print(path)
        return 0
    topology = yaml.safe_load(args.topology.read_text())
    if args.records is not None:
        records = json.loads(args.records.read_text())
    else:
        with open_registry(
            dsn=args.dsn, path=args.path, state_dir=args.state_dir, project_dir=str(ROOT)
        ) as reg:
            records = reg.list()
    for path in write_pictures(records, topology, args.out, bench, args.lanes):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
