# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-step cost of a device edit+commit, measured side by side in one run.

Usage: .venv/bin/python devel/bench/steps.py [--steps 10] [--repeat 3] [--device sw-cell-2]
Starts its own lab in a temp dir, then times N VLAN create steps (edit+commit each) made as:
  module  - ansible-playbook, each task shipped and run as a module process (qsafe_netconf_execution=module)
  direct  - ansible-playbook, action plugin in the worker, a new NETCONF session per task
  broker  - ansible-playbook, action plugin in the worker + the per-play session broker (the default)
  floor   - plain Python: the same steps (run_step) on one already open session
Playbook cases are wall time of the whole ansible-playbook process (start-up included); the
floor excludes its one connect. Prints median of --repeat runs and ratios; the
device is reset (steps removed) between runs, outside the timings. Stops the lab.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / ".venv" / "collections"), str(ROOT)]

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (  # noqa: E402
    StepRequest,
    run_step,
)
from qsafe_lab import Lab  # noqa: E402

FIRST_VLAN = 900


def playbook(steps: int, device: str, execution: str) -> str:
    tasks = "".join(
        f"    - qsafe.slicing.l2_vlan: {{device: {device}, vlan_id: {FIRST_VLAN + i}, name: bench.{i}}}\n"
        for i in range(steps)
    )
    return (
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n"
        f"  vars:\n    qsafe_netconf_execution: {execution}\n  tasks:\n{tasks}"
    )


def reset(lab_desc: dict, device: str, steps: int) -> None:
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    with NetconfSession.from_lab(device, lab_desc) as s:
        for i in range(steps):
            run_step(s, StepRequest(device, "l2_switch", "vlan", {"vlan_id": FIRST_VLAN + i}, "absent"))


def run_playbook(path: pathlib.Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "ansible-playbook"),
            "-i",
            str(ROOT / "inventories" / "testbed"),
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or "changed=" not in proc.stdout:
        raise SystemExit(f"playbook {path.name} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return elapsed


def run_floor(lab_desc: dict, device: str, steps: int) -> float:
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    with NetconfSession.from_lab(device, lab_desc, fast_send=True) as s:
        start = time.perf_counter()
        for i in range(steps):
            result = run_step(
                s, StepRequest(device, "l2_switch", "vlan", {"vlan_id": FIRST_VLAN + i, "name": f"bench.{i}"})
            )
            assert result.changed
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--device", default="sw-cell-2")
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="qbench-", dir="/tmp"))
    lab = Lab(tmp / "lab")
    try:
        lab.up()
        import json

        desc = json.loads(lab.lab_json.read_text())
        env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".venv" / "collections"),
            QSAFE_LAB_DIR=str(lab.lab_dir),
            QSAFE_STATE_DIR=str(tmp / "state"),
            ANSIBLE_NOCOLOR="1",
            PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
        )
        times: dict[str, list[float]] = {"module": [], "direct": [], "broker": [], "floor": []}
        for _run_index in range(args.repeat):
            for case in times:
                reset(desc, args.device, args.steps)
                if case == "floor":
                    times[case].append(run_floor(desc, args.device, args.steps))
                else:
                    path = tmp / f"{case}.yml"
                    path.write_text(playbook(args.steps, args.device, case))
                    times[case].append(run_playbook(path, env))
        reset(desc, args.device, args.steps)
    finally:
        lab.down()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"{args.steps} edit+commit steps (VLAN create on {args.device}), "
        f"median of {args.repeat}, wall seconds"
    )
    print(f"{'how the step is made':<58} {'median':>8} {'runs':>24} {'x floor':>8} {'x broker':>9}")
    labels = {
        "module": "ansible-playbook, module process per task",
        "direct": "ansible-playbook, action plugin, new session per task",
        "broker": "ansible-playbook, action plugin + session broker",
        "floor": "plain Python, one open session (connect excluded)",
    }
    for k, label in labels.items():
        runs = " ".join(f"{t:.3f}" for t in times[k])
        print(
            f"{label:<58} {med[k]:8.3f} {runs:>24} {med[k] / med['floor']:8.1f} {med[k] / med['broker']:9.2f}"
        )
    print(
        f"per step: module {med['module'] / args.steps * 1000:.0f} ms, "
        f"broker {med['broker'] / args.steps * 1000:.0f} ms (start-up included), "
        f"floor {med['floor'] / args.steps * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
