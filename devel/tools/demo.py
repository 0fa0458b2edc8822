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
rotated keys stay in the encryptor cards' key banks (only key-id/key-material, the banks exist
from start-up), so the final comparison with the start-up configuration ignores the key banks
and says so.

Run from the repository root:  .venv/bin/python devel/tools/demo.py [--keep-lab] [--watch-keys 7]
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
import xml.etree.ElementTree as ET  # noqa: S405 - parses replies of the lab's own devices

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


def key_streams(desc: dict) -> dict[str, dict[str, str]]:
    """(host, stream) -> enabled / refresh / current key ID / last rotation, read from running config."""
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    found: dict[str, dict[str, str]] = {}
    for host in KEY_HOSTS:
        with NetconfSession.from_lab(host, desc) as session:
            reply = session.get_config("running", ("subtree", f'<key-streams xmlns="{KS_NS}"/>'))
        data = ET.fromstring(reply)  # noqa: S314 - the lab's own device
        for stream in data.iter(f"{{{KS_NS}}}stream"):

            def text(*path: str, _s=stream) -> str:
                node = _s
                for part in path:
                    node = node.find(f"{{{KS_NS}}}{part}") if node is not None else None
                return node.text if node is not None and node.text else "-"

            found[f"{host}/{text('name')}"] = {
                "method": text("method"),
                "role": text("role"),
                "refresh_s": text("refresh-interval"),
                "key_id": text("status", "current-key-id"),
                "rotated": text("status", "last-rotation"),
            }
    return found


def show_keys(watch_s: float) -> None:
    """Print the key streams twice, watch_s apart, and say whether key IDs moved (rotation)."""
    desc = lab_desc()
    first = key_streams(desc)
    time.sleep(watch_s)
    second = key_streams(desc)
    print(f"\nkey streams (read twice, {watch_s:.0f} s apart, from {', '.join(KEY_HOSTS)}):")
    print(f"{'stream':<16} {'method':<7} {'role':<10} {'refresh':>7}  key ID then -> now")
    for name in sorted(second):
        a, b = first.get(name, {}), second[name]
        moved = (
            "rotated"
            if a.get("key_id") not in (None, "-", b["key_id"])
            else ("no rotation reported" if b["key_id"] == "-" else "same key")
        )
        print(
            f"{name:<16} {b['method']:<7} {b['role']:<10} {b['refresh_s']:>7}  "
            f"{a.get('key_id', '-')} -> {b['key_id']}  ({moved})"
        )
    if not second:
        print("(no key streams configured)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep-lab", action="store_true", help="leave the lab running at the end")
    ap.add_argument("--watch-keys", type=float, default=7.0, help="seconds between the two key reads")
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
        started = time.perf_counter()
        playbook("slice_status.yml")
        show_keys(args.watch_keys)
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
