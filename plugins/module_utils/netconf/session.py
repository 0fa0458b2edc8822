# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small, stable NETCONF session API over ncclient, used by every device step.

Why not plain ncclient.manager.connect:
- host keys are verified against one known_hosts file (the lab's), never ~/.ssh or auto-add;
- ncclient queues each outgoing RPC for its session thread, which picks it up on a 100 ms
  select() tick, so every RPC costs ~100 ms; `fast_send=True` (default) writes the framed RPC
  to the SSH channel from the caller's thread instead (replies are already event driven). The
  change is confined to this module's SSHSession subclass; ncclient globals are untouched.
  (A first RPC sent right after the hello exposed a netconfd bug - it sat unanswered until
  more input came; the lab's relay now works around it, see devel/qsafe_lab/relay.py);
- RPC and transport failures become one exception, NetconfOperationError;
- `transaction()` is the house order: lock -> edit candidate -> diff -> commit or discard ->
  unlock in finally. It never sends <validate> (netconfd turns a commit right after a validate
  into a silent no-op); commit validates anyway.
"""

from __future__ import annotations

import contextlib
import json
import threading
import xml.etree.ElementTree as ET  # noqa: S405 - parses replies of the configured device
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import (
    NetconfConnectError,
    NetconfOperationError,
)

try:
    from ncclient.manager import Manager, make_device_handler
    from ncclient.operations import RaiseMode, RPCError
    from ncclient.operations.errors import TimeoutExpiredError
    from ncclient.transport import SSHSession
    from ncclient.transport.errors import SessionCloseError, TransportError
    from ncclient.transport.session import NetconfBase

    HAS_NCCLIENT = True
    NCCLIENT_IMPORT_ERROR: Exception | None = None
except ImportError as _exc:  # pragma: no cover - exercised only without ncclient
    HAS_NCCLIENT = False
    NCCLIENT_IMPORT_ERROR = _exc
    SSHSession = object  # type: ignore[assignment,misc]

NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _element(xml: str) -> Any:
    from ncclient.xml_ import to_ele

    return to_ele(xml)


def _require_ncclient() -> None:
    if not HAS_NCCLIENT:
        raise ImportError(f"the ncclient Python library is required: {NCCLIENT_IMPORT_ERROR}")


class _KnownHostsSSHSession(SSHSession):  # type: ignore[misc,valid-type]
    """ncclient SSH transport that trusts only one known_hosts file and can skip the send tick."""

    def __init__(self, device_handler: Any, known_hosts: str, fast_send: bool) -> None:
        super().__init__(device_handler)
        self._qs_known_hosts = known_hosts
        self._qs_fast_send = fast_send
        self._qs_send_lock = threading.Lock()

    def load_known_hosts(self, filename: str | None = None) -> None:
        # ncclient calls this with no argument (-> ~/.ssh/known_hosts); trust only our file.
        super().load_known_hosts(self._qs_known_hosts)

    def send(self, message: str) -> None:
        if not self._qs_fast_send:
            super().send(message)
            return
        if not self.connected:
            raise TransportError("Not connected to NETCONF server")
        data = message.encode()
        if self._base == NetconfBase.BASE_11:
            data = b"\n#%d\n%s\n##\n" % (len(data), data)
        else:
            data += b"]]>]]>"
        with self._qs_send_lock:
            self._channel.sendall(data)


@dataclass
class TransactionResult:
    """Outcome of NetconfSession.transaction(); before/after are <data> XML of the filter."""

    changed: bool
    before: str
    after: str
    committed: bool
    persist: str | None = None


def canonical(xml: str) -> str:
    """Whitespace-insensitive canonical form of an XML document, for before/after comparison."""
    if not xml:
        return ""
    return ET.canonicalize(xml, strip_text=True)


class NetconfSession:
    """One NETCONF session to one device. Use as a context manager, or connect()/close()."""

    def __init__(
        self,
        device: str,
        host: str,
        port: int,
        user: str,
        key_file: str,
        known_hosts: str,
        timeout: float = 30.0,
        fast_send: bool = True,
        platform: str | None = None,
    ) -> None:
        self.device = device
        #: the device's platform (inventory `qsafe_platform`): which payloads its steps use; None =
        #: the default platform
        self.platform = platform
        self.host = host
        self.port = int(port)
        self.user = user
        self.key_file = key_file
        self.known_hosts = known_hosts
        self.timeout = timeout
        self.fast_send = fast_send
        self._mgr: Any = None

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_lab(
        cls, device: str, lab: dict[str, Any] | str, identity: str = "operator", **kwargs: Any
    ) -> NetconfSession:
        """Session parameters from a lab.json document (dict) or its path; identity operator|keyscript."""
        if isinstance(lab, str):
            with open(lab) as f:
                lab = json.load(f)
        try:
            entry = lab["devices"][device]
        except KeyError:
            raise NetconfConnectError(
                device, "connect", "device not found in lab.json", "unknown-device"
            ) from None
        key_file = entry["key_file"] if identity == "operator" else lab["users"][identity]["key_file"]
        kwargs.setdefault("platform", entry.get("platform"))
        return cls(
            device, entry["host"], entry["port"], entry["user"], key_file, entry["known_hosts"], **kwargs
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def connect(self) -> NetconfSession:
        _require_ncclient()
        handler = make_device_handler({"name": "default"})
        session = _KnownHostsSSHSession(handler, self.known_hosts, self.fast_send)
        try:
            session.connect(
                host=self.host,
                port=self.port,
                username=self.user,
                key_filename=self.key_file,
                hostkey_verify=True,
                allow_agent=False,
                look_for_keys=False,
                timeout=self.timeout,
            )
        except Exception as exc:  # noqa: BLE001 - paramiko/ncclient raise many types here
            if session.transport:
                session.close()
            raise NetconfConnectError(
                self.device, "connect", f"{type(exc).__name__}: {exc}", "connect-failed"
            ) from exc
        self._mgr = Manager(session, handler, timeout=self.timeout, raise_mode=RaiseMode.ERRORS)
        return self

    def close(self) -> None:
        """Close the session (best effort: a dropped session closes silently)."""
        mgr, self._mgr = self._mgr, None
        if mgr is None:
            return
        with contextlib.suppress(Exception):
            if mgr.connected:
                mgr.close_session()
        with contextlib.suppress(Exception):
            mgr._session.close()

    def __enter__(self) -> NetconfSession:
        return self.connect() if self._mgr is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._mgr is not None and self._mgr.connected

    @property
    def session_id(self) -> str | None:
        return self._mgr.session_id if self._mgr is not None else None

    @property
    def manager(self) -> Any:
        """The underlying ncclient Manager, for operations this class does not wrap."""
        if self._mgr is None:
            raise NetconfOperationError(self.device, "session", "not connected", "session-closed")
        return self._mgr

    # -- RPC plumbing ------------------------------------------------------------------------
    def _call(self, operation: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        mgr = self.manager
        try:
            return fn(mgr, *args, **kwargs)
        except RPCError as exc:
            raise self._rpc_error(operation, exc) from exc
        except TimeoutExpiredError as exc:
            raise NetconfOperationError(self.device, operation, str(exc), "timeout") from exc
        except (SessionCloseError, TransportError, OSError) as exc:
            # OSError: the fast send path writes to the SSH channel itself ("Socket is closed").
            raise NetconfOperationError(
                self.device, operation, f"session lost: {exc or type(exc).__name__}", "session-closed"
            ) from exc

    def _rpc_error(self, operation: str, exc: Any) -> NetconfOperationError:
        errors = [
            {
                "error_tag": e.tag,
                "error_type": e.type,
                "error_path": (e.path or "").strip() or None,
                "error_message": (e.message or "").strip(),
                "error_app_tag": getattr(e, "app_tag", None),
            }
            for e in (getattr(exc, "errors", None) or [exc])
        ]
        first = errors[0]
        return NetconfOperationError(
            self.device,
            operation,
            first["error_message"] or str(exc),
            error_tag=first["error_tag"],
            error_path=first["error_path"],
            error_type=first["error_type"],
            error_app_tag=first["error_app_tag"],
            errors=errors,
        )

    # -- operations --------------------------------------------------------------------------
    def get_config(
        self,
        source: str = "running",
        filter: str | tuple[str, str] | list[str] | None = None,  # noqa: A002
    ) -> str:
        """<data> XML of source; filter is subtree XML, a list of subtree top nodes (one filter),
        ("subtree", xml) or ("xpath", expr)."""
        flt = ("subtree", filter) if isinstance(filter, str) else filter
        reply = self._call("get-config", lambda m: m.get_config(source=source, filter=flt))
        return reply.data_xml

    def edit_config(
        self,
        config: str,
        target: str = "candidate",
        default_operation: str | None = None,
        error_option: str | None = None,
    ) -> None:
        """Edit target with config: an XML string whose root is <config> (added if missing)."""
        if not config.lstrip().startswith("<config") and not config.lstrip().startswith("<nc:config"):
            config = f'<config xmlns="{NC_NS}">{config}</config>'
        self._call(
            "edit-config",
            lambda m: m.edit_config(
                config=config, target=target, default_operation=default_operation, error_option=error_option
            ),
        )

    def lock(self, target: str = "candidate") -> None:
        self._call("lock", lambda m: m.lock(target=target))

    def unlock(self, target: str = "candidate") -> None:
        self._call("unlock", lambda m: m.unlock(target=target))

    @contextlib.contextmanager
    def locked(self, target: str = "candidate") -> Iterator[NetconfSession]:
        """Hold the datastore lock for the block; unlock in finally (skipped if the session died)."""
        self.lock(target)
        try:
            yield self
        finally:
            if self.connected:
                with contextlib.suppress(NetconfOperationError):
                    self.unlock(target)

    def discard_changes(self) -> None:
        self._call("discard-changes", lambda m: m.discard_changes())

    def commit(
        self,
        confirmed: bool = False,
        timeout: int | None = None,
        persist: str | None = None,
        persist_id: str | None = None,
    ) -> None:
        """Commit candidate; confirmed=True rolls back after timeout s unless confirmed.

        Without `persist` a confirmed commit also rolls back when this session closes; with it,
        any session may confirm (commit(persist_id=...)) or cancel (cancel_commit(persist_id)).
        confirmed=True with persist_id is a follow-up confirmed commit (timer restarts, the original
        rollback point is kept); add persist= to keep it persistent under a (possibly same) id.
        While a confirmed commit is pending, netconfd refuses <lock> and plain commits from every
        session (error-tag in-use): follow-ups are sent without a lock (see docs/lab.md).
        """
        if confirmed and persist and persist_id:
            # ncclient refuses persist together with persist-id (RFC 6241 allows it): send it raw.
            inner = "<confirmed/>"
            if timeout is not None:
                inner += f"<confirm-timeout>{int(timeout)}</confirm-timeout>"
            inner += f"<persist>{_xml_text(persist)}</persist>"
            inner += f"<persist-id>{_xml_text(persist_id)}</persist-id>"
            self._call("commit", lambda m: m.dispatch(_element(f'<commit xmlns="{NC_NS}">{inner}</commit>')))
            return
        self._call(
            "commit",
            lambda m: m.commit(
                confirmed=confirmed,
                timeout=str(int(timeout)) if timeout is not None else None,
                persist=persist,
                persist_id=persist_id,
            ),
        )

    def cancel_commit(self, persist_id: str | None = None) -> None:
        self._call("cancel-commit", lambda m: m.cancel_commit(persist_id=persist_id))

    def transaction(
        self,
        config: str,
        filter: str | tuple[str, str] | None = None,  # noqa: A002
        check_mode: bool = False,
        confirmed: bool = False,
        confirm_timeout: int | None = None,
        persist: str | None = None,
        default_operation: str | None = None,
    ) -> TransactionResult:
        """lock -> discard stale candidate -> edit -> diff running/candidate -> commit or discard -> unlock.

        `changed` comes from comparing running (before) and candidate (after) under `filter`
        (whole config if None). Unchanged or check_mode: discard-changes, no commit.
        """
        with self.locked("candidate"):
            self.discard_changes()
            try:
                before = self.get_config("running", filter)
                self.edit_config(config, default_operation=default_operation)
                after = self.get_config("candidate", filter)
                changed = canonical(before) != canonical(after)
                if check_mode or not changed:
                    self.discard_changes()
                    return TransactionResult(changed, before, after, committed=False)
                self.commit(confirmed=confirmed, timeout=confirm_timeout, persist=persist)
                return TransactionResult(changed, before, after, committed=True, persist=persist)
            except BaseException:
                if self.connected:
                    with contextlib.suppress(NetconfOperationError):
                        self.discard_changes()
                raise


def _with_new_session(params: dict[str, Any], action: Any) -> None:
    with NetconfSession(**params) as s:
        action(s)


def confirm_commit(params: dict[str, Any], persist_id: str) -> None:
    """Confirm a persisted confirmed commit from a NEW session (params: NetconfSession kwargs)."""
    _with_new_session(params, lambda s: s.commit(persist_id=persist_id))


def cancel_commit(params: dict[str, Any], persist_id: str) -> None:
    """Cancel (roll back) a persisted confirmed commit from a NEW session."""
    _with_new_session(params, lambda s: s.cancel_commit(persist_id=persist_id))
