# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs qsafe.slicing.slice_registry_info in the controller's worker: reads of the slice registry
(no module process per task; the registry is where the controller is)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.argspec import INFO_ARGUMENT_SPEC
from ansible_collections.qsafe.slicing.plugins.plugin_utils._slice_registry import ActionFailed, run_query


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(INFO_ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, params = self.validate_argument_spec(argument_spec=INFO_ARGUMENT_SPEC)
        try:
            result.update(run_query(dict(params)))
        except ActionFailed as exc:
            result.update(failed=True, msg=str(exc))
        return result
