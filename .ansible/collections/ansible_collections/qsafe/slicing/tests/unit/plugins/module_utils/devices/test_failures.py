# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place errors become failure messages: every exception kind maps to the same facts."""

from __future__ import annotations

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.base import (
    StepConflictError,
    StepInputError,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.failures import (
    FIELDS,
    DeviceStepError,
    failure_from,
    failure_result,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import (
    NetconfConnectError,
    NetconfOperationError,
)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (NetconfOperationError("sw-9", "edit-config", "bad value", error_tag="invalid-value",
                               error_path="/vlans/vlan", error_type="application"),
         {"device": "sw-9", "operation": "edit-config", "error_tag": "invalid-value",
          "error_path": "/vlans/vlan", "error_type": "application", "error_message": "bad value"}),
        (NetconfConnectError("sw-1", "connect", "refused"),
         {"device": "sw-1", "operation": "connect", "error_tag": "connect-failed"}),
        (StepInputError("vlan_id", "must be an integer"),
         {"operation": "validate", "error_tag": "invalid-input", "error_path": "vlan_id"}),
        (StepConflictError("port p1 is in ACCESS mode"),
         {"operation": "plan-edit", "error_tag": "conflict", "error_message": "port p1 is in ACCESS mode"}),
        (KeyError("x"),
         {"operation": "internal", "error_tag": "internal-error", "error_message": "KeyError: 'x'"}),
    ],
)
def test_every_exception_maps_to_the_reportable_facts(exc, expected):
    error = failure_from(exc, "sw-1", "step 3")
    assert {k: error.info[k] for k in expected} == expected
    assert error.info["step"] == "step 3"
    assert str(error).startswith(f"step 'step 3' on device {expected.get('device', 'sw-1')} failed: ")


@pytest.mark.parametrize(
    ("tag", "hint"),
    [("session-closed", "may or may not have applied it"), ("connect-failed", "known_hosts"),
     ("in-use", "qsafe.slicing.netconf_confirm"), ("invalid-input", "nothing was sent"),
     ("conflict", "nothing was changed")],
)
def test_the_message_says_what_to_do(tag, hint):
    error = DeviceStepError({"device": "d", "operation": "op", "error_tag": tag, "error_message": "m"})
    assert f"[{tag}]" in str(error) and hint in str(error)


def test_a_device_step_error_passes_through_unchanged():
    error = DeviceStepError({"device": "d", "error_tag": "timeout"})
    assert failure_from(error, "other", "s") is error


def test_failure_result_is_a_failed_task_with_every_field():
    result = failure_result(failure_from(StepInputError("port", "is required"), "sw-1", None).to_dict())
    assert result["failed"] is True and result["changed"] is False
    assert set(FIELDS) <= set(result)
    assert result["msg"] == (
        "step on device sw-1 failed: validate [invalid-input] at port: port: is required "
        "(fix the task's parameters; nothing was sent to the device)"
    )
