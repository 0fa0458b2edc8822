# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""failed-partial: the reservation stays while devices hold part of a slice; a re-run may start;
the last run's persist-id is kept so the next run can cancel its pending commits."""

from __future__ import annotations

from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import open_registry

PLAN = {
    "slice_id": "s1",
    "compute_site": None,
    "compute": None,
    "connections": [{"name": "c", "links": ["l1"], "bandwidth_mbps": 100, "vlan": 101}],
}
CAPS = {"links": {"l1": 1000}, "compute": {}}


def test_failed_partial_keeps_reservation_and_owner(tmp_path):
    with open_registry(path=str(tmp_path / "r.sqlite3")) as reg:
        assert reg.reserve("s1", {"slice": {"id": "s1"}}, PLAN, CAPS)
        reg.set_state("s1", "provisioning", lock_token="tok1")  # noqa: S106 - a lock token
        reg.set_state("s1", "failed-partial", error="still on tce-ch2-a")
        assert reg.release("s1") is False
        record = reg.get("s1")
        assert record["reservation"] is not None and record["state"] == "failed-partial"
        assert reg.dead_persist_ids("qsafe-") == ["qsafe-tok1"]
        reg.set_state("s1", "provisioning", lock_token="tok2")  # noqa: S106 - a re-run finishes the job
        reg.set_state("s1", "provisioned")
        assert reg.get("s1")["owner"] is None
        assert reg.dead_persist_ids("qsafe-") == []
