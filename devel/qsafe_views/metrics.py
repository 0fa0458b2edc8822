# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Serve the slice registry's Prometheus metrics until interrupted:

    python -m qsafe_views.metrics [--port 9464] [--addr 127.0.0.1] [--topology FILE]
                                  [--state-dir DIR | --path FILE | --dsn DSN]

The registry is chosen as the playbooks choose it (options, then QSAFE_REGISTRY_DSN /
QSAFE_REGISTRY_PATH / QSAFE_STATE_DIR, then .state/). Metrics: see plugin_utils/_registry_metrics.py.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

import yaml
from ansible_collections.qsafe.slicing.plugins.plugin_utils._registry_metrics import serve_registry_metrics

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=9464)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--topology", type=Path, default=ROOT / "inventories/testbed/group_vars/all/topology.yml")
    ap.add_argument("--state-dir")
    ap.add_argument("--path")
    ap.add_argument("--dsn")
    args = ap.parse_args(argv)
    config = {k: v for k, v in (("dsn", args.dsn), ("path", args.path), ("state_dir", args.state_dir)) if v}
    if not config:
        config["state_dir"] = str(ROOT / ".state")
    server, _thread = serve_registry_metrics(
        config, yaml.safe_load(args.topology.read_text()), args.port, args.addr
    )
    print(f"registry metrics on http://{args.addr}:{args.port}/metrics", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
