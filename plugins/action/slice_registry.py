# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs qsafe.slicing.slice_registry in the controller's worker: no module process per task, and
the lock keeper watches the ansible-playbook process (the worker's parent), so the lock dies
with the play however the play ends."""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.argspec import ARGUMENT_SPEC
from ansible_collections.qsafe.slicing.plugins.plugin_utils._netconf_broker import BrokerError, ensure_broker
from ansible_collections.qsafe.slicing.plugins.plugin_utils._slice_registry import ActionFailed, run_action


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        unused, params = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        del unused
        try:
            result.update(run_action(dict(params), bool(self._task.check_mode), watch_pid=os.getppid()))
        except ActionFailed as exc:
            result.update(failed=True, msg=str(exc))
        if params["action"] == "lock" and result.get("takeover_persist_ids") and not self._task.check_mode:
            # The play's device steps may cancel a dead run's pending commits and re-apply them
            # (transaction.take_over): the play's session broker learns which runs are dead.
            state_dir = (task_vars or {}).get("qsafe_state_dir")
            try:
                broker = ensure_broker(state_dir=self._templar.template(state_dir) if state_dir else None)
                broker.takeover(result["takeover_persist_ids"])
            except (BrokerError, OSError, ValueError) as exc:
                result["takeover_warning"] = f"session broker not told of dead runs: {exc}"
        return result
