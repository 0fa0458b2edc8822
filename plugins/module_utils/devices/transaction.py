# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One device step as a NETCONF transaction: read, compute, edit, diff, commit or discard.

Order (as ansible.netcommon netconf_config): lock candidate -> discard stale candidate -> read the
step's subtree from running (before) -> compute the edit from the device's current config -> edit
candidate -> read the subtree from candidate (after) -> changed only if before != after (canonical
XML) -> commit, or discard in check mode / when nothing changed -> unlock in finally.

Check mode edits the candidate and then discards it, so the device validates the edit's types and
keys even in check mode; nothing reaches running. (Constraints checked only at commit, like
`must`/`unique` across entries, are therefore not proven by check mode.)

Confirmed commits (measured on the lab's yuma123 netconfd): while a confirmed commit is pending
the device refuses <lock> (in-use, "confirmed-commit pending"), but accepts edits and a follow-up
confirmed commit that carries the pending commit's persist-id, from any session; one cancel-commit
then reverts all of them. So a step with commit=confirmed first tries the lock: granted -> no
commit pending -> <commit confirmed persist=ID>; refused for a pending confirmed commit -> edit
without the lock (the orchestrator lock serialises writers) and <commit confirmed persist-id=ID>.

Whose pending commit is it? netconfd refuses <lock> for ANY pending confirmed commit
("cannot perform the operation with confirmed-commit pending", in-use) and does not say whose.
A follow-up <commit><confirmed/><persist-id>P</persist-id></commit> tells: it succeeds only when
the pending commit was made with P (and restarts its timer), and answers invalid-value at
/nc:rpc/nc:commit/nc:persist-id otherwise (measured; a wrong persist-id in confirm or
cancel-commit answers the same, nothing pending answers operation-failed). So a confirmed step
that finds a pending commit always sends a follow-up with its own persist-id, even when its change
is already in running (candidate discarded first, so nothing else is committed): a change found
in running counts as done only under this run's persist-id. When the pending commit is another
run's (a crashed run's unconfirmed commit, which will revert), the step cancels it if its
persist-id is one of `CommitOptions.takeover` (runs the registry knows are dead) and runs again
from the device's own configuration, re-applying the change under this run's persist-id;
otherwise it fails naming the situation (ForeignCommitPending) instead of netconfd's
"invalid value".
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    DEFAULT_PLATFORM,
    STATES,
    StepHandler,
    StepInputError,
    parse_data,
    pretty,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import failure_from
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.handlers import handler_for
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession, canonical

PENDING_MARK = "confirmed-commit pending"
COMMIT_MODES = ("plain", "confirmed")


@dataclass
class DeviceConnection:
    """How to reach one device (from the inventory's hostvars or the module's options)."""

    name: str
    host: str
    port: int
    user: str
    key_file: str
    known_hosts: str
    timeout: float = 30.0
    #: inventory `qsafe_platform`: which payload builders the device's steps use (None: default)
    platform: str | None = None

    def session_kwargs(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "device": self.name,
            "host": self.host,
            "port": int(self.port),
            "user": self.user,
            "key_file": self.key_file,
            "known_hosts": self.known_hosts,
            "timeout": self.timeout,
        }

    def open(self, fast_send: bool = True) -> NetconfSession:
        """A connected session; fast_send skips ncclient's 100 ms send tick.

        (No pause after connect any more: the first-RPC race it papered over was netconfd's, and
        the lab relay now holds client RPCs until netconfd has answered its own probe.)
        """
        return NetconfSession(**self.session_kwargs(), fast_send=fast_send).connect()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceConnection:
        missing = [k for k in ("name", "host", "port", "user", "key_file", "known_hosts") if not data.get(k)]
        if missing:
            raise StepInputError(
                f"connection.{missing[0]}",
                f"device {data.get('name')}: no value (set the inventory variable or the module option)",
            )
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass
class CommitOptions:
    mode: str = "plain"
    confirm_timeout: int = 120
    persist_id: str | None = None
    #: persist-ids of dead runs whose pending commits this run may cancel and re-apply
    takeover: tuple[str, ...] | list[str] = ()

    def check(self) -> None:
        if self.mode not in COMMIT_MODES:
            raise StepInputError("commit", f"must be one of {', '.join(COMMIT_MODES)}, got {self.mode!r}")
        if self.mode == "confirmed" and not self.persist_id:
            raise StepInputError(
                "persist_id", "is required when commit=confirmed (any session must be able to confirm)"
            )
        if int(self.confirm_timeout) < 1:
            raise StepInputError("confirm_timeout", f"must be >= 1 s, got {self.confirm_timeout}")


@dataclass
class StepRequest:
    """One step to run: what (kind/operation/params), how (state, check, diff, commit)."""

    device: str
    kind: str
    operation: str
    params: dict[str, Any]
    state: str = "present"
    check_mode: bool = False
    diff: bool = False
    commit: CommitOptions = field(default_factory=CommitOptions)
    name: str | None = None

    @property
    def step_name(self) -> str:
        return self.name or f"{self.kind}/{self.operation} on {self.device}"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepRequest:
        commit = data.get("commit") or {}
        return cls(
            device=data["device"],
            kind=data["kind"],
            operation=data["operation"],
            params=dict(data.get("params") or {}),
            state=data.get("state", "present"),
            check_mode=bool(data.get("check_mode")),
            diff=bool(data.get("diff")),
            commit=CommitOptions(**commit) if isinstance(commit, Mapping) else commit,
            name=data.get("name"),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StepResult:
    changed: bool
    device: str
    step: str
    kind: str
    operation: str
    state: str
    committed: bool = False
    commit: str | None = None
    before: str = ""
    after: str = ""
    commands: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    #: persist-id of a dead run's pending commit this step cancelled before re-applying
    took_over: str | None = None

    def to_result(self, diff: bool) -> dict[str, Any]:
        """The Ansible result dict: what was sent (commands), before/after, diff only in diff mode."""
        out = {
            "changed": self.changed,
            "device": self.device,
            "step": self.step,
            "kind": self.kind,
            "operation": self.operation,
            "state": self.state,
            "committed": self.committed,
            "commit": self.commit,
            "commands": list(self.commands),
            "before": self.before,
            "after": self.after,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }
        if diff:
            where = "running" if self.committed else "candidate"
            out["diff"] = {
                "before": self.before,
                "after": self.after,
                "before_header": f"{self.device} running ({self.step})",
                "after_header": f"{self.device} {where} ({self.step})",
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Another writer (a key script installing the next key on a card) holds the candidate lock for a
# few milliseconds at a time: wait for it rather than fail the step.
LOCK_WAIT_S = 5.0
LOCK_RETRY_S = 0.02


def _lock_waiting_for_other_writers(session: NetconfSession) -> None:
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            session.lock("candidate")
            return
        except NetconfOperationError as exc:
            if exc.error_tag != "lock-denied" or time.monotonic() >= deadline:
                raise
        time.sleep(LOCK_RETRY_S)


@contextlib.contextmanager
def _edit_guard(session: NetconfSession, request: StepRequest) -> Iterator[bool]:
    """Hold the candidate lock; yield True when a confirmed commit is pending (lock refused)."""
    try:
        _lock_waiting_for_other_writers(session)
    except NetconfOperationError as exc:
        if exc.error_tag != "in-use" or PENDING_MARK not in (exc.message or ""):
            raise
        if request.commit.mode != "confirmed" and not request.check_mode:
            raise NetconfOperationError(
                session.device,
                "lock",
                "a confirmed commit is pending on the device; a plain commit would confirm it. Confirm "
                "or cancel it first, or run this step with commit=confirmed and the same persist_id",
                error_tag="in-use",
            ) from exc
        yield True
        return
    try:
        yield False
    finally:
        if session.connected:
            with contextlib.suppress(NetconfOperationError):
                session.unlock("candidate")


class ForeignCommitPending(NetconfOperationError):
    """The device holds a confirmed commit of another run (another persist-id)."""


def _foreign(session: NetconfSession, persist_id: str | None) -> ForeignCommitPending:
    return ForeignCommitPending(
        session.device,
        "commit",
        f"a confirmed commit of another run is pending on the device (not this run's persist-id "
        f"{persist_id}); the device reverts it by itself when that run's confirm timeout ends. Wait "
        "for that and re-run, or cancel it (qsafe.slicing.netconf_confirm action=cancel with that "
        "run's persist_id)",
        error_tag="in-use",
    )


def _is_wrong_persist_id(exc: NetconfOperationError) -> bool:
    return (
        exc.error_tag == "invalid-value"
        and "persist-id" in (exc.error_path or "")
        or (exc.operation == "cancel-commit" and exc.error_tag == "invalid-value")
    )


def follow_up(session: NetconfSession, persist_id: str, timeout: int) -> str:
    """Send a no-change follow-up confirmed commit under persist_id: restarts the pending commit's
    timer. Returns "ours" (it was pending under persist_id), "none" (nothing pending any more) or
    "foreign" (another persist-id is pending). The candidate is discarded first (nothing else is
    committed; other writers edit only under the candidate lock, which nobody gets while a
    confirmed commit is pending)."""
    session.discard_changes()
    try:
        session.commit(confirmed=True, timeout=timeout, persist_id=persist_id)
    except NetconfOperationError as exc:
        if _is_wrong_persist_id(exc):
            return "foreign"
        if exc.error_tag == "operation-failed" and any(m in (exc.message or "") for m in NOT_PENDING_MARKS):
            return "none"
        raise
    return "ours"


def take_over(session: NetconfSession, takeover: tuple[str, ...] | list[str], own: str | None) -> str | None:
    """Cancel the pending commit of a dead run if its persist-id is in takeover; the one cancelled
    ("" when nothing was pending any more), None when none of them is the pending one."""
    for persist_id in takeover:
        if not persist_id or persist_id == own:
            continue
        try:
            session.cancel_commit(persist_id=persist_id)
        except NetconfOperationError as exc:
            if exc.error_tag == "invalid-value":
                continue
            if exc.error_tag == "operation-failed":
                return ""  # expired meanwhile: nothing pending
            raise
        return persist_id
    return None


def validate(request: StepRequest) -> dict[str, Any]:
    """Normalised params; raises StepInputError before anything is sent."""
    if request.state not in STATES:
        raise StepInputError("state", f"must be present or absent, got {request.state!r}")
    request.commit.check()
    return handler_for(request.kind, request.operation).validate(request.params, request.state)


def payload_handler(session: NetconfSession, kind: str, operation: str) -> StepHandler:
    """The handler that writes (kind, operation) on the session's device platform."""
    return handler_for(kind, operation, session.platform or DEFAULT_PLATFORM)


def run_step(session: NetconfSession, request: StepRequest) -> StepResult:
    """Run one step on an open session; raises DeviceStepError (already formatted) on failure."""
    started = time.perf_counter()
    try:
        params = validate(request)
        try:
            result = _transaction(session, request, params)
        except ForeignCommitPending:
            taken = take_over(session, request.commit.takeover, request.commit.persist_id)
            if taken is None:
                raise
            # The dead run's change is cancelled: apply the step again, under this run's persist-id.
            result = _transaction(session, request, params)
            result.took_over = taken or None
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise failure_from(exc, request.device, request.step_name) from exc
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


def _transaction(session: NetconfSession, request: StepRequest, params: dict[str, Any]) -> StepResult:
    handler = payload_handler(session, request.kind, request.operation)
    flt = handler.filter(params)
    ctx_flt = handler.context_filter(params)
    result = StepResult(
        False, request.device, request.step_name, request.kind, request.operation, request.state
    )
    with _edit_guard(session, request) as pending:
        session.discard_changes()
        edited = False
        try:
            before = session.get_config("running", flt)
            context = before if ctx_flt is None else session.get_config("running", ctx_flt)
            edit = handler.edit(params, request.state, parse_data(context))
            after = before
            if edit is not None:
                session.edit_config(edit)
                result.commands.append(edit)
                edited = True
                after = session.get_config("candidate", flt)
            result.changed = canonical(before) != canonical(after)
            result.before, result.after = pretty(before), pretty(after)
            opts = request.commit
            if request.check_mode or not result.changed:
                if edited:
                    session.discard_changes()
                if pending and not request.check_mode and opts.mode == "confirmed":
                    # Already in running, but a confirmed commit is pending: done only if it is ours.
                    whose = follow_up(session, str(opts.persist_id), opts.confirm_timeout)
                    if whose == "foreign":
                        raise _foreign(session, opts.persist_id)
                    result.commit = "pending-confirmed" if whose == "ours" else None
                return result
            if opts.mode == "confirmed":
                if pending:
                    try:
                        session.commit(
                            confirmed=True, timeout=opts.confirm_timeout, persist_id=opts.persist_id
                        )
                    except NetconfOperationError as exc:
                        if _is_wrong_persist_id(exc):
                            raise _foreign(session, opts.persist_id) from exc
                        raise
                    result.commit = "confirmed-follow-up"
                else:
                    session.commit(confirmed=True, timeout=opts.confirm_timeout, persist=opts.persist_id)
                    result.commit = "confirmed"
            else:
                session.commit()
                result.commit = "plain"
            result.committed = True
            return result
        except BaseException:
            if edited and session.connected:
                with contextlib.suppress(NetconfOperationError):
                    session.discard_changes()
            raise


# -- confirming / cancelling a persisted confirmed commit ------------------------------------------
NOT_PENDING_MARKS = ("not active", "operation failed")


def finish_commit(session: NetconfSession, action: str, persist_id: str) -> dict[str, Any]:
    """Confirm or cancel the pending confirmed commit `persist_id`; changed=False when none is pending.

    netconfd answers operation-failed ("persistent confirmed commit not active" for confirm, a bare
    "operation failed" for cancel) when nothing is pending: that is the idempotent no-op case.
    """
    if action not in ("confirm", "cancel"):
        raise StepInputError("action", f"must be confirm or cancel, got {action!r}")
    if not persist_id:
        raise StepInputError("persist_id", "is required")
    try:
        if action == "confirm":
            session.commit(persist_id=persist_id)
        else:
            session.cancel_commit(persist_id=persist_id)
    except NetconfOperationError as exc:
        if exc.error_tag == "operation-failed" and any(m in (exc.message or "") for m in NOT_PENDING_MARKS):
            return {"device": session.device, "changed": False, "pending": False}
        raise
    return {"device": session.device, "changed": True, "pending": True}
