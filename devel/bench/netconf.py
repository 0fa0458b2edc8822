# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NETCONF round trips against a lab device, with and without the ncclient tick fix, in one run.

Usage: .venv/bin/python devel/bench/netconf.py [--device ots-metro-1] [--n 20]
Starts its own lab in a temp dir, measures connect, get-config and edit+commit (transaction),
prints median / p95 per case and the ratio (tick / fast), stops the lab.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

sys.path[:0] = [str(pathlib.Path(__file__).resolve().parents[2] / ".venv" / "collections"),
                str(pathlib.Path(__file__).resolve().parents[2])]

from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession  # noqa: E402
from qsafe_lab import Lab  # noqa: E402

OC_LINE = "http://openconfig.net/yang/openconfig-transport-line-connectivity"


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]


def run(desc: dict, device: str, n: int, fast: bool) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"connect": [], "get-config": [], "edit+commit": []}
    for i in range(n):
        t = time.perf_counter()
        s = NetconfSession.from_lab(device, desc, fast_send=fast).connect()
        out["connect"].append(time.perf_counter() - t)
        try:
            t = time.perf_counter()
            s.get_config("running")
            out["get-config"].append(time.perf_counter() - t)
            cfg = (f'<connections xmlns="{OC_LINE}"><connection><index>999</index><config><index>999</index>'
                   f"<source>sw-ch1-agg-1</source><dest>bench {fast} {i}</dest></config></connection>"
                   "</connections>")
            t = time.perf_counter()
            s.transaction(cfg)
            out["edit+commit"].append(time.perf_counter() - t)
        finally:
            s.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="ots-metro-1")
    ap.add_argument("--n", type=int, default=20)
    a = ap.parse_args()
    import json

    lab = Lab(pathlib.Path(tempfile.mkdtemp(prefix="qlab-b", dir="/tmp")) / "lab")
    try:
        lab.up()
        desc = json.loads(lab.lab_json.read_text())
        slow = run(desc, a.device, a.n, fast=False)
        fast = run(desc, a.device, a.n, fast=True)
    finally:
        lab.down()
    print(f"device {a.device}, n={a.n} per case (ms)")
    print(f"{'op':<12} {'tick med':>9} {'tick p95':>9} {'fast med':>9} {'fast p95':>9} {'ratio':>6}")
    for op in slow:
        sm, fm = statistics.median(slow[op]) * 1e3, statistics.median(fast[op]) * 1e3
        sp, fp = p95(slow[op]) * 1e3, p95(fast[op]) * 1e3
        print(f"{op:<12} {sm:9.1f} {sp:9.1f} {fm:9.1f} {fp:9.1f} {sm / fm:6.1f}")


if __name__ == "__main__":
    main()
