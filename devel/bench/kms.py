# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the lab KME (ETSI GS QKD 014 over mutual TLS on loopback).

Why: a key script fetches one AES-256 key per channel every 3 s; the paper's testbed has a
handful of channels but an operator's network has thousands. So this script measures, on
real KME processes started by qsafe_kms.lab_hook:

1. enc_keys latency (p50, p99) of one SAE on one keep-alive connection, one key per request;
2. keys/s with several client processes in parallel (one key per request; keys must come
   out of a pre-filled pool, so the source's fill rate is not what is measured here);
3. channels refreshed every 3 s: C channels, each doing enc_keys at kme-a (primary) and
   dec_keys at kme-b (secondary) once per 3 s period, spread evenly over the period, for
   --periods periods; a cycle counts as on time if it finishes within its 3 s period.
   The channels take keys from the lab's four key streams (dh, qra, qkd, qkd), so the
   pools are refilled by the real sources while the run goes on.

Steps 1-2 run for each HTTP stack side by side in one run (uvicorn h11 + asyncio, uvicorn
httptools + asyncio, uvicorn httptools + uvloop) so the ratios are measured, not assumed.
Client and servers share the machine's cores (2 here): numbers are for the whole loop.

Run from the repository root:
    .venv/bin/python devel/bench/kms.py [--requests 3000] [--seconds 5] [--channels 1000] [--periods 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / ".venv" / "collections")]

import yaml  # noqa: E402
from qsafe_kms import lab_hook  # noqa: E402
from qsafe_kms.client import KmsClient  # noqa: E402

TOPOLOGY = ROOT / "inventories/testbed/group_vars/all/topology.yml"
STACKS = [("h11", "asyncio"), ("httptools", "asyncio"), ("httptools", "uvloop")]
PAIRS = [
    ("sae-ch2-a", "sae-ch2-b"),
    ("sae-ch3-a", "sae-ch3-b"),
    ("sae-ch4-a", "sae-ch4-b"),
    ("sae-ch5-a", "sae-ch5-b"),
]


def client(info: dict, sae: str) -> KmsClient:
    s = info["saes"][sae]
    return KmsClient(info["kmes"][s["kme"]]["url"], info["ca_cert"], s["cert"], s["key"])


def wait_pool(info: dict, master: str, slave: str, count: int, timeout: float = 120.0) -> int:
    c = client(info, master)
    deadline = time.monotonic() + timeout
    while True:
        have = c.status(slave)["stored_key_count"]
        if have >= count or time.monotonic() > deadline:
            c.close()
            return have
        time.sleep(0.2)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _throughput_worker(info, master, slave, seconds, start_at, out):
    c = client(info, master)
    c.enc_keys(slave)  # connect + warm up outside the timed window
    while time.time() < start_at:
        time.sleep(0.001)
    n, errors, end = 0, 0, start_at + seconds
    while time.time() < end:
        try:
            n += len(c.enc_keys(slave))
        except Exception:  # noqa: BLE001 - counted, the run goes on
            errors += 1
    out.put((n, errors))


def bench_stack(topology, http, loop, requests, seconds, workers) -> dict:
    os.environ["QSAFE_KMS_HTTP"], os.environ["QSAFE_KMS_LOOP"] = http, loop
    need = requests + int(seconds * 6000) + 2000
    overrides = {"pool": {"target": need, "low": need // 2, "batch": 1024}, "sources": ["qra-mlkem768"]}
    with tempfile.TemporaryDirectory(prefix="kms-bench-") as tmp:
        try:
            info = lab_hook.start(Path(tmp), topology, overrides)
            master, slave = PAIRS[1]  # ch3, qra
            have = wait_pool(info, master, slave, need)
            c = client(info, master)
            for _warmup in range(50):
                c.enc_keys(slave)
            lat = []
            for _req in range(requests):
                t = time.perf_counter()
                c.enc_keys(slave)
                lat.append((time.perf_counter() - t) * 1000)
            c.close()
            q = mp.Queue()
            start_at = time.time() + 1.0
            procs = [
                mp.Process(target=_throughput_worker, args=(info, master, slave, seconds, start_at, q))
                for _worker in range(workers)
            ]
            for p in procs:
                p.start()
            results = [q.get(timeout=seconds + 60) for _proc in procs]
            for p in procs:
                p.join()
        finally:
            lab_hook.stop(Path(tmp))
    keys = sum(r[0] for r in results)
    return {
        "stack": f"uvicorn {http} + {loop}",
        "prefilled": have,
        "requests": requests,
        "p50_ms": round(statistics.median(lat), 3),
        "p99_ms": round(pct(lat, 99), 3),
        "mean_ms": round(statistics.fmean(lat), 3),
        "workers": workers,
        "keys_per_s": round(keys / seconds, 1),
        "errors": sum(r[1] for r in results),
    }


def _channel_worker(info, channels, total, period, periods, start_at, out):
    """Run channels i (global index) of `channels`; each cycle: enc at kme-a, dec at kme-b."""
    conns = {}
    for idx in channels:
        m, s = PAIRS[idx % len(PAIRS)]
        if m not in conns:
            conns[m], conns[s] = client(info, m), client(info, s)
    schedule = sorted(
        (start_at + (idx / total) * period + k * period, idx) for idx in channels for k in range(periods)
    )
    lag, late, failed = [], 0, 0
    for due, idx in schedule:
        now = time.time()
        if now < due:
            time.sleep(due - now)
        m, s = PAIRS[idx % len(PAIRS)]
        try:
            (key,) = conns[m].enc_keys(s)
            (got,) = conns[s].dec_keys(m, key.key_id)
            if got.key != key.key:
                failed += 1
        except Exception:  # noqa: BLE001 - counted
            failed += 1
            continue
        done = time.time() - due
        lag.append(done)
        if done > period:
            late += 1
    out.put((lag, late, failed))


def bench_channels(topology, channels, periods, workers, period=3.0) -> dict:
    os.environ.pop("QSAFE_KMS_HTTP", None)
    os.environ.pop("QSAFE_KMS_LOOP", None)
    per_pair = channels // len(PAIRS) + 1
    target = max(512, per_pair * 2)
    overrides = {
        "pool": {"target": target, "low": target // 2, "batch": 256},
        "sources": ["dh-x25519", "qra-mlkem768"],
    }
    with tempfile.TemporaryDirectory(prefix="kms-bench-") as tmp:
        try:
            info = lab_hook.start(Path(tmp), topology, overrides)
            for m, s in PAIRS:
                wait_pool(info, m, s, per_pair)
            q = mp.Queue()
            start_at = time.time() + 1.5
            split = [list(range(w, channels, workers)) for w in range(workers)]
            procs = [
                mp.Process(target=_channel_worker, args=(info, chs, channels, period, periods, start_at, q))
                for chs in split
            ]
            for p in procs:
                p.start()
            results = [q.get(timeout=period * periods + 120) for _proc in procs]
            for p in procs:
                p.join()
            admin = KmsClient(
                info["kmes"]["kme-a"]["url"], info["ca_cert"], info["admin"]["cert"], info["admin"]["key"]
            )
            health = admin.health()
            admin.close()
        finally:
            lab_hook.stop(Path(tmp))
    lag = [x for r in results for x in r[0]]
    cycles = channels * periods
    return {
        "channels": channels,
        "period_s": period,
        "periods": periods,
        "cycles": cycles,
        "completed": len(lag),
        "late": sum(r[1] for r in results),
        "failed": sum(r[2] for r in results),
        "lag_p50_ms": round(pct(lag, 50) * 1000, 2) if lag else None,
        "lag_p99_ms": round(pct(lag, 99) * 1000, 2) if lag else None,
        "lag_max_ms": round(max(lag) * 1000, 2) if lag else None,
        "kme_a_errors": health["errors"],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description="ETSI 014 KME benchmark on loopback")
    ap.add_argument("--requests", type=int, default=3000, help="sequential requests for the latency figures")
    ap.add_argument("--seconds", type=float, default=5.0, help="duration of the keys/s run")
    ap.add_argument("--workers", type=int, default=3, help="client processes for keys/s and channels")
    ap.add_argument("--channels", type=int, default=1000)
    ap.add_argument("--periods", type=int, default=3, help="3 s periods in the channel run")
    ap.add_argument("--stacks", default="all", help="'all' or 'default' (httptools+uvloop only)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    topology = yaml.safe_load(TOPOLOGY.read_text())
    stacks = STACKS if args.stacks == "all" else STACKS[-1:]
    print(f"cpus: {os.cpu_count()}  python: {sys.version.split()[0]}")
    out = {"stacks": []}
    for http, loop in stacks:
        r = bench_stack(topology, http, loop, args.requests, args.seconds, args.workers)
        out["stacks"].append(r)
        print(
            f"{r['stack']:32s} enc_keys p50 {r['p50_ms']:.3f} ms  p99 {r['p99_ms']:.3f} ms  "
            f"({r['requests']} sequential)  {r['keys_per_s']:.0f} keys/s with {r['workers']} clients "
            f"(errors {r['errors']})"
        )
    ch = bench_channels(topology, args.channels, args.periods, args.workers)
    out["channels"] = ch
    print(
        f"channels: {ch['channels']} every {ch['period_s']} s for {ch['periods']} periods: "
        f"{ch['completed']}/{ch['cycles']} cycles (enc at kme-a + dec at kme-b) done, {ch['late']} late, "
        f"{ch['failed']} failed; lag after due time p50 {ch['lag_p50_ms']} ms p99 {ch['lag_p99_ms']} ms "
        f"max {ch['lag_max_ms']} ms; kme-a errors: {ch['kme_a_errors'] or 'none'}"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
