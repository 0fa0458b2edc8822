# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The slice_registry / slice_registry_info operations on a real SQLite registry (no lab): a run's
device-role results recorded with the state, the failure message composed, the reads' lines."""

from __future__ import annotations

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.plan import plan_from_documents
from ansible_collections.qsafe.slicing.plugins.plugin_utils._slice_registry import (
    ActionFailed,
    run_action,
    run_query,
)

from tests.conftest import ROOT, TOPOLOGY_FILE

PID = "qsafe-token-1"
SID = "enterprise-app-1"


@pytest.fixture
def registry(tmp_path):
    """Option defaults as Ansible passes them, on a registry in tmp_path, with one reserved slice."""
    base = {k: None for k in ("dsn", "path", "slice_id", "error", "steps", "step_status", "runs",
                              "persist_id", "undone", "failed_task", "failed_msg", "holder",
                              "lock_token", "state", "descriptor", "plan", "topology")}
    base.update(state_dir=str(tmp_path), rolled_back=False)
    topology = yaml.safe_load(TOPOLOGY_FILE.read_text())
    doc = yaml.safe_load((ROOT / "slices" / "enterprise_app.yml").read_text())
    plan = plan_from_documents(doc, topology, with_steps=True)
    reserved = run_action(dict(base, action="reserve", slice_id=SID, descriptor=doc, plan=plan,
                               topology=topology), False, 1)
    assert reserved["changed"] and reserved["summary"][-1] == f"{len(plan['steps'])} device steps"
    run_action(dict(base, action="set_state", slice_id=SID, state="provisioning", holder="t",
                    lock_token=PID.removeprefix("qsafe-")), False, 1)
    return base, plan


def results(plan, upto, fail_at=None):
    out = []
    for step in plan["steps"][:upto]:
        failed = step["index"] == fail_at
        out.append(dict(step, changed=not failed, failed=failed, status="failed" if failed else "changed",
                        seconds=0.01, msg="boom" if failed else None,
                        detail={"device": step["device"], "resource": step["resource"]}))
    return out


def test_failed_run_is_recorded_with_rollback_and_the_message_composed(registry):
    base, plan = registry
    runs = [{"persist_id": PID, "results": results(plan, 4)},
            {"persist_id": PID, "results": results(plan, 6, fail_at=5)[4:]},
            {"persist_id": "qsafe-other", "results": results(plan, 9)}]
    out = run_action(dict(base, action="set_state", slice_id=SID, state="failed", runs=runs,
                          persist_id=PID, rolled_back=True), False, 1)
    step5 = plan["steps"][5]
    cause = f"slice enterprise-app-1: step 5 ({step5['name']}) failed on device {step5['device']}: boom"
    assert out["error"].startswith(cause)
    assert "rolled back 5 applied step(s)" in out["error"]
    record = run_query(dict(base, query="get", slice_id=SID))["record"]
    assert record["state"] == "failed" and record["last_error"] == out["error"]
    statuses = [s["status"] for s in record["steps"]]
    assert statuses.count("failed") == 1 and statuses.count("rolled_back") == 5
    assert statuses.count("changed") == 5  # the other persist-id's results were not recorded


def test_undo_failures_are_recorded_as_rollback_failed(registry):
    base, plan = registry
    runs = [{"persist_id": PID, "results": results(plan, 3, fail_at=2)}]
    undone = {"results": [dict(results(plan, 1)[0], failed=True)]}
    run_action(dict(base, action="set_state", slice_id=SID, state="failed", runs=runs, persist_id=PID,
                    rolled_back=True, undone=undone), False, 1)
    record = run_query(dict(base, query="get", slice_id=SID))["record"]
    statuses = [s["status"] for s in record["steps"]]
    assert statuses.count("rollback_failed") == 1 and statuses.count("rolled_back") == 1


def test_a_failure_before_any_device_names_the_task(registry):
    base, _plan = registry
    out = run_action(dict(base, action="set_state", slice_id=SID, state="failed",
                          failed_task="Start the key streams", failed_msg="bad input"), True, 1)
    assert out["error"] == (
        "slice enterprise-app-1: task Start the key streams failed: bad input; "
        "rolled back 0 applied step(s) on 0 device(s)"
    )
    assert run_query(dict(base, query="get", slice_id=SID))["record"]["state"] == "provisioning"


def test_reads_list_lines_and_teardown_summary(registry):
    base, plan = registry
    listed = run_query(dict(base, query="list", slice_id=SID))
    assert [s["id"] for s in listed["slices"]] == ["enterprise-app-1"]
    assert listed["slices"][0]["lines"][0].startswith("slice enterprise-app-1: provisioning")
    assert listed["lines"][1] == "orchestrator lock: free"
    teardown = run_query(dict(base, query="teardown_steps", slice_id=SID))
    assert teardown["summary"] == (
        f"slice {SID} is provisioning: {len(plan['steps'])} step(s) to undo, "
        "0 shared step(s) kept for nobody"
    )
    with pytest.raises(ActionFailed, match="query=get needs: slice_id"):
        run_query(dict(base, query="get"))
