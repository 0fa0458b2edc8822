# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`python -m qsafe_lab up|down|status [--lab-dir DIR] [--inventory DIR] [--down DEVICE ...]`.

Prints one JSON object (changed, lab_json, ...) so that Ansible's command tasks can report
`changed` truthfully.
"""

from __future__ import annotations

import argparse
import json
import sys

from qsafe_lab.lab import Lab, LabError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m qsafe_lab", description=__doc__)
    ap.add_argument("action", choices=["up", "down", "status"])
    ap.add_argument("--lab-dir", help="default: $QSAFE_LAB_DIR or <repo>/.lab")
    ap.add_argument("--inventory", help="inventory dir (default: <repo>/inventories/testbed)")
    ap.add_argument(
        "--down", action="append", default=[], metavar="DEVICE", help="leave DEVICE down at start"
    )
    args = ap.parse_args(argv)
    try:
        lab = Lab(args.lab_dir, args.inventory, down_at_start=set(args.down))
        result = getattr(lab, args.action)()
    except (LabError, ValueError) as exc:
        print(json.dumps({"failed": True, "msg": str(exc)}))
        return 1
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
