# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: lab up, provision both use-case slices, show their status, deprovision, lab down.

Every phase is a real `ansible-playbook` run of the collection's playbooks against the lab
(the same commands an operator types); the script only sequences them, streams their output,
reads the key streams' state from the key hosts over NETCONF (to show keys rotating), checks
that the devices are back to their start-up configuration at the end, and prints each phase's
wall time.

Key rotation needs the key-script daemons (qsafe_kms.key_script, one per key host; on a real
network they run on the key hosts). Neither `qsafe_lab up` nor the KMS lab hook starts them, so
the demo does, right after lab up (`key_script.spawn`, logs under <lab dir>/keyscripts), and
stops them before lab down. Provisioning drives them only by writing the stream entries. The
rotated keys are in the cards' key-bank agents, not in the configuration the comparison with the
start-up configuration reads (it still cuts out any key banks, and says so).

Run from the repository root:
  .venv/bin/python devel/tools/demo.py [--keep-lab] [--watch-keys 30] [--pictures .pictures]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / ".venv" / "collections"), str(ROOT)]

KS_NS = "urn:qsafe:yang:key-stream"
KEY_HOSTS = ("keys-a", "keys-b")
KEY_BANKS = re.compile(r"<key-banks>.*?</key-banks>", re.S)


def lab_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("QSAFE_LAB_DIR") or ROOT / ".lab")


def without_key_banks(configs: dict[str, str]) -> dict[str, str]:
    """Running configs with the cards' key banks cut out (the key scripts rotate keys there)."""
    return {device: KEY_BANKS.sub("<key-banks/>", text) for device, text in configs.items()}


def playbook(name: str, *args: str) -> float:
    """Run one playbook with its output streamed; return wall seconds; stop the demo if it fails."""
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".venv" / "collections"),
        PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    argv = [
        str(ROOT / ".venv" / "bin" / "ansible-playbook"),
        "-i",
        "inventories/testbed",
        f"playbooks/{name}",
        *args,
    ]
    print(f"\n$ {' '.join(argv[1:])}", flush=True)
    started = time.perf_counter()
    rc = subprocess.call(argv, cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    if rc != 0:
        raise SystemExit(f"demo stopped: {name} {' '.join(args)} failed (rc {rc}) after {seconds:.1f} s")
    return seconds


def lab_desc() -> dict:
    return json.loads((lab_dir() / "lab.json").read_text())


def read_key_streams(sessions: dict) -> dict[str, list[dict]]:
    """Each key host's streams with the status its key-script daemon writes (key IDs, never keys)."""
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import parse_key_streams

    return {
        host: parse_key_streams(session.get_config("running", ("subtree", f'<key-streams xmlns="{KS_NS}"/>')))
        for host, session in sessions.items()
    }


def watch_keys(rotations: int = 2, timeout_s: float = 30.0, poll_s: float = 0.5) -> bool:
    """Read both key hosts every poll_s until every stream has been seen rotating `rotations` times
    with both ends on the same key ID each time (or timeout_s); print each rotation as seen and a
    table at the end. True when every stream did."""
    import datetime as dt

    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import (
        format_table,
        key_stream_rows,
    )

    desc = lab_desc()
    sessions = {host: NetconfSession.from_lab(host, desc).connect() for host in KEY_HOSTS}
    agreed: dict[str, list[str]] = {}
    rows: list[dict] = []
    started = time.monotonic()
    print(
        f"\nkey streams, read from {' and '.join(KEY_HOSTS)} every {poll_s} s"
        f" until each rotated {rotations}x:"
    )
    try:
        while True:
            rows = key_stream_rows(read_key_streams(sessions), dt.datetime.now(dt.UTC))
            for row in rows:
                ids = agreed.setdefault(row["stream"], [])
                if row["agree"] and (not ids or ids[-1] != row["current_key_id"]):
                    ids.append(row["current_key_id"])
                    what = "first key seen" if len(ids) == 1 else f"rotation {len(ids) - 1}"
                    print(
                        f"  {time.monotonic() - started:5.1f} s  {row['stream']:<24} {row['method']:<6} "
                        f"{what:<14} key ID {row['current_key_id']} on both ends",
                        flush=True,
                    )
            done = bool(rows) and all(len(agreed.get(r["stream"], [])) > rotations for r in rows)
            if done or time.monotonic() - started > timeout_s:
                break
            time.sleep(poll_s)
    finally:
        for session in sessions.values():
            session.close()
    if not rows:
        print("(no key streams configured)")
        return False
    print(
        format_table(
            [
                "key stream",
                "method",
                "rotations seen",
                "key IDs agreed on both ends",
                "key age s",
                "ends agree",
            ],
            [
                [
                    r["stream"],
                    r["method"],
                    max(0, len(agreed.get(r["stream"], [])) - 1),
                    " > ".join(i[:8] for i in agreed.get(r["stream"], [])),
                    r["key_age_s"],
                    r["agree"],
                ]
                for r in rows
            ],
            numeric=(2, 4),
        )
    )
    if not done:
        print(f"NOT every stream rotated {rotations}x with both ends agreeing within {timeout_s:.0f} s")
    return done


def registry_records() -> list[dict]:
    """The slice records of the registry the playbooks use (the project's .state/ by default)."""
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import open_registry

    with open_registry(project_dir=str(ROOT)) as registry:
        return registry.list()


def write_pictures(provisioned: list[dict], out: pathlib.Path) -> list[str]:
    """The network with the slices as they were provisioned and each slice's provisioning timeline."""
    import yaml
    from qsafe_views.__main__ import write_pictures as draw

    topology = yaml.safe_load((ROOT / "inventories/testbed/group_vars/all/topology.yml").read_text())
    return draw(provisioned, topology, out, ROOT / "devel/bench/out/provision.json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep-lab", action="store_true", help="leave the lab running at the end")
    ap.add_argument(
        "--watch-keys",
        type=float,
        default=30.0,
        help="at most this many seconds to watch every key stream rotate twice",
    )
    ap.add_argument(
        "--pictures", type=pathlib.Path, default=ROOT / ".pictures", help="where the pictures go (PNG + SVG)"
    )
    args = ap.parse_args()
    times: list[tuple[str, float]] = []
    times.append(("lab up", playbook("lab_up.yml")))
    from qsafe_kms import key_script

    keyscripts = lab_dir() / "keyscripts"
    try:
        from tests.integration.provisioning.harness import config_differences, running_configs

        started = time.perf_counter()
        daemons = key_script.spawn(lab_dir() / "lab.json", list(KEY_HOSTS), keyscripts, poll_s=1.0)
        pids = ", ".join(f"{host} pid {info['pid']}" for host, info in daemons.items())
        print(f"\nkey-script daemons: {pids}", flush=True)
        times.append(("key-script daemons start", time.perf_counter() - started))
        baseline = running_configs(lab_desc())
        times.append(("provision enterprise-app-1", playbook("enterprise_app_slice.yml")))
        times.append(("provision cdn-1", playbook("cdn_slice.yml")))
        provisioned = registry_records()
        started = time.perf_counter()
        playbook("slice_status.yml")
        watch_keys(2, args.watch_keys)
        times.append(("status + key watch", time.perf_counter() - started))
        times.append(
            ("deprovision enterprise-app-1", playbook("enterprise_app_slice.yml", "-e", "slice_state=absent"))
        )
        times.append(("deprovision cdn-1", playbook("cdn_slice.yml", "-e", "slice_state=absent")))
        after = running_configs(lab_desc())
        left = config_differences(without_key_banks(baseline), without_key_banks(after))
        keys_only = sorted(set(config_differences(baseline, after)) - set(left))
        print("\ndevices back to their start-up configuration:", "yes" if not left else f"NO, differ: {left}")
        if keys_only:
            print(f"(key banks differ on {', '.join(keys_only)}: keys rotated by the key scripts)")
        started = time.perf_counter()
        files = write_pictures(provisioned, args.pictures)
        print(f"\npictures ({len(files)} files): " + ", ".join(sorted({f.rsplit(".", 1)[0] for f in files})))
        times.append(("pictures", time.perf_counter() - started))
    finally:
        key_script.terminate(keyscripts)
        if not args.keep_lab:
            times.append(("lab down", playbook("lab_down.yml")))
    print("\nphase                          seconds")
    for phase, seconds in times:
        print(f"{phase:<30} {seconds:7.2f}")
    print(f"{'total':<30} {sum(s for _, s in times):7.2f}")


if __name__ == "__main__":
    main()
