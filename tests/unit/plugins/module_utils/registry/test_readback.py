# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""rolled_back only for what was read back gone; the rest rollback_failed, named per device."""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.readback import (
    holding_devices,
    partial_message,
    undo_status,
)

STEPS = [
    {"index": 1, "name": "a", "device": "sw"},
    {"index": 2, "name": "b", "device": "tce"},
    {"index": 3, "name": "c", "device": "ots"},
]
READBACK = {
    "mismatched": [{"index": 2, "name": "b", "device": "tce", "why": "client port c1 is still there"}],
    "devices": [
        {"device": "sw", "verified": True},
        {"device": "tce", "verified": False},
        {"device": "ots", "msg": "connect failed", "error_tag": "connect-failed", "error_message": "refused"},
    ],
}


def test_statuses_follow_the_read_back():
    held = holding_devices(READBACK)
    assert [undo_status(s, held, READBACK) for s in STEPS] == [
        "rolled_back",
        "rollback_failed",
        "rollback_failed",
    ]
    assert [undo_status(s, {}, None) for s in STEPS] == ["rollback_failed"] * 3


def test_message_names_each_device_and_undo_failure():
    held = holding_devices(READBACK)
    cancel = {"devices": [{"device": "tce", "msg": "cancel-commit [session-closed]"}]}
    undo = {"results": [{"device": "tce", "index": 2, "failed": True, "msg": "lock [in-use]"}]}
    text = partial_message("slice s: step 9 failed", held, cancel, undo)
    assert "2 device(s) still hold part of the slice: ots (not read back: connect-failed: refused)" in text
    assert "tce (step 2 (b): client port c1 is still there)" in text
    assert "undo failures: tce: cancel-commit [session-closed]; tce step 2: lock [in-use]" in text
    assert partial_message("x", {}) == "x"
