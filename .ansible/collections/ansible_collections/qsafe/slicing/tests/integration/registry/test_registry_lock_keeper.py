# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lock keeper holds the orchestrator lock across tasks and dies with the play."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import LockTimeout
from ansible_collections.qsafe.slicing.plugins.plugin_utils._lock_keeper import (
    start_lock_keeper,
    stop_lock_keeper,
)

from tests.integration.registry.plans import CAPACITIES, link_plan


@pytest.fixture
def play():
    """A stand-in for the ansible-playbook process the keeper watches."""
    proc = subprocess.Popen(["sleep", "60"])
    yield proc
    proc.kill()
    proc.wait()


@pytest.fixture
def keepers():
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _wait_until(predicate, timeout_s: float = 5.0) -> float:
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < timeout_s, "condition not reached in time"
        time.sleep(0.02)
    return time.monotonic() - start


def test_keeper_holds_the_lock_until_stopped(registry, registry_config, play, keepers):
    info = start_lock_keeper(registry_config, "play-1", timeout_s=5, watch_pid=play.pid)
    keepers.append(info["keeper_pid"])
    assert info["keeper_pid"] != os.getpid()
    live = registry.lock_holder()
    assert (live["holder"], live["token"], live["pid"]) == ("play-1", info["token"], info["keeper_pid"])
    with pytest.raises(LockTimeout, match=r"held by 'play-1' \(pid \d+ on host .*\) since .*; gave up"):
        start_lock_keeper(registry_config, "play-2", timeout_s=0.3, watch_pid=play.pid)
    assert stop_lock_keeper(registry_config, info["token"], info["keeper_pid"]) is True
    assert registry.lock_holder() is None
    assert stop_lock_keeper(registry_config, info["token"], info["keeper_pid"]) is False


def test_keeper_releases_when_the_play_dies(registry, registry_config, play, keepers):
    info = start_lock_keeper(registry_config, "play-1", timeout_s=5, watch_pid=play.pid)
    keepers.append(info["keeper_pid"])
    play.kill()
    play.wait()
    assert _wait_until(lambda: registry.lock_holder() is None) < 3.0
    nxt = start_lock_keeper(registry_config, "play-2", timeout_s=5, watch_pid=os.getpid())
    keepers.append(nxt["keeper_pid"])
    assert registry.lock_holder()["holder"] == "play-2"
    assert stop_lock_keeper(registry_config, nxt["token"], nxt["keeper_pid"]) is True


def test_slice_owned_through_a_keeper_is_stale_only_after_the_keeper_dies(
    registry, registry_config, play, keepers
):
    registry.reserve("ent-1", {}, link_plan("ent-1", "metro1-core1-qkd-4", 100, 10), CAPACITIES)
    info = start_lock_keeper(registry_config, "play-1", timeout_s=5, watch_pid=play.pid)
    keepers.append(info["keeper_pid"])
    registry.set_state("ent-1", "provisioning", holder="play-1", lock_token=info["token"])
    assert registry.stale() == []
    os.kill(info["keeper_pid"], signal.SIGKILL)
    _wait_until(lambda: registry.lock_holder() is None)
    assert [r["id"] for r in registry.stale()] == ["ent-1"]
