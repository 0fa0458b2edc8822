# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provision + deprovision cycles of both use-case slices on the lab, against a plain-Python floor.

Why: the paper took 60-120 s per slice set-up or tear-down (its Figure 6, 100 runs each); our
target is p50 <= 5 s per slice and phase, and at most 2x the cost of the same device changes made
by a bare script. So, in one run, on one lab:

- "playbook": `ansible-playbook playbooks/<use case>_slice.yml` (provision) and
  `... -e slice_state=absent` (deprovision), wall time of the whole command, as an operator runs
  it (interpreter start, inventory, lock, planning, registry, device steps, confirm). Each run is
  checked (rc 0) and the per-step times (wall time of each step as the task saw it, waiting for
  the device's session included) are read back from the registry.
- "floor": a plain Python script doing the same device changes with ncclient (the project's
  session layer with the tick fix and the same payload builders): connect to each device on first
  use, the same steps in the same order with confirmed commits and one persist-id, confirm every
  touched device, close. No Ansible, no registry, no planning (the plan is computed untimed).
- "preconnect floor": the same script with the connection strategy of the playbook's session
  broker (every device's session opened in the background, 4 at a time in first-use order, each
  step waiting only for its own device). The playbook uses it, so the honest ratio for Ansible's
  own overhead is against this one; both ratios are printed.

Every cycle checks that deprovision left every device's running configuration as it was.

Run from the repository root:
  .venv/bin/python devel/bench/provision.py [--cycles 100] [--use-cases enterprise_app,cdn]
      [--out devel/bench/out]
Writes <out>/provision.json after every cycle (the run's command, start, load average and, per use
case, one record per cycle with every timing and the load average at its end; plus the series per
phase), then draws from that file <out>/provision_hist.png and the paper's Figure 6 form
<out>/provision_fig6.{png,svg} (qsafe_views.timeline.draw_histograms), and prints a Markdown table
(p50/p95 per use case and phase, floors, ratios p50/p50). A run that stops early leaves the cycles
done so far in the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / ".venv" / "collections"), str(ROOT)]

import yaml  # noqa: E402
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import (  # noqa: E402
    plan_from_documents,
)
from qsafe_lab import Lab  # noqa: E402

from tests.integration.provisioning.harness import (  # noqa: E402
    config_differences,
    open_registry,
    run_playbook,
    running_configs,
)

TOPOLOGY = yaml.safe_load((ROOT / "inventories/testbed/group_vars/all/topology.yml").read_text())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(q * len(ordered))) - 1))]


def floor_run(desc: dict, steps: list[dict], state: str, preconnect: bool = False) -> float:
    """The same device changes as the playbook, by a bare script; returns wall seconds.

    preconnect=False: connect to each device on first use, one after the other (what a plain script
    does). preconnect=True: the strategy the playbook's broker uses - every device's session opened
    in the background, CONNECT_WORKERS at a time in first-use order, each step waiting only for its
    own device - so the ratio against it is Ansible's own overhead.
    """
    from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import (
        CommitOptions,
        StepRequest,
        finish_commit,
        run_step,
    )
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession
    from ansible_collections.qsafe.slicing.plugins.plugin_utils._netconf_broker import CONNECT_WORKERS

    persist = f"floor-{uuid.uuid4().hex}"
    ordered = steps if state == "present" else list(reversed(steps))
    devices = list(dict.fromkeys(step["device"] for step in ordered))
    started = time.perf_counter()
    sessions: dict[str, NetconfSession] = {}
    touched: list[str] = []
    pool = ThreadPoolExecutor(max_workers=CONNECT_WORKERS) if preconnect else None
    pending = {}
    if pool is not None:
        pending = {d: pool.submit(lambda d=d: NetconfSession.from_lab(d, desc).connect()) for d in devices}
    try:
        for step in ordered:
            device = step["device"]
            if device not in sessions:
                if device in pending:
                    sessions[device] = pending.pop(device).result()
                else:
                    sessions[device] = NetconfSession.from_lab(device, desc).connect()
            request = StepRequest(
                device=device,
                kind=step["kind"],
                operation=step["operation"],
                params=dict(step["params"]),
                state=state,
                commit=CommitOptions(mode="confirmed", confirm_timeout=120, persist_id=persist),
                name=step["name"],
            )
            if run_step(sessions[device], request).changed and device not in touched:
                touched.append(device)
        for device in touched:
            finish_commit(sessions[device], "confirm", persist)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        leftovers = [f.result() for f in pending.values() if f.exception() is None]
        for session in [*sessions.values(), *leftovers]:
            session.close()
    return time.perf_counter() - started


def step_seconds(state_dir: pathlib.Path, slice_id: str) -> float:
    with open_registry(state_dir) as registry:
        record = registry.get(slice_id)
    return sum(s["seconds"] for s in record["steps"])


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _write(results: dict, path: pathlib.Path) -> None:
    """Write the results so far (atomically: a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.part")
    partial.write_text(json.dumps(results, indent=1))
    partial.replace(path)


def bench(cycles: int, use_cases: list[str], out: pathlib.Path, command: str = "") -> dict:
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="qbench-", dir="/tmp"))
    lab = Lab(tmp / "lab")
    path = out / "provision.json"
    results: dict = {
        "cycles": cycles,
        "command": command,
        "started_at": _now(),
        "cpus": os.cpu_count(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "complete": False,
        "use_cases": {},
    }
    try:
        lab.up()
        desc = json.loads(lab.lab_json.read_text())
        baseline = running_configs(desc)
        for use_case in use_cases:
            doc = yaml.safe_load((ROOT / "slices" / f"{use_case}.yml").read_text())
            slice_id = doc["slice"]["id"]
            steps = plan_from_documents(doc, TOPOLOGY, with_steps=True)["steps"]
            state_dir = tmp / f"state-{use_case}"
            state_dir.mkdir()
            series: dict[str, list[float]] = {
                k: []
                for k in (
                    "provision",
                    "deprovision",
                    "provision_steps",
                    "deprovision_steps",
                    "floor_provision",
                    "floor_deprovision",
                    "floorpc_provision",
                    "floorpc_deprovision",
                )
            }
            records: list[dict] = []
            results["use_cases"][use_case] = {"steps": len(steps), "series": series, "cycles": records}
            for cycle in range(cycles):
                for phase, extra in (("provision", None), ("deprovision", {"slice_state": "absent"})):
                    run = run_playbook(f"{use_case}_slice.yml", lab.lab_dir, state_dir, extra)
                    if run.rc != 0:
                        raise SystemExit(f"{use_case} {phase} cycle {cycle} failed:\n{run.stdout[-3000:]}")
                    series[phase].append(run.seconds)
                    series[f"{phase}_steps"].append(step_seconds(state_dir, slice_id))
                series["floor_provision"].append(floor_run(desc, steps, "present"))
                series["floor_deprovision"].append(floor_run(desc, steps, "absent"))
                series["floorpc_provision"].append(floor_run(desc, steps, "present", preconnect=True))
                series["floorpc_deprovision"].append(floor_run(desc, steps, "absent", preconnect=True))
                left = config_differences(baseline, running_configs(desc))
                if left:
                    raise SystemExit(f"{use_case} cycle {cycle}: devices not back to start-up config: {left}")
                records.append(
                    {
                        "cycle": cycle + 1,
                        "finished_at": _now(),
                        "loadavg": [round(x, 2) for x in os.getloadavg()],
                        **{name: round(values[-1], 4) for name, values in series.items()},
                    }
                )
                _write(results, path)
                print(
                    f"{use_case} cycle {cycle + 1}/{cycles}: provision {series['provision'][-1]:.2f} s "
                    f"(floor {series['floor_provision'][-1]:.2f} s, preconnect "
                    f"{series['floorpc_provision'][-1]:.2f} s), "
                    f"deprovision {series['deprovision'][-1]:.2f} s "
                    f"(floor {series['floor_deprovision'][-1]:.2f} s, preconnect "
                    f"{series['floorpc_deprovision'][-1]:.2f} s)",
                    flush=True,
                )
    finally:
        lab.down()
    results.update(complete=True, finished_at=_now(), loadavg_end=[round(x, 2) for x in os.getloadavg()])
    _write(results, path)
    return results


def table(results: dict) -> str:
    """Markdown table: p50/p95 per use case and phase, both floors and the ratios (p50 / p50)."""
    lines = [
        "| use case | phase | steps | p50 s | p95 s | steps s p50 | floor p50 | floor p95 | ratio | "
        "preconnect floor p50 | ratio to it |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for use_case, data in results["use_cases"].items():
        s = data["series"]
        for phase in ("provision", "deprovision"):
            p50, p95 = statistics.median(s[phase]), pct(s[phase], 0.95)
            f50, f95 = statistics.median(s[f"floor_{phase}"]), pct(s[f"floor_{phase}"], 0.95)
            g50 = statistics.median(s[f"floorpc_{phase}"])
            lines.append(
                f"| {use_case} | {phase} | {data['steps']} | {p50:.2f} | {p95:.2f} | "
                f"{statistics.median(s[f'{phase}_steps']):.2f} | {f50:.2f} | {f95:.2f} | {p50 / f50:.2f} | "
                f"{g50:.2f} | {p50 / g50:.2f} |"
            )
    return "\n".join(lines)


def histograms(results: dict, path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = list(results["use_cases"])
    fig, axes = plt.subplots(len(cases), 2, figsize=(10, 3.2 * len(cases)), squeeze=False)
    for row, use_case in enumerate(cases):
        s = results["use_cases"][use_case]["series"]
        for col, phase in enumerate(("provision", "deprovision")):
            ax = axes[row][col]
            ax.hist(s[phase], bins=20, color="tab:blue", alpha=0.8, label="ansible-playbook")
            ax.hist(s[f"floor_{phase}"], bins=20, color="tab:gray", alpha=0.8, label="ncclient floor")
            ax.hist(
                s[f"floorpc_{phase}"], bins=20, color="tab:orange", alpha=0.8, label="floor, preconnect"
            )
            ax.set_title(f"{use_case}: {phase} ({len(s[phase])} runs)")
            ax.set_xlabel("seconds")
            ax.set_ylabel("runs")
            ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--use-cases", default="enterprise_app,cdn")
    ap.add_argument("--out", default=str(ROOT / "devel" / "bench" / "out"))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    command = shlex.join([".venv/bin/python", "devel/bench/provision.py", *sys.argv[1:]])
    bench(args.cycles, args.use_cases.split(","), out, command)
    # The pictures are drawn from the file the run wrote (python -m qsafe_views --bench FILE redraws them).
    results = json.loads((out / "provision.json").read_text())
    histograms(results, out / "provision_hist.png")
    from qsafe_views.timeline import draw_histograms

    fig6 = draw_histograms(results, out / "provision_fig6")["files"]
    print()
    print(table(results))
    print(f"\nhistograms: {out / 'provision_hist.png'}, Fig. 6 form: {', '.join(fig6)}; raw series: "
          f"{out / 'provision.json'}")


if __name__ == "__main__":
    main()
