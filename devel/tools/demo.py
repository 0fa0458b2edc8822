# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: lab up, provision both use-case slices, show their status, deprovision, lab down.

Every phase is a real `ansible-playbook` run of the collection's playbooks against the lab
(the same commands an operator types); the script only sequences them, streams their output,
reads the key streams' state from the key hosts over NETCONF (to show keys rotating), checks
that the devices are back to their start-up configuration at the end, and prints each phase's
wall time and the load average.

Where the time goes (a NETCONF session costs ~0.3 s of SSH set-up idle, 1-2 s under load): the
demo opens one session per device once and keeps it for the start-up read, the key watch and the
final read; the key watch runs beside the status playbook (its observations are printed after the
status tables, each with its time from the watch's start); the pictures are drawn from a snapshot
of the registry records in a background process (python -m qsafe_views --records, lower priority)
from the end of provisioning, and the demo waits for it before lab down.

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
import threading
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


def open_sessions(desc: dict, workers: int = 6) -> dict:
    """One NETCONF session per lab device, opened in parallel and kept for the whole demo (the
    start-up and final reads of every device and the key watch share them)."""
    from concurrent.futures import ThreadPoolExecutor

    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    devices = sorted(desc["devices"])
    with ThreadPoolExecutor(max_workers=workers) as pool:
        opened = pool.map(lambda device: NetconfSession.from_lab(device, desc).connect(), devices)
        return dict(zip(devices, opened))


def running_configs(sessions: dict) -> dict[str, str]:
    """get-config running of every device, as the device sends it (compared byte for byte)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=6) as pool:
        return dict(zip(sessions, pool.map(lambda s: s.get_config("running"), sessions.values())))


def read_key_streams(sessions: dict) -> dict[str, list[dict]]:
    """Each key host's streams with the status its key-script daemon writes (key IDs, never keys)."""
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import parse_key_streams

    return {
        host: parse_key_streams(session.get_config("running", ("subtree", f'<key-streams xmlns="{KS_NS}"/>')))
        for host, session in sessions.items()
    }


class KeyWatch(threading.Thread):
    """Reads both key hosts every poll_s until every stream has been seen rotating `rotations` times
    with both ends on the same key ID each time (or timeout_s). Runs beside the status playbook;
    report() prints each rotation as it was seen (seconds from the watch's start) and a table."""

    def __init__(self, sessions: dict, rotations: int = 2, timeout_s: float = 30.0, poll_s: float = 0.5):
        super().__init__(daemon=True)
        self.sessions, self.rotations, self.timeout_s, self.poll_s = sessions, rotations, timeout_s, poll_s
        self.agreed: dict[str, list[str]] = {}
        self.rows: list[dict] = []
        self.seen: list[str] = []
        self.done = False
        self.error: str | None = None

    def run(self) -> None:
        import datetime as dt

        from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import key_stream_rows

        started = time.monotonic()
        try:
            while True:
                self.rows = key_stream_rows(read_key_streams(self.sessions), dt.datetime.now(dt.UTC))
                for row in self.rows:
                    ids = self.agreed.setdefault(row["stream"], [])
                    if row["agree"] and (not ids or ids[-1] != row["current_key_id"]):
                        ids.append(row["current_key_id"])
                        what = "first key seen" if len(ids) == 1 else f"rotation {len(ids) - 1}"
                        self.seen.append(
                            f"  {time.monotonic() - started:5.1f} s  {row['stream']:<24} {row['method']:<6} "
                            f"{what:<14} key ID {row['current_key_id']} on both ends"
                        )
                self.done = bool(self.rows) and all(
                    len(self.agreed.get(r["stream"], [])) > self.rotations for r in self.rows
                )
                if self.done or time.monotonic() - started > self.timeout_s:
                    return
                time.sleep(self.poll_s)
        except Exception as exc:  # reported, not raised: the demo goes on to remove the slices
            self.error = f"{type(exc).__name__}: {exc}"

    def report(self) -> bool:
        from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import format_table

        print(
            f"\nkey streams, read from {' and '.join(self.sessions)} every {self.poll_s} s (from the start of"
            f" the status run) until each rotated {self.rotations}x:"
        )
        print("\n".join(self.seen))
        if self.error:
            print(f"key watch failed: {self.error}")
        if not self.rows:
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
                        max(0, len(self.agreed.get(r["stream"], [])) - 1),
                        " > ".join(i[:8] for i in self.agreed.get(r["stream"], [])),
                        r["key_age_s"],
                        r["agree"],
                    ]
                    for r in self.rows
                ],
                numeric=(2, 4),
            )
        )
        if not self.done:
            print(
                f"NOT every stream rotated {self.rotations}x with both ends agreeing "
                f"within {self.timeout_s:.0f} s"
            )
        return self.done


def registry_records() -> list[dict]:
    """The slice records of the registry the playbooks use (the project's .state/ by default)."""
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import open_registry

    with open_registry(project_dir=str(ROOT)) as registry:
        return registry.list()


def start_pictures(provisioned: list[dict], out: pathlib.Path) -> subprocess.Popen:
    """Draw the network with the slices as they were provisioned and each slice's provisioning
    timeline (python -m qsafe_views on a snapshot of the registry records), in a background process
    at lower priority while the demo goes on."""
    snapshot = out / "demo-records.json"
    out.mkdir(parents=True, exist_ok=True)
    snapshot.write_text(json.dumps(provisioned))
    return subprocess.Popen(
        [sys.executable, "-m", "qsafe_views", "--records", str(snapshot), "--out", str(out), "--bench", ""],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: os.nice(5),  # noqa: PLW1509 - no threads run in the child before exec
    )


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
    demo_started = time.perf_counter()
    times: list[tuple[str, float]] = []
    times.append(("lab up", playbook("lab_up.yml")))
    from qsafe_kms import key_script

    keyscripts = lab_dir() / "keyscripts"
    sessions: dict = {}
    pictures = None
    try:
        from tests.integration.provisioning.harness import config_differences

        started = time.perf_counter()
        daemons = key_script.spawn(lab_dir() / "lab.json", list(KEY_HOSTS), keyscripts, poll_s=1.0)
        pids = ", ".join(f"{host} pid {info['pid']}" for host, info in daemons.items())
        print(f"\nkey-script daemons: {pids}", flush=True)
        times.append(("key-script daemons start", time.perf_counter() - started))
        started = time.perf_counter()
        sessions = open_sessions(lab_desc())
        baseline = running_configs(sessions)
        print(f"read the running configuration of {len(baseline)} devices (kept to compare at the end)")
        times.append(("read every device", time.perf_counter() - started))
        times.append(("provision enterprise-app-1", playbook("enterprise_app_slice.yml")))
        times.append(("provision cdn-1", playbook("cdn_slice.yml")))
        pictures = start_pictures(registry_records(), args.pictures)
        started = time.perf_counter()
        watch = KeyWatch({host: sessions[host] for host in KEY_HOSTS}, 2, args.watch_keys)
        watch.start()
        playbook("slice_status.yml")
        watch.join()
        watch.report()
        times.append(("status + key watch", time.perf_counter() - started))
        times.append(
            ("deprovision enterprise-app-1", playbook("enterprise_app_slice.yml", "-e", "slice_state=absent"))
        )
        times.append(("deprovision cdn-1", playbook("cdn_slice.yml", "-e", "slice_state=absent")))
        started = time.perf_counter()
        after = running_configs(sessions)
        left = config_differences(without_key_banks(baseline), without_key_banks(after))
        keys_only = sorted(set(config_differences(baseline, after)) - set(left))
        print("\ndevices back to their start-up configuration:", "yes" if not left else f"NO, differ: {left}")
        if keys_only:
            print(f"(key banks differ on {', '.join(keys_only)}: keys rotated by the key scripts)")
        times.append(("read every device again", time.perf_counter() - started))
        started = time.perf_counter()
        output, _ = pictures.communicate()
        files = [line for line in output.splitlines() if line.endswith((".png", ".svg"))]
        if pictures.returncode != 0:
            print(f"\npictures FAILED (rc {pictures.returncode}):\n{output[-3000:]}")
        print(f"\npictures ({len(files)} files): " + ", ".join(sorted({f.rsplit(".", 1)[0] for f in files})))
        times.append(("pictures (drawn since provisioning; waited)", time.perf_counter() - started))
    finally:
        if pictures is not None and pictures.poll() is None:
            pictures.kill()
            pictures.wait()
        for session in sessions.values():
            session.close()
        key_script.terminate(keyscripts)
        if not args.keep_lab:
            times.append(("lab down", playbook("lab_down.yml")))
    print("\nphase                                        seconds")
    for phase, seconds in times:
        print(f"{phase:<44} {seconds:7.2f}")
    print(f"{'total (wall, from lab up to lab down)':<44} {time.perf_counter() - demo_started:7.2f}")
    print(
        f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"(1, 5, 15 min; {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
