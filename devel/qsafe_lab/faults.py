# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection API: writes the per-device fault file that every session's relay consults.

Rules are checked in order before each client RPC is forwarded; the first rule whose `operation`
(e.g. "edit-config", "commit") and `match` (regex over the RPC XML) fit fires:
- action "reject": the relay answers with an <rpc-error> (error_tag, message, error_path) and
  the device never sees the RPC;
- action "drop": the relay closes the session before forwarding (the device never sees it);
- action "drop-after-reply": the RPC is forwarded and executed, the reply is swallowed and the
  session closed (the caller cannot know whether it took effect).
`times` limits how often a rule fires (None = always); `after_rpcs` skips the first N RPCs of
each session; `skip` lets the first N matching RPCs through (counted across sessions), e.g. to
reject the commit of a device's k-th step.
A device down at start: Lab(..., down_at_start={...}) or Lab.stop_device().
"""

from __future__ import annotations

import fcntl
import json
import pathlib
from typing import Any


class Faults:
    """Fault files of one lab (lab_dir/faults/<device>.json)."""

    def __init__(self, lab_dir: pathlib.Path | str) -> None:
        self.dir = pathlib.Path(lab_dir) / "faults"

    def _file(self, device: str) -> pathlib.Path:
        return self.dir / f"{device}.json"

    def add(self, device: str, rule: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self._file(device)
        path.touch()
        with open(path, "r+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            text = f.read()
            rules = json.loads(text)["rules"] if text.strip() else []
            rules.append(rule)
            f.seek(0)
            f.truncate()
            json.dump({"rules": rules}, f)

    def reject(
        self,
        device: str,
        operation: str | None = "edit-config",
        match: str | None = None,
        error_tag: str = "operation-failed",
        message: str = "injected fault",
        error_path: str | None = None,
        times: int | None = None,
        skip: int = 0,
    ) -> None:
        """Make device answer matching RPCs with an rpc-error (after letting `skip` of them through)."""
        self.add(device, {"action": "reject", "operation": operation, "match": match, "error_tag": error_tag,
                          "message": message, "error_path": error_path, "times": times, "skip": skip})

    def drop(
        self,
        device: str,
        operation: str | None = None,
        match: str | None = None,
        after_reply: bool = False,
        after_rpcs: int | None = None,
        times: int | None = 1,
        skip: int = 0,
    ) -> None:
        """Close the session on a matching RPC (before it reaches the device, or after it ran)."""
        self.add(device, {"action": "drop-after-reply" if after_reply else "drop", "operation": operation,
                          "match": match, "after_rpcs": after_rpcs, "times": times, "skip": skip})

    def rules(self, device: str) -> list[dict[str, Any]]:
        try:
            return json.loads(self._file(device).read_text())["rules"]
        except (FileNotFoundError, ValueError, KeyError):
            return []

    def clear(self, device: str | None = None) -> None:
        """Remove the faults of one device (or of all devices)."""
        files = [self._file(device)] if device else list(self.dir.glob("*.json"))
        for f in files:
            f.unlink(missing_ok=True)
