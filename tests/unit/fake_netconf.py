# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake NETCONF session: the connection layer replaced, everything above it real.

It stands in for netconf.session.NetconfSession (same methods) with two datastores held as
<data> XML. An edit turns the candidate into `after` (the device's answer to that edit, given by
the test), a commit copies candidate to running, discard copies running to candidate. Every RPC is
recorded in `calls`; `fail` scripts errors: operation -> exceptions raised by its next calls.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError

EMPTY = '<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>'


class FakeSession:
    def __init__(
        self,
        device: str = "dev-1",
        running: str = EMPTY,
        after: str | None = None,
        fail: dict[str, list[BaseException]] | None = None,
        platform: str = "openconfig_2016",
    ) -> None:
        self.device = device
        # The canned replies of the tests that use this fake are in the 2016 OpenConfig model (the
        # top-level /vlans); the payloads of each platform are tested in test_handlers.py.
        self.platform = platform
        self.running = running
        self.candidate = running
        self.after = after
        self.fail = {op: list(errors) for op, errors in (fail or {}).items()}
        self.calls: list[tuple[str, Any]] = []
        self.connected = True
        self.session_id = "1"
        self.closed = False

    def ops(self) -> list[str]:
        return [call[0] for call in self.calls]

    def _rpc(self, op: str, arg: Any = None) -> None:
        if not self.connected:
            raise NetconfOperationError(self.device, op, "session closed", error_tag="session-closed")
        self.calls.append((op, arg))
        errors = self.fail.get(op)
        if errors:
            error = errors.pop(0)
            if getattr(error, "error_tag", None) == "session-closed":
                self.connected = False
            raise error

    def connect(self) -> FakeSession:
        return self

    def close(self) -> None:
        self.connected = False
        self.closed = True

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lock(self, target: str = "candidate") -> None:
        self._rpc("lock", target)

    def unlock(self, target: str = "candidate") -> None:
        self._rpc("unlock", target)

    def discard_changes(self) -> None:
        self._rpc("discard-changes")
        self.candidate = self.running

    def get_config(self, source: str = "running", filter: Any = None) -> str:  # noqa: A002
        self._rpc("get-config", source)
        return self.running if source == "running" else self.candidate

    def edit_config(self, config: str, target: str = "candidate", **options: Any) -> None:
        self._rpc("edit-config", config)
        if self.after is not None:
            self.candidate = self.after

    def commit(self, confirmed: bool = False, timeout: Any = None, persist: Any = None,
               persist_id: Any = None) -> None:
        self._rpc("commit", {"confirmed": confirmed, "timeout": timeout, "persist": persist,
                             "persist_id": persist_id})
        self.running = self.candidate

    def cancel_commit(self, persist_id: str | None = None) -> None:
        self._rpc("cancel-commit", persist_id)


def rpc_error(op: str, tag: str, message: str = "refused", path: str | None = None,
              device: str = "dev-1") -> NetconfOperationError:
    return NetconfOperationError(device, op, message, error_tag=tag, error_path=path, error_type="rpc")
