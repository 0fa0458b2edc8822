# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device-module tests run against the real lab (qsafe_lab fixtures: temp dir, free ports, always stopped)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import DeviceConnection
from qsafe_lab.pytest_plugin import lab, lab_faults  # noqa: F401

__all__ = ["connection", "lab", "lab_faults", "open_session"]


def connection(lab: Any, device: str) -> DeviceConnection:  # noqa: F811 - the fixture value
    entry = lab.desc["devices"][device]
    return DeviceConnection(device, entry["host"], entry["port"], entry["user"], entry["key_file"],
                            entry["known_hosts"], timeout=10.0)


@pytest.fixture
def open_session(lab: Any) -> Iterator[Any]:  # noqa: F811
    """Factory of connected sessions (fast send, like the broker's), all closed after the test."""
    sessions = []

    def factory(device: str) -> Any:
        s = lab.session(device, fast_send=True, timeout=10.0).connect()
        sessions.append(s)
        return s

    yield factory
    for s in sessions:
        s.close()
