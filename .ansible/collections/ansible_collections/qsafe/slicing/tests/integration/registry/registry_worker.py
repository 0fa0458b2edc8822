# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A separate controller process for the registry race and lock tests.

Usage: registry_worker.py '<json job>'. The job names the registry ({"dsn": ...} or
{"path": ...}) and an action. The worker opens its own registry, prints `ready`, and for
racing actions waits for a line on stdin so that every racer starts at the same moment.
Results are printed as one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    RegistryError,
    open_registry,
)


def say(obj) -> None:
    print(json.dumps(obj) if not isinstance(obj, str) else obj, flush=True)


def main() -> None:
    job = json.loads(sys.argv[1])
    registry = open_registry(dsn=job.get("dsn"), path=job.get("path"))
    action = job["action"]
    if action == "reserve":
        say("ready")
        sys.stdin.readline()
        try:
            registry.reserve(
                job["slice_id"], {"slice": {"id": job["slice_id"]}}, job["plan"], job["capacities"]
            )
            say({"ok": True, "slice_id": job["slice_id"]})
        except RegistryError as exc:
            say({"ok": False, "slice_id": job["slice_id"], "error": type(exc).__name__, "message": str(exc)})
    elif action == "hold_lock":
        info = registry.acquire_lock(timeout_s=job.get("timeout_s", 10), holder=job["holder"])
        if job.get("provision"):
            registry.set_state(job["provision"], "provisioning")
        say({"locked": True, "info": info})
        hold_s = job.get("hold_s")
        if hold_s is None:
            sys.stdin.readline()  # hold until told (or killed)
        else:
            time.sleep(hold_s)
        registry.release_lock()
        say({"released": True})
    else:
        raise SystemExit(f"unknown action {action!r}")
    registry.close()


if __name__ == "__main__":
    main()
