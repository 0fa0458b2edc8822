# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs qsafe.slicing.slice_registry (the registry's writes) in the controller's worker: no module
process per task, and the lock keeper watches the ansible-playbook process (the worker's parent),
so the lock dies with the play however the play ends."""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.argspec import ARGUMENT_SPEC
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
        return result
