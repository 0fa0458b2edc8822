# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type of the NETCONF layer.

Why one type: every caller (modules, action plugins, the orchestrator's rollback) needs the same
facts to report a failed step: which device, which operation, the server's error-tag and
error-path, and its message. Transport failures use the same type with a pseudo error-tag
("session-closed", "transport-error", "connect-failed", "timeout") so callers catch one thing.
"""

from __future__ import annotations

from typing import Any


class NetconfOperationError(Exception):
    """A NETCONF operation on one device failed."""

    def __init__(
        self,
        device: str,
        operation: str,
        message: str,
        error_tag: str | None = None,
        error_path: str | None = None,
        error_type: str | None = None,
        error_app_tag: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.device = device
        self.operation = operation
        self.message = message
        self.error_tag = error_tag
        self.error_path = error_path
        self.error_type = error_type
        self.error_app_tag = error_app_tag
        self.errors = errors or []
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [f"device {self.device}: {self.operation} failed"]
        if self.error_tag:
            parts.append(f"[{self.error_tag}]")
        if self.error_path:
            parts.append(f"at {self.error_path}")
        return " ".join(parts) + f": {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for module results (`fail_json(**err.to_dict())`)."""
        return {
            "msg": str(self),
            "device": self.device,
            "operation": self.operation,
            "error_tag": self.error_tag,
            "error_path": self.error_path,
            "error_type": self.error_type,
            "error_app_tag": self.error_app_tag,
            "error_message": self.message,
        }


class NetconfConnectError(NetconfOperationError):
    """The session could not be opened (refused, host key not verified, auth failed)."""
